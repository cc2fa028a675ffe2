package postgres_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

// reportLeads creates the leads of the report fixtures, all Alice's in Lyon (Mon–Fri 09:00–19:00):
//
//	A  phone    received Saturday 10:00, called Monday 09:20        20 min (the clock starts Monday 09:00)
//	B  website  received Monday 10:00, answered Monday 11:00        1 h exactly: a bucket edge
//	C  phone    received Monday 09:00, answered Tuesday 10:00       11 h (10 h Monday, 1 h Tuesday)
//	D  website  received Monday 12:00, only an automatic email      never answered
func reportLeads(t *testing.T, s *sim) {
	t.Helper()
	s.set(paris(t, "2026-12-15 10:00")) // Tuesday
	admin, alice := s.w.As(s.w.Admin), s.w.As(s.w.Alice)
	if _, err := s.db.CreatePlan(ctx, s.w.As(s.w.Manager), webPlan()); err != nil {
		t.Fatal(err)
	}
	lead := func(name, source, received string) uuid.UUID {
		l, _, err := s.db.CreateLead(ctx, admin, relance.NewLead{
			IdempotencyKey: name, SiteID: s.w.Lyon.ID, Source: source, ReceivedAt: paris(t, received),
			Contact: relance.Contact{Name: name, Phone: "+3361234560" + strconv.Itoa(int(name[0]-'A')), Email: "jean@example.com"}, AssigneeID: s.w.Alice.ID,
		})
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	a := lead("A", "phone", "2026-12-12 10:00")
	b := lead("B", "website", "2026-12-14 10:00")
	c := lead("C", "phone", "2026-12-14 09:00")
	lead("D", "website", "2026-12-14 12:00")
	s.call(a, "2026-12-14 09:20", 40*time.Second, relance.CallAnswered)
	for id, at := range map[uuid.UUID]string{b: "2026-12-14 11:00", c: "2026-12-15 10:00"} {
		done := paris(t, at)
		if _, _, err := s.db.RecordActivity(ctx, alice, relance.NewActivity{LeadID: id, Kind: relance.KindEmail, DoneAt: &done}); err != nil {
			t.Fatal(err)
		}
	}
	s.runUntil(paris(t, "2026-12-15 10:30")) // D's automatic email leaves
	if len(s.toLead()) == 0 {
		t.Fatal("D's automatic email was not sent")
	}
}

func TestResponseTimeReportAgainstHandComputedFigures(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-15 10:00"))
	reportLeads(t, s)
	r, err := s.db.ResponseTimeReport(ctx, s.w.As(s.w.Manager), relance.ResponseTimeQuery{
		From: paris(t, "2026-12-12 00:00"), To: paris(t, "2026-12-16 00:00"), GroupBy: relance.BySource,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := func(n float64) time.Duration { return time.Duration(n * float64(time.Hour)) }
	want := []relance.ResponseTimeRow{
		{Key: "phone", Label: "phone", Received: 2, Answered: 2, Average: h(5 + 2.0/3), Median: h(5 + 2.0/3),
			Within24h: 2, WithinWindow: 1, Buckets: []int{1, 0, 1, 0, 0}},
		{Key: "website", Label: "website", Received: 2, Answered: 1, Average: time.Hour, Median: time.Hour,
			Within24h: 1, WithinWindow: 1, Buckets: []int{0, 1, 0, 0, 0}},
	}
	if len(r.Rows) != len(want) {
		t.Fatalf("rows = %+v", r.Rows)
	}
	for i := range want {
		if !sameRow(r.Rows[i], want[i]) {
			t.Errorf("row %d = %+v, want %+v", i, r.Rows[i], want[i])
		}
	}
	total := relance.ResponseTimeRow{Received: 4, Answered: 3, Average: 14800 * time.Second, Median: time.Hour, // (1,200 + 3,600 + 39,600) / 3
		Within24h: 3, WithinWindow: 2, Buckets: []int{1, 1, 1, 0, 0}}
	if !sameRow(r.Total, total) || r.Total.Unanswered() != 1 || r.Total.Percent(r.Total.Within24h) != 75 {
		t.Errorf("total = %+v, want %+v", r.Total, total)
	}

	// By advisor, with two buckets of our own, for the website leads only.
	r, err = s.db.ResponseTimeReport(ctx, s.w.As(s.w.Admin), relance.ResponseTimeQuery{
		From: paris(t, "2026-12-12 00:00"), To: paris(t, "2026-12-16 00:00"), GroupBy: relance.ByAdvisor,
		Filter: relance.ReportFilter{Source: "website"}, Window: 30 * time.Minute,
		Buckets: []relance.Bucket{{From: 0, To: time.Hour}, {From: time.Hour}},
	})
	if err != nil || len(r.Rows) != 1 || r.Rows[0].Label != "alice" || r.Rows[0].WithinWindow != 0 ||
		len(r.Rows[0].Buckets) != 2 || r.Rows[0].Buckets[1] != 1 {
		t.Fatalf("by advisor = %+v, %v", r.Rows, err)
	}
	if _, err := s.db.ResponseTimeReport(ctx, s.w.As(s.w.Alice), relance.ResponseTimeQuery{From: paris(t, "2026-12-12 00:00"), To: paris(t, "2026-12-16 00:00")}); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Fatalf("an advisor reads the report: %v", err)
	}
	// Pauline's manager-less Paris site is not the Lyon manager's: nothing of it to see.
	if _, err := s.db.ResponseTimeReport(ctx, s.w.As(s.w.Manager), relance.ResponseTimeQuery{
		From: paris(t, "2026-12-12 00:00"), To: paris(t, "2026-12-16 00:00"), Filter: relance.ReportFilter{SiteID: s.w.Paris.ID},
	}); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Fatalf("another site's report: %v", err)
	}

	// The widget at Tuesday 10:30 over 24 h: D received; B and C answered; D waiting.
	s.set(paris(t, "2026-12-15 10:30"))
	d, err := s.db.Dashboard(ctx, s.w.As(s.w.Manager), relance.ReportFilter{}, 24*time.Hour)
	if err != nil || d != (relance.Dashboard{Received: 1, Answered: 2, Average: 6 * time.Hour, Waiting: 1}) {
		t.Fatalf("dashboard = %+v, %v", d, err)
	}
	d, err = s.db.Dashboard(ctx, s.w.As(s.w.Manager), relance.ReportFilter{Source: "website"}, 24*time.Hour)
	if err != nil || d != (relance.Dashboard{Received: 1, Answered: 1, Average: time.Hour, Waiting: 1}) {
		t.Fatalf("website dashboard = %+v, %v", d, err)
	}

	var rows int
	if err := s.db.EachLeadResponse(ctx, s.w.As(s.w.Manager), relance.ResponseTimeQuery{
		From: paris(t, "2026-12-12 00:00"), To: paris(t, "2026-12-16 00:00"),
	}, func(r relance.LeadResponse) error {
		rows++
		if r.SiteName != "Lyon" || r.AdvisorName != "alice" {
			t.Errorf("export row = %+v", r)
		}
		return nil
	}); err != nil || rows != 4 {
		t.Fatalf("exported %d leads, %v", rows, err)
	}
}

func sameRow(a, b relance.ResponseTimeRow) bool {
	if len(a.Buckets) != len(b.Buckets) {
		return false
	}
	for i := range a.Buckets {
		if a.Buckets[i] != b.Buckets[i] {
			return false
		}
	}
	a.Buckets, b.Buckets = nil, nil
	return a.Key == b.Key && a.Label == b.Label && a.Received == b.Received && a.Answered == b.Answered &&
		a.Average == b.Average && a.Median == b.Median && a.Within24h == b.Within24h && a.WithinWindow == b.WithinWindow
}

func TestAdvisorReport(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00")) // a Monday
	s.w.Lead(t, "Jean", s.w.Alice.ID)            // unanswered: reminded at 11:00, late
	early := s.w.Lead(t, "Paul", s.w.Alice.ID)
	s.set(paris(t, "2026-12-14 10:00"))
	s.call(early.ID, "2026-12-14 10:00", 0, relance.CallNoAnswer) // answered: no reminder
	s.runUntil(paris(t, "2026-12-14 12:00"))
	rejected := relance.StageRejected
	if _, err := s.db.UpdateLead(ctx, s.w.As(s.w.Alice), early.ID, relance.LeadChange{Stage: &rejected}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.AdvisorReport(ctx, s.w.As(s.w.Manager), s.w.Lyon.ID, paris(t, "2026-12-14 00:00"), paris(t, "2026-12-15 00:00"))
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	want := map[string]relance.AdvisorFigures{
		"alice": {AdvisorID: s.w.Alice.ID, AdvisorName: "alice", Open: 1, Late: 1, Reminders: 1, ImproperClosures: 1},
		"bob":   {AdvisorID: s.w.Bob.ID, AdvisorName: "bob"},
	}
	for _, r := range rows {
		if r != want[r.AdvisorName] {
			t.Errorf("%s = %+v, want %+v", r.AdvisorName, r, want[r.AdvisorName])
		}
	}
	if _, err := s.db.AdvisorReport(ctx, s.w.As(s.w.Alice), uuid.Nil, paris(t, "2026-12-14 00:00"), paris(t, "2026-12-15 00:00")); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Fatalf("an advisor reads the advisor report: %v", err)
	}
}
