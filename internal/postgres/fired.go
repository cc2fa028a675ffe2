package postgres

import (
	"sync"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

// firedCap bounds how many timers a process remembers having fired with another's: more than a
// burst's backlog, at 32 bytes each.
const firedCap = 1 << 16

// firedSet remembers the timers (at their version) this process fired with another's and
// committed, so that their own tasks, which come later, end without a statement. Forgetting one
// (the oldest when full, or one taken and remembered again) only costs that statement: FireTimer
// then asks the database.
type firedSet struct {
	mu    sync.Mutex
	seen  map[firedKey]struct{}
	order []firedKey // a ring, oldest first from next, to forget the oldest when full
	next  int
}

type firedKey struct {
	id      uuid.UUID
	version int
}

func keyOf(ref relance.TimerRef) firedKey { return firedKey{id: ref.ID, version: ref.Version} }

// add remembers refs.
func (s *firedSet) add(refs []relance.TimerRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = make(map[firedKey]struct{})
	}
	for _, ref := range refs {
		k := keyOf(ref)
		if _, ok := s.seen[k]; ok {
			continue
		}
		if len(s.order) < firedCap {
			s.order = append(s.order, k)
		} else {
			delete(s.seen, s.order[s.next])
			s.order[s.next] = k
			s.next = (s.next + 1) % firedCap
		}
		s.seen[k] = struct{}{}
	}
}

// take reports whether ref was fired here, and forgets it: its task comes once.
func (s *firedSet) take(ref relance.TimerRef) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := keyOf(ref)
	_, ok := s.seen[k]
	delete(s.seen, k)
	return ok
}
