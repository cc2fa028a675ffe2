package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// ListDistributionRules lists the organisation's distribution rules (the organisation's own
// first, then sites', then sources'), for managers and admins.
func (d *DB) ListDistributionRules(ctx context.Context, p relance.Principal) ([]relance.DistributionRule, error) {
	if err := p.CheckDistributionAccess(); err != nil {
		return nil, err
	}
	var out []relance.DistributionRule
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		out, err = t.distributionRules(ctx)
		return err
	})
	return out, err
}

// CreateDistributionRule adds the rule of a scope (admins). Another rule of the same scope is
// a conflict; a site, fixed advisor or weighted advisor that does not exist in the organisation
// is invalid input.
func (d *DB) CreateDistributionRule(ctx context.Context, p relance.Principal, r relance.DistributionRule) (relance.DistributionRule, error) {
	if err := p.CheckDistributionManage(); err != nil {
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := t.checkDistributionRefs(ctx, &r); err != nil {
			return err
		}
		row, err := t.q.DistributionRuleCreate(ctx, db.DistributionRuleCreateParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, SiteID: optUUID(r.SiteID), Source: optString(r.Source),
			Strategy: string(r.Strategy), FixedAdvisorID: optUUID(r.FixedAdvisorID), MaxOpenLeads: int32(r.MaxOpenLeads),
			CalendarWithinMinutes: optMinutes(r.CalendarWithin), MoveAfterMinutes: optMinutes(r.MoveAfter),
			MaxMoves: int16(r.MaxMoves), CreatedAt: t.now,
		})
		if err != nil {
			return err
		}
		if err := t.setDistributionWeights(ctx, row.ID, r.Weights); err != nil {
			return err
		}
		weights := r.Weights
		r = toDistributionRule(row, weights)
		return t.audit(ctx, p, "distribution.create", "distribution_rule", r.ID, distributionDetails(&r))
	})
	return r, err
}

// UpdateDistributionRule replaces rule id with r (admins): not-found for a rule that does not
// exist. Advisors' round-robin standings are kept.
func (d *DB) UpdateDistributionRule(ctx context.Context, p relance.Principal, id uuid.UUID, r relance.DistributionRule) (relance.DistributionRule, error) {
	if err := p.CheckDistributionManage(); err != nil {
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.DistributionRuleLock(ctx, id); err != nil {
			return found(err, "distribution rule")
		}
		if err := t.checkDistributionRefs(ctx, &r); err != nil {
			return err
		}
		row, err := t.q.DistributionRuleUpdate(ctx, db.DistributionRuleUpdateParams{
			ID: id, SiteID: optUUID(r.SiteID), Source: optString(r.Source), Strategy: string(r.Strategy),
			FixedAdvisorID: optUUID(r.FixedAdvisorID), MaxOpenLeads: int32(r.MaxOpenLeads),
			CalendarWithinMinutes: optMinutes(r.CalendarWithin), MoveAfterMinutes: optMinutes(r.MoveAfter),
			MaxMoves: int16(r.MaxMoves), UpdatedAt: t.now,
		})
		if err != nil {
			return err
		}
		if err := t.q.DistributionWeightDeleteAll(ctx, id); err != nil {
			return err
		}
		if err := t.setDistributionWeights(ctx, id, r.Weights); err != nil {
			return err
		}
		weights := r.Weights
		r = toDistributionRule(row, weights)
		return t.audit(ctx, p, "distribution.update", "distribution_rule", r.ID, distributionDetails(&r))
	})
	return r, err
}

// DeleteDistributionRule removes rule id (admins); leads of its scope then follow the wider
// rule. It returns not-found for a rule that does not exist.
func (d *DB) DeleteDistributionRule(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	if err := p.CheckDistributionManage(); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		n, err := t.q.DistributionRuleDelete(ctx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return relance.NotFound("distribution rule")
		}
		return t.audit(ctx, p, "distribution.delete", "distribution_rule", id, nil)
	})
}

// checkDistributionRefs checks that what a rule names belongs to the organisation: its site,
// its fixed advisor (an advisor), its weighted advisors.
func (t *tx) checkDistributionRefs(ctx context.Context, r *relance.DistributionRule) error {
	if r.SiteID != uuid.Nil {
		if _, err := t.site(ctx, r.SiteID); err != nil {
			if relance.ErrorCode(err) == relance.CodeNotFound {
				return relance.Invalid("site_id", "no such site")
			}
			return err
		}
	}
	if r.FixedAdvisorID != uuid.Nil {
		u, err := t.refUser(ctx, r.FixedAdvisorID, "fixed_advisor_id")
		if err != nil {
			return err
		}
		if u.Role != relance.RoleAdvisor {
			return relance.Invalid("fixed_advisor_id", "must be an advisor")
		}
	}
	for id := range r.Weights {
		if _, err := t.refUser(ctx, id, "weights"); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) setDistributionWeights(ctx context.Context, rule uuid.UUID, weights map[uuid.UUID]int) error {
	for id, w := range weights {
		if err := t.q.DistributionWeightInsert(ctx, db.DistributionWeightInsertParams{
			OrgID: t.org, RuleID: rule, AdvisorID: id, Weight: int16(w),
		}); err != nil {
			return err
		}
	}
	return nil
}

// distributionRules loads every rule of the organisation with its weights.
func (t *tx) distributionRules(ctx context.Context) ([]relance.DistributionRule, error) {
	rows, err := t.q.DistributionRuleList(ctx)
	if err != nil || len(rows) == 0 {
		return []relance.DistributionRule{}, err
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	weights, err := t.distributionWeights(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]relance.DistributionRule, len(rows))
	for i, r := range rows {
		out[i] = toDistributionRule(r, weights[r.ID])
	}
	return out, nil
}

func (t *tx) distributionWeights(ctx context.Context, rules []uuid.UUID) (map[uuid.UUID]map[uuid.UUID]int, error) {
	rows, err := t.q.DistributionWeightList(ctx, rules)
	out := map[uuid.UUID]map[uuid.UUID]int{}
	for _, w := range rows {
		if out[w.RuleID] == nil {
			out[w.RuleID] = map[uuid.UUID]int{}
		}
		out[w.RuleID][w.AdvisorID] = int(w.Weight)
	}
	return out, err
}

func toDistributionRule(r db.DistributionRule, weights map[uuid.UUID]int) relance.DistributionRule {
	if weights == nil {
		weights = map[uuid.UUID]int{}
	}
	out := relance.DistributionRule{
		ID: r.ID, SiteID: deref(r.SiteID), Source: deref(r.Source), Strategy: relance.Strategy(r.Strategy),
		FixedAdvisorID: deref(r.FixedAdvisorID), Weights: weights, MaxOpenLeads: int(r.MaxOpenLeads),
		MaxMoves: int(r.MaxMoves), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	out.CalendarWithin = fromMinutes(r.CalendarWithinMinutes)
	out.MoveAfter = fromMinutes(r.MoveAfterMinutes)
	return out
}

func fromMinutes(m *int32) *time.Duration {
	if m == nil {
		return nil
	}
	d := time.Duration(*m) * time.Minute
	return &d
}

func optMinutes(d *time.Duration) *int32 {
	if d == nil {
		return nil
	}
	m := int32(*d / time.Minute)
	return &m
}

func distributionDetails(r *relance.DistributionRule) map[string]any {
	return map[string]any{"site": r.SiteID, "source": r.Source, "strategy": r.Strategy}
}

// distribute gives a new lead without an assignee to the advisor its distribution rule
// chooses, in the caller's transaction, so that the assignment alert and the reminder ladder
// start with the lead. When the rule chooses nobody, the lead stays unassigned and the site's
// managers are told why. Without a rule, nothing happens. The audit log names the rule.
//
// The rule's row is locked for the whole choice: concurrent leads under one rule, from any
// number of processes, take their turns one after another on committed standings and loads.
func (t *tx) distribute(ctx context.Context, p relance.Principal, lead *relance.Lead) error {
	rules, err := remember(t.memo.distributionRules, t.org, func() ([]db.DistributionRule, error) { return t.q.DistributionRuleList(ctx) })
	if err != nil || len(rules) == 0 {
		return err
	}
	scopes := make([]relance.DistributionRule, len(rules))
	for i, r := range rules {
		scopes[i] = toDistributionRule(r, nil)
	}
	picked, ok := relance.PickDistributionRule(scopes, lead.SiteID, lead.Source)
	if !ok {
		return nil
	}
	rule, state, ok, err := t.lockDistributionRule(ctx, picked.ID)
	if err != nil || !ok {
		return err // !ok: deleted meanwhile
	}
	out, err := t.choose(ctx, &rule, state, lead.SiteID, uuid.Nil)
	if err != nil {
		return err
	}
	details := distributionOutcome(&rule, &out)
	if out.AdvisorID == uuid.Nil {
		if err := t.tellUnassigned(ctx, lead, &rule, &out); err != nil {
			return err
		}
		return t.audit(ctx, p, "lead.distribute", "lead", lead.ID, details)
	}
	if err := t.takeTurn(ctx, &rule, &out); err != nil {
		return err
	}
	assignee, err := t.user(ctx, out.AdvisorID)
	if err != nil {
		return err
	}
	if err := t.q.LeadAssign(ctx, db.LeadAssignParams{ID: lead.ID, AssigneeID: &assignee.ID, AssignedAt: &t.now}); err != nil {
		return err
	}
	lead.AssigneeID, lead.AssignedAt = assignee.ID, &t.now
	if err := t.afterAssignment(ctx, lead, &assignee, true); err != nil {
		return err
	}
	if err := t.scheduleMove(ctx, lead, &rule, 0); err != nil {
		return err
	}
	return t.audit(ctx, p, "lead.distribute", "lead", lead.ID, details)
}

// lockDistributionRule locks rule id and returns it with its round-robin state; ok is false
// when it does not exist.
func (t *tx) lockDistributionRule(ctx context.Context, id uuid.UUID) (relance.DistributionRule, relance.RoundRobin, bool, error) {
	row, err := t.q.DistributionRuleLock(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.DistributionRule{}, relance.RoundRobin{}, false, nil
	}
	if err != nil {
		return relance.DistributionRule{}, relance.RoundRobin{}, false, err
	}
	weights, err := t.distributionWeights(ctx, []uuid.UUID{row.ID})
	return toDistributionRule(row, weights[row.ID]), relance.RoundRobin{Clock: row.RrClock, Turn: row.RrTurn}, true, err
}

// choose runs the rule over the candidates of siteID, but for skip (uuid.Nil: nobody).
func (t *tx) choose(ctx context.Context, rule *relance.DistributionRule, state relance.RoundRobin, siteID, skip uuid.UUID) (relance.Distribution, error) {
	var candidates []relance.Candidate
	if rule.Strategy != relance.StrategyManager {
		all, err := t.candidates(ctx, rule, siteID)
		if err != nil {
			return relance.Distribution{}, err
		}
		for _, c := range all {
			if c.UserID != skip {
				candidates = append(candidates, c)
			}
		}
	}
	return relance.Distribute(rule, candidates, state), nil
}

// takeTurn records a choice in the rule's round-robin state and its advisor's standing.
func (t *tx) takeTurn(ctx context.Context, rule *relance.DistributionRule, out *relance.Distribution) error {
	if err := t.q.DistributionRuleAdvance(ctx, db.DistributionRuleAdvanceParams{ID: rule.ID, RrClock: out.State.Clock, RrTurn: out.State.Turn}); err != nil {
		return err
	}
	return t.q.DistributionTurnSet(ctx, db.DistributionTurnSetParams{
		OrgID: t.org, RuleID: rule.ID, AdvisorID: out.AdvisorID, Pass: out.Pass, LastTurn: out.State.Turn,
	})
}

// distributionOutcome is what the audit log keeps of a distribution.
func distributionOutcome(rule *relance.DistributionRule, out *relance.Distribution) map[string]any {
	details := map[string]any{"rule": rule.ID, "strategy": rule.Strategy}
	if len(out.Passed) > 0 {
		passed := make([]map[string]any, len(out.Passed))
		for i, c := range out.Passed {
			passed[i] = map[string]any{"advisor": c.Candidate.UserID, "why": c.Why}
		}
		details["passed"] = passed
	}
	if out.AdvisorID == uuid.Nil {
		details["unassigned"] = out.Unassigned
	} else {
		details["assignee"] = out.AdvisorID
	}
	return details
}

// moveRef is what a lead timer was written for: the advisor, the rule, and the moves so far.
// It is a rung of the reminder ladder (TimerLeadReminder): whatever stops the ladder (an
// answer, a closure, a reassignment) stops it too.
func moveRef(assignee, rule uuid.UUID, moves int) string {
	return assignee.String() + "|move:" + rule.String() + ":" + strconv.Itoa(moves)
}

func parseMoveRef(ref string) (assignee, rule uuid.UUID, moves int, ok bool) {
	a, rest, ok1 := strings.Cut(ref, "|move:")
	r, n, ok2 := strings.Cut(rest, ":")
	assignee, err1 := uuid.Parse(a)
	rule, err2 := uuid.Parse(r)
	moves, err3 := strconv.Atoi(n)
	return assignee, rule, moves, ok1 && ok2 && err1 == nil && err2 == nil && err3 == nil
}

// scheduleMove writes the lead timer of a lead its rule gave: the rule's delay of the advisor's
// business time from now. After the last move it is written once more, to hand the lead to the
// managers when that advisor does not answer either.
func (t *tx) scheduleMove(ctx context.Context, lead *relance.Lead, rule *relance.DistributionRule, moves int) error {
	if rule.MoveAfter == nil || moves > rule.MaxMoves {
		return nil
	}
	cal, err := t.calendar(ctx, lead.SiteID, lead.AssigneeID)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return nil
	}
	if err != nil {
		return err
	}
	due, err := cal.Add(t.now, *rule.MoveAfter)
	if errors.Is(err, calendar.ErrNoOpenTime) {
		return nil
	}
	if err != nil {
		return err
	}
	return t.schedule(ctx, relance.TimerLeadReminder, lead.ID, moveRef(lead.AssigneeID, rule.ID, moves), due)
}

// fireMove fires a lead timer: a lead still unanswered by the advisor its rule gave it to moves
// to the next eligible advisor (who gets the assignment alert and a new ladder), and the former
// advisor and the managers are told; after the rule's last move, or with nobody eligible, the
// lead stays and the managers are told it is theirs to handle. Nothing happens when the lead was
// answered, closed or reassigned since; while the advisor's calendar is closed, the timer waits
// for its next open instant (done is false).
func (t *tx) fireMove(ctx context.Context, timer db.Timer, assignee, ruleID uuid.UUID, moves int) (done bool, err error) {
	lead, err := t.lockLead(ctx, timer.SubjectID)
	if relance.ErrorCode(err) == relance.CodeNotFound {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if lead.AssigneeID != assignee || lead.Stage != relance.StageOpen || lead.FirstResponseAt != nil {
		return true, nil
	}
	_, cal, err := t.siteCalendar(ctx, lead.SiteID, assignee)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if open, err := t.openNowOrLater(ctx, timer, cal); !open || err != nil {
		return false, err
	}
	rule, state, ok, err := t.lockDistributionRule(ctx, ruleID)
	if err != nil || !ok || rule.MoveAfter == nil {
		return true, err
	}
	system := relance.Principal{OrgID: t.org}
	var out relance.Distribution
	if moves < rule.MaxMoves {
		if out, err = t.choose(ctx, &rule, state, lead.SiteID, assignee); err != nil {
			return false, err
		}
	}
	previous, err := t.user(ctx, assignee)
	if err != nil {
		return false, err
	}
	details := distributionOutcome(&rule, &out)
	details["moves"], details["from"] = moves, assignee
	if out.AdvisorID == uuid.Nil {
		details["to_manager"] = true
		if err := t.tellMoved(ctx, timer, &lead, &previous, nil, &rule, moves); err != nil {
			return false, err
		}
		return true, t.audit(ctx, system, "lead.move", "lead", lead.ID, details)
	}
	if err := t.takeTurn(ctx, &rule, &out); err != nil {
		return false, err
	}
	if err := t.assign(ctx, system, &lead, out.AdvisorID); err != nil {
		return false, err
	}
	next, err := t.user(ctx, out.AdvisorID)
	if err != nil {
		return false, err
	}
	if err := t.tellMoved(ctx, timer, &lead, &previous, &next, &rule, moves+1); err != nil {
		return false, err
	}
	if err := t.scheduleMove(ctx, &lead, &rule, moves+1); err != nil {
		return false, err
	}
	return true, t.audit(ctx, system, "lead.move", "lead", lead.ID, details)
}

// tellMoved tells the former advisor (when the lead moved) and the managers answering for them
// that a lead was not answered in time: moved to next, or, with next nil, left to the managers.
func (t *tx) tellMoved(ctx context.Context, timer db.Timer, lead *relance.Lead, from, next *relance.User, rule *relance.DistributionRule, moves int) error {
	managers, err := t.managersOf(ctx, from, lead.SiteID)
	if err != nil {
		return err
	}
	site, err := t.site(ctx, lead.SiteID)
	if err != nil {
		return err
	}
	data := message.LeadMoved{
		ContactName: lead.Contact.Name, Source: lead.Source, SiteName: site.Name, FromName: from.DisplayName,
		Minutes: int(*rule.MoveAfter / time.Minute), Moves: moves,
	}
	recipients := managers
	if next != nil {
		data.ToName = next.DisplayName
		if from.Active {
			recipients = append([]relance.User{*from}, managers...)
		}
	}
	for _, u := range recipients {
		data.RecipientName = u.DisplayName
		msg, err := message.Render("lead_moved", u.Locale, data)
		if err != nil {
			return err
		}
		var channels []relance.Channel
		if u.Notifications.Email {
			channels = append(channels, relance.ChannelEmail)
		}
		if err := t.alertAndDeliver(ctx, "moved:"+timer.ID.String()+":"+u.ID.String(), relance.AlertLeadMoved, &u, lead.ID, msg, channels); err != nil {
			return err
		}
	}
	return nil
}

// candidates lists who a lead of siteID may go to under rule, as they stand now: absences,
// open leads, round-robin standings and, when the rule asks, how soon their calendar opens.
func (t *tx) candidates(ctx context.Context, rule *relance.DistributionRule, siteID uuid.UUID) ([]relance.Candidate, error) {
	rows, err := t.q.DistributionCandidates(ctx, db.DistributionCandidatesParams{
		SiteID: siteID, RuleID: rule.ID, FixedAdvisorID: optUUID(rule.FixedAdvisorID), CountOpenLeads: rule.WeighsLoads(),
	})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	horizon := t.now.Add(time.Minute)
	if rule.CalendarWithin != nil {
		horizon = t.now.AddDate(1, 0, 0)
	}
	absRows, err := t.q.AbsenceListForUsers(ctx, db.AbsenceListForUsersParams{UserIds: ids, FromTime: t.now, ToTime: horizon})
	if err != nil {
		return nil, err
	}
	absences := map[uuid.UUID][]relance.Absence{}
	for _, a := range absRows {
		absences[a.UserID] = append(absences[a.UserID], toAbsence(a))
	}
	var siteCal *calendar.Calendar
	if rule.CalendarWithin != nil {
		site, err := t.site(ctx, siteID)
		if err != nil {
			return nil, err
		}
		if siteCal, err = calendar.ForSite(site); err != nil && !errors.Is(err, calendar.ErrNeverOpen) {
			return nil, err
		}
	}
	out := make([]relance.Candidate, len(rows))
	for i, r := range rows {
		c := relance.Candidate{
			UserID: r.ID, Name: r.DisplayName, Role: relance.Role(r.Role), Active: r.Active, AtSite: r.AtSite,
			OpenLeads: int(r.OpenLeads), Pass: r.Pass, LastTurn: r.LastTurn,
		}
		if until, away := relance.AwayBeyond(absences[r.ID], t.now, 0); away {
			c.AbsentUntil = until
		}
		if siteCal != nil {
			own := siteCal.WithAbsences(absences[r.ID])
			if next, err := own.NextOpen(t.now); err == nil {
				in := siteCal.Between(t.now, next)
				c.OpensIn = &in
			}
		}
		out[i] = c
	}
	return out, nil
}

// tellUnassigned tells the managers of a lead's site that the distribution gave it to nobody,
// and why: an in-app alert, and an email to those who take them.
func (t *tx) tellUnassigned(ctx context.Context, lead *relance.Lead, rule *relance.DistributionRule, out *relance.Distribution) error {
	managers, err := t.managersOf(ctx, nil, lead.SiteID)
	if err != nil || len(managers) == 0 {
		return err
	}
	site, err := t.site(ctx, lead.SiteID)
	if err != nil {
		return err
	}
	loc := siteLocation(site)
	data := message.LeadUnassigned{ContactName: lead.Contact.Name, Source: lead.Source, SiteName: site.Name, Reason: string(out.Unassigned)}
	for _, c := range out.Passed {
		pa := message.PassedAdvisor{Name: c.Candidate.Name, Why: string(c.Why), OpenLeads: c.Candidate.OpenLeads, Cap: rule.MaxOpenLeads}
		if !c.Candidate.AbsentUntil.IsZero() {
			pa.Until = c.Candidate.AbsentUntil.In(loc).Format("2006-01-02 15:04")
		}
		data.Passed = append(data.Passed, pa)
	}
	for _, m := range managers {
		data.ManagerName = m.DisplayName
		msg, err := message.Render("lead_unassigned", m.Locale, data)
		if err != nil {
			return err
		}
		var channels []relance.Channel
		if m.Notifications.Email {
			channels = append(channels, relance.ChannelEmail)
		}
		if err := t.alertAndDeliver(ctx, "unassigned:"+lead.ID.String()+":"+m.ID.String(), relance.AlertLeadUnassigned, &m, lead.ID, msg, channels); err != nil {
			return err
		}
	}
	return nil
}
