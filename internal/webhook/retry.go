package webhook

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Schedule is the specification's retry schedule: the wait before each attempt, the first
// being immediate. After the last attempt fails, the message has failed.
var Schedule = []time.Duration{
	0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 10 * time.Hour,
}

// MaxAttempts is how often a message is tried.
var MaxAttempts = len(Schedule)

// MaxRetryAfter caps how long an endpoint's Retry-After may hold a message back.
const MaxRetryAfter = 10 * time.Hour

// DisableAfter is how long an endpoint may fail every attempt before it is disabled.
const DisableAfter = 5 * 24 * time.Hour

// NextDelay returns the wait before attempt+1 after attempt (1-based) failed, and false when no
// attempt is left. jitter in [0, 1) spreads retries by up to ±10 % so that endpoints coming back
// are not hit by every message at once. A Retry-After the endpoint asked for (0 when none) is
// honoured when longer than the schedule, capped at MaxRetryAfter.
func NextDelay(attempt int, retryAfter time.Duration, jitter float64) (time.Duration, bool) {
	if attempt < 1 {
		attempt = 1
	}
	if attempt >= len(Schedule) {
		return 0, false
	}
	d := Schedule[attempt]
	d += time.Duration((jitter*0.2 - 0.1) * float64(d))
	if retryAfter > d {
		d = min(retryAfter, MaxRetryAfter)
	}
	return d, true
}

// ParseRetryAfter reads a Retry-After header (seconds or an HTTP date) relative to now; 0 when
// absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s <= 0 {
			return 0
		}
		return min(time.Duration(s)*time.Second, MaxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}

// Outcome is what an attempt's answer means for the message.
type Outcome int

// The outcomes.
const (
	Retry     Outcome = iota // no answer, or an answer other than 2xx and 410: try again later
	Delivered                // a 2xx answer
	Gone                     // 410: the endpoint is gone; disable it
)

// Classify judges an answer's status code (0 for no answer).
func Classify(status int) Outcome {
	switch {
	case status >= 200 && status < 300:
		return Delivered
	case status == http.StatusGone:
		return Gone
	}
	return Retry
}
