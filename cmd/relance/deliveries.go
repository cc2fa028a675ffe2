package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

const deliveriesUsage = `usage: relance deliveries [list] [--channel CHANNEL] [--since WHEN] [--org ID] [--limit N]
       relance deliveries retry ID
       relance deliveries retry --since WHEN [--channel CHANNEL] [--org ID] [--limit N]

  list     deliveries that failed for good, newest first
  retry    send a failed delivery again from its first try, under the same message identity;
           with --since, every failed delivery created since WHEN (at most --limit)

  WHEN is an instant (2026-12-01T08:00:00Z, 2026-12-01) or a duration ago (24h, 90m).
  CHANNEL is email, sms, push or webhook.
`

// deliveries runs `relance deliveries`.
func (o *operator) deliveries(ctx context.Context, args []string) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if sub != "list" && sub != "retry" {
		return errUsage
	}
	fs := flag.NewFlagSet("deliveries "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	channel := fs.String("channel", "", "")
	since := fs.String("since", "", "")
	org := fs.String("org", "", "")
	limit := fs.Int("limit", 100, "")
	if err := fs.Parse(args); err != nil || *limit <= 0 || fs.NArg() > 1 || (sub == "list" && fs.NArg() > 0) {
		return errUsage
	}
	f := relance.DeliveryFilter{Channel: *channel, Limit: *limit}
	var err error
	if f.OrgID, err = optionalID("--org", *org); err != nil {
		return err
	}
	if *since != "" {
		if f.Since, err = parseWhen(*since, o.now()); err != nil {
			return err
		}
	}
	switch {
	case sub == "list":
		return o.listDeliveries(ctx, f)
	case fs.NArg() == 1 && fs.NFlag() == 0:
		id, err := requiredID("delivery", fs.Arg(0))
		if err != nil {
			return err
		}
		return o.retryDelivery(ctx, id)
	case fs.NArg() == 0 && *since != "":
		return o.retryDeliveries(ctx, f)
	}
	return errUsage
}

func (o *operator) listDeliveries(ctx context.Context, f relance.DeliveryFilter) error {
	rows, err := o.store.FailedDeliveries(ctx, f)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(o.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tORGANISATION\tCHANNEL\tRECIPIENT\tCREATED\tATTEMPTS\tERROR")
	for _, d := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d.ID, d.OrgName, d.Channel, d.Recipient, stamp(d.CreatedAt), d.Attempts, brief(d.LastError))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.out, "%d failed deliver(ies)\n", len(rows))
	return err
}

func (o *operator) retryDelivery(ctx context.Context, id uuid.UUID) error {
	if o.queue == nil {
		return fmt.Errorf("redis is unreachable (REDIS_URL): cannot retry")
	}
	if err := o.store.RetryDelivery(ctx, id); err != nil {
		return err
	}
	_, err := fmt.Fprintf(o.out, "delivery %s: pending again, enqueued\n", id)
	return err
}

// retryDeliveries retries every failed delivery f selects; one retried meanwhile by someone else
// is skipped.
func (o *operator) retryDeliveries(ctx context.Context, f relance.DeliveryFilter) error {
	if o.queue == nil {
		return fmt.Errorf("redis is unreachable (REDIS_URL): cannot retry")
	}
	rows, err := o.store.FailedDeliveries(ctx, f)
	if err != nil {
		return err
	}
	retried, skipped := 0, 0
	for _, d := range rows {
		switch err := o.store.RetryDelivery(ctx, d.ID); {
		case err == nil:
			retried++
		case relance.ErrorCode(err) == relance.CodeFailedPrecondition:
			skipped++
		default:
			return fmt.Errorf("after %d retried: delivery %s: %w", retried, d.ID, err)
		}
	}
	_, err = fmt.Fprintf(o.out, "%d deliver(ies) pending again and enqueued, %d skipped (no longer failed)\n", retried, skipped)
	if err == nil && len(rows) == f.Limit {
		_, err = fmt.Fprintf(o.out, "the limit (%d) was reached: run it again for the rest\n", f.Limit)
	}
	return err
}

// parseWhen reads an instant (RFC 3339 or a date, UTC) or a duration before now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, relance.Errorf(relance.CodeInvalid, "--since: %q is neither an instant (2026-12-01T08:00:00Z, 2026-12-01) nor a duration (24h)", s)
}

// brief shortens an error message to one line of a table.
func brief(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}
