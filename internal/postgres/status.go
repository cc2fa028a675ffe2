package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
)

// CreateStatus adds an interaction status to the organisation's reference book.
func (d *DB) CreateStatus(ctx context.Context, p relance.Principal, s relance.Status) (relance.Status, error) {
	if err := p.CheckManageStatuses(); err != nil {
		return relance.Status{}, err
	}
	if err := s.Validate(); err != nil {
		return relance.Status{}, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.StatusCreate(ctx, db.StatusCreateParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, Name: s.Name, SortOrder: int32(s.SortOrder),
			AppliesTo: string(s.For), SchedulesCall: s.SchedulesCall, CallAfterDays: int16(s.CallAfterDays),
			Terminal: string(s.Terminal), CreatedAt: t.now,
		})
		if err != nil {
			return statusNameTaken(err)
		}
		s = toStatus(row)
		return t.audit(ctx, p, "status.create", "status", s.ID, map[string]any{"name": s.Name})
	})
	return s, err
}

// UpdateStatus changes a status. Calls already scheduled keep their date; the new delay applies
// the next time the status is set or one of its calls is done.
func (d *DB) UpdateStatus(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.StatusChange) (relance.Status, error) {
	if err := p.CheckManageStatuses(); err != nil {
		return relance.Status{}, err
	}
	var s relance.Status
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.StatusGetForUpdate(ctx, id)
		if err != nil {
			return found(err, "status")
		}
		s = toStatus(row)
		if s.ArchivedAt != nil {
			return relance.Errorf(relance.CodeFailedPrecondition, "the status is archived")
		}
		before := s
		ch.Apply(&s)
		if err := s.Validate(); err != nil {
			return err
		}
		row, err = t.q.StatusUpdate(ctx, db.StatusUpdateParams{
			ID: id, Name: s.Name, SortOrder: int32(s.SortOrder), AppliesTo: string(s.For),
			SchedulesCall: s.SchedulesCall, CallAfterDays: int16(s.CallAfterDays), Terminal: string(s.Terminal),
			UpdatedAt: t.now,
		})
		if err != nil {
			return statusNameTaken(err)
		}
		s = toStatus(row)
		return t.audit(ctx, p, "status.update", "status", id, relance.StatusChanges(&before, &s))
	})
	return s, err
}

// DeleteStatus deletes a status nothing refers to, or archives it when leads, counterparties or
// calls use it (archived = true): it then stays on what has it, but cannot be set any more and
// schedules no new call.
func (d *DB) DeleteStatus(ctx context.Context, p relance.Principal, id uuid.UUID) (archived bool, err error) {
	if err := p.CheckManageStatuses(); err != nil {
		return false, err
	}
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.StatusGetForUpdate(ctx, id); err != nil {
			return found(err, "status")
		}
		n, err := t.q.StatusDelete(ctx, id)
		if err != nil {
			return err
		}
		if archived = n == 0; archived {
			if _, err := t.q.StatusArchive(ctx, db.StatusArchiveParams{ID: id, ArchivedAt: &t.now}); err != nil {
				return err
			}
		}
		return t.audit(ctx, p, "status.delete", "status", id, map[string]any{"archived": archived})
	})
	return archived, err
}

// ListStatuses lists the reference book in its sort order; every member of the organisation
// may read it.
func (d *DB) ListStatuses(ctx context.Context, p relance.Principal, includeArchived bool) ([]relance.Status, error) {
	var out []relance.Status
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.StatusList(ctx, includeArchived)
		out = make([]relance.Status, len(rows))
		for i, r := range rows {
			out[i] = toStatus(r)
		}
		return err
	})
	return out, err
}

func statusNameTaken(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "interaction_statuses_name_key" {
		return relance.Errorf(relance.CodeConflict, "a status with this name exists")
	}
	return err
}

func toStatus(s db.InteractionStatus) relance.Status {
	return relance.Status{
		ID: s.ID, Name: s.Name, SortOrder: int(s.SortOrder), For: relance.StatusFor(s.AppliesTo),
		SchedulesCall: s.SchedulesCall, CallAfterDays: int(s.CallAfterDays), Terminal: relance.Stage(s.Terminal),
		ArchivedAt: s.ArchivedAt, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

// settableStatus loads status id for setting on a lead (leads = true) or a counterparty, or
// answers invalid-argument on field.
func (t *tx) settableStatus(ctx context.Context, id uuid.UUID, leads bool, field string) (relance.Status, error) {
	row, err := t.q.StatusGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.Status{}, relance.Invalid(field, "no such status")
	}
	if err != nil {
		return relance.Status{}, err
	}
	s := toStatus(row)
	switch {
	case s.ArchivedAt != nil:
		return s, relance.Invalid(field, "the status is archived")
	case !s.AppliesTo(leads):
		return s, relance.Invalid(field, "the status applies to "+string(s.For)+" only")
	}
	return s, nil
}

// callSubject is what a status call is about: a lead or a counterparty, where, and who calls.
type callSubject struct {
	leadID, counterpartyID uuid.UUID
	siteID, assigneeID     uuid.UUID
	open                   bool // a closed lead gets no call
}

func leadCallSubject(l *relance.Lead) callSubject {
	return callSubject{leadID: l.ID, siteID: l.SiteID, assigneeID: l.AssigneeID, open: l.Stage == relance.StageOpen}
}

func counterpartyCallSubject(c *relance.Counterparty) callSubject {
	return callSubject{counterpartyID: c.ID, siteID: c.SiteID, assigneeID: c.ResponsibleID, open: true}
}

// replanStatusCall cancels the pending status call of s, if any, and schedules the one status
// st asks for (st nil: none), counted from now: so a status changed twice leaves one call.
func (t *tx) replanStatusCall(ctx context.Context, s callSubject, st *relance.Status) error {
	ids, err := t.q.ActionCancelStatusCall(ctx, db.ActionCancelStatusCallParams{
		LeadID: optUUID(s.leadID), CounterpartyID: optUUID(s.counterpartyID), UpdatedAt: t.now,
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.q.TimerCancelAllBySubject(ctx, db.TimerCancelAllBySubjectParams{SubjectID: id, UpdatedAt: t.now}); err != nil {
			return err
		}
	}
	if st == nil {
		return nil
	}
	return t.scheduleStatusCall(ctx, s, st, t.now)
}

// scheduleStatusCall schedules the call status st asks for on s: st.CallAfterDays working days
// of the assignee's calendar after from, at the organisation's send hour. Nothing is scheduled
// when the status asks for no call, when nobody is responsible, for a closed lead, or for a site
// that never opens.
func (t *tx) scheduleStatusCall(ctx context.Context, s callSubject, st *relance.Status, from time.Time) error {
	if !st.SchedulesCall || st.ArchivedAt != nil || s.assigneeID == uuid.Nil || !s.open {
		return nil
	}
	cal, err := t.calendar(ctx, s.siteID, s.assigneeID)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return nil
	}
	if err != nil {
		return err
	}
	org, err := t.q.OrganizationGet(ctx, t.org)
	if err != nil {
		return err
	}
	due, err := cal.WorkingDayAt(from, st.CallAfterDays, int(org.SendMinute), cal.OpenWeekdays())
	if errors.Is(err, calendar.ErrNoOpenTime) {
		return nil
	}
	if err != nil {
		return err
	}
	row, err := t.q.ActionCreate(ctx, db.ActionCreateParams{
		ID: uuid.Must(uuid.NewV7()), OrgID: t.org, LeadID: optUUID(s.leadID), CounterpartyID: optUUID(s.counterpartyID),
		Origin: string(relance.ActionFromStatus), StatusID: &st.ID, Kind: string(relance.KindCall),
		AssigneeID: &s.assigneeID, DueAt: due, Subject: st.Name, Recipients: []string{}, CreatedAt: t.now,
	})
	if err != nil {
		return err
	}
	return t.schedule(ctx, relance.TimerActionDue, row.ID, "", due)
}

// ListScheduledCalls lists the calls statuses scheduled that p may see and that match f, soonest
// first, with the cursor of the next page (nil on the last) and the pending calls per status.
// Advisors see their own calls; managers those on their sites; admins all.
func (d *DB) ListScheduledCalls(ctx context.Context, p relance.Principal, f relance.ScheduledCallFilter) ([]relance.ScheduledCall, *relance.ActionCursor, []relance.StatusCount, error) {
	sites, assignee, ok := p.LeadVisibility()
	if !ok || p.Role == relance.RolePartner {
		return nil, nil, nil, relance.Errorf(relance.CodePermissionDenied, "partner keys do not list scheduled calls")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []relance.ScheduledCall
	var next *relance.ActionCursor
	var counts []relance.StatusCount
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		params := db.ScheduledCallListParams{
			VisibleSiteIds: sites, VisibleAssigneeID: optUUID(assignee), ManagerID: optUUID(f.ManagerID),
			AssigneeID: optUUID(f.AdvisorID), StatusID: optUUID(f.StatusID), Category: optString(f.Category),
			Subject: optString(f.Subject), DueFrom: optTime(f.From), DueTo: optTime(f.To),
			State: optString(string(f.State)), Now: t.now, RowLimit: int32(limit + 1),
			LeadID: optUUID(f.LeadID), CounterpartyID: optUUID(f.CounterpartyID),
		}
		if f.After != nil {
			params.AfterDue, params.AfterID = &f.After.DueAt, &f.After.ID
		}
		rows, err := t.q.ScheduledCallList(ctx, params)
		if err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			last := rows[limit-1].Action
			next = &relance.ActionCursor{DueAt: last.DueAt, ID: last.ID}
		}
		out = make([]relance.ScheduledCall, len(rows))
		for i, r := range rows {
			out[i] = relance.ScheduledCall{Action: toAction(r.Action), SubjectName: r.SubjectName, Category: r.Category, SiteID: r.SiteID}
		}
		crows, err := t.q.ScheduledCallCounts(ctx, db.ScheduledCallCountsParams{
			Now: t.now, VisibleSiteIds: sites, VisibleAssigneeID: optUUID(assignee), ManagerID: optUUID(f.ManagerID),
			AssigneeID: optUUID(f.AdvisorID),
		})
		for _, c := range crows {
			counts = append(counts, relance.StatusCount{StatusID: c.StatusID, Pending: int(c.Calls), Overdue: int(c.Overdue)})
		}
		return err
	})
	return out, next, counts, err
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
