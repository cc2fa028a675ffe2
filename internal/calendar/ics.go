package calendar

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"github.com/relancehq/relance/internal/relance"
)

// maxImportedClosures bounds what one feed may add, against runaway recurrence rules.
const maxImportedClosures = 2000

// maxRecurrenceSteps bounds how many occurrences of one rule are looked at.
const maxRecurrenceSteps = 20000

// ParseICS reads the all-day events of an iCalendar feed (public holidays, inventory days) as
// closures. A multi-day event is one closure (DTEND is exclusive, as iCalendar says); a
// recurring event (RRULE, with EXDATE) gives one closure per occurrence between from and to,
// inclusive; cancelled events are skipped. It returns an error naming the first bad event,
// including timed events, since a closure is made of whole days.
func ParseICS(r io.Reader, from, to relance.Date) (closures []relance.Closure, err error) {
	// The decoder panics on some malformed content lines; a bad upload is an error, not a crash.
	defer func() {
		if p := recover(); p != nil {
			closures, err = nil, fmt.Errorf("ics: malformed content (%v)", p)
		}
	}()
	dec := ical.NewDecoder(r)
	window := [2]time.Time{from.Time(), to.Time().AddDate(0, 0, 1)}
	var out []relance.Closure
	calendars := 0
	for {
		cal, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("ics: %w", err)
		}
		calendars++
		for i, ev := range cal.Events() {
			closures, err := eventClosures(ev, window)
			if err != nil {
				summary, _ := ev.Props.Text(ical.PropSummary)
				return nil, fmt.Errorf("ics: event %d (%q): %w", i+1, summary, err)
			}
			out = append(out, closures...)
			if len(out) > maxImportedClosures {
				return nil, fmt.Errorf("ics: more than %d closures; narrow the date range", maxImportedClosures)
			}
		}
	}
	if calendars == 0 {
		return nil, errors.New("ics: no VCALENDAR found")
	}
	return out, nil
}

func eventClosures(ev ical.Event, window [2]time.Time) ([]relance.Closure, error) {
	status, err := ev.Status()
	if err != nil {
		return nil, err
	}
	if status == ical.EventCancelled {
		return nil, nil
	}
	start := ev.Props.Get(ical.PropDateTimeStart)
	if start == nil {
		return nil, errors.New("no DTSTART")
	}
	if start.ValueType() != ical.ValueDate {
		return nil, errors.New("a timed event cannot be a closure; closures are whole days (VALUE=DATE)")
	}
	first, err := ev.DateTimeStart(time.UTC)
	if err != nil {
		return nil, err
	}
	end, err := ev.DateTimeEnd(time.UTC)
	if err != nil {
		return nil, err
	}
	days := int(end.Sub(first).Hours()/24+0.5) - 1 // DTEND is exclusive
	if days < 0 || days > 366 {
		return nil, fmt.Errorf("a closure of %d days makes no sense", days+1)
	}
	summary, _ := ev.Props.Text(ical.PropSummary)
	closure := func(day time.Time) relance.Closure {
		return relance.Closure{Start: relance.DateOf(day), End: relance.DateOf(day.AddDate(0, 0, days)), Reason: summary}
	}
	set, err := recurrence(ev, first, window)
	if err != nil {
		return nil, err
	}
	if set == nil {
		return []relance.Closure{closure(first)}, nil
	}
	// Walk the occurrences one by one with a step cap: a dense rule (FREQ=SECONDLY from 1900)
	// must fail fast, not expand millions of instants.
	var out []relance.Closure
	next := set.Iterator()
	for steps := 0; ; steps++ {
		occ, ok := next()
		if !ok || occ.After(window[1]) || occ.Equal(window[1]) {
			return out, nil
		}
		if steps > maxRecurrenceSteps {
			return nil, fmt.Errorf("the recurrence rule is too dense (over %d occurrences before the end of the range)", maxRecurrenceSteps)
		}
		if occ.Before(window[0]) {
			continue
		}
		out = append(out, closure(occ))
		if len(out) > maxImportedClosures {
			return nil, fmt.Errorf("more than %d occurrences", maxImportedClosures)
		}
	}
}

// gregorianCycle is the Gregorian calendar's period: every 400 years the same dates fall on the
// same weekdays, so a recurrence moved by a whole number of cycles (in whole periods of its own
// interval) has the same occurrences.
const gregorianCycle = 400

// periodsPerCycle is how many periods of each frequency one Gregorian cycle holds.
var periodsPerCycle = map[rrule.Frequency]int{
	rrule.YEARLY: gregorianCycle, rrule.MONTHLY: 12 * gregorianCycle, rrule.WEEKLY: 146097 / 7,
	rrule.DAILY: 146097, rrule.HOURLY: 146097 * 24, rrule.MINUTELY: 146097 * 24 * 60, rrule.SECONDLY: 146097 * 24 * 60 * 60,
}

// recurrence returns the event's recurrence set (nil without RRULE), built so that a rule
// starting long ago expands like any other. The rrule library reads a zero DTSTART (0001-01-01,
// as some feeds write for "every year since always") as "now", and without UNTIL it stops 290
// years after DTSTART: so a start more than a cycle before the range moves forward by whole
// cycles (the occurrences stay the same), and the rule never runs past the range. A rule with
// COUNT cannot move (its count starts at DTSTART); one that starts before year 1583 is refused.
func recurrence(ev ical.Event, first time.Time, window [2]time.Time) (*rrule.Set, error) {
	opt, err := ev.Props.RecurrenceRule()
	if err != nil || opt == nil {
		return nil, err
	}
	if opt.Until.IsZero() || opt.Until.After(window[1]) {
		opt.Until = window[1]
	}
	interval := max(opt.Interval, 1)
	cycleYears := gregorianCycle * (interval / gcd(periodsPerCycle[opt.Freq], interval))
	if behind := window[0].Year() - first.Year(); behind > cycleYears {
		if opt.Count > 0 {
			if first.Year() < 1583 {
				return nil, fmt.Errorf("a rule with COUNT cannot start in year %d; start it in the Gregorian era", first.Year())
			}
		} else {
			// Stay in a year before the range's, so no occurrence of the range's first year is lost.
			first = first.AddDate((behind-1)/cycleYears*cycleYears, 0, 0)
		}
	}
	// A start still at the zero instant (a long interval) is read one second later, and so are
	// the instants compared with it: occurrences keep their days, and the library its start.
	var nudge time.Duration
	if first.IsZero() {
		nudge = time.Second
	}
	opt.Dtstart, opt.Until = first.Add(nudge), opt.Until.Add(nudge)
	rule, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, err
	}
	set := &rrule.Set{}
	set.RRule(rule)
	for _, prop := range ev.Props.Values(ical.PropExceptionDates) {
		exdate, err := prop.DateTime(time.UTC)
		if err != nil {
			return nil, err
		}
		set.ExDate(exdate.Add(nudge))
	}
	return set, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
