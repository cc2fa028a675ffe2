package postgres_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

// toLead lists "channel at local-time: subject|text" for each message sent to the lead's contact.
func (s *sim) toLead() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent {
		if m.msg.To == "jean@example.com" || m.msg.To == "+33612345678" {
			out = append(out, string(m.msg.Channel)+" "+m.at.In(parisZone).Format("Mon 01-02 15:04")+": "+m.msg.Subject+"|"+m.msg.Text)
		}
	}
	return out
}

func (s *sim) webLead() relance.Lead {
	s.t.Helper()
	lead, _, err := s.db.CreateLead(ctx, s.w.As(s.w.Admin), relance.NewLead{
		IdempotencyKey: uuid.NewString(), SiteID: s.w.Lyon.ID, Source: "website",
		Contact:    relance.Contact{Name: "Jean", Phone: "+33612345678", Email: "jean@example.com"},
		AssigneeID: s.w.Alice.ID,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return lead
}

func webPlan() relance.Plan {
	return relance.Plan{Name: "Nouveau lead web", EnrolSources: []string{"website"}, Steps: []relance.Step{
		{Kind: relance.KindEmail, Automatic: true, Anchor: relance.AnchorReceived, Assignee: relance.AssignAdvisor,
			Subject: "Merci {{lead.name}}", Body: "Bonjour {{lead.name}}, {{advisor.name}} de {{site.name}} vous rappelle."},
		{Kind: relance.KindCall, Anchor: relance.AnchorReceived, AfterDays: 1, MinGapDays: 2, Assignee: relance.AssignAdvisor,
			Body: "Appeler {{lead.name}} au {{lead.phone}}"},
		{Kind: relance.KindSMS, Automatic: true, Anchor: relance.AnchorReceived, AfterDays: 8, Assignee: relance.AssignAdvisor,
			Body: "{{advisor.name}}: toujours intéressé ?"},
	}}
}

func (s *sim) inbox(u relance.User) []relance.Action {
	s.t.Helper()
	items, err := s.db.ListMyActions(ctx, s.w.As(u), "")
	if err != nil {
		s.t.Fatal(err)
	}
	out := make([]relance.Action, len(items))
	for i, it := range items {
		out[i] = it.Action
	}
	return out
}

func TestFollowUpPlanScenario(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-17 15:00")) // a Thursday
	admin := s.w.As(s.w.Admin)
	if _, err := s.db.AddSiteClosures(ctx, admin, s.w.Lyon.ID, []relance.Closure{
		{Start: relance.Date{Year: 2026, Month: 12, Day: 25}, End: relance.Date{Year: 2026, Month: 12, Day: 25}},
	}, false); err != nil {
		t.Fatal(err)
	}
	plan, err := s.db.CreatePlan(ctx, s.w.As(s.w.Manager), webPlan())
	if err != nil {
		t.Fatal(err)
	}
	lead := s.webLead() // enrolled by its source

	// Step 0, day 0 at the send time: 10:00 has passed on Thursday, so Friday 10:00.
	s.runUntil(paris(t, "2026-12-18 12:00"))
	wantList(t, "sent to the lead", s.toLead(), []string{
		"email Fri 12-18 10:00: Merci Jean|Bonjour Jean, alice de Lyon vous rappelle.",
	})
	got, err := s.db.GetLead(ctx, admin, lead.ID)
	if err != nil || got.FirstResponseAt != nil {
		t.Fatalf("an automatic email answered the lead: %+v, %v", got, err)
	}

	// Step 1 (day 1) waits for the 2-day gap after Friday's email: Monday 10:00, in Alice's inbox.
	inbox := s.inbox(s.w.Alice)
	if len(inbox) != 1 || inbox[0].Kind != relance.KindCall || inbox[0].Content != "Appeler Jean au +33612345678" ||
		!inbox[0].DueAt.Equal(paris(t, "2026-12-21 10:00")) {
		t.Fatalf("alice's inbox = %+v", inbox)
	}
	if len(s.inbox(s.w.Manager)) != 0 {
		t.Fatal("the manager sees Alice's action")
	}

	// The plan waits on the manual step: nothing more is planned or sent while it is undone.
	s.runUntil(paris(t, "2026-12-23 11:00"))
	if n := len(s.inbox(s.w.Alice)); n != 1 || len(s.toLead()) != 1 {
		t.Fatalf("while blocked: %d actions, sent %q", n, s.toLead())
	}
	if _, err := s.db.CompleteAction(ctx, s.w.As(s.w.Alice), inbox[0].ID, relance.ActionOutcome{Outcome: "messagerie"}); err != nil {
		t.Fatal(err)
	}

	// Step 2 (day 8 = Friday 25th, a closure) moves to Monday 28th 10:00.
	enrolments, err := s.db.ListEnrolments(ctx, admin, lead.ID)
	if err != nil || len(enrolments) != 1 || enrolments[0].Step != 2 || enrolments[0].State != relance.EnrolmentActive {
		t.Fatalf("enrolments = %+v, %v", enrolments, err)
	}

	// The lead calls back on the 24th: it leaves the plan, and the SMS is never sent.
	s.set(paris(t, "2026-12-24 09:30"))
	if _, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{
		LeadID: lead.ID, Kind: relance.KindCall, Direction: relance.Inbound, Content: "rappel du client",
	}); err != nil {
		t.Fatal(err)
	}
	s.runUntil(paris(t, "2026-12-31 12:00"))
	wantList(t, "sent after the reply", s.toLead(), []string{
		"email Fri 12-18 10:00: Merci Jean|Bonjour Jean, alice de Lyon vous rappelle.",
	})
	enrolments, err = s.db.ListEnrolments(ctx, admin, lead.ID)
	if err != nil || enrolments[0].State != relance.EnrolmentExited || enrolments[0].ExitReason != relance.ExitReplied {
		t.Fatalf("enrolment after the reply = %+v, %v", enrolments, err)
	}

	stats, err := s.db.PlanStats(ctx, s.w.As(s.w.Manager), plan.ID, 7)
	if err != nil || len(stats) != 3 {
		t.Fatalf("stats = %+v, %v", stats, err)
	}
	want := []relance.StepStats{
		{Step: 0, Executed: 1, Answered: 1},
		{Step: 1, Executed: 1, Answered: 1},
		{Step: 2, Cancelled: 1},
	}
	for i := range want {
		if stats[i] != want[i] {
			t.Errorf("step %d = %+v, want %+v", i, stats[i], want[i])
		}
	}
	timeline, err := s.db.ListActivities(ctx, admin, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range timeline {
		kinds = append(kinds, string(a.Origin)+" "+string(a.Kind))
	}
	if strings.Join(kinds, ", ") != "system email, human call, human call" {
		t.Fatalf("timeline = %v", kinds)
	}
}

func TestUndeliveredStepCountsAsFailed(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-17 15:00"))
	s.refuse = "jean@example.com"
	plan, err := s.db.CreatePlan(ctx, s.w.As(s.w.Manager), webPlan())
	if err != nil {
		t.Fatal(err)
	}
	lead := s.webLead()
	s.runUntil(paris(t, "2026-12-18 12:00"))
	stats, err := s.db.PlanStats(ctx, s.w.As(s.w.Manager), plan.ID, 7)
	if err != nil || stats[0] != (relance.StepStats{Step: 0, Failed: 1}) {
		t.Fatalf("stats = %+v, %v", stats, err)
	}
	timeline, err := s.db.ListActivities(ctx, s.w.As(s.w.Admin), lead.ID)
	if err != nil || len(timeline) != 1 || timeline[0].State != relance.ActivityFailed ||
		timeline[0].Content != "not delivered: 550 no such mailbox" {
		t.Fatalf("timeline = %+v, %v", timeline, err)
	}
	// The plan goes on: the call of step 1 is in Alice's inbox.
	if inbox := s.inbox(s.w.Alice); len(inbox) != 1 || inbox[0].Kind != relance.KindCall {
		t.Fatalf("alice's inbox = %+v", inbox)
	}
}

func TestPausedPlanSendsNothingAndResumesOnce(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 08:00")) // a Monday
	manager := s.w.As(s.w.Manager)
	plan, err := s.db.CreatePlan(ctx, manager, webPlan())
	if err != nil {
		t.Fatal(err)
	}
	lead := s.webLead()
	if _, err := s.db.SetPlanPaused(ctx, manager, plan.ID, true); err != nil {
		t.Fatal(err)
	}
	s.runUntil(paris(t, "2026-12-15 15:00"))
	if sent := s.toLead(); len(sent) != 0 {
		t.Fatalf("sent while paused: %q", sent)
	}
	if _, err := s.db.SetPlanPaused(ctx, manager, plan.ID, false); err != nil {
		t.Fatal(err)
	}
	// Resumed Tuesday 15:00: the first working day at 10:00 from now is Wednesday.
	s.runUntil(paris(t, "2026-12-16 12:00"))
	wantList(t, "after resume", s.toLead(), []string{
		"email Wed 12-16 10:00: Merci Jean|Bonjour Jean, alice de Lyon vous rappelle.",
	})
	// Won: it leaves the plan; the manual call disappears from Alice's inbox.
	won := relance.StageWon
	if _, err := s.db.UpdateLead(ctx, manager, lead.ID, relance.LeadChange{Stage: &won}); err != nil {
		t.Fatal(err)
	}
	if inbox := s.inbox(s.w.Alice); len(inbox) != 0 {
		t.Fatalf("inbox after won = %+v", inbox)
	}
	if _, err := s.db.EnrolLead(ctx, manager, plan.ID, lead.ID); relance.ErrorCode(err) != relance.CodeFailedPrecondition {
		t.Fatalf("enrolling a won lead = %v", err)
	}
}

func TestPlansRefuseBadInput(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 08:00"))
	manager := s.w.As(s.w.Manager)
	for name, mutate := range map[string]func(*relance.Plan){
		"no steps":          func(p *relance.Plan) { p.Steps = nil },
		"no name":           func(p *relance.Plan) { p.Name = " " },
		"negative days":     func(p *relance.Plan) { p.Steps[1].AfterDays = -1 },
		"unknown variable":  func(p *relance.Plan) { p.Steps[0].Body = "Bonjour {{lead.nom}}" },
		"automatic call":    func(p *relance.Plan) { p.Steps[1].Automatic = true },
		"email, no subject": func(p *relance.Plan) { p.Steps[0].Subject = "" },
		"bad send time":     func(p *relance.Plan) { p.Steps[0].SendMinute = new(1440) },
	} {
		p := webPlan()
		mutate(&p)
		if _, err := s.db.CreatePlan(ctx, manager, p); relance.ErrorCode(err) != relance.CodeInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := s.db.CreatePlan(ctx, s.w.As(s.w.Alice), webPlan()); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Errorf("an advisor creates a plan: %v", err)
	}
	if plans, err := s.db.ListPlans(ctx, manager, true); err != nil || len(plans) != 0 {
		t.Fatalf("plans after refusals = %+v, %v", plans, err)
	}
}
