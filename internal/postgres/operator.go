package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// The operator's use cases (relance timers, relance deliveries) read across tenants: they run on
// a store opened as the schema owner (MIGRATE_DATABASE_URL), which row-level security spares.
// As the application role they see nothing.

// ListTimers lists pending timers matching f, in (due, id) order.
func (d *DB) ListTimers(ctx context.Context, f relance.TimerFilter) ([]relance.TimerRow, error) {
	rows, err := db.New(d.pool).TimerListForOperator(ctx, db.TimerListForOperatorParams{
		LateOnly: f.Late, DueBefore: f.LateBefore, OrgID: optUUID(f.OrgID), Kind: string(f.Kind), RowLimit: int32(f.Limit),
	})
	if err != nil {
		return nil, err
	}
	out := make([]relance.TimerRow, len(rows))
	for i, r := range rows {
		out[i] = toTimerRow(r.Timer, r.OrgName)
	}
	return out, nil
}

// Timer returns one timer and the lead it is about (nil when it is about no lead). It returns a
// not-found error when there is no such timer.
func (d *DB) Timer(ctx context.Context, id uuid.UUID) (relance.TimerRow, *relance.TimerLead, error) {
	q := db.New(d.pool)
	r, err := q.TimerGetForOperator(ctx, id)
	if err != nil {
		return relance.TimerRow{}, nil, found(err, "timer")
	}
	row := toTimerRow(r.Timer, r.OrgName)
	l, err := q.TimerLeadOf(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return row, nil, nil
	}
	if err != nil {
		return row, nil, err
	}
	return row, &relance.TimerLead{
		ID: l.ID, SiteID: l.SiteID, ContactName: l.ContactName, Stage: relance.Stage(l.Stage),
		AssigneeID: deref(l.AssigneeID), ReceivedAt: l.ReceivedAt,
	}, nil
}

// toTimerRow is a timer as an operator sees it, with its organisation's name.
func toTimerRow(t db.Timer, orgName string) relance.TimerRow {
	return relance.TimerRow{
		TimerRef: toTimerRef(t),
		OrgName:  orgName, Kind: relance.TimerKind(t.Kind), SubjectID: t.SubjectID, Ref: t.Ref,
		State: t.State, FiredAt: t.FiredAt, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// RearmTimer makes a done timer pending again, due now, under a new version, and enqueues it
// after commit. Firing it again is harmless: what a timer writes (alerts, deliveries) is keyed
// by the timer, so nobody is told twice. It returns a failed-precondition error when the timer
// is not done or sends a delivery (RetryDelivery does that), and a not-found error when there is
// none.
func (d *DB) RearmTimer(ctx context.Context, id uuid.UUID) (relance.TimerRef, error) {
	cur, err := db.New(d.pool).TimerGetForOperator(ctx, id)
	if err != nil {
		return relance.TimerRef{}, found(err, "timer")
	}
	if relance.TimerKind(cur.Timer.Kind) == relance.TimerDelivery {
		// Its delivery may be held by another timer of its own (after a retry): two would send it.
		return relance.TimerRef{}, relance.Errorf(relance.CodeFailedPrecondition, "a delivery's timer is not replayed: retry the delivery (relance deliveries retry)")
	}
	var ref relance.TimerRef
	err = d.inOrg(ctx, cur.Timer.OrgID, func(t *tx) error {
		row, err := t.q.TimerRearm(ctx, db.TimerRearmParams{ID: id, DueAt: t.now})
		if errors.Is(err, pgx.ErrNoRows) {
			return relance.Errorf(relance.CodeFailedPrecondition, "the timer is not done")
		}
		if err != nil {
			return err
		}
		ref = toTimerRef(row)
		t.timers = append(t.timers, ref)
		return nil
	})
	return ref, err
}

// FailedDeliveries lists deliveries that failed for good matching f, newest first.
func (d *DB) FailedDeliveries(ctx context.Context, f relance.DeliveryFilter) ([]relance.FailedDelivery, error) {
	rows, err := db.New(d.pool).DeliveryListFailed(ctx, db.DeliveryListFailedParams{
		Since: f.Since, Channel: f.Channel, OrgID: optUUID(f.OrgID), RowLimit: int32(f.Limit),
	})
	if err != nil {
		return nil, err
	}
	out := make([]relance.FailedDelivery, len(rows))
	for i, r := range rows {
		out[i] = relance.FailedDelivery{
			ID: r.ID, OrgID: r.OrgID, OrgName: r.OrgName, Channel: r.Channel, Recipient: r.Recipient,
			LeadID: deref(r.LeadID), Attempts: int(r.Attempts), LastError: r.LastError, CreatedAt: r.CreatedAt,
		}
	}
	return out, nil
}

// RetryDelivery puts a failed delivery back to pending, from its first try, with a new timer
// that sends it now, enqueued after commit as the sweeper enqueues. The delivery keeps its
// identity (its key and id, the message's id at the provider), so a message is still sent at
// most once per identity; a customer message is counted against the daily caps again. It
// returns a failed-precondition error when the delivery is not failed (already retried, sent,
// still pending), and a not-found error when there is none.
func (d *DB) RetryDelivery(ctx context.Context, id uuid.UUID) error {
	cur, err := db.New(d.pool).DeliveryGetForOperator(ctx, id)
	if err != nil {
		return found(err, "delivery")
	}
	return d.inOrg(ctx, cur.OrgID, func(t *tx) error {
		if _, err := t.q.DeliveryRevive(ctx, id); errors.Is(err, pgx.ErrNoRows) {
			return relance.Errorf(relance.CodeFailedPrecondition, "the delivery is not failed")
		} else if err != nil {
			return err
		}
		return t.schedule(ctx, relance.TimerDelivery, id, "", t.now)
	})
}
