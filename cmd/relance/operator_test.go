package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// sender records what it is asked to send and fails every send, for good, while failing is set.
type sender struct {
	mu      sync.Mutex
	failing bool
	tries   int
	sent    []relance.Message
}

func (s *sender) Send(_ context.Context, m relance.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	if s.failing {
		return "", relance.Permanent(errors.New("550 mailbox unavailable"))
	}
	s.sent = append(s.sent, m)
	return "p-" + m.ID, nil
}

func (s *sender) set(failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = failing
}

// sentTo returns the messages sent to addr and the sends tried so far.
func (s *sender) sentTo(addr string) (sent []relance.Message, tries int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.sent {
		if m.To == addr {
			sent = append(sent, m)
		}
	}
	return sent, s.tries
}

// opsWorld is an organisation whose timers nobody enqueues, an operator on the schema owner's
// connection with the queue, and a worker (started by startWorker) that fires what the queue holds.
type opsWorld struct {
	*testenv.World
	appURL, ownerURL string
	op               *operator
	out              *bytes.Buffer
	sender           *sender
	q                string
	startWorker      func()
}

func newOpsWorld(t *testing.T) *opsWorld {
	t.Helper()
	appURL, ownerURL := testenv.Database(t)
	rdb, q := testenv.Redis(t)
	w := &opsWorld{appURL: appURL, ownerURL: ownerURL, out: &bytes.Buffer{}, sender: &sender{}, q: q}
	// Writers enqueue nothing: the timers wait in Postgres for the operator.
	w.World = testenv.NewWorld(t, testenv.OpenURL(t, appURL))
	client := queue.NewClient(rdb, q)
	w.op = &operator{
		store: testenv.OpenURL(t, ownerURL, postgres.WithScheduler(client)), queue: client, out: w.out, now: time.Now,
	}
	w.startWorker = func() {
		store := testenv.OpenURL(t, appURL, postgres.WithScheduler(client), postgres.WithSender(w.sender))
		worker := queue.NewWorker(rdb, store, queue.WorkerConfig{Queue: q, Concurrency: 2, Log: testenv.Logger(t)})
		if err := worker.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(worker.Shutdown)
	}
	return w
}

// run runs an operator's command line and returns what it printed.
func (w *opsWorld) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	w.out.Reset()
	var err error
	if args[0] == "timers" {
		err = w.op.timers(context.Background(), args[1:])
	} else {
		err = w.op.deliveries(context.Background(), args[1:])
	}
	return w.out.String(), err
}

// ids returns the first column of a printed table: every line between the header and the count.
func ids(out string) []string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got []string
	for _, l := range lines[1 : len(lines)-1] {
		got = append(got, strings.Fields(l)[0])
	}
	return got
}

func exec(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestTimersListFilters(t *testing.T) {
	t.Parallel()
	w := newOpsWorld(t)
	other := testenv.NewWorld(t, w.DB)
	now := time.Now()
	exec(t, w.ownerURL, "DELETE FROM timers")
	timer := func(org uuid.UUID, kind string, due time.Duration, state string) string {
		id := uuid.Must(uuid.NewV7())
		exec(t, w.ownerURL, `INSERT INTO timers (id, org_id, kind, subject_id, due_at, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, id, org, kind, uuid.New(), now.Add(due), state, now)
		return id.String()
	}
	twoHoursLate := timer(w.Org.ID, "lead.assigned", -2*time.Hour, "pending")
	justDue := timer(w.Org.ID, "lead.reminder", -30*time.Second, "pending")
	tomorrow := timer(w.Org.ID, "digest.daily", 24*time.Hour, "pending")
	timer(w.Org.ID, "lead.assigned", -3*time.Hour, "done")
	timer(w.Org.ID, "lead.assigned", -3*time.Hour, "cancelled")
	otherLate := timer(other.Org.ID, "lead.reminder", -10*time.Minute, "pending")

	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{twoHoursLate, otherLate, justDue, tomorrow}},
		{[]string{"list", "--late"}, []string{twoHoursLate, otherLate}},
		{[]string{"--late", "--org", w.Org.ID.String()}, []string{twoHoursLate}},
		{[]string{"--kind", "lead.reminder"}, []string{otherLate, justDue}},
		{[]string{"--kind", "digest.daily", "--late"}, nil},
		{[]string{"--limit", "2"}, []string{twoHoursLate, otherLate}},
	} {
		out, err := w.run(t, append([]string{"timers"}, c.args...)...)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got := ids(out); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("timers %v listed %v, want %v\n%s", c.args, got, c.want, out)
		}
	}
	out, _ := w.run(t, "timers", "--late")
	if !strings.Contains(out, other.Org.Name) || !strings.Contains(out, "2h0m") || !strings.HasSuffix(out, "2 timer(s)\n") {
		t.Errorf("table lacks the organisation, the lateness or the count:\n%s", out)
	}
	for _, bad := range [][]string{{"--org", "x"}, {"--limit", "0"}, {"list", "extra"}, {"nope"}, {"show"}, {"show", "not-an-id"}} {
		if _, err := w.run(t, append([]string{"timers"}, bad...)...); err == nil {
			t.Errorf("timers %v: no error", bad)
		}
	}
	if _, err := w.run(t, "timers", "show", uuid.NewString()); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Errorf("show of an unknown timer: %v, want not found", err)
	}
}

// assignedTimer returns the lead.assigned timer of a lead.
func assignedTimer(t *testing.T, w *opsWorld, lead uuid.UUID) uuid.UUID {
	t.Helper()
	c, err := pgx.Connect(context.Background(), w.ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var id uuid.UUID
	if err := c.QueryRow(context.Background(), "SELECT id FROM timers WHERE subject_id = $1 AND kind = 'lead.assigned'", lead).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func timerState(t *testing.T, w *opsWorld, id uuid.UUID) (state string, version int) {
	t.Helper()
	r, _, err := w.op.store.Timer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.State, r.Version
}

func TestTimersReplaySendsOnce(t *testing.T) {
	t.Parallel()
	w := newOpsWorld(t)
	lead := w.Lead(t, "Jean Dupont", w.Alice.ID)
	id := assignedTimer(t, w, lead.ID)

	out, err := w.run(t, "timers", "show", id.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"lead.assigned", "pending", `"Jean Dupont"`, w.Alice.ID.String(), "not in the queue"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if out, err = w.run(t, "timers", "replay", id.String()); err != nil || !strings.Contains(out, "enqueued") {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	// Twice: the task is already in the queue under its id.
	if out, err = w.run(t, "timers", "replay", id.String()); err != nil || !strings.Contains(out, "already pending") {
		t.Fatalf("second replay: %v\n%s", err, out)
	}
	if out, _ = w.run(t, "timers", "show", id.String()); !strings.Contains(out, "timer:"+id.String()+":1: pending") {
		t.Errorf("show does not give the task's state:\n%s", out)
	}

	w.startWorker()
	testenv.Eventually(t, 20*time.Second, "the assignment email", func() bool {
		sent, _ := w.sender.sentTo(w.Alice.Email)
		return len(sent) == 1
	})
	testenv.Eventually(t, 10*time.Second, "the timer done", func() bool { s, _ := timerState(t, w, id); return s == "done" })

	_, err = w.run(t, "timers", "replay", id.String())
	if relance.ErrorCode(err) != relance.CodeFailedPrecondition || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("replay of a done timer: %v, want a refusal naming --force", err)
	}
	if out, err = w.run(t, "timers", "replay", "--force", id.String()); err != nil || !strings.Contains(out, "version 2") {
		t.Fatalf("forced replay: %v\n%s", err, out)
	}
	testenv.Eventually(t, 20*time.Second, "the forced replay done", func() bool {
		s, v := timerState(t, w, id)
		return s == "done" && v == 2
	})
	// Fired twice, told once: the delivery is keyed by the timer.
	time.Sleep(500 * time.Millisecond)
	if sent, _ := w.sender.sentTo(w.Alice.Email); len(sent) != 1 {
		t.Fatalf("%d emails to Alice after a forced replay, want 1", len(sent))
	}
}

func TestDeliveriesRetrySendsOnce(t *testing.T) {
	t.Parallel()
	w := newOpsWorld(t)
	w.sender.set(true)
	w.startWorker()
	lead := w.Lead(t, "Jean Dupont", w.Alice.ID)
	if _, err := w.run(t, "timers", "replay", assignedTimer(t, w, lead.ID).String()); err != nil {
		t.Fatal(err)
	}
	var failed string
	testenv.Eventually(t, 20*time.Second, "a failed delivery", func() bool {
		out, err := w.run(t, "deliveries")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(out); len(got) == 1 {
			failed = got[0]
			return true
		}
		return false
	})
	out, _ := w.run(t, "deliveries", "list", "--channel", "email", "--org", w.Org.ID.String(), "--since", "1h")
	if got := ids(out); len(got) != 1 || got[0] != failed || !strings.Contains(out, "550 mailbox unavailable") || !strings.Contains(out, w.Alice.Email) {
		t.Fatalf("filtered list:\n%s", out)
	}
	for _, args := range [][]string{{"--channel", "sms"}, {"--org", uuid.NewString()}, {"--since", "2999-01-01"}} {
		if out, _ := w.run(t, append([]string{"deliveries"}, args...)...); len(ids(out)) != 0 {
			t.Errorf("deliveries %v listed:\n%s", args, out)
		}
	}

	w.sender.set(false)
	if out, err := w.run(t, "deliveries", "retry", failed); err != nil {
		t.Fatalf("retry: %v\n%s", err, out)
	}
	testenv.Eventually(t, 20*time.Second, "the email sent", func() bool {
		sent, _ := w.sender.sentTo(w.Alice.Email)
		return len(sent) == 1
	})
	// Again, by id and by time: nothing is failed any more, nothing is sent again.
	if _, err := w.run(t, "deliveries", "retry", failed); relance.ErrorCode(err) != relance.CodeFailedPrecondition {
		t.Errorf("second retry: %v, want failed precondition", err)
	}
	if out, err := w.run(t, "deliveries", "retry", "--since", "1h"); err != nil || !strings.HasPrefix(out, "0 deliver") {
		t.Errorf("retry --since: %v\n%s", err, out)
	}
	time.Sleep(500 * time.Millisecond)
	sent, tries := w.sender.sentTo(w.Alice.Email)
	if len(sent) != 1 || sent[0].ID != failed || tries != 2 {
		t.Fatalf("sent %d (id %v), tried %d; want the failed delivery sent once under its id, after one failed try", len(sent), sent, tries)
	}
	for _, bad := range [][]string{{"retry"}, {"retry", "x"}, {"retry", failed, "--since", "1h"}, {"--since", "yesterday"}, {"list", failed}} {
		if _, err := w.run(t, append([]string{"deliveries"}, bad...)...); err == nil {
			t.Errorf("deliveries %v: no error", bad)
		}
	}
}
