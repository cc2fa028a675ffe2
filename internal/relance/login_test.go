package relance

import (
	"testing"
	"time"
)

func TestLoginPolicyLockFor(t *testing.T) {
	p := LoginPolicy{Free: 5, First: time.Minute, Max: 15 * time.Minute}
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {4, 0},
		{5, time.Minute}, {6, 2 * time.Minute}, {7, 4 * time.Minute}, {8, 8 * time.Minute},
		{9, 15 * time.Minute}, {50, 15 * time.Minute}, {1 << 30, 15 * time.Minute},
	} {
		if got := p.LockFor(tc.failures); got != tc.want {
			t.Errorf("LockFor(%d) = %s, want %s", tc.failures, got, tc.want)
		}
	}
	if got := (LoginPolicy{Free: 1, First: time.Hour, Max: time.Minute}).LockFor(3); got != time.Minute {
		t.Errorf("a first lock above Max = %s, want Max", got)
	}
	if got := (LoginPolicy{Free: 1}).LockFor(100); got != 0 {
		t.Errorf("no lock configured = %s, want 0", got)
	}
}
