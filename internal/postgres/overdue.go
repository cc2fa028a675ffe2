package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// scheduleOverdue writes rung index of the overdue ladder of a to-do about a lead (kind
// TimerActivityOverdue for a planned activity, TimerActionOverdue for a manual action): the
// site's reminder ladder, counted from the to-do's due time (first rung) or from the previous
// rung, in the lead's advisor's business time.
func (t *tx) scheduleOverdue(ctx context.Context, kind relance.TimerKind, lead *relance.Lead, subjectID uuid.UUID, index int, from time.Time) error {
	due, ok, err := t.rungDue(ctx, lead, index, from)
	if err != nil || !ok {
		return err
	}
	return t.schedule(ctx, kind, subjectID, strconv.Itoa(index), due)
}

// todo is what the overdue ladder needs of a planned activity or a manual action.
type todo struct {
	leadID   uuid.UUID
	assignee uuid.UUID // who must do it; uuid.Nil for the lead's advisor
	kind     relance.ActivityKind
	dueAt    time.Time
	pending  bool
}

// overdueTodo loads the to-do an overdue timer is about; ok is false when it is gone.
func (t *tx) overdueTodo(ctx context.Context, timer db.Timer) (w todo, ok bool, err error) {
	if relance.TimerKind(timer.Kind) == relance.TimerActionOverdue {
		a, err := t.q.ActionGet(ctx, timer.SubjectID)
		if err != nil {
			return w, false, ignoreNoRows(err)
		}
		return todo{deref(a.LeadID), deref(a.AssigneeID), relance.ActivityKind(a.Kind), a.DueAt, a.State == string(relance.ActionScheduled)}, true, nil
	}
	act, err := t.q.ActivityGet(ctx, timer.SubjectID)
	if err != nil || act.DueAt == nil {
		return w, false, ignoreNoRows(err)
	}
	return todo{act.LeadID, uuid.Nil, relance.ActivityKind(act.Kind), *act.DueAt, act.State == string(relance.ActivityPlanned)}, true, nil
}

func ignoreNoRows(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}

// fireOverdue reminds whoever must do it (the action's assignee, or the lead's advisor for a
// planned activity) and, up the ladder, their manager, of a planned activity or a manual action
// still undone, unless it was carried out or skipped, or the lead
// closed, since.
func (t *tx) fireOverdue(ctx context.Context, timer db.Timer) (done bool, err error) {
	index, err := strconv.Atoi(timer.Ref)
	if err != nil {
		return true, fmt.Errorf("overdue timer %s: bad ref %q", timer.ID, timer.Ref)
	}
	act, ok, err := t.overdueTodo(ctx, timer)
	if err != nil || !ok || !act.pending || act.leadID == uuid.Nil {
		return err == nil, err
	}
	row, err := t.q.LeadGet(ctx, act.leadID)
	if err != nil {
		return false, found(err, "lead")
	}
	lead := toLead(row)
	who := act.assignee
	if who == uuid.Nil {
		who = lead.AssigneeID
	}
	if lead.Stage != relance.StageOpen || who == uuid.Nil {
		return true, nil
	}
	cal, err := t.calendar(ctx, lead.SiteID, who)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if open, err := t.openNowOrLater(ctx, timer, cal); !open || err != nil {
		return false, err
	}
	rungs, err := t.ladder(ctx, lead.SiteID)
	if err != nil || index >= len(rungs) {
		return true, err
	}
	data := message.Overdue{Action: string(act.kind), ContactName: lead.Contact.Name, ContactPhone: lead.Contact.Phone, DueAt: act.dueAt.In(cal.Location())}
	err = t.tellRung(ctx, rungs[index], who, "overdue:"+timer.ID.String(), relance.AlertActionDue, lead.ID,
		func(recipient, advisor *relance.User, escalation bool) (message.Rendered, error) {
			data.RecipientName, data.AdvisorName, data.Escalation = recipient.DisplayName, advisor.DisplayName, escalation
			return message.Render("overdue", recipient.Locale, data)
		})
	if err != nil {
		return false, err
	}
	due, ok, err := rungAfter(rungs, cal, index+1, t.now)
	if err != nil || !ok {
		return true, err
	}
	return true, t.schedule(ctx, relance.TimerKind(timer.Kind), timer.SubjectID, strconv.Itoa(index+1), due)
}

// CompleteActivity marks a planned activity of a lead done (at doneAt, now when nil) by p; it is
// then a human activity and may be the lead's first response. SkipActivity marks it skipped.
// Both stop its overdue reminders, and answer failed-precondition for an activity not planned.
func (d *DB) CompleteActivity(ctx context.Context, p relance.Principal, id uuid.UUID, doneAt *time.Time, content string) (relance.Activity, relance.Lead, error) {
	return d.finishActivity(ctx, p, id, relance.ActivityDone, doneAt, content)
}

// SkipActivity marks a planned activity skipped, with the reason as its content.
func (d *DB) SkipActivity(ctx context.Context, p relance.Principal, id uuid.UUID, reason string) (relance.Activity, relance.Lead, error) {
	return d.finishActivity(ctx, p, id, relance.ActivitySkipped, nil, reason)
}

func (d *DB) finishActivity(ctx context.Context, p relance.Principal, id uuid.UUID, state relance.ActivityState, doneAt *time.Time, content string) (relance.Activity, relance.Lead, error) {
	var act relance.Activity
	var lead relance.Lead
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.ActivityGetForUpdate(ctx, id)
		if err != nil {
			return found(err, "activity")
		}
		act = toActivity(row)
		if lead, err = t.lockLead(ctx, act.LeadID); err != nil {
			return err
		}
		if err := p.CheckChangeLead(&lead, act.Kind); err != nil {
			if relance.ErrorCode(err) == relance.CodeNotFound {
				return relance.NotFound("activity")
			}
			return err
		}
		if act.State != relance.ActivityPlanned {
			return relance.Errorf(relance.CodeFailedPrecondition, "the activity is already %s", act.State)
		}
		act.State, act.ActorID = state, p.UserID
		if content != "" {
			act.Content = content
		}
		if state == relance.ActivityDone {
			when := t.now
			if doneAt != nil {
				when = doneAt.UTC()
			}
			if when.After(t.now.Add(clockSkew)) {
				return relance.Invalid("done_time", "must not be in the future")
			}
			act.DoneAt = &when
		}
		if err := t.q.ActivityFinish(ctx, db.ActivityFinishParams{
			ID: id, State: string(act.State), DoneAt: act.DoneAt, ActorID: optUUID(act.ActorID), Content: act.Content,
		}); err != nil {
			return err
		}
		if err := t.q.TimerCancelBySubject(ctx, db.TimerCancelBySubjectParams{
			SubjectID: id, Kind: string(relance.TimerActivityOverdue), UpdatedAt: t.now,
		}); err != nil {
			return err
		}
		if act.CountsAsResponse() {
			if err := t.answered(ctx, &lead, *act.DoneAt); err != nil {
				return err
			}
		}
		return t.audit(ctx, p, "activity."+string(state), "lead", lead.ID, map[string]any{"activity": id})
	})
	return act, lead, err
}
