package rpc_test

import (
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func distributionClient(s *stack, token string, opts ...connect.ClientOption) relancev1connect.DistributionServiceClient {
	return relancev1connect.NewDistributionServiceClient(s.http, s.url, append(opts, connect.WithInterceptors(bearer(token)))...)
}

func TestDistributionRulesOverTheWire(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	admin := distributionClient(s, s.login(t, w.Admin.Email), connect.WithGRPC())
	manager := distributionClient(s, s.login(t, w.Manager.Email), connect.WithGRPCWeb())
	alice := distributionClient(s, s.login(t, w.Alice.Email))
	leads := s.as(s.login(t, w.Admin.Email)).lead

	rr := v1.DistributionStrategy_DISTRIBUTION_STRATEGY_ROUND_ROBIN
	created, err := admin.CreateDistributionRule(ctx, connect.NewRequest(&v1.CreateDistributionRuleRequest{Rule: &v1.DistributionRuleSpec{
		SiteId: w.Lyon.ID.String(), Strategy: rr, MaxOpenLeads: 50, CalendarWithinMinutes: new(int32(30)),
		MoveAfterMinutes: new(int32(45)), MaxMoves: 3,
		Weights: []*v1.AdvisorWeight{{AdvisorId: w.Alice.ID.String(), Weight: 2}},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	rule := created.Msg.GetRule()
	if rule.GetSiteId() != w.Lyon.ID.String() || rule.GetStrategy() != rr || rule.GetMaxOpenLeads() != 50 ||
		rule.GetCalendarWithinMinutes() != 30 || rule.GetMoveAfterMinutes() != 45 || rule.GetMaxMoves() != 3 || len(rule.GetWeights()) != 1 || rule.GetWeights()[0].GetWeight() != 2 {
		t.Fatalf("created = %v", rule)
	}
	// Managers read, advisors do not; only admins write.
	list, err := manager.ListDistributionRules(ctx, connect.NewRequest(&v1.ListDistributionRulesRequest{}))
	if err != nil || len(list.Msg.GetRules()) != 1 || list.Msg.GetRules()[0].GetId() != rule.GetId() {
		t.Fatalf("manager's list = %v, %v", list, err)
	}
	_, err = alice.ListDistributionRules(ctx, connect.NewRequest(&v1.ListDistributionRulesRequest{}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = manager.DeleteDistributionRule(ctx, connect.NewRequest(&v1.DeleteDistributionRuleRequest{RuleId: rule.GetId()}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = manager.CreateDistributionRule(ctx, connect.NewRequest(&v1.CreateDistributionRuleRequest{Rule: &v1.DistributionRuleSpec{Strategy: rr}}))
	wantCode(t, err, connect.CodePermissionDenied)
	// One rule per scope.
	_, err = admin.CreateDistributionRule(ctx, connect.NewRequest(&v1.CreateDistributionRuleRequest{Rule: &v1.DistributionRuleSpec{
		SiteId: w.Lyon.ID.String(), Strategy: v1.DistributionStrategy_DISTRIBUTION_STRATEGY_MANAGER,
	}}))
	wantCode(t, err, connect.CodeAlreadyExists)

	// The rule assigns a lead created without an assignee, over the API.
	lead, err := leads.CreateLead(ctx, connect.NewRequest(newLead(s, "distributed")))
	if err != nil || (lead.Msg.GetLead().GetAssigneeId() != w.Alice.ID.String() && lead.Msg.GetLead().GetAssigneeId() != w.Bob.ID.String()) {
		t.Fatalf("distributed lead = %v, %v", lead, err)
	}

	// Update to fixed Bob, then delete: leads stay unassigned again.
	fixed := v1.DistributionStrategy_DISTRIBUTION_STRATEGY_FIXED
	updated, err := admin.UpdateDistributionRule(ctx, connect.NewRequest(&v1.UpdateDistributionRuleRequest{RuleId: rule.GetId(), Rule: &v1.DistributionRuleSpec{
		SiteId: w.Lyon.ID.String(), Strategy: fixed, FixedAdvisorId: w.Bob.ID.String(),
	}}))
	if err != nil || updated.Msg.GetRule().GetFixedAdvisorId() != w.Bob.ID.String() || len(updated.Msg.GetRule().GetWeights()) != 0 ||
		updated.Msg.GetRule().CalendarWithinMinutes != nil {
		t.Fatalf("updated = %v, %v", updated, err)
	}
	lead, err = leads.CreateLead(ctx, connect.NewRequest(newLead(s, "to-bob")))
	if err != nil || lead.Msg.GetLead().GetAssigneeId() != w.Bob.ID.String() {
		t.Fatalf("fixed lead = %v, %v", lead, err)
	}
	if _, err := admin.DeleteDistributionRule(ctx, connect.NewRequest(&v1.DeleteDistributionRuleRequest{RuleId: rule.GetId()})); err != nil {
		t.Fatal(err)
	}
	_, err = admin.DeleteDistributionRule(ctx, connect.NewRequest(&v1.DeleteDistributionRuleRequest{RuleId: rule.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	lead, err = leads.CreateLead(ctx, connect.NewRequest(newLead(s, "no-rule")))
	if err != nil || lead.Msg.GetLead().GetAssigneeId() != "" {
		t.Fatalf("lead without a rule = %v, %v", lead, err)
	}
}

func TestDistributionRulesRefuseHostileInput(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	// Another organisation, in the same database: its advisor and site are nobody's here.
	other := testenv.NewWorld(t, s.db)
	admin := distributionClient(s, s.login(t, w.Admin.Email))
	otherAdmin := distributionClient(s, s.login(t, other.Admin.Email))
	rr := v1.DistributionStrategy_DISTRIBUTION_STRATEGY_ROUND_ROBIN
	fixed := v1.DistributionStrategy_DISTRIBUTION_STRATEGY_FIXED
	for name, tc := range map[string]struct {
		spec  *v1.DistributionRuleSpec
		field string
	}{
		"no rule":               {nil, "rule"},
		"no strategy":           {&v1.DistributionRuleSpec{}, "rule.strategy"},
		"unknown strategy":      {&v1.DistributionRuleSpec{Strategy: 42}, "rule.strategy"},
		"bad site id":           {&v1.DistributionRuleSpec{Strategy: rr, SiteId: "lyon"}, "rule.site_id"},
		"negative cap":          {&v1.DistributionRuleSpec{Strategy: rr, MaxOpenLeads: -1}, "rule.max_open_leads"},
		"huge cap":              {&v1.DistributionRuleSpec{Strategy: rr, MaxOpenLeads: 10001}, "rule.max_open_leads"},
		"negative calendar":     {&v1.DistributionRuleSpec{Strategy: rr, CalendarWithinMinutes: new(int32(-1))}, "rule.calendar_within_minutes"},
		"calendar over a day":   {&v1.DistributionRuleSpec{Strategy: rr, CalendarWithinMinutes: new(int32(1441))}, "rule.calendar_within_minutes"},
		"zero weight":           {&v1.DistributionRuleSpec{Strategy: rr, Weights: []*v1.AdvisorWeight{{AdvisorId: w.Alice.ID.String(), Weight: 0}}}, "rule.weights"},
		"heavy weight":          {&v1.DistributionRuleSpec{Strategy: rr, Weights: []*v1.AdvisorWeight{{AdvisorId: w.Alice.ID.String(), Weight: 101}}}, "rule.weights"},
		"bad weight id":         {&v1.DistributionRuleSpec{Strategy: rr, Weights: []*v1.AdvisorWeight{{AdvisorId: "x", Weight: 1}}}, "rule.weights"},
		"weighted twice":        {&v1.DistributionRuleSpec{Strategy: rr, Weights: []*v1.AdvisorWeight{{AdvisorId: w.Alice.ID.String(), Weight: 1}, {AdvisorId: w.Alice.ID.String(), Weight: 2}}}, "rule.weights"},
		"long source":           {&v1.DistributionRuleSpec{Strategy: rr, Source: strings.Repeat("s", 101)}, "rule.source"},
		"fixed without anyone":  {&v1.DistributionRuleSpec{Strategy: fixed}, "rule.fixed_advisor_id"},
		"fixed manager":         {&v1.DistributionRuleSpec{Strategy: fixed, FixedAdvisorId: w.Manager.ID.String()}, "rule.fixed_advisor_id"},
		"fixed for round robin": {&v1.DistributionRuleSpec{Strategy: rr, FixedAdvisorId: w.Alice.ID.String()}, "rule.fixed_advisor_id"},
		"other tenant's fixed":  {&v1.DistributionRuleSpec{Strategy: fixed, FixedAdvisorId: other.Alice.ID.String()}, "rule.fixed_advisor_id"},
		"other tenant's weight": {&v1.DistributionRuleSpec{Strategy: rr, Weights: []*v1.AdvisorWeight{{AdvisorId: other.Bob.ID.String(), Weight: 3}}}, "rule.weights"},
		"other tenant's site":   {&v1.DistributionRuleSpec{Strategy: rr, SiteId: other.Lyon.ID.String()}, "rule.site_id"},
		"timer too short":       {&v1.DistributionRuleSpec{Strategy: rr, MoveAfterMinutes: new(int32(14)), MaxMoves: 1}, "rule.move_after_minutes"},
		"timer too long":        {&v1.DistributionRuleSpec{Strategy: rr, MoveAfterMinutes: new(int32(121)), MaxMoves: 1}, "rule.move_after_minutes"},
		"moves without a timer": {&v1.DistributionRuleSpec{Strategy: rr, MaxMoves: 2}, "rule.max_moves"},
		"timer without moves":   {&v1.DistributionRuleSpec{Strategy: rr, MoveAfterMinutes: new(int32(30))}, "rule.max_moves"},
		"too many moves":        {&v1.DistributionRuleSpec{Strategy: rr, MoveAfterMinutes: new(int32(30)), MaxMoves: 11}, "rule.max_moves"},
		"unknown advisor":       {&v1.DistributionRuleSpec{Strategy: fixed, FixedAdvisorId: uuid.NewString()}, "rule.fixed_advisor_id"},
	} {
		_, err := admin.CreateDistributionRule(ctx, connect.NewRequest(&v1.CreateDistributionRuleRequest{Rule: tc.spec}))
		ce := wantCode(t, err, connect.CodeInvalidArgument)
		if !slices.ContainsFunc(violations(t, ce), func(v string) bool { return strings.HasPrefix(v, tc.field+":") || strings.HasPrefix(v, tc.field+".") }) {
			t.Errorf("%s: violations %v, want one on %s", name, violations(t, ce), tc.field)
		}
	}
	list, err := admin.ListDistributionRules(ctx, connect.NewRequest(&v1.ListDistributionRulesRequest{}))
	if err != nil || len(list.Msg.GetRules()) != 0 {
		t.Fatalf("rules after refusals = %v, %v", list, err)
	}

	// Another organisation's rule is not found here, for update and delete alike.
	theirs, err := otherAdmin.CreateDistributionRule(ctx, connect.NewRequest(&v1.CreateDistributionRuleRequest{Rule: &v1.DistributionRuleSpec{Strategy: rr}}))
	if err != nil {
		t.Fatal(err)
	}
	id := theirs.Msg.GetRule().GetId()
	_, err = admin.UpdateDistributionRule(ctx, connect.NewRequest(&v1.UpdateDistributionRuleRequest{RuleId: id, Rule: &v1.DistributionRuleSpec{Strategy: rr}}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = admin.DeleteDistributionRule(ctx, connect.NewRequest(&v1.DeleteDistributionRuleRequest{RuleId: id}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = admin.DeleteDistributionRule(ctx, connect.NewRequest(&v1.DeleteDistributionRuleRequest{RuleId: "not-a-uuid"}))
	ce := wantCode(t, err, connect.CodeInvalidArgument)
	if v := violations(t, ce); len(v) != 1 || !strings.HasPrefix(v[0], "rule_id:") {
		t.Fatalf("bad id violations = %v", v)
	}
	if rules, err := otherAdmin.ListDistributionRules(ctx, connect.NewRequest(&v1.ListDistributionRulesRequest{})); err != nil || len(rules.Msg.GetRules()) != 1 {
		t.Fatalf("their rules = %v, %v", rules, err)
	}

	// An unassigned lead's alert reaches the manager with its own kind.
	if _, err := s.db.CreateDistributionRule(ctx, w.As(w.Admin), relance.DistributionRule{Strategy: relance.StrategyManager}); err != nil {
		t.Fatal(err)
	}
	lead := w.Lead(t, "For the manager", uuid.Nil)
	if lead.AssigneeID != uuid.Nil {
		t.Fatalf("manager rule assigned %v", lead.AssigneeID)
	}
	alerts := relancev1connect.NewAlertServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, w.Manager.Email))))
	got, err := alerts.ListAlerts(ctx, connect.NewRequest(&v1.ListAlertsRequest{}))
	if err != nil || len(got.Msg.GetAlerts()) != 1 || got.Msg.GetAlerts()[0].GetKind() != v1.AlertKind_ALERT_KIND_LEAD_UNASSIGNED ||
		got.Msg.GetAlerts()[0].GetLeadId() != lead.ID.String() || !strings.Contains(got.Msg.GetAlerts()[0].GetBody(), "vous le confie") {
		t.Fatalf("manager alerts = %v, %v", got, err)
	}
}
