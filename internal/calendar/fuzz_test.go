package calendar

import (
	"testing"
	"time"
)

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{
		"mon-fri 09:00-12:00 14:00-19:00; sat 09:00-12:00",
		"sun,wed 20:00-24:00", "sat-mon 00:00-24:00", "mon 09:00", "", ";;", "mon 23:59-24:00",
		"MON-FRI 08:30-18:00", "tue 9:00-10:00", "fri 10:00-09:00", "mon 09:00-10:00 09:30-11:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ws, err := ParseWeek(spec)
		if err != nil {
			return
		}
		again, err := ParseWeek(FormatWeek(ws))
		if err != nil {
			t.Fatalf("FormatWeek output %q does not parse: %v", FormatWeek(ws), err)
		}
		if len(again) != len(ws) {
			t.Fatalf("round trip changed %d windows into %d", len(ws), len(again))
		}
		for i := range ws {
			if ws[i] != again[i] {
				t.Fatalf("round trip changed %+v into %+v", ws[i], again[i])
			}
		}
	})
}

func FuzzOperations(f *testing.F) {
	f.Add("mon-fri 09:00-12:00 14:00-19:00", uint8(0), int64(1772818200), int64(7200), int64(86400))
	f.Add("mon-sun 00:00-24:00", uint8(1), int64(1774746000), int64(86400), int64(3600))
	f.Add("sun 02:00-03:00", uint8(2), int64(1775350800), int64(60), int64(99999))
	f.Add("sun-fri 10:00-17:00", uint8(3), int64(1772600000), int64(172800), int64(600))
	f.Fuzz(func(t *testing.T, spec string, zone uint8, at, d, span int64) {
		ws, err := ParseWeek(spec)
		if err != nil {
			return
		}
		cal, err := New(zones[int(zone)%len(zones)], ws, nil)
		if err != nil {
			return
		}
		// Keep instants within 1970–2100 and durations within 60 days.
		t0 := time.Unix(((at%4102444800)+4102444800)%4102444800, 0)
		dur := time.Duration(((d%5184000)+5184000)%5184000) * time.Second
		got, err := cal.Add(t0, dur)
		if err != nil {
			return // a calendar may run out of open time near the end of the range
		}
		if !cal.IsOpen(got) {
			t.Fatalf("Add result %s not open", got)
		}
		if b := cal.Between(t0, got); b != dur {
			t.Fatalf("Between(t, Add(t, %s)) = %s", dur, b)
		}
		end := t0.Add(time.Duration(((span%5184000)+5184000)%5184000) * time.Second)
		if b := cal.Between(t0, end); b < 0 || b > end.Sub(t0)+time.Second {
			t.Fatalf("Between(%s, %s) = %s", t0, end, b)
		}
		if _, err := cal.WorkingDayAt(t0, int(span%10+10)%10, int(d%1440+1440)%1440, MondayToFriday); err != nil && err != ErrNoOpenTime {
			t.Fatalf("WorkingDayAt: %v", err)
		}
	})
}
