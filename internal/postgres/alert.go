package postgres

import (
	"context"

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

// AlertsAfter lists p's own alerts raised after alert after (all when uuid.Nil), oldest first,
// at most limit.
func (d *DB) AlertsAfter(ctx context.Context, p relance.Principal, after uuid.UUID, limit int) ([]relance.Alert, error) {
	if err := p.CheckOwnAlerts(); err != nil {
		return nil, err
	}
	var out []relance.Alert
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.AlertListAfter(ctx, db.AlertListAfterParams{UserID: p.UserID, AfterID: after, RowLimit: int32(limit)})
		out = toAlerts(rows)
		return err
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
		out[i] = relance.Alert{ID: a.ID, UserID: a.UserID, Kind: a.Kind, LeadID: deref(a.LeadID), Title: a.Title,
			Body: a.Body, CreatedAt: a.CreatedAt, AckedAt: a.AckedAt}
	}
	return out
}
