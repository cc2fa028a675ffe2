package soak

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/relance"
)

// grace is how far past due a timer may be at the check before it counts as stuck.
const grace = 10 * time.Second

// checker reads the outcome as the postgres superuser, which sees every tenant's rows.
type checker struct {
	pool *pgxpool.Pool
	org  Org
}

func newChecker(ctx context.Context, url string, org Org) (*checker, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, err
	}
	return &checker{pool: pool, org: org}, nil
}

func (c *checker) close() { c.pool.Close() }

// drain waits, up to limit, until no timer is due and pending, no delivery is pending or
// sending, and every watcher has received every alert of its advisor. It restarts any process
// that dies meanwhile. It reports whether all settled.
func (c *checker) drain(ctx context.Context, limit time.Duration, ws []*Watcher, fleet *Fleet, logf func(string, ...any)) bool {
	deadline := time.Now().Add(limit)
	lastLog := time.Time{}
	for {
		due, open, unseen, err := c.unsettled(ctx, ws)
		if err == nil && due == 0 && open == 0 && unseen == 0 {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			logf("still unsettled after %s: %d timers due, %d deliveries open, %d alerts not streamed (err %v)", limit, due, open, unseen, err)
			return false
		}
		if time.Since(lastLog) >= 15*time.Second {
			logf("settling: %d timers due (or reminders still to come), %d deliveries pending or sending (a worker killed mid-send leaves its lease of %s to run out), %d alerts not streamed yet",
				due, open, relance.DeliveryLease, unseen)
			lastLog = time.Now()
		}
		for _, p := range fleet.procs {
			if ok, err := p.restartIfDead(); ok {
				logf("%s had exited on its own: started again (err %v)", p.name, err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (c *checker) unsettled(ctx context.Context, ws []*Watcher) (due, open, unseen int, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// The reminders of the last leads come due after the load: wait for them too (the ladder
	// has one rung, so a fired reminder leaves no pending timer of its kind).
	if err = c.pool.QueryRow(ctx, `SELECT count(*) FROM timers WHERE org_id = $1 AND state = 'pending'
		AND (due_at <= now() OR kind = $2)`, c.org.ID, string(relance.TimerActivityOverdue)).Scan(&due); err != nil {
		return
	}
	if err = c.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE org_id = $1 AND state IN ('pending', 'sending')`, c.org.ID).Scan(&open); err != nil {
		return
	}
	byUser, err := c.alertIDs(ctx)
	if err != nil {
		return
	}
	for _, w := range ws {
		if !w.has(byUser[w.Advisor.ID]) {
			unseen++
		}
	}
	return
}

// sending counts the deliveries being sent now.
func (c *checker) sending(ctx context.Context) (n int, err error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err = c.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE org_id = $1 AND state = 'sending'`, c.org.ID).Scan(&n)
	return n, err
}

func (c *checker) alertIDs(ctx context.Context) (map[uuid.UUID][]uuid.UUID, error) {
	rows, err := c.pool.Query(ctx, `SELECT user_id, id FROM alerts WHERE org_id = $1`, c.org.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uuid.UUID][]uuid.UUID{}
	for rows.Next() {
		var u, id uuid.UUID
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		out[u] = append(out[u], id)
	}
	return out, rows.Err()
}

type timerRow struct {
	id, subject uuid.UUID
	kind, state string
	due         time.Time
	fired       *time.Time
}

type deliveryRow struct {
	id                          uuid.UUID
	key, channel, state, errMsg string
	attempts                    int
	created                     time.Time
	sent                        *time.Time
}

type alertRow struct {
	id, user uuid.UUID
	lead     *uuid.UUID
	kind     relance.AlertKind
	key      string
}

// check reads the outcome and compares it with what the load asked, the watchers received and
// the catcher got.
func (c *checker) check(ctx context.Context, load *Load, ws []*Watcher, msgs []catcher.Message) (*Report, error) {
	r := &Report{Errors: load.errors.snapshot(), Resends: map[string]int{}, Received: map[string]int{}}
	now := time.Now()

	// Leads: every key the creators used holds exactly one lead, the one every answer named.
	leadByKey := map[string][]uuid.UUID{}
	keyless := 0
	if err := c.rows(ctx, `SELECT id, idempotency_key FROM leads WHERE org_id = $1`, func(scan func(...any) error) error {
		var id uuid.UUID
		var key *string
		if err := scan(&id, &key); err != nil {
			return err
		}
		if key == nil {
			keyless++
		} else {
			leadByKey[*key] = append(leadByKey[*key], id)
		}
		r.Leads++
		return nil
	}); err != nil {
		return nil, err
	}
	load.mu.Lock()
	for key, o := range load.keys {
		r.Keys++
		r.CreateTries += o.tries
		held := leadByKey[key]
		switch {
		case len(o.leads) == 0:
			r.violate("lead %s: never answered (%s)", key, o.failed)
		case len(o.leads) > 1:
			r.violate("lead %s: answered with %d different leads", key, len(o.leads))
		case len(held) != 1:
			r.violate("lead %s: %d leads hold the key", key, len(held))
		case !o.leads[held[0].String()]:
			r.violate("lead %s: answered with another lead than the one holding the key", key)
		}
		if o.created > 1 {
			r.violate("lead %s: answered created=true %d times", key, o.created)
		}
		if len(o.leads) > 0 && !o.planned {
			r.violate("lead %s: its planned call was not recorded (%s)", key, o.failed)
		}
	}
	for key := range leadByKey {
		if load.keys[key] == nil {
			r.violate("lead %s: in the database but never asked for", key)
		}
	}
	load.mu.Unlock()
	if keyless > 0 {
		r.violate("%d leads without an idempotency key", keyless)
	}

	// Timers: none stuck; the alerts' and reminders' lateness, never early.
	timers := map[uuid.UUID]timerRow{}
	r.Timers = map[string]int{}
	if err := c.rows(ctx, `SELECT id, subject_id, kind, state, due_at, fired_at FROM timers WHERE org_id = $1`, func(scan func(...any) error) error {
		var t timerRow
		if err := scan(&t.id, &t.subject, &t.kind, &t.state, &t.due, &t.fired); err != nil {
			return err
		}
		timers[t.id] = t
		r.Timers[t.kind+" "+t.state]++
		switch {
		case t.state == "pending" && now.Sub(t.due) > grace:
			r.violate("timer %s (%s): pending, %s past due", t.id, t.kind, now.Sub(t.due).Round(time.Second))
		case t.state == "pending" && t.kind == string(relance.TimerActivityOverdue):
			r.violate("reminder timer %s: not fired, due %s", t.id, t.due.Format(time.TimeOnly))
		}
		if t.state == "done" && t.fired != nil && (t.kind == string(relance.TimerLeadAssigned) || t.kind == string(relance.TimerActivityOverdue)) {
			late := t.fired.Sub(t.due)
			if late < -time.Millisecond {
				r.violate("timer %s (%s): fired %s early", t.id, t.kind, -late)
			}
			if t.kind == string(relance.TimerActivityOverdue) {
				r.ReminderLateness = append(r.ReminderLateness, late)
			} else {
				r.AssignLateness = append(r.AssignLateness, late)
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}

	// Alerts: one assignment alert per lead, one reminder alert per fired overdue timer.
	var alerts []alertRow
	if err := c.rows(ctx, `SELECT id, user_id, lead_id, kind, key FROM alerts WHERE org_id = $1`, func(scan func(...any) error) error {
		var a alertRow
		if err := scan(&a.id, &a.user, &a.lead, &a.kind, &a.key); err != nil {
			return err
		}
		alerts = append(alerts, a)
		return nil
	}); err != nil {
		return nil, err
	}
	assigned := map[uuid.UUID]int{}
	reminded := map[string]int{}
	for _, a := range alerts {
		switch a.kind {
		case relance.AlertLeadAssigned:
			if a.lead != nil {
				assigned[*a.lead]++
			}
			r.AssignAlerts++
		case relance.AlertActionDue:
			reminded[strings.Split(strings.TrimPrefix(a.key, "overdue:"), ":")[0]]++
			r.ReminderAlerts++
		default:
			r.OtherAlerts++
		}
	}
	for _, ids := range leadByKey {
		for _, id := range ids {
			if assigned[id] != 1 {
				r.violate("lead %s: %d assignment alerts", id, assigned[id])
			}
		}
	}
	for _, t := range timers {
		if t.kind == string(relance.TimerActivityOverdue) && t.state == "done" && reminded[t.id.String()] != 1 {
			r.violate("reminder timer %s: %d reminder alerts", t.id, reminded[t.id.String()])
		}
		if t.kind == string(relance.TimerActivityOverdue) && t.state == "done" {
			r.Reminders++
		}
	}

	// Deliveries: each alert's email and SMS written once, sent, and received once per identity.
	deliveries := map[string]deliveryRow{}
	r.Deliveries = map[string]int{}
	if err := c.rows(ctx, `SELECT id, key, channel, state, last_error, attempts, created_at, sent_at FROM deliveries WHERE org_id = $1`, func(scan func(...any) error) error {
		var d deliveryRow
		if err := scan(&d.id, &d.key, &d.channel, &d.state, &d.errMsg, &d.attempts, &d.created, &d.sent); err != nil {
			return err
		}
		deliveries[d.id.String()] = d
		r.Deliveries[d.channel+" "+d.state]++
		if d.attempts > 1 {
			r.Reclaimed++
		}
		switch d.state {
		case relance.DeliverySent:
			if d.sent != nil {
				r.SendDelay = append(r.SendDelay, d.sent.Sub(d.created))
			}
		case relance.DeliveryPending, relance.DeliverySending:
			r.violate("delivery %s (%s): still %s", d.id, d.key, d.state)
		default:
			r.violate("delivery %s (%s): %s: %s", d.id, d.key, d.state, d.errMsg)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	byKey := map[string]bool{}
	for _, d := range deliveries {
		byKey[d.key] = true
	}
	for _, a := range alerts {
		if a.kind != relance.AlertLeadAssigned && a.kind != relance.AlertActionDue {
			continue
		}
		for _, ch := range []string{"email", "sms"} {
			if !byKey[a.key+":"+ch] {
				r.violate("alert %s (%s): no %s delivery", a.id, a.key, ch)
			}
		}
	}
	perIdentity := map[string]int{}
	identities := map[string]map[string]bool{} // a message's content → the identities it went under
	for _, m := range msgs {
		id := strings.TrimSuffix(strings.Trim(m.MessageID, "<>"), "@relance")
		perIdentity[id]++
		r.Received[m.Channel]++
		what := m.Channel + " " + strings.Join(m.To, ",") + " " + m.Subject + " " + m.Text
		if identities[what] == nil {
			identities[what] = map[string]bool{}
		}
		identities[what][id] = true
		if _, ok := deliveries[id]; !ok {
			r.violate("%s to %v: identity %q matches no delivery", m.Channel, m.To, m.MessageID)
		}
	}
	for what, ids := range identities {
		if len(ids) > 1 {
			r.violate("one message sent under %d identities: %.80s", len(ids), what)
		}
	}
	for id, d := range deliveries {
		n := perIdentity[id]
		if d.state == relance.DeliverySent && n == 0 {
			r.violate("delivery %s (%s): sent by the ledger, never received", id, d.key)
		}
		if n > 1 {
			r.Resends[d.channel+" "+d.key] = n
		}
	}

	// Streams: every alert of an advisor reached their stream, once.
	byUser := map[uuid.UUID][]uuid.UUID{}
	for _, a := range alerts {
		byUser[a.user] = append(byUser[a.user], a.id)
	}
	for _, w := range ws {
		got, reconnects := w.received()
		r.Reconnects += reconnects
		r.Streamed += len(got)
		want := map[string]bool{}
		for _, id := range byUser[w.Advisor.ID] {
			want[id.String()] = true
			if got[id.String()] == 0 {
				r.violate("%s: alert %s never reached the stream", w.Advisor.Email, id)
			}
		}
		for id, n := range got {
			if !want[id] {
				r.violate("%s: streamed alert %s is not theirs", w.Advisor.Email, id)
			}
			if n > 1 {
				r.violate("%s: alert %s streamed %d times", w.Advisor.Email, id, n)
			}
		}
		w.mu.Lock()
		r.StreamDelay = append(r.StreamDelay, w.latency...)
		w.mu.Unlock()
	}
	return r, nil
}

// rows runs a query for the soak's organisation and calls each for every row.
func (c *checker) rows(ctx context.Context, sql string, each func(scan func(...any) error) error) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rows, err := c.pool.Query(ctx, sql, c.org.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
