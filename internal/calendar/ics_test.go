package calendar

import (
	"strings"
	"testing"

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
