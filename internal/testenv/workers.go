package testenv

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
)

// Workers stands in for the queue, the worker processes and the email/SMS provider around a
// store: it keeps the clock the store reads, records the timers the store schedules, fires those
// due from several goroutines at once (as several workers do) and records what is sent.
type Workers struct {
	mu      sync.Mutex
	now     time.Time
	pending []relance.TimerRef
	sent    []relance.Message
}

// NewWorkers returns Workers whose clock reads start.
func NewWorkers(start time.Time) *Workers { return &Workers{now: start} }

// Options are the store options that make it use w's clock, queue and provider.
func (w *Workers) Options() []postgres.Option {
	return []postgres.Option{postgres.WithClock(w.Now), postgres.WithScheduler(w), postgres.WithSender(w)}
}

// Now reads the clock.
func (w *Workers) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// Set moves the clock.
func (w *Workers) Set(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = t
}

// Schedule records timers, as the queue would hold them.
func (w *Workers) Schedule(_ context.Context, ts []relance.TimerRef) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, ts...)
	return nil
}

// Send records a message as sent.
func (w *Workers) Send(_ context.Context, m relance.Message) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sent = append(w.sent, m)
	return "id", nil
}

// Sent returns the messages sent so far on channel ch.
func (w *Workers) Sent(ch relance.Channel) []relance.Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(w.sent), func(m relance.Message) bool { return m.Channel != ch })
}

// FireDue fires every timer due by the clock with n workers at once, round after round (a
// round's work schedules the next, as a plan step schedules its delivery), until none is due.
// It fails the test on a firing error, or when timers are still due after 20 rounds.
func (w *Workers) FireDue(t testing.TB, db *postgres.DB, n int) {
	t.Helper()
	for range 20 {
		w.mu.Lock()
		var due []relance.TimerRef
		w.pending = slices.DeleteFunc(w.pending, func(r relance.TimerRef) bool {
			if r.DueAt.After(w.now) {
				return false
			}
			due = append(due, r)
			return true
		})
		w.mu.Unlock()
		if len(due) == 0 {
			return
		}
		refs := make(chan relance.TimerRef)
		errs := make(chan error, len(due))
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				for r := range refs {
					if err := fireHeld(db, r); err != nil {
						errs <- err
					}
				}
			})
		}
		for _, r := range due {
			refs <- r
		}
		close(refs)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("fire: %v", err)
		}
	}
	t.Fatal("timers still due after 20 rounds")
}

// fireHeld fires r, looking again while another worker holds it (firing it with its own), as the
// queue's handler does, for at most 10 s.
func fireHeld(db *postgres.DB, r relance.TimerRef) error {
	for deadline := time.Now().Add(10 * time.Second); ; {
		err := db.FireTimer(context.Background(), r)
		var held *relance.HeldError
		if !errors.As(err, &held) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(held.Wait)
	}
}
