package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// askIfAway asks the manager of assignee (or, without one, the managers of the lead's site) what
// to do with the lead when the assignee is away for more than a day from now: an in-app alert,
// an email, and a pending decision until they answer.
func (t *tx) askIfAway(ctx context.Context, lead *relance.Lead, assignee *relance.User) error {
	// The calendar's absences (the same read when the ladder has just been started): those
	// ended before now or starting after a gap never extend the one under way.
	absences, err := t.absences(ctx, assignee.ID)
	if err != nil {
		return err
	}
	until, away := relance.AwayBeyond(absences, t.now, relance.AbsenceDecisionThreshold)
	if !away {
		return nil
	}
	managers, err := t.managersOf(ctx, assignee, lead.SiteID)
	if err != nil {
		return err
	}
	site, err := t.site(ctx, lead.SiteID)
	if err != nil {
		return err
	}
	loc := siteLocation(site)
	for _, m := range managers {
		id := uuid.Must(uuid.NewV7())
		asked, err := t.q.DecisionCreate(ctx, db.DecisionCreateParams{
			ID: id, OrgID: t.org, LeadID: lead.ID, AdvisorID: assignee.ID, ManagerID: m.ID, AbsentUntil: until, CreatedAt: t.now,
		})
		if err != nil || asked == 0 {
			return err
		}
		msg, err := message.Render("decision", m.Locale, message.Decision{
			ManagerName: m.DisplayName, AdvisorName: assignee.DisplayName, AwayUntil: until.In(loc),
			ContactName: lead.Contact.Name, Source: lead.Source, SiteName: site.Name,
		})
		if err != nil {
			return err
		}
		var channels []relance.Channel
		if m.Notifications.Email {
			channels = append(channels, relance.ChannelEmail)
		}
		if err := t.alertAndDeliver(ctx, "decision:"+id.String(), relance.AlertDecisionNeeded, &m, lead.ID, msg, channels); err != nil {
			return err
		}
	}
	return nil
}

// PendingDecisions lists the questions p has not answered yet, oldest first.
func (d *DB) PendingDecisions(ctx context.Context, p relance.Principal) ([]relance.Decision, error) {
	if err := p.CheckOwnAlerts(); err != nil {
		return nil, err
	}
	var out []relance.Decision
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.DecisionListPending(ctx, p.UserID)
		for _, r := range rows {
			out = append(out, toDecision(r))
		}
		return err
	})
	return out, err
}

// ResolveDecision answers a pending decision: reassign the lead to reassignTo, or keep it with
// its advisor when reassignTo is uuid.Nil. It returns not-found for a decision p was not asked,
// and failed-precondition for one already answered or lapsed.
func (d *DB) ResolveDecision(ctx context.Context, p relance.Principal, id, reassignTo uuid.UUID) (relance.Decision, relance.Lead, error) {
	var dec relance.Decision
	var lead relance.Lead
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.DecisionGetForUpdate(ctx, id)
		if err != nil {
			return found(err, "decision")
		}
		dec = toDecision(row)
		if err := p.CheckResolveDecision(&dec); err != nil {
			return err
		}
		if dec.State != relance.DecisionPending {
			return relance.Errorf(relance.CodeFailedPrecondition, "this decision was already %s", dec.State)
		}
		if lead, err = t.lockLead(ctx, dec.LeadID); err != nil {
			return err
		}
		dec.State, dec.ResolvedAt = relance.DecisionKept, &t.now
		if reassignTo != uuid.Nil {
			if err := t.assign(ctx, p, &lead, reassignTo); err != nil {
				return err
			}
			dec.State, dec.ReassignedTo = relance.DecisionReassigned, reassignTo
		}
		if err := t.q.DecisionResolve(ctx, db.DecisionResolveParams{
			ID: id, State: dec.State, ReassignedTo: optUUID(reassignTo), ResolvedBy: optUUID(p.UserID), ResolvedAt: &t.now,
		}); err != nil {
			return err
		}
		return t.audit(ctx, p, "decision.resolve", "lead", dec.LeadID, map[string]any{"decision": id, "state": dec.State})
	})
	return dec, lead, err
}

func toDecision(r db.Decision) relance.Decision {
	return relance.Decision{
		ID: r.ID, LeadID: r.LeadID, AdvisorID: r.AdvisorID, ManagerID: r.ManagerID, AbsentUntil: r.AbsentUntil,
		State: r.State, ReassignedTo: deref(r.ReassignedTo), CreatedAt: r.CreatedAt, ResolvedAt: r.ResolvedAt,
	}
}

// managersOf returns who answers for an advisor's leads at siteID: their manager when active,
// else the site's managers. A nil advisor (an unassigned lead) gets the site's managers.
func (t *tx) managersOf(ctx context.Context, advisor *relance.User, siteID uuid.UUID) ([]relance.User, error) {
	if advisor != nil && advisor.ManagerID != uuid.Nil {
		m, err := t.user(ctx, advisor.ManagerID)
		if err != nil {
			return nil, err
		}
		if m.Active {
			return []relance.User{m}, nil
		}
	}
	rows, err := t.q.UserListManagersOfSite(ctx, siteID)
	managers := make([]relance.User, len(rows))
	for i, m := range rows {
		managers[i] = toUser(m, nil)
	}
	return managers, err
}

// tellImproperClosure tells the managers answering for a lead that it was rejected after fewer
// contacts than required: an in-app alert, and an email to those who take them.
func (t *tx) tellImproperClosure(ctx context.Context, lead *relance.Lead, required int) error {
	var advisor *relance.User
	data := message.ImproperClosure{ContactName: lead.Contact.Name, Source: lead.Source, Contacts: lead.ClosureContacts, Required: required}
	if lead.AssigneeID != uuid.Nil {
		u, err := t.user(ctx, lead.AssigneeID)
		if err != nil {
			return err
		}
		advisor, data.AdvisorName = &u, u.DisplayName
	}
	managers, err := t.managersOf(ctx, advisor, lead.SiteID)
	if err != nil {
		return err
	}
	site, err := t.site(ctx, lead.SiteID)
	if err != nil {
		return err
	}
	data.SiteName = site.Name
	for _, m := range managers {
		data.ManagerName = m.DisplayName
		msg, err := message.Render("improper_closure", m.Locale, data)
		if err != nil {
			return err
		}
		var channels []relance.Channel
		if m.Notifications.Email {
			channels = append(channels, relance.ChannelEmail)
		}
		key := "improper:" + lead.ID.String() + ":" + t.now.Format(time.RFC3339Nano) + ":" + m.ID.String()
		if err := t.alertAndDeliver(ctx, key, relance.AlertLeadImproperClosure, &m, lead.ID, msg, channels); err != nil {
			return err
		}
	}
	return nil
}
