package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// maxInbox bounds one inbox listing.
const maxInbox = 500

// ListMyActions lists p's pending manual actions, soonest first, each placed in p's local day
// (overdue, today, upcoming); only those of timing when it is set. Nobody sees another
// person's inbox.
func (d *DB) ListMyActions(ctx context.Context, p relance.Principal, timing relance.Timing) ([]relance.InboxItem, error) {
	if p.UserID == uuid.Nil {
		return nil, relance.Errorf(relance.CodePermissionDenied, "partner keys have no action inbox")
	}
	var out []relance.InboxItem
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		dayEnd, err := t.dayEnd(ctx, p)
		if err != nil {
			return err
		}
		var after, before *time.Time
		switch timing {
		case relance.TimingOverdue:
			before = &t.now
		case relance.TimingToday:
			after, before = &t.now, &dayEnd
		case relance.TimingUpcoming:
			after = &dayEnd
		}
		rows, err := t.q.ActionListByAssignee(ctx, db.ActionListByAssigneeParams{
			AssigneeID: &p.UserID, After: after, Before: before, RowLimit: maxInbox,
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			a := toAction(r)
			out = append(out, relance.InboxItem{Action: a, Timing: relance.TimingOf(a.DueAt, t.now, dayEnd)})
		}
		actions := make([]*relance.Action, len(out))
		for i := range out {
			actions[i] = &out[i].Action
		}
		return t.withAttachments(ctx, actions...)
	})
	return out, err
}

// dayEnd is the end of p's local day, in the time zone of their first site (UTC without one).
func (t *tx) dayEnd(ctx context.Context, p relance.Principal) (time.Time, error) {
	loc := time.UTC
	if len(p.SiteIDs) > 0 {
		site, err := t.site(ctx, p.SiteIDs[0])
		if err != nil {
			return time.Time{}, err
		}
		loc = siteLocation(site)
	}
	return calendar.DayEndIn(loc, t.now), nil
}

// GetAction returns action id to its assignee; anyone else gets not-found.
func (d *DB) GetAction(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Action, error) {
	var a relance.Action
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.ActionGet(ctx, id)
		if err != nil {
			return found(err, "action")
		}
		a = toAction(row)
		if err := p.CheckOwnAction(&a); err != nil {
			return err
		}
		return t.withAttachments(ctx, &a)
	})
	return a, err
}

// UpdateAction lets the assignee of a pending manual action rework it before carrying it out:
// its kind, subject, content, recipients and notes.
func (d *DB) UpdateAction(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.ActionChange) (relance.Action, error) {
	if ch.Kind != nil && !slices.Contains(relance.ActionKinds, *ch.Kind) {
		return relance.Action{}, relance.Invalid("kind", "must be call, email, sms, letter or task")
	}
	var a relance.Action
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if a, err = t.ownPendingAction(ctx, p, id); err != nil {
			return err
		}
		before := a
		ch.Apply(&a)
		row, err := t.q.ActionUpdate(ctx, db.ActionUpdateParams{
			ID: id, Kind: string(a.Kind), Subject: a.Subject, Content: a.Content, Recipients: a.Recipients,
			Notes: a.Notes, UpdatedAt: t.now,
		})
		if err != nil {
			return err
		}
		a = toAction(row)
		if err := t.withAttachments(ctx, &a); err != nil {
			return err
		}
		return t.audit(ctx, p, "action.update", "action", id, relance.ActionChanges(&before, &a))
	})
	return a, err
}

// CompleteAction records a manual action as done by its assignee. On a lead it is a human
// activity of the action's kind (and may be the lead's first response); a status call whose
// status still asks for calls schedules the next one.
func (d *DB) CompleteAction(ctx context.Context, p relance.Principal, id uuid.UUID, out relance.ActionOutcome) (relance.Action, error) {
	return d.finishAction(ctx, p, id, relance.ActionDone, out)
}

// SkipAction records a manual action as skipped, with the reason as its outcome. A skipped status
// call still schedules the next one: the customer stays in rotation.
func (d *DB) SkipAction(ctx context.Context, p relance.Principal, id uuid.UUID, reason string) (relance.Action, error) {
	return d.finishAction(ctx, p, id, relance.ActionSkipped, relance.ActionOutcome{Outcome: reason})
}

func (d *DB) finishAction(ctx context.Context, p relance.Principal, id uuid.UUID, state relance.ActionState, out relance.ActionOutcome) (relance.Action, error) {
	var a relance.Action
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if a, err = t.ownPendingAction(ctx, p, id); err != nil {
			return err
		}
		when := t.now
		if out.DoneAt != nil {
			if when = out.DoneAt.UTC(); when.After(t.now.Add(clockSkew)) {
				return relance.Invalid("done_time", "must not be in the future")
			}
		}
		if out.Notes != "" {
			a.Notes = out.Notes
		}
		send, err := t.edited(ctx, p, &a, state, out)
		if err != nil {
			return err
		}
		a.State, a.Outcome, a.DoneAt, a.DoneBy = state, out.Outcome, &when, p.UserID
		if state == relance.ActionDone && a.LeadID != uuid.Nil {
			if a.ActivityID, err = t.actionActivity(ctx, &a); err != nil {
				return err
			}
		}
		if send != nil {
			send.ActionID = &a.ID
			if err := t.writeDelivery(ctx, *send); err != nil {
				return err
			}
		}
		row, err := t.q.ActionFinish(ctx, db.ActionFinishParams{
			ID: id, State: string(a.State), Outcome: a.Outcome, Notes: a.Notes, DoneAt: a.DoneAt,
			DoneBy: optUUID(a.DoneBy), ActivityID: optUUID(a.ActivityID), UpdatedAt: t.now,
		})
		if err != nil {
			return err
		}
		a = toAction(row)
		if err := t.q.TimerCancelAllBySubject(ctx, db.TimerCancelAllBySubjectParams{SubjectID: id, UpdatedAt: t.now}); err != nil {
			return err
		}
		switch a.Origin {
		case relance.ActionFromStatus:
			err = t.nextStatusCall(ctx, &a)
		case relance.ActionFromPlan:
			err = t.stepDone(ctx, &a)
		}
		if err != nil {
			return err
		}
		if err := t.withAttachments(ctx, &a); err != nil {
			return err
		}
		if state == relance.ActionDone {
			t.emit(ctx, webhook.ActionCompleted, a.LeadID, a)
		}
		return t.audit(ctx, p, "action."+string(state), "action", id, map[string]any{"outcome": a.Outcome})
	})
	return a, err
}

// edited applies the subject and body a member sends instead of the action's own, and returns
// the delivery that carrying out a manual email or SMS action about a lead sends (nil for
// anything else). A refused message leaves the action as it was.
func (t *tx) edited(ctx context.Context, p relance.Principal, a *relance.Action, state relance.ActionState, out relance.ActionOutcome) (*db.DeliveryCreateParams, error) {
	if state != relance.ActionDone {
		return nil, nil
	}
	subject, content := a.Subject, a.Content
	if out.Subject != nil {
		subject = *out.Subject
	}
	if out.Body != nil {
		content = *out.Body
	}
	if !relance.Sends(a.Kind) || a.Automatic || a.LeadID == uuid.Nil {
		if subject != a.Subject || content != a.Content {
			return nil, relance.Invalid("subject", "only an email or SMS about a lead is sent: edit the action instead")
		}
		return nil, nil
	}
	a.Subject, a.Content = subject, content
	if err := t.withAttachments(ctx, a); err != nil {
		return nil, err
	}
	send, err := t.manualMessage(ctx, p, a)
	if err != nil {
		return nil, err
	}
	if out.Subject != nil || out.Body != nil {
		if _, err := t.q.ActionUpdate(ctx, db.ActionUpdateParams{
			ID: a.ID, Kind: string(a.Kind), Subject: a.Subject, Content: a.Content, Recipients: nonNil(a.Recipients),
			Notes: a.Notes, UpdatedAt: t.now,
		}); err != nil {
			return nil, err
		}
	}
	return &send, nil
}

// ownPendingAction locks action id for its assignee p, and checks it is still to do.
func (t *tx) ownPendingAction(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Action, error) {
	row, err := t.q.ActionGetForUpdate(ctx, id)
	if err != nil {
		return relance.Action{}, found(err, "action")
	}
	a := toAction(row)
	if err := p.CheckOwnAction(&a); err != nil {
		return a, err
	}
	if a.State != relance.ActionScheduled {
		return a, relance.Errorf(relance.CodeFailedPrecondition, "the action is already %s", a.State)
	}
	return a, nil
}

// actionActivity records a done manual action about a lead on the lead's timeline, as a human
// activity that may answer the lead.
func (t *tx) actionActivity(ctx context.Context, a *relance.Action) (uuid.UUID, error) {
	lead, err := t.lockLead(ctx, a.LeadID)
	if err != nil {
		return uuid.Nil, err
	}
	act := relance.Activity{
		ID: uuid.Must(uuid.NewV7()), LeadID: a.LeadID, Kind: a.Kind, Origin: relance.OriginHuman,
		State: relance.ActivityDone, DoneAt: a.DoneAt, ActorID: a.DoneBy, Content: activityContent(a),
	}
	direction := ""
	if relance.Sends(a.Kind) && !a.Automatic {
		direction = "outbound" // the member sent it
	}
	if err := t.q.ActivityCreate(ctx, db.ActivityCreateParams{
		ID: act.ID, OrgID: t.org, LeadID: act.LeadID, Kind: string(act.Kind), Origin: string(act.Origin),
		State: string(act.State), DoneAt: act.DoneAt, ActorID: optUUID(act.ActorID), Content: act.Content,
		Direction: direction, CreatedAt: t.now,
	}); err != nil {
		return uuid.Nil, err
	}
	return act.ID, t.answered(ctx, &lead, *act.DoneAt)
}

// activityContent is what the timeline shows of a carried-out action: of a message the member
// sent, what it said.
func activityContent(a *relance.Action) string {
	parts := make([]string, 0, 4)
	texts := []string{a.Subject, a.Outcome, a.Notes}
	if relance.Sends(a.Kind) && !a.Automatic {
		texts = []string{a.Subject, a.Content, a.Outcome, a.Notes}
	}
	for _, s := range texts {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// nextStatusCall schedules the next call of a finished status call when its subject still has
// the status that scheduled it and that status still asks for calls.
func (t *tx) nextStatusCall(ctx context.Context, a *relance.Action) error {
	var s callSubject
	var statusID uuid.UUID
	if a.LeadID != uuid.Nil {
		lead, err := t.lockLead(ctx, a.LeadID)
		if err != nil {
			return err
		}
		s, statusID = leadCallSubject(&lead), lead.StatusID
	} else {
		c, err := t.lockCounterparty(ctx, a.CounterpartyID)
		if err != nil {
			return err
		}
		s, statusID = counterpartyCallSubject(&c), c.StatusID
	}
	if statusID != a.StatusID || statusID == uuid.Nil {
		return nil
	}
	row, err := t.q.StatusGet(ctx, statusID)
	if err != nil {
		return err
	}
	st := toStatus(row)
	return t.scheduleStatusCall(ctx, s, &st, t.now)
}

// fireActionDue sends an automatic plan step, or tells the assignee of a manual action that it
// is due (an in-app alert) and starts the reminder ladder of an action about a lead. A done, skipped or cancelled action is
// left alone; one handed over since alerts its new assignee.
func (t *tx) fireActionDue(ctx context.Context, timer db.Timer) error {
	row, err := t.q.ActionGet(ctx, timer.SubjectID)
	if err != nil {
		return ignoreNoRows(err)
	}
	a := toAction(row)
	switch {
	case a.State != relance.ActionScheduled:
		return nil
	case a.Automatic:
		return t.firePlanStep(ctx, timer, &a)
	case a.AssigneeID == uuid.Nil:
		return nil // waits for the lead to be assigned; its assignee finds it then
	}
	user, err := t.user(ctx, a.AssigneeID)
	if err != nil {
		return err
	}
	data := message.ActionDue{RecipientName: user.DisplayName, Action: string(a.Kind), Subject: a.Subject}
	var lead relance.Lead
	if a.LeadID != uuid.Nil {
		row, err := t.q.LeadGet(ctx, a.LeadID)
		if err != nil {
			return err
		}
		lead = toLead(row)
		data.ContactName, data.ContactPhone, data.LeadURL = lead.Contact.Name, lead.Contact.Phone, t.links.Lead(lead.ID)
	} else {
		c, err := t.q.CounterpartyGet(ctx, a.CounterpartyID)
		if err != nil {
			return err
		}
		data.ContactName, data.ContactPhone = c.Name, c.Phone
	}
	msg, err := message.Render("action_due", user.Locale, data)
	if err != nil {
		return err
	}
	if err := t.alertAndDeliver(ctx, "action.due:"+a.ID.String()+":"+user.ID.String(), relance.AlertActionDue, &user, a.LeadID, msg, nil); err != nil {
		return err
	}
	if a.LeadID == uuid.Nil || lead.Stage != relance.StageOpen {
		return nil
	}
	// The ladder counts from this alert: the due time, or a hand-over of an action already due.
	return t.scheduleOverdue(ctx, relance.TimerActionOverdue, &lead, a.ID, 0, t.now)
}

func toAction(a db.Action) relance.Action {
	return relance.Action{
		ID: a.ID, LeadID: deref(a.LeadID), CounterpartyID: deref(a.CounterpartyID),
		Origin: relance.ActionOrigin(a.Origin), StatusID: deref(a.StatusID), Kind: relance.ActivityKind(a.Kind),
		Automatic: a.Automatic, AssigneeID: deref(a.AssigneeID), State: relance.ActionState(a.State),
		DueAt: a.DueAt, Subject: a.Subject, Content: a.Content, Recipients: a.Recipients, Notes: a.Notes,
		Outcome: a.Outcome, DoneAt: a.DoneAt, DoneBy: deref(a.DoneBy), ActivityID: deref(a.ActivityID),
		EnrolmentID: deref(a.EnrolmentID), PlanID: deref(a.PlanID), Step: int(deref(a.Step)),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}
