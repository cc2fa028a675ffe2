package relance

import (
	"encoding/json"
	"testing"
)

func TestChangesRecordOnlyWhatChanged(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  Changes
		want string
	}{
		{"site", SiteChanges(&Site{Name: "Lyon", Windows: []Window{{Start: 540}}}, &Site{Name: "Lyon", Windows: []Window{{Start: 600}}}),
			`{"windows":"changed"}`},
		{"lead", LeadChanges(&Lead{Stage: StageOpen, Notes: "a"}, &Lead{Stage: StageRejected, Notes: "a"}),
			`{"stage":{"from":"open","to":"rejected"}}`},
		{"action", ActionChanges(&Action{Content: "Hello", Recipients: nil}, &Action{Content: "Bonjour", Recipients: []string{}}),
			`{"content":"changed"}`},
		{"counterparty", CounterpartyChanges(&Counterparty{Category: "A"}, &Counterparty{Category: "B"}),
			`{"category":{"from":"A","to":"B"}}`},
		{"status", StatusChanges(&Status{CallAfterDays: 3}, &Status{CallAfterDays: 5}),
			`{"call_after_days":{"from":3,"to":5}}`},
		{"plan", PlanChanges(&Plan{Name: "p", Steps: make([]Step, 2)}, &Plan{Name: "p", EnrolSources: []string{}, Steps: make([]Step, 3)}),
			`{"steps":{"from":2,"to":3}}`},
		{"organization", OrganizationChanges(&Organization{DigestMinute: 540}, &Organization{DigestMinute: 480}),
			`{"digest_time":{"from":"09:00","to":"08:00"}}`},
	} {
		raw, err := json.Marshal(tc.got)
		if err != nil || string(raw) != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, raw, err, tc.want)
		}
	}
}
