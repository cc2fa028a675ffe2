package calendar

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

var zones = []string{"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"}

// randomCalendar draws a calendar: a zone, 1–3 windows on some weekdays (edges on the quarter
// hour, some at midnight), a few closures and absences around 2026–2027.
func randomCalendar(r *rand.Rand) (*Calendar, string) {
	for {
		var ws []relance.Window
		for d := time.Sunday; d <= time.Saturday; d++ {
			if r.IntN(4) == 0 {
				continue
			}
			at := r.IntN(8) * 60
			for n := 1 + r.IntN(3); n > 0 && at < 1440; n-- {
				end := min(1440, at+15*(1+r.IntN(40)))
				ws = append(ws, relance.Window{Weekday: d, Start: at, End: end})
				at = end + 15*r.IntN(12)
			}
		}
		var cs []relance.Closure
		for range r.IntN(4) {
			start := relance.DateOf(time.Date(2026, 1, 1+r.IntN(700), 0, 0, 0, 0, time.UTC))
			end := relance.DateOf(start.Time().AddDate(0, 0, r.IntN(10)))
			cs = append(cs, relance.Closure{Start: start, End: end})
		}
		zone := zones[r.IntN(len(zones))]
		c, err := New(zone, ws, cs)
		if err != nil {
			continue // no window drawn
		}
		var abs []relance.Absence
		for range r.IntN(3) {
			s := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(700*24)) * time.Hour)
			abs = append(abs, relance.Absence{StartsAt: s, EndsAt: s.Add(time.Duration(1+r.IntN(96)) * time.Hour)})
		}
		return c.WithAbsences(abs), fmt.Sprintf("%s %s closures=%v absences=%d", zone, FormatWeek(ws), cs, len(abs))
	}
}

func randomInstant(r *rand.Rand) time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(700*24*time.Hour/time.Second))) * time.Second)
}

func randomDuration(r *rand.Rand) time.Duration {
	return time.Duration(r.Int64N(int64(60*time.Hour/time.Second))) * time.Second
}

func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		cal, desc := randomCalendar(r)
		t0, d := randomInstant(r), randomDuration(r)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("case %d (%s), t=%s d=%s: %s", i, desc, t0.Format(time.RFC3339), d, fmt.Sprintf(format, args...))
		}
		got, err := cal.Add(t0, d)
		if err != nil {
			fail("Add: %v", err)
		}
		if !cal.IsOpen(got) {
			fail("Add result %s is not open", got)
		}
		if b := cal.Between(t0, got); b != d {
			fail("Between(t, Add(t, d)) = %s", b)
		}
		next, err := cal.NextOpen(t0)
		if err != nil || !cal.IsOpen(next) || next.Before(t0.Truncate(time.Second)) || cal.Between(t0, next) != 0 {
			fail("NextOpen = %s, %v", next, err)
		}
		// Monotonic in t and in d.
		later := t0.Add(time.Duration(r.IntN(48*3600)) * time.Second)
		if g2, _ := cal.Add(later, d); g2.Before(got) {
			fail("Add(later, d) = %s before Add(t, d) = %s", g2, got)
		}
		more := d + time.Duration(r.IntN(3600))*time.Second
		if g3, _ := cal.Add(t0, more); g3.Before(got) {
			fail("Add(t, %s) = %s before Add(t, d)", more, g3)
		}
		// One long Add equals small Adds in a row.
		step := time.Duration(1+r.IntN(5*3600)) * time.Second
		cur, left := t0, d
		for left > 0 {
			s := min(step, left)
			if cur, err = cal.Add(cur, s); err != nil {
				fail("small Add: %v", err)
			}
			left -= s
		}
		if d > 0 && !cur.Equal(got) {
			fail("small Adds of %s end at %s, one Add at %s", step, cur, got)
		}
		// Between is additive over a split point.
		mid := t0.Add(time.Duration(r.IntN(72*3600)) * time.Second)
		end := mid.Add(time.Duration(r.IntN(72*3600)) * time.Second)
		if cal.Between(t0, mid)+cal.Between(mid, end) != cal.Between(t0, end) {
			fail("Between is not additive at %s", mid)
		}
	}
}
