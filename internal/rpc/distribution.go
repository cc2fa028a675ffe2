package rpc

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// distributionStore is what DistributionService needs from the storage layer.
type distributionStore interface {
	ListDistributionRules(ctx context.Context, p relance.Principal) ([]relance.DistributionRule, error)
	CreateDistributionRule(ctx context.Context, p relance.Principal, r relance.DistributionRule) (relance.DistributionRule, error)
	UpdateDistributionRule(ctx context.Context, p relance.Principal, id uuid.UUID, r relance.DistributionRule) (relance.DistributionRule, error)
	DeleteDistributionRule(ctx context.Context, p relance.Principal, id uuid.UUID) error
}

type distributionService struct {
	*handlers
	rules distributionStore
}

var strategies = map[relance.Strategy]v1.DistributionStrategy{
	relance.StrategyRoundRobin:  v1.DistributionStrategy_DISTRIBUTION_STRATEGY_ROUND_ROBIN,
	relance.StrategyLeastLoaded: v1.DistributionStrategy_DISTRIBUTION_STRATEGY_LEAST_LOADED,
	relance.StrategyFixed:       v1.DistributionStrategy_DISTRIBUTION_STRATEGY_FIXED,
	relance.StrategyManager:     v1.DistributionStrategy_DISTRIBUTION_STRATEGY_MANAGER,
}

var strategyOf = reverse(strategies)

func distributionRuleOut(r relance.DistributionRule) *v1.DistributionRule {
	out := &v1.DistributionRule{
		Id: r.ID.String(), SiteId: idString(r.SiteID), Source: r.Source, Strategy: strategies[r.Strategy],
		FixedAdvisorId: idString(r.FixedAdvisorID), MaxOpenLeads: int32(r.MaxOpenLeads),
		CreateTime: tsv(r.CreatedAt), UpdateTime: tsv(r.UpdatedAt), MaxMoves: int32(r.MaxMoves),
		CalendarWithinMinutes: minutesOut(r.CalendarWithin), MoveAfterMinutes: minutesOut(r.MoveAfter),
	}
	for id, w := range r.Weights {
		out.Weights = append(out.Weights, &v1.AdvisorWeight{AdvisorId: id.String(), Weight: int32(w)})
	}
	slices.SortFunc(out.Weights, func(a, b *v1.AdvisorWeight) int { return strings.Compare(a.AdvisorId, b.AdvisorId) })
	return out
}

func minutesOut(d *time.Duration) *int32 {
	if d == nil {
		return nil
	}
	m := int32(*d / time.Minute)
	return &m
}

func minutesIn(m *int32) *time.Duration {
	if m == nil {
		return nil
	}
	d := time.Duration(*m) * time.Minute
	return &d
}

// distributionRuleIn turns a validated spec into a rule; an advisor weighted twice is invalid.
func distributionRuleIn(s *v1.DistributionRuleSpec) (relance.DistributionRule, error) {
	r := relance.DistributionRule{
		SiteID: parseID(s.GetSiteId()), Source: s.GetSource(), Strategy: strategyOf[s.GetStrategy()],
		FixedAdvisorID: parseID(s.GetFixedAdvisorId()), MaxOpenLeads: int(s.GetMaxOpenLeads()),
		Weights: map[uuid.UUID]int{}, MaxMoves: int(s.GetMaxMoves()),
		CalendarWithin: minutesIn(s.CalendarWithinMinutes), MoveAfter: minutesIn(s.MoveAfterMinutes),
	}
	for _, w := range s.GetWeights() {
		id := parseID(w.GetAdvisorId())
		if _, dup := r.Weights[id]; dup {
			return r, relance.Invalid("rule.weights", "an advisor is weighted twice")
		}
		r.Weights[id] = int(w.GetWeight())
	}
	return r, nil
}

func (s *distributionService) ListDistributionRules(ctx context.Context, _ *connect.Request[v1.ListDistributionRulesRequest]) (*connect.Response[v1.ListDistributionRulesResponse], error) {
	rules, err := s.rules.ListDistributionRules(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListDistributionRulesResponse{Rules: make([]*v1.DistributionRule, len(rules))}
	for i, r := range rules {
		out.Rules[i] = distributionRuleOut(r)
	}
	return connect.NewResponse(out), nil
}

func (s *distributionService) CreateDistributionRule(ctx context.Context, req *connect.Request[v1.CreateDistributionRuleRequest]) (*connect.Response[v1.CreateDistributionRuleResponse], error) {
	r, err := distributionRuleIn(req.Msg.GetRule())
	if err == nil {
		r, err = s.rules.CreateDistributionRule(ctx, principal(ctx), r)
	}
	if err != nil {
		return nil, s.fail(ctx, ruleFields(err))
	}
	return connect.NewResponse(&v1.CreateDistributionRuleResponse{Rule: distributionRuleOut(r)}), nil
}

func (s *distributionService) UpdateDistributionRule(ctx context.Context, req *connect.Request[v1.UpdateDistributionRuleRequest]) (*connect.Response[v1.UpdateDistributionRuleResponse], error) {
	r, err := distributionRuleIn(req.Msg.GetRule())
	if err == nil {
		r, err = s.rules.UpdateDistributionRule(ctx, principal(ctx), parseID(req.Msg.GetRuleId()), r)
	}
	if err != nil {
		return nil, s.fail(ctx, ruleFields(err))
	}
	return connect.NewResponse(&v1.UpdateDistributionRuleResponse{Rule: distributionRuleOut(r)}), nil
}

func (s *distributionService) DeleteDistributionRule(ctx context.Context, req *connect.Request[v1.DeleteDistributionRuleRequest]) (*connect.Response[v1.DeleteDistributionRuleResponse], error) {
	if err := s.rules.DeleteDistributionRule(ctx, principal(ctx), parseID(req.Msg.GetRuleId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DeleteDistributionRuleResponse{}), nil
}

// ruleFields names the domain's field violations as the request does: inside "rule".
func ruleFields(err error) error {
	var e *relance.Error
	if !errors.As(err, &e) || len(e.Violations) == 0 {
		return err
	}
	out := *e
	out.Violations = make([]relance.FieldViolation, len(e.Violations))
	for i, v := range e.Violations {
		if !strings.HasPrefix(v.Field, "rule.") {
			v.Field = "rule." + v.Field
		}
		out.Violations[i] = v
	}
	return &out
}
