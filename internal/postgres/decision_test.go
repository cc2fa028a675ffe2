package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func TestLeadForAnAdvisorAwayAsksTheManager(t *testing.T) {
	t.Parallel()
	rec, out := &recorder{}, &sender{}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out))
	w := testenv.NewWorld(t, db)
	away := func(u relance.User, d time.Duration) {
		if _, err := db.AddAbsence(ctx, w.As(w.Admin), relance.Absence{UserID: u.ID, StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(d)}); err != nil {
			t.Fatal(err)
		}
	}
	away(w.Alice, 72*time.Hour)
	away(w.Bob, 12*time.Hour) // back tomorrow: no question

	w.Lead(t, "For Bob", w.Bob.ID)
	first := w.Lead(t, "Jean Absent", w.Alice.ID)
	second := w.Lead(t, "Ana Absent", w.Alice.ID)
	fireAll(t, db, rec)

	pending, err := db.PendingDecisions(ctx, w.As(w.Manager))
	if err != nil || len(pending) != 2 || pending[0].LeadID != first.ID || pending[0].AdvisorID != w.Alice.ID {
		t.Fatalf("pending decisions = %+v (%v)", pending, err)
	}
	var asked []string
	for _, m := range out.sent {
		if m.To == w.Manager.Email {
			asked = append(asked, m.Subject)
		}
	}
	if len(asked) != 2 || !strings.HasPrefix(asked[0], "À décider : Jean Absent attribué à alice") {
		t.Fatalf("manager emails = %q", asked)
	}
	alerts, _ := db.ListAlerts(ctx, w.As(w.Manager), true, 10)
	if len(alerts) != 2 || alerts[0].Kind != "decision.needed" {
		t.Fatalf("manager alerts = %+v", alerts)
	}
	if mine, _ := db.PendingDecisions(ctx, w.As(w.Bob)); len(mine) != 0 {
		t.Fatalf("bob has decisions: %+v", mine)
	}

	// Only the manager asked (or an admin) answers.
	_, _, err = db.ResolveDecision(ctx, w.As(w.Bob), pending[0].ID, uuid.Nil)
	wantCode(t, err, relance.CodeNotFound)
	dec, lead, err := db.ResolveDecision(ctx, w.As(w.Manager), pending[0].ID, w.Bob.ID)
	if err != nil || dec.State != relance.DecisionReassigned || lead.AssigneeID != w.Bob.ID {
		t.Fatalf("reassign: %+v %v (%v)", dec, lead.AssigneeID, err)
	}
	_, _, err = db.ResolveDecision(ctx, w.As(w.Manager), pending[0].ID, uuid.Nil)
	wantCode(t, err, relance.CodeFailedPrecondition)
	fireAll(t, db, rec)
	bobAlerted := false
	for _, m := range out.sent {
		bobAlerted = bobAlerted || (m.To == w.Bob.Email && strings.Contains(m.Subject, "Jean Absent"))
	}
	if !bobAlerted {
		t.Fatal("the new advisor was not alerted")
	}

	dec, lead, err = db.ResolveDecision(ctx, w.As(w.Manager), pending[1].ID, uuid.Nil)
	if err != nil || dec.State != relance.DecisionKept || lead.AssigneeID != w.Alice.ID || lead.ID != second.ID {
		t.Fatalf("keep: %+v (%v)", dec, err)
	}
	if left, _ := db.PendingDecisions(ctx, w.As(w.Manager)); len(left) != 0 {
		t.Fatalf("still pending: %+v", left)
	}

	// A question lapses when the lead is reassigned by other means.
	third := w.Lead(t, "Luc Absent", w.Alice.ID)
	if _, err := db.AssignLead(ctx, w.As(w.Manager), third.ID, w.Bob.ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := db.PendingDecisions(ctx, w.As(w.Manager)); len(left) != 0 {
		t.Fatalf("a lapsed question is still pending: %+v", left)
	}
}
