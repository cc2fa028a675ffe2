package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// MaxImport bounds one ImportCalls batch.
const MaxImport = 1000

// RecordCall records one call on its lead (given, or found by phone number within p's
// organisation only). The same external id twice is one call: the second time returns the first
// with created false, and changes nothing.
func (d *DB) RecordCall(ctx context.Context, p relance.Principal, in relance.NewCall) (relance.Call, bool, error) {
	var c relance.Call
	var created bool
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		// Recording a call writes no sites, people, absences, ladders, webhook endpoints or
		// settings: its reads of them are kept (a first answer reads the endpoints twice).
		t.memo = newMemo()
		rules, err := t.callReadAhead(ctx, p, &in)
		if err != nil {
			return err
		}
		c, created, err = t.recordCall(ctx, p, in, rules)
		return err
	})
	return c, created, err
}

// callReadAhead reads in one round trip what recording in needs besides the call itself, and
// returns the cadence rules: the lead when in names it, locked (lockLead takes it), the advisor
// (refUser) and the enabled webhook endpoints (emit), into the memo. What is not found is left
// for the usual read to refuse.
func (t *tx) callReadAhead(ctx context.Context, p relance.Principal, in *relance.NewCall) ([]relance.CadenceRule, error) {
	var rules []relance.CadenceRule
	reads := []read{func(q *db.Queries) error {
		rows, err := q.CadenceRuleList(ctx)
		rules = make([]relance.CadenceRule, len(rows))
		for i, r := range rows {
			rules[i] = toCadenceRule(r)
		}
		return err
	}}
	if id := in.LeadID; id != uuid.Nil {
		reads = append(reads, func(q *db.Queries) error {
			return keepFound(t.memo.locked, id)(q.LeadGetForUpdate(ctx, id))
		})
	}
	if advisor := cmp.Or(in.AdvisorID, p.UserID); advisor != uuid.Nil {
		reads = append(reads, func(q *db.Queries) error {
			row, err := q.UserGet(ctx, advisor)
			return keepFound(t.memo.users, advisor)(userWithSites(row.User, row.SiteIds, row.UnitIds), err)
		})
	}
	reads = append(reads, func(q *db.Queries) error {
		return keep(t.memo.endpoints, t.org)(q.WebhookEndpointListEnabled(ctx))
	})
	return rules, t.pipeline(ctx, reads...)
}

// ImportCalls records a batch of calls (a PBX export) in one transaction. A call refused for its
// own sake (bad field, no lead with its number, not allowed) is reported in its result and the
// others are recorded; any other error records none.
func (d *DB) ImportCalls(ctx context.Context, p relance.Principal, calls []relance.NewCall) ([]relance.CallResult, error) {
	if len(calls) > MaxImport {
		return nil, relance.Invalid("calls", fmt.Sprintf("at most %d calls per import", MaxImport))
	}
	var out []relance.CallResult
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rules, err := t.cadenceRules(ctx)
		if err != nil {
			return err
		}
		out = make([]relance.CallResult, len(calls))
		for i, in := range calls {
			err := t.attempt(ctx, func() error {
				var err error
				out[i].Call, out[i].Created, err = t.recordCall(ctx, p, in, rules)
				return err
			})
			if relance.ErrorCode(err) == "" && err != nil {
				return err
			}
			out[i].Err = err
		}
		return nil
	})
	return out, err
}

// recordCall records a call in t: checks, finds the lead, dedupes, writes the call and its
// timeline entry, counts it on the lead, and lets it answer the lead or end its plans.
func (t *tx) recordCall(ctx context.Context, p relance.Principal, in relance.NewCall, rules []relance.CadenceRule) (relance.Call, bool, error) {
	if in.AdvisorID == uuid.Nil {
		in.AdvisorID = p.UserID // a person records their own calls; a partner key names the advisor
	}
	if err := relance.CheckCall(&in, t.now, t.backdate); err != nil {
		return relance.Call{}, false, err
	}
	fingerprint := in.Fingerprint()
	lead, err := t.callLead(ctx, &in)
	if err != nil {
		return relance.Call{}, false, err
	}
	if err := p.CheckRecordCall(&lead, in.AdvisorID); err != nil {
		return relance.Call{}, false, err
	}
	if in.AdvisorID != uuid.Nil {
		if _, err := t.refUser(ctx, in.AdvisorID, "advisor_id"); err != nil {
			return relance.Call{}, false, err
		}
	}
	rule := relance.PickCadence(rules, lead.SiteID, lead.Source)
	c := in.Call
	c.ID, c.LeadID, c.ActivityID, c.RecordedBy, c.CreatedAt = uuid.Must(uuid.NewV7()), lead.ID, uuid.Must(uuid.NewV7()), p.UserID, t.now
	c.StartedAt = c.StartedAt.UTC().Truncate(time.Microsecond)
	c.Successful = rule.Successful(&c)
	origin := relance.OriginHuman
	if c.AdvisorID == uuid.Nil {
		origin = relance.OriginSystem // a call nobody took: on the timeline, but nobody's act
	}
	attempts, touches := 0, 0
	if c.Attempt() {
		attempts = 1
	}
	if c.Successful {
		touches = 1
	}
	actorKind, actor := auditActor(p)
	details, err := auditDetails(map[string]any{"call": c.ID, "external_id": c.ExternalID})
	if err != nil {
		return relance.Call{}, false, err
	}
	_, err = t.q.CallRecord(ctx, db.CallRecordParams{
		ID: c.ID, OrgID: t.org, LeadID: c.LeadID, AdvisorID: optUUID(c.AdvisorID), Direction: string(c.Direction),
		StartedAt: c.StartedAt, DurationSeconds: int32(c.Duration / time.Second), Outcome: string(c.Outcome),
		Phone: c.Phone, RecordingUrl: c.RecordingURL, ExternalID: optString(c.ExternalID), Successful: c.Successful,
		ActivityID: c.ActivityID, RecordedBy: optUUID(c.RecordedBy), CreatedAt: t.now, Fingerprint: fingerprint,
		ActivityKind: string(relance.KindCall), ActivityOrigin: string(origin), ActivityState: string(relance.ActivityDone),
		ActivityContent: callSummary(&c), Attempts: int32(attempts), Touches: int32(touches),
		AuditActorKind: actorKind, AuditActorID: actor, AuditDetails: details,
	})
	if errors.Is(err, pgx.ErrNoRows) { // recorded before under the same external id
		row, err := t.q.CallGetByExternalID(ctx, &c.ExternalID)
		if err != nil {
			return relance.Call{}, false, err
		}
		prev := callOut(p, &lead, row)
		if err := relance.CheckCallReplay(fingerprint, &prev, row.Fingerprint); err != nil {
			return relance.Call{}, false, err
		}
		return prev, false, nil
	}
	if err != nil {
		return relance.Call{}, false, err
	}
	if c.Answers() {
		if err := t.answered(ctx, &lead, c.StartedAt); err != nil {
			return relance.Call{}, false, err
		}
	}
	if c.Direction == relance.Inbound {
		if err := t.exitPlans(ctx, db.EnrolmentListRunningParams{LeadID: &lead.ID}, relance.ExitReplied); err != nil {
			return relance.Call{}, false, err
		}
	}
	t.emit(ctx, webhook.CallRecorded, lead.ID, c)
	if !p.CanHearRecording(&lead, &c) {
		c.RecordingURL = ""
	}
	return c, true, nil
}

// callLead locks the lead of a call: the one named, else the one its number (in E.164, a
// national number read in the country of the advisor's sites, else of the organisation's) belongs
// to in this organisation (open ones first, then the advisor's, then the newest).
func (t *tx) callLead(ctx context.Context, in *relance.NewCall) (relance.Lead, error) {
	if in.LeadID != uuid.Nil {
		return t.lockLead(ctx, in.LeadID)
	}
	var country string
	if !relance.IsInternational(in.Phone) {
		var err error
		if country, err = t.q.CallCountry(ctx, db.CallCountryParams{OrgID: t.org, AdvisorID: optUUID(in.AdvisorID)}); err != nil {
			return relance.Lead{}, err
		}
	}
	number, err := relance.PhoneE164("phone", in.Phone, relance.Country(country))
	if err != nil {
		return relance.Lead{}, err
	}
	row, err := t.q.LeadByPhone(ctx, db.LeadByPhoneParams{OrgID: t.org, Phone: number, AdvisorID: optUUID(in.AdvisorID)})
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.Lead{}, relance.NotFound("lead with this phone number")
	}
	if err != nil {
		return relance.Lead{}, err
	}
	return t.lockLead(ctx, row.ID)
}

// callSummary is what the timeline shows of a call.
func callSummary(c *relance.Call) string {
	return fmt.Sprintf("%s call, %s, %s", c.Direction, c.Duration.Round(time.Second), c.Outcome)
}

// ListCalls returns the calls of a lead p may see, oldest first; the recording link only to
// those who may hear it.
func (d *DB) ListCalls(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Call, error) {
	var out []relance.Call
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		lead, err := t.visibleLead(ctx, p, leadID)
		if err != nil {
			return err
		}
		rows, err := t.q.CallListByLead(ctx, leadID)
		for _, r := range rows {
			out = append(out, callOut(p, &lead, r))
		}
		return err
	})
	return out, err
}

// callOut is a call as p may see it.
func callOut(p relance.Principal, lead *relance.Lead, r db.Call) relance.Call {
	c := relance.Call{
		ID: r.ID, LeadID: r.LeadID, AdvisorID: deref(r.AdvisorID), Direction: relance.Direction(r.Direction),
		StartedAt: r.StartedAt, Duration: time.Duration(r.DurationSeconds) * time.Second,
		Outcome: relance.CallOutcome(r.Outcome), Phone: r.Phone, RecordingURL: r.RecordingUrl,
		ExternalID: deref(r.ExternalID), Successful: r.Successful, ActivityID: r.ActivityID,
		RecordedBy: deref(r.RecordedBy), CreatedAt: r.CreatedAt,
	}
	if !p.CanHearRecording(lead, &c) {
		c.RecordingURL = ""
	}
	return c
}

// cadenceRules returns the organisation's cadence rules.
func (t *tx) cadenceRules(ctx context.Context) ([]relance.CadenceRule, error) {
	rows, err := t.q.CadenceRuleList(ctx)
	out := make([]relance.CadenceRule, len(rows))
	for i, r := range rows {
		out[i] = toCadenceRule(r)
	}
	return out, err
}

func toCadenceRule(r db.CadenceRule) relance.CadenceRule {
	return relance.CadenceRule{
		ID: r.ID, SiteID: deref(r.SiteID), Source: deref(r.Source), AttemptsPerDay: int(r.AttemptsPerDay),
		Days: int(r.Days), MinContacts: int(r.MinContacts), SuccessAfter: time.Duration(r.SuccessSeconds) * time.Second,
		Guard: relance.ClosureGuard(r.ClosureGuard), UpdatedAt: r.UpdatedAt,
	}
}

// CadenceRules returns the organisation's rules (the organisation's own first, then sites',
// then sources') and the rule that applies where none is set.
func (d *DB) CadenceRules(ctx context.Context, p relance.Principal) ([]relance.CadenceRule, error) {
	if p.UserID == uuid.Nil {
		return nil, relance.Errorf(relance.CodePermissionDenied, "partner keys do not read cadence rules")
	}
	var out []relance.CadenceRule
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		out, err = t.cadenceRules(ctx)
		return err
	})
	return out, err
}

// SetCadenceRule creates or replaces the rule of a scope (the organisation, a site, a source):
// admins for every scope, managers for their sites.
func (d *DB) SetCadenceRule(ctx context.Context, p relance.Principal, r relance.CadenceRule) (relance.CadenceRule, error) {
	if err := r.Validate(); err != nil {
		return r, err
	}
	if err := p.CheckCadenceScope(r.SiteID); err != nil {
		return r, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if r.SiteID != uuid.Nil {
			if _, err := t.site(ctx, r.SiteID); err != nil {
				return err
			}
		}
		row, err := t.q.CadenceRuleUpsert(ctx, db.CadenceRuleUpsertParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, SiteID: optUUID(r.SiteID), Source: optString(r.Source),
			AttemptsPerDay: int16(r.AttemptsPerDay), Days: int16(r.Days), MinContacts: int16(r.MinContacts),
			SuccessSeconds: int32(r.SuccessAfter / time.Second), ClosureGuard: string(r.Guard), UpdatedAt: t.now,
		})
		if err != nil {
			return err
		}
		r = toCadenceRule(row)
		return t.audit(ctx, p, "cadence.set", "cadence_rule", r.ID, map[string]any{"site": r.SiteID, "source": r.Source})
	})
	return r, err
}

// DeleteCadenceRule removes the rule of a scope, which then follows the wider one.
func (d *DB) DeleteCadenceRule(ctx context.Context, p relance.Principal, siteID uuid.UUID, source string) error {
	if err := p.CheckCadenceScope(siteID); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		n, err := t.q.CadenceRuleDelete(ctx, db.CadenceRuleDeleteParams{SiteID: optUUID(siteID), Source: optString(source)})
		if err != nil {
			return err
		}
		if n == 0 {
			return relance.NotFound("cadence rule")
		}
		return t.audit(ctx, p, "cadence.delete", "cadence_rule", uuid.Nil, map[string]any{"site": siteID, "source": source})
	})
}

// withCadence fills in where each open assigned lead stands in its cadence rule at t.now, in
// its advisor's calendar.
func (t *tx) withCadence(ctx context.Context, leads []relance.Lead) error {
	var ids []uuid.UUID
	for _, l := range leads {
		if l.Stage == relance.StageOpen && l.AssigneeID != uuid.Nil {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rules, err := t.cadenceRules(ctx)
	if err != nil {
		return err
	}
	rows, err := t.q.CallAttemptsOfLeads(ctx, ids)
	if err != nil {
		return err
	}
	attempts := map[uuid.UUID][]time.Time{}
	for _, r := range rows {
		attempts[r.LeadID] = append(attempts[r.LeadID], r.StartedAt)
	}
	var advisors []uuid.UUID
	for _, l := range leads {
		advisors = append(advisors, l.AssigneeID)
	}
	cals, err := newCalendars(ctx, t, advisors)
	if err != nil {
		return err
	}
	for i := range leads {
		l := &leads[i]
		if l.Stage != relance.StageOpen || l.AssigneeID == uuid.Nil {
			continue
		}
		lc, err := cals.cadence(ctx, rules, l)
		if err != nil {
			return err
		}
		if lc == nil {
			continue
		}
		c := relance.CadenceOf(&lc.rule, lc.days, lc.cal.Day(t.now), attempts[l.ID], l.SuccessfulTouches)
		l.Cadence = &c
	}
	return nil
}

// calendars builds the calendars of many advisors for one read: each site's once, and the
// absences of all the advisors in one query.
type calendars struct {
	t     *tx
	sites map[uuid.UUID]*calendar.Calendar
	away  map[uuid.UUID][]relance.Absence
	built map[[2]uuid.UUID]*calendar.Calendar
}

// newCalendars prepares the calendars of users (their absences from a year back on).
func newCalendars(ctx context.Context, t *tx, users []uuid.UUID) (*calendars, error) {
	c := &calendars{t: t, sites: map[uuid.UUID]*calendar.Calendar{}, away: map[uuid.UUID][]relance.Absence{},
		built: map[[2]uuid.UUID]*calendar.Calendar{}}
	rows, err := t.q.AbsenceListForUsers(ctx, db.AbsenceListForUsersParams{
		UserIds: users, FromTime: t.now.AddDate(-1, 0, 0), ToTime: t.now.AddDate(5, 0, 0),
	})
	for _, r := range rows {
		c.away[r.UserID] = append(c.away[r.UserID], toAbsence(r))
	}
	return c, err
}

// of returns the calendar of userID (one of those prepared) at siteID.
func (c *calendars) of(ctx context.Context, siteID, userID uuid.UUID) (*calendar.Calendar, error) {
	key := [2]uuid.UUID{siteID, userID}
	if cal, ok := c.built[key]; ok {
		return cal, nil
	}
	site, ok := c.sites[siteID]
	if !ok {
		var err error
		if site, err = c.t.calendar(ctx, siteID, uuid.Nil); err != nil {
			return nil, err
		}
		c.sites[siteID] = site
	}
	cal := site.WithAbsences(c.away[userID])
	c.built[key] = cal
	return cal, nil
}

// leadCadence is a lead's cadence rule, its cadence days and its advisor's calendar.
type leadCadence struct {
	rule relance.CadenceRule
	days []relance.Day
	cal  *calendar.Calendar
}

// cadence returns where lead l's cadence lies (its site, advisor, source and receipt matter),
// or nil when its site never opens.
func (c *calendars) cadence(ctx context.Context, rules []relance.CadenceRule, l *relance.Lead) (*leadCadence, error) {
	cal, err := c.of(ctx, l.SiteID, l.AssigneeID)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rule := relance.PickCadence(rules, l.SiteID, l.Source)
	return &leadCadence{rule: rule, days: cal.WorkingDays(l.ReceivedAt, rule.Days), cal: cal}, nil
}

// closureGuard applies the cadence rule to a lead about to be rejected: with fewer contacts than
// the rule asks, refused when the rule says so, else flagged and the advisor's manager (or the
// site's managers) told.
func (t *tx) closureGuard(ctx context.Context, lead *relance.Lead) error {
	rules, err := t.cadenceRules(ctx)
	if err != nil {
		return err
	}
	rule := relance.PickCadence(rules, lead.SiteID, lead.Source)
	contacts, err := t.q.LeadContacts(ctx, lead.ID)
	if err != nil || !rule.ImproperClosure(int(contacts)) {
		return err
	}
	if rule.Guard == relance.GuardRefuse {
		return relance.Errorf(relance.CodeFailedPrecondition,
			"the lead has had %d contacts; the cadence rule asks for %d before rejecting it", contacts, rule.MinContacts)
	}
	if err := t.q.LeadMarkImproper(ctx, db.LeadMarkImproperParams{ID: lead.ID, ImproperClosureAt: &t.now, ClosureContacts: &contacts}); err != nil {
		return err
	}
	lead.ImproperClosureAt, lead.ClosureContacts = &t.now, int(contacts)
	return t.tellImproperClosure(ctx, lead, rule.MinContacts)
}
