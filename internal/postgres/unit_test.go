package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// units puts Alice in unit "New cars" and Bob in "Used cars" at Lyon, and returns the two units.
func units(t *testing.T, w *testenv.World) (newCars, usedCars relance.Unit) {
	t.Helper()
	admin := w.As(w.Admin)
	var err error
	if newCars, err = w.DB.CreateUnit(ctx, admin, relance.Unit{SiteID: w.Lyon.ID, Name: "  New cars "}); err != nil {
		t.Fatal(err)
	}
	if usedCars, err = w.DB.CreateUnit(ctx, admin, relance.Unit{SiteID: w.Lyon.ID, Name: "Used cars"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.SetUserUnit(ctx, admin, w.Alice.ID, w.Lyon.ID, newCars.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.SetUserUnit(ctx, admin, w.Bob.ID, w.Lyon.ID, usedCars.ID); err != nil {
		t.Fatal(err)
	}
	return newCars, usedCars
}

// The response-time report by unit: Alice's four fixture leads under New cars, Bob's one under
// Used cars, and Pauline's (Paris, no unit) and an unassigned one under "no unit", each with
// the figures worked out by hand; a unit filter keeps its leads alone, in every report.
func TestReportsByUnit(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-15 10:00"))
	newCars, usedCars := units(t, s.w)
	reportLeads(t, s)
	admin, bob := s.w.As(s.w.Admin), s.w.As(s.w.Bob)
	lead := func(name string, site, assignee uuid.UUID) uuid.UUID {
		l, _, err := s.db.CreateLead(ctx, admin, relance.NewLead{
			IdempotencyKey: name, SiteID: site, Source: "phone", ReceivedAt: paris(t, "2026-12-14 10:00"),
			Contact: relance.Contact{Name: name, Phone: "+33612345699"}, AssigneeID: assignee,
		})
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	e := lead("E", s.w.Lyon.ID, s.w.Bob.ID)
	lead("F", s.w.Paris.ID, s.w.Pauline.ID)
	lead("G", s.w.Lyon.ID, uuid.Nil)
	done := paris(t, "2026-12-14 12:00") // E: 2 h
	if _, _, err := s.db.RecordActivity(ctx, bob, relance.NewActivity{LeadID: e, Kind: relance.KindEmail, DoneAt: &done}); err != nil {
		t.Fatal(err)
	}
	q := relance.ResponseTimeQuery{From: paris(t, "2026-12-12 00:00"), To: paris(t, "2026-12-16 00:00"), GroupBy: relance.ByUnit}
	r, err := s.db.ResponseTimeReport(ctx, admin, q)
	if err != nil {
		t.Fatal(err)
	}
	h := func(n float64) time.Duration { return time.Duration(n * float64(time.Hour)) }
	want := map[string]relance.ResponseTimeRow{
		"": {Received: 2, Answered: 0, Buckets: []int{0, 0, 0, 0, 0}},
		newCars.ID.String(): {Key: newCars.ID.String(), Label: "New cars (Lyon)", Received: 4, Answered: 3, Average: 14800 * time.Second,
			Median: time.Hour, Within24h: 3, WithinWindow: 2, Buckets: []int{1, 1, 1, 0, 0}},
		usedCars.ID.String(): {Key: usedCars.ID.String(), Label: "Used cars (Lyon)", Received: 1, Answered: 1, Average: h(2), Median: h(2),
			Within24h: 1, WithinWindow: 0, Buckets: []int{0, 1, 0, 0, 0}},
	}
	if len(r.Rows) != len(want) {
		t.Fatalf("rows = %+v", r.Rows)
	}
	for _, row := range r.Rows {
		if !sameRow(row, want[row.Key]) {
			t.Errorf("row %q = %+v, want %+v", row.Key, row, want[row.Key])
		}
	}
	if r.Total.Received != 7 || r.Total.Answered != 4 {
		t.Errorf("total = %+v, want 7 received, 4 answered", r.Total)
	}

	// Filtered by unit: that unit's leads only, in the report, its leads and the dashboard.
	q.GroupBy, q.Filter = relance.ByAdvisor, relance.ReportFilter{UnitID: usedCars.ID}
	r, err = s.db.ResponseTimeReport(ctx, admin, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || r.Rows[0].Key != s.w.Bob.ID.String() || r.Total.Received != 1 || r.Total.Median != h(2) {
		t.Errorf("Used cars by advisor = %+v, total %+v; want Bob's one lead", r.Rows, r.Total)
	}
	page, _, err := s.db.ResponseTimeLeads(ctx, admin, relance.ResponseTimeQuery{From: q.From, To: q.To, Filter: relance.ReportFilter{UnitID: newCars.ID}}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 4 || page[0].UnitID != newCars.ID || page[0].UnitName != "New cars" || page[0].AdvisorName != s.w.Alice.DisplayName {
		t.Errorf("New cars' leads = %d, first %+v", len(page), page)
	}
	d, err := s.db.Dashboard(ctx, admin, relance.ReportFilter{UnitID: newCars.ID}, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d.Received != 4 || d.Answered != 3 || d.Average != 14800*time.Second {
		t.Errorf("New cars' dashboard = %+v, want 4 received, 3 answered in 14,800 s on average", d)
	}

	// Compliance by unit: Bob's rows only.
	rows, err := s.db.Compliance(ctx, admin, relance.ComplianceFilter{From: relance.Date{Year: 2026, Month: 12, Day: 14}, To: relance.Date{Year: 2026, Month: 12, Day: 15}, UnitID: usedCars.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].AdvisorID != s.w.Bob.ID || rows[1].AdvisorID != s.w.Bob.ID {
		t.Errorf("Used cars' compliance = %+v, want Bob's two days", rows)
	}

	// Moving Bob out of his unit moves his lead to "no unit".
	if _, err := s.db.SetUserUnit(ctx, admin, s.w.Bob.ID, s.w.Lyon.ID, uuid.Nil); err != nil {
		t.Fatal(err)
	}
	q.GroupBy, q.Filter = relance.ByUnit, relance.ReportFilter{}
	if r, err = s.db.ResponseTimeReport(ctx, admin, q); err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 || r.Rows[0].Key != "" || r.Rows[0].Received != 3 {
		t.Errorf("after Bob left his unit: %+v", r.Rows)
	}
}

// Units: names trimmed and unique per site without case, another tenant's units out of
// reach, advisors only in active units of their own sites, and units kept when sites change.
func TestUnitRules(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w, other := testenv.NewWorld(t, db), testenv.NewWorld(t, db)
	newCars, _ := units(t, w)
	admin := w.As(w.Admin)
	if newCars.Name != "New cars" {
		t.Errorf("name = %q, want it trimmed", newCars.Name)
	}
	if _, err := db.CreateUnit(ctx, admin, relance.Unit{SiteID: w.Lyon.ID, Name: "NEW CARS"}); relance.ErrorCode(err) != relance.CodeConflict {
		t.Errorf("duplicate name: %v, want a conflict", err)
	}
	if _, err := db.CreateUnit(ctx, admin, relance.Unit{SiteID: w.Paris.ID, Name: "New cars"}); err != nil {
		t.Errorf("the same name at another site: %v", err)
	}
	for name, err := range map[string]error{
		"create at another tenant's site": func() error {
			_, err := db.CreateUnit(ctx, other.As(other.Admin), relance.Unit{SiteID: w.Lyon.ID, Name: "x"})
			return err
		}(),
		"rename another tenant's unit": func() error {
			_, err := db.UpdateUnit(ctx, other.As(other.Admin), newCars.ID, relance.UnitChange{Name: new("x")})
			return err
		}(),
		"put someone in another tenant's unit": func() error {
			_, err := db.SetUserUnit(ctx, other.As(other.Admin), other.Alice.ID, other.Lyon.ID, newCars.ID)
			return err
		}(),
		"filter a report on another tenant's unit": func() error {
			_, err := db.Dashboard(ctx, other.As(other.Admin), relance.ReportFilter{UnitID: newCars.ID}, time.Hour)
			return err
		}(),
	} {
		if relance.ErrorCode(err) != relance.CodeNotFound {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	if _, err := db.CreateUnit(ctx, w.As(w.Manager), relance.Unit{SiteID: w.Lyon.ID, Name: "Service"}); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Errorf("a manager creating a unit: %v, want permission denied", err)
	}
	if _, err := db.SetUserUnit(ctx, admin, w.Pauline.ID, w.Lyon.ID, newCars.ID); relance.ErrorCode(err) != relance.CodeInvalid {
		t.Errorf("a unit at a site the advisor does not work at: %v, want invalid", err)
	}
	if _, err := db.UpdateUnit(ctx, admin, newCars.ID, relance.UnitChange{Active: new(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetUserUnit(ctx, admin, w.Bob.ID, w.Lyon.ID, newCars.ID); relance.ErrorCode(err) != relance.CodeInvalid {
		t.Errorf("a deactivated unit: %v, want invalid", err)
	}
	listed, err := db.ListUnits(ctx, w.As(w.Pauline), uuid.Nil)
	if err != nil || len(listed) != 1 || listed[0].SiteID != w.Paris.ID {
		t.Errorf("Pauline lists %+v (%v), want Paris's one unit", listed, err)
	}
	// Alice keeps her Lyon unit when she also starts at Paris.
	sites := []uuid.UUID{w.Lyon.ID, w.Paris.ID}
	alice, err := db.UpdateUser(ctx, admin, w.Alice.ID, relance.UserChange{SiteIDs: &sites})
	if err != nil {
		t.Fatal(err)
	}
	if alice.UnitAt(w.Lyon.ID) != newCars.ID || alice.UnitAt(w.Paris.ID) != uuid.Nil {
		t.Errorf("Alice's units after a new site: %v", alice.Units)
	}
	if alice, err = db.GetUser(ctx, admin, w.Alice.ID); err != nil || alice.UnitAt(w.Lyon.ID) != newCars.ID {
		t.Errorf("Alice's units read back: %v (%v)", alice.Units, err)
	}
}
