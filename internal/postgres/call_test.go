package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// call records an outbound call by Alice on lead at local time at, lasting d.
func (s *sim) call(lead uuid.UUID, at string, d time.Duration, outcome relance.CallOutcome) relance.Call {
	s.t.Helper()
	c, _, err := s.db.RecordCall(ctx, s.w.As(s.w.Alice), relance.NewCall{LeadID: lead, Call: relance.Call{
		Direction: relance.Outbound, StartedAt: paris(s.t, at), Duration: d, Outcome: outcome,
	}})
	if err != nil {
		s.t.Fatalf("call at %s: %v", at, err)
	}
	return c
}

func TestCallsFindTheirLeadAndCountOnce(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 18:00")) // a Monday
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)    // +33612345678
	other := testenv.NewWorld(t, s.db)           // another tenant, a lead with the same number
	other.Lead(t, "Homonyme", other.Alice.ID)
	partner := relance.Principal{OrgID: s.w.Org.ID, Role: relance.RolePartner, Scopes: []relance.Scope{relance.ScopeCallsRecord}}

	// A PBX gives national numbers; the call finds Jean in this organisation only.
	pbx := relance.NewCall{Call: relance.Call{
		Direction: relance.Outbound, AdvisorID: s.w.Alice.ID, StartedAt: paris(t, "2026-12-14 10:00"), Duration: 45 * time.Second,
		Outcome: relance.CallAnswered, Phone: "06 12 34 56 78", ExternalID: "pbx-1", RecordingURL: "https://pbx.example/rec/1.mp3",
	}}
	c, created, err := s.db.RecordCall(ctx, partner, pbx)
	if err != nil || !created || c.LeadID != lead.ID || !c.Successful || c.RecordingURL != "" {
		t.Fatalf("call = %+v, created %v, %v", c, created, err)
	}
	again, created, err := s.db.RecordCall(ctx, partner, pbx)
	if err != nil || created || again.ID != c.ID {
		t.Fatalf("the same call again = %+v, created %v, %v", again, created, err)
	}
	got, err := s.db.GetLead(ctx, s.w.As(s.w.Alice), lead.ID)
	if err != nil || got.CallAttempts != 1 || got.SuccessfulTouches != 1 || got.FirstResponseAt == nil ||
		!got.FirstResponseAt.Equal(paris(t, "2026-12-14 10:00")) || got.Cadence == nil || got.Cadence.AttemptsToday != 1 {
		t.Fatalf("lead after the call = %+v (cadence %+v), %v", got, got.Cadence, err)
	}
	homonym, _, err := other.DB.ListLeads(ctx, other.As(other.Admin), relance.LeadFilter{})
	if err != nil || homonym[0].CallAttempts != 0 {
		t.Fatalf("the other tenant's lead was called: %+v, %v", homonym, err)
	}
	_, _, err = s.db.RecordCall(ctx, partner, relance.NewCall{Call: relance.Call{
		Direction: relance.Outbound, AdvisorID: s.w.Alice.ID, StartedAt: paris(t, "2026-12-14 10:05"), Outcome: relance.CallNoAnswer, Phone: "+33699999999",
	}})
	wantCode(t, err, relance.CodeNotFound)

	// Who hears the recording: the manager, the admin, the advisor who called; not a partner key.
	for name, p := range map[string]relance.Principal{"manager": s.w.As(s.w.Manager), "admin": s.w.As(s.w.Admin), "alice": s.w.As(s.w.Alice)} {
		calls, err := s.db.ListCalls(ctx, p, lead.ID)
		if err != nil || len(calls) != 1 || calls[0].RecordingURL == "" {
			t.Errorf("%s: calls = %+v, %v", name, calls, err)
		}
	}
	if _, err := s.db.ListCalls(ctx, s.w.As(s.w.Bob), lead.ID); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Errorf("bob lists another advisor's lead's calls: %v", err)
	}

	// An import: new calls, a duplicate, a bad row, an unknown number and another call under a
	// used external id (refused: it is not a retry); the good ones land.
	results, err := s.db.ImportCalls(ctx, partner, []relance.NewCall{
		{Call: relance.Call{Direction: relance.Outbound, AdvisorID: s.w.Alice.ID, StartedAt: paris(t, "2026-12-14 11:00"), Duration: 30 * time.Second, Outcome: relance.CallAnswered, Phone: "0033612345678", ExternalID: "pbx-2"}},
		pbx,
		{Call: relance.Call{Direction: relance.Outbound, StartedAt: paris(t, "2026-12-14 11:30"), Outcome: relance.CallBusy, Phone: "+33612345678", ExternalID: "pbx-3"}},
		{Call: relance.Call{Direction: relance.Inbound, StartedAt: paris(t, "2026-12-14 12:00"), Outcome: relance.CallNoAnswer, Phone: "+33699999998", ExternalID: "pbx-4"}},
		{Call: relance.Call{Direction: relance.Inbound, StartedAt: paris(t, "2026-12-14 12:30"), Outcome: relance.CallNoAnswer, Phone: "+33612345678", ExternalID: "pbx-5"}},
		{Call: relance.Call{Direction: relance.Outbound, AdvisorID: s.w.Alice.ID, StartedAt: paris(t, "2026-12-14 13:00"), Duration: 50 * time.Second, Outcome: relance.CallVoicemail, Phone: "+33612345678", ExternalID: "pbx-2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantResults := []string{"created", "duplicate", "invalid", "not_found", "created", "conflict"}
	for i, r := range results {
		state := "created"
		switch {
		case r.Err != nil:
			state = string(relance.ErrorCode(r.Err))
		case !r.Created:
			state = "duplicate"
		}
		if state != wantResults[i] {
			t.Errorf("call %d: %s (%v), want %s", i, state, r.Err, wantResults[i])
		}
	}
	if results[0].Call.Successful {
		t.Error("a 30 s call is a successful touch; the threshold is more than 30 s")
	}
	got, err = s.db.GetLead(ctx, s.w.As(s.w.Alice), lead.ID)
	if err != nil || got.CallAttempts != 2 || got.SuccessfulTouches != 1 {
		t.Fatalf("lead after the import = %d attempts, %d touches, %v", got.CallAttempts, got.SuccessfulTouches, err)
	}
	calls, err := s.db.ListCalls(ctx, s.w.As(s.w.Alice), lead.ID)
	if err != nil || len(calls) != 3 {
		t.Fatalf("calls = %d, %v", len(calls), err)
	}

	// An advisor records their own calls only.
	_, _, err = s.db.RecordCall(ctx, s.w.As(s.w.Alice), relance.NewCall{LeadID: lead.ID, Call: relance.Call{
		Direction: relance.Outbound, AdvisorID: s.w.Bob.ID, StartedAt: paris(t, "2026-12-14 14:00"), Outcome: relance.CallBusy,
	}})
	wantCode(t, err, relance.CodePermissionDenied)
}

func TestCadenceAndTheComplianceReport(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00")) // a Monday
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	quiet := s.w.Lead(t, "Paul", s.w.Alice.ID)
	s.set(paris(t, "2026-12-16 18:00")) // Wednesday evening
	s.call(lead.ID, "2026-12-14 10:00", 5*time.Second, relance.CallNoAnswer)
	s.call(lead.ID, "2026-12-14 14:00", 0, relance.CallBusy)
	s.call(lead.ID, "2026-12-14 17:00", 10*time.Second, relance.CallVoicemail)
	s.call(lead.ID, "2026-12-15 10:00", 0, relance.CallNoAnswer)
	s.call(quiet.ID, "2026-12-16 11:00", 0, relance.CallNoAnswer)

	got, err := s.db.GetLead(ctx, s.w.As(s.w.Alice), lead.ID)
	want := relance.Cadence{AttemptsToday: 0, Attempts: 4, DaysLeft: 3, Behind: true} // Tuesday fell short
	if err != nil || got.Cadence == nil || *got.Cadence != want {
		t.Fatalf("cadence = %+v, want %+v (%v)", got.Cadence, want, err)
	}
	untried, _, err := s.db.ListLeads(ctx, s.w.As(s.w.Manager), relance.LeadFilter{NoAttemptToday: true})
	if err != nil || len(untried) != 1 || untried[0].ID != lead.ID {
		t.Fatalf("leads without an attempt today = %+v, %v", untried, err)
	}

	rows, err := s.db.Compliance(ctx, s.w.As(s.w.Manager), relance.ComplianceFilter{
		From: relance.Date{Year: 2026, Month: 12, Day: 14}, To: relance.Date{Year: 2026, Month: 12, Day: 16}, AdvisorID: s.w.Alice.ID,
	})
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	for i, w := range []relance.ComplianceRow{
		{InCadence: 2, NoAttempt: 1, Attempts: 3, Quota: 6},
		{InCadence: 2, NoAttempt: 1, Attempts: 1, Quota: 6, Behind: 1},             // Paul: Monday without a call
		{InCadence: 2, NoAttempt: 1, Attempts: 1, Quota: 6, Behind: 2, Touches: 0}, // Jean: Tuesday short
	} {
		w.AdvisorID, w.AdvisorName, w.Day = s.w.Alice.ID, s.w.Alice.DisplayName, relance.Date{Year: 2026, Month: 12, Day: 14 + i}
		if rows[i] != w {
			t.Errorf("day %d = %+v, want %+v", i, rows[i], w)
		}
	}
	if _, err := s.db.Compliance(ctx, s.w.As(s.w.Alice), relance.ComplianceFilter{From: relance.Date{Year: 2026, Month: 12, Day: 14}, To: relance.Date{Year: 2026, Month: 12, Day: 14}}); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Fatalf("an advisor reads the report: %v", err)
	}
}

func TestClosureGuard(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00"))
	admin := s.w.As(s.w.Admin)
	rejected := relance.StageRejected

	// Flag (the default rule): the rejection goes through, flagged, and the manager is told.
	early := s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.set(paris(t, "2026-12-14 12:00"))
	s.call(early.ID, "2026-12-14 10:00", 0, relance.CallNoAnswer)
	closed, err := s.db.UpdateLead(ctx, s.w.As(s.w.Alice), early.ID, relance.LeadChange{Stage: &rejected})
	if err != nil || closed.Stage != relance.StageRejected || closed.ImproperClosureAt == nil || closed.ClosureContacts != 1 {
		t.Fatalf("flagged closure = %+v, %v", closed, err)
	}
	alerts, err := s.db.ListAlerts(ctx, s.w.As(s.w.Manager), true, 10)
	if err != nil || !hasAlert(alerts, "lead.improper_closure") {
		t.Fatalf("manager's alerts = %+v, %v", alerts, err)
	}
	improper, _, err := s.db.ListLeads(ctx, s.w.As(s.w.Manager), relance.LeadFilter{ImproperOnly: true})
	if err != nil || len(improper) != 1 || improper[0].ID != early.ID {
		t.Fatalf("improper closures = %+v, %v", improper, err)
	}

	// Refuse, for the site: the rejection fails and nothing changes; enough contacts pass.
	if _, err := s.db.SetCadenceRule(ctx, s.w.As(s.w.Manager), relance.CadenceRule{
		SiteID: s.w.Lyon.ID, AttemptsPerDay: 1, Days: 2, MinContacts: 2, SuccessAfter: 30 * time.Second, Guard: relance.GuardRefuse,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.SetCadenceRule(ctx, s.w.As(s.w.Alice), relance.CadenceRule{
		SiteID: s.w.Lyon.ID, AttemptsPerDay: 1, Days: 2, MinContacts: 2, SuccessAfter: 30 * time.Second, Guard: relance.GuardFlag,
	}); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Fatalf("an advisor sets a rule: %v", err)
	}
	if _, err := s.db.SetCadenceRule(ctx, admin, relance.CadenceRule{AttemptsPerDay: 0, Days: 5, SuccessAfter: time.Second, Guard: relance.GuardFlag}); relance.ErrorCode(err) != relance.CodeInvalid {
		t.Fatalf("a rule of 0 attempts: %v", err)
	}
	guarded := s.w.Lead(t, "Paul", s.w.Alice.ID)
	s.call(guarded.ID, "2026-12-14 11:00", 0, relance.CallNoAnswer)
	_, err = s.db.UpdateLead(ctx, s.w.As(s.w.Alice), guarded.ID, relance.LeadChange{Stage: &rejected})
	wantCode(t, err, relance.CodeFailedPrecondition)
	if l, _ := s.db.GetLead(ctx, admin, guarded.ID); l.Stage != relance.StageOpen || l.ImproperClosureAt != nil {
		t.Fatalf("after a refused rejection: %+v", l)
	}
	s.call(guarded.ID, "2026-12-14 11:30", 0, relance.CallBusy)
	closed, err = s.db.UpdateLead(ctx, s.w.As(s.w.Alice), guarded.ID, relance.LeadChange{Stage: &rejected})
	if err != nil || closed.ImproperClosureAt != nil {
		t.Fatalf("rejection after enough contacts = %+v, %v", closed, err)
	}
	rules, err := s.db.CadenceRules(ctx, admin)
	if err != nil || len(rules) != 1 || rules[0].Guard != relance.GuardRefuse {
		t.Fatalf("rules = %+v, %v", rules, err)
	}

	// Without the site's rule, the organisation's default applies again.
	if err := s.db.DeleteCadenceRule(ctx, s.w.As(s.w.Manager), s.w.Lyon.ID, ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.db.DeleteCadenceRule(ctx, s.w.As(s.w.Manager), s.w.Lyon.ID, ""), relance.CodeNotFound)
	wantCode(t, s.db.DeleteCadenceRule(ctx, s.w.As(s.w.Manager), uuid.Nil, "website"), relance.CodePermissionDenied)
	if rules, err := s.db.CadenceRules(ctx, admin); err != nil || len(rules) != 0 {
		t.Fatalf("rules after deletion = %+v, %v", rules, err)
	}
}

func TestInboundCallEndsThePlansAndAnswersTheLead(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00"))
	if _, err := s.db.CreatePlan(ctx, s.w.As(s.w.Manager), webPlan()); err != nil {
		t.Fatal(err)
	}
	lead := s.webLead()
	s.set(paris(t, "2026-12-14 09:30"))
	c, _, err := s.db.RecordCall(ctx, s.w.As(s.w.Alice), relance.NewCall{Call: relance.Call{
		Direction: relance.Inbound, StartedAt: paris(t, "2026-12-14 09:20"), Duration: time.Minute,
		Outcome: relance.CallAnswered, Phone: "+33612345678",
	}})
	if err != nil || c.AdvisorID != s.w.Alice.ID || c.LeadID != lead.ID {
		t.Fatalf("call = %+v, %v", c, err)
	}
	enrolments, err := s.db.ListEnrolments(ctx, s.w.As(s.w.Admin), lead.ID)
	if err != nil || len(enrolments) != 1 || enrolments[0].ExitReason != relance.ExitReplied {
		t.Fatalf("enrolments = %+v, %v", enrolments, err)
	}
	got, err := s.db.GetLead(ctx, s.w.As(s.w.Alice), lead.ID)
	if err != nil || got.FirstResponseAt == nil || got.CallAttempts != 0 {
		t.Fatalf("lead = %+v, %v (an inbound call Alice took answers it, and is no attempt)", got, err)
	}
}
