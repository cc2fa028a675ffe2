package relance

import (
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
)

// Site is a point of sale with its own time zone, opening hours and closures.
type Site struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	Name      string
	TimeZone  string  // IANA name
	Country   Country // where national phone numbers are read; "" for an old site not yet set
	Windows   []Window
	Closures  []Closure
	CreatedAt time.Time
}

// Window is one span of opening time on a weekday, in minutes since local midnight; End is
// exclusive and may be 1440 (midnight).
type Window struct {
	Weekday time.Weekday
	Start   int
	End     int
}

// SiteChange lists what to change on a site; nil fields stay as they are.
type SiteChange struct {
	Name     *string
	TimeZone *string
	Country  *Country
	Windows  *[]Window
	Closures *[]Closure
}

// Apply changes s as c says.
func (c SiteChange) Apply(s *Site) {
	set(&s.Name, c.Name)
	set(&s.TimeZone, c.TimeZone)
	set(&s.Country, c.Country)
	set(&s.Windows, c.Windows)
	set(&s.Closures, c.Closures)
}

// Closure is a range of whole local days when a site is closed; End is inclusive.
type Closure struct {
	Start  Date
	End    Date
	Reason string
}

// Date is a calendar day without a time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD"; it returns an error for anything else, such as 2026-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Time returns midnight UTC of the day, the form the database stores dates in.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }

func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// ParseClock parses "HH:MM" into minutes since midnight; "24:00" is 1440.
// It returns an error for anything outside 00:00–24:00.
func ParseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day between 00:00 and 24:00", s)
	}
	return h*60 + m, nil
}

// FormatClock formats minutes since midnight as "HH:MM".
func FormatClock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// ValidateSite checks a site's own invariants: a known time zone and country (a site created
// before sites had a country gets one with its next change), at least one window, windows
// inside the day with the end after the start and no two overlapping on one weekday, closures
// in order.
// It returns an invalid-input error naming the first bad field.
func ValidateSite(s *Site) error {
	if s.Name == "" {
		return Invalid("name", "must not be empty")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		return Invalid("time_zone", fmt.Sprintf("%q is not an IANA time zone", s.TimeZone))
	}
	if err := CheckCountry("country", s.Country); err != nil {
		return err
	}
	if len(s.Windows) == 0 {
		return Invalid("windows", "a site must open at least once a week: its leads' reminders wait for open time")
	}
	if err := ValidateWindows(s.Windows); err != nil {
		return err
	}
	for i, c := range s.Closures {
		if c.End.Before(c.Start) {
			return Invalid(fmt.Sprintf("closures[%d].end_date", i), "must not be before start_date")
		}
	}
	return nil
}

// ValidateWindows checks opening windows: each inside 00:00–24:00 with its end after its start,
// none overlapping another on the same weekday. It returns an invalid-input error.
func ValidateWindows(ws []Window) error {
	type indexed struct {
		Window
		i int
	}
	sorted := make([]indexed, len(ws))
	for i, w := range ws {
		field := fmt.Sprintf("windows[%d]", i)
		switch {
		case w.Weekday < time.Sunday || w.Weekday > time.Saturday:
			return Invalid(field+".weekday", "must be a day of the week")
		case w.Start < 0 || w.Start >= 1440:
			return Invalid(field+".start", "must be between 00:00 and 23:59")
		case w.End <= w.Start || w.End > 1440:
			return Invalid(field+".end", "must be after start and at most 24:00")
		}
		sorted[i] = indexed{w, i}
	}
	sort.Slice(sorted, func(a, b int) bool {
		if sorted[a].Weekday != sorted[b].Weekday {
			return sorted[a].Weekday < sorted[b].Weekday
		}
		return sorted[a].Start < sorted[b].Start
	})
	for k := 1; k < len(sorted); k++ {
		prev, cur := sorted[k-1], sorted[k]
		if prev.Weekday == cur.Weekday && cur.Start < prev.End {
			return Invalid(fmt.Sprintf("windows[%d]", cur.i),
				fmt.Sprintf("overlaps windows[%d] on %s", prev.i, cur.Weekday))
		}
	}
	return nil
}
