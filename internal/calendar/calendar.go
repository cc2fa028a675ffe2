// Package calendar is Relance's one business-time engine: is a site (or an advisor) open at an
// instant, when it next opens, what instant lies a business duration after another, how much
// business time lies between two instants, and which instant is "N working days later at HH:MM".
// It is pure: no database, no clock; every instant comes from the caller.
//
// Wall-clock rule across daylight-saving changes: a local time that does not exist (inside a
// spring-forward gap, such as 02:30 in Paris on the last Sunday of March) stands for the first
// instant after the gap; a local time that exists twice (inside a fall-back overlap) stands for
// its first occurrence. So a window 02:00–03:00 is empty on a spring-forward night and lasts two
// hours on a fall-back night, and an obligation at 09:00 local stays at 09:00 local.
package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// Errors of the engine.
var (
	// ErrNeverOpen is returned by New for a calendar without a single opening window.
	ErrNeverOpen = errors.New("calendar: the site has no opening window at all")
	// ErrNoOpenTime is returned when no open time exists within the search horizon.
	ErrNoOpenTime = errors.New("calendar: no open time within four years")
	// ErrNegative is returned for a negative duration or day count.
	ErrNegative = errors.New("calendar: negative duration")
	// ErrTooLong is returned for a duration beyond the search horizon.
	ErrTooLong = errors.New("calendar: duration beyond four years")
)

// horizonDays bounds every search: a calendar open one minute a year still answers, and none
// ever loops for ever.
const horizonDays = 4*366 + 1

const secondsPerDay = 86400

// span is an opening window in minutes since local midnight, end exclusive (1440 = midnight).
type span struct{ start, end int }

// dayRange is an inclusive range of civil days, as day numbers since 1970-01-01.
type dayRange struct{ first, last int64 }

// period is a half-open range of instants, in Unix seconds.
type period struct{ start, end int64 }

// Calendar is the business time of one site, optionally narrowed by one person's absences.
// A Calendar is immutable and safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	week     [7][]span  // by time.Weekday, sorted, never overlapping
	closed   []dayRange // sorted, merged
	absences []period   // sorted, merged
}

// New builds the calendar of a site from its time zone, weekly windows and closures. It returns
// an error for an unknown time zone, an invalid or overlapping window, a closure ending before
// it starts, or no window at all (ErrNeverOpen).
func New(timeZone string, windows []relance.Window, closures []relance.Closure) (*Calendar, error) {
	if timeZone == "" || timeZone == "Local" {
		return nil, fmt.Errorf("calendar: %q is not an IANA time zone", timeZone)
	}
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return nil, fmt.Errorf("calendar: %q is not an IANA time zone", timeZone)
	}
	if err := relance.ValidateWindows(windows); err != nil {
		return nil, err
	}
	if len(windows) == 0 {
		return nil, ErrNeverOpen
	}
	c := &Calendar{loc: loc}
	for _, w := range windows {
		c.week[w.Weekday] = append(c.week[w.Weekday], span{w.Start, w.End})
	}
	for d := range c.week {
		slices.SortFunc(c.week[d], func(a, b span) int { return a.start - b.start })
	}
	ranges := make([]dayRange, 0, len(closures))
	for _, cl := range closures {
		if cl.End.Before(cl.Start) {
			return nil, fmt.Errorf("calendar: closure %s–%s ends before it starts", cl.Start, cl.End)
		}
		ranges = append(ranges, dayRange{dayNumber(cl.Start), dayNumber(cl.End)})
	}
	c.closed = mergeDays(ranges)
	return c, nil
}

// ForSite builds the calendar of a site.
func ForSite(s relance.Site) (*Calendar, error) { return New(s.TimeZone, s.Windows, s.Closures) }

// WithAbsences returns the calendar of a person working at c's site with these absences: c's
// open time minus every absence.
func (c *Calendar) WithAbsences(absences []relance.Absence) *Calendar {
	out := *c
	ps := make([]period, 0, len(absences))
	for _, a := range absences {
		if a.EndsAt.After(a.StartsAt) {
			ps = append(ps, period{a.StartsAt.Unix(), a.EndsAt.Unix()})
		}
	}
	out.absences = mergePeriods(ps)
	return &out
}

// CheckSiteOpens checks that site s opens at some time within four years from now: a site
// whose closures cover every open day from now on would hold its leads' reminders for ever. It
// returns an invalid-input error naming closures, or the error of New for a bad site.
func CheckSiteOpens(s relance.Site, now time.Time) error {
	c, err := ForSite(s)
	if err != nil {
		return err
	}
	if _, err := c.NextOpen(now); err != nil {
		return relance.Invalid("closures", "the site would never open again: its closures cover every open day of the next four years")
	}
	return nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsOpen reports whether t is open time.
func (c *Calendar) IsOpen(t time.Time) bool {
	s, err := c.first(t.Unix())
	return err == nil && s == t.Unix()
}

// NextOpen returns t when t is open, else the next instant open time starts. It returns
// ErrNoOpenTime when none comes within the horizon. Instants are handled to the second.
func (c *Calendar) NextOpen(t time.Time) (time.Time, error) {
	s, err := c.first(t.Unix())
	if err != nil {
		return time.Time{}, err
	}
	return c.instant(s), nil
}

// Add returns the instant at which d of open time has passed since t. The result is always an
// open instant: a duration that ends exactly at a closing time ends when the site next opens.
// It returns ErrNegative, ErrTooLong, or ErrNoOpenTime.
func (c *Calendar) Add(t time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, ErrNegative
	}
	if d > horizonDays*secondsPerDay*time.Second {
		return time.Time{}, ErrTooLong
	}
	left := int64(d / time.Second)
	var result int64
	err := c.walk(t.Unix(), func(s, e int64) bool {
		if left < e-s {
			result = s + left
			return false
		}
		left -= e - s
		return true
	})
	if err != nil {
		return time.Time{}, err
	}
	return c.instant(result), nil
}

// Between returns the open time between a and b (zero when b is not after a), to the second.
// Open time more than four years after a is not counted.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	from, to := a.Unix(), b.Unix()
	if to <= from {
		return 0
	}
	var total int64
	_ = c.walk(from, func(s, e int64) bool {
		if s >= to {
			return false
		}
		total += min(e, to) - s
		return e < to
	})
	return time.Duration(total) * time.Second
}

// instant returns the time.Time of Unix seconds u in the calendar's zone.
func (c *Calendar) instant(u int64) time.Time { return time.Unix(u, 0).In(c.loc) }

// first returns the first open instant at or after at.
func (c *Calendar) first(at int64) (int64, error) {
	var first int64
	err := c.walk(at, func(s, _ int64) bool {
		first = s
		return false
	})
	return first, err
}

// walk calls fn with each open interval [s, e) that ends after at, in order, s clipped to at,
// until fn returns false (then walk returns nil). It returns ErrNoOpenTime when the horizon
// ends first.
func (c *Calendar) walk(at int64, fn func(s, e int64) bool) error {
	day := c.localDay(at)
	for i := 0; i < horizonDays; i, day = i+1, day+1 {
		spans := c.week[weekday(day)]
		if len(spans) == 0 || c.closedDay(day) {
			continue
		}
		base, uniform := c.dayBase(day)
		for _, w := range spans {
			var ws, we int64
			if uniform {
				ws, we = base+int64(w.start)*60, base+int64(w.end)*60
			} else {
				ws, we = c.wall(day, w.start), c.wall(day, w.end)
			}
			for s := max(ws, at); s < we; {
				ps, pe, ok := c.clipAbsences(s, we)
				if !ok {
					break
				}
				if !fn(ps, pe) {
					return nil
				}
				s = pe
			}
		}
	}
	return ErrNoOpenTime
}

// dayBase returns the instant of local midnight of day when one offset rules the whole day and
// its surroundings (uniform), so that every wall time of the day is base + minutes. On days near
// an offset change, uniform is false and wall resolves each time.
func (c *Calendar) dayBase(day int64) (base int64, uniform bool) {
	naive := day * secondsPerDay
	before, after := c.offset(naive-14*3600), c.offset(naive+secondsPerDay+14*3600)
	return naive - before, before == after
}

// clipAbsences returns the first open part of [s, e) outside every absence.
func (c *Calendar) clipAbsences(s, e int64) (int64, int64, bool) {
	if len(c.absences) == 0 {
		return s, e, true
	}
	i, _ := slices.BinarySearchFunc(c.absences, s, func(p period, t int64) int {
		if p.end <= t {
			return -1
		}
		return 1
	})
	for ; i < len(c.absences) && c.absences[i].start <= s; i++ {
		s = max(s, c.absences[i].end)
	}
	if s >= e {
		return 0, 0, false
	}
	if i < len(c.absences) && c.absences[i].start < e {
		e = c.absences[i].start
	}
	return s, e, true
}

func (c *Calendar) closedDay(day int64) bool {
	_, found := slices.BinarySearchFunc(c.closed, day, func(r dayRange, d int64) int {
		switch {
		case r.last < d:
			return -1
		case r.first > d:
			return 1
		}
		return 0
	})
	return found
}

// localDay returns the local civil day of instant u, as a day number.
func (c *Calendar) localDay(u int64) int64 {
	_, offset := time.Unix(u, 0).In(c.loc).Zone()
	return floorDiv(u+int64(offset), secondsPerDay)
}

// offset returns the zone offset in force at instant u.
func (c *Calendar) offset(u int64) int64 {
	_, o := time.Unix(u, 0).In(c.loc).Zone()
	return int64(o)
}

// wall returns the instant of local time minute on civil day day, by the package's rule: the
// first occurrence of a doubled time, the end of the gap for a missing one.
func (c *Calendar) wall(day int64, minute int) int64 {
	naive := day*secondsPerDay + int64(minute)*60 // the wall time read as if it were UTC
	// Offsets in force well before and well after cover both sides of any change that day.
	before, after := c.offset(naive-14*3600), c.offset(naive+14*3600)
	if before == after {
		return naive - before
	}
	early, late := naive-before, naive-after
	validEarly, validLate := c.offset(early) == before, c.offset(late) == after
	switch {
	case validEarly && validLate:
		return min(early, late) // overlap: the first occurrence
	case validEarly:
		return early
	case validLate:
		return late
	}
	// Gap: the first instant after it is where the zone in force at naive-before begins.
	start, _ := time.Unix(early, 0).In(c.loc).ZoneBounds()
	return start.Unix()
}

// dayNumber returns the days between 1970-01-01 and d.
func dayNumber(d relance.Date) int64 {
	return floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

// weekday returns the weekday of a day number (1970-01-01 was a Thursday).
func weekday(day int64) time.Weekday {
	return time.Weekday(((day+4)%7 + 7) % 7)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func mergeDays(rs []dayRange) []dayRange {
	slices.SortFunc(rs, func(a, b dayRange) int { return int(a.first - b.first) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.first <= out[n-1].last+1 {
			out[n-1].last = max(out[n-1].last, r.last)
			continue
		}
		out = append(out, r)
	}
	return out
}

func mergePeriods(ps []period) []period {
	slices.SortFunc(ps, func(a, b period) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && p.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, p.end)
			continue
		}
		out = append(out, p)
	}
	return out
}
