package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/config"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
)

const timersUsage = `usage: relance timers [list] [--late] [--org ID] [--kind KIND] [--limit N]
       relance timers show ID
       relance timers replay [--force] ID

  list     pending timers, soonest first; --late: only those due over a minute ago
  show     one timer, the lead it is about and its task in the queue
  replay   hand a pending timer to the queue again under its task id (safe: firing is
           idempotent); --force fires a done timer again (what it wrote is keyed by the timer,
           so nobody is told twice; not a delivery's timer: retry the delivery instead)
`

// lateAfter is how long past its instant a pending timer counts as late: the sweeper hands every
// due timer to the queue within SWEEP_INTERVAL (15 s by default), a worker fires it at once.
const lateAfter = time.Minute

// operator runs the operators' commands (relance timers, relance deliveries) as the schema owner,
// across tenants. queue is nil when Redis is unreachable: listing and showing still work.
type operator struct {
	store *postgres.DB
	queue *queue.Client
	out   io.Writer
	now   func() time.Time
}

// openOperator opens the store as the schema owner (MIGRATE_DATABASE_URL) with the queue as its
// scheduler, and returns a function closing both. An unreachable Redis leaves queue nil.
func openOperator(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) (*operator, func(), error) {
	op := &operator{out: out, now: time.Now}
	rdb, err := queue.NewRedis(cfg.RedisURL)
	if err != nil {
		return nil, nil, err
	}
	var opts []postgres.Option
	if err := rdb.Ping(ctx).Err(); err != nil {
		log.Warn("redis unreachable: no task states, no replay", "err", err)
	} else {
		op.queue = queue.NewClient(rdb, cfg.Queue)
		opts = append(opts, postgres.WithScheduler(op.queue))
	}
	if op.store, err = postgres.Open(ctx, cfg.MigrateDatabaseURL, append(opts, postgres.WithLogger(log))...); err != nil {
		rdb.Close()
		return nil, nil, err
	}
	return op, func() { op.store.Close(); rdb.Close() }, nil
}

// timers runs `relance timers`.
func (o *operator) timers(ctx context.Context, args []string) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("timers "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	switch sub {
	case "list":
		late := fs.Bool("late", false, "")
		org := fs.String("org", "", "")
		kind := fs.String("kind", "", "")
		limit := fs.Int("limit", 100, "")
		if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *limit <= 0 {
			return errUsage
		}
		f := relance.TimerFilter{Late: *late, LateBefore: o.now().Add(-lateAfter), Kind: relance.TimerKind(*kind), Limit: *limit}
		var err error
		if f.OrgID, err = optionalID("--org", *org); err != nil {
			return err
		}
		return o.listTimers(ctx, f)
	case "show":
		if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
			return errUsage
		}
		id, err := requiredID("timer", fs.Arg(0))
		if err != nil {
			return err
		}
		return o.showTimer(ctx, id)
	case "replay":
		force := fs.Bool("force", false, "")
		if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
			return errUsage
		}
		id, err := requiredID("timer", fs.Arg(0))
		if err != nil {
			return err
		}
		return o.replayTimer(ctx, id, *force)
	}
	return errUsage
}

// listTimers prints the pending timers f selects, with how late each is.
func (o *operator) listTimers(ctx context.Context, f relance.TimerFilter) error {
	rows, err := o.store.ListTimers(ctx, f)
	if err != nil {
		return err
	}
	now := o.now()
	w := tabwriter.NewWriter(o.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tORGANISATION\tKIND\tDUE\tLATE\tVERSION\tSUBJECT")
	for _, r := range rows {
		late := "-"
		if d := now.Sub(r.DueAt); d > 0 {
			late = d.Truncate(time.Second).String()
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.OrgName, r.Kind, stamp(r.DueAt), late, r.Version, r.SubjectID)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.out, "%d timer(s)\n", len(rows))
	return err
}

// showTimer prints a timer's row, its lead and, when Redis is reachable, its task's state.
func (o *operator) showTimer(ctx context.Context, id uuid.UUID) error {
	r, lead, err := o.store.Timer(ctx, id)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(o.out, 0, 0, 2, ' ', 0)
	line := func(k, v string) { fmt.Fprintf(w, "%s\t%s\n", k, v) }
	line("Timer:", r.ID.String())
	line("Organisation:", fmt.Sprintf("%s (%s)", r.OrgName, r.OrgID))
	line("Kind:", string(r.Kind))
	line("State:", r.State)
	line("Due:", stamp(r.DueAt))
	line("Version:", strconv.Itoa(r.Version))
	line("Subject:", r.SubjectID.String())
	line("Ref:", r.Ref)
	if r.FiredAt != nil {
		line("Fired:", stamp(*r.FiredAt))
	}
	line("Created:", stamp(r.CreatedAt))
	line("Updated:", stamp(r.UpdatedAt))
	if lead != nil {
		assignee := "nobody"
		if lead.AssigneeID != uuid.Nil {
			assignee = lead.AssigneeID.String()
		}
		line("Lead:", fmt.Sprintf("%s %q, %s, received %s, assigned to %s", lead.ID, lead.ContactName, lead.Stage, stamp(lead.ReceivedAt), assignee))
	}
	task := "unknown (Redis unreachable)"
	if o.queue != nil {
		state, info, err := o.queue.TaskState(r.TimerRef)
		switch {
		case err != nil:
			task = "unknown: " + err.Error()
		case state == "":
			task = queue.TaskID(r.TimerRef) + ": not in the queue"
		default:
			task = fmt.Sprintf("%s: %s, retried %d/%d", info.ID, state, info.Retried, info.MaxRetry)
			if info.LastErr != "" {
				task += ", last error: " + info.LastErr
			}
			if !info.NextProcessAt.IsZero() {
				task += ", next run " + stamp(info.NextProcessAt)
			}
		}
	}
	line("Task:", task)
	return w.Flush()
}

// replayTimer hands a pending timer to the queue again; a done one only with force, as a new
// version; a cancelled one never.
func (o *operator) replayTimer(ctx context.Context, id uuid.UUID, force bool) error {
	if o.queue == nil {
		return fmt.Errorf("redis is unreachable (REDIS_URL): cannot replay")
	}
	r, _, err := o.store.Timer(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case r.State == "pending":
		what, err := o.queue.Replay(ctx, r.TimerRef)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(o.out, "timer %s: %s\n", id, what)
		return err
	case r.State == "done" && force:
		ref, err := o.store.RearmTimer(ctx, id)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(o.out, "timer %s: pending again as version %d, task %s enqueued\n", id, ref.Version, queue.TaskID(ref))
		return err
	case r.State == "done":
		return relance.Errorf(relance.CodeFailedPrecondition,
			"timer %s is done (fired %s): nothing to replay. --force fires it again; what it wrote is keyed by the timer, so nobody is told twice", id, stampPtr(r.FiredAt))
	default:
		return relance.Errorf(relance.CodeFailedPrecondition, "timer %s is %s: its obligation was withdrawn, it cannot be replayed", id, r.State)
	}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

func stampPtr(t *time.Time) string {
	if t == nil {
		return "at an unknown time"
	}
	return stamp(*t)
}

// requiredID parses the id of a thing named on the command line.
func requiredID(what, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, relance.Errorf(relance.CodeInvalid, "%q is not a %s id", s, what)
	}
	return id, nil
}

// optionalID parses an id flag; empty is uuid.Nil.
func optionalID(flag, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, relance.Errorf(relance.CodeInvalid, "%s: %q is not an id", flag, s)
	}
	return id, nil
}
