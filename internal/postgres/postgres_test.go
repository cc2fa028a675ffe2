package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

var ctx = context.Background()

func wantCode(t *testing.T, err error, code relance.Code) {
	t.Helper()
	if got := relance.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	a, b := testenv.NewWorld(t, db), testenv.NewWorld(t, db)
	lead := a.Lead(t, "Jean", a.Alice.ID)

	_, err := db.GetLead(ctx, b.As(b.Admin), lead.ID)
	wantCode(t, err, relance.CodeNotFound)
	_, err = db.AssignLead(ctx, b.As(b.Admin), lead.ID, b.Alice.ID)
	wantCode(t, err, relance.CodeNotFound)
	_, _, err = db.RecordActivity(ctx, b.As(b.Admin), relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall})
	wantCode(t, err, relance.CodeNotFound)
	leads, _, err := db.ListLeads(ctx, b.As(b.Admin), relance.LeadFilter{})
	if err != nil || len(leads) != 0 {
		t.Fatalf("tenant B lists %d leads (%v), want 0", len(leads), err)
	}
	// Another tenant's assignee cannot receive a lead either.
	_, err = db.AssignLead(ctx, a.As(a.Admin), lead.ID, b.Alice.ID)
	wantCode(t, err, relance.CodeInvalid)
	// A site of another tenant does not exist for this one.
	_, _, err = db.CreateLead(ctx, a.As(a.Admin), relance.NewLead{IdempotencyKey: "x", SiteID: b.Lyon.ID, Source: "web",
		Contact: relance.Contact{Name: "X", Phone: "+33600000000"}})
	wantCode(t, err, relance.CodeNotFound)
}

func TestApplicationRoleIsConfinedByRLS(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, db)
	w.Lead(t, "Jean", uuid.Nil)

	conn, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM leads").Scan(&n); err != nil || n != 0 {
		t.Fatalf("without a tenant the app role sees %d leads (%v), want 0", n, err)
	}
	var bypass, super bool
	if err := conn.QueryRow(ctx, "SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&bypass, &super); err != nil {
		t.Fatal(err)
	}
	if bypass || super {
		t.Fatal("the application role bypasses row-level security")
	}
	var owned int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tableowner = current_user").Scan(&owned); err != nil || owned != 0 {
		t.Fatalf("the application role owns %d tables (%v), want 0", owned, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", w.Org.ID.String()); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM leads").Scan(&n); err != nil || n != 1 {
		t.Fatalf("with its tenant set the app role sees %d leads (%v), want 1", n, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO organizations (id, name, created_at) VALUES ($1, 'x', now())", uuid.New()); err == nil {
		t.Fatal("inserted a row for another tenant")
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, db)
	conn, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, _ := conn.Begin(ctx)
	defer tx.Rollback(ctx)
	_, _ = tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", w.Org.ID.String())
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM audit_log").Scan(&n); err != nil || n == 0 {
		t.Fatalf("audit log has %d rows (%v), want the world's creation", n, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_log SET action = 'x'"); err == nil {
		t.Fatal("the app role updated the audit log")
	}
}

func TestCreateLeadIsIdempotent(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	in := relance.NewLead{IdempotencyKey: "form-42", SiteID: w.Lyon.ID, Source: "web", Contact: relance.Contact{Name: "Jean", Phone: "+33612345678"}}

	var wg sync.WaitGroup
	ids := make(chan uuid.UUID, 10)
	createdCount := make(chan bool, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, created, err := db.CreateLead(ctx, w.As(w.Admin), in)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- l.ID
			createdCount <- created == relance.LeadCreated
		}()
	}
	wg.Wait()
	close(ids)
	close(createdCount)
	first := <-ids
	for id := range ids {
		if id != first {
			t.Fatalf("concurrent retries made two leads: %s and %s", first, id)
		}
	}
	n := 0
	for c := range createdCount {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d calls report created, want exactly 1", n)
	}

	ext := relance.NewLead{ExternalID: "crm-7", SiteID: w.Lyon.ID, Source: "crm", Contact: relance.Contact{Name: "Ana", Email: "ana@example.com"}}
	l1, c1, err := db.CreateLead(ctx, w.As(w.Admin), ext)
	if err != nil || c1 != relance.LeadCreated {
		t.Fatal(err)
	}
	ext.IdempotencyKey = "another-key" // a retry with a new key but the same external id
	l2, c2, err := db.CreateLead(ctx, w.As(w.Admin), ext)
	if err != nil || c2 != relance.LeadReplayed || l2.ID != l1.ID {
		t.Fatalf("external id retry: created=%v id=%s want %s (%v)", c2, l2.ID, l1.ID, err)
	}
	all, _, _ := db.ListLeads(ctx, w.As(w.Admin), relance.LeadFilter{})
	if len(all) != 2 {
		t.Fatalf("%d leads, want 2", len(all))
	}
}

func TestLeadVisibilityByRole(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	forAlice := w.Lead(t, "for alice", w.Alice.ID)
	forBob := w.Lead(t, "for bob", w.Bob.ID)
	inParis, _, err := db.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
		IdempotencyKey: "p", SiteID: w.Paris.ID, Source: "web", Contact: relance.Contact{Name: "Paris", Phone: "+33600000009"}, AssigneeID: w.Pauline.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(p relance.Principal) int {
		leads, _, err := db.ListLeads(ctx, p, relance.LeadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(leads)
	}
	if n := count(w.As(w.Alice)); n != 1 {
		t.Errorf("alice lists %d leads, want 1", n)
	}
	if n := count(w.As(w.Manager)); n != 2 {
		t.Errorf("the Lyon manager lists %d leads, want 2", n)
	}
	if n := count(w.As(w.Admin)); n != 3 {
		t.Errorf("the admin lists %d leads, want 3", n)
	}
	if _, err := db.GetLead(ctx, w.As(w.Alice), forBob.ID); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Errorf("alice reads bob's lead: %v", err)
	}
	if _, err := db.GetLead(ctx, w.As(w.Manager), inParis.ID); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Errorf("the Lyon manager reads a Paris lead: %v", err)
	}
	if _, err := db.AssignLead(ctx, w.As(w.Alice), forAlice.ID, w.Bob.ID); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Errorf("alice reassigns her lead: %v", err)
	}
	if _, err := db.AssignLead(ctx, w.As(w.Manager), forAlice.ID, w.Pauline.ID); relance.ErrorCode(err) != relance.CodeInvalid {
		t.Errorf("assigning to an advisor of another site: %v", err)
	}
	if _, err := db.AssignLead(ctx, w.As(w.Manager), forAlice.ID, w.Bob.ID); err != nil {
		t.Errorf("the manager reassigns within the site: %v", err)
	}
	if _, err := db.GetLead(ctx, w.As(w.Alice), forAlice.ID); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Errorf("alice still reads a lead given to bob: %v", err)
	}
}

func TestListLeadsPaginatesInStableOrder(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	want := map[uuid.UUID]bool{}
	for i := range 7 {
		// Two leads share each instant, so the order must fall back on the id.
		l, _, err := db.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
			IdempotencyKey: uuid.NewString(), SiteID: w.Lyon.ID, Source: "web", ReceivedAt: base.Add(time.Duration(i/2) * time.Minute),
			Contact: relance.Contact{Name: "n", Phone: "+33600000000"},
		})
		if err != nil {
			t.Fatal(err)
		}
		want[l.ID] = true
	}
	var seen []relance.Lead
	var after *relance.LeadCursor
	for page := 0; page < 10; page++ {
		leads, next, err := db.ListLeads(ctx, w.As(w.Admin), relance.LeadFilter{Limit: 3, After: after})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, leads...)
		if next == nil {
			break
		}
		after = next
	}
	if len(seen) != 7 {
		t.Fatalf("paged through %d leads, want 7", len(seen))
	}
	for i, l := range seen {
		if !want[l.ID] {
			t.Fatalf("lead %s listed twice or unknown", l.ID)
		}
		delete(want, l.ID)
		if i > 0 && l.ReceivedAt.After(seen[i-1].ReceivedAt) {
			t.Fatalf("not newest first at %d", i)
		}
	}
}

func TestFirstResponseIsTheEarliestHumanActivity(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	lead := w.Lead(t, "Jean", w.Alice.ID)
	alice := w.As(w.Alice)

	due := time.Now().Add(time.Hour)
	_, l, err := db.RecordActivity(ctx, alice, relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, State: relance.ActivityPlanned, DueAt: &due})
	if err != nil || l.FirstResponseAt != nil {
		t.Fatalf("a planned call answered the lead: %v %v", l.FirstResponseAt, err)
	}
	later := time.Now().Add(-time.Minute).UTC().Truncate(time.Microsecond)
	if _, l, err = db.RecordActivity(ctx, alice, relance.NewActivity{LeadID: lead.ID, Kind: relance.KindEmail, DoneAt: &later}); err != nil {
		t.Fatal(err)
	}
	earlier := later.Add(-10 * time.Minute)
	if _, l, err = db.RecordActivity(ctx, alice, relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, DoneAt: &earlier}); err != nil {
		t.Fatal(err)
	}
	got, _ := db.GetLead(ctx, alice, lead.ID)
	if got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(earlier) {
		t.Fatalf("first response = %v, want %v", got.FirstResponseAt, earlier)
	}
	future := time.Now().Add(time.Hour)
	_, _, err = db.RecordActivity(ctx, alice, relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, DoneAt: &future})
	wantCode(t, err, relance.CodeInvalid)
	acts, err := db.ListActivities(ctx, alice, lead.ID)
	if err != nil || len(acts) != 3 {
		t.Fatalf("timeline has %d activities (%v), want 3", len(acts), err)
	}
}

func TestLoginAndTokens(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	_, _, _, err := db.Login(ctx, w.Alice.Email, "wrong", "127.0.0.1")
	wantCode(t, err, relance.CodeUnauthenticated)
	_, _, _, err = db.Login(ctx, "nobody@nowhere.test", testenv.Password, "127.0.0.1")
	wantCode(t, err, relance.CodeUnauthenticated)

	token, expires, u, err := db.Login(ctx, w.Alice.Email, testenv.Password, "127.0.0.1")
	if err != nil || u.ID != w.Alice.ID || time.Until(expires) < 24*time.Hour {
		t.Fatalf("login: %v %v %v", u.ID, expires, err)
	}
	p, err := db.Authenticate(ctx, token)
	if err != nil || p.UserID != w.Alice.ID || p.Role != relance.RoleAdvisor || len(p.SiteIDs) != 1 {
		t.Fatalf("authenticate: %+v %v", p, err)
	}
	if err := db.Logout(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, err = db.Authenticate(ctx, token)
	wantCode(t, err, relance.CodeUnauthenticated)

	_, _, err = db.CreateAPIKey(ctx, w.As(w.Manager), relance.APIKey{Name: "k", Scopes: []relance.Scope{relance.ScopeLeadsCreate}})
	wantCode(t, err, relance.CodePermissionDenied)
	key, secret, err := db.CreateAPIKey(ctx, w.As(w.Admin), relance.APIKey{Name: "web form", Scopes: []relance.Scope{relance.ScopeLeadsCreate}})
	if err != nil {
		t.Fatal(err)
	}
	partner, err := db.Authenticate(ctx, secret)
	if err != nil || partner.Role != relance.RolePartner || !partner.HasScope(relance.ScopeLeadsCreate) {
		t.Fatalf("partner: %+v %v", partner, err)
	}
	_, _, err = db.ListLeads(ctx, partner, relance.LeadFilter{})
	wantCode(t, err, relance.CodePermissionDenied)
	if err := db.RevokeAPIKey(ctx, w.As(w.Admin), key.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.Authenticate(ctx, secret)
	wantCode(t, err, relance.CodeUnauthenticated)

	// Deactivated people can no longer use their tokens.
	token, _, _, _ = db.Login(ctx, w.Bob.Email, testenv.Password, "127.0.0.1")
	inactive := false
	if _, err := db.UpdateUser(ctx, w.As(w.Admin), w.Bob.ID, relance.UserChange{Active: &inactive}); err != nil {
		t.Fatal(err)
	}
	_, err = db.Authenticate(ctx, token)
	wantCode(t, err, relance.CodeUnauthenticated)
}

func TestSiteInvariants(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	admin := w.As(w.Admin)
	_, err := db.CreateSite(ctx, admin, relance.Site{Name: "x", TimeZone: "Mars/Olympus"})
	wantCode(t, err, relance.CodeInvalid)
	_, err = db.CreateSite(ctx, admin, relance.Site{Name: "x", TimeZone: "Europe/Paris", Country: "FR", Windows: []relance.Window{
		{Weekday: time.Monday, Start: 540, End: 720}, {Weekday: time.Monday, Start: 700, End: 900},
	}})
	wantCode(t, err, relance.CodeInvalid)
	_, err = db.CreateSite(ctx, w.As(w.Manager), relance.Site{Name: "x", TimeZone: "Europe/Paris"})
	wantCode(t, err, relance.CodePermissionDenied)
	windows := []relance.Window{{Weekday: time.Sunday, Start: 600, End: 1440}}
	s, err := db.UpdateSite(ctx, admin, w.Lyon.ID, relance.SiteChange{Windows: &windows})
	if err != nil || len(s.Windows) != 1 || s.Windows[0].Weekday != time.Sunday {
		t.Fatalf("update windows: %+v %v", s.Windows, err)
	}
	sites, _ := db.ListSites(ctx, admin)
	for _, site := range sites {
		if site.ID == w.Lyon.ID && (len(site.Windows) != 1 || site.Windows[0].End != 1440) {
			t.Fatalf("stored windows = %+v", site.Windows)
		}
	}
}

// recorder is a Scheduler that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	timers []relance.TimerRef
}

func (r *recorder) Schedule(_ context.Context, ts []relance.TimerRef) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timers = append(r.timers, ts...)
	return nil
}

func (r *recorder) take() []relance.TimerRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.timers
	r.timers = nil
	return out
}

// sender is a fake relance.Sender with a function field.
type sender struct {
	mu   sync.Mutex
	sent []relance.Message
	fn   func(relance.Message) error
}

func (s *sender) Send(_ context.Context, m relance.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fn != nil {
		if err := s.fn(m); err != nil {
			return "", err
		}
	}
	s.sent = append(s.sent, m)
	return "id", nil
}

// fireAll fires every recorded timer that is due (twice, to prove it harmless), then the timers
// those wrote; timers not yet due go back to the recorder.
func fireAll(t *testing.T, db *postgres.DB, rec *recorder) {
	t.Helper()
	var notDue []relance.TimerRef
	for round := 0; round < 5; round++ {
		ts := rec.take()
		if len(ts) == 0 {
			break
		}
		for i, ref := range append(ts, ts...) {
			if err := db.FireTimer(ctx, ref); err != nil {
				var nd *relance.NotDueError
				if !errors.As(err, &nd) {
					t.Fatalf("fire %v: %v", ref, err)
				}
				if i < len(ts) { // once, though fired twice: kept twice, they would double each call
					notDue = append(notDue, ref)
				}
			}
		}
	}
	_ = rec.Schedule(ctx, notDue)
}

func TestAssignmentAlertsOnceEvenWhenFiredTwice(t *testing.T) {
	t.Parallel()
	rec, out := &recorder{}, &sender{}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out))
	w := testenv.NewWorld(t, db)
	w.Lead(t, "unassigned", uuid.Nil)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("an unassigned lead scheduled %d timers", len(got))
	}
	lead := w.Lead(t, "Jean Dupont", w.Alice.ID)
	fireAll(t, db, rec)
	if len(out.sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(out.sent))
	}
	if m := out.sent[0]; m.To != w.Alice.Email || m.Subject != "New lead: Jean Dupont" {
		t.Fatalf("sent %+v", m)
	}
	// Reassigning alerts the new assignee once; re-assigning to the same person alerts nobody.
	if _, err := db.AssignLead(ctx, w.As(w.Manager), lead.ID, w.Bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignLead(ctx, w.As(w.Manager), lead.ID, w.Bob.ID); err != nil {
		t.Fatal(err)
	}
	fireAll(t, db, rec)
	if len(out.sent) != 2 || out.sent[1].To != w.Bob.Email || out.sent[1].Subject != "Nouveau lead : Jean Dupont" {
		t.Fatalf("after reassignment sent %+v", out.sent)
	}
}

func TestStaleAssignmentTimerSendsNothing(t *testing.T) {
	t.Parallel()
	rec, out := &recorder{}, &sender{}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out))
	w := testenv.NewWorld(t, db)
	lead := w.Lead(t, "Jean", w.Alice.ID)
	first := rec.take()
	if _, err := db.AssignLead(ctx, w.As(w.Manager), lead.ID, w.Bob.ID); err != nil {
		t.Fatal(err)
	}
	for _, ref := range first { // Alice's alert fires after the lead went to Bob
		if err := db.FireTimer(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	fireAll(t, db, rec)
	if len(out.sent) != 1 || out.sent[0].To != w.Bob.Email {
		t.Fatalf("sent %+v, want only Bob's alert", out.sent)
	}
}

// stoppedClock returns a clock that stands at now until advance moves it.
func stoppedClock(now time.Time) (clock func() time.Time, advance func(time.Duration)) {
	var mu sync.Mutex
	return func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
}

func TestDeliveryRetriesTransientFailuresAndStopsOnPermanentOnes(t *testing.T) {
	t.Parallel()
	clock, advance := stoppedClock(time.Now())
	rec := &recorder{}
	fails := 2
	out := &sender{fn: func(relance.Message) error {
		if fails > 0 {
			fails--
			return errors.New("421 try again later")
		}
		return nil
	}}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out), postgres.WithClock(clock))
	w := testenv.NewWorld(t, db)
	w.Lead(t, "Jean", w.Alice.ID)
	fireAll(t, db, rec) // alert timer, then the delivery's first try, which fails
	for i := 0; i < 5 && len(out.sent) == 0; i++ {
		advance(10 * time.Minute)
		fireAll(t, db, rec)
	}
	if len(out.sent) != 1 || fails != 0 {
		t.Fatalf("sent %d after two transient failures, want 1", len(out.sent))
	}
	advance(time.Hour)
	fireAll(t, db, rec)
	if len(out.sent) != 1 {
		t.Fatalf("sent %d after the success, want still 1", len(out.sent))
	}

	out.fn = func(relance.Message) error { return relance.Permanent(errors.New("550 no such user")) }
	ana := w.Lead(t, "Ana", w.Bob.ID)
	fireAll(t, db, rec)
	advance(time.Hour)
	fireAll(t, db, rec)
	if len(out.sent) != 1 {
		t.Fatalf("a permanent failure was retried into a send")
	}
	// The failure shows on the lead, to whoever may see it.
	list, err := db.ListDeliveries(ctx, w.As(w.Manager), ana.ID)
	if err != nil || len(list) != 1 || list[0].State != relance.DeliveryFailed || !strings.Contains(list[0].LastError, "550 no such user") || list[0].Attempts != 1 {
		t.Fatalf("deliveries of the lead = %+v (%v)", list, err)
	}
	_, err = db.ListDeliveries(ctx, w.As(w.Alice), ana.ID)
	wantCode(t, err, relance.CodeNotFound)
}

// A send that never reached its provider (it waited for a connection until its time was up) is
// not one of the message's attempts: more such waits than MaxDeliveryAttempts still end in one
// email, tried once.
func TestADeliveryThatNeverGotAConnectionIsNotCountedAsAnAttempt(t *testing.T) {
	t.Parallel()
	clock, advance := stoppedClock(time.Now())
	rec := &recorder{}
	waits := relance.MaxDeliveryAttempts + 2
	out := &sender{fn: func(relance.Message) error {
		if waits > 0 {
			waits--
			return relance.NotTried(fmt.Errorf("smtp: waiting for a connection: %w", context.DeadlineExceeded))
		}
		return nil
	}}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out), postgres.WithClock(clock))
	w := testenv.NewWorld(t, db)
	lead := w.Lead(t, "Jean", w.Alice.ID)
	fireAll(t, db, rec)
	for i := 0; i < 3*relance.MaxDeliveryAttempts && len(out.sent) == 0; i++ {
		advance(relance.NotTriedDelay)
		fireAll(t, db, rec)
	}
	list, err := db.ListDeliveries(ctx, w.As(w.Admin), lead.ID)
	if err != nil || len(out.sent) != 1 || waits != 0 || len(list) != 1 || list[0].State != relance.DeliverySent || list[0].Attempts != 1 {
		t.Fatalf("after %d waits for a connection: sent %d, deliveries %+v (%v); want one sent on its first attempt",
			relance.MaxDeliveryAttempts+2, len(out.sent), list, err)
	}
}

func paris(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Paris")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestResponseTimeCountsBusinessHoursOnly(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db) // Lyon opens Monday to Friday, 09:00–19:00, Paris time
	lead, _, err := db.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
		IdempotencyKey: "sat", SiteID: w.Lyon.ID, Source: "web", ReceivedAt: paris(t, "2026-11-14 10:00"), // a Saturday
		Contact: relance.Contact{Name: "Weekend", Phone: "+33600000000"}, AssigneeID: w.Alice.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	monday := paris(t, "2026-11-16 09:20")
	_, got, err := db.RecordActivity(ctx, w.As(w.Alice), relance.NewActivity{LeadID: lead.ID, Kind: relance.KindCall, DoneAt: &monday})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResponseTime == nil || *got.ResponseTime != 20*time.Minute {
		t.Fatalf("response time = %v, want 20m", got.ResponseTime)
	}
	stored, _ := db.GetLead(ctx, w.As(w.Alice), lead.ID)
	if stored.ResponseTime == nil || *stored.ResponseTime != 20*time.Minute {
		t.Fatalf("stored response time = %v, want 20m", stored.ResponseTime)
	}
}

func TestCalendarOfAnAdvisorSkipsTheirAbsences(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	holiday, _ := relance.ParseDate("2026-12-08")
	if _, err := db.AddSiteClosures(ctx, w.As(w.Admin), w.Lyon.ID, []relance.Closure{{Start: holiday, End: holiday}}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddAbsence(ctx, w.As(w.Alice), relance.Absence{
		UserID: w.Alice.ID, StartsAt: paris(t, "2026-12-09 00:00"), EndsAt: paris(t, "2026-12-10 00:00"),
	}); err != nil {
		t.Fatal(err)
	}
	site, err := db.Calendar(ctx, w.Org.ID, w.Lyon.ID, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, err := db.Calendar(ctx, w.Org.ID, w.Lyon.ID, w.Alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	from := paris(t, "2026-12-07 18:00") // Monday; Tuesday is a holiday, Alice is away on Wednesday
	if got, _ := site.Add(from, 2*time.Hour); got.Format("2006-01-02 15:04") != "2026-12-09 10:00" {
		t.Errorf("site: %s", got)
	}
	if got, _ := alice.Add(from, 2*time.Hour); got.Format("2006-01-02 15:04") != "2026-12-10 10:00" {
		t.Errorf("alice: %s", got)
	}
}

func TestSiteClosures(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	d := func(s string) relance.Date { v, _ := relance.ParseDate(s); return v }
	admin := w.As(w.Admin)
	if _, err := db.AddSiteClosures(ctx, admin, w.Lyon.ID, []relance.Closure{{Start: d("2030-01-01"), End: d("2030-01-01"), Reason: "a"}}, false); err != nil {
		t.Fatal(err)
	}
	// Same start day: the longer closure wins; merging keeps the rest.
	s, err := db.AddSiteClosures(ctx, admin, w.Lyon.ID, []relance.Closure{
		{Start: d("2030-01-01"), End: d("2030-01-03"), Reason: "b"}, {Start: d("2030-05-01"), End: d("2030-05-01")},
	}, false)
	if err != nil || len(s.Closures) != 2 || s.Closures[0].End != d("2030-01-03") {
		t.Fatalf("merged closures = %+v, %v", s.Closures, err)
	}
	s, err = db.AddSiteClosures(ctx, admin, w.Lyon.ID, []relance.Closure{{Start: d("2031-01-01"), End: d("2031-01-01")}}, true)
	if err != nil || len(s.Closures) != 1 {
		t.Fatalf("replaced closures = %+v, %v", s.Closures, err)
	}
	list, err := db.ListSiteClosures(ctx, w.As(w.Alice), w.Lyon.ID, d("2030-06-01"))
	if err != nil || len(list) != 1 {
		t.Fatalf("alice lists %+v, %v", list, err)
	}
	_, err = db.ListSiteClosures(ctx, w.As(w.Pauline), w.Lyon.ID, d("2030-06-01"))
	wantCode(t, err, relance.CodeNotFound)
	_, err = db.AddSiteClosures(ctx, w.As(w.Manager), w.Lyon.ID, nil, true)
	wantCode(t, err, relance.CodePermissionDenied)
}

// Closures added at the same time by several admins, through two processes' pools, are all kept:
// each addition reads the site's closures and writes them back under the site's row lock.
func TestConcurrentClosureAdditionsAreAllKept(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	pools := []*postgres.DB{testenv.OpenURL(t, appURL), testenv.OpenURL(t, appURL)}
	w := testenv.NewWorld(t, pools[0])
	const additions = 12
	var wg sync.WaitGroup
	errs := make(chan error, additions)
	for i := range additions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			day := relance.DateOf(time.Date(2031, time.March, 2+i, 0, 0, 0, 0, time.UTC))
			_, err := pools[i%2].AddSiteClosures(ctx, w.As(w.Admin), w.Lyon.ID, []relance.Closure{{Start: day, End: day, Reason: "closure " + strconv.Itoa(i)}}, false)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := pools[0].ListSiteClosures(ctx, w.As(w.Admin), w.Lyon.ID, relance.DateOf(time.Date(2031, time.January, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil || len(list) != additions {
		t.Fatalf("%d closures kept of %d added at once (%v): %+v", len(list), additions, err, list)
	}
}

func TestFiringATimerSendsItsMessagesInTheSameTask(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	rec, out := &recorder{}, &sender{}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out), postgres.WithClock(clock))
	w := testenv.NewWorld(t, db)
	lead := w.Lead(t, "Jean", w.Alice.ID)
	// Only the assignment alert, due now, fires: its email leaves in the same task, with no
	// delivery timer due now for a second task to claim.
	fired := 0
	for _, ref := range rec.take() {
		if ref.DueAt.After(clock()) {
			continue
		}
		fired++
		if err := db.FireTimer(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if fired == 0 || len(out.sent) != 1 || out.sent[0].To != w.Alice.Email || out.sent[0].ID == "" {
		t.Fatalf("after firing %d timers due now: sent %+v, want Alice's alert", fired, out.sent)
	}
	list, err := db.ListDeliveries(ctx, w.As(w.Manager), lead.ID)
	if err != nil || len(list) != 1 || list[0].State != relance.DeliverySent || list[0].Attempts != 1 {
		t.Fatalf("deliveries of the lead = %+v (%v), want one sent at the first attempt", list, err)
	}
	// What it scheduled is the delivery's watchdog at the lease's end; once the email is sent,
	// it sends nothing again, even when fired late.
	var watchdogs []relance.TimerRef
	for _, ref := range rec.take() {
		if ref.DueAt.Equal(clock().Truncate(time.Microsecond).Add(relance.DeliveryLease)) {
			watchdogs = append(watchdogs, ref)
		}
	}
	if len(watchdogs) != 1 {
		t.Fatalf("%d timers at the lease's end, want the one watchdog", len(watchdogs))
	}
	mu.Lock()
	now = now.Add(relance.DeliveryLease + time.Minute)
	mu.Unlock()
	for _, ref := range watchdogs {
		if err := db.FireTimer(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.sent) != 1 {
		t.Fatalf("sent %d, want exactly one", len(out.sent))
	}
}

func TestDeliveryCutShortIsSentAgainUnderTheSameIdentity(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	rec := &recorder{}
	crash := true
	out := &sender{fn: func(relance.Message) error {
		if crash {
			crash = false
			panic("worker killed mid-send") // the process dies: no outcome is recorded
		}
		return nil
	}}
	db := testenv.Open(t, postgres.WithScheduler(rec), postgres.WithSender(out), postgres.WithClock(clock))
	w := testenv.NewWorld(t, db)
	w.Lead(t, "Jean", w.Alice.ID)
	func() {
		defer func() { _ = recover() }()
		fireAll(t, db, rec)
	}()
	if len(out.sent) != 0 {
		t.Fatalf("sent %d before the crash", len(out.sent))
	}
	mu.Lock()
	now = now.Add(relance.DeliveryLease + time.Second)
	mu.Unlock()
	fireAll(t, db, rec) // the watchdog fires after the lease
	if len(out.sent) != 1 || out.sent[0].ID == "" {
		t.Fatalf("after the lease: sent %+v, want one with an identity", out.sent)
	}
	fireAll(t, db, rec)
	if len(out.sent) != 1 {
		t.Fatalf("sent %d, want exactly one", len(out.sent))
	}
}

// A partner API key works until its expiry, then is refused like a revoked one.
func TestAnAPIKeyStopsAtItsExpiry(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, db)
	past := time.Now().Add(-time.Minute)
	_, _, err := db.CreateAPIKey(ctx, w.As(w.Admin), relance.APIKey{
		Name: "late", Scopes: []relance.Scope{relance.ScopeLeadsCreate}, ExpiresAt: &past,
	})
	wantCode(t, err, relance.CodeInvalid)
	expiry := time.Now().Add(time.Hour)
	key, secret, err := db.CreateAPIKey(ctx, w.As(w.Admin), relance.APIKey{
		Name: "trial", Scopes: []relance.Scope{relance.ScopeLeadsCreate}, ExpiresAt: &expiry,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, secret); err != nil {
		t.Fatalf("before its expiry: %v", err)
	}
	keys, err := db.ListAPIKeys(ctx, w.As(w.Admin))
	if err != nil || len(keys) != 1 || keys[0].ID != key.ID || keys[0].ExpiresAt == nil || !keys[0].ExpiresAt.Equal(expiry.Truncate(time.Microsecond)) {
		t.Fatalf("listed keys %+v, %v; want the trial key expiring at %v", keys, err, expiry)
	}
	later := testenv.OpenURL(t, appURL, postgres.WithClock(func() time.Time { return expiry.Add(time.Second) }))
	_, err = later.Authenticate(ctx, secret)
	wantCode(t, err, relance.CodeUnauthenticated)
}

// A delivery another worker holds under a live lease is not taken over by a second timer of the
// same delivery (a stray one, as an operator's replay could make): only its watchdog, due when
// the lease ends, may send it again. And a delivery's timer is never replayed by an operator.
func TestAHeldDeliveryIsNotTakenOverBeforeItsLeaseEnds(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	rec, out := &recorder{}, &sender{}
	writer := testenv.OpenURL(t, appURL, postgres.WithScheduler(rec)) // no sender: its messages get timers of their own
	w := testenv.NewWorld(t, writer)
	lead := w.Lead(t, "Jean", w.Alice.ID)
	for _, ref := range rec.take() {
		if !ref.DueAt.After(time.Now()) {
			if err := writer.FireTimer(ctx, ref); err != nil {
				t.Fatal(err)
			}
		}
	}
	list, err := writer.ListDeliveries(ctx, w.As(w.Manager), lead.ID)
	if err != nil || len(list) != 1 || list[0].State != relance.DeliveryPending {
		t.Fatalf("deliveries = %+v (%v), want Alice's email pending", list, err)
	}
	// Another worker holds it for ten minutes.
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, `UPDATE deliveries SET state = 'sending', attempts = 1, lease_until = now() + interval '10 minutes' WHERE id = $1`, list[0].ID); err != nil {
		t.Fatal(err)
	}
	sending := testenv.OpenURL(t, appURL, postgres.WithScheduler(rec), postgres.WithSender(out))
	operator := testenv.OpenURL(t, ownerURL) // relance timers runs as the schema owner
	for _, ref := range rec.take() {
		if err := sending.FireTimer(ctx, ref); err != nil {
			t.Fatal(err)
		}
		_, err := operator.RearmTimer(ctx, ref.ID)
		wantCode(t, err, relance.CodeFailedPrecondition)
	}
	if len(out.sent) != 0 {
		t.Fatalf("sent %d while another worker held the delivery, want none", len(out.sent))
	}
	if list, err = writer.ListDeliveries(ctx, w.As(w.Manager), lead.ID); err != nil || list[0].State != relance.DeliverySending || list[0].Attempts != 1 {
		t.Fatalf("deliveries = %+v (%v), want the held one untouched", list, err)
	}
}
