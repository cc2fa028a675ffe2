package rpc_test

import (
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
)

func TestPlansOverTheWire(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	manager := s.as(s.login(t, w.Manager.Email), connect.WithGRPCWeb())
	alice := s.as(s.login(t, w.Alice.Email))

	email := &v1.PlanStep{Kind: v1.ActivityKind_ACTIVITY_KIND_EMAIL, Automatic: true, Subject: "Merci {{lead.name}}", Body: "Bonjour {{lead.name}}"}
	call := &v1.PlanStep{Kind: v1.ActivityKind_ACTIVITY_KIND_CALL, AfterDays: 2, MinGapDays: 1, SendTime: "08:30",
		Weekdays: []v1.Weekday{v1.Weekday_WEEKDAY_MONDAY, v1.Weekday_WEEKDAY_SATURDAY}}
	for name, tc := range map[string]struct {
		in    *v1.PlanInput
		field string
	}{
		"no steps":         {&v1.PlanInput{Name: "Web"}, "plan.steps"},
		"negative days":    {&v1.PlanInput{Name: "Web", Steps: []*v1.PlanStep{{Kind: v1.ActivityKind_ACTIVITY_KIND_CALL, AfterDays: -1}}}, "plan.steps.after_days"},
		"unknown variable": {&v1.PlanInput{Name: "Web", Steps: []*v1.PlanStep{{Kind: v1.ActivityKind_ACTIVITY_KIND_TASK, Body: "{{client.nom}}"}}}, "plan.steps.body"},
		"meeting step":     {&v1.PlanInput{Name: "Web", Steps: []*v1.PlanStep{{Kind: v1.ActivityKind_ACTIVITY_KIND_MEETING}}}, "plan.steps.kind"},
	} {
		_, err := manager.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: tc.in}))
		ce := wantCode(t, err, connect.CodeInvalidArgument)
		if v := violations(t, ce); !slices.ContainsFunc(v, func(s string) bool { return strings.HasPrefix(s, tc.field) }) {
			t.Errorf("%s: violations %v, want %s", name, v, tc.field)
		}
	}
	list, err := manager.plan.ListPlans(ctx, connect.NewRequest(&v1.ListPlansRequest{IncludeArchived: true}))
	if err != nil || len(list.Msg.GetPlans()) != 0 {
		t.Fatalf("plans after refusals = %v, %v", list, err)
	}

	_, err = alice.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: &v1.PlanInput{Name: "Web", Steps: []*v1.PlanStep{email}}}))
	wantCode(t, err, connect.CodePermissionDenied)
	created, err := manager.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: &v1.PlanInput{Name: "Web", Steps: []*v1.PlanStep{email, call}}}))
	if err != nil {
		t.Fatal(err)
	}
	plan := created.Msg.GetPlan()
	if len(plan.GetSteps()) != 2 || plan.GetSteps()[1].GetSendTime() != "08:30" || len(plan.GetSteps()[1].GetWeekdays()) != 2 ||
		len(plan.GetSteps()[0].GetWeekdays()) != 5 || plan.GetSteps()[0].GetAnchor() != v1.StepAnchor_STEP_ANCHOR_RECEIVED {
		t.Fatalf("plan = %v", plan)
	}

	lead, err := alice.lead.CreateLead(ctx, connect.NewRequest(&v1.CreateLeadRequest{
		IdempotencyKey: "plan-lead", SiteId: w.Lyon.ID.String(), Source: "salon", AssigneeId: w.Alice.ID.String(),
		Contact: &v1.Contact{Name: "Jean", Email: "jean@example.com"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	leadID := lead.Msg.GetLead().GetId()
	enrolled, err := alice.plan.EnrolLead(ctx, connect.NewRequest(&v1.EnrolLeadRequest{PlanId: plan.GetId(), LeadId: leadID}))
	if err != nil || enrolled.Msg.GetEnrolment().GetState() != v1.EnrolmentState_ENROLMENT_STATE_ACTIVE {
		t.Fatalf("enrol = %v, %v", enrolled, err)
	}
	_, err = alice.plan.EnrolLead(ctx, connect.NewRequest(&v1.EnrolLeadRequest{PlanId: plan.GetId(), LeadId: leadID}))
	wantCode(t, err, connect.CodeAlreadyExists)
	bob := s.as(s.login(t, w.Bob.Email))
	_, err = bob.plan.EnrolLead(ctx, connect.NewRequest(&v1.EnrolLeadRequest{PlanId: plan.GetId(), LeadId: leadID}))
	wantCode(t, err, connect.CodeNotFound)
	paused, err := alice.plan.PauseEnrolment(ctx, connect.NewRequest(&v1.PauseEnrolmentRequest{EnrolmentId: enrolled.Msg.GetEnrolment().GetId()}))
	if err != nil || paused.Msg.GetEnrolment().GetState() != v1.EnrolmentState_ENROLMENT_STATE_PAUSED {
		t.Fatalf("pause = %v, %v", paused, err)
	}
	removed, err := alice.plan.RemoveEnrolment(ctx, connect.NewRequest(&v1.RemoveEnrolmentRequest{EnrolmentId: enrolled.Msg.GetEnrolment().GetId()}))
	if err != nil || removed.Msg.GetEnrolment().GetExitReason() != "removed" {
		t.Fatalf("remove = %v, %v", removed, err)
	}

	_, err = alice.plan.GetPlanStats(ctx, connect.NewRequest(&v1.GetPlanStatsRequest{PlanId: plan.GetId()}))
	wantCode(t, err, connect.CodePermissionDenied)
	stats, err := manager.plan.GetPlanStats(ctx, connect.NewRequest(&v1.GetPlanStatsRequest{PlanId: plan.GetId()}))
	if err != nil || len(stats.Msg.GetSteps()) != 1 || stats.Msg.GetSteps()[0].GetCancelled() != 1 {
		t.Fatalf("stats = %v, %v", stats, err)
	}
}
