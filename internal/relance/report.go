package relance

import (
	"time"

	"github.com/google/uuid"
)

// ReportFilter narrows a report to some leads; zero fields do not filter.
type ReportFilter struct {
	SiteID      uuid.UUID
	AdvisorID   uuid.UUID
	Source      string
	SourceGroup string
	Category    string
	UnitID      uuid.UUID // leads whose advisor is in this unit at the lead's site
}

// Grouping says what the rows of a response-time report are.
type Grouping string

// The groupings; the empty one gives a single row.
const (
	ByAdvisor     Grouping = "advisor"
	BySite        Grouping = "site"
	BySource      Grouping = "source"
	BySourceGroup Grouping = "source_group"
	ByUnit        Grouping = "unit" // the advisor's unit at the lead's site; nil key for none
)

// Bucket is a range of response times, From included, To excluded (0: no end).
type Bucket struct{ From, To time.Duration }

// DefaultBuckets are the ranges of a report that sets none.
func DefaultBuckets() []Bucket {
	return []Bucket{
		{0, time.Hour}, {time.Hour, 6 * time.Hour}, {6 * time.Hour, 24 * time.Hour},
		{24 * time.Hour, 72 * time.Hour}, {72 * time.Hour, 0},
	}
}

// MaxBuckets bounds the buckets of a report.
const MaxBuckets = 5

// ResponseTimeQuery selects a response-time report: leads received in [From, To).
type ResponseTimeQuery struct {
	From, To time.Time
	Filter   ReportFilter
	GroupBy  Grouping
	Window   time.Duration // the report's target; 1 h when 0
	Buckets  []Bucket      // DefaultBuckets when empty
}

// Normalize fills in the defaults and checks the buckets, naming the field at fault.
func (q *ResponseTimeQuery) Normalize() error {
	if q.Window <= 0 {
		q.Window = time.Hour
	}
	if len(q.Buckets) == 0 {
		q.Buckets = DefaultBuckets()
	}
	if len(q.Buckets) > MaxBuckets {
		return Invalid("buckets", "at most 5")
	}
	for _, b := range q.Buckets {
		if b.From < 0 || (b.To != 0 && b.To <= b.From) {
			return Invalid("buckets", "each bucket must end after it starts")
		}
	}
	return nil
}

// ResponseTimeRow is one group of a response-time report.
type ResponseTimeRow struct {
	Key          string // the advisor's or site's id, the source or source group; "" for all
	Label        string
	Received     int
	Answered     int
	Average      time.Duration // of the answered leads
	Median       time.Duration
	Within24h    int
	WithinWindow int
	Buckets      []int
}

// Unanswered is how many leads received have no response (yet).
func (r *ResponseTimeRow) Unanswered() int { return r.Received - r.Answered }

// Percent is n as a percentage of the leads received (0 without any).
func (r *ResponseTimeRow) Percent(n int) float64 {
	if r.Received == 0 {
		return 0
	}
	return 100 * float64(n) / float64(r.Received)
}

// ResponseTimeReport is a response-time report: its rows, the total, the buckets counted.
type ResponseTimeReport struct {
	Rows    []ResponseTimeRow
	Total   ResponseTimeRow
	Buckets []Bucket
}

// Dashboard is the response-time widget's figures over a recent period.
type Dashboard struct {
	Received int           // leads received in the period
	Answered int           // leads first answered in the period
	Average  time.Duration // their average response time
	Waiting  int           // open leads received in the period, not answered yet
	Repeats  int           // repeat inquiries received in the period (not leads)
}

// AdvisorFigures is one advisor's line of the advisor report.
type AdvisorFigures struct {
	AdvisorID        uuid.UUID
	AdvisorName      string
	Open, Late       int // now
	Reminders        int // sent to them in the period
	ImproperClosures int // leads they rejected improperly in the period
}

// LeadResponse is one lead of a response-time export.
type LeadResponse struct {
	Lead        Lead
	SiteName    string
	AdvisorName string
	UnitID      uuid.UUID // the advisor's unit at the lead's site; uuid.Nil for none
	UnitName    string
}

// LeadResponseCursor is where a page of a response-time report's leads ends: the last lead's
// receipt time and id.
type LeadResponseCursor struct {
	ReceivedAt time.Time
	ID         uuid.UUID
}
