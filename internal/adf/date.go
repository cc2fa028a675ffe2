package adf

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateRE reads an ISO 8601 date and time as feeds write it: "T" or a space between date and
// time, optional seconds and fraction, and an offset that may be "Z", "-08:00", "-0800", "-08",
// "-8:00" or missing.
var dateRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(.*)$`)

var offsetRE = regexp.MustCompile(`^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$`)

// ParseDate reads an ADF requestdate. It returns the instant and true when the text carries a
// usable offset; the wall clock in UTC fields and false when it has none or a malformed one
// (the caller applies the site's zone); the zero time and false when it is not a date.
func ParseDate(s string) (time.Time, bool) {
	m := dateRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	num := func(i int) int { n, _ := strconv.Atoi(m[i]); return n }
	y, mo, d, h, mi, sec := num(1), num(2), num(3), num(4), num(5), num(6)
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	if sec == 60 {
		sec = 59
	}
	wall := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if wall.Day() != d { // February 30th and the like
		return time.Time{}, false
	}
	zone := strings.TrimSpace(m[7])
	if strings.EqualFold(zone, "Z") || strings.EqualFold(zone, "UTC") || strings.EqualFold(zone, "GMT") {
		return wall, true
	}
	o := offsetRE.FindStringSubmatch(zone)
	if o == nil {
		return wall, false
	}
	oh, _ := strconv.Atoi(o[2])
	om, _ := strconv.Atoi(o[3])
	if oh > 14 || om > 59 {
		return wall, false
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	if o[1] == "-" {
		off = -off
	}
	return wall.Add(-off), true
}

// InZone returns the instant a zone-less request date (see Prospect) stands for in loc.
func InZone(wall time.Time, loc *time.Location) time.Time {
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, loc)
}
