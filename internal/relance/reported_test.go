package relance

import (
	"testing"
	"time"
)

func TestCheckReported(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		at     time.Time
		window time.Duration
		ok     bool
	}{
		{"now", now, 0, true},
		{"within the skew", now.Add(ClockSkew), 0, true},
		{"beyond the skew", now.Add(ClockSkew + time.Second), 0, false},
		{"89 days ago", now.AddDate(0, 0, -89), 0, true},
		{"90 days ago", now.Add(-DefaultBackdateWindow), 0, true},
		{"90 days and a second ago", now.Add(-DefaultBackdateWindow - time.Second), 0, false},
		{"1900", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 0, false},
		{"year 1", time.Time{}, 0, false},
		{"a shorter window", now.AddDate(0, 0, -8), 7 * 24 * time.Hour, false},
		{"a longer window", now.AddDate(-1, 0, 0), 400 * 24 * time.Hour, true},
	} {
		err := CheckReported("receive_time", tc.at, now, tc.window)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && (ErrorCode(err) != CodeInvalid || err.(*Error).Violations[0].Field != "receive_time") {
			t.Errorf("%s: %v does not name the field", tc.name, err)
		}
	}
	if err := CheckReported("start_time", time.Time{}, now, 7*24*time.Hour); err == nil || err.(*Error).Violations[0].Message != "must not be more than 7 days in the past" {
		t.Errorf("message: %v", err)
	}
}
