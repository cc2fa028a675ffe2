package postgres_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func TestATaskFiresItsOrganisationsDueTimersWithItsOwnOnce(t *testing.T) {
	t.Parallel()
	e := newBatchEnv(t)
	store, owner, rec, out, counted := e.store, e.owner, e.rec, e.out, e.counted
	here, elsewhere := testenv.NewWorld(t, store), testenv.NewWorld(t, store)
	// 20 leads: 20 assignment alerts due now, 20 first reminders due later the same day.
	var leads []relance.Lead
	for i := range 20 {
		leads = append(leads, here.Lead(t, fmt.Sprintf("Batch %02d", i), here.Alice.ID))
	}
	elsewhere.Lead(t, "Elsewhere", elsewhere.Alice.ID)
	refs := rec.take()
	// The first lead's reminder cannot fire (a broken reference): it must not take the others
	// down with it.
	var broken uuid.UUID
	if err := owner.QueryRow(ctx, `UPDATE timers SET ref = 'broken' WHERE subject_id = $1 AND kind = 'lead.reminder' RETURNING id`,
		leads[0].ID).Scan(&broken); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(6 * time.Hour) // every timer written so far is due
	doneIn := func(org uuid.UUID) (done, pending int) {
		t.Helper()
		if err := owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'pending' AND due_at <= $2)
			FROM timers WHERE org_id = $1 AND kind <> 'delivery.send'`, org, e.now).Scan(&done, &pending); err != nil {
			t.Fatal(err)
		}
		return done, pending
	}

	var last relance.TimerRef // the last lead's reminder
	for _, r := range refs {
		if r.OrgID == here.Org.ID && r.DueAt.After(e.now.Add(-6*time.Hour)) {
			last = r
		}
	}
	// Another worker holds the last reminder: its task fires a batch of others in its place
	// and says to look again.
	holder, err := owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(ctx, `SELECT 1 FROM timers WHERE id = $1 FOR UPDATE`, last.ID); err != nil {
		t.Fatal(err)
	}
	var held *relance.HeldError
	if err := store.FireTimer(ctx, last); !errors.As(err, &held) {
		t.Fatalf("firing a held timer: %v, want a HeldError", err)
	}
	if done, pending := doneIn(here.Org.ID); done != 30 || pending != 10 {
		t.Fatalf("after the held task: %d timers done and %d due, want 30 others done (the broken one skipped), 10 due", done, pending)
	}
	if done, _ := doneIn(elsewhere.Org.ID); done != 0 {
		t.Fatalf("another organisation's timers fired with this one's: %d", done)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// Free again, it fires with the rest.
	if err := store.FireTimer(ctx, last); err != nil {
		t.Fatal(err)
	}
	if done, pending := doneIn(here.Org.ID); done != 39 || pending != 1 {
		t.Fatalf("after the task looked again: %d done and %d due, want 39 done and the broken one due", done, pending)
	}

	// The task of a timer this process fired with its own ends without a statement.
	counted.take()
	if err := store.FireTimer(ctx, refs[0]); err != nil { // the first lead's assignment alert, due first
		t.Fatal(err)
	}
	if sent := counted.take(); len(sent) != 0 {
		t.Fatalf("the task of a timer fired with another sent %q, want no statement", sent)
	}
	// Each other task: none fires twice.
	var failed int
	for _, r := range refs {
		if r.OrgID != here.Org.ID || r.ID == last.ID {
			continue
		}
		if err := store.FireTimer(ctx, r); err != nil {
			if r.ID != broken {
				t.Fatalf("fire %v: %v", r, err)
			}
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("the broken reminder failed %d times, want once (its own task)", failed)
	}
	if done, pending := doneIn(here.Org.ID); done != 39 || pending != 1 {
		t.Fatalf("after every task: %d done and %d due, want 39 done and the broken one due", done, pending)
	}
	t.Logf("39 other tasks: %d statements", len(counted.take()))

	// Every message went once: 20 assignment alerts and 19 reminders by email.
	var sent, deliveries int
	if err := owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FROM deliveries WHERE org_id = $1`,
		here.Org.ID).Scan(&sent, &deliveries); err != nil {
		t.Fatal(err)
	}
	if got := len(out.sent); got != sent || sent != deliveries || sent != 39 {
		t.Fatalf("%d messages left for %d deliveries (%d recorded as sent), want 39 each", got, deliveries, sent)
	}
	// Fired in batches, carefully after the broken one failed: every timer fired wrote its
	// in-app alert once and each reminder its next rung, and the broken one neither.
	var alerts, next int
	if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM alerts WHERE org_id = $1),
		(SELECT count(*) FROM timers WHERE org_id = $1 AND kind = 'lead.reminder' AND state = 'pending' AND ref LIKE '%|1')`,
		here.Org.ID).Scan(&alerts, &next); err != nil {
		t.Fatal(err)
	}
	if alerts != 39 || next != 19 {
		t.Fatalf("%d alerts and %d next rungs, want 39 (20 assignments, 19 reminders) and 19", alerts, next)
	}
}

func TestABatchReadsItsLeadsPeopleAndDigestsTogether(t *testing.T) {
	t.Parallel()
	e := newBatchEnv(t)
	store, owner, rec, out, counted := e.store, e.owner, e.rec, e.out, e.counted
	w := testenv.NewWorld(t, store)
	var alices, bobs []relance.Lead
	for i := range 6 {
		alices = append(alices, w.Lead(t, fmt.Sprintf("Alice's %d", i), w.Alice.ID))
		bobs = append(bobs, w.Lead(t, fmt.Sprintf("Bob's %d", i), w.Bob.ID))
	}
	if _, err := store.PlanTimers(ctx); err != nil { // tomorrow's digests, at 09:00
		t.Fatal(err)
	}
	// Only reminders and digests fire: the assignment alerts went out yesterday. Alice's leads
	// were late already, for her digest to list them.
	if _, err := owner.Exec(ctx, `UPDATE timers SET state = 'cancelled' WHERE org_id = $1 AND kind = 'lead.assigned'`, w.Org.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `UPDATE leads SET late_at = $2 WHERE assignee_id = $1`, w.Alice.ID, e.now); err != nil {
		t.Fatal(err)
	}
	created := e.now
	e.now = e.now.Add(24 * time.Hour) // Thursday 10:00: reminders and digests are due
	var first relance.TimerRef        // the first reminder
	for _, r := range rec.take() {
		if r.DueAt.After(created) && (first.ID == uuid.Nil || r.DueAt.Before(first.DueAt)) {
			first = r
		}
	}
	counted.take()
	if err := store.FireTimer(ctx, first); err != nil {
		t.Fatal(err)
	}
	sent := counted.take()
	times := map[string]int{}
	for _, s := range sent {
		times[s]++
	}
	// 12 reminders and 4 digests (Alice, Bob, Pauline and their manager): reads of leads, people
	// and advisors' digests are one statement each, plus those of the task's own timer and of
	// the manager's digest, which lists a team.
	for name, most := range map[string]int{
		"LeadGet": 1, "UserGet": 1, "AbsenceListBetween": 1, "PushPreferencesGet": 1, "DeviceListByUser": 1,
		"LeadGetMany": 1, "UserGetMany": 1, "AbsenceListForUsers": 1, "PushPreferencesGetMany": 1, "DeviceListByUsers": 1,
		"DigestItems": 2, "LeadSetLateMany": 1, "AlertCreate": 0, "AlertCreateMany": 1, "TimerCreate": 0, "TimerCreateMany": 1,
	} {
		if times[name] > most {
			t.Errorf("%s ran %d times, want at most %d", name, times[name], most)
		}
	}
	t.Logf("one task fired the batch in %d statements: %v", len(sent), times)

	var late, pending int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM leads WHERE assignee_id = $1 AND late_at = $2`, w.Bob.ID, e.now).Scan(&late); err != nil {
		t.Fatal(err)
	}
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM timers WHERE org_id = $1 AND state = 'pending' AND due_at <= $2 AND kind <> 'delivery.send'`,
		w.Org.ID, e.now).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if late != len(bobs) || pending != 0 {
		t.Fatalf("%d of Bob's %d leads marked late now, %d timers still due; want all late, none due", late, len(bobs), pending)
	}
	// Each reminder wrote its in-app alert and its ladder's next rung, with the others.
	var alerts, next int
	if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM alerts WHERE org_id = $1 AND kind = 'lead.reminder'),
		(SELECT count(*) FROM timers WHERE org_id = $1 AND kind = 'lead.reminder' AND state = 'pending' AND ref LIKE '%|1')`,
		w.Org.ID).Scan(&alerts, &next); err != nil {
		t.Fatal(err)
	}
	if want := len(alices) + len(bobs); alerts != want || next != want {
		t.Fatalf("%d reminder alerts and %d next rungs, want %d of each", alerts, next, want)
	}
	// Every reminder went to its advisor, and Alice's digest lists her late leads.
	to := map[string]int{}
	var digest string
	for _, m := range out.sent {
		to[m.To]++
		if m.To == w.Alice.Email && strings.Contains(m.Text, alices[0].Contact.Name) && strings.Contains(m.Text, alices[1].Contact.Name) {
			digest = m.Text
		}
	}
	if to[w.Alice.Email] != len(alices)+1 || to[w.Bob.Email] < len(bobs) {
		t.Fatalf("emails by recipient %v, want %d to Alice (reminders and digest), %d reminders to Bob", to, len(alices)+1, len(bobs))
	}
	for _, l := range alices {
		if !strings.Contains(digest, l.Contact.Name) {
			t.Fatalf("Alice's digest does not list %q:\n%s", l.Contact.Name, digest)
		}
	}
}

// batchEnv is a store on a database of its own, with a clock the test moves (now, first
// Wednesday 4 March 2026 10:00 in Paris, when Lyon is open), what it enqueued, sent and ran, and
// the schema owner's pool to look at its rows.
type batchEnv struct {
	store   *postgres.DB
	owner   *pgxpool.Pool
	now     time.Time
	rec     *recorder
	out     *sender
	counted *statements
}

func newBatchEnv(t *testing.T) *batchEnv {
	t.Helper()
	appURL, ownerURL := testenv.Database(t)
	e := &batchEnv{now: paris(t, "2026-03-04 10:00"), rec: &recorder{}, out: &sender{}, counted: &statements{}}
	e.store = testenv.OpenURL(t, appURL, postgres.WithClock(func() time.Time { return e.now }), postgres.WithScheduler(e.rec),
		postgres.WithSender(e.out), postgres.WithQueryTracer(e.counted))
	owner, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Close)
	e.owner = owner
	return e
}
