package relance

import (
	"fmt"
	"time"
)

// DefaultBackdateWindow is how far in the past an instant a client reports (a lead's receipt, a
// call's start) may lie by default: a partner replaying a week of leads is fine, one dated 1900
// would wreck every response-time figure.
const DefaultBackdateWindow = 90 * 24 * time.Hour

// ClockSkew is how far ahead of the server's clock a client's instant may be: clocks differ a
// little, the future never comes from a real event.
const ClockSkew = 5 * time.Minute

// CheckReported checks an instant a client reports for field: at most window before now
// (DefaultBackdateWindow when window is 0), at most ClockSkew after it. It returns an
// invalid-input error naming field.
func CheckReported(field string, at, now time.Time, window time.Duration) error {
	if window <= 0 {
		window = DefaultBackdateWindow
	}
	switch {
	case at.After(now.Add(ClockSkew)):
		return Invalid(field, "must not be in the future")
	case at.Before(now.Add(-window)):
		return Invalid(field, fmt.Sprintf("must not be more than %s in the past", days(window)))
	}
	return nil
}

// days writes a window in days when it is whole days, as it is configured.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	return d.String()
}
