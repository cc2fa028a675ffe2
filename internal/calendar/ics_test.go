package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

const holidays = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Relance//Test//FR\r\n" +
	"BEGIN:VEVENT\r\nUID:1@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260501\r\nSUMMARY:Fête du travail\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:2@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260713\r\nDTEND;VALUE=DATE:20260716\r\nSUMMARY:Inventaire\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:3@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Noël\r\nRRULE:FREQ=YEARLY\r\nEXDATE;VALUE=DATE:20271225\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:4@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260814\r\nSUMMARY:Annulé\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func date(t *testing.T, s string) relance.Date {
	t.Helper()
	d, err := relance.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseICS(t *testing.T) {
	got, err := ParseICS(strings.NewReader(holidays), date(t, "2026-01-01"), date(t, "2028-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range got {
		lines = append(lines, c.Start.String()+".."+c.End.String()+" "+c.Reason)
	}
	want := []string{
		"2026-05-01..2026-05-01 Fête du travail", "2027-05-01..2027-05-01 Fête du travail", "2028-05-01..2028-05-01 Fête du travail",
		"2026-07-13..2026-07-15 Inventaire",
		"2026-12-25..2026-12-25 Noël", "2028-12-25..2028-12-25 Noël",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("closures:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// The imported closures feed the engine: 1 May 2027 (a Saturday) and 13–15 July are closed.
	ws, _ := ParseWeek("mon-sat 09:00-12:00")
	cal, err := New("Europe/Paris", ws, got)
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsOpen(at(t, "Europe/Paris", "2026-07-14 10:00")) || !cal.IsOpen(at(t, "Europe/Paris", "2026-07-16 10:00")) {
		t.Fatal("the inventory closure is not applied")
	}
}

func TestParseICSRejectsBadInput(t *testing.T) {
	from, to := date(t, "2026-01-01"), date(t, "2027-12-31")
	for name, in := range map[string]string{
		"not ics":             "hello",
		"empty":               "",
		"timed event":         "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260501T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"no start":            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"bad rule":            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260501\r\nRRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"daily flood":         "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"secondly since 1900": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:19000101\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"backwards":           "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260501\r\nDTEND;VALUE=DATE:20260401\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		if got, err := ParseICS(strings.NewReader(in), from, to); err == nil {
			t.Errorf("%s: accepted, %d closures", name, len(got))
		}
	}
}

func FuzzParseICS(f *testing.F) {
	f.Add(holidays)
	f.Add("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	f.Add(event("DTSTART;VALUE=DATE:00010101", "RRULE:FREQ=YEARLY"))
	f.Add(event("DTSTART;VALUE=DATE:00010101", "RRULE:FREQ=MONTHLY;INTERVAL=7;BYDAY=2TU"))
	f.Fuzz(func(t *testing.T, in string) {
		from, _ := relance.ParseDate("2026-01-01")
		to, _ := relance.ParseDate("2030-12-31")
		closures, err := ParseICS(strings.NewReader(in), from, to)
		if err != nil {
			return
		}
		for _, c := range closures {
			if c.End.Before(c.Start) {
				t.Fatalf("closure ends before it starts: %+v", c)
			}
		}
	})
}

// event wraps one all-day VEVENT's lines in a calendar.
func event(lines ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\n" +
		strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// Feeds write "since always" with old or zero start dates: the occurrences are the rule's, never
// the import day nor nothing at all.
func TestParseICSOldStarts(t *testing.T) {
	from, to := date(t, "2026-01-01"), date(t, "2028-12-31")
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"year 1, yearly", []string{"DTSTART;VALUE=DATE:00010101", "SUMMARY:Jour de l'an", "RRULE:FREQ=YEARLY"},
			"2026-01-01 2027-01-01 2028-01-01"},
		{"year 1, 1 May", []string{"DTSTART;VALUE=DATE:00010501", "RRULE:FREQ=YEARLY"}, "2026-05-01 2027-05-01 2028-05-01"},
		{"year 1, every other year", []string{"DTSTART;VALUE=DATE:00010101", "RRULE:FREQ=YEARLY;INTERVAL=2"},
			"2027-01-01"}, // years 1, 3, 5… are odd
		{"year 1, January and May from 1 May", []string{"DTSTART;VALUE=DATE:00010501", "RRULE:FREQ=YEARLY;BYMONTH=1,5;BYMONTHDAY=1"},
			"2026-01-01 2026-05-01 2027-01-01 2027-05-01 2028-01-01 2028-05-01"},
		{"year 1, with an exception", []string{"DTSTART;VALUE=DATE:00010101", "RRULE:FREQ=YEARLY", "EXDATE;VALUE=DATE:20270101"},
			"2026-01-01 2028-01-01"},
		{"year 1, until 2027", []string{"DTSTART;VALUE=DATE:00010101", "RRULE:FREQ=YEARLY;UNTIL=20270101"},
			"2026-01-01 2027-01-01"},
		{"1600, last Monday of May", []string{"DTSTART;VALUE=DATE:16000529", "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO"},
			"2026-05-25 2027-05-31 2028-05-29"},
		{"1604, 29 February", []string{"DTSTART;VALUE=DATE:16040229", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"},
			"2028-02-29"},
		{"1700, monthly on the 1st, two years' worth", []string{"DTSTART;VALUE=DATE:17000101", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20260301"},
			"2026-01-01 2026-02-01 2026-03-01"},
		{"year 1, weekly on Sundays of December", []string{"DTSTART;VALUE=DATE:00010107", "RRULE:FREQ=WEEKLY;BYMONTH=12;UNTIL=20271212"},
			"2026-12-06 2026-12-13 2026-12-20 2026-12-27 2027-12-05 2027-12-12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseICS(strings.NewReader(event(tc.lines...)), from, to)
			if err != nil {
				t.Fatal(err)
			}
			var days []string
			for _, c := range got {
				if c.Start != c.End {
					t.Fatalf("closure %v spans days", c)
				}
				days = append(days, c.Start.String())
			}
			if strings.Join(days, " ") != tc.want {
				t.Fatalf("closures %v, want %s", days, tc.want)
			}
		})
	}
	// Every seventh year from year 1 (2024, 2031…): too long a period to move by whole cycles,
	// so the rule runs from the zero instant itself, exceptions and end included.
	for lines, want := range map[string]string{
		"RRULE:FREQ=YEARLY;INTERVAL=7":                               "2024-01-01 2031-01-01",
		"RRULE:FREQ=YEARLY;INTERVAL=7\r\nEXDATE;VALUE=DATE:20240101": "2031-01-01",
		"RRULE:FREQ=YEARLY;INTERVAL=7;UNTIL=20240101":                "2024-01-01",
	} {
		got, err := ParseICS(strings.NewReader(event("DTSTART;VALUE=DATE:00010101", lines)), date(t, "2024-01-01"), date(t, "2031-12-31"))
		var days []string
		for _, c := range got {
			days = append(days, c.Start.String())
		}
		if err != nil || strings.Join(days, " ") != want {
			t.Errorf("%q: closures %v (%v), want %s", lines, days, err, want)
		}
	}
	// A count from year 1 cannot be moved forward: refused, with the reason.
	_, err := ParseICS(strings.NewReader(event("DTSTART;VALUE=DATE:00010101", "RRULE:FREQ=YEARLY;COUNT=5000")), from, to)
	if err == nil || !strings.Contains(err.Error(), "COUNT") {
		t.Fatalf("COUNT from year 1: %v", err)
	}
}

// A yearly rule from any start date falls on that date's month and day in every year of the
// range, whatever the start year (one to today), and on no other day.
func FuzzParseICSYearlyFromAnyYear(f *testing.F) {
	f.Add(uint16(1), uint8(1), uint8(1))
	f.Add(uint16(1604), uint8(2), uint8(29))
	f.Add(uint16(1582), uint8(10), uint8(10))
	f.Add(uint16(2025), uint8(12), uint8(31))
	f.Fuzz(func(t *testing.T, year uint16, month, day uint8) {
		start := time.Date(int(year%2026)+1, time.Month(month%12+1), int(day%31)+1, 0, 0, 0, 0, time.UTC)
		if start.Day() != int(day%31)+1 { // no such day in that month
			return
		}
		from, to := date(t, "2026-01-01"), date(t, "2033-12-31")
		got, err := ParseICS(strings.NewReader(event("DTSTART;VALUE=DATE:"+start.Format("20060102"), "RRULE:FREQ=YEARLY")), from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for y := 2026; y <= 2033; y++ {
			if time.Date(y, start.Month(), start.Day(), 0, 0, 0, 0, time.UTC).Day() == start.Day() {
				want++
			}
		}
		if len(got) != want {
			t.Fatalf("from %s: %d closures, want %d: %v", start.Format(time.DateOnly), len(got), want, got)
		}
		for _, c := range got {
			if c.Start.Month != start.Month() || c.Start.Day != start.Day() {
				t.Fatalf("from %s: closure on %s", start.Format(time.DateOnly), c.Start)
			}
		}
	})
}
