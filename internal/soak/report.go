package soak

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// Report is what a soak saw and every promise it found broken.
type Report struct {
	Duration, Drained time.Duration
	Settled           bool
	Faults            []Fault
	Died              map[string]int // exits the harness did not cause, per process

	Keys, Leads, CreateTries int
	Errors                   map[string]int // errors the creators saw, by code

	Timers                           map[string]int  // by "kind state"
	AssignLateness, ReminderLateness []time.Duration // fired minus due
	Reminders                        int             // overdue reminders fired

	AssignAlerts, ReminderAlerts, OtherAlerts int
	Streamed, Reconnects                      int
	StreamDelay                               []time.Duration // received on the stream minus raised

	Deliveries map[string]int  // by "channel state"
	Reclaimed  int             // deliveries claimed more than once (a send cut short)
	SendDelay  []time.Duration // sent minus written
	Received   map[string]int  // messages the catcher got, by channel
	Resends    map[string]int  // deliveries received more than once (same identity): how many times

	Violations []string
}

func (r *Report) violate(format string, args ...any) {
	r.Violations = append(r.Violations, fmt.Sprintf(format, args...))
}

// Print writes the figures, then the violations (at most 50 lines of them).
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\nsoak report (load %s, settled in %s after it)\n", r.Duration, r.Drained.Round(time.Second))
	fmt.Fprintf(w, "  faults:\n")
	for _, f := range r.Faults {
		line := fmt.Sprintf("    at %-5s %-60s %s", f.At, f.What, f.Downtime)
		if f.Err != "" {
			line += " FAILED: " + f.Err
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "  leads: %d keys asked, %d leads in the database, %d CreateLead calls (%d retries); client errors %v\n",
		r.Keys, r.Leads, r.CreateTries, r.CreateTries-r.Keys, sorted(r.Errors))
	fmt.Fprintf(w, "  timers: %v\n", sorted(r.Timers))
	fmt.Fprintf(w, "  lateness (fired minus due): assignment alerts %s; reminders %s\n", stats(r.AssignLateness), stats(r.ReminderLateness))
	fmt.Fprintf(w, "  alerts: %d assignment, %d reminder, %d other; %d streamed, %d stream reconnections; stream delay %s\n",
		r.AssignAlerts, r.ReminderAlerts, r.OtherAlerts, r.Streamed, r.Reconnects, stats(r.StreamDelay))
	fmt.Fprintf(w, "  deliveries: %v; claimed again after a cut-short send: %d; written to sent %s\n",
		sorted(r.Deliveries), r.Reclaimed, stats(r.SendDelay))
	fmt.Fprintf(w, "  received by the catcher: %v; resent under the same identity: %d\n", sorted(r.Received), len(r.Resends))
	for _, k := range slices.Sorted(maps.Keys(r.Resends)) {
		fmt.Fprintf(w, "    %s received %d times\n", k, r.Resends[k])
	}
	if len(r.Violations) == 0 {
		fmt.Fprintf(w, "  violations: none\n")
		return
	}
	fmt.Fprintf(w, "  VIOLATIONS: %d\n", len(r.Violations))
	for i, v := range r.Violations {
		if i == 50 {
			fmt.Fprintf(w, "    … and %d more\n", len(r.Violations)-50)
			break
		}
		fmt.Fprintf(w, "    %s\n", v)
	}
}

func sorted(m map[string]int) string {
	s := "{"
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %d", k, m[k])
	}
	return s + "}"
}

// stats formats samples as count, median, p99 and max.
func stats(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	r := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	return fmt.Sprintf("n=%d p50 %s p99 %s max %s", n, r(s[n/2]), r(s[n*99/100]), r(s[n-1]))
}
