package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// CreateCounterparty adds an existing customer, with its status (uuid.Nil for none): a status
// that schedules calls plans the first one for the responsible person.
func (d *DB) CreateCounterparty(ctx context.Context, p relance.Principal, c relance.Counterparty) (relance.Counterparty, error) {
	if err := p.CheckCreateCounterparty(c.SiteID, c.ResponsibleID); err != nil {
		return relance.Counterparty{}, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := t.checkResponsible(ctx, c.ResponsibleID, c.SiteID); err != nil {
			return err
		}
		c.ID, c.CreatedAt, c.UpdatedAt = uuid.Must(uuid.NewV7()), t.now, t.now
		err := t.q.CounterpartyCreate(ctx, db.CounterpartyCreateParams{
			ID: c.ID, OrgID: t.org, SiteID: c.SiteID, Kind: c.Kind, Name: c.Name, Category: c.Category,
			Phone: c.Phone, Email: c.Email, ResponsibleID: optUUID(c.ResponsibleID), Notes: c.Notes, CreatedAt: t.now,
		})
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.ConstraintName == "counterparties_org_id_site_id_fkey" {
			return relance.NotFound("site")
		}
		if err != nil {
			return err
		}
		statusID := c.StatusID
		c.StatusID = uuid.Nil
		if statusID != uuid.Nil {
			if err := t.setCounterpartyStatus(ctx, &c, statusID); err != nil {
				return err
			}
			if err := t.writeCounterparty(ctx, &c); err != nil {
				return err
			}
		}
		return t.audit(ctx, p, "counterparty.create", "counterparty", c.ID, map[string]any{"name": c.Name})
	})
	return c, err
}

// UpdateCounterparty changes a counterparty p may see. A new responsible person takes over its
// pending actions; a new status replans its status call (statusID nil: unchanged).
func (d *DB) UpdateCounterparty(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.CounterpartyChange, statusID *uuid.UUID) (relance.Counterparty, error) {
	var c relance.Counterparty
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if c, err = t.lockCounterparty(ctx, id); err != nil {
			return err
		}
		if !p.CanSeeCounterparty(&c) {
			return relance.NotFound("counterparty")
		}
		before := c
		previous := c.ResponsibleID
		ch.Apply(&c)
		if c.ResponsibleID != previous {
			if p.Role == relance.RoleAdvisor {
				return relance.Errorf(relance.CodePermissionDenied, "managers hand customers over")
			}
			if err := t.checkResponsible(ctx, c.ResponsibleID, c.SiteID); err != nil {
				return err
			}
			if err := t.handOver(ctx, callSubject{counterpartyID: id}, previous, c.ResponsibleID); err != nil {
				return err
			}
		}
		if statusID != nil {
			if err := t.setCounterpartyStatus(ctx, &c, *statusID); err != nil {
				return err
			}
		}
		if err := t.writeCounterparty(ctx, &c); err != nil {
			return err
		}
		return t.audit(ctx, p, "counterparty.update", "counterparty", c.ID, relance.CounterpartyChanges(&before, &c))
	})
	return c, err
}

func (t *tx) writeCounterparty(ctx context.Context, c *relance.Counterparty) error {
	c.UpdatedAt = t.now
	return t.q.CounterpartyUpdate(ctx, db.CounterpartyUpdateParams{
		ID: c.ID, Name: c.Name, Category: c.Category, Phone: c.Phone, Email: c.Email,
		ResponsibleID: optUUID(c.ResponsibleID), StatusID: optUUID(c.StatusID), Notes: c.Notes, UpdatedAt: t.now,
	})
}

// setCounterpartyStatus gives c status id (uuid.Nil clears it) and replans its status call;
// setting the status it already has changes nothing. The caller writes c.
func (t *tx) setCounterpartyStatus(ctx context.Context, c *relance.Counterparty, id uuid.UUID) error {
	if id == c.StatusID {
		return nil
	}
	var st *relance.Status
	if id != uuid.Nil {
		s, err := t.settableStatus(ctx, id, false, "status_id")
		if err != nil {
			return err
		}
		st = &s
	}
	c.StatusID = id
	return t.replanStatusCall(ctx, counterpartyCallSubject(c), st)
}

// GetCounterparty returns counterparty id, or not-found when p may not see it.
func (d *DB) GetCounterparty(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Counterparty, error) {
	var c relance.Counterparty
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.CounterpartyGet(ctx, id)
		if err != nil {
			return found(err, "counterparty")
		}
		if c = toCounterparty(row); !p.CanSeeCounterparty(&c) {
			return relance.NotFound("counterparty")
		}
		return nil
	})
	return c, err
}

// ListCounterparties lists the counterparties p may see that match f, by name, and the cursor
// of the next page (nil on the last).
func (d *DB) ListCounterparties(ctx context.Context, p relance.Principal, f relance.CounterpartyFilter) ([]relance.Counterparty, *relance.CounterpartyCursor, error) {
	sites, responsible, ok := p.LeadVisibility()
	if !ok || p.Role == relance.RolePartner {
		return nil, nil, relance.Errorf(relance.CodePermissionDenied, "partner keys do not read counterparties")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	params := db.CounterpartyListParams{
		VisibleSiteIds: sites, VisibleResponsibleID: optUUID(responsible), SiteID: optUUID(f.SiteID),
		ResponsibleID: optUUID(f.ResponsibleID), StatusID: optUUID(f.StatusID), Category: optString(f.Category),
		RowLimit: int32(limit + 1),
	}
	if f.After != nil {
		params.AfterName, params.AfterID = &f.After.Name, &f.After.ID
	}
	var out []relance.Counterparty
	var next *relance.CounterpartyCursor
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.CounterpartyList(ctx, params)
		if len(rows) > limit {
			rows = rows[:limit]
			next = &relance.CounterpartyCursor{Name: rows[limit-1].Name, ID: rows[limit-1].ID}
		}
		out = make([]relance.Counterparty, len(rows))
		for i, r := range rows {
			out[i] = toCounterparty(r)
		}
		return err
	})
	return out, next, err
}

// checkResponsible checks that userID (when set) may follow customers of siteID.
func (t *tx) checkResponsible(ctx context.Context, userID, siteID uuid.UUID) error {
	if userID == uuid.Nil {
		return nil
	}
	u, err := t.refUser(ctx, userID, "responsible_id")
	if err != nil {
		return err
	}
	return relance.CheckFollower(&u, siteID, "responsible_id")
}

// handOver gives the pending manual actions of a lead or counterparty held by from (uuid.Nil:
// those waiting for someone) to to. An action already due starts over for its new assignee: an
// alert now, and a fresh reminder ladder.
func (t *tx) handOver(ctx context.Context, s callSubject, from, to uuid.UUID) error {
	if to == uuid.Nil {
		return nil
	}
	rows, err := t.q.ActionReassign(ctx, db.ActionReassignParams{
		ToID: &to, FromID: optUUID(from), LeadID: optUUID(s.leadID), CounterpartyID: optUUID(s.counterpartyID), UpdatedAt: t.now,
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.DueAt.After(t.now) {
			continue // its pending due timer reaches whoever holds it then
		}
		if err := t.q.TimerCancelAllBySubject(ctx, db.TimerCancelAllBySubjectParams{SubjectID: r.ID, UpdatedAt: t.now}); err != nil {
			return err
		}
		if err := t.schedule(ctx, relance.TimerActionDue, r.ID, "", t.now); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) lockCounterparty(ctx context.Context, id uuid.UUID) (relance.Counterparty, error) {
	row, err := t.q.CounterpartyGetForUpdate(ctx, id)
	if err != nil {
		return relance.Counterparty{}, found(err, "counterparty")
	}
	return toCounterparty(row), nil
}

func toCounterparty(c db.Counterparty) relance.Counterparty {
	return relance.Counterparty{
		ID: c.ID, SiteID: c.SiteID, Kind: c.Kind, Name: c.Name, Category: c.Category, Phone: c.Phone,
		Email: c.Email, ResponsibleID: deref(c.ResponsibleID), StatusID: deref(c.StatusID), Notes: c.Notes,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}
