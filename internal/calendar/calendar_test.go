package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// mustCal builds a calendar from a ParseWeek spec and closures as "YYYY-MM-DD" or
// "YYYY-MM-DD..YYYY-MM-DD".
func mustCal(t testing.TB, zone, week string, closures ...string) *Calendar {
	t.Helper()
	ws, err := ParseWeek(week)
	if err != nil {
		t.Fatal(err)
	}
	var cs []relance.Closure
	for _, c := range closures {
		from, to := c, c
		if len(c) == 22 {
			from, to = c[:10], c[12:]
		}
		a, err1 := relance.ParseDate(from)
		b, err2 := relance.ParseDate(to)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad closure %q", c)
		}
		cs = append(cs, relance.Closure{Start: a, End: b})
	}
	cal, err := New(zone, ws, cs)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// at parses a local time "2006-01-02 15:04" in zone; a "!" suffix picks the second occurrence of
// a doubled time (by adding the fall-back difference).
func at(t testing.TB, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAddScenarios(t *testing.T) {
	const paris = "Europe/Paris"
	office := "mon-fri 09:00-19:00"
	split := "mon-fri 09:00-12:00 14:00-19:00; sat 09:00-12:00"
	for _, tc := range []struct {
		name     string
		zone     string
		week     string
		closures []string
		absences [][2]string
		from     string
		d        time.Duration
		want     string // local time in zone, RFC3339 to pin the offset
	}{
		{"friday evening to monday", paris, office, nil, nil, "2026-03-06 18:30", 2 * time.Hour, "2026-03-09T10:30:00+01:00"},
		{"inside a window", paris, office, nil, nil, "2026-03-04 10:00", 2 * time.Hour, "2026-03-04T12:00:00+01:00"},
		{"lunch break skipped", paris, split, nil, nil, "2026-03-04 11:30", time.Hour, "2026-03-04T14:30:00+01:00"},
		{"saturday morning only", paris, split, nil, nil, "2026-03-07 11:00", 2 * time.Hour, "2026-03-09T10:00:00+01:00"},
		{"received at night", paris, office, nil, nil, "2026-03-04 23:10", time.Hour, "2026-03-05T10:00:00+01:00"},
		{"ends at closing: next opening", paris, office, nil, nil, "2026-03-06 17:00", 2 * time.Hour, "2026-03-09T09:00:00+01:00"},
		{"zero from a closed instant", paris, office, nil, nil, "2026-03-07 12:00", 0, "2026-03-09T09:00:00+01:00"},
		{"holiday monday", paris, office, []string{"2026-04-06"}, nil, "2026-04-03 18:00", 2 * time.Hour, "2026-04-07T10:00:00+02:00"},
		{"christmas week closed", paris, office, []string{"2026-12-24..2027-01-01"}, nil, "2026-12-23 18:00", 2 * time.Hour, "2027-01-04T10:00:00+01:00"},
		{"48 business hours", paris, office, nil, nil, "2026-03-02 09:00", 48 * time.Hour, "2026-03-06T17:00:00+01:00"},
		{"absent on monday", paris, office, nil, [][2]string{{"2026-03-09 00:00", "2026-03-10 00:00"}}, "2026-03-06 18:30", 2 * time.Hour, "2026-03-10T10:30:00+01:00"},
		{"absent in the morning", paris, office, nil, [][2]string{{"2026-03-09 08:00", "2026-03-09 13:00"}}, "2026-03-06 18:30", 2 * time.Hour, "2026-03-09T14:30:00+01:00"},
		// Spring forward in Paris (2026-03-29 02:00 → 03:00): a 24/7 site counts real time.
		{"paris spring, always open", paris, "mon-sun 00:00-24:00", nil, nil, "2026-03-28 12:00", 24 * time.Hour, "2026-03-29T13:00:00+02:00"},
		{"paris spring, office hours", paris, office, nil, nil, "2026-03-27 18:00", 2 * time.Hour, "2026-03-30T10:00:00+02:00"},
		// Fall back in Paris (2026-10-25 03:00 → 02:00).
		{"paris autumn, always open", paris, "mon-sun 00:00-24:00", nil, nil, "2026-10-24 12:00", 24 * time.Hour, "2026-10-25T11:00:00+01:00"},
		// New York: 2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00.
		{"new york spring", "America/New_York", "mon-sun 00:00-24:00", nil, nil, "2026-03-08 00:00", 3 * time.Hour, "2026-03-08T04:00:00-04:00"},
		{"new york autumn", "America/New_York", "mon-sun 00:00-24:00", nil, nil, "2026-11-01 00:00", 3 * time.Hour, "2026-11-01T02:00:00-05:00"},
		// Lord Howe moves by 30 minutes: 2026-10-04 02:00 → 02:30, 2026-04-05 02:00 → 01:30.
		{"lord howe spring", "Australia/Lord_Howe", "mon-sun 00:00-24:00", nil, nil, "2026-10-04 01:00", 2 * time.Hour, "2026-10-04T03:30:00+11:00"},
		{"lord howe autumn", "Australia/Lord_Howe", "mon-sun 00:00-24:00", nil, nil, "2026-04-05 01:00", 2 * time.Hour, "2026-04-05T02:30:00+10:30"},
		// Kathmandu is +05:45 all year.
		{"kathmandu", "Asia/Kathmandu", "sun-fri 10:00-17:00", nil, nil, "2026-03-06 16:00", 2 * time.Hour, "2026-03-08T11:00:00+05:45"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal := mustCal(t, tc.zone, tc.week, tc.closures...)
			var abs []relance.Absence
			for _, a := range tc.absences {
				abs = append(abs, relance.Absence{StartsAt: at(t, tc.zone, a[0]), EndsAt: at(t, tc.zone, a[1])})
			}
			if abs != nil {
				cal = cal.WithAbsences(abs)
			}
			from := at(t, tc.zone, tc.from)
			got, err := cal.Add(from, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			if got.Format(time.RFC3339) != tc.want {
				t.Fatalf("Add(%s, %s) = %s, want %s", tc.from, tc.d, got.Format(time.RFC3339), tc.want)
			}
			if !cal.IsOpen(got) {
				t.Errorf("result %s is not open", got)
			}
			if b := cal.Between(from, got); b != tc.d {
				t.Errorf("Between(from, result) = %s, want %s", b, tc.d)
			}
		})
	}
}

func TestBetween(t *testing.T) {
	const paris = "Europe/Paris"
	cal := mustCal(t, paris, "mon-fri 09:00-12:00 14:00-19:00", "2026-05-01")
	for _, tc := range []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-03-07 10:00", "2026-03-09 09:20", 20 * time.Minute}, // received Saturday, answered Monday 09:20
		{"2026-03-09 11:00", "2026-03-09 15:00", 2 * time.Hour},
		{"2026-03-09 12:30", "2026-03-09 13:30", 0},
		{"2026-03-09 15:00", "2026-03-09 11:00", 0},
		{"2026-04-30 18:00", "2026-05-04 09:30", 90 * time.Minute}, // May Day closed
		{"2026-03-02 00:00", "2026-04-01 00:00", 22 * 8 * time.Hour},
	} {
		if got := cal.Between(at(t, paris, tc.from), at(t, paris, tc.to)); got != tc.want {
			t.Errorf("Between(%s, %s) = %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestDSTWindows(t *testing.T) {
	const paris = "Europe/Paris"
	// A window inside the spring-forward gap is empty; one inside the fall-back overlap is doubled.
	night := mustCal(t, paris, "sun 02:00-03:00; mon 09:00-10:00")
	if got := night.Between(at(t, paris, "2026-03-29 00:00"), at(t, paris, "2026-03-29 06:00")); got != 0 {
		t.Errorf("spring-forward window lasts %s, want 0", got)
	}
	if got := night.Between(at(t, paris, "2026-10-25 00:00"), at(t, paris, "2026-10-25 06:00")); got != 2*time.Hour {
		t.Errorf("fall-back window lasts %s, want 2h", got)
	}
	// A window starting inside the gap starts when the gap ends.
	late := mustCal(t, paris, "sun 02:30-04:00")
	got, err := late.NextOpen(at(t, paris, "2026-03-29 00:00"))
	if err != nil || got.Format(time.RFC3339) != "2026-03-29T03:00:00+02:00" {
		t.Errorf("NextOpen into the gap = %s, %v", got.Format(time.RFC3339), err)
	}
	// New York's doubled hour 01:00–02:00 on 2026-11-01 counts twice.
	ny := mustCal(t, "America/New_York", "sun 01:00-02:00")
	if got := ny.Between(at(t, "America/New_York", "2026-11-01 00:00"), at(t, "America/New_York", "2026-11-01 05:00")); got != 2*time.Hour {
		t.Errorf("new york doubled hour = %s", got)
	}
	lh := mustCal(t, "Australia/Lord_Howe", "sun 02:00-02:30")
	if got := lh.Between(at(t, "Australia/Lord_Howe", "2026-10-04 00:00"), at(t, "Australia/Lord_Howe", "2026-10-04 05:00")); got != 0 {
		t.Errorf("lord howe gap window = %s, want 0", got)
	}
}

func TestWorkingDayAt(t *testing.T) {
	const paris = "Europe/Paris"
	cal := mustCal(t, paris, "mon-fri 09:00-19:00; sat 09:00-12:00", "2026-04-06")
	nine := 9 * 60
	for _, tc := range []struct {
		name  string
		from  string
		n     int
		clock int
		days  Weekdays
		want  string
	}{
		{"next working day", "2026-03-04 15:00", 1, nine, MondayToFriday, "2026-03-05T09:00:00+01:00"},
		{"friday plus one is monday", "2026-03-06 15:00", 1, nine, MondayToFriday, "2026-03-09T09:00:00+01:00"},
		{"three days over a holiday", "2026-04-02 10:00", 3, nine, MondayToFriday, "2026-04-08T09:00:00+02:00"},
		{"09:00 stays 09:00 across DST", "2026-03-27 10:00", 1, nine, MondayToFriday, "2026-03-30T09:00:00+02:00"},
		{"n=0 today if still ahead", "2026-03-04 08:00", 0, nine, MondayToFriday, "2026-03-04T09:00:00+01:00"},
		{"n=0 tomorrow if passed", "2026-03-04 10:00", 0, nine, MondayToFriday, "2026-03-05T09:00:00+01:00"},
		{"saturdays count when asked", "2026-03-06 15:00", 1, 10 * 60, MondayToFriday | Days(time.Saturday), "2026-03-07T10:00:00+01:00"},
		{"clock inside the gap", "2026-03-28 10:00", 1, 150, Days(time.Sunday), "2026-03-29T03:00:00+02:00"},
	} {
		got, err := cal.WorkingDayAt(at(t, paris, tc.from), tc.n, tc.clock, tc.days)
		if err != nil || got.Format(time.RFC3339) != tc.want {
			t.Errorf("%s: got %s, %v; want %s", tc.name, got.Format(time.RFC3339), err, tc.want)
		}
	}
	absent := cal.WithAbsences([]relance.Absence{{StartsAt: at(t, paris, "2026-03-05 00:00"), EndsAt: at(t, paris, "2026-03-07 00:00")}})
	got, err := absent.WorkingDayAt(at(t, paris, "2026-03-04 15:00"), 1, nine, MondayToFriday)
	if err != nil || got.Format(time.RFC3339) != "2026-03-09T09:00:00+01:00" {
		t.Errorf("absence skipped: got %s, %v", got.Format(time.RFC3339), err)
	}
	if _, err := cal.WorkingDayAt(time.Now(), -1, nine, MondayToFriday); !errors.Is(err, ErrNegative) {
		t.Errorf("negative n: %v", err)
	}
	if _, err := cal.WorkingDayAt(time.Now(), 1, nine, 0); err == nil {
		t.Error("an empty weekday set was accepted")
	}
}

func TestRejectsNonsense(t *testing.T) {
	w := []relance.Window{{Weekday: time.Monday, Start: 540, End: 600}}
	if _, err := New("Mars/Base", w, nil); err == nil {
		t.Error("unknown zone accepted")
	}
	if _, err := New("Europe/Paris", nil, nil); !errors.Is(err, ErrNeverOpen) {
		t.Errorf("no windows: %v", err)
	}
	if _, err := New("Europe/Paris", []relance.Window{{Weekday: time.Monday, Start: 600, End: 540}}, nil); err == nil {
		t.Error("end before start accepted")
	}
	if _, err := New("Europe/Paris", []relance.Window{{Weekday: time.Monday, Start: 540, End: 700}, {Weekday: time.Monday, Start: 600, End: 800}}, nil); err == nil {
		t.Error("overlapping windows accepted")
	}
	d := func(s string) relance.Date { v, _ := relance.ParseDate(s); return v }
	if _, err := New("Europe/Paris", w, []relance.Closure{{Start: d("2026-02-02"), End: d("2026-02-01")}}); err == nil {
		t.Error("reversed closure accepted")
	}
	cal, _ := New("Europe/Paris", w, nil)
	if _, err := cal.Add(time.Now(), -time.Second); !errors.Is(err, ErrNegative) {
		t.Errorf("negative duration: %v", err)
	}
	if _, err := cal.Add(time.Now(), 5*366*24*time.Hour); !errors.Is(err, ErrTooLong) {
		t.Errorf("huge duration: %v", err)
	}
}

func TestSearchIsBounded(t *testing.T) {
	// Open one minute a year: only 1 January 09:00–09:01 is not closed.
	var closures []string
	for y := 2026; y <= 2031; y++ {
		closures = append(closures, time.Date(y, 1, 2, 0, 0, 0, 0, time.UTC).Format("2006-01-02")+".."+time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))
	}
	cal := mustCal(t, "Europe/Paris", "mon-sun 09:00-09:01", closures...)
	got, err := cal.Add(at(t, "Europe/Paris", "2026-03-01 00:00"), 90*time.Second)
	if err != nil || got.Format(time.RFC3339) != "2028-01-01T09:00:30+01:00" {
		t.Fatalf("Add over rare minutes = %s, %v", got.Format(time.RFC3339), err)
	}
	// Closed for good after 2026: every search ends, with an error.
	never := mustCal(t, "Europe/Paris", "mon-fri 09:00-10:00", "2026-01-01..2099-12-31")
	if _, err := never.NextOpen(at(t, "Europe/Paris", "2026-03-01 00:00")); !errors.Is(err, ErrNoOpenTime) {
		t.Fatalf("NextOpen on a closed calendar: %v", err)
	}
	if _, err := never.Add(at(t, "Europe/Paris", "2026-03-01 00:00"), time.Hour); !errors.Is(err, ErrNoOpenTime) {
		t.Fatalf("Add on a closed calendar: %v", err)
	}
	if d := never.Between(at(t, "Europe/Paris", "2026-03-01 00:00"), at(t, "Europe/Paris", "2036-03-01 00:00")); d != 0 {
		t.Fatalf("Between on a closed calendar = %s", d)
	}
	if _, err := never.WorkingDayAt(at(t, "Europe/Paris", "2026-03-01 00:00"), 1, 540, MondayToFriday); !errors.Is(err, ErrNoOpenTime) {
		t.Fatalf("WorkingDayAt on a closed calendar: %v", err)
	}
}

func TestParseWeek(t *testing.T) {
	ws, err := ParseWeek("mon-fri 09:00-12:00 14:00-19:00; sat 09:00-12:00; sun,wed 20:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 13 {
		t.Fatalf("%d windows, want 13", len(ws))
	}
	if got := FormatWeek(ws); got != "mon 09:00-12:00 14:00-19:00; tue 09:00-12:00 14:00-19:00; wed 09:00-12:00 14:00-19:00 20:00-24:00; thu 09:00-12:00 14:00-19:00; fri 09:00-12:00 14:00-19:00; sat 09:00-12:00; sun 20:00-24:00" {
		t.Fatalf("FormatWeek = %q", got)
	}
	wrap, err := ParseWeek("sat-mon 10:00-11:00")
	if err != nil || len(wrap) != 3 {
		t.Fatalf("wrapping range: %v %v", wrap, err)
	}
	for _, bad := range []string{"mon", "funday 09:00-10:00", "mon 09:00", "mon 10:00-09:00", "mon 09:00-25:00", "mon 09:00-12:00 11:00-13:00", "mon 24:00-24:00", "mon-xyz 09:00-10:00"} {
		if _, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) accepted", bad)
		}
	}
}

func TestDayEnd(t *testing.T) {
	cal := mustCal(t, "America/New_York", "mon-fri 09:00-17:00")
	for _, tc := range []struct{ at, want string }{
		{"2026-03-07 23:59", "2026-03-08T00:00:00-05:00"},
		{"2026-03-08 12:00", "2026-03-09T00:00:00-04:00"}, // a 23-hour day
		{"2026-11-01 01:30", "2026-11-02T00:00:00-05:00"}, // a 25-hour day
	} {
		if got := cal.DayEnd(at(t, "America/New_York", tc.at)).Format(time.RFC3339); got != tc.want {
			t.Errorf("DayEnd(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestDaysAfterAt(t *testing.T) {
	cal := mustCal(t, "Europe/Paris", "mon-fri 09:00-19:00")
	friday := at(t, "Europe/Paris", "2026-12-18 15:00")
	for _, tc := range []struct {
		name      string
		n, clock  int
		days      Weekdays
		notBefore string
		want      string
	}{
		{"same day, time passed by anchor's day only", 0, 10 * 60, MondayToFriday, "", "2026-12-18T10:00:00+01:00"},
		{"two days later falls on Sunday: Monday", 2, 10 * 60, MondayToFriday, "", "2026-12-21T10:00:00+01:00"},
		{"three days later", 3, 8 * 60, MondayToFriday, "", "2026-12-21T08:00:00+01:00"},
		{"not before now", 0, 10 * 60, MondayToFriday, "2026-12-18 15:00", "2026-12-21T10:00:00+01:00"},
		{"a gap pushes it to Wednesday", 1, 10 * 60, MondayToFriday, "2026-12-22 12:00", "2026-12-23T10:00:00+01:00"},
		{"Saturdays allowed", 1, 10 * 60, MondayToFriday | Days(time.Saturday), "", "2026-12-19T10:00:00+01:00"},
	} {
		var notBefore time.Time
		if tc.notBefore != "" {
			notBefore = at(t, "Europe/Paris", tc.notBefore)
		}
		got, err := cal.DaysAfterAt(friday, tc.n, tc.clock, tc.days, notBefore)
		if err != nil || got.Format(time.RFC3339) != tc.want {
			t.Errorf("%s: %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestDayEndInNeedsNoOpeningHours(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	if got := DayEndIn(ny, at(t, "America/New_York", "2026-11-01 01:30")).Format(time.RFC3339); got != "2026-11-02T00:00:00-05:00" {
		t.Errorf("DayEndIn on a 25-hour day = %s", got)
	}
}

func TestWorkingDays(t *testing.T) {
	// Open Monday to Saturday morning; Christmas closed; away on Monday 28th.
	cal := mustCal(t, "Europe/Paris", "mon-fri 09:00-19:00; sat 09:00-12:00", "2026-12-25").WithAbsences([]relance.Absence{
		{StartsAt: at(t, "Europe/Paris", "2026-12-28 00:00"), EndsAt: at(t, "Europe/Paris", "2026-12-29 00:00")},
	})
	var got []string
	for _, d := range cal.WorkingDays(at(t, "Europe/Paris", "2026-12-23 18:30"), 5) {
		got = append(got, d.Start.Format("Mon 02")+"–"+d.End.Format("Mon 02 15:04"))
	}
	want := "Wed 23–Thu 24 00:00, Thu 24–Fri 25 00:00, Sat 26–Sun 27 00:00, Tue 29–Wed 30 00:00, Wed 30–Thu 31 00:00"
	if strings.Join(got, ", ") != want {
		t.Errorf("working days = %s\nwant %s", strings.Join(got, ", "), want)
	}
	// Across the autumn change the day is 25 hours long.
	paris := mustCal(t, "Europe/Paris", "mon-sun 09:00-19:00")
	day := paris.Day(at(t, "Europe/Paris", "2026-10-25 12:00"))
	if day.End.Sub(day.Start) != 25*time.Hour || paris.DayOn(relance.Date{Year: 2026, Month: 10, Day: 25}) != day {
		t.Errorf("25 October lasts %s", day.End.Sub(day.Start))
	}
}
