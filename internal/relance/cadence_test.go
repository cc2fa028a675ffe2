package relance_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

func TestPickCadenceMostSpecificFirst(t *testing.T) {
	site, other := uuid.New(), uuid.New()
	org := relance.CadenceRule{AttemptsPerDay: 2}
	bySite := relance.CadenceRule{SiteID: site, AttemptsPerDay: 4}
	bySource := relance.CadenceRule{Source: "phone", AttemptsPerDay: 6}
	rules := []relance.CadenceRule{bySource, bySite, org}
	for _, tc := range []struct {
		site   uuid.UUID
		source string
		want   int
	}{
		{site, "phone", 6}, {site, "website", 4}, {other, "website", 2}, {other, "phone", 6},
	} {
		if got := relance.PickCadence(rules, tc.site, tc.source); got.AttemptsPerDay != tc.want {
			t.Errorf("site %v, %s: %d attempts a day, want %d", tc.site == site, tc.source, got.AttemptsPerDay, tc.want)
		}
	}
	if got := relance.PickCadence(nil, site, "phone"); got != relance.DefaultCadence() {
		t.Errorf("no rule: %+v, want the default", got)
	}
}

func TestCadenceOf(t *testing.T) {
	day := func(d int) relance.Day {
		start := time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC)
		return relance.Day{Start: start, End: start.AddDate(0, 0, 1)}
	}
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, time.UTC) }
	rule := relance.DefaultCadence() // 3 a day
	days := []relance.Day{day(14), day(15), day(16), day(17), day(18)}
	attempts := []time.Time{at(14, 9), at(14, 11), at(14, 16), at(15, 10), at(16, 9)}

	got := relance.CadenceOf(&rule, days, day(16), attempts, 0)
	if want := (relance.Cadence{AttemptsToday: 1, Attempts: 5, DaysLeft: 3, Behind: true}); got != want {
		t.Errorf("Wednesday = %+v, want %+v", got, want)
	}
	if got := relance.CadenceOf(&rule, days, day(15), attempts, 0); got.Behind || got.DaysLeft != 4 {
		t.Errorf("Tuesday = %+v: Monday had its three calls", got)
	}
	if got := relance.CadenceOf(&rule, days, day(16), attempts, 1); got.Behind {
		t.Errorf("a reached customer is not behind: %+v", got)
	}
	if got := relance.CadenceOf(&rule, days, day(21), attempts, 0); got.DaysLeft != 0 || !got.Behind {
		t.Errorf("after the cadence = %+v", got)
	}
	short := relance.Call{Outcome: relance.CallAnswered, Duration: 30 * time.Second}
	long := relance.Call{Outcome: relance.CallAnswered, Duration: 31 * time.Second}
	voicemail := relance.Call{Outcome: relance.CallVoicemail, Duration: time.Minute}
	if rule.Successful(&short) || !rule.Successful(&long) || rule.Successful(&voicemail) {
		t.Error("a successful touch is an answered call longer than 30 s")
	}
}

func TestStandingOn(t *testing.T) {
	day := func(d int) relance.Day {
		start := time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC)
		return relance.Day{Start: start, End: start.AddDate(0, 0, 1)}
	}
	at := func(d, h int, ok bool) relance.CallAt {
		return relance.CallAt{At: time.Date(2026, 12, d, h, 0, 0, 0, time.UTC), Successful: ok}
	}
	rule := relance.DefaultCadence()
	days := []relance.Day{day(14), day(15), day(16)}
	calls := []relance.CallAt{at(14, 9, false), at(15, 9, false), at(15, 10, true)}
	for _, tc := range []struct {
		day  int
		want relance.Standing
	}{
		{14, relance.Standing{InCadence: true, Attempts: 1}},
		{15, relance.Standing{InCadence: true, Attempts: 2, Touches: 1, Behind: true}},
		{16, relance.Standing{}}, // reached on the 15th
		{17, relance.Standing{}}, // not a cadence day
	} {
		if got := relance.StandingOn(&rule, days, day(tc.day), calls); got != tc.want {
			t.Errorf("day %d = %+v, want %+v", tc.day, got, tc.want)
		}
	}
	var row relance.ComplianceRow
	row.Add(&rule, relance.Standing{InCadence: true, Behind: true})
	row.Add(&rule, relance.Standing{InCadence: true, Attempts: 3, Touches: 1})
	row.Add(&rule, relance.Standing{})
	if want := (relance.ComplianceRow{InCadence: 2, NoAttempt: 1, Attempts: 3, Quota: 6, Touches: 1, Behind: 1}); row != want {
		t.Errorf("row = %+v, want %+v", row, want)
	}
}
