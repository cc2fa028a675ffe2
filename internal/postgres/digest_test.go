package postgres_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func isDigest(m relance.Message) bool {
	for _, p := range []string{"Your day", "Your team", "Votre journée", "Votre équipe", "Ваш день", "Ваша команда"} {
		if strings.HasPrefix(m.Subject, p) {
			return true
		}
	}
	return false
}

// digests lists "who local-time" for each digest sent, and the digests themselves.
func (s *sim) digests(zone *time.Location) ([]string, []relance.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sent []sentAt
	for _, m := range s.sent {
		if isDigest(m.msg) {
			sent = append(sent, m)
		}
	}
	// Digests due at one instant leave in any order: list them by time, then by recipient.
	slices.SortStableFunc(sent, func(a, b sentAt) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.msg.To, b.msg.To)
	})
	var when []string
	var msgs []relance.Message
	for _, m := range sent {
		when = append(when, strings.Split(m.msg.To, "@")[0]+" "+m.at.In(zone).Format("Mon 01-02 15:04 -07:00"))
		msgs = append(msgs, m.msg)
	}
	return when, msgs
}

func wantList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestDigestAtNineEveryWorkingDay(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-03-05 09:30")) // a Thursday, after 09:00
	s.w.Lead(t, "Jean", s.w.Alice.ID)            // late from Thursday 11:30
	ana := s.w.Lead(t, "Ana", s.w.Alice.ID)
	s.runUntil(paris(t, "2026-03-05 10:00"))
	due := paris(t, "2026-03-09 14:00")
	if _, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{LeadID: ana.ID, Kind: relance.KindCall, Content: "first call"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.db.RecordActivity(ctx, s.w.As(s.w.Alice), relance.NewActivity{LeadID: ana.ID, Kind: relance.KindCall, State: relance.ActivityPlanned, DueAt: &due}); err != nil {
		t.Fatal(err)
	}
	s.runUntil(paris(t, "2026-03-09 12:00"))

	when, msgs := s.digests(parisZone)
	wantList(t, "digests", when, []string{
		"alice Fri 03-06 09:00 +01:00", "manager Fri 03-06 09:00 +01:00",
		"alice Mon 03-09 09:00 +01:00", "manager Mon 03-09 09:00 +01:00",
	})
	monday := msgs[2]
	if monday.Subject != "Your day (2026-03-09)" || !strings.Contains(monday.Text, "14:00 call: Ana") ||
		!strings.Contains(monday.Text, "Late:\n- Jean") || !strings.Contains(monday.HTML, "<b>Ana</b>") {
		t.Fatalf("monday digest:\n%s", monday.Text)
	}
	team := msgs[3]
	if !strings.HasPrefix(team.Subject, "Votre équipe aujourd'hui") || !strings.Contains(team.Text, "== alice ==") || strings.Contains(team.Text, "== bob ==") {
		t.Fatalf("manager digest:\n%s", team.Text)
	}
}

func TestDigestIsSentOncePerDayWhateverHappens(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-03-09 08:00"))
	s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.set(paris(t, "2026-03-09 08:00"))
	s.runUntil(paris(t, "2026-03-10 08:00")) // Jean becomes late on Monday
	// Several workers plan at once, and one restarts at 08:59:59 (a new process on the same data).
	restarted := testenv.OpenURL(t, s.url, postgres.WithClock(s.clock), postgres.WithScheduler(s), postgres.WithSender(s))
	for range 3 {
		if _, err := s.db.PlanTimers(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s.set(paris(t, "2026-03-10 08:59").Add(59 * time.Second))
	if _, err := restarted.PlanTimers(ctx); err != nil {
		t.Fatal(err)
	}
	// Every timer fires twice.
	s.mu.Lock()
	s.pending = append(s.pending, s.pending...)
	s.mu.Unlock()
	s.runUntil(paris(t, "2026-03-10 10:00"))
	when, _ := s.digests(parisZone)
	wantList(t, "digests", when, []string{"alice Tue 03-10 09:00 +01:00", "manager Tue 03-10 09:00 +01:00"})
}

func TestDigestAcrossDaylightSavingAndAbsence(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-03-26 10:00"))
	s.w.Lead(t, "Jean", s.w.Alice.ID)
	if _, err := s.db.AddAbsence(ctx, s.w.As(s.w.Alice), relance.Absence{UserID: s.w.Alice.ID,
		StartsAt: paris(t, "2026-03-31 00:00"), EndsAt: paris(t, "2026-04-01 00:00")}); err != nil {
		t.Fatal(err)
	}
	s.runUntil(paris(t, "2026-04-01 12:00"))
	when, _ := s.digests(parisZone)
	wantList(t, "digests", when, []string{
		"alice Fri 03-27 09:00 +01:00", "manager Fri 03-27 09:00 +01:00",
		"alice Mon 03-30 09:00 +02:00", "manager Mon 03-30 09:00 +02:00", // summer time: still 09:00
		"manager Tue 03-31 09:00 +02:00", // Alice is away on Tuesday
		"alice Wed 04-01 09:00 +02:00", "manager Wed 04-01 09:00 +02:00",
	})
}

func TestDigestFollowsTheSiteZoneAndTheOrganisationHour(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	s := newSim(t, time.Date(2026, 3, 9, 4, 0, 0, 0, ny))
	admin := s.w.As(s.w.Admin)
	hours := []relance.Window{}
	for d := time.Monday; d <= time.Friday; d++ {
		hours = append(hours, relance.Window{Weekday: d, Start: 8 * 60, End: 18 * 60})
	}
	site, err := s.db.CreateSite(ctx, admin, relance.Site{Name: "New York", TimeZone: "America/New_York", Country: "US", Windows: hours})
	if err != nil {
		t.Fatal(err)
	}
	sam, err := s.db.CreateUser(ctx, admin, relance.NewUser{User: relance.User{Email: "sam@" + uuid.NewString()[:8] + ".test",
		DisplayName: "Sam", Role: relance.RoleAdvisor, SiteIDs: []uuid.UUID{site.ID}, Locale: relance.LocaleEN,
		Notifications: relance.Notifications{Email: true}}})
	if err != nil {
		t.Fatal(err)
	}
	seven30 := 7*60 + 30
	if _, err := s.db.UpdateOrganization(ctx, admin, relance.OrganizationChange{DigestMinute: &seven30}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.db.CreateLead(ctx, admin, relance.NewLead{IdempotencyKey: "ny", SiteID: site.ID, Source: "web",
		Contact: relance.Contact{Name: "Nina", Phone: "+12125550100"}, AssigneeID: sam.ID}); err != nil {
		t.Fatal(err)
	}
	s.runUntil(time.Date(2026, 3, 10, 12, 0, 0, 0, ny))
	when, _ := s.digests(ny)
	var sams []string
	for _, w := range when {
		if strings.HasPrefix(w, "sam ") {
			sams = append(sams, w)
		}
	}
	wantList(t, "Sam's digests", sams, []string{"sam Tue 03-10 07:30 -04:00"}) // nothing to report on Monday morning
	_, err = s.db.UpdateOrganization(ctx, s.w.As(s.w.Manager), relance.OrganizationChange{DigestMinute: &seven30})
	wantCode(t, err, relance.CodePermissionDenied)
}
