package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

var dayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeek parses opening hours written as day groups and time ranges, such as
// "mon-fri 09:00-12:00 14:00-19:00; sat 09:00-12:00". Days are three-letter English names,
// alone, in comma lists or in ranges (a range may wrap, as "sat-mon"). It returns the windows
// in day order, or an error naming the first bad part, including overlapping windows.
func ParseWeek(spec string) ([]relance.Window, error) {
	var out []relance.Window
	for _, group := range strings.Split(spec, ";") {
		fields := strings.Fields(group)
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("calendar: %q: a day group needs at least one time range", strings.TrimSpace(group))
		}
		days, err := parseDays(fields[0])
		if err != nil {
			return nil, err
		}
		for _, r := range fields[1:] {
			from, to, ok := strings.Cut(r, "-")
			if !ok {
				return nil, fmt.Errorf("calendar: %q is not a time range such as 09:00-12:00", r)
			}
			start, err := relance.ParseClock(from)
			if err != nil || start == 1440 {
				return nil, fmt.Errorf("calendar: %q: start must be between 00:00 and 23:59", r)
			}
			end, err := relance.ParseClock(to)
			if err != nil {
				return nil, fmt.Errorf("calendar: %q: %v", r, err)
			}
			for d := time.Sunday; d <= time.Saturday; d++ {
				if days.Has(d) {
					out = append(out, relance.Window{Weekday: d, Start: start, End: end})
				}
			}
		}
	}
	if err := relance.ValidateWindows(out); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	slices.SortFunc(out, func(a, b relance.Window) int {
		if a.Weekday != b.Weekday {
			return int(a.Weekday) - int(b.Weekday)
		}
		return a.Start - b.Start
	})
	return out, nil
}

func parseDays(s string) (Weekdays, error) {
	var set Weekdays
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := dayIndex(from)
		if !ok {
			return 0, fmt.Errorf("calendar: %q is not a day (mon, tue, wed, thu, fri, sat, sun)", from)
		}
		if !isRange {
			set |= 1 << a
			continue
		}
		b, ok := dayIndex(to)
		if !ok {
			return 0, fmt.Errorf("calendar: %q is not a day (mon, tue, wed, thu, fri, sat, sun)", to)
		}
		for d := a; ; d = (d + 1) % 7 {
			set |= 1 << d
			if d == b {
				break
			}
		}
	}
	return set, nil
}

func dayIndex(s string) (time.Weekday, bool) {
	for i, n := range dayNames {
		if n == s {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// FormatWeek writes windows in the form ParseWeek reads, one group per weekday from Monday.
func FormatWeek(windows []relance.Window) string {
	var groups []string
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		var b strings.Builder
		for _, w := range windows {
			if w.Weekday == d {
				fmt.Fprintf(&b, " %s-%s", relance.FormatClock(w.Start), relance.FormatClock(w.End))
			}
		}
		if b.Len() > 0 {
			groups = append(groups, dayNames[d]+b.String())
		}
	}
	return strings.Join(groups, "; ")
}
