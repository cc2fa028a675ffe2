package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// addAdvisors adds n advisors of Lyon to w.
func addAdvisors(t *testing.T, db *postgres.DB, w *testenv.World, n int) []relance.User {
	t.Helper()
	out := make([]relance.User, n)
	for i := range out {
		u, err := db.CreateUser(ctx, w.As(w.Admin), relance.NewUser{Password: testenv.Password, User: relance.User{
			Email:       fmt.Sprintf("adv%d.%s@%s", i, uuid.NewString()[:8], strings.SplitN(w.Admin.Email, "@", 2)[1]),
			DisplayName: fmt.Sprintf("Advisor %d", i), Role: relance.RoleAdvisor, ManagerID: w.Manager.ID,
			SiteIDs: []uuid.UUID{w.Lyon.ID}, Locale: relance.LocaleEN, Notifications: relance.Notifications{Email: true, InApp: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = u
	}
	return out
}

func newRule(t *testing.T, db *postgres.DB, w *testenv.World, r relance.DistributionRule) relance.DistributionRule {
	t.Helper()
	r, err := db.CreateDistributionRule(ctx, w.As(w.Admin), r)
	if err != nil {
		t.Fatalf("create rule: %v", err)
	}
	return r
}

func away(t *testing.T, db *postgres.DB, w *testenv.World, u relance.User, from, to time.Time) {
	t.Helper()
	if _, err := db.AddAbsence(ctx, w.As(w.Admin), relance.Absence{UserID: u.ID, StartsAt: from, EndsAt: to}); err != nil {
		t.Fatal(err)
	}
}

// ownerQuery reads, as the schema owner (no row-level security), one integer.
func ownerInt(t *testing.T, ownerURL, sql string, args ...any) int {
	t.Helper()
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// createConcurrently creates n leads in Lyon from clients goroutines, spread over dbs (standing
// for separate API processes), and returns how many each advisor received.
func createConcurrently(t *testing.T, w *testenv.World, dbs []*postgres.DB, clients, n int, source string) map[uuid.UUID]int {
	t.Helper()
	var next atomic.Int64
	var mu sync.Mutex
	got := map[uuid.UUID]int{}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := dbs[c%len(dbs)]
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				l, outcome, err := db.CreateLead(context.Background(), w.As(w.Admin), relance.NewLead{
					IdempotencyKey: fmt.Sprintf("rr-%s-%d", source, i), SiteID: w.Lyon.ID, Source: source,
					Contact: relance.Contact{Name: fmt.Sprintf("Lead %d", i)},
				})
				if err != nil || outcome != relance.LeadCreated {
					errs <- fmt.Errorf("lead %d: outcome %v, %v", i, outcome, err)
					return
				}
				mu.Lock()
				got[l.AssigneeID]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return got
}

func TestDistributionRoundRobinExactAcrossProcesses(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	// Two pools on one database: two API processes.
	one, two := testenv.OpenURL(t, appURL), testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, one)
	extra := addAdvisors(t, one, w, 4)
	absent := extra[3]
	away(t, one, w, absent, time.Now().Add(-time.Hour), time.Now().Add(48*time.Hour))
	eligible := []relance.User{w.Alice, w.Bob, extra[0], extra[1], extra[2]}
	rule := newRule(t, one, w, relance.DistributionRule{Strategy: relance.StrategyRoundRobin})

	got := createConcurrently(t, w, []*postgres.DB{one, two}, 16, 100, "website")
	for _, u := range eligible {
		if got[u.ID] != 20 {
			t.Fatalf("%s got %d leads, want exactly 20 (all: %v)", u.DisplayName, got[u.ID], got)
		}
	}
	if got[absent.ID] != 0 || got[uuid.Nil] != 0 || len(got) != 5 {
		t.Fatalf("absent advisor or nobody got leads: %v", got)
	}
	// In the same transactions: each assignment's alert timer and ladder, and the audit's rule.
	if n := ownerInt(t, ownerURL, `SELECT count(*) FROM timers WHERE kind = 'lead.assigned'`); n != 100 {
		t.Fatalf("assignment timers = %d, want 100", n)
	}
	if n := ownerInt(t, ownerURL, `SELECT count(*) FROM leads WHERE assignee_id IS NOT NULL AND assigned_at IS NOT NULL`); n != 100 {
		t.Fatalf("assigned leads = %d, want 100", n)
	}
	if n := ownerInt(t, ownerURL, `SELECT count(*) FROM audit_log WHERE action = 'lead.distribute' AND details->>'rule' = $1
		AND details->>'strategy' = 'round_robin' AND details ? 'assignee'`, rule.ID.String()); n != 100 {
		t.Fatalf("audited distributions = %d, want 100", n)
	}
	if n := ownerInt(t, ownerURL, `SELECT rr_turn FROM distribution_rules WHERE id = $1`, rule.ID); n != 100 {
		t.Fatalf("rule turn = %d, want 100", n)
	}
}

func TestDistributionLeastLoadedEqualises(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	one, two := testenv.OpenURL(t, appURL), testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, one)
	carl := addAdvisors(t, one, w, 1)[0]
	for range 6 {
		w.Lead(t, "Alice's", w.Alice.ID)
	}
	w.Lead(t, "Carl's", carl.ID)
	// A closed lead is no load.
	closed := w.Lead(t, "Bob's won", w.Bob.ID)
	won := relance.StageWon
	if _, err := one.UpdateLead(ctx, w.As(w.Admin), closed.ID, relance.LeadChange{Stage: &won}); err != nil {
		t.Fatal(err)
	}
	newRule(t, one, w, relance.DistributionRule{Strategy: relance.StrategyLeastLoaded, SiteID: w.Lyon.ID})

	// 6 + 0 + 1 open, and 11 more: 6 each, Alice none.
	got := createConcurrently(t, w, []*postgres.DB{one, two}, 16, 11, "website")
	if got[w.Alice.ID] != 0 || got[w.Bob.ID] != 6 || got[carl.ID] != 5 {
		t.Fatalf("least-loaded gave alice %d, bob %d, carl %d; want 0, 6, 5", got[w.Alice.ID], got[w.Bob.ID], got[carl.ID])
	}
}

func TestDistributionNobodyEligibleTellsTheManagers(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	rec, out := &recorder{}, &sender{}
	db := testenv.OpenURL(t, appURL, postgres.WithScheduler(rec), postgres.WithSender(out))
	w := testenv.NewWorld(t, db)
	away(t, db, w, w.Alice, time.Now().Add(-time.Hour), time.Now().Add(3*time.Hour))
	w.Lead(t, "Bob's", w.Bob.ID)
	rule := newRule(t, db, w, relance.DistributionRule{Strategy: relance.StrategyRoundRobin, SiteID: w.Lyon.ID, MaxOpenLeads: 1})

	lead := w.Lead(t, "Nobody's", uuid.Nil)
	if lead.AssigneeID != uuid.Nil {
		t.Fatalf("lead went to %v; want nobody", lead.AssigneeID)
	}
	fireAll(t, db, rec)
	alerts, err := db.ListAlerts(ctx, w.As(w.Manager), true, 10)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != relance.AlertLeadUnassigned || alerts[0].LeadID != lead.ID {
		t.Fatalf("manager alerts = %+v, %v", alerts, err)
	}
	var mail *relance.Message
	for i, m := range out.sent {
		if m.To == w.Manager.Email && m.Channel == relance.ChannelEmail {
			mail = &out.sent[i]
		}
	}
	// The manager reads French; Alice is away, Bob at the cap.
	if mail == nil || mail.Subject != "Lead non attribué : Nobody's (Lyon)" ||
		!strings.Contains(mail.Text, "aucun conseiller n'est disponible") ||
		!strings.Contains(mail.Text, "- alice : absent(e) jusqu'au ") ||
		!strings.Contains(mail.Text, "- bob : 1 leads ouverts, le plafond est de 1") {
		t.Fatalf("manager email = %+v", mail)
	}
	for _, m := range out.sent {
		if (m.To == w.Alice.Email || m.To == w.Bob.Email) && strings.Contains(m.Subject, "Nobody's") {
			t.Fatalf("an advisor was given the lead: %+v", m)
		}
	}
	var details map[string]any
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var raw []byte
	if err := conn.QueryRow(ctx, `SELECT details FROM audit_log WHERE action = 'lead.distribute' AND subject_id = $1`, lead.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &details); err != nil || details["rule"] != rule.ID.String() || details["unassigned"] != "all_excluded" {
		t.Fatalf("audit = %s", raw)
	}
	if n := ownerInt(t, ownerURL, `SELECT count(*) FROM timers WHERE kind = 'lead.reminder' AND subject_id = $1`, lead.ID); n != 0 {
		t.Fatalf("an unassigned lead has %d reminder timers", n)
	}
}

func TestDistributionMostSpecificRuleWins(t *testing.T) {
	t.Parallel()
	rec, out := &recorder{}, &sender{}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out))
	w := testenv.NewWorld(t, db)
	newRule(t, db, w, relance.DistributionRule{Strategy: relance.StrategyManager})
	newRule(t, db, w, relance.DistributionRule{Strategy: relance.StrategyFixed, FixedAdvisorID: w.Alice.ID, Source: "partner"})
	newRule(t, db, w, relance.DistributionRule{Strategy: relance.StrategyFixed, FixedAdvisorID: w.Bob.ID, Source: "partner", SiteID: w.Lyon.ID})
	create := func(site uuid.UUID, source string) relance.Lead {
		l, _, err := db.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
			IdempotencyKey: uuid.NewString(), SiteID: site, Source: source, Contact: relance.Contact{Name: source},
		})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if l := create(w.Lyon.ID, "partner"); l.AssigneeID != w.Bob.ID {
		t.Fatalf("site+source rule: %v, want bob", l.AssigneeID)
	}
	// Alice does not work in Paris: the source rule's fixed advisor is not eligible there.
	if l := create(w.Paris.ID, "partner"); l.AssigneeID != uuid.Nil {
		t.Fatalf("source rule elsewhere: %v, want nobody", l.AssigneeID)
	}
	if l := create(w.Lyon.ID, "website"); l.AssigneeID != uuid.Nil {
		t.Fatalf("organisation rule: %v, want nobody", l.AssigneeID)
	}
	// The assignment alert and the ladder start as with a hand assignment.
	fireAll(t, db, rec)
	alerts, err := db.ListAlerts(ctx, w.As(w.Bob), true, 10)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != "lead.assigned" {
		t.Fatalf("bob's alerts = %+v, %v", alerts, err)
	}
	alerts, _ = db.ListAlerts(ctx, w.As(w.Manager), true, 10)
	if len(alerts) != 1 || alerts[0].Kind != relance.AlertLeadUnassigned {
		t.Fatalf("Lyon manager's alerts = %+v (one for the organisation rule's lead)", alerts)
	}
}

func TestDistributionCalendarOpensSoonEnough(t *testing.T) {
	t.Parallel()
	// Saturday 2026-03-07, 12:00 in Lyon: the site opens Monday at 09:00.
	clock := testenv.NewWorkers(time.Date(2026, 3, 7, 11, 0, 0, 0, time.UTC))
	db := testenv.Open(t, clock.Options()...)
	w := testenv.NewWorld(t, db)
	paris, _ := time.LoadLocation("Europe/Paris")
	// Alice is off Monday morning: her own calendar opens at 11:00, two business hours late.
	away(t, db, w, w.Alice, time.Date(2026, 3, 9, 0, 0, 0, 0, paris), time.Date(2026, 3, 9, 11, 0, 0, 0, paris))
	within := 30 * time.Minute
	newRule(t, db, w, relance.DistributionRule{Strategy: relance.StrategyRoundRobin, CalendarWithin: &within})
	for i := range 3 {
		if l := w.Lead(t, fmt.Sprint("weekend ", i), uuid.Nil); l.AssigneeID != w.Bob.ID {
			t.Fatalf("lead %d went to %v, want bob (alice opens too late)", i, l.AssigneeID)
		}
	}
	// Monday 11:00: both open.
	clock.Set(time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC))
	got := map[uuid.UUID]int{}
	for i := range 4 {
		got[w.Lead(t, fmt.Sprint("monday ", i), uuid.Nil).AssigneeID]++
	}
	if got[w.Alice.ID] != 2 || got[w.Bob.ID] != 2 {
		t.Fatalf("monday: %v, want 2 each", got)
	}
}

func TestDistributionLeadTimerMovesAnUnansweredLead(t *testing.T) {
	t.Parallel()
	// Monday 2026-03-09, 10:00 in Lyon (open 09:00–19:00).
	clock := testenv.NewWorkers(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC))
	appURL, ownerURL := testenv.Database(t)
	db := testenv.OpenURL(t, appURL, clock.Options()...)
	w := testenv.NewWorld(t, db)
	after := 15 * time.Minute
	rule := newRule(t, db, w, relance.DistributionRule{Strategy: relance.StrategyRoundRobin, SiteID: w.Lyon.ID, MoveAfter: &after, MaxMoves: 1})

	lead := w.Lead(t, "Unanswered", uuid.Nil)
	answered := w.Lead(t, "Answered", uuid.Nil)
	first, other := lead.AssigneeID, answered.AssigneeID
	if first == uuid.Nil || other == uuid.Nil || first == other {
		t.Fatalf("round-robin gave %v and %v", first, other)
	}
	if _, _, err := db.RecordActivity(ctx, relance.Principal{OrgID: w.Org.ID, Role: relance.RoleAdvisor, UserID: other, SiteIDs: []uuid.UUID{w.Lyon.ID}},
		relance.NewActivity{LeadID: answered.ID, Kind: relance.KindCall, State: relance.ActivityDone}); err != nil {
		t.Fatal(err)
	}
	clock.FireDue(t, db, 2)
	alertsOf := func(u uuid.UUID, kind relance.AlertKind) int {
		p := relance.Principal{OrgID: w.Org.ID, Role: relance.RoleAdvisor, UserID: u}
		as, err := db.ListAlerts(ctx, p, false, 50)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range as {
			if a.Kind == kind && a.LeadID == lead.ID {
				n++
			}
		}
		return n
	}

	// 14 business minutes: nothing yet.
	clock.Set(time.Date(2026, 3, 9, 9, 14, 0, 0, time.UTC))
	clock.FireDue(t, db, 2)
	if l, _ := db.GetLead(ctx, w.As(w.Admin), lead.ID); l.AssigneeID != first {
		t.Fatalf("moved early to %v", l.AssigneeID)
	}
	// 15: it moves to the other advisor, who is alerted as for any assignment; the former one
	// and the manager are told.
	clock.Set(time.Date(2026, 3, 9, 9, 15, 0, 0, time.UTC))
	clock.FireDue(t, db, 2)
	if l, _ := db.GetLead(ctx, w.As(w.Admin), lead.ID); l.AssigneeID != other {
		t.Fatalf("after the timer: with %v, want %v", l.AssigneeID, other)
	}
	if alertsOf(other, "lead.assigned") != 1 || alertsOf(first, relance.AlertLeadMoved) != 1 || alertsOf(w.Manager.ID, relance.AlertLeadMoved) != 1 {
		t.Fatalf("alerts: new %d assigned, former %d moved, manager %d moved", alertsOf(other, "lead.assigned"),
			alertsOf(first, relance.AlertLeadMoved), alertsOf(w.Manager.ID, relance.AlertLeadMoved))
	}
	// The answered lead stays where it is.
	if l, _ := db.GetLead(ctx, w.As(w.Admin), answered.ID); l.AssigneeID != other {
		t.Fatalf("an answered lead moved to %v", l.AssigneeID)
	}
	// One move allowed: 15 more minutes and it is the manager's to handle; it stays put.
	clock.Set(time.Date(2026, 3, 9, 9, 30, 0, 0, time.UTC))
	clock.FireDue(t, db, 2)
	if l, _ := db.GetLead(ctx, w.As(w.Admin), lead.ID); l.AssigneeID != other {
		t.Fatalf("after the last move: with %v, want %v", l.AssigneeID, other)
	}
	if alertsOf(w.Manager.ID, relance.AlertLeadMoved) != 2 || alertsOf(other, relance.AlertLeadMoved) != 0 {
		t.Fatalf("final: manager %d moved alerts (want 2), advisor %d (want 0)", alertsOf(w.Manager.ID, relance.AlertLeadMoved), alertsOf(other, relance.AlertLeadMoved))
	}
	var final bool
	for _, m := range clock.Sent(relance.ChannelEmail) {
		final = final || (m.To == w.Manager.Email && strings.HasPrefix(m.Subject, "Lead toujours sans réponse : Unanswered"))
	}
	if !final {
		t.Fatal("the manager got no final email")
	}
	if n := ownerInt(t, ownerURL, `SELECT count(*) FROM audit_log WHERE action = 'lead.move' AND subject_id = $1 AND details->>'rule' = $2`, lead.ID, rule.ID.String()); n != 2 {
		t.Fatalf("audited moves = %d, want 2", n)
	}
	// Nothing more is pending for the lead's moves.
	clock.Set(time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC))
	clock.FireDue(t, db, 2)
	if alertsOf(w.Manager.ID, relance.AlertLeadMoved) != 2 {
		t.Fatal("the lead timer fired again")
	}
}
