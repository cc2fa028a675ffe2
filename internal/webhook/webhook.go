// Package webhook holds the rules of outgoing webhooks by the Standard Webhooks specification
// (https://www.standardwebhooks.com): the event types, filters, secrets, signatures, the retry
// schedule, how an answer is judged and which target addresses are refused. Plain Go, no I/O.
package webhook

import (
	"slices"
	"strings"
)

// The event types, in one place. A new event is one more line here and one emit call where the
// change happens.
const (
	LeadCreated       = "lead.created"
	LeadAssigned      = "lead.assigned"
	LeadFirstResponse = "lead.first_response"
	LeadRepeat        = "lead.repeat"
	LeadStageChanged  = "lead.stage_changed"
	LeadStatusChanged = "lead.status_changed"
	CallRecorded      = "call.recorded"
	ActionCompleted   = "action.completed"
	// Test is sent on demand by an admin to check an endpoint; it ignores the endpoint's filter.
	Test = "webhook.test"
)

// EventTypes lists the event types an endpoint may subscribe to, in documentation order.
var EventTypes = []string{
	LeadCreated, LeadAssigned, LeadFirstResponse, LeadRepeat, LeadStageChanged, LeadStatusChanged,
	CallRecorded, ActionCompleted,
}

// KnownType reports whether t is one of EventTypes.
func KnownType(t string) bool { return slices.Contains(EventTypes, t) }

// ValidFilter reports whether f is a usable filter entry: an event type, "*", or a prefix
// wildcard such as "lead.*" that matches at least one event type.
func ValidFilter(f string) bool {
	if f == "*" || KnownType(f) {
		return true
	}
	prefix, ok := strings.CutSuffix(f, ".*")
	if !ok || prefix == "" || strings.Contains(prefix, "*") {
		return false
	}
	for _, t := range EventTypes {
		if strings.HasPrefix(t, prefix+".") {
			return true
		}
	}
	return false
}

// Matches reports whether an endpoint with filter receives events of type t. An empty filter
// receives everything; "*" matches every type; "lead.*" matches every type under "lead.".
// The test event reaches every endpoint.
func Matches(filter []string, t string) bool {
	if len(filter) == 0 || t == Test {
		return true
	}
	for _, f := range filter {
		switch {
		case f == "*", f == t:
			return true
		case strings.HasSuffix(f, ".*") && strings.HasPrefix(t, strings.TrimSuffix(f, "*")):
			return true
		}
	}
	return false
}
