package rpc_test

import (
	"slices"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
)

func TestStatusesCallsAndThePrivateInboxOverTheWire(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	manager := s.as(s.login(t, w.Manager.Email), connect.WithGRPCWeb())
	alice := s.as(s.login(t, w.Alice.Email))
	admin := s.as(s.login(t, w.Admin.Email), connect.WithGRPC())

	// Bad input: field violations, nothing written.
	for name, req := range map[string]*v1.CreateStatusRequest{
		"no name":           {AppliesTo: v1.StatusScope_STATUS_SCOPE_LEADS},
		"no scope":          {Name: "Tiède"},
		"negative days":     {Name: "Tiède", AppliesTo: v1.StatusScope_STATUS_SCOPE_LEADS, SchedulesCall: true, CallAfterDays: -2},
		"calls, no days":    {Name: "Tiède", AppliesTo: v1.StatusScope_STATUS_SCOPE_LEADS, SchedulesCall: true},
		"open isn't an end": {Name: "Tiède", AppliesTo: v1.StatusScope_STATUS_SCOPE_LEADS, TerminalStage: v1.LeadStage_LEAD_STAGE_OPEN},
	} {
		_, err := manager.status.CreateStatus(ctx, connect.NewRequest(req))
		if ce := wantCode(t, err, connect.CodeInvalidArgument); len(violations(t, ce)) == 0 {
			t.Errorf("%s: no field violation in %v", name, ce)
		}
	}
	list, err := alice.status.ListStatuses(ctx, connect.NewRequest(&v1.ListStatusesRequest{IncludeArchived: true}))
	if err != nil || len(list.Msg.GetStatuses()) != 0 {
		t.Fatalf("statuses after refusals = %v, %v", list, err)
	}

	created, err := manager.status.CreateStatus(ctx, connect.NewRequest(&v1.CreateStatusRequest{
		Name: "Tiède", AppliesTo: v1.StatusScope_STATUS_SCOPE_BOTH, SchedulesCall: true, CallAfterDays: 3,
	}))
	if err != nil {
		t.Fatal(err)
	}
	warm := created.Msg.GetStatus()
	lead, err := admin.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "status-lead")))
	if err != nil {
		t.Fatal(err)
	}
	leadID := lead.Msg.GetLead().GetId()
	if _, err := admin.lead.AssignLead(ctx, connect.NewRequest(&v1.AssignLeadRequest{LeadId: leadID, AssigneeId: w.Alice.ID.String()})); err != nil {
		t.Fatal(err)
	}
	updated, err := alice.lead.UpdateLead(ctx, connect.NewRequest(&v1.UpdateLeadRequest{LeadId: leadID, StatusId: new(warm.GetId())}))
	if err != nil || updated.Msg.GetLead().GetStatusId() != warm.GetId() {
		t.Fatalf("set status = %v, %v", updated, err)
	}
	filtered, err := alice.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{StatusId: warm.GetId()}))
	if err != nil || len(filtered.Msg.GetLeads()) != 1 {
		t.Fatalf("leads of the status = %v, %v", filtered, err)
	}

	// The call is in Alice's inbox, and only there.
	inbox, err := alice.action.ListMyActions(ctx, connect.NewRequest(&v1.ListMyActionsRequest{}))
	if err != nil || len(inbox.Msg.GetItems()) != 1 {
		t.Fatalf("alice's inbox = %v, %v", inbox, err)
	}
	call := inbox.Msg.GetItems()[0].GetAction()
	if call.GetOrigin() != v1.ActionOrigin_ACTION_ORIGIN_STATUS || call.GetKind() != v1.ActivityKind_ACTIVITY_KIND_CALL || call.GetLeadId() != leadID {
		t.Fatalf("call = %v", call)
	}
	for name, c := range map[string]clients{"manager": manager, "admin": admin} {
		_, err := c.action.GetAction(ctx, connect.NewRequest(&v1.GetActionRequest{ActionId: call.GetId()}))
		wantCode(t, err, connect.CodeNotFound)
		_, err = c.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: call.GetId()}))
		wantCode(t, err, connect.CodeNotFound)
		mine, err := c.action.ListMyActions(ctx, connect.NewRequest(&v1.ListMyActionsRequest{}))
		if err != nil || len(mine.Msg.GetItems()) != 0 {
			t.Errorf("%s's inbox = %v, %v", name, mine, err)
		}
	}
	calls, err := manager.status.ListScheduledCalls(ctx, connect.NewRequest(&v1.ListScheduledCallsRequest{ManagerId: w.Manager.ID.String()}))
	if err != nil || len(calls.Msg.GetCalls()) != 1 || calls.Msg.GetCalls()[0].GetSubjectName() != "Jean Dupont" ||
		len(calls.Msg.GetCounts()) != 1 || calls.Msg.GetCounts()[0].GetPending() != 1 {
		t.Fatalf("manager's scheduled calls = %v, %v", calls, err)
	}

	_, err = alice.action.UpdateAction(ctx, connect.NewRequest(&v1.UpdateActionRequest{ActionId: call.GetId(), Kind: v1.ActivityKind_ACTIVITY_KIND_MEETING.Enum()}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = alice.action.SkipAction(ctx, connect.NewRequest(&v1.SkipActionRequest{ActionId: call.GetId()}))
	wantCode(t, err, connect.CodeInvalidArgument)
	done, err := alice.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: call.GetId(), Outcome: "joint"}))
	if err != nil || done.Msg.GetAction().GetState() != v1.ActionState_ACTION_STATE_DONE || done.Msg.GetAction().GetActivityId() == "" {
		t.Fatalf("complete = %v, %v", done, err)
	}
	timeline, err := alice.lead.ListActivities(ctx, connect.NewRequest(&v1.ListActivitiesRequest{LeadId: leadID}))
	if err != nil || !slices.ContainsFunc(timeline.Msg.GetActivities(), func(a *v1.Activity) bool {
		return a.GetId() == done.Msg.GetAction().GetActivityId() && a.GetOrigin() == v1.ActivityOrigin_ACTIVITY_ORIGIN_HUMAN
	}) {
		t.Fatalf("timeline = %v, %v", timeline, err)
	}

	// Counterparties: an advisor adds their own customers only; the page token works.
	_, err = alice.counterparty.CreateCounterparty(ctx, connect.NewRequest(&v1.CreateCounterpartyRequest{
		SiteId: w.Lyon.ID.String(), Kind: v1.CounterpartyKind_COUNTERPARTY_KIND_COMPANY, Name: "Garage", ResponsibleId: w.Bob.ID.String(),
	}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = alice.counterparty.CreateCounterparty(ctx, connect.NewRequest(&v1.CreateCounterpartyRequest{
		SiteId: w.Lyon.ID.String(), Name: "Garage", Phone: "0612",
	}))
	if ce := wantCode(t, err, connect.CodeInvalidArgument); len(violations(t, ce)) < 2 {
		t.Errorf("violations = %v", violations(t, ce))
	}
	for _, name := range []string{"Garage A", "Garage B", "Garage C"} {
		if _, err := alice.counterparty.CreateCounterparty(ctx, connect.NewRequest(&v1.CreateCounterpartyRequest{
			SiteId: w.Lyon.ID.String(), Kind: v1.CounterpartyKind_COUNTERPARTY_KIND_COMPANY, Name: name,
			ResponsibleId: w.Alice.ID.String(), StatusId: warm.GetId(), Category: v1.Category_CATEGORY_B,
		})); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	token := ""
	for range 5 {
		page, err := manager.counterparty.ListCounterparties(ctx, connect.NewRequest(&v1.ListCounterpartiesRequest{PageSize: 2, PageToken: token, StatusId: warm.GetId()}))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Msg.GetCounterparties() {
			names = append(names, c.GetName())
		}
		if token = page.Msg.GetNextPageToken(); token == "" {
			break
		}
	}
	if !slices.Equal(names, []string{"Garage A", "Garage B", "Garage C"}) {
		t.Fatalf("pages = %v", names)
	}
	_, err = manager.counterparty.ListCounterparties(ctx, connect.NewRequest(&v1.ListCounterpartiesRequest{PageToken: "garbage"}))
	wantCode(t, err, connect.CodeInvalidArgument)
}
