package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// overdues lists "who local-time subject" for each overdue-action message sent.
func (s *sim) overdues() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent {
		if strings.Contains(m.msg.Subject, "verdue") || strings.Contains(m.msg.Subject, "etard") {
			out = append(out, strings.Split(m.msg.To, "@")[0]+" "+m.at.In(parisZone).Format("Mon 15:04")+" "+m.msg.Subject)
		}
	}
	return out
}

func TestOverduePlannedActionsAreReminded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		complete string // when Alice completes the call ("" never)
		want     []string
	}{
		{"left undone: advisor, then advisor and manager", "", []string{
			"alice Wed 16:00 Overdue: call Jean",
			"alice Thu 10:00 Overdue: call Jean",
			"manager Thu 10:00 Action en retard chez alice : call Jean",
		}},
		{"done before the first reminder", "2026-03-04 15:30", nil},
		{"done between two rungs", "2026-03-04 17:00", []string{"alice Wed 16:00 Overdue: call Jean"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, paris(t, "2026-03-04 09:00"))
			lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
			done := paris(t, "2026-03-04 09:05")
			s.set(done)
			if _, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, DoneAt: &done}); err != nil {
				t.Fatal(err)
			}
			due := paris(t, "2026-03-04 14:00")
			planned, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, State: relance.ActivityPlanned, DueAt: &due})
			if err != nil {
				t.Fatal(err)
			}
			if tc.complete != "" {
				s.runUntil(paris(t, tc.complete))
				at := paris(t, tc.complete)
				if _, _, err := s.db.CompleteActivity(ctx, s.w.As(s.w.Alice), planned.ID, &at, "reached, test drive on Saturday"); err != nil {
					t.Fatal(err)
				}
				_, _, err := s.db.CompleteActivity(ctx, s.w.As(s.w.Alice), planned.ID, nil, "")
				wantCode(t, err, relance.CodeFailedPrecondition)
			}
			s.runUntil(paris(t, "2026-03-06 12:00"))
			wantList(t, "overdue reminders", s.overdues(), tc.want)
		})
	}
}

func TestCompletingAPlannedActivityAnswersTheLead(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-03-04 10:00"))
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	due := paris(t, "2026-03-04 10:30")
	planned, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, State: relance.ActivityPlanned, DueAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.db.CompleteActivity(ctx, s.w.As(s.w.Bob), planned.ID, nil, "")
	wantCode(t, err, relance.CodeNotFound)
	s.set(paris(t, "2026-03-04 10:40"))
	act, got, err := s.db.CompleteActivity(ctx, s.w.As(s.w.Alice), planned.ID, nil, "called back")
	if err != nil || act.State != relance.ActivityDone || got.FirstResponseAt == nil || *got.ResponseTime != 40*time.Minute {
		t.Fatalf("complete: %+v %+v (%v)", act, got.ResponseTime, err)
	}
	s.runUntil(paris(t, "2026-03-05 12:00"))
	if r := s.reminders(); len(r) != 0 {
		t.Fatalf("an answered lead was reminded: %v", r)
	}
	skipped, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{LeadID: lead.ID, Kind: relance.KindTask, State: relance.ActivityPlanned, DueAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	act, _, err = s.db.SkipActivity(ctx, s.w.As(s.w.Alice), skipped.ID, "customer bought elsewhere")
	if err != nil || act.State != relance.ActivitySkipped || act.Content != "customer bought elsewhere" {
		t.Fatalf("skip: %+v (%v)", act, err)
	}
}
