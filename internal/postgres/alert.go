package postgres

import (
	"context"
	"math"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// AlertPublisher announces committed alerts to every process (the live stream).
type AlertPublisher interface {
	PublishAlerts(ctx context.Context, alerts []relance.AlertRef) error
}

// WithAlertPublisher sets where committed alerts are announced.
func WithAlertPublisher(p AlertPublisher) Option { return func(d *DB) { d.publisher = p } }

// ListAlerts lists p's own alerts, newest first, at most limit (50 when 0).
func (d *DB) ListAlerts(ctx context.Context, p relance.Principal, unackedOnly bool, limit int) ([]relance.Alert, error) {
	if err := p.CheckOwnAlerts(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	var out []relance.Alert
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.AlertList(ctx, db.AlertListParams{UserID: p.UserID, UnackedOnly: unackedOnly, RowLimit: int32(limit)})
		out = toAlerts(rows)
		return err
	})
	return out, err
}

// AlertsAfter lists p's own alerts after stream position after, in stream order, at most
// limit: only the final ones, those before which no alert can still appear. pending tells that
// more alerts lie after them, not final yet (their transactions have committed, or are still
// running, while an older transaction has not ended): read again shortly.
func (d *DB) AlertsAfter(ctx context.Context, p relance.Principal, after relance.AlertPosition, limit int) (alerts []relance.Alert, pending bool, err error) {
	if err := p.CheckOwnAlerts(); err != nil {
		return nil, false, err
	}
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.AlertListAfter(ctx, db.AlertListAfterParams{UserID: p.UserID, AfterTx: after.Tx, AfterPos: after.Seq, RowLimit: int32(limit)})
		for _, r := range rows {
			if !r.Final {
				pending = true
				break
			}
			alerts = append(alerts, toAlert(r.Alert))
		}
		return err
	})
	return alerts, pending, err
}

// AlertStreamStart returns where p's alert stream resumes: after alert after (when it is gone,
// after the newest of p's alerts raised before it), or after p's newest alert when after is
// uuid.Nil. The position is never past an alert that is not final yet, so such an alert is
// streamed rather than skipped.
func (d *DB) AlertStreamStart(ctx context.Context, p relance.Principal, after uuid.UUID) (relance.AlertPosition, error) {
	if err := p.CheckOwnAlerts(); err != nil {
		return relance.AlertPosition{}, err
	}
	var out relance.AlertPosition
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.AlertStreamMark(ctx, db.AlertStreamMarkParams{UserID: p.UserID, MarkID: optUUID(after)})
		if err != nil {
			return err
		}
		out = relance.AlertPosition{Tx: row.Tx, Seq: row.Pos}
		// Every alert of a transaction below the horizon is final; none at or above it is.
		if horizon := (relance.AlertPosition{Tx: row.Horizon}); !out.Before(horizon) {
			out = relance.AlertPosition{Tx: row.Horizon - 1, Seq: math.MaxInt64}
		}
		return nil
	})
	return out, err
}

// AckAlert marks one of p's alerts as seen; another person's alert is not found.
func (d *DB) AckAlert(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Alert, error) {
	if err := p.CheckOwnAlerts(); err != nil {
		return relance.Alert{}, err
	}
	var out relance.Alert
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.AlertAck(ctx, db.AlertAckParams{ID: id, UserID: p.UserID, Now: t.now})
		if err != nil {
			return found(err, "alert")
		}
		out = toAlerts([]db.Alert{row})[0]
		return nil
	})
	return out, err
}

func toAlerts(rows []db.Alert) []relance.Alert {
	out := make([]relance.Alert, len(rows))
	for i, a := range rows {
		out[i] = toAlert(a)
	}
	return out
}

func toAlert(a db.Alert) relance.Alert {
	return relance.Alert{ID: a.ID, UserID: a.UserID, Kind: relance.AlertKind(a.Kind), LeadID: deref(a.LeadID), Title: a.Title,
		Body: a.Body, CreatedAt: a.CreatedAt, AckedAt: a.AckedAt, Position: relance.AlertPosition{Tx: a.Tx, Seq: a.Pos}}
}
