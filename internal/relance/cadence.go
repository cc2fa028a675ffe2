package relance

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// ClosureGuard says what happens when a lead is rejected with fewer contacts than its cadence
// rule asks.
type ClosureGuard string

// The closure guards.
const (
	GuardFlag   ClosureGuard = "flag"   // allowed, flagged as an improper closure, the manager told
	GuardRefuse ClosureGuard = "refuse" // refused with FAILED_PRECONDITION
)

// CadenceRule is how hard a lead must be tried: AttemptsPerDay calls on each of its first Days
// working days (the assigned advisor's), MinContacts contacts before it may be rejected, and
// calls longer than SuccessAfter count as successful touches. A rule covers a whole
// organisation, or one site (SiteID), or one source (Source), the most specific winning.
type CadenceRule struct {
	ID             uuid.UUID
	SiteID         uuid.UUID // uuid.Nil unless the rule is a site's
	Source         string    // empty unless the rule is a source's
	AttemptsPerDay int
	Days           int
	MinContacts    int
	SuccessAfter   time.Duration
	Guard          ClosureGuard
	UpdatedAt      time.Time
}

// DefaultCadence is the rule of an organisation that has not set its own: 3 attempts a day for
// 5 working days, 15 contacts before rejection, touches beyond 30 s, improper closures flagged.
func DefaultCadence() CadenceRule {
	return CadenceRule{AttemptsPerDay: 3, Days: 5, MinContacts: 15, SuccessAfter: 30 * time.Second, Guard: GuardFlag}
}

// Validate checks a rule's figures, naming the field at fault.
func (r *CadenceRule) Validate() error {
	switch {
	case r.SiteID != uuid.Nil && r.Source != "":
		return Invalid("source", "a rule is an organisation's, a site's or a source's, not both")
	case r.AttemptsPerDay < 1 || r.AttemptsPerDay > 20:
		return Invalid("attempts_per_day", "must be between 1 and 20")
	case r.Days < 1 || r.Days > 60:
		return Invalid("days", "must be between 1 and 60")
	case r.MinContacts < 0 || r.MinContacts > 1000:
		return Invalid("min_contacts", "must be between 0 and 1000")
	case r.SuccessAfter < time.Second || r.SuccessAfter > time.Hour || r.SuccessAfter%time.Second != 0:
		return Invalid("successful_touch", "must be whole seconds between 1 s and 1 h")
	case r.Guard != GuardFlag && r.Guard != GuardRefuse:
		return Invalid("closure_guard", "must be flag or refuse")
	}
	return nil
}

// PickCadence returns the rule for a lead of siteID from source among an organisation's rules:
// the source's, else the site's, else the organisation's, else DefaultCadence.
func PickCadence(rules []CadenceRule, siteID uuid.UUID, source string) CadenceRule {
	var site, org *CadenceRule
	for i := range rules {
		r := &rules[i]
		switch {
		case r.Source != "" && r.Source == source:
			return *r
		case r.SiteID != uuid.Nil && r.SiteID == siteID:
			site = r
		case r.SiteID == uuid.Nil && r.Source == "":
			org = r
		}
	}
	switch {
	case site != nil:
		return *site
	case org != nil:
		return *org
	}
	return DefaultCadence()
}

// Successful reports whether a call is a successful touch under r: answered, and longer than
// the threshold.
func (r *CadenceRule) Successful(c *Call) bool {
	return c.Outcome == CallAnswered && c.Duration > r.SuccessAfter
}

// ImproperClosure reports whether rejecting a lead after contacts contacts breaks r.
func (r *CadenceRule) ImproperClosure(contacts int) bool { return contacts < r.MinContacts }

// Cadence is where a lead stands in its rule.
type Cadence struct {
	AttemptsToday int // outbound calls in the advisor's local day
	Attempts      int // outbound calls in all
	Touches       int // successful touches in all
	DaysLeft      int // cadence days from today on (today included when it is one)
	// Behind: a cadence day before today had fewer attempts than the rule asks, and no call
	// has been a successful touch yet.
	Behind bool
}

// Day is one local day: [Start, End).
type Day struct{ Start, End time.Time }

// Contains reports whether t falls in d.
func (d Day) Contains(t time.Time) bool { return !t.Before(d.Start) && t.Before(d.End) }

// CadenceOf places a lead in its rule at now: days are its cadence days (the rule's number of
// the advisor's working days from the receipt), today the advisor's local day, attempts the
// instants of its outbound calls.
func CadenceOf(r *CadenceRule, days []Day, today Day, attempts []time.Time, touches int) Cadence {
	c := Cadence{Attempts: len(attempts), Touches: touches}
	for _, a := range attempts {
		if today.Contains(a) {
			c.AttemptsToday++
		}
	}
	for _, d := range days {
		if !d.Start.Before(today.Start) {
			c.DaysLeft++
			continue
		}
		n := 0
		for _, a := range attempts {
			if d.Contains(a) {
				n++
			}
		}
		if n < r.AttemptsPerDay && touches == 0 {
			c.Behind = true
		}
	}
	return c
}

// ComplianceRow is one advisor's day against the cadence rules.
type ComplianceRow struct {
	AdvisorID   uuid.UUID
	AdvisorName string
	Day         Date
	InCadence   int // open leads for which the day is a cadence day, not yet reached
	NoAttempt   int // of those, leads without an outbound call that day
	Attempts    int // outbound calls to those leads that day
	Quota       int // the attempts their rules ask for that day
	Touches     int // successful touches of those leads that day
	Behind      int // of those, leads behind their cadence (a day before fell short)
}

// CallAt is an outbound call of a lead: when, and whether it was a successful touch.
type CallAt struct {
	At         time.Time
	Successful bool
}

// Standing is where a lead stood on one day against its cadence rule.
type Standing struct {
	InCadence bool // the day is one of its cadence days, and no call before it reached the customer
	Attempts  int  // outbound calls that day
	Touches   int  // successful touches that day
	Behind    bool // a cadence day before fell short
}

// StandingOn places a lead with rule r, cadence days days and outbound calls calls on day.
func StandingOn(r *CadenceRule, days []Day, day Day, calls []CallAt) Standing {
	if !slices.ContainsFunc(days, func(d Day) bool { return d.Start.Equal(day.Start) }) {
		return Standing{}
	}
	var s Standing
	var before []time.Time
	for _, c := range calls {
		switch {
		case c.At.Before(day.Start):
			if c.Successful {
				return Standing{} // reached already: out of its cadence
			}
			before = append(before, c.At)
		case day.Contains(c.At):
			s.Attempts++
			if c.Successful {
				s.Touches++
			}
		}
	}
	s.InCadence, s.Behind = true, CadenceOf(r, days, day, before, 0).Behind
	return s
}

// Add counts a lead's standing on the row's day, under rule r.
func (row *ComplianceRow) Add(r *CadenceRule, s Standing) {
	if !s.InCadence {
		return
	}
	row.InCadence++
	row.Attempts += s.Attempts
	row.Quota += r.AttemptsPerDay
	row.Touches += s.Touches
	if s.Attempts == 0 {
		row.NoAttempt++
	}
	if s.Behind {
		row.Behind++
	}
}

// ComplianceFilter selects a compliance report: the days From to To (at most 31), optionally
// one site's leads or one advisor.
type ComplianceFilter struct {
	From, To  Date
	SiteID    uuid.UUID
	AdvisorID uuid.UUID
	UnitID    uuid.UUID // advisors in this unit, and their leads at its site
}

// MaxReportDays bounds the days of a day-by-day report.
const MaxReportDays = 31
