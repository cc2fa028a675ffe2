package rpc

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type callService struct{ *handlers }

var callOutcomes = map[relance.CallOutcome]v1.CallOutcome{
	relance.CallAnswered:  v1.CallOutcome_CALL_OUTCOME_ANSWERED,
	relance.CallNoAnswer:  v1.CallOutcome_CALL_OUTCOME_NO_ANSWER,
	relance.CallBusy:      v1.CallOutcome_CALL_OUTCOME_BUSY,
	relance.CallVoicemail: v1.CallOutcome_CALL_OUTCOME_VOICEMAIL,
	relance.CallFailed:    v1.CallOutcome_CALL_OUTCOME_FAILED,
}

var closureGuards = map[relance.ClosureGuard]v1.ClosureGuard{
	relance.GuardFlag:   v1.ClosureGuard_CLOSURE_GUARD_FLAG,
	relance.GuardRefuse: v1.ClosureGuard_CLOSURE_GUARD_REFUSE,
}

var (
	callOutcomeOf  = reverse(callOutcomes)
	closureGuardOf = reverse(closureGuards)
)

func callIn(m *v1.NewCall) relance.NewCall {
	return relance.NewCall{LeadID: parseID(m.GetLeadId()), Call: relance.Call{
		AdvisorID: parseID(m.GetAdvisorId()), Direction: directionOf[m.GetDirection()],
		StartedAt: m.GetStartTime().AsTime(), Duration: m.GetDuration().AsDuration(),
		Outcome: callOutcomeOf[m.GetOutcome()], Phone: m.GetPhone(), RecordingURL: m.GetRecordingUrl(),
		ExternalID: m.GetExternalCallId(),
	}}
}

func callOut(c relance.Call) *v1.Call {
	return &v1.Call{
		Id: c.ID.String(), LeadId: c.LeadID.String(), AdvisorId: idString(c.AdvisorID), Direction: directions[c.Direction],
		StartTime: tsv(c.StartedAt), Duration: durationpb.New(c.Duration), Outcome: callOutcomes[c.Outcome],
		Phone: c.Phone, RecordingUrl: c.RecordingURL, ExternalCallId: c.ExternalID, SuccessfulTouch: c.Successful,
		ActivityId: idString(c.ActivityID), CreateTime: tsv(c.CreatedAt),
	}
}

func cadenceRuleOut(r relance.CadenceRule) *v1.CadenceRule {
	out := &v1.CadenceRule{
		SiteId: idString(r.SiteID), Source: r.Source, AttemptsPerDay: int32(r.AttemptsPerDay), Days: int32(r.Days),
		MinContacts: int32(r.MinContacts), SuccessfulTouch: durationpb.New(r.SuccessAfter),
		ClosureGuard: closureGuards[r.Guard],
	}
	if !r.UpdatedAt.IsZero() {
		out.UpdateTime = tsv(r.UpdatedAt)
	}
	return out
}

func (s *callService) RecordCall(ctx context.Context, req *connect.Request[v1.RecordCallRequest]) (*connect.Response[v1.RecordCallResponse], error) {
	c, created, err := s.store.RecordCall(ctx, principal(ctx), callIn(req.Msg.GetCall()))
	if err != nil {
		return nil, s.fail(ctx, inField("call", err))
	}
	return connect.NewResponse(&v1.RecordCallResponse{Call: callOut(c), Created: created}), nil
}

func (s *callService) ImportCalls(ctx context.Context, req *connect.Request[v1.ImportCallsRequest]) (*connect.Response[v1.ImportCallsResponse], error) {
	in := make([]relance.NewCall, len(req.Msg.GetCalls()))
	for i, m := range req.Msg.GetCalls() {
		in[i] = callIn(m)
	}
	results, err := s.store.ImportCalls(ctx, principal(ctx), in)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ImportCallsResponse{Results: make([]*v1.CallImportResult, len(results))}
	for i, r := range results {
		res := &v1.CallImportResult{}
		switch {
		case r.Err != nil:
			res.ErrorCode, res.ErrorMessage = codes[relance.ErrorCode(r.Err)].String(), r.Err.Error()
			out.Refused++
		case r.Created:
			res.Call, res.Created = callOut(r.Call), true
			out.Created++
		default:
			res.Call = callOut(r.Call)
			out.Duplicates++
		}
		out.Results[i] = res
	}
	return connect.NewResponse(out), nil
}

func (s *callService) ListCalls(ctx context.Context, req *connect.Request[v1.ListCallsRequest]) (*connect.Response[v1.ListCallsResponse], error) {
	calls, err := s.store.ListCalls(ctx, principal(ctx), parseID(req.Msg.GetLeadId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListCallsResponse{}
	for _, c := range calls {
		out.Calls = append(out.Calls, callOut(c))
	}
	return connect.NewResponse(out), nil
}

func (s *callService) ListCadenceRules(ctx context.Context, _ *connect.Request[v1.ListCadenceRulesRequest]) (*connect.Response[v1.ListCadenceRulesResponse], error) {
	rules, err := s.store.CadenceRules(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListCadenceRulesResponse{DefaultRule: cadenceRuleOut(relance.DefaultCadence())}
	for _, r := range rules {
		out.Rules = append(out.Rules, cadenceRuleOut(r))
	}
	return connect.NewResponse(out), nil
}

func (s *callService) SetCadenceRule(ctx context.Context, req *connect.Request[v1.SetCadenceRuleRequest]) (*connect.Response[v1.SetCadenceRuleResponse], error) {
	m := req.Msg.GetRule()
	touch := relance.DefaultCadence().SuccessAfter
	if m.SuccessfulTouch != nil {
		touch = m.GetSuccessfulTouch().AsDuration().Round(time.Second)
	}
	r, err := s.store.SetCadenceRule(ctx, principal(ctx), relance.CadenceRule{
		SiteID: parseID(m.GetSiteId()), Source: m.GetSource(), AttemptsPerDay: int(m.GetAttemptsPerDay()),
		Days: int(m.GetDays()), MinContacts: int(m.GetMinContacts()), SuccessAfter: touch,
		Guard: closureGuardOf[m.GetClosureGuard()],
	})
	if err != nil {
		return nil, s.fail(ctx, inField("rule", err))
	}
	return connect.NewResponse(&v1.SetCadenceRuleResponse{Rule: cadenceRuleOut(r)}), nil
}

func (s *callService) DeleteCadenceRule(ctx context.Context, req *connect.Request[v1.DeleteCadenceRuleRequest]) (*connect.Response[v1.DeleteCadenceRuleResponse], error) {
	if err := s.store.DeleteCadenceRule(ctx, principal(ctx), parseID(req.Msg.GetSiteId()), req.Msg.GetSource()); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DeleteCadenceRuleResponse{}), nil
}
