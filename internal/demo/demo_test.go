package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/demo"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func TestSeedCreatesTheDemoOnceAndRotatesTheKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Open(t)
	first, err := demo.Seed(ctx, db, time.Now())
	if err != nil || !first.Created || first.APIKey == "" || first.AdminToken == "" {
		t.Fatalf("first seed = %+v, %v", first, err)
	}
	second, err := demo.Seed(ctx, db, time.Now())
	if err != nil || second.Created || second.APIKey == first.APIKey {
		t.Fatalf("second seed = %+v, %v", second, err)
	}
	admin, err := db.Authenticate(ctx, second.AdminToken)
	if err != nil {
		t.Fatal(err)
	}
	statuses, err := db.ListStatuses(ctx, admin, false)
	if err != nil || len(statuses) != 5 {
		t.Fatalf("statuses = %+v, %v", statuses, err)
	}
	calls, _, _, err := db.ListScheduledCalls(ctx, admin, relance.ScheduledCallFilter{})
	if err != nil || len(calls) != 4 {
		t.Fatalf("scheduled calls = %+v, %v", calls, err)
	}
	// Answered leads with a phone had a missed attempt, then a conversation; the one rejected
	// after two calls is an improper closure.
	improper, _, err := db.ListLeads(ctx, admin, relance.LeadFilter{ImproperOnly: true})
	if err != nil || len(improper) != 1 || improper[0].Contact.Name != "Marc Leroy" || improper[0].CallAttempts != 2 ||
		improper[0].SuccessfulTouches != 1 {
		t.Fatalf("improper closures = %+v, %v", improper, err)
	}
}
