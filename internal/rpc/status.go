package rpc

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type statusService struct{ *handlers }

var statusScopes = map[relance.StatusFor]v1.StatusScope{
	relance.StatusForLeads:          v1.StatusScope_STATUS_SCOPE_LEADS,
	relance.StatusForCounterparties: v1.StatusScope_STATUS_SCOPE_COUNTERPARTIES,
	relance.StatusForBoth:           v1.StatusScope_STATUS_SCOPE_BOTH,
}

var statusScopeOf = reverse(statusScopes)

var callStates = map[v1.CallState]relance.CallState{
	v1.CallState_CALL_STATE_SCHEDULED: relance.CallScheduled,
	v1.CallState_CALL_STATE_OVERDUE:   relance.CallOverdue,
	v1.CallState_CALL_STATE_DONE:      relance.CallDone,
}

var callSubjects = map[v1.CallSubject]string{
	v1.CallSubject_CALL_SUBJECT_LEAD:         "lead",
	v1.CallSubject_CALL_SUBJECT_COUNTERPARTY: "counterparty",
}

func statusOut(s relance.Status) *v1.Status {
	return &v1.Status{
		Id: s.ID.String(), Name: s.Name, SortOrder: int32(s.SortOrder), AppliesTo: statusScopes[s.For],
		SchedulesCall: s.SchedulesCall, CallAfterDays: int32(s.CallAfterDays), TerminalStage: stages[s.Terminal],
		ArchiveTime: ts(s.ArchivedAt),
	}
}

func (s *statusService) CreateStatus(ctx context.Context, req *connect.Request[v1.CreateStatusRequest]) (*connect.Response[v1.CreateStatusResponse], error) {
	m := req.Msg
	st, err := s.store.CreateStatus(ctx, principal(ctx), relance.Status{
		Name: m.GetName(), SortOrder: int(m.GetSortOrder()), For: statusScopeOf[m.GetAppliesTo()],
		SchedulesCall: m.GetSchedulesCall(), CallAfterDays: int(m.GetCallAfterDays()), Terminal: stageOf[m.GetTerminalStage()],
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateStatusResponse{Status: statusOut(st)}), nil
}

func (s *statusService) UpdateStatus(ctx context.Context, req *connect.Request[v1.UpdateStatusRequest]) (*connect.Response[v1.UpdateStatusResponse], error) {
	m := req.Msg
	ch := relance.StatusChange{Name: m.Name, SchedulesCall: m.SchedulesCall}
	if m.SortOrder != nil {
		ch.SortOrder = new(int(m.GetSortOrder()))
	}
	if m.AppliesTo != nil {
		ch.For = new(statusScopeOf[m.GetAppliesTo()])
	}
	if m.CallAfterDays != nil {
		ch.CallAfterDays = new(int(m.GetCallAfterDays()))
	}
	if m.TerminalStage != nil {
		ch.Terminal = new(stageOf[m.GetTerminalStage()])
	}
	st, err := s.store.UpdateStatus(ctx, principal(ctx), parseID(m.GetStatusId()), ch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateStatusResponse{Status: statusOut(st)}), nil
}

func (s *statusService) DeleteStatus(ctx context.Context, req *connect.Request[v1.DeleteStatusRequest]) (*connect.Response[v1.DeleteStatusResponse], error) {
	archived, err := s.store.DeleteStatus(ctx, principal(ctx), parseID(req.Msg.GetStatusId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DeleteStatusResponse{Archived: archived}), nil
}

func (s *statusService) ListStatuses(ctx context.Context, req *connect.Request[v1.ListStatusesRequest]) (*connect.Response[v1.ListStatusesResponse], error) {
	list, err := s.store.ListStatuses(ctx, principal(ctx), req.Msg.GetIncludeArchived())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListStatusesResponse{}
	for _, st := range list {
		out.Statuses = append(out.Statuses, statusOut(st))
	}
	return connect.NewResponse(out), nil
}

func (s *statusService) ListScheduledCalls(ctx context.Context, req *connect.Request[v1.ListScheduledCallsRequest]) (*connect.Response[v1.ListScheduledCallsResponse], error) {
	m := req.Msg
	f := relance.ScheduledCallFilter{
		ManagerID: parseID(m.GetManagerId()), AdvisorID: parseID(m.GetAdvisorId()), StatusID: parseID(m.GetStatusId()),
		Category: categoryOf[m.GetCategory()], State: callStates[m.GetState()], Subject: callSubjects[m.GetSubject()],
		Limit: int(m.GetPageSize()), LeadID: parseID(m.GetLeadId()), CounterpartyID: parseID(m.GetCounterpartyId()),
	}
	if m.FromTime != nil {
		f.From = m.GetFromTime().AsTime()
	}
	if m.ToTime != nil {
		f.To = m.GetToTime().AsTime()
	}
	at, id, ok, err := decodeTimeToken(m.GetPageToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if ok {
		f.After = &relance.ActionCursor{DueAt: at, ID: id}
	}
	calls, next, counts, err := s.store.ListScheduledCalls(ctx, principal(ctx), f)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListScheduledCallsResponse{}
	if next != nil {
		out.NextPageToken = encodeTimeToken(next.DueAt, next.ID)
	}
	for _, c := range calls {
		out.Calls = append(out.Calls, &v1.ScheduledCall{
			Action: actionOut(c.Action), SubjectName: c.SubjectName, Category: categories[c.Category], SiteId: c.SiteID.String(),
		})
	}
	for _, c := range counts {
		out.Counts = append(out.Counts, &v1.StatusCallCount{StatusId: c.StatusID.String(), Pending: int32(c.Pending), Overdue: int32(c.Overdue)})
	}
	return connect.NewResponse(out), nil
}
