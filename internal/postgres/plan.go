package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
)

// CreatePlan adds a follow-up plan (managers and admins).
func (d *DB) CreatePlan(ctx context.Context, p relance.Principal, plan relance.Plan) (relance.Plan, error) {
	if err := p.CheckManagePlans(); err != nil {
		return relance.Plan{}, err
	}
	if err := plan.Validate(); err != nil {
		return relance.Plan{}, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := t.checkEnrolStatus(ctx, plan.EnrolStatusID); err != nil {
			return err
		}
		plan.ID, plan.CreatedAt, plan.UpdatedAt = uuid.Must(uuid.NewV7()), t.now, t.now
		if err := t.q.PlanCreate(ctx, db.PlanCreateParams{
			ID: plan.ID, OrgID: t.org, Name: plan.Name, Paused: plan.Paused, EnrolSources: nonNil(plan.EnrolSources),
			EnrolStatusID: optUUID(plan.EnrolStatusID), CreatedAt: t.now, PartnerLeadsAllowed: plan.PartnerLeadsAllowed,
		}); err != nil {
			return err
		}
		if err := t.writeSteps(ctx, plan.ID, plan.Steps); err != nil {
			return err
		}
		return t.audit(ctx, p, "plan.create", "plan", plan.ID,
			map[string]any{"name": plan.Name, "steps": len(plan.Steps), "partner_leads_allowed": plan.PartnerLeadsAllowed})
	})
	return plan, err
}

// UpdatePlan replaces a plan's name, enrolment rules and steps. Leads running it go on from the
// step they are at, with the new steps; actions already planned keep their date.
func (d *DB) UpdatePlan(ctx context.Context, p relance.Principal, id uuid.UUID, plan relance.Plan) (relance.Plan, error) {
	if err := p.CheckManagePlans(); err != nil {
		return relance.Plan{}, err
	}
	if err := plan.Validate(); err != nil {
		return relance.Plan{}, err
	}
	var out relance.Plan
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		cur, err := t.plan(ctx, id, true)
		if err != nil {
			return err
		}
		if cur.ArchivedAt != nil {
			return relance.Errorf(relance.CodeFailedPrecondition, "the plan is archived")
		}
		if err := t.checkEnrolStatus(ctx, plan.EnrolStatusID); err != nil {
			return err
		}
		if err := t.q.PlanUpdate(ctx, db.PlanUpdateParams{
			ID: id, Name: plan.Name, EnrolSources: nonNil(plan.EnrolSources),
			EnrolStatusID: optUUID(plan.EnrolStatusID), UpdatedAt: t.now, PartnerLeadsAllowed: plan.PartnerLeadsAllowed,
		}); err != nil {
			return err
		}
		if err := t.q.PlanStepDeleteAll(ctx, id); err != nil {
			return err
		}
		if err := t.writeSteps(ctx, id, plan.Steps); err != nil {
			return err
		}
		if err := t.keepFiles(ctx, id, plan.Steps); err != nil {
			return err
		}
		if out, err = t.plan(ctx, id, false); err != nil {
			return err
		}
		return t.audit(ctx, p, "plan.update", "plan", id, relance.PlanChanges(&cur, &out))
	})
	return out, err
}

// SetPlanPaused pauses or resumes a plan and every lead running it. While paused nothing is
// sent and no new step is planned; manual actions already in inboxes stay there.
func (d *DB) SetPlanPaused(ctx context.Context, p relance.Principal, id uuid.UUID, paused bool) (relance.Plan, error) {
	if err := p.CheckManagePlans(); err != nil {
		return relance.Plan{}, err
	}
	var plan relance.Plan
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if plan, err = t.plan(ctx, id, true); err != nil {
			return err
		}
		if plan.ArchivedAt != nil {
			return relance.Errorf(relance.CodeFailedPrecondition, "the plan is archived")
		}
		plan.Paused, plan.UpdatedAt = paused, t.now
		if err := t.q.PlanSetPaused(ctx, db.PlanSetPausedParams{ID: id, Paused: paused, UpdatedAt: t.now}); err != nil {
			return err
		}
		running, err := t.q.EnrolmentListRunning(ctx, db.EnrolmentListRunningParams{PlanID: &id})
		if err != nil {
			return err
		}
		for _, r := range running {
			e := toEnrolment(r)
			if err := t.setPaused(ctx, &e, &plan, paused); err != nil {
				return err
			}
		}
		return t.audit(ctx, p, "plan.pause", "plan", id, map[string]any{"paused": paused})
	})
	return plan, err
}

// ArchivePlan retires a plan: leads running it leave it and its pending actions are cancelled.
func (d *DB) ArchivePlan(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	if err := p.CheckManagePlans(); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		plan, err := t.plan(ctx, id, true)
		if err != nil || plan.ArchivedAt != nil {
			return err
		}
		if err := t.q.PlanArchive(ctx, db.PlanArchiveParams{ID: id, ArchivedAt: &t.now}); err != nil {
			return err
		}
		if err := t.exitPlans(ctx, db.EnrolmentListRunningParams{PlanID: &id}, relance.ExitArchived); err != nil {
			return err
		}
		return t.audit(ctx, p, "plan.archive", "plan", id, nil)
	})
}

// GetPlan returns a plan with its steps; everyone in the organisation may read plans.
func (d *DB) GetPlan(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Plan, error) {
	var plan relance.Plan
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		plan, err = t.plan(ctx, id, false)
		return err
	})
	return plan, err
}

// ListPlans lists the plans with their steps, by name.
func (d *DB) ListPlans(ctx context.Context, p relance.Principal, includeArchived bool) ([]relance.Plan, error) {
	var out []relance.Plan
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.PlanList(ctx, includeArchived)
		if err != nil {
			return err
		}
		out, err = t.withSteps(ctx, rows)
		return err
	})
	return out, err
}

// EnrolLead puts a lead p may change into a plan by hand. A lead already running the plan answers
// conflict.
func (d *DB) EnrolLead(ctx context.Context, p relance.Principal, planID, leadID uuid.UUID) (relance.Enrolment, error) {
	var e relance.Enrolment
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		lead, err := t.lockLead(ctx, leadID)
		if err != nil {
			return err
		}
		if err := p.CheckChangeLead(&lead, ""); err != nil {
			return err
		}
		if lead.Stage != relance.StageOpen {
			return relance.Errorf(relance.CodeFailedPrecondition, "the lead is %s", lead.Stage)
		}
		plan, err := t.plan(ctx, planID, false)
		if err != nil {
			return err
		}
		if plan.ArchivedAt != nil {
			return relance.Errorf(relance.CodeFailedPrecondition, "the plan is archived")
		}
		var created bool
		if e, created, err = t.enrol(ctx, &lead, &plan); err != nil {
			return err
		}
		if !created {
			return relance.Errorf(relance.CodeConflict, "the lead already runs this plan")
		}
		return t.audit(ctx, p, "plan.enrol", "lead", leadID, map[string]any{"plan": planID})
	})
	return e, err
}

// SetEnrolmentPaused pauses or resumes one lead's run of a plan; RemoveEnrolment ends it. Both
// need the rights to change the lead.
func (d *DB) SetEnrolmentPaused(ctx context.Context, p relance.Principal, id uuid.UUID, paused bool) (relance.Enrolment, error) {
	return d.changeEnrolment(ctx, p, id, func(t *tx, e *relance.Enrolment, plan *relance.Plan) error {
		return t.setPaused(ctx, e, plan, paused)
	})
}

// RemoveEnrolment takes a lead out of a plan; its pending actions are cancelled.
func (d *DB) RemoveEnrolment(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Enrolment, error) {
	return d.changeEnrolment(ctx, p, id, func(t *tx, e *relance.Enrolment, _ *relance.Plan) error {
		return t.endEnrolment(ctx, e, relance.EnrolmentExited, relance.ExitByHand)
	})
}

func (d *DB) changeEnrolment(ctx context.Context, p relance.Principal, id uuid.UUID, change func(*tx, *relance.Enrolment, *relance.Plan) error) (relance.Enrolment, error) {
	var e relance.Enrolment
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.EnrolmentGetForUpdate(ctx, id)
		if err != nil {
			return found(err, "enrolment")
		}
		e = toEnrolment(row)
		lead, err := t.lockLead(ctx, e.LeadID)
		if err != nil {
			return err
		}
		if err := p.CheckChangeLead(&lead, ""); err != nil {
			if relance.ErrorCode(err) == relance.CodeNotFound {
				return relance.NotFound("enrolment")
			}
			return err
		}
		if e.State != relance.EnrolmentActive && e.State != relance.EnrolmentPaused {
			return relance.Errorf(relance.CodeFailedPrecondition, "the enrolment is %s", e.State)
		}
		plan, err := t.plan(ctx, e.PlanID, false)
		if err != nil {
			return err
		}
		if err := change(t, &e, &plan); err != nil {
			return err
		}
		return t.audit(ctx, p, "enrolment."+string(e.State), "lead", e.LeadID, map[string]any{"plan": e.PlanID})
	})
	return e, err
}

// ListEnrolments lists the plans a lead p may see has run or runs.
func (d *DB) ListEnrolments(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Enrolment, error) {
	var out []relance.Enrolment
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.visibleLead(ctx, p, leadID); err != nil {
			return err
		}
		rows, err := t.q.EnrolmentListByLead(ctx, leadID)
		for _, r := range rows {
			out = append(out, toEnrolment(r))
		}
		return err
	})
	return out, err
}

// PlanStats measures a plan step by step: actions executed, skipped, failed, pending, cancelled;
// executed ones the lead answered within windowDays; executed ones on leads since won.
// Managers and admins only.
func (d *DB) PlanStats(ctx context.Context, p relance.Principal, planID uuid.UUID, windowDays int) ([]relance.StepStats, error) {
	if err := p.CheckManagePlans(); err != nil {
		return nil, err
	}
	var out []relance.StepStats
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.plan(ctx, planID, false); err != nil {
			return err
		}
		rows, err := t.q.PlanStats(ctx, db.PlanStatsParams{PlanID: &planID, WindowDays: int32(windowDays)})
		for _, r := range rows {
			out = append(out, relance.StepStats{
				Step: int(r.Step), Executed: int(r.Executed), Skipped: int(r.Skipped), Failed: int(r.Failed),
				Pending: int(r.Pending), Cancelled: int(r.Cancelled), Answered: int(r.Answered), Won: int(r.Won),
				Sent: int(r.Sent), NotDelivered: int(r.NotDelivered), Queued: int(r.Queued),
			})
		}
		return err
	})
	return out, err
}

// enrolByRule enrols a lead in the running plans that take leads from its source (on creation)
// or given status statusID (uuid.Nil: the source rule), and that admit it (relance.Plan.AdmitsByRule);
// a plan that does not is recorded in the audit log with its reason.
func (t *tx) enrolByRule(ctx context.Context, lead *relance.Lead, statusID uuid.UUID) error {
	var rows []db.Plan
	var err error
	if statusID != uuid.Nil {
		rows, err = t.q.PlanListEnrolling(ctx, db.PlanListEnrollingParams{StatusID: &statusID})
	} else {
		rows, err = remember(t.memo.enrolling, lead.Source, func() ([]db.Plan, error) {
			return t.q.PlanListEnrolling(ctx, db.PlanListEnrollingParams{Source: &lead.Source})
		})
	}
	if err != nil || len(rows) == 0 {
		return err
	}
	plans, err := t.withSteps(ctx, rows)
	if err != nil {
		return err
	}
	for i := range plans {
		if refused := plans[i].AdmitsByRule(lead); refused != nil {
			if err := t.audit(ctx, relance.Principal{}, "plan.enrol_refused", "lead", lead.ID,
				map[string]any{"plan": plans[i].ID, "reason": refused.Error()}); err != nil {
				return err
			}
			continue
		}
		if _, _, err := t.enrol(ctx, lead, &plans[i]); err != nil {
			return err
		}
	}
	return nil
}

// enrol starts plan for a locked open lead at its first step; created is false when the lead
// already runs it.
func (t *tx) enrol(ctx context.Context, lead *relance.Lead, plan *relance.Plan) (relance.Enrolment, bool, error) {
	state := relance.EnrolmentActive
	if plan.Paused {
		state = relance.EnrolmentPaused
	}
	row, err := t.q.EnrolmentCreate(ctx, db.EnrolmentCreateParams{
		ID: uuid.Must(uuid.NewV7()), OrgID: t.org, PlanID: plan.ID, LeadID: lead.ID, State: string(state), EnrolledAt: t.now,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.Enrolment{}, false, nil
	}
	if err != nil {
		return relance.Enrolment{}, false, err
	}
	e := toEnrolment(row)
	if state == relance.EnrolmentActive {
		err = t.planStep(ctx, &e, plan, lead)
	}
	return e, true, err
}

// planStep writes the action of the enrolment's current step, due at its time, or completes
// the enrolment after the last step.
func (t *tx) planStep(ctx context.Context, e *relance.Enrolment, plan *relance.Plan, lead *relance.Lead) error {
	if e.Step >= len(plan.Steps) {
		return t.endEnrolment(ctx, e, relance.EnrolmentCompleted, "")
	}
	step := plan.Steps[e.Step]
	due, err := t.stepDue(ctx, e, &step, lead, t.now)
	if err != nil {
		return err
	}
	a := relance.Action{Kind: step.Kind, Automatic: step.Automatic, Subject: step.Subject, Content: step.Body}
	if !step.Automatic {
		if a.AssigneeID, err = t.stepAssignee(ctx, &step, lead); err != nil {
			return err
		}
		vars, err := t.templateVars(ctx, lead)
		if err != nil {
			return err
		}
		a.Subject, a.Content = relance.RenderTemplate(step.Subject, vars), relance.RenderTemplate(step.Body, vars)
		a.Recipients = contactOf(lead, step.Kind)
	}
	row, err := t.q.ActionCreate(ctx, db.ActionCreateParams{
		ID: uuid.Must(uuid.NewV7()), OrgID: t.org, LeadID: &lead.ID, Origin: string(relance.ActionFromPlan),
		Kind: string(a.Kind), Automatic: a.Automatic, AssigneeID: optUUID(a.AssigneeID), DueAt: due,
		Subject: a.Subject, Content: a.Content, Recipients: nonNil(a.Recipients), EnrolmentID: &e.ID,
		PlanID: &plan.ID, Step: new(int16(e.Step)), CreatedAt: t.now,
	})
	if err != nil {
		return err
	}
	return t.schedule(ctx, relance.TimerActionDue, row.ID, "", due)
}

// stepDue is when a step of e falls: its days after the lead's receipt or the enrolment, at its
// send time, on its weekdays and the lead's advisor's working days, not before notBefore nor
// before the step's minimum gap since the last contact with the lead.
func (t *tx) stepDue(ctx context.Context, e *relance.Enrolment, step *relance.Step, lead *relance.Lead, notBefore time.Time) (time.Time, error) {
	cal, err := t.calendar(ctx, lead.SiteID, lead.AssigneeID)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return time.Time{}, relance.Errorf(relance.CodeFailedPrecondition, "the lead's site has no opening hours to plan steps in")
	}
	if err != nil {
		return time.Time{}, err
	}
	if gapEnd, err := t.gapEnd(ctx, lead.ID, step); err != nil {
		return time.Time{}, err
	} else if gapEnd.After(notBefore) {
		notBefore = gapEnd
	}
	clock := 0
	if step.SendMinute != nil {
		clock = *step.SendMinute
	} else {
		org, err := t.q.OrganizationGet(ctx, t.org)
		if err != nil {
			return time.Time{}, err
		}
		clock = int(org.SendMinute)
	}
	anchor := lead.ReceivedAt
	if step.Anchor == relance.AnchorEnrolled {
		anchor = e.EnrolledAt
	}
	return cal.DaysAfterAt(anchor, step.AfterDays, clock, calendar.Weekdays(step.Days()), notBefore)
}

// gapEnd is the end of a step's minimum gap after the last contact with a lead (zero without).
func (t *tx) gapEnd(ctx context.Context, leadID uuid.UUID, step *relance.Step) (time.Time, error) {
	if step.MinGapDays == 0 {
		return time.Time{}, nil
	}
	last, err := t.q.ActivityLastContact(ctx, leadID)
	if err != nil || last == nil {
		return time.Time{}, ignoreNoRows(err)
	}
	return last.AddDate(0, 0, step.MinGapDays), nil
}

// stepAssignee is who carries out a manual step: the lead's advisor, or their manager (the
// advisor when they have none); uuid.Nil while the lead is unassigned (the action waits).
func (t *tx) stepAssignee(ctx context.Context, step *relance.Step, lead *relance.Lead) (uuid.UUID, error) {
	if step.Assignee != relance.AssignManager || lead.AssigneeID == uuid.Nil {
		return lead.AssigneeID, nil
	}
	advisor, err := t.user(ctx, lead.AssigneeID)
	if err != nil || advisor.ManagerID == uuid.Nil {
		return lead.AssigneeID, err
	}
	return advisor.ManagerID, nil
}

// templateVars are the values of the template variables for a lead.
func (t *tx) templateVars(ctx context.Context, lead *relance.Lead) (map[string]string, error) {
	site, err := t.site(ctx, lead.SiteID)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{
		"lead.name": lead.Contact.Name, "lead.phone": lead.Contact.Phone, "lead.email": lead.Contact.Email,
		"lead.source": lead.Source, "site.name": site.Name,
	}
	if lead.AssigneeID != uuid.Nil {
		u, err := t.user(ctx, lead.AssigneeID)
		if err != nil {
			return nil, err
		}
		vars["advisor.name"], vars["advisor.email"], vars["advisor.phone"] = u.DisplayName, u.Email, u.Phone
	}
	return vars, nil
}

// contactOf is where a step of kind reaches the lead: its email address for an email, its phone
// for a call or an SMS; none for a task (for the assignee, not the customer) or a letter (postal
// addresses are not kept).
func contactOf(lead *relance.Lead, kind relance.ActivityKind) []string {
	to := ""
	switch kind {
	case relance.KindEmail:
		to = lead.Contact.Email
	case relance.KindCall, relance.KindSMS:
		to = lead.Contact.Phone
	}
	if to == "" {
		return []string{}
	}
	return []string{to}
}

// firePlanStep sends an automatic step when its time comes: an email or SMS to the lead through
// a delivery, recorded as a system activity (never a response), then the plan moves on. A step
// too close to the last contact is postponed to the end of its gap; one whose plan is paused,
// ended or moved on is left alone.
func (t *tx) firePlanStep(ctx context.Context, timer db.Timer, a *relance.Action) error {
	row, err := t.q.EnrolmentGetForUpdate(ctx, a.EnrolmentID)
	if err != nil {
		return ignoreNoRows(err)
	}
	e := toEnrolment(row)
	if e.State != relance.EnrolmentActive || a.Step != e.Step {
		return nil
	}
	lead, err := t.lockLead(ctx, a.LeadID)
	if err != nil || lead.Stage != relance.StageOpen {
		return err
	}
	plan, err := t.plan(ctx, e.PlanID, false)
	if err != nil {
		return err
	}
	if e.Step >= len(plan.Steps) {
		return t.endEnrolment(ctx, &e, relance.EnrolmentCompleted, "")
	}
	step := plan.Steps[e.Step]
	gapEnd, err := t.gapEnd(ctx, lead.ID, &step)
	if err != nil {
		return err
	}
	if gapEnd.After(t.now) {
		return t.postpone(ctx, timer, &e, &step, &lead, a, gapEnd)
	}
	vars, err := t.templateVars(ctx, &lead)
	if err != nil {
		return err
	}
	subject, body := relance.RenderTemplate(step.Subject, vars), relance.RenderTemplate(step.Body, vars)
	to := contactOf(&lead, step.Kind)
	state, outcome := relance.ActionDone, "sent"
	if len(to) == 0 {
		state, outcome = relance.ActionFailed, "the lead has no address for a "+string(step.Kind)
	} else if step.Kind == relance.KindSMS {
		if to[0], err = relance.SMSNumber(to[0]); err != nil {
			state, outcome = relance.ActionFailed, err.Error()
		}
	}
	act := relance.Activity{
		ID: uuid.Must(uuid.NewV7()), LeadID: lead.ID, Kind: step.Kind, Origin: relance.OriginSystem,
		State: relance.ActivityDone, DoneAt: &t.now, Content: subject + "\n" + body,
	}
	if state == relance.ActionFailed {
		act.State, act.DoneAt, act.Content = relance.ActivityFailed, nil, outcome
	}
	if err := t.q.ActivityCreate(ctx, db.ActivityCreateParams{
		ID: act.ID, OrgID: t.org, LeadID: lead.ID, Kind: string(act.Kind), Origin: string(act.Origin),
		State: string(act.State), DoneAt: act.DoneAt, Content: act.Content, Direction: "outbound", CreatedAt: t.now,
	}); err != nil {
		return err
	}
	if state == relance.ActionDone {
		m := relance.Message{Channel: relance.ChannelSMS, To: to[0], Text: body}
		if step.Kind == relance.KindEmail {
			m = relance.Message{Channel: relance.ChannelEmail, To: to[0], Subject: subject, Text: body}
		}
		del := t.delivery(planDeliveryKey(a.ID, m.Channel), m, uuid.Nil, lead.ID)
		del.ActionID = &a.ID
		if m.Channel == relance.ChannelEmail {
			for _, f := range step.Files {
				del.AttachmentIds = append(del.AttachmentIds, f.ID)
			}
		}
		if err := t.writeDelivery(ctx, del); err != nil {
			return err
		}
	}
	if _, err := t.q.ActionFinish(ctx, db.ActionFinishParams{
		ID: a.ID, State: string(state), Outcome: outcome, DoneAt: &t.now, ActivityID: &act.ID, UpdatedAt: t.now,
	}); err != nil {
		return err
	}
	e.Step++
	return t.saveAndPlan(ctx, &e, &plan, &lead)
}

// planDeliveryKey is the delivery key of an automatic step's message.
func planDeliveryKey(actionID uuid.UUID, ch relance.Channel) string {
	return "plan:" + actionID.String() + ":" + string(ch)
}

// stepUndelivered records that the message of an automatic step (a delivery keyed by
// planDeliveryKey) failed for good: the step counts as failed, not executed, in the plan's
// figures and on the lead's timeline. Other deliveries are left alone.
func (t *tx) stepUndelivered(ctx context.Context, key string, cause error) error {
	rest, ok := strings.CutPrefix(key, "plan:")
	if !ok {
		return nil
	}
	id, err := uuid.Parse(strings.SplitN(rest, ":", 2)[0])
	if err != nil {
		return nil
	}
	if p := (*relance.PermanentError)(nil); errors.As(cause, &p) {
		cause = p.Err
	}
	return t.q.ActionUndelivered(ctx, db.ActionUndeliveredParams{
		ID: id, Outcome: "not delivered: " + cause.Error(), UpdatedAt: t.now,
	})
}

// postpone moves an automatic step to the first slot after the end of its minimum gap.
func (t *tx) postpone(ctx context.Context, timer db.Timer, e *relance.Enrolment, step *relance.Step, lead *relance.Lead, a *relance.Action, gapEnd time.Time) error {
	due, err := t.stepDue(ctx, e, step, lead, gapEnd)
	if err != nil {
		return err
	}
	if err := t.q.ActionMove(ctx, db.ActionMoveParams{ID: a.ID, DueAt: due, UpdatedAt: t.now}); err != nil {
		return err
	}
	return t.schedule(ctx, relance.TimerActionDue, a.ID, timer.Ref, due)
}

// stepDone moves the enrolment of a finished manual plan action on to its next step.
func (t *tx) stepDone(ctx context.Context, a *relance.Action) error {
	row, err := t.q.EnrolmentGetForUpdate(ctx, a.EnrolmentID)
	if err != nil {
		return ignoreNoRows(err)
	}
	e := toEnrolment(row)
	if (e.State != relance.EnrolmentActive && e.State != relance.EnrolmentPaused) || e.Step != a.Step {
		return nil
	}
	e.Step++
	if e.State == relance.EnrolmentPaused {
		return t.saveEnrolment(ctx, &e) // the next step is planned on resume
	}
	plan, err := t.plan(ctx, e.PlanID, false)
	if err != nil {
		return err
	}
	lead, err := t.lockLead(ctx, e.LeadID)
	if err != nil {
		return err
	}
	if lead.Stage != relance.StageOpen {
		return t.saveEnrolment(ctx, &e)
	}
	return t.saveAndPlan(ctx, &e, &plan, &lead)
}

func (t *tx) saveAndPlan(ctx context.Context, e *relance.Enrolment, plan *relance.Plan, lead *relance.Lead) error {
	if err := t.saveEnrolment(ctx, e); err != nil {
		return err
	}
	return t.planStep(ctx, e, plan, lead)
}

// setPaused pauses an enrolment (its automatic actions wait; manual ones stay in the inbox) or
// resumes it (waiting automatic actions are planned again from now, or the next step is planned
// when none is pending).
func (t *tx) setPaused(ctx context.Context, e *relance.Enrolment, plan *relance.Plan, paused bool) error {
	if (e.State == relance.EnrolmentPaused) == paused {
		return nil
	}
	e.State = relance.EnrolmentActive
	if paused {
		e.State = relance.EnrolmentPaused
	}
	if err := t.saveEnrolment(ctx, e); err != nil {
		return err
	}
	rows, err := t.q.ActionPendingForEnrolment(ctx, &e.ID)
	if err != nil {
		return err
	}
	pending := make([]relance.Action, len(rows))
	for i, r := range rows {
		pending[i] = toAction(r)
	}
	if paused {
		for _, a := range pending {
			if a.Automatic {
				if err := t.q.TimerCancelAllBySubject(ctx, db.TimerCancelAllBySubjectParams{SubjectID: a.ID, UpdatedAt: t.now}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	lead, err := t.lockLead(ctx, e.LeadID)
	if err != nil || lead.Stage != relance.StageOpen {
		return err
	}
	if len(pending) == 0 {
		return t.planStep(ctx, e, plan, &lead)
	}
	for _, a := range pending {
		if !a.Automatic || a.Step >= len(plan.Steps) {
			continue
		}
		due, err := t.stepDue(ctx, e, &plan.Steps[a.Step], &lead, t.now)
		if err != nil {
			return err
		}
		if err := t.q.ActionMove(ctx, db.ActionMoveParams{ID: a.ID, DueAt: due, UpdatedAt: t.now}); err != nil {
			return err
		}
		if err := t.schedule(ctx, relance.TimerActionDue, a.ID, "", due); err != nil {
			return err
		}
	}
	return nil
}

// exitPlans ends the running enrolments that match which, for reason, cancelling their actions.
func (t *tx) exitPlans(ctx context.Context, which db.EnrolmentListRunningParams, reason string) error {
	rows, err := t.q.EnrolmentListRunning(ctx, which)
	if err != nil {
		return err
	}
	for _, r := range rows {
		e := toEnrolment(r)
		if err := t.endEnrolment(ctx, &e, relance.EnrolmentExited, reason); err != nil {
			return err
		}
	}
	return nil
}

// endEnrolment completes or exits an enrolment and cancels its pending actions and their timers.
func (t *tx) endEnrolment(ctx context.Context, e *relance.Enrolment, state relance.EnrolmentState, reason string) error {
	e.State, e.ExitReason, e.EndedAt = state, reason, &t.now
	if err := t.saveEnrolment(ctx, e); err != nil {
		return err
	}
	ids, err := t.q.ActionCancelForEnrolments(ctx, db.ActionCancelForEnrolmentsParams{EnrolmentIds: []uuid.UUID{e.ID}, UpdatedAt: t.now})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.q.TimerCancelAllBySubject(ctx, db.TimerCancelAllBySubjectParams{SubjectID: id, UpdatedAt: t.now}); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) saveEnrolment(ctx context.Context, e *relance.Enrolment) error {
	return t.q.EnrolmentUpdate(ctx, db.EnrolmentUpdateParams{
		ID: e.ID, State: string(e.State), Step: int16(e.Step), ExitReason: e.ExitReason, EndedAt: e.EndedAt, UpdatedAt: t.now,
	})
}

// plan loads a plan and its steps (locking the plan row when lock is set).
func (t *tx) plan(ctx context.Context, id uuid.UUID, lock bool) (relance.Plan, error) {
	get := t.q.PlanGet
	if lock {
		get = t.q.PlanGetForUpdate
	}
	row, err := get(ctx, id)
	if err != nil {
		return relance.Plan{}, found(err, "plan")
	}
	plans, err := t.withSteps(ctx, []db.Plan{row})
	if err != nil {
		return relance.Plan{}, err
	}
	return plans[0], nil
}

func (t *tx) withSteps(ctx context.Context, rows []db.Plan) ([]relance.Plan, error) {
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	steps, err := t.q.PlanStepList(ctx, ids)
	if err != nil {
		return nil, err
	}
	byPlan := map[uuid.UUID][]relance.Step{}
	for _, s := range steps {
		byPlan[s.PlanID] = append(byPlan[s.PlanID], toStep(s))
	}
	out := make([]relance.Plan, len(rows))
	for i, r := range rows {
		out[i] = relance.Plan{
			ID: r.ID, Name: r.Name, Paused: r.Paused, EnrolSources: r.EnrolSources, EnrolStatusID: deref(r.EnrolStatusID),
			PartnerLeadsAllowed: r.PartnerLeadsAllowed, Steps: byPlan[r.ID], ArchivedAt: r.ArchivedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		}
	}
	return out, t.withFiles(ctx, out)
}

func (t *tx) writeSteps(ctx context.Context, planID uuid.UUID, steps []relance.Step) error {
	for i, s := range steps {
		var send *int16
		if s.SendMinute != nil {
			send = new(int16(*s.SendMinute))
		}
		if err := t.q.PlanStepCreate(ctx, db.PlanStepCreateParams{
			OrgID: t.org, PlanID: planID, Position: int16(i), Kind: string(s.Kind), Automatic: s.Automatic,
			Anchor: string(s.Anchor), AfterDays: int16(s.AfterDays), MinGapDays: int16(s.MinGapDays), SendMinute: send,
			Weekdays: int16(s.Days()), Subject: s.Subject, Body: s.Body, Assignee: string(s.Assignee),
		}); err != nil {
			return err
		}
	}
	return nil
}

// checkEnrolStatus checks that a plan's enrolment status (when set) exists and applies to leads.
func (t *tx) checkEnrolStatus(ctx context.Context, id uuid.UUID) error {
	if id == uuid.Nil {
		return nil
	}
	_, err := t.settableStatus(ctx, id, true, "enrol_status_id")
	return err
}

func toStep(s db.PlanStep) relance.Step {
	var send *int
	if s.SendMinute != nil {
		send = new(int(*s.SendMinute))
	}
	return relance.Step{
		Kind: relance.ActivityKind(s.Kind), Automatic: s.Automatic, Anchor: relance.Anchor(s.Anchor),
		AfterDays: int(s.AfterDays), MinGapDays: int(s.MinGapDays), SendMinute: send, Weekdays: uint8(s.Weekdays),
		Subject: s.Subject, Body: s.Body, Assignee: relance.StepAssignee(s.Assignee),
	}
}

func toEnrolment(e db.Enrolment) relance.Enrolment {
	return relance.Enrolment{
		ID: e.ID, PlanID: e.PlanID, LeadID: e.LeadID, State: relance.EnrolmentState(e.State), ExitReason: e.ExitReason,
		Step: int(e.Step), EnrolledAt: e.EnrolledAt, EndedAt: e.EndedAt,
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
