package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// sim drives timers through the real store with a simulated clock: it fires each recorded timer
// at its instant, in order, and records when each message left.
type sim struct {
	t       *testing.T
	url     string // the database, for a second process
	db      *postgres.DB
	w       *testenv.World
	mu      sync.Mutex
	now     time.Time
	pending []relance.TimerRef
	sent    []sentAt
	refuse  string // a recipient the provider refuses for good
}

type sentAt struct {
	msg relance.Message
	at  time.Time
}

func (s *sim) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *sim) set(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = t
}

func (s *sim) Schedule(_ context.Context, ts []relance.TimerRef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, ts...)
	return nil
}

func (s *sim) Send(_ context.Context, m relance.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.To == s.refuse {
		return "", relance.Permanent(errors.New("550 no such mailbox"))
	}
	s.sent = append(s.sent, sentAt{m, s.now})
	return "id", nil
}

func newSim(t *testing.T, start time.Time, opts ...postgres.Option) *sim {
	t.Helper()
	s := &sim{t: t, now: start}
	s.url, _ = testenv.Database(t)
	opts = append([]postgres.Option{postgres.WithClock(s.clock), postgres.WithScheduler(s), postgres.WithSender(s)}, opts...)
	s.db = testenv.OpenURL(t, s.url, opts...)
	s.w = testenv.NewWorld(t, s.db)
	return s
}

// maxFirings bounds one runUntil: a scenario that fires more timers than this loops.
const maxFirings = 1000

// runUntil plans and fires every timer due up to end, earliest first, moving the clock to each
// instant, as the worker's planner, sweeper and handlers do. It fails the test when timers are
// still due after maxFirings.
func (s *sim) runUntil(end time.Time) {
	s.t.Helper()
	for fired := 0; ; fired++ {
		if fired == maxFirings {
			s.t.Fatalf("still timers due before %s after %d firings: a timer loop?", end, maxFirings)
		}
		if _, err := s.db.PlanTimers(ctx); err != nil {
			s.t.Fatalf("plan: %v", err)
		}
		s.mu.Lock()
		slices.SortFunc(s.pending, func(a, b relance.TimerRef) int { return a.DueAt.Compare(b.DueAt) })
		if len(s.pending) == 0 || s.pending[0].DueAt.After(end) {
			s.mu.Unlock()
			break
		}
		next := s.pending[0]
		s.pending = s.pending[1:]
		if next.DueAt.After(s.now) {
			s.now = next.DueAt
		}
		s.mu.Unlock()
		if err := s.db.FireTimer(ctx, next); err != nil {
			s.t.Fatalf("fire %+v: %v", next, err)
		}
	}
	s.set(end)
}

// reminders lists "email at local-time" for each reminder sent (not assignment alerts).
func (s *sim) reminders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent {
		if strings.Contains(m.msg.Subject, "ew lead") || strings.Contains(m.msg.Subject, "ouveau lead") || isDigest(m.msg) ||
			strings.Contains(m.msg.Subject, "verdue") || strings.Contains(m.msg.Subject, "n retard") {
			continue
		}
		who := strings.Split(m.msg.To, "@")[0]
		out = append(out, who+" "+m.at.In(parisZone).Format("Mon 01-02 15:04 -07:00"))
	}
	return out
}

var parisZone, _ = time.LoadLocation("Europe/Paris")

func TestReminderScenarios(t *testing.T) {
	t.Parallel()
	type step struct {
		at string
		do func(s *sim, lead relance.Lead)
	}
	for _, tc := range []struct {
		name   string
		assign string // when the lead is assigned to Alice
		setup  func(s *sim)
		steps  []step
		until  string
		want   []string
	}{
		{
			name: "friday evening waits for monday, then escalates", assign: "2026-03-06 18:30", until: "2026-03-09 20:00",
			want: []string{"alice Mon 03-09 10:30 +01:00", "alice Mon 03-09 14:30 +01:00", "manager Mon 03-09 14:30 +01:00"},
		},
		{
			name: "holiday monday", assign: "2026-04-03 18:30", until: "2026-04-07 12:00",
			setup: func(s *sim) {
				d, _ := relance.ParseDate("2026-04-06")
				if _, err := s.db.AddSiteClosures(ctx, s.w.As(s.w.Admin), s.w.Lyon.ID, []relance.Closure{{Start: d, End: d}}, false); err != nil {
					s.t.Fatal(err)
				}
			},
			want: []string{"alice Tue 04-07 10:30 +02:00"},
		},
		{
			name: "advisor absent on monday", assign: "2026-03-06 18:30", until: "2026-03-10 12:00",
			setup: func(s *sim) {
				if _, err := s.db.AddAbsence(ctx, s.w.As(s.w.Alice), relance.Absence{UserID: s.w.Alice.ID,
					StartsAt: paris(s.t, "2026-03-09 00:00"), EndsAt: paris(s.t, "2026-03-10 00:00")}); err != nil {
					s.t.Fatal(err)
				}
			},
			want: []string{"alice Tue 03-10 10:30 +01:00"},
		},
		{
			name: "daylight saving weekend", assign: "2026-03-27 18:00", until: "2026-03-30 12:00",
			want: []string{"alice Mon 03-30 10:00 +02:00"},
		},
		{
			name: "treated one second before", assign: "2026-03-04 10:00", until: "2026-03-04 20:00",
			steps: []step{{"2026-03-04 11:59", func(s *sim, lead relance.Lead) {
				done := paris(s.t, "2026-03-04 11:59").Add(59 * time.Second)
				s.set(done)
				if _, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, DoneAt: &done}); err != nil {
					s.t.Fatal(err)
				}
			}}},
			want: nil,
		},
		{
			name: "reassignment restarts the ladder", assign: "2026-03-04 10:00", until: "2026-03-04 14:00",
			steps: []step{{"2026-03-04 11:00", func(s *sim, lead relance.Lead) {
				if _, err := s.db.AssignLead(ctx, s.w.As(s.w.Manager), lead.ID, s.w.Bob.ID); err != nil {
					s.t.Fatal(err)
				}
			}}},
			want: []string{"bob Wed 03-04 13:00 +01:00"},
		},
		{
			name: "won before the reminder", assign: "2026-03-04 10:00", until: "2026-03-05 20:00",
			steps: []step{{"2026-03-04 11:00", func(s *sim, lead relance.Lead) {
				won := relance.StageWon
				if _, err := s.db.UpdateLead(ctx, s.w.As(s.w.Alice), lead.ID, relance.LeadChange{Stage: &won}); err != nil {
					s.t.Fatal(err)
				}
			}}},
			want: nil,
		},
		{
			name: "hours changed after scheduling: never sent while closed", assign: "2026-03-04 10:00", until: "2026-03-05 12:00",
			steps: []step{{"2026-03-04 10:30", func(s *sim, lead relance.Lead) {
				morning := []relance.Window{}
				for d := time.Monday; d <= time.Friday; d++ {
					morning = append(morning, relance.Window{Weekday: d, Start: 9 * 60, End: 11 * 60})
				}
				if _, err := s.db.UpdateSite(ctx, s.w.As(s.w.Admin), s.w.Lyon.ID, relance.SiteChange{Windows: &morning}); err != nil {
					s.t.Fatal(err)
				}
			}}},
			want: []string{"alice Thu 03-05 09:00 +01:00"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, paris(t, tc.assign).Add(-time.Hour))
			if tc.setup != nil {
				tc.setup(s)
			}
			s.set(paris(t, tc.assign))
			lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
			for _, st := range tc.steps {
				s.runUntil(paris(t, st.at))
				st.do(s, lead)
			}
			s.runUntil(paris(t, tc.until))
			if got := s.reminders(); !slices.Equal(got, tc.want) {
				t.Fatalf("reminders sent:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestFirstReminderMakesTheLeadLate(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-03-06 18:30"))
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.w.Lead(t, "Ana", s.w.Alice.ID)
	s.runUntil(paris(t, "2026-03-09 10:29"))
	got, _ := s.db.GetLead(ctx, s.w.As(s.w.Alice), lead.ID)
	if got.LateAt != nil {
		t.Fatalf("late before its first reminder: %v", got.LateAt)
	}
	s.runUntil(paris(t, "2026-03-09 10:31"))
	got, _ = s.db.GetLead(ctx, s.w.As(s.w.Alice), lead.ID)
	if got.LateAt == nil || !got.LateAt.Equal(paris(t, "2026-03-09 10:30")) {
		t.Fatalf("late at %v, want Monday 10:30", got.LateAt)
	}
	late := true
	leads, _, err := s.db.ListLeads(ctx, s.w.As(s.w.Manager), relance.LeadFilter{Late: &late})
	if err != nil || len(leads) != 2 {
		t.Fatalf("late leads: %d (%v), want 2", len(leads), err)
	}
	counts, err := s.db.LateCounts(ctx, s.w.As(s.w.Manager), uuid.Nil)
	if err != nil || len(counts) != 1 || counts[0].AdvisorID != s.w.Alice.ID || counts[0].Late != 2 || counts[0].Open != 2 {
		t.Fatalf("late counts = %+v (%v)", counts, err)
	}
	mine, _ := s.db.LateCounts(ctx, s.w.As(s.w.Bob), uuid.Nil)
	if len(mine) != 0 {
		t.Fatalf("bob sees alice's counts: %+v", mine)
	}
}

func TestEarlyReminderSendsNothing(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-03-04 10:00"))
	s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.runUntil(paris(t, "2026-03-04 10:00")) // the assignment alert only
	var reminder relance.TimerRef
	for _, p := range s.pending {
		if p.DueAt.Equal(paris(t, "2026-03-04 12:00")) {
			reminder = p
		}
	}
	if reminder.ID == uuid.Nil {
		t.Fatalf("no reminder due at 12:00 among %+v", s.pending)
	}
	s.set(paris(t, "2026-03-04 11:59").Add(59 * time.Second))
	var notDue *relance.NotDueError
	if err := s.db.FireTimer(ctx, reminder); !errors.As(err, &notDue) || notDue.Wait != time.Second {
		t.Fatalf("early fire: %v", err)
	}
	if got := s.reminders(); len(got) != 0 {
		t.Fatalf("sent early: %v", got)
	}
}

func TestReminderPolicy(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	rungs, isDefault, err := db.ReminderPolicy(ctx, w.As(w.Alice), w.Lyon.ID)
	if err != nil || !isDefault || len(rungs) != 2 {
		t.Fatalf("default policy = %+v %v %v", rungs, isDefault, err)
	}
	custom := []relance.Rung{{Delay: time.Hour, Recipients: []relance.Recipient{relance.RecipientAdvisor}, Channels: []relance.Channel{relance.ChannelSMS, relance.ChannelEmail}}}
	wantCode(t, db.SetReminderPolicy(ctx, w.As(w.Alice), w.Lyon.ID, custom), relance.CodePermissionDenied)
	wantCode(t, db.SetReminderPolicy(ctx, w.As(w.Pauline), w.Lyon.ID, custom), relance.CodeNotFound)
	tooFast := []relance.Rung{{Delay: 30 * time.Minute, Recipients: custom[0].Recipients, Channels: custom[0].Channels}}
	wantCode(t, db.SetReminderPolicy(ctx, w.As(w.Manager), w.Lyon.ID, tooFast), relance.CodeInvalid)
	if err := db.SetReminderPolicy(ctx, w.As(w.Manager), w.Lyon.ID, custom); err != nil {
		t.Fatal(err)
	}
	rungs, isDefault, _ = db.ReminderPolicy(ctx, w.As(w.Admin), w.Lyon.ID)
	if isDefault || len(rungs) != 1 || rungs[0].Delay != time.Hour || len(rungs[0].Channels) != 2 {
		t.Fatalf("stored policy = %+v", rungs)
	}
}
