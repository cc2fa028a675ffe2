package postgres

import (
	"context"
	"errors"
	"net/mail"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// clockSkew is how far in the future a client-supplied instant may be before it is refused.
const clockSkew = relance.ClockSkew

// CreateLead records a lead (LeadCreated), or returns the lead an earlier identical request with
// the same idempotency key (of p's scope) or external id (of the source) created (LeadReplayed),
// or records a repeat inquiry on the customer's open lead and returns that (LeadRepeated). The
// same key or external id with a different request is a conflict naming the lead that holds
// it. Assigning at creation alerts the assignee; a lead created without an assignee goes where
// its distribution rule says, in the same transaction. A created lead's raw document
// (in.Document) is kept in that transaction too; a replay or a repeat writes none.
func (d *DB) CreateLead(ctx context.Context, p relance.Principal, in relance.NewLead) (relance.Lead, relance.LeadOutcome, error) {
	if err := p.CheckCreateLead(in.SiteID, in.AssigneeID); err != nil {
		return relance.Lead{}, relance.LeadReplayed, err
	}
	var lead relance.Lead
	outcome := relance.LeadReplayed
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		// Creating a lead writes no sites, people, absences, ladders, webhook endpoints or
		// settings: its reads of them are kept (an assignment reads the endpoints and the
		// assignee's absences twice).
		t.memo = newMemo()
		received := in.ReceivedAt
		if received.IsZero() {
			received = t.now
		}
		if err := relance.CheckReported("receive_time", received, t.now, t.backdate); err != nil {
			return err
		}
		if err := t.readContactPhone(ctx, &in); err != nil {
			return err
		}
		candidate, err := t.readAhead(ctx, &in, received)
		if err != nil {
			return err
		}
		repeated, ok, err := t.repeatOf(ctx, p, &in, received, candidate)
		if err != nil || ok {
			// The caller learns which lead the inquiry went to, and no more than they may see.
			lead, outcome = repeated, relance.LeadRepeated
			if !p.CanSeeLead(&lead) {
				lead = lead.Reference()
			}
			return err
		}
		lead = relance.Lead{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, SiteID: in.SiteID, Source: in.Source,
			SourceGroup: in.SourceGroup, Category: in.Category, Contact: in.Contact, Stage: relance.StageOpen,
			ExternalID: in.ExternalID, Notes: in.Notes, ReceivedAt: received.UTC(), CreatedAt: t.now, UpdatedAt: t.now,
			Vehicle: in.Vehicle,
		}
		if p.Role == relance.RolePartner {
			lead.PartnerKeyID = p.TokenID
		}
		var assignee relance.User
		if in.AssigneeID != uuid.Nil {
			var err error
			if assignee, err = t.refUser(ctx, in.AssigneeID, "assignee_id"); err != nil {
				return err
			}
			if err := relance.CheckAssignee(&assignee, &lead); err != nil {
				return err
			}
			lead.AssigneeID, lead.AssignedAt = assignee.ID, &t.now
		}
		// The common case costs one statement, the audit row included: the unique indexes on
		// external id and idempotency key turn a retry (even a concurrent one) into "insert
		// nothing", and the foreign key checks the site.
		scope, fingerprint := p.IdempotencyScope(), in.Fingerprint()
		v := deref(in.Vehicle)
		actorKind, actor := auditActor(p)
		details, err := auditDetails(map[string]any{"source": lead.Source})
		if err != nil {
			return err
		}
		n, err := t.q.LeadCreate(ctx, db.LeadCreateParams{
			AuditActorKind: actorKind, AuditActorID: actor, AuditDetails: details,
			ID: lead.ID, OrgID: t.org, SiteID: lead.SiteID, Source: lead.Source, SourceGroup: lead.SourceGroup,
			Category: lead.Category, ContactName: lead.Contact.Name, ContactPhone: lead.Contact.Phone,
			ContactEmail: lead.Contact.Email, AssigneeID: optUUID(lead.AssigneeID),
			ExternalID: optString(in.ExternalID), IdempotencyKey: optString(in.IdempotencyKey), Notes: lead.Notes,
			ReceivedAt: lead.ReceivedAt, AssignedAt: lead.AssignedAt, CreatedAt: t.now, PartnerKeyID: optUUID(lead.PartnerKeyID),
			IdempotencyScope: scope, Fingerprint: fingerprint,
			VehicleInterest: v.Interest, VehicleStatus: v.Status, VehicleYear: v.Year, VehicleMake: v.Make,
			VehicleModel: v.Model, VehicleVin: v.VIN, VehicleStock: v.Stock,
		})
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.ConstraintName == "leads_org_id_site_id_fkey" {
			return relance.NotFound("site")
		}
		if err != nil {
			return err
		}
		if n == 0 {
			prev, err := t.q.LeadGetByDedupKey(ctx, db.LeadGetByDedupKeyParams{
				ExternalID: optString(in.ExternalID), Source: in.Source,
				IdempotencyKey: optString(in.IdempotencyKey), IdempotencyScope: scope,
			})
			if err != nil {
				return found(err, "lead")
			}
			lead = toLead(prev)
			if err := relance.CheckReplay(&in, fingerprint, &lead, prev.Fingerprint); err != nil {
				return err
			}
			// Partners get back what they created; people only what they may see.
			if p.Role != relance.RolePartner && !p.CanSeeLead(&lead) {
				return relance.Errorf(relance.CodeConflict, "this idempotency key or external id belongs to another lead")
			}
			return nil
		}
		if in.Document != "" {
			if err := t.q.AdfDocumentCreate(ctx, db.AdfDocumentCreateParams{
				LeadID: lead.ID, OrgID: t.org, Content: in.Document, ReceivedAt: t.now,
			}); err != nil {
				return err
			}
		}
		t.emit(ctx, webhook.LeadCreated, lead.ID, lead)
		source := lead.Source
		t.observe(func(o Observer) { o.LeadReceived(source) })
		if lead.AssigneeID != uuid.Nil {
			if err := t.afterAssignment(ctx, &lead, &assignee, true); err != nil {
				return err
			}
		} else if err := t.distribute(ctx, p, &lead); err != nil {
			return err
		}
		if err := t.enrolByRule(ctx, &lead, uuid.Nil); err != nil {
			return err
		}
		outcome = relance.LeadCreated
		return nil
	})
	return lead, outcome, err
}

// readAhead reads in one round trip what creating in needs besides the lead itself, and
// returns the open lead of its customer that in repeats (uuid.Nil: none):
//   - the customer's lock and open lead, when the organisation looks for repeats: the lock (a
//     transaction-scoped advisory lock on the customer's phone number and on their email at the
//     site) makes two first inquiries arriving at once, through any number of API processes, one
//     lead and one repeat; without it each lookup would miss the lead the other has not
//     committed yet. The lookup is the next statement, so it sees what the lock waited for;
//   - the enabled webhook endpoints (emit); the assignee, the site with its hours, its ladder and
//     the assignee's absences when someone is assigned (afterAssignment), or else the
//     distribution rules (distribute); the plans enrolling leads of its source (enrolByRule):
//     into the memo.
//
// A replay or a repeat has read all but the first two for nothing; a new lead, the common case,
// needs them all.
func (t *tx) readAhead(ctx context.Context, in *relance.NewLead, received time.Time) (uuid.UUID, error) {
	var candidate uuid.UUID
	var reads []read
	if in.Contact.Phone != "" || in.Contact.Email != "" {
		customer := db.RepeatLockParams{OrgID: t.org, SiteID: in.SiteID, Phone: in.Contact.Phone, Email: in.Contact.Email}
		reads = append(reads, func(q *db.Queries) error { return q.RepeatLock(ctx, customer) }, func(q *db.Queries) error {
			id, err := q.RepeatCandidate(ctx, db.RepeatCandidateParams{
				OrgID: t.org, SiteID: in.SiteID, ReceivedAt: received, Phone: in.Contact.Phone, Email: in.Contact.Email,
			})
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			candidate = id
			return err
		})
	}
	reads = append(reads, func(q *db.Queries) error {
		return keep(t.memo.endpoints, t.org)(q.WebhookEndpointListEnabled(ctx))
	})
	if id, site := in.AssigneeID, in.SiteID; id != uuid.Nil {
		reads = append(reads, func(q *db.Queries) error {
			row, err := q.UserGet(ctx, id)
			return keepFound(t.memo.users, id)(userWithSites(row.User, row.SiteIds, row.UnitIds), err)
		}, func(q *db.Queries) error {
			row, err := q.SiteGetWithHours(ctx, site)
			return keepFound(t.memo.sites, site)(siteWithHours(row), err)
		}, func(q *db.Queries) error {
			row, err := q.ReminderPolicyGet(ctx, site)
			rungs, _, err := policyOf(site, row, err)
			return keep(t.memo.ladders, site)(rungs, err)
		}, func(q *db.Queries) error {
			return keep(t.memo.absences, id)(toAbsences(q.AbsenceListBetween(ctx, t.absencesOf(id))))
		})
	}
	if in.AssigneeID == uuid.Nil {
		reads = append(reads, func(q *db.Queries) error {
			return keep(t.memo.distributionRules, t.org)(q.DistributionRuleList(ctx))
		})
	}
	reads = append(reads, func(q *db.Queries) error {
		return keep(t.memo.enrolling, in.Source)(q.PlanListEnrolling(ctx, db.PlanListEnrollingParams{Source: &in.Source}))
	})
	return candidate, t.pipeline(ctx, reads...)
}

// GetLead returns lead id, or not-found when it does not exist or p may not see it.
func (d *DB) GetLead(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Lead, error) {
	var lead relance.Lead
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if lead, err = t.visibleLead(ctx, p, id); err != nil {
			return err
		}
		leads := []relance.Lead{lead}
		err = t.withCadence(ctx, leads)
		lead = leads[0]
		return err
	})
	return lead, err
}

// ListLeads lists the leads p may see that match f, newest received first, and the cursor of
// the next page (nil on the last page).
func (d *DB) ListLeads(ctx context.Context, p relance.Principal, f relance.LeadFilter) ([]relance.Lead, *relance.LeadCursor, error) {
	sites, assignee, ok := p.LeadVisibility()
	if !ok {
		return nil, nil, relance.Errorf(relance.CodePermissionDenied, "this key may not read leads")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	params := db.LeadListParams{
		VisibleSiteIds: sites, VisibleAssigneeID: optUUID(assignee),
		SiteID: optUUID(f.SiteID), AssigneeID: optUUID(f.AssigneeID), Stage: optString(string(f.Stage)),
		StatusID: optUUID(f.StatusID), Source: optString(f.Source), Late: f.Late,
		NoAttemptToday: f.NoAttemptToday, ImproperOnly: f.ImproperOnly, RowLimit: int32(limit + 1),
	}
	if f.After != nil {
		params.AfterReceivedAt, params.AfterID = &f.After.ReceivedAt, &f.After.ID
	}
	var out []relance.Lead
	var next *relance.LeadCursor
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		params.Now = t.now
		rows, err := t.q.LeadList(ctx, params)
		if err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			last := rows[limit-1]
			next = &relance.LeadCursor{ReceivedAt: last.ReceivedAt, ID: last.ID}
		}
		out = make([]relance.Lead, len(rows))
		for i, r := range rows {
			out[i] = toLead(r)
		}
		return t.withCadence(ctx, out)
	})
	return out, next, err
}

// AssignLead gives lead id to assigneeID and schedules their alert. Re-assigning to the same
// person changes nothing and alerts no one again.
func (d *DB) AssignLead(ctx context.Context, p relance.Principal, id, assigneeID uuid.UUID) (relance.Lead, error) {
	var lead relance.Lead
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if lead, err = t.lockLead(ctx, id); err != nil {
			return err
		}
		if err := p.CheckAssignLead(&lead); err != nil {
			return err
		}
		return t.assign(ctx, p, &lead, assigneeID)
	})
	return lead, err
}

// assign gives a locked open lead to assigneeID: the new advisor is alerted, their reminder
// ladder starts (unless the lead was answered), questions about the previous advisor lapse, and
// their manager is asked what to do if the new advisor is away for long.
func (t *tx) assign(ctx context.Context, p relance.Principal, lead *relance.Lead, assigneeID uuid.UUID) error {
	if lead.Stage != relance.StageOpen {
		return relance.Errorf(relance.CodeFailedPrecondition, "the lead is %s; only open leads are assigned", lead.Stage)
	}
	if lead.AssigneeID == assigneeID {
		return nil
	}
	assignee, err := t.refUser(ctx, assigneeID, "assignee_id")
	if err != nil {
		return err
	}
	if err := relance.CheckAssignee(&assignee, lead); err != nil {
		return err
	}
	previous := lead.AssigneeID
	lead.AssigneeID, lead.AssignedAt, lead.LateAt, lead.UpdatedAt = assigneeID, &t.now, nil, t.now
	if err := t.q.LeadAssign(ctx, db.LeadAssignParams{ID: lead.ID, AssigneeID: &assigneeID, AssignedAt: &t.now}); err != nil {
		return err
	}
	if err := t.q.DecisionObsoleteForLead(ctx, db.DecisionObsoleteForLeadParams{LeadID: lead.ID, ResolvedAt: &t.now}); err != nil {
		return err
	}
	if err := t.q.TimerCancelBySubject(ctx, db.TimerCancelBySubjectParams{
		SubjectID: lead.ID, Kind: string(relance.TimerLeadAssigned), UpdatedAt: t.now,
	}); err != nil {
		return err
	}
	if err := t.afterAssignment(ctx, lead, &assignee, false); err != nil {
		return err
	}
	if err := t.handOver(ctx, leadCallSubject(lead), previous, assigneeID); err != nil {
		return err
	}
	if previous == uuid.Nil && lead.StatusID != uuid.Nil {
		// The status was set while nobody followed the lead: its call starts now.
		row, err := t.q.StatusGet(ctx, lead.StatusID)
		if err != nil {
			return err
		}
		status := toStatus(row)
		if err := t.scheduleStatusCall(ctx, leadCallSubject(lead), &status, t.now); err != nil {
			return err
		}
	}
	return t.audit(ctx, p, "lead.assign", "lead", lead.ID, map[string]any{"from": previous, "to": assigneeID})
}

// afterAssignment does what every assignment causes: the assignee's alert, their reminder
// ladder (unless the lead was answered), and the absence question to their manager. A lead
// created in this transaction (created) has no reminders to cancel before its ladder starts.
func (t *tx) afterAssignment(ctx context.Context, lead *relance.Lead, assignee *relance.User, created bool) error {
	t.emit(ctx, webhook.LeadAssigned, lead.ID, *lead)
	if err := t.schedule(ctx, relance.TimerLeadAssigned, lead.ID, assignee.ID.String(), t.now); err != nil {
		return err
	}
	switch {
	case lead.FirstResponseAt != nil:
	case created:
		if err := t.scheduleRung(ctx, lead, 0, t.now); err != nil {
			return err
		}
	default:
		if err := t.startLadder(ctx, lead, t.now); err != nil {
			return err
		}
	}
	return t.askIfAway(ctx, lead, assignee)
}

// UpdateLead applies ch to lead id, with the rights of CheckChangeLead. A new interaction status
// replans the lead's status call and, when terminal, closes the lead; a closed lead's ladder,
// questions and status call stop.
func (d *DB) UpdateLead(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.LeadChange) (relance.Lead, error) {
	var lead relance.Lead
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if lead, err = t.lockLead(ctx, id); err != nil {
			return err
		}
		if err := p.CheckChangeLead(&lead, ""); err != nil {
			return err
		}
		statusChanged := ch.StatusID != nil && *ch.StatusID != lead.StatusID
		var status *relance.Status
		if statusChanged && *ch.StatusID != uuid.Nil {
			s, err := t.settableStatus(ctx, *ch.StatusID, true, "status_id")
			if err != nil {
				return err
			}
			if status = &s; s.Terminal != "" && ch.Stage == nil {
				ch.Stage = &s.Terminal
			}
		}
		before := lead
		ch.Apply(&lead)
		if statusChanged {
			lead.StatusID = *ch.StatusID
		}
		if lead.Stage == relance.StageRejected && before.Stage != relance.StageRejected {
			if err := t.closureGuard(ctx, &lead); err != nil {
				return err
			}
		}
		lead.UpdatedAt = t.now
		if lead.Stage != relance.StageOpen {
			if err := t.stopLadder(ctx, id); err != nil {
				return err
			}
			if err := t.q.DecisionObsoleteForLead(ctx, db.DecisionObsoleteForLeadParams{LeadID: id, ResolvedAt: &t.now}); err != nil {
				return err
			}
			if err := t.exitPlans(ctx, db.EnrolmentListRunningParams{LeadID: &id}, string(lead.Stage)); err != nil {
				return err
			}
		}
		if err := t.q.LeadUpdate(ctx, db.LeadUpdateParams{
			ID: id, Stage: string(lead.Stage), Category: lead.Category, StatusID: optUUID(lead.StatusID),
			Notes: lead.Notes, UpdatedAt: t.now,
		}); err != nil {
			return err
		}
		if lead.Stage != before.Stage {
			t.emit(ctx, webhook.LeadStageChanged, id, lead)
		}
		if statusChanged {
			t.emit(ctx, webhook.LeadStatusChanged, id, lead)
		}
		if statusChanged || lead.Stage != relance.StageOpen {
			if err := t.replanStatusCall(ctx, leadCallSubject(&lead), status); err != nil {
				return err
			}
		}
		if statusChanged && status != nil && lead.Stage == relance.StageOpen {
			if err := t.enrolByRule(ctx, &lead, status.ID); err != nil {
				return err
			}
		}
		return t.audit(ctx, p, "lead.update", "lead", id, relance.LeadChanges(&before, &lead))
	})
	return lead, err
}

// RecordActivity adds a human activity to a lead. A done one is the lead's first response when it
// is the earliest. A partner's calls are recorded as the assignee's.
func (d *DB) RecordActivity(ctx context.Context, p relance.Principal, in relance.NewActivity) (relance.Activity, relance.Lead, error) {
	var act relance.Activity
	var lead relance.Lead
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if lead, err = t.lockLead(ctx, in.LeadID); err != nil {
			return err
		}
		if err := p.CheckChangeLead(&lead, in.Kind); err != nil {
			return err
		}
		state := in.State
		if state == "" {
			state = relance.ActivityDone
		}
		act = relance.Activity{
			ID: uuid.Must(uuid.NewV7()), LeadID: lead.ID, Kind: in.Kind, Origin: relance.OriginHuman,
			State: state, DueAt: in.DueAt, ActorID: p.UserID, Content: in.Content, Direction: in.Direction,
			CreatedAt: t.now,
		}
		if p.Role == relance.RolePartner {
			act.ActorID = lead.AssigneeID
		}
		switch state {
		case relance.ActivityDone:
			done := t.now
			if in.DoneAt != nil {
				done = in.DoneAt.UTC()
			}
			if done.After(t.now.Add(clockSkew)) {
				return relance.Invalid("done_time", "must not be in the future")
			}
			act.DoneAt = &done
		case relance.ActivityPlanned:
			if in.DueAt == nil {
				return relance.Invalid("due_time", "a planned activity needs a due time")
			}
		default:
			return relance.Invalid("state", "must be done or planned")
		}
		if err := t.q.ActivityCreate(ctx, db.ActivityCreateParams{
			ID: act.ID, OrgID: t.org, LeadID: act.LeadID, Kind: string(act.Kind), Origin: string(act.Origin),
			State: string(act.State), DueAt: act.DueAt, DoneAt: act.DoneAt, ActorID: optUUID(act.ActorID),
			Content: act.Content, Direction: string(act.Direction), CreatedAt: t.now,
		}); err != nil {
			return err
		}
		if act.CountsAsResponse() {
			if err := t.answered(ctx, &lead, *act.DoneAt); err != nil {
				return err
			}
		}
		if act.Direction == relance.Inbound {
			// The lead answered: the follow-up plans it runs have done their work.
			if err := t.exitPlans(ctx, db.EnrolmentListRunningParams{LeadID: &lead.ID}, relance.ExitReplied); err != nil {
				return err
			}
		}
		if act.State == relance.ActivityPlanned {
			if err := t.scheduleOverdue(ctx, relance.TimerActivityOverdue, &lead, act.ID, 0, *act.DueAt); err != nil {
				return err
			}
		}
		return t.audit(ctx, p, "activity.record", "lead", lead.ID, map[string]any{"kind": act.Kind, "state": act.State})
	})
	return act, lead, err
}

// ListActivities returns the timeline of a lead p may see, oldest first.
func (d *DB) ListActivities(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Activity, error) {
	var out []relance.Activity
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.visibleLead(ctx, p, leadID); err != nil {
			return err
		}
		rows, err := t.q.ActivityListByLead(ctx, leadID)
		out = make([]relance.Activity, len(rows))
		for i, r := range rows {
			out[i] = toActivity(r)
		}
		return err
	})
	return out, err
}

// answered records a human answer to a locked lead at doneAt: the lead's first response (and
// its business response time) when it is the earliest, which also stops its reminder ladder.
func (t *tx) answered(ctx context.Context, lead *relance.Lead, doneAt time.Time) error {
	if lead.FirstResponseAt != nil && !doneAt.Before(*lead.FirstResponseAt) {
		return nil
	}
	response, err := t.responseTime(ctx, lead, doneAt)
	if err != nil {
		return err
	}
	var seconds *int32
	if response != nil {
		s := int32(response.Seconds())
		seconds = &s
	}
	if err := t.q.LeadSetFirstResponse(ctx, db.LeadSetFirstResponseParams{
		ID: lead.ID, FirstResponseAt: &doneAt, ResponseSeconds: seconds, UpdatedAt: t.now,
	}); err != nil {
		return err
	}
	lead.FirstResponseAt, lead.ResponseTime, lead.UpdatedAt = &doneAt, response, t.now
	if response != nil {
		d := *response
		t.observe(func(o Observer) { o.LeadAnswered(d) })
	}
	t.emit(ctx, webhook.LeadFirstResponse, lead.ID, *lead)
	return t.stopLadder(ctx, lead.ID)
}

// responseTime is the business time from a lead's receipt to an answer at answeredAt, in its
// site's opening hours; nil when the site has no opening hours to count in.
func (t *tx) responseTime(ctx context.Context, lead *relance.Lead, answeredAt time.Time) (*time.Duration, error) {
	cal, err := t.calendar(ctx, lead.SiteID, uuid.Nil)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d := cal.Between(lead.ReceivedAt, answeredAt)
	return &d, nil
}

// ListDeliveries lists the messages sent about a lead p may see, oldest first.
func (d *DB) ListDeliveries(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Delivery, error) {
	var out []relance.Delivery
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.visibleLead(ctx, p, leadID); err != nil {
			return err
		}
		rows, err := t.q.DeliveryListByLead(ctx, &leadID)
		if err != nil {
			return err
		}
		var fileIDs []uuid.UUID
		for _, r := range rows {
			fileIDs = append(fileIDs, r.AttachmentIds...)
		}
		files, err := t.q.AttachmentListByID(ctx, fileIDs)
		if err != nil {
			return err
		}
		names := make(map[uuid.UUID]string, len(files))
		for _, f := range files {
			names[f.ID] = f.FileName
		}
		for _, r := range rows {
			del := relance.Delivery{
				ID: r.ID, UserID: deref(r.UserID), LeadID: leadID, Channel: relance.Channel(r.Channel),
				Recipient: r.Recipient, Subject: r.Subject, State: r.State, Attempts: int(r.Attempts),
				LastError: r.LastError, CreatedAt: r.CreatedAt, SentAt: r.SentAt, ActionID: deref(r.ActionID),
				From: r.FromAddress, ReplyTo: r.ReplyTo,
			}
			if r.FromName != "" && r.FromAddress != "" {
				del.From = (&mail.Address{Name: r.FromName, Address: r.FromAddress}).String()
			}
			for _, id := range r.AttachmentIds {
				del.AttachmentNames = append(del.AttachmentNames, names[id])
			}
			out = append(out, del)
		}
		return nil
	})
	return out, err
}

// visibleLead loads lead id, or answers not-found when it does not exist or p may not see it.
func (t *tx) visibleLead(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Lead, error) {
	row, err := t.q.LeadGet(ctx, id)
	if err != nil {
		return relance.Lead{}, found(err, "lead")
	}
	lead := toLead(row)
	if !p.CanSeeLead(&lead) {
		return relance.Lead{}, relance.NotFound("lead")
	}
	return lead, nil
}

// lockLead reads lead id and locks it for the transaction, or takes it from what a read-ahead
// locked.
func (t *tx) lockLead(ctx context.Context, id uuid.UUID) (relance.Lead, error) {
	if row, ok := t.memo.locked[id]; ok {
		delete(t.memo.locked, id) // taken once: the caller writes it
		return toLead(row), nil
	}
	row, err := t.q.LeadGetForUpdate(ctx, id)
	if err != nil {
		return relance.Lead{}, found(err, "lead")
	}
	return toLead(row), nil
}

// readContactPhone puts the new lead's phone number in E.164, reading a national number in its
// site's country (an international one costs no query).
func (t *tx) readContactPhone(ctx context.Context, in *relance.NewLead) error {
	if in.Contact.Phone == "" {
		return nil
	}
	var country string
	if !relance.IsInternational(in.Contact.Phone) {
		var err error
		if country, err = t.q.SiteCountry(ctx, in.SiteID); err != nil {
			return found(err, "site")
		}
	}
	phone, err := relance.PhoneE164("contact.phone", in.Contact.Phone, relance.Country(country))
	in.Contact.Phone = phone
	return err
}
