package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// sendTimeout bounds one conversation with an outside provider; it is well inside DeliveryLease.
const sendTimeout = 30 * time.Second

// TimersDue lists pending timers due at or before before, across tenants, in (due, id) order,
// starting after the position after (the zero TimerRef starts at the beginning). The sweeper
// hands them to the queue again; the queue ignores those it already holds.
func (d *DB) TimersDue(ctx context.Context, before time.Time, after relance.TimerRef, limit int) ([]relance.TimerRef, error) {
	rows, err := db.New(d.pool).TimerListDue(ctx, db.TimerListDueParams{
		Before: before, AfterDue: after.DueAt, AfterID: after.ID, RowLimit: int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("timers due: %w", err)
	}
	out := make([]relance.TimerRef, len(rows))
	for i, r := range rows {
		out[i] = relance.TimerRef{ID: r.ID, OrgID: r.OrgID, Version: int(r.Version), DueAt: r.DueAt}
	}
	return out, nil
}

// fireBatch is how many due timers of one organisation a task fires in one transaction: its
// own, and those already due with it (see fireDueWith).
const fireBatch = 32

// heldWait is how long a task whose timer another worker holds waits before it looks again.
const heldWait = 50 * time.Millisecond

// firedTogether are the kinds of timers fire carries out, which fireDueWith takes with another:
// all but deliveries', whose claim sends at once.
var firedTogether = []string{
	string(relance.TimerLeadAssigned), string(relance.TimerLeadRepeat), string(relance.TimerDigest),
	string(relance.TimerLeadReminder), string(relance.TimerActionDue), string(relance.TimerActivityOverdue),
	string(relance.TimerActionOverdue),
}

// FireTimer carries out the obligation of a timer. It locks the row and does nothing when the
// timer is gone, done, cancelled or of another version, so firing twice is harmless. It returns
// a *relance.NotDueError when called before the timer's instant, and other errors when the
// work should be tried again. In the same transaction it fires other timers of the
// organisation already due (fireDueWith): their own tasks then find them done. When another
// worker holds the timer (most likely firing it with its own), it fires other due timers in its
// place and returns a *relance.HeldError: look again shortly.
func (d *DB) FireTimer(ctx context.Context, ref relance.TimerRef) error {
	// Most tasks of a burst find their timer fired with another's: by this process (no
	// statement) or another (one statement, no transaction).
	if d.fired.take(ref) {
		return nil
	}
	pending, err := db.New(d.pool).TimerPending(ctx, db.TimerPendingParams{ID: ref.ID, Version: int32(ref.Version)})
	if err != nil {
		return d.unreachable(fmt.Errorf("timer pending: %w", err))
	}
	if !pending {
		return nil
	}
	f, err := d.fireTimer(ctx, ref, false)
	if f.memberFailed && ctx.Err() == nil {
		// A timer fired with this one failed, and took the batch down with it: again, with a
		// savepoint for each, so that it stays alone with its failure.
		f, err = d.fireTimer(ctx, ref, true)
	}
	if err != nil {
		return err
	}
	d.fired.add(f.firedWith)
	d.sendLeased(ctx, ref.OrgID, f.leased)
	switch {
	case f.held:
		return &relance.HeldError{Wait: heldWait}
	case f.claimed == nil:
		return nil
	}
	return d.send(ctx, ref, f.claimed)
}

// firing is what a transaction firing a timer leaves to do after commit.
type firing struct {
	claimed   *db.Delivery       // a delivery claimed, to send
	leased    []leasedDelivery   // messages written and leased, to send
	firedWith []relance.TimerRef // fired with the timer, for their tasks to find in d.fired
	held      bool               // another worker held the timer
	// memberFailed tells that a timer fired with this one failed (fireDueWith, not careful).
	memberFailed bool
}

// fireTimer is FireTimer's transaction. Careful, each timer fired with ref's is fired in a
// savepoint, at two statements each; else a failure of one fails them all (memberFailed).
func (d *DB) fireTimer(ctx context.Context, ref relance.TimerRef, careful bool) (firing, error) {
	var f firing
	err := d.inOrg(ctx, ref.OrgID, func(t *tx) error {
		// The messages this timer writes leave from here once it commits, rather than from a
		// second task; see deliver. Whichever way the timer ends (done, or moved on), its
		// messages are in toSend.
		t.sendAfterCommit, t.deferWrites = d.sender != nil, !careful
		defer func() { f.leased = t.toSend }()
		// Firing writes no sites, people, ladders or settings: timers fired together share
		// their reads of them.
		t.memo = newMemo()
		row, err := t.q.TimerLockFree(ctx, ref.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			// Another worker holds the timer, most likely firing it with its own. Rather than
			// wait for its lock, this task fires other due timers, and looks again shortly.
			f.held = true
			f.firedWith, err = d.fireDueWith(ctx, t, ref.ID, careful, &f.memberFailed)
			return err
		}
		if err != nil {
			return err
		}
		if row.State != "pending" || int(row.Version) != ref.Version {
			return nil
		}
		if row.DueAt.After(t.now) {
			return &relance.NotDueError{Wait: row.DueAt.Sub(t.now)}
		}
		if relance.TimerKind(row.Kind) == relance.TimerDelivery {
			// The timer stays pending: claimDelivery moves it to the lease's end as a watchdog.
			t.observe(func(o Observer) { o.TimerFired(relance.TimerDelivery, t.now.Sub(row.DueAt)) })
			f.claimed, err = t.claimDelivery(ctx, row)
			return err
		}
		done, err := d.fire(ctx, t, row)
		if err != nil {
			return err
		}
		if done {
			if err := t.q.TimerFinish(ctx, db.TimerFinishParams{ID: row.ID, State: "done", FiredAt: &t.now}); err != nil {
				return err
			}
		}
		f.firedWith, err = d.fireDueWith(ctx, t, row.ID, careful, &f.memberFailed)
		return err
	})
	return f, err
}

// fire carries out a due timer's obligation in t and reports whether the timer is done (for the
// caller to mark), or moved to a later instant (a reminder whose calendar is closed now).
// Deliveries' timers are claimDelivery's.
func (d *DB) fire(ctx context.Context, t *tx, row db.Timer) (done bool, err error) {
	kind, lateness := relance.TimerKind(row.Kind), t.now.Sub(row.DueAt)
	t.observe(func(o Observer) { o.TimerFired(kind, lateness) })
	switch kind {
	case relance.TimerLeadAssigned:
		return true, t.fireLeadAssigned(ctx, row)
	case relance.TimerLeadRepeat:
		return true, t.fireLeadRepeat(ctx, row)
	case relance.TimerDigest:
		return true, t.fireDigest(ctx, row)
	case relance.TimerLeadReminder:
		return t.fireReminder(ctx, row)
	case relance.TimerActionDue:
		return true, t.fireActionDue(ctx, row)
	case relance.TimerActivityOverdue, relance.TimerActionOverdue:
		return t.fireOverdue(ctx, row)
	}
	d.log.Error("timer of unknown kind dropped", "kind", row.Kind, "timer", row.ID)
	return true, nil
}

// fireDueWith fires, in t, up to fireBatch-1 other timers of t's organisation already due, oldest
// first. At 09:00, when thousands come due at once, this turns a transaction per timer into one
// per batch, and the batch shares its reads (t.memo). Timers another worker holds are skipped,
// so workers firing at once take different batches. A timer fired here is fired once: its own
// task finds it done. It returns the timers it fired, at the version their task carries.
//
// Careful, each is fired in a savepoint: one that fails is taken back and stays pending for its
// own task, which tries it again. Else one that fails fails the transaction and sets
// *memberFailed, for the caller to try again carefully: two statements fewer per timer.
func (d *DB) fireDueWith(ctx context.Context, t *tx, self uuid.UUID, careful bool, memberFailed *bool) ([]relance.TimerRef, error) {
	rows, err := t.q.TimerLockDue(ctx, db.TimerLockDueParams{OrgID: t.org, Now: t.now, Kinds: firedTogether, SkipID: self, RowLimit: fireBatch - 1})
	if err != nil {
		return nil, err
	}
	if err := t.prefetch(ctx, rows); err != nil {
		return nil, err
	}
	fired := make([]relance.TimerRef, 0, len(rows))
	var finished []uuid.UUID // marked done together, after the batch
	for _, row := range rows {
		var done bool
		fire := func() (err error) {
			done, err = d.fire(ctx, t, row)
			return err
		}
		var err error
		if careful {
			undone := false
			err = t.savepoint(ctx, fire, func(error) bool {
				undone = ctx.Err() == nil
				return undone
			})
			if err != nil && undone {
				d.log.Warn("a timer fired with another failed; its own task tries it again", "timer", row.ID, "err", err)
				continue
			}
		} else if err = fire(); err != nil {
			*memberFailed = true
		}
		if err != nil {
			return nil, err // the transaction failed, or the task was given up
		}
		if done {
			finished = append(finished, row.ID)
		}
		fired = append(fired, toTimerRef(row))
	}
	if len(finished) == 0 {
		return fired, nil
	}
	return fired, t.q.TimerFinishMany(ctx, db.TimerFinishManyParams{Ids: finished, FiredAt: &t.now})
}

// leasedDelivery is a delivery leased in the transaction that wrote it, to send after commit.
type leasedDelivery struct {
	timer    relance.TimerRef
	delivery *db.Delivery
}

// fireLeadAssigned alerts the assignee of a lead, on the channels they chose, unless the lead
// has since gone to someone else or left the open stage.
func (t *tx) fireLeadAssigned(ctx context.Context, timer db.Timer) error {
	row, err := t.lead(ctx, timer.SubjectID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	lead := toLead(row)
	if lead.AssigneeID.String() != timer.Ref || lead.Stage != relance.StageOpen {
		return nil // stale: reassigned, or closed, since the timer was written
	}
	user, err := t.user(ctx, lead.AssigneeID)
	if err != nil {
		return err
	}
	site, err := t.site(ctx, lead.SiteID)
	if err != nil {
		return err
	}
	loc := siteLocation(site)
	msg, err := message.Render("lead_assigned", user.Locale, message.LeadAssigned{
		AdvisorName: user.DisplayName, ContactName: lead.Contact.Name, ContactPhone: lead.Contact.Phone,
		ContactEmail: lead.Contact.Email, Source: lead.Source, SiteName: site.Name,
		ReceivedAt: lead.ReceivedAt.In(loc), Notes: lead.Notes, LeadURL: t.links.Lead(lead.ID),
	})
	if err != nil {
		return err
	}
	return t.alertAndDeliver(ctx, "lead.assigned:"+timer.ID.String(), relance.AlertLeadAssigned, &user, lead.ID, msg, user.AlertChannels())
}

// alertAndDeliver tells user about a lead: an in-app alert when they want those, one delivery
// per channel, and a push to each of their devices when they want this kind pushed, all under
// keys derived from key so that firing twice tells them once.
func (t *tx) alertAndDeliver(ctx context.Context, key string, kind relance.AlertKind, user *relance.User, leadID uuid.UUID, msg message.Rendered, channels []relance.Channel) error {
	if user.Notifications.InApp {
		if err := t.alert(ctx, db.AlertCreateParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, UserID: user.ID, Kind: string(kind),
			LeadID: optUUID(leadID), Title: msg.Subject, Body: msg.SMS, Key: key, CreatedAt: t.now,
		}); err != nil {
			return err
		}
	}
	for _, ch := range channels {
		m := relance.Message{Channel: ch, To: user.Phone, Text: msg.SMS}
		if ch == relance.ChannelEmail {
			m = relance.Message{Channel: ch, To: user.AlertEmail(), Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML}
		}
		if err := t.deliver(ctx, key+":"+string(ch), m, user.ID, leadID); err != nil {
			return err
		}
	}
	return t.pushAlert(ctx, key, kind, user, leadID, msg.Subject, msg.SMS)
}

// alert writes an in-app alert under its key, once: a key already written is left alone. Timers
// fired together (deferWrites) write theirs together, before commit (writeDeferred).
func (t *tx) alert(ctx context.Context, params db.AlertCreateParams) error {
	if t.deferWrites {
		t.alertsLater = append(t.alertsLater, params)
		return nil
	}
	a, err := t.q.AlertCreate(ctx, params)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err == nil {
		t.alerts = append(t.alerts, relance.AlertRef{ID: a.ID, OrgID: t.org, UserID: a.UserID})
	}
	return err
}

// deliver writes a delivery under a unique key and a timer that sends it now. A key already
// written is left alone: that message exists and will not be sent twice. A message about a lead
// and to no user of the organisation goes to the lead itself: a customer message, which the
// organisation's daily caps apply to when it is claimed.
func (t *tx) deliver(ctx context.Context, key string, m relance.Message, userID, leadID uuid.UUID) error {
	return t.writeDelivery(ctx, t.delivery(key, m, userID, leadID))
}

// delivery is the row of a delivery of m under key.
func (t *tx) delivery(key string, m relance.Message, userID, leadID uuid.UUID) db.DeliveryCreateParams {
	return db.DeliveryCreateParams{
		ID: uuid.Must(uuid.NewV7()), OrgID: t.org, Key: key, Channel: string(m.Channel), Recipient: m.To,
		UserID: optUUID(userID), LeadID: optUUID(leadID), Subject: m.Subject, BodyText: m.Text, BodyHtml: m.HTML,
		CreatedAt: t.now, Customer: userID == uuid.Nil && leadID != uuid.Nil,
		FromName: m.FromName, FromAddress: m.From, ReplyTo: m.ReplyTo, AttachmentIds: []uuid.UUID{},
	}
}

// writeDelivery writes a delivery as deliver does.
func (t *tx) writeDelivery(ctx context.Context, params db.DeliveryCreateParams) error {
	// Leased as it is written and sent by this worker after commit: one transaction and one
	// task fewer per message than a timer due now that a second task claims. Its timer is the
	// lease's watchdog, as after a claim, so a worker that dies before sending loses nothing.
	// Customer messages still take the claim, where the daily caps count them; webhooks too.
	leased := t.sendAfterCommit && !params.Customer && params.Channel != channelWebhook
	params.State, params.Attempts, params.LeaseUntil = relance.DeliveryPending, 0, nil
	due := t.now
	if leased {
		due = t.now.Add(t.lease)
		params.State, params.Attempts, params.LeaseUntil = relance.DeliverySending, 1, &due
	}
	row, err := t.q.DeliveryCreate(ctx, params)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if !leased {
		return t.schedule(ctx, relance.TimerDelivery, row.ID, "", due)
	}
	// The watchdogs are written together before commit (writeDeferred).
	ref := relance.TimerRef{ID: uuid.Must(uuid.NewV7()), OrgID: t.org, Version: 1, DueAt: due}
	t.timers = append(t.timers, ref)
	t.toSend = append(t.toSend, leasedDelivery{timer: ref, delivery: &row})
	return nil
}

// writeDeferred writes what fired timers left for the end of the transaction, one statement for
// each kind: the leads their reminders made late, their alerts, and the timers left to write
// (scheduleLater) with the watchdogs of the deliveries leased in t (toSend).
func (t *tx) writeDeferred(ctx context.Context) error {
	if len(t.late) > 0 {
		if err := t.q.LeadSetLateMany(ctx, db.LeadSetLateManyParams{Ids: t.late, LateAt: &t.now}); err != nil {
			return fmt.Errorf("late leads: %w", err)
		}
	}
	if err := t.writeAlerts(ctx); err != nil {
		return err
	}
	if len(t.toSend)+len(t.timersLater) == 0 {
		return nil
	}
	params := db.TimerCreateManyParams{OrgID: t.org, CreatedAt: t.now}
	add := func(id uuid.UUID, kind string, subject uuid.UUID, ref string, due time.Time) {
		params.Ids, params.Kinds, params.SubjectIds = append(params.Ids, id), append(params.Kinds, kind), append(params.SubjectIds, subject)
		params.Refs, params.DueAts = append(params.Refs, ref), append(params.DueAts, due)
	}
	for _, l := range t.toSend {
		add(l.timer.ID, string(relance.TimerDelivery), l.delivery.ID, "", l.timer.DueAt)
	}
	for _, r := range t.timersLater {
		add(r.ID, r.Kind, r.SubjectID, r.Ref, r.DueAt)
	}
	if err := t.q.TimerCreateMany(ctx, params); err != nil {
		return fmt.Errorf("timers: %w", err)
	}
	return nil
}

// writeAlerts writes the alerts left in alertsLater, each once, and keeps those written to
// announce after commit.
func (t *tx) writeAlerts(ctx context.Context) error {
	if len(t.alertsLater) == 0 {
		return nil
	}
	params := db.AlertCreateManyParams{OrgID: t.org, CreatedAt: t.now}
	for _, a := range t.alertsLater {
		params.Ids, params.UserIds, params.Kinds = append(params.Ids, a.ID), append(params.UserIds, a.UserID), append(params.Kinds, a.Kind)
		params.LeadIds, params.Titles = append(params.LeadIds, deref(a.LeadID)), append(params.Titles, a.Title)
		params.Bodies, params.Keys = append(params.Bodies, a.Body), append(params.Keys, a.Key)
	}
	written, err := t.q.AlertCreateMany(ctx, params)
	if err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	for _, a := range written {
		t.alerts = append(t.alerts, relance.AlertRef{ID: a.ID, OrgID: t.org, UserID: a.UserID})
	}
	return nil
}

// claimDelivery takes a delivery for sending: it marks it "sending" under a lease and moves its
// timer to the lease's end, so that if this worker dies mid-send the timer fires again and the
// message is sent again under the same identity. Once the attempts are spent, a lease that ran
// out is recorded as unknown. A customer message is counted against the daily caps at its first
// claim, in this transaction; one over a cap fails for good, unsent. It returns nil when there is
// nothing to send.
func (t *tx) claimDelivery(ctx context.Context, timer db.Timer) (*db.Delivery, error) {
	del, err := t.q.DeliveryGetForUpdate(ctx, timer.SubjectID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "cancelled", FiredAt: &t.now})
	}
	if err != nil {
		return nil, err
	}
	if del.State == relance.DeliverySending && del.LeaseUntil != nil && del.LeaseUntil.After(t.now) {
		// Another worker holds it, and this is not its watchdog (which is due when the lease
		// ends): a stray timer of the same delivery. Taking it over now would send it twice.
		return nil, t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "done", FiredAt: &t.now})
	}
	if del.Channel == channelWebhook {
		return t.claimWebhook(ctx, timer, del)
	}
	switch {
	case del.State == relance.DeliverySending && int(del.Attempts) >= relance.MaxDeliveryAttempts:
		if err := t.q.DeliveryFinish(ctx, db.DeliveryFinishParams{
			ID: del.ID, State: relance.DeliveryUnknown, LastError: "worker stopped while sending, attempts spent",
		}); err != nil {
			return nil, err
		}
	case del.State == relance.DeliveryPending && del.Customer && del.Attempts == 0:
		reached, err := t.admitCustomerMessage(ctx, &del)
		if err != nil {
			return nil, err
		}
		if reached != nil {
			return nil, t.refuseDelivery(ctx, timer, &del, reached)
		}
		return t.leaseDelivery(ctx, timer, del)
	case del.State == relance.DeliveryPending, del.State == relance.DeliverySending:
		return t.leaseDelivery(ctx, timer, del)
	}
	return nil, t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "done", FiredAt: &t.now})
}

// leaseDelivery marks a delivery "sending" until the lease's end and moves its timer there.
func (t *tx) leaseDelivery(ctx context.Context, timer db.Timer, del db.Delivery) (*db.Delivery, error) {
	// Sending: only the watchdog fires while a delivery is sending, after the lease.
	lease := t.now.Add(t.lease)
	if err := t.q.DeliveryClaim(ctx, db.DeliveryClaimParams{ID: del.ID, LeaseUntil: &lease}); err != nil {
		return nil, err
	}
	if _, err := t.reschedule(ctx, timer.ID, lease); err != nil {
		return nil, err
	}
	del.State, del.Attempts, del.LeaseUntil = relance.DeliverySending, del.Attempts+1, &lease
	return &del, nil
}

// reschedule moves a pending timer to a new instant under a new version (a new task id).
func (t *tx) reschedule(ctx context.Context, id uuid.UUID, due time.Time) (relance.TimerRef, error) {
	row, err := t.q.TimerReschedule(ctx, db.TimerRescheduleParams{ID: id, DueAt: due, UpdatedAt: t.now})
	if err != nil {
		return relance.TimerRef{}, err
	}
	ref := toTimerRef(row)
	t.timers = append(t.timers, ref)
	return ref, nil
}

// toTimerRef is what the task queue needs of a timer's row.
func toTimerRef(row db.Timer) relance.TimerRef {
	return relance.TimerRef{ID: row.ID, OrgID: row.OrgID, Version: int(row.Version), DueAt: row.DueAt}
}

// sendLeased sends the messages fired timers of org wrote and leased, one after another, then
// records the outcomes: every one sent, in one transaction; any other one by one (record). The
// timers are done whatever happens to their messages: a failure to record an outcome leaves the
// message to its watchdog. So does a message whose lease is half spent, or whose task was given
// up (shutdown): sent now, it could outlast the lease while the watchdog sends it again.
func (d *DB) sendLeased(ctx context.Context, org uuid.UUID, leased []leasedDelivery) {
	var sent []leasedDelivery
	var providerIDs []string
	for _, l := range leased {
		if ctx.Err() != nil || d.now().Add(d.lease/2).After(*l.delivery.LeaseUntil) {
			d.log.Warn("a message is left to its watchdog: too little of its lease is left to send it", "delivery", l.delivery.ID)
			continue
		}
		msg, providerID, sendErr := d.transmit(ctx, org, l.delivery)
		if sendErr == nil && msg.Channel != relance.ChannelPush { // a push's outcome also concerns its device
			sent, providerIDs = append(sent, l), append(providerIDs, providerID)
			continue
		}
		if err := d.record(ctx, l.timer, l.delivery, msg.Device, providerID, sendErr); err != nil {
			d.log.Warn("recording a delivery's outcome failed; its watchdog takes it over", "delivery", l.delivery.ID, "err", err)
		}
	}
	if err := d.recordSent(ctx, org, sent, providerIDs); err != nil {
		d.log.Warn("recording deliveries as sent failed; their watchdogs take them over", "deliveries", len(sent), "err", err)
	}
}

// recordSent records deliveries of org as sent (each with its provider's id) and their timers as
// done, in one transaction; a delivery whose lease ran out meanwhile was taken over by its
// watchdog and is left alone, as record does.
func (d *DB) recordSent(ctx context.Context, org uuid.UUID, sent []leasedDelivery, providerIDs []string) error {
	if len(sent) == 0 {
		return nil
	}
	timerOf := make(map[uuid.UUID]uuid.UUID, len(sent))
	params := db.DeliveryFinishSentManyParams{ProviderIds: providerIDs}
	timers := make([]uuid.UUID, len(sent))
	for i, l := range sent {
		timerOf[l.delivery.ID], timers[i] = l.timer.ID, l.timer.ID
		params.Ids, params.Attempts = append(params.Ids, l.delivery.ID), append(params.Attempts, l.delivery.Attempts)
	}
	return d.inOrg(ctx, org, func(t *tx) error {
		// Timers first, as a watchdog locks them (then their delivery).
		if err := t.q.TimerLockMany(ctx, timers); err != nil {
			return err
		}
		params.SentAt = &t.now
		held, err := t.q.DeliveryFinishSentMany(ctx, params)
		if err != nil {
			return err
		}
		finished := make([]uuid.UUID, len(held))
		for i, id := range held {
			finished[i] = timerOf[id]
		}
		return t.q.TimerFinishMany(ctx, db.TimerFinishManyParams{Ids: finished, FiredAt: &t.now})
	})
}

// send sends a claimed delivery outside any transaction, then records the outcome (record).
func (d *DB) send(ctx context.Context, ref relance.TimerRef, del *db.Delivery) error {
	if del.Channel == channelWebhook {
		return d.sendWebhook(ctx, ref, del)
	}
	if d.sender == nil {
		return errors.New("no sender configured")
	}
	msg, providerID, sendErr := d.transmit(ctx, ref.OrgID, del)
	return d.record(ctx, ref, del, msg.Device, providerID, sendErr)
}

// transmit hands a delivery of org to its provider (with its device or its files when it has
// them) and returns the message and the provider's id for it, or why it did not leave.
func (d *DB) transmit(ctx context.Context, org uuid.UUID, del *db.Delivery) (relance.Message, string, error) {
	msg := relance.Message{
		ID: del.ID.String(), Channel: relance.Channel(del.Channel), To: del.Recipient, Subject: del.Subject,
		Text: del.BodyText, HTML: del.BodyHtml, LeadID: deref(del.LeadID),
		FromName: del.FromName, From: del.FromAddress, ReplyTo: del.ReplyTo,
	}
	var providerID string
	var sendErr error
	if msg.Channel == relance.ChannelPush {
		msg.Device, sendErr = d.pushTarget(ctx, org, del.Recipient)
	}
	if len(del.AttachmentIds) > 0 {
		msg.Files, sendErr = d.mailFiles(ctx, org, del.AttachmentIds)
	}
	if sendErr == nil {
		sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
		providerID, sendErr = d.sender.Send(sendCtx, msg)
		cancel()
	}
	return msg, providerID, sendErr
}

// record records the outcome of sending a claimed delivery: sent; pending again with its timer
// moved to the next try after a transient failure; pending again soon, its attempt taken back,
// when the send never reached its provider; failed for good after a permanent failure or the
// last try. device is the push target, if any.
func (d *DB) record(ctx context.Context, ref relance.TimerRef, del *db.Delivery, device *relance.Device, providerID string, sendErr error) error {
	return d.inOrg(ctx, ref.OrgID, func(t *tx) error {
		timer, _, held, err := t.leased(ctx, ref, del)
		if err != nil || !held {
			return err // not held: the lease ran out and a watchdog took the delivery over
		}
		finish := db.DeliveryFinishParams{ID: del.ID, State: relance.DeliverySent, ProviderID: providerID}
		if err := t.pushOutcome(ctx, device, sendErr); err != nil {
			return err
		}
		switch {
		case sendErr == nil:
			finish.SentAt = &t.now
		case relance.IsNotTried(sendErr):
			if err := t.q.DeliveryUntried(ctx, db.DeliveryUntriedParams{ID: del.ID, LastError: sendErr.Error()}); err != nil {
				return err
			}
			_, err := t.reschedule(ctx, timer.ID, t.now.Add(relance.NotTriedDelay))
			return err
		case relance.IsPermanent(sendErr) || int(del.Attempts) >= relance.MaxDeliveryAttempts:
			finish.State, finish.LastError = relance.DeliveryFailed, sendErr.Error()
			d.log.Warn("delivery failed for good", "delivery", del.ID, "attempts", del.Attempts, "err", sendErr)
			if err := t.stepUndelivered(ctx, del.Key, sendErr); err != nil {
				return err
			}
		default:
			finish.State, finish.LastError = relance.DeliveryPending, sendErr.Error()
			if err := t.q.DeliveryFinish(ctx, finish); err != nil {
				return err
			}
			_, err := t.reschedule(ctx, timer.ID, t.now.Add(relance.DeliveryRetryDelay(int(del.Attempts))))
			return err
		}
		if err := t.q.DeliveryFinish(ctx, finish); err != nil {
			return err
		}
		return t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "done", FiredAt: &t.now})
	})
}

// leased locks a delivery's timer and row (cur) after a send, and reports whether this worker
// still holds the delivery (held): when its lease ran out, a watchdog took it over and the
// outcome of this send is not to be recorded.
func (t *tx) leased(ctx context.Context, ref relance.TimerRef, del *db.Delivery) (timer db.Timer, cur db.Delivery, held bool, err error) {
	if timer, err = t.q.TimerGetForUpdate(ctx, ref.ID); err != nil {
		return db.Timer{}, db.Delivery{}, false, err
	}
	if cur, err = t.q.DeliveryGetForUpdate(ctx, del.ID); err != nil {
		return db.Timer{}, db.Delivery{}, false, err
	}
	return timer, cur, cur.State == relance.DeliverySending && cur.Attempts == del.Attempts, nil
}
