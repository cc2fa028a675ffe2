package relance

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// AbsenceDecisionThreshold is how long an advisor must still be away after an assignment for
// their manager to be asked what to do with the lead.
const AbsenceDecisionThreshold = 24 * time.Hour

// Decision states.
const (
	DecisionPending    = "pending"
	DecisionReassigned = "reassigned"
	DecisionKept       = "kept"
	DecisionObsolete   = "obsolete" // the lead was reassigned or closed by other means
)

// Decision is a question a manager owes an answer to: a lead went to an advisor who is away.
type Decision struct {
	ID           uuid.UUID
	LeadID       uuid.UUID
	AdvisorID    uuid.UUID
	ManagerID    uuid.UUID
	AbsentUntil  time.Time
	State        string
	ReassignedTo uuid.UUID
	CreatedAt    time.Time
	ResolvedAt   *time.Time
}

// AwayBeyond returns when the absence covering at ends, treating overlapping or touching
// absences as one, and whether that is more than threshold after at.
func AwayBeyond(absences []Absence, at time.Time, threshold time.Duration) (time.Time, bool) {
	sorted := slices.Clone(absences)
	slices.SortFunc(sorted, func(a, b Absence) int { return a.StartsAt.Compare(b.StartsAt) })
	var until time.Time
	covered := false
	for _, a := range sorted {
		switch {
		case !covered && !a.StartsAt.After(at) && a.EndsAt.After(at):
			covered, until = true, a.EndsAt
		case covered && !a.StartsAt.After(until) && a.EndsAt.After(until):
			until = a.EndsAt
		}
	}
	return until, covered && until.Sub(at) > threshold
}

// CheckResolveDecision checks that p may answer decision d: the manager it was asked of, or an
// admin. Anyone else gets not-found.
func (p Principal) CheckResolveDecision(d *Decision) error {
	if p.Role == RoleAdmin || d.ManagerID == p.UserID {
		return nil
	}
	return NotFound("decision")
}
