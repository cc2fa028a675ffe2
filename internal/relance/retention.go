package relance

import "time"

// RetentionKind names a kind of finished row that retention deletes once old enough.
type RetentionKind string

// The kinds retention prunes, in the order it prunes them: deliveries before the webhook
// messages they carried, which go only once no delivery refers to them.
const (
	RetainDeliveries      RetentionKind = "deliveries"       // sent, failed or unknown; by creation
	RetainWebhookAttempts RetentionKind = "webhook_attempts" // by start
	RetainWebhookMessages RetentionKind = "webhook_messages" // with no delivery left; by creation
	RetainTimers          RetentionKind = "timers"           // done or cancelled; by last change
	RetainAlerts          RetentionKind = "alerts"           // read; by creation
	RetainAudit           RetentionKind = "audit"            // by instant
	RetainMessageCounts   RetentionKind = "message_counts"   // by day
)

// RetentionKinds lists every kind, in pruning order.
var RetentionKinds = []RetentionKind{
	RetainDeliveries, RetainWebhookAttempts, RetainWebhookMessages, RetainTimers, RetainAlerts,
	RetainAudit, RetainMessageCounts,
}

// Retention is how many days each kind of row is kept; a kind absent or at 0 is kept forever.
type Retention map[RetentionKind]int

// Cutoff is the instant before which rows of Kind go.
type Cutoff struct {
	Kind   RetentionKind
	Before time.Time
}

// Cutoffs returns, in pruning order, the instant before which each kind kept for a number of
// days goes, as of now.
func (r Retention) Cutoffs(now time.Time) []Cutoff {
	var out []Cutoff
	for _, k := range RetentionKinds {
		if days := r[k]; days > 0 {
			out = append(out, Cutoff{Kind: k, Before: now.AddDate(0, 0, -days)})
		}
	}
	return out
}
