package relance

import (
	"bytes"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Strategy says how a distribution rule chooses the advisor of a lead that arrives without one.
type Strategy string

// The strategies.
const (
	// StrategyRoundRobin gives leads in turn to the eligible advisors, in proportion to their
	// weights.
	StrategyRoundRobin Strategy = "round_robin"
	// StrategyLeastLoaded gives a lead to the eligible advisor with the fewest open leads (per
	// unit of weight).
	StrategyLeastLoaded Strategy = "least_loaded"
	// StrategyFixed gives every lead to one advisor, while they are eligible.
	StrategyFixed Strategy = "fixed"
	// StrategyManager leaves leads unassigned, for the site's managers to hand out.
	StrategyManager Strategy = "manager"
)

// Bounds of a distribution rule's figures.
const (
	MaxDistributionWeight    = 100
	MaxOpenLeadsCap          = 10000
	MaxCalendarWithin        = 24 * time.Hour
	MinMoveAfter             = 15 * time.Minute
	MaxMoveAfter             = 120 * time.Minute
	MaxLeadMoves             = 10
	maxDistributionWeightsIn = 200
)

// DistributionRule says who gets the leads arriving without an assignee. A rule covers a whole
// organisation, one site (SiteID), one source (Source), or one source at one site; the most
// specific rule wins (site and source, then source, then site, then organisation).
type DistributionRule struct {
	ID             uuid.UUID
	SiteID         uuid.UUID // uuid.Nil: every site
	Source         string    // empty: every source
	Strategy       Strategy
	FixedAdvisorID uuid.UUID // StrategyFixed only
	// Weights gives some advisors a larger (or smaller) share; an advisor not listed weighs 1.
	Weights map[uuid.UUID]int
	// MaxOpenLeads excludes advisors who already have that many open leads; 0 for no cap.
	MaxOpenLeads int
	// CalendarWithin, when set, excludes advisors whose own calendar (the site's hours less
	// their absences) is closed now and opens more than that much business time from now.
	CalendarWithin *time.Duration
	// MoveAfter, when set, is the lead timer: a lead the rule gave that nobody answered within
	// that much business time of its advisor moves to the next eligible advisor, at most
	// MaxMoves times; then the site's managers are told.
	MoveAfter *time.Duration
	MaxMoves  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Weight returns an advisor's weight under r (1 when not listed).
func (r *DistributionRule) Weight(advisor uuid.UUID) int {
	if w, ok := r.Weights[advisor]; ok && w > 0 {
		return w
	}
	return 1
}

// WeighsLoads reports whether choosing under r needs each candidate's open leads: to balance
// them (least loaded) or to cap them. Counting them reads every open lead of every candidate,
// under the rule's lock, so a rule that needs none reads none.
func (r *DistributionRule) WeighsLoads() bool {
	return r.Strategy == StrategyLeastLoaded || r.MaxOpenLeads > 0
}

// Validate checks a rule's figures, naming the field at fault.
func (r *DistributionRule) Validate() error {
	switch r.Strategy {
	case StrategyRoundRobin, StrategyLeastLoaded, StrategyFixed, StrategyManager:
	default:
		return Invalid("strategy", "must be round_robin, least_loaded, fixed or manager")
	}
	switch {
	case r.Strategy == StrategyFixed && r.FixedAdvisorID == uuid.Nil:
		return Invalid("fixed_advisor_id", "is required by the fixed strategy")
	case r.Strategy != StrategyFixed && r.FixedAdvisorID != uuid.Nil:
		return Invalid("fixed_advisor_id", "is only for the fixed strategy")
	case len(r.Source) > 100:
		return Invalid("source", "must be at most 100 characters")
	case r.MaxOpenLeads < 0 || r.MaxOpenLeads > MaxOpenLeadsCap:
		return Invalid("max_open_leads", "must be between 0 (no cap) and 10000")
	case r.CalendarWithin != nil && (*r.CalendarWithin < 0 || *r.CalendarWithin > MaxCalendarWithin || *r.CalendarWithin%time.Minute != 0):
		return Invalid("calendar_within_minutes", "must be whole minutes between 0 and 1440")
	case r.MoveAfter != nil && (*r.MoveAfter < MinMoveAfter || *r.MoveAfter > MaxMoveAfter || *r.MoveAfter%time.Minute != 0):
		return Invalid("move_after_minutes", "must be whole minutes between 15 and 120")
	case r.MoveAfter != nil && (r.MaxMoves < 1 || r.MaxMoves > MaxLeadMoves):
		return Invalid("max_moves", "must be between 1 and 10 with a lead timer")
	case r.MoveAfter == nil && r.MaxMoves != 0:
		return Invalid("max_moves", "needs move_after_minutes")
	case r.MoveAfter != nil && r.Strategy != StrategyRoundRobin && r.Strategy != StrategyLeastLoaded:
		return Invalid("move_after_minutes", "moves leads among advisors: round_robin or least_loaded only")
	case len(r.Weights) > maxDistributionWeightsIn:
		return Invalid("weights", "at most 200 advisors may be weighted")
	}
	for id, w := range r.Weights {
		if id == uuid.Nil {
			return Invalid("weights", "an advisor id is required")
		}
		if w < 1 || w > MaxDistributionWeight {
			return Invalid("weights", "a weight must be between 1 and 100")
		}
	}
	return nil
}

// PickDistributionRule returns the rule for a lead of siteID from source among an
// organisation's rules: the one for that source at that site, else the source's, else the
// site's, else the organisation's; false when none applies.
func PickDistributionRule(rules []DistributionRule, siteID uuid.UUID, source string) (DistributionRule, bool) {
	best, bestRank := -1, 0
	for i := range rules {
		r := &rules[i]
		if (r.SiteID != uuid.Nil && r.SiteID != siteID) || (r.Source != "" && r.Source != source) {
			continue
		}
		rank := 1
		switch {
		case r.SiteID != uuid.Nil && r.Source != "":
			rank = 4
		case r.Source != "":
			rank = 3
		case r.SiteID != uuid.Nil:
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return DistributionRule{}, false
	}
	return rules[best], true
}

// Candidate is a person who might receive a lead, as the distribution sees them at one instant.
type Candidate struct {
	UserID uuid.UUID
	Name   string
	Role   Role
	Active bool
	AtSite bool // works at the lead's site
	// AbsentUntil is when the absence covering the instant ends; zero when present.
	AbsentUntil time.Time
	// OpensIn is the business time (in the site's hours) until the candidate's own calendar is
	// open: 0 when open now; nil when it does not open within the calendar's horizon.
	OpensIn   *time.Duration
	OpenLeads int // open leads assigned to them (0 when the rule does not weigh loads)
	// Pass and LastTurn are the candidate's round-robin standing under the rule: their virtual
	// time (the lower, the sooner their turn) and the rule's turn at which they last received
	// a lead (0: never).
	Pass     int64
	LastTurn int64
}

// Exclusion says why a candidate was passed over.
type Exclusion string

// The exclusions, in the order they are checked.
const (
	ExcludedNotAdvisor Exclusion = "not_advisor" // a manager or an admin
	ExcludedInactive   Exclusion = "inactive"
	ExcludedNotAtSite  Exclusion = "not_at_site"
	ExcludedAbsent     Exclusion = "absent"
	ExcludedAtCap      Exclusion = "at_cap"
	ExcludedClosed     Exclusion = "calendar_closed" // their calendar opens too late
)

// Passed is a candidate the distribution passed over, and why.
type Passed struct {
	Candidate Candidate
	Why       Exclusion
}

// Unassigned says why a distribution chose nobody.
type Unassigned string

// The reasons a lead stays unassigned.
const (
	UnassignedByRule    Unassigned = "rule"         // the rule leaves leads to the manager
	UnassignedNoAdvisor Unassigned = "no_advisor"   // nobody to consider at all
	UnassignedExcluded  Unassigned = "all_excluded" // every candidate was passed over (see Passed)
)

// RoundRobin is a rule's round-robin state, kept with the rule and changed under its lock.
type RoundRobin struct {
	Clock int64 // the virtual time of the last turn
	Turn  int64 // the number of leads the rule has given so far
}

// Distribution is the outcome of Distribute.
type Distribution struct {
	AdvisorID  uuid.UUID  // uuid.Nil: nobody; see Unassigned
	Unassigned Unassigned // why nobody, when AdvisorID is uuid.Nil
	Passed     []Passed   // candidates passed over, in the order given
	// State is the rule's round-robin state after this lead, and Pass the chosen advisor's new
	// virtual time (with LastTurn = State.Turn).
	State RoundRobin
	Pass  int64
}

// strideUnit is the virtual time one lead costs an advisor of weight 1: a multiple of every
// weight up to 20, so that common weights divide it exactly.
const strideUnit = 232792560

// stride is the virtual time one lead costs an advisor of weight w.
func stride(w int) int64 { return strideUnit / int64(w) }

// Eligible says why c may not receive a lead under r, or "" when c may.
func (r *DistributionRule) Eligible(c *Candidate) Exclusion {
	switch {
	case c.Role != RoleAdvisor:
		return ExcludedNotAdvisor
	case !c.Active:
		return ExcludedInactive
	case !c.AtSite:
		return ExcludedNotAtSite
	case !c.AbsentUntil.IsZero():
		return ExcludedAbsent
	case r.MaxOpenLeads > 0 && c.OpenLeads >= r.MaxOpenLeads:
		return ExcludedAtCap
	case r.CalendarWithin != nil && (c.OpensIn == nil || *c.OpensIn > *r.CalendarWithin):
		return ExcludedClosed
	}
	return ""
}

// Distribute chooses the advisor of one lead under rule r among candidates, given the rule's
// round-robin state. It is deterministic: ties go to the advisor who waited longest since their
// last lead, then to the smallest id.
//
// Round-robin is stride scheduling: each advisor has a virtual time that grows by 1/weight per
// lead; the lowest goes next. An advisor whose virtual time lags the rule's clock (new, or back
// from an absence) starts from the clock, so that they take their turn without a burst.
func Distribute(r *DistributionRule, candidates []Candidate, state RoundRobin) Distribution {
	out := Distribution{State: state}
	if r.Strategy == StrategyManager {
		out.Unassigned = UnassignedByRule
		return out
	}
	var eligible []*Candidate
	for i := range candidates {
		c := &candidates[i]
		if r.Strategy == StrategyFixed && c.UserID != r.FixedAdvisorID {
			continue
		}
		if why := r.Eligible(c); why != "" {
			out.Passed = append(out.Passed, Passed{Candidate: *c, Why: why})
			continue
		}
		eligible = append(eligible, c)
	}
	if len(eligible) == 0 {
		out.Unassigned = UnassignedExcluded
		if len(out.Passed) == 0 {
			out.Unassigned = UnassignedNoAdvisor
		}
		return out
	}
	pass := func(c *Candidate) int64 { return max(c.Pass, state.Clock) }
	// measure compares a and b on the strategy's own measure (0 when equal).
	var measure func(a, b *Candidate) int
	switch r.Strategy {
	case StrategyLeastLoaded:
		measure = func(a, b *Candidate) int {
			// a.OpenLeads/wa against b.OpenLeads/wb, without division.
			return cmpInt64(int64(a.OpenLeads)*int64(r.Weight(b.UserID)), int64(b.OpenLeads)*int64(r.Weight(a.UserID)))
		}
	case StrategyRoundRobin:
		measure = func(a, b *Candidate) int { return cmpInt64(pass(a), pass(b)) }
	default:
		measure = func(a, b *Candidate) int { return 0 }
	}
	best := slices.MinFunc(eligible, func(a, b *Candidate) int {
		if c := measure(a, b); c != 0 {
			return c
		}
		if c := cmpInt64(a.LastTurn, b.LastTurn); c != 0 {
			return c
		}
		return bytes.Compare(a.UserID[:], b.UserID[:])
	})
	out.AdvisorID = best.UserID
	out.State.Turn = state.Turn + 1
	if r.Strategy == StrategyRoundRobin {
		out.State.Clock = pass(best)
	}
	out.Pass = pass(best) + stride(r.Weight(best.UserID))
	return out
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CheckDistributionAccess checks that p may read distribution rules: managers and admins.
func (p Principal) CheckDistributionAccess() error {
	if p.Role == RoleAdmin || p.Role == RoleManager {
		return nil
	}
	return Errorf(CodePermissionDenied, "only managers and admins read distribution rules")
}

// CheckDistributionManage checks that p may create, change or delete distribution rules:
// admins only.
func (p Principal) CheckDistributionManage() error {
	if p.Role == RoleAdmin {
		return nil
	}
	return Errorf(CodePermissionDenied, "only admins manage distribution rules")
}
