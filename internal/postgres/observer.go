package postgres

import (
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// Observer hears what the engine did, once the transaction that did it has committed: the
// metrics adapter counts it. Its methods run on the caller's goroutine and must not block.
type Observer interface {
	// TimerFired: a timer of kind was carried out lateness after its instant.
	TimerFired(kind relance.TimerKind, lateness time.Duration)
	// ReminderSent: one rung of a ladder told one person (kind: the alert kind, lead.reminder
	// or action.due); escalation when that person is the advisor's manager.
	ReminderSent(kind relance.AlertKind, escalation bool)
	// LeadReceived: a new lead (not an idempotent replay) came from source.
	LeadReceived(source string)
	// LeadAnswered: a lead got its first response, response business time after its receipt.
	LeadAnswered(response time.Duration)
}

// WithObserver sets who hears what the engine did (metrics); none by default.
func WithObserver(o Observer) Option { return func(d *DB) { d.observer = o } }

// observe records fn to run with the DB's observer once the transaction commits.
func (t *tx) observe(fn func(Observer)) { t.observed = append(t.observed, fn) }

// tell runs what a committed transaction observed.
func (d *DB) tell(observed []func(Observer)) {
	if d.observer == nil {
		return
	}
	for _, fn := range observed {
		fn(d.observer)
	}
}
