package relance

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
)

// ids are advisor ids in increasing byte order, so that id ties are predictable.
func distributionIDs(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.MustParse(fmt.Sprintf("00000000-0000-0000-0000-%012d", i+1))
	}
	return out
}

func advisors(ids []uuid.UUID) []Candidate {
	out := make([]Candidate, len(ids))
	for i, id := range ids {
		out[i] = Candidate{UserID: id, Name: fmt.Sprintf("A%d", i+1), Role: RoleAdvisor, Active: true, AtSite: true}
	}
	return out
}

// run distributes n leads in sequence under r, keeping the round-robin state and each
// advisor's standing and open leads as the storage layer would, and counts leads per advisor.
func run(t *testing.T, r *DistributionRule, cands []Candidate, state *RoundRobin, n int) map[uuid.UUID]int {
	t.Helper()
	got := map[uuid.UUID]int{}
	for range n {
		d := Distribute(r, cands, *state)
		if d.AdvisorID == uuid.Nil {
			t.Fatalf("nobody chosen: %s %+v", d.Unassigned, d.Passed)
		}
		*state = d.State
		for i := range cands {
			if cands[i].UserID == d.AdvisorID {
				cands[i].Pass, cands[i].LastTurn = d.Pass, d.State.Turn
				cands[i].OpenLeads++
			}
		}
		got[d.AdvisorID]++
	}
	return got
}

func TestDistributionRoundRobinExact(t *testing.T) {
	ids := distributionIDs(5)
	r := &DistributionRule{Strategy: StrategyRoundRobin}
	cands := advisors(ids)
	var state RoundRobin
	var order []uuid.UUID
	for range 10 {
		d := Distribute(r, cands, state)
		state = d.State
		for i := range cands {
			if cands[i].UserID == d.AdvisorID {
				cands[i].Pass, cands[i].LastTurn = d.Pass, d.State.Turn
			}
		}
		order = append(order, d.AdvisorID)
	}
	for i, id := range order {
		if id != ids[i%5] {
			t.Fatalf("turn %d went to %v, want %v (order %v)", i+1, id, ids[i%5], order)
		}
	}
	got := run(t, r, cands, &state, 90)
	for _, id := range ids {
		if got[id] != 18 {
			t.Fatalf("after 100 leads: %v, want 20 each", got)
		}
	}
	if state.Turn != 100 {
		t.Fatalf("turn = %d, want 100", state.Turn)
	}
}

func TestDistributionRoundRobinWeights(t *testing.T) {
	ids := distributionIDs(3)
	r := &DistributionRule{Strategy: StrategyRoundRobin, Weights: map[uuid.UUID]int{ids[0]: 2, ids[2]: 3}}
	cands := advisors(ids)
	var state RoundRobin
	got := run(t, r, cands, &state, 600)
	if got[ids[0]] != 200 || got[ids[1]] != 100 || got[ids[2]] != 300 {
		t.Fatalf("weights 2:1:3 over 600 leads gave %d:%d:%d", got[ids[0]], got[ids[1]], got[ids[2]])
	}
}

func TestDistributionAbsentGetsNoneAndReturnsWithoutBurst(t *testing.T) {
	ids := distributionIDs(3)
	r := &DistributionRule{Strategy: StrategyRoundRobin}
	cands := advisors(ids)
	cands[2].AbsentUntil = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	var state RoundRobin
	got := run(t, r, cands, &state, 40)
	if got[ids[0]] != 20 || got[ids[1]] != 20 || got[ids[2]] != 0 {
		t.Fatalf("with the third away: %v", got)
	}
	// Back: one lead in turn, never the 20 they "missed".
	cands[2].AbsentUntil = time.Time{}
	got = run(t, r, cands, &state, 30)
	if got[ids[0]] != 10 || got[ids[1]] != 10 || got[ids[2]] != 10 {
		t.Fatalf("after the return: %v, want 10 each", got)
	}
	// And the returning advisor's first lead comes at once (they waited longest).
	cands = advisors(ids)
	cands[2].AbsentUntil = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	state = RoundRobin{}
	run(t, r, cands, &state, 7)
	cands[2].AbsentUntil = time.Time{}
	if d := Distribute(r, cands, state); d.AdvisorID != ids[2] {
		t.Fatalf("first lead after the return went to %v, want %v", d.AdvisorID, ids[2])
	}
}

func TestDistributionNewcomerJoinsWithoutBurst(t *testing.T) {
	ids := distributionIDs(3)
	r := &DistributionRule{Strategy: StrategyRoundRobin}
	cands := advisors(ids[:2])
	var state RoundRobin
	run(t, r, cands, &state, 50)
	cands = append(cands, advisors(ids[2:])...)
	got := run(t, r, cands, &state, 30)
	if got[ids[0]] != 10 || got[ids[1]] != 10 || got[ids[2]] != 10 {
		t.Fatalf("after a newcomer: %v, want 10 each", got)
	}
}

func TestDistributionLeastLoaded(t *testing.T) {
	ids := distributionIDs(4)
	r := &DistributionRule{Strategy: StrategyLeastLoaded}
	cands := advisors(ids)
	for i, n := range []int{7, 3, 0, 5} {
		cands[i].OpenLeads = n
	}
	var state RoundRobin
	got := run(t, r, cands, &state, 10)
	// 7,3,0,5 + 10 = 25: the three below 7 fill up to 6 each (3, 6 and 1 leads), never the first.
	want := map[uuid.UUID]int{ids[1]: 3, ids[2]: 6, ids[3]: 1}
	for _, id := range ids {
		if got[id] != want[id] {
			t.Fatalf("least-loaded gave %v, want %v", got, want)
		}
	}
	for i, c := range cands {
		if (i == 0 && c.OpenLeads != 7) || (i > 0 && c.OpenLeads != 6) {
			t.Fatalf("loads after: %d %d %d %d", cands[0].OpenLeads, cands[1].OpenLeads, cands[2].OpenLeads, cands[3].OpenLeads)
		}
	}
	// Weighted: twice the weight carries twice the load.
	r.Weights = map[uuid.UUID]int{ids[0]: 2}
	cands = advisors(ids[:2])
	got = run(t, r, cands, &state, 30)
	if got[ids[0]] != 20 || got[ids[1]] != 10 {
		t.Fatalf("weighted least-loaded: %v", got)
	}
}

func TestDistributionTiesAreDeterministic(t *testing.T) {
	ids := distributionIDs(3)
	for _, s := range []Strategy{StrategyRoundRobin, StrategyLeastLoaded} {
		r := &DistributionRule{Strategy: s}
		cands := advisors(ids)
		// Same measure for all: the one who waited longest, then the smallest id.
		cands[0].LastTurn, cands[1].LastTurn, cands[2].LastTurn = 9, 4, 4
		if d := Distribute(r, cands, RoundRobin{Turn: 9}); d.AdvisorID != ids[1] {
			t.Fatalf("%s: tie went to %v, want %v", s, d.AdvisorID, ids[1])
		}
		// The order of candidates does not matter.
		rev := []Candidate{cands[2], cands[1], cands[0]}
		if d := Distribute(r, rev, RoundRobin{Turn: 9}); d.AdvisorID != ids[1] {
			t.Fatalf("%s: reversed tie went to %v, want %v", s, d.AdvisorID, ids[1])
		}
	}
}

func TestDistributionEligibility(t *testing.T) {
	ids := distributionIDs(7)
	within := 30 * time.Minute
	r := &DistributionRule{Strategy: StrategyRoundRobin, MaxOpenLeads: 10, CalendarWithin: &within}
	zero, soon, late := time.Duration(0), 30*time.Minute, 31*time.Minute
	cands := advisors(ids)
	for i := range cands {
		cands[i].OpensIn = &zero
	}
	cands[0].Role = RoleManager
	cands[1].Active = false
	cands[2].AtSite = false
	cands[3].AbsentUntil = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	cands[4].OpenLeads = 10
	cands[5].OpensIn = &late
	cands[6].OpensIn = &soon
	d := Distribute(r, cands, RoundRobin{})
	if d.AdvisorID != ids[6] {
		t.Fatalf("chose %v, want the only eligible %v", d.AdvisorID, ids[6])
	}
	want := []Exclusion{ExcludedNotAdvisor, ExcludedInactive, ExcludedNotAtSite, ExcludedAbsent, ExcludedAtCap, ExcludedClosed}
	if len(d.Passed) != len(want) {
		t.Fatalf("passed = %+v", d.Passed)
	}
	for i, p := range d.Passed {
		if p.Why != want[i] || p.Candidate.UserID != ids[i] {
			t.Fatalf("passed[%d] = %s %v, want %s %v", i, p.Why, p.Candidate.UserID, want[i], ids[i])
		}
	}
	// A calendar that never opens excludes; without the option, it does not matter.
	cands[6].OpensIn = nil
	if d := Distribute(r, cands, RoundRobin{}); d.AdvisorID != uuid.Nil || d.Unassigned != UnassignedExcluded || len(d.Passed) != 7 {
		t.Fatalf("nobody eligible: %+v", d)
	}
	r.CalendarWithin = nil
	if d := Distribute(r, cands, RoundRobin{}); d.AdvisorID != ids[5] {
		t.Fatalf("without the calendar option: %v, want %v", d.AdvisorID, ids[5])
	}
	// Under the cap is eligible; no cap never excludes.
	cands[4].OpenLeads = 9
	cands[5].AbsentUntil, cands[6].AbsentUntil = cands[3].AbsentUntil, cands[3].AbsentUntil
	if d := Distribute(r, cands, RoundRobin{}); d.AdvisorID != ids[4] {
		t.Fatalf("under the cap: %v", d.AdvisorID)
	}
	cands[4].OpenLeads = 5000
	r.MaxOpenLeads = 0
	if d := Distribute(r, cands, RoundRobin{}); d.AdvisorID != ids[4] {
		t.Fatalf("no cap: %v", d.AdvisorID)
	}
}

func TestDistributionNobody(t *testing.T) {
	ids := distributionIDs(2)
	if d := Distribute(&DistributionRule{Strategy: StrategyRoundRobin}, nil, RoundRobin{Turn: 3}); d.AdvisorID != uuid.Nil ||
		d.Unassigned != UnassignedNoAdvisor || d.State.Turn != 3 {
		t.Fatalf("no candidates: %+v", d)
	}
	if d := Distribute(&DistributionRule{Strategy: StrategyManager}, advisors(ids), RoundRobin{}); d.AdvisorID != uuid.Nil ||
		d.Unassigned != UnassignedByRule {
		t.Fatalf("manager strategy: %+v", d)
	}
}

func TestDistributionFixed(t *testing.T) {
	ids := distributionIDs(3)
	r := &DistributionRule{Strategy: StrategyFixed, FixedAdvisorID: ids[2]}
	cands := advisors(ids)
	var state RoundRobin
	if got := run(t, r, cands, &state, 5); got[ids[2]] != 5 {
		t.Fatalf("fixed: %v", got)
	}
	cands[2].AbsentUntil = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	d := Distribute(r, cands, state)
	if d.AdvisorID != uuid.Nil || d.Unassigned != UnassignedExcluded || len(d.Passed) != 1 || d.Passed[0].Why != ExcludedAbsent {
		t.Fatalf("fixed advisor away: %+v", d)
	}
	if d := Distribute(r, cands[:2], state); d.AdvisorID != uuid.Nil || d.Unassigned != UnassignedNoAdvisor {
		t.Fatalf("fixed advisor not a candidate: %+v", d)
	}
}

func TestPickDistributionRule(t *testing.T) {
	site, other := uuid.New(), uuid.New()
	org := DistributionRule{ID: uuid.New()}
	atSite := DistributionRule{ID: uuid.New(), SiteID: site}
	web := DistributionRule{ID: uuid.New(), Source: "web"}
	webAtSite := DistributionRule{ID: uuid.New(), SiteID: site, Source: "web"}
	all := []DistributionRule{webAtSite, web, atSite, org}
	for _, tc := range []struct {
		name   string
		rules  []DistributionRule
		site   uuid.UUID
		source string
		want   uuid.UUID
	}{
		{"site and source", all, site, "web", webAtSite.ID},
		{"source elsewhere", all, other, "web", web.ID},
		{"site, other source", all, site, "phone", atSite.ID},
		{"organisation", all, other, "phone", org.ID},
		{"source beats site", []DistributionRule{atSite, web, org}, site, "web", web.ID},
		{"site beats organisation", []DistributionRule{org, atSite}, site, "", atSite.ID},
		{"other site's source rule", []DistributionRule{{ID: uuid.New(), SiteID: other, Source: "web"}}, site, "web", uuid.Nil},
		{"none", nil, site, "web", uuid.Nil},
	} {
		got, ok := PickDistributionRule(tc.rules, tc.site, tc.source)
		if got.ID != tc.want || ok != (tc.want != uuid.Nil) {
			t.Errorf("%s: got %v %v, want %v", tc.name, got.ID, ok, tc.want)
		}
	}
}

func TestDistributionRuleValidate(t *testing.T) {
	adv := uuid.New()
	d := func(m int) *time.Duration { x := time.Duration(m) * time.Minute; return &x }
	for _, tc := range []struct {
		rule  DistributionRule
		field string
	}{
		{DistributionRule{Strategy: StrategyRoundRobin}, ""},
		{DistributionRule{Strategy: StrategyFixed, FixedAdvisorID: adv}, ""},
		{DistributionRule{Strategy: StrategyLeastLoaded, MaxOpenLeads: 10000, CalendarWithin: d(1440), Weights: map[uuid.UUID]int{adv: 100}}, ""},
		{DistributionRule{Strategy: "random"}, "strategy"},
		{DistributionRule{}, "strategy"},
		{DistributionRule{Strategy: StrategyFixed}, "fixed_advisor_id"},
		{DistributionRule{Strategy: StrategyRoundRobin, FixedAdvisorID: adv}, "fixed_advisor_id"},
		{DistributionRule{Strategy: StrategyRoundRobin, MaxOpenLeads: -1}, "max_open_leads"},
		{DistributionRule{Strategy: StrategyRoundRobin, MaxOpenLeads: 10001}, "max_open_leads"},
		{DistributionRule{Strategy: StrategyRoundRobin, CalendarWithin: d(-1)}, "calendar_within_minutes"},
		{DistributionRule{Strategy: StrategyRoundRobin, CalendarWithin: d(1441)}, "calendar_within_minutes"},
		{DistributionRule{Strategy: StrategyRoundRobin, Weights: map[uuid.UUID]int{adv: 0}}, "weights"},
		{DistributionRule{Strategy: StrategyRoundRobin, Weights: map[uuid.UUID]int{adv: 101}}, "weights"},
		{DistributionRule{Strategy: StrategyRoundRobin, Weights: map[uuid.UUID]int{uuid.Nil: 1}}, "weights"},
		{DistributionRule{Strategy: StrategyRoundRobin, MoveAfter: d(15), MaxMoves: 1}, ""},
		{DistributionRule{Strategy: StrategyLeastLoaded, MoveAfter: d(120), MaxMoves: 10}, ""},
		{DistributionRule{Strategy: StrategyRoundRobin, MoveAfter: d(14), MaxMoves: 1}, "move_after_minutes"},
		{DistributionRule{Strategy: StrategyRoundRobin, MoveAfter: d(121), MaxMoves: 1}, "move_after_minutes"},
		{DistributionRule{Strategy: StrategyFixed, FixedAdvisorID: adv, MoveAfter: d(30), MaxMoves: 1}, "move_after_minutes"},
		{DistributionRule{Strategy: StrategyRoundRobin, MoveAfter: d(30)}, "max_moves"},
		{DistributionRule{Strategy: StrategyRoundRobin, MoveAfter: d(30), MaxMoves: 11}, "max_moves"},
		{DistributionRule{Strategy: StrategyRoundRobin, MaxMoves: 1}, "max_moves"},
	} {
		err := tc.rule.Validate()
		if (tc.field == "" && err != nil) || (tc.field != "" && !HasViolation(err, tc.field)) {
			t.Errorf("%+v: %v, want violation of %q", tc.rule, err, tc.field)
		}
	}
}

func TestOnlyABalancingOrCappedRuleWeighsLoads(t *testing.T) {
	for _, c := range []struct {
		rule DistributionRule
		want bool
	}{
		{DistributionRule{Strategy: StrategyRoundRobin}, false},
		{DistributionRule{Strategy: StrategyFixed}, false},
		{DistributionRule{Strategy: StrategyManager}, false},
		{DistributionRule{Strategy: StrategyLeastLoaded}, true},
		{DistributionRule{Strategy: StrategyRoundRobin, MaxOpenLeads: 10}, true},
		{DistributionRule{Strategy: StrategyFixed, MaxOpenLeads: 1}, true},
	} {
		if got := c.rule.WeighsLoads(); got != c.want {
			t.Errorf("%s with a cap of %d weighs loads: %v, want %v", c.rule.Strategy, c.rule.MaxOpenLeads, got, c.want)
		}
	}
}
