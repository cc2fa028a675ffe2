package calendar

import (
	"fmt"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// Weekdays is a set of days of the week.
type Weekdays uint8

// MondayToFriday is the default set of working days.
const MondayToFriday Weekdays = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday

// Days returns the set of the given weekdays.
func Days(days ...time.Weekday) Weekdays {
	var w Weekdays
	for _, d := range days {
		w |= 1 << d
	}
	return w
}

// OpenWeekdays returns the weekdays that have at least one opening window.
func (c *Calendar) OpenWeekdays() Weekdays {
	var w Weekdays
	for d, spans := range c.week {
		if len(spans) > 0 {
			w |= 1 << d
		}
	}
	return w
}

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<d) != 0 }

// WorkingDayAt returns the instant at local time clock (minutes since midnight, 0–1439) of the
// n-th working day after t's local day; n = 0 means the first working day, t's own included,
// whose clock time is not before t. A working day is in days, is not a closure of the site and
// does not have clock inside an absence. Opening windows do not matter: a plan step "2 working
// days later at 08:30" falls at 08:30 even when the site opens at 09:00. It returns ErrNegative,
// an error for a clock outside the day or an empty set of days, or ErrNoOpenTime when no such
// day comes within the horizon.
func (c *Calendar) WorkingDayAt(t time.Time, n, clock int, days Weekdays) (time.Time, error) {
	if n < 0 {
		return time.Time{}, ErrNegative
	}
	if clock < 0 || clock >= 1440 {
		return time.Time{}, fmt.Errorf("calendar: clock %d is not a minute of the day", clock)
	}
	if days&(1<<7-1) == 0 {
		return time.Time{}, fmt.Errorf("calendar: no working weekday")
	}
	at := t.Unix()
	day := c.localDay(at)
	if n > 0 {
		day++
	}
	seen := 0
	for i := 0; i < horizonDays; i, day = i+1, day+1 {
		if !days.Has(weekday(day)) || c.closedDay(day) {
			continue
		}
		when := c.wall(day, clock)
		if c.absent(when) || (n == 0 && when < at) {
			continue
		}
		seen++
		if seen >= n {
			return c.instant(when), nil
		}
	}
	return time.Time{}, ErrNoOpenTime
}

// DaysAfterAt returns the time of a plan step: local time clock on the first working day (in
// days, not a closure, clock outside every absence) that is at least n calendar days after t's
// local day and whose clock time is not before notBefore (a minimum gap, or now). Errors are
// those of WorkingDayAt.
func (c *Calendar) DaysAfterAt(t time.Time, n, clock int, days Weekdays, notBefore time.Time) (time.Time, error) {
	if n < 0 {
		return time.Time{}, ErrNegative
	}
	start := c.instant(c.wall(c.localDay(t.Unix())+int64(n), 0))
	if notBefore.After(start) {
		start = notBefore
	}
	return c.WorkingDayAt(start, 0, clock, days)
}

// IsWorkingAt reports whether t falls on a working day (in days, not a closure) outside every
// absence, whatever the opening hours: the test for obligations at a fixed local time.
func (c *Calendar) IsWorkingAt(t time.Time, days Weekdays) bool {
	u := t.Unix()
	day := c.localDay(u)
	return days.Has(weekday(day)) && !c.closedDay(day) && !c.absent(u)
}

// DayEndIn returns the end of t's local day in loc, by DayEnd's rule; it needs no opening hours.
func DayEndIn(loc *time.Location, t time.Time) time.Time { return (&Calendar{loc: loc}).DayEnd(t) }

// DayEnd returns the end of t's local day: the next local midnight.
func (c *Calendar) DayEnd(t time.Time) time.Time {
	return c.instant(c.wall(c.localDay(t.Unix())+1, 0))
}

// absent reports whether instant u falls in an absence.
func (c *Calendar) absent(u int64) bool {
	s, _, ok := c.clipAbsences(u, u+1)
	return !ok || s != u
}

// WorkingDays returns the first n working days from t's local day on (t's day included when it
// is one): days the site opens on, not closures, and not taken by an absence at local noon. It
// returns fewer when the horizon ends first.
func (c *Calendar) WorkingDays(t time.Time, n int) []relance.Day {
	open := c.OpenWeekdays()
	out := make([]relance.Day, 0, n)
	for day, i := c.localDay(t.Unix()), 0; len(out) < n && i < horizonDays; day, i = day+1, i+1 {
		if !open.Has(weekday(day)) || c.closedDay(day) || c.absent(c.wall(day, 12*60)) {
			continue
		}
		out = append(out, c.day(day))
	}
	return out
}

// Day returns t's local day.
func (c *Calendar) Day(t time.Time) relance.Day { return c.day(c.localDay(t.Unix())) }

// DayOn returns the local day of date d.
func (c *Calendar) DayOn(d relance.Date) relance.Day { return c.day(dayNumber(d)) }

func (c *Calendar) day(n int64) relance.Day {
	return relance.Day{Start: c.instant(c.wall(n, 0)), End: c.instant(c.wall(n+1, 0))}
}
