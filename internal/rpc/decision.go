package rpc

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type decisionService struct{ *handlers }

var decisionStates = map[string]v1.DecisionState{
	relance.DecisionPending:    v1.DecisionState_DECISION_STATE_PENDING,
	relance.DecisionReassigned: v1.DecisionState_DECISION_STATE_REASSIGNED,
	relance.DecisionKept:       v1.DecisionState_DECISION_STATE_KEPT,
	relance.DecisionObsolete:   v1.DecisionState_DECISION_STATE_OBSOLETE,
}

func decisionOut(d relance.Decision) *v1.Decision {
	return &v1.Decision{
		Id: d.ID.String(), LeadId: d.LeadID.String(), AdvisorId: d.AdvisorID.String(), AwayUntil: tsv(d.AbsentUntil),
		State: decisionStates[d.State], ReassignedTo: idString(d.ReassignedTo), CreateTime: tsv(d.CreatedAt),
		ResolveTime: ts(d.ResolvedAt),
	}
}

func (s *decisionService) ListPendingDecisions(ctx context.Context, _ *connect.Request[v1.ListPendingDecisionsRequest]) (*connect.Response[v1.ListPendingDecisionsResponse], error) {
	list, err := s.store.PendingDecisions(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListPendingDecisionsResponse{}
	for _, d := range list {
		out.Decisions = append(out.Decisions, decisionOut(d))
	}
	return connect.NewResponse(out), nil
}

func (s *decisionService) ResolveDecision(ctx context.Context, req *connect.Request[v1.ResolveDecisionRequest]) (*connect.Response[v1.ResolveDecisionResponse], error) {
	dec, lead, err := s.store.ResolveDecision(ctx, principal(ctx), parseID(req.Msg.GetDecisionId()), parseID(req.Msg.GetReassignTo()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ResolveDecisionResponse{Decision: decisionOut(dec), Lead: leadOut(lead)}), nil
}
