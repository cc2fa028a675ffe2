package queue_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// node is one worker process's worth of parts: a store, an asynq worker and a sweeper.
type node struct {
	store  *postgres.DB
	worker *queue.Worker
	stop   context.CancelFunc
	done   sync.WaitGroup
}

func startNode(t *testing.T, dbURL string, rdb redis.UniversalClient, q string, c *catcher.Catcher, opts ...postgres.Option) *node {
	t.Helper()
	sender, err := testenv.OutboxOf(t, c).Router(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	log := testenv.Logger(t)
	opts = append([]postgres.Option{postgres.WithScheduler(queue.NewClient(rdb, q)), postgres.WithSender(sender), postgres.WithLoopbackPush()}, opts...)
	store := testenv.OpenURL(t, dbURL, opts...)
	n := &node{store: store, worker: queue.NewWorker(rdb, store, queue.WorkerConfig{Queue: q, Concurrency: 4, Log: log})}
	if err := n.worker.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.stop = cancel
	sw := &queue.Sweeper{Timers: store, Scheduler: queue.NewClient(rdb, q), Interval: 300 * time.Millisecond, Now: time.Now, Log: log}
	n.done.Add(1)
	go func() { defer n.done.Done(); sw.Run(ctx) }()
	t.Cleanup(n.close)
	return n
}

func (n *node) close() {
	n.stop()
	n.done.Wait()
	n.worker.Shutdown()
}

// emailsTo counts captured emails per recipient.
func emailsTo(msgs []catcher.Message) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		if m.Channel == "email" {
			out[m.To[0]]++
		}
	}
	return out
}

// oneNode starts one node over a database, queue and catcher of its own, with a World in it.
func oneNode(t *testing.T) (*node, *testenv.World, *catcher.Catcher) {
	t.Helper()
	dbURL, _ := testenv.Database(t)
	rdb, q := testenv.Redis(t)
	c := testenv.Catcher(t)
	n := startNode(t, dbURL, rdb, q, c)
	return n, testenv.NewWorld(t, n.store), c
}

func TestAssignmentEmailEndToEnd(t *testing.T) {
	t.Parallel()
	_, w, c := oneNode(t)

	w.Lead(t, "Nobody's lead", uuid.Nil)
	w.Lead(t, "Jean Dupont", w.Alice.ID)
	msgs, ok := c.Wait(10*time.Second, func(m []catcher.Message) bool { return len(m) >= 1 })
	if !ok {
		t.Fatal("no assignment email within 10 s")
	}
	if m := msgs[0]; m.To[0] != w.Alice.Email || m.Subject != "New lead: Jean Dupont" || !strings.Contains(m.Text, "+33612345678") {
		t.Fatalf("email = %+v", m)
	}
	// Several sweeps later, still one email and nothing for the unassigned lead.
	time.Sleep(1500 * time.Millisecond)
	if got := c.Messages(); len(got) != 1 {
		t.Fatalf("captured %d messages, want 1: %+v", len(got), got)
	}
}

// twoHoursAgo is a clock for writers, so that the default ladder's first rung is due now.
func twoHoursAgo() time.Time { return time.Now().Add(-2 * time.Hour) }

// alwaysOpen opens the world's Lyon site around the clock, so that business time is wall time.
func alwaysOpen(t *testing.T, db *postgres.DB, w *testenv.World) {
	t.Helper()
	var always []relance.Window
	for d := time.Sunday; d <= time.Saturday; d++ {
		always = append(always, relance.Window{Weekday: d, Start: 0, End: 1440})
	}
	if _, err := db.UpdateSite(context.Background(), w.As(w.Admin), w.Lyon.ID, relance.SiteChange{Windows: &always}); err != nil {
		t.Fatal(err)
	}
}

// flushAndRace checks that tasks wait in Redis, flushes it, starts two workers (each with its
// sweeper, racing for the same timers) and waits for want messages, then a little more for any
// duplicate to show up.
func flushAndRace(t *testing.T, dbURL string, rdb *redis.Client, q string, c *catcher.Catcher, want int) {
	t.Helper()
	if n, _ := rdb.DBSize(context.Background()).Result(); n == 0 {
		t.Fatal("nothing was enqueued after commit")
	}
	if err := rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	startNode(t, dbURL, rdb, q, c)
	startNode(t, dbURL, rdb, q, c)
	if msgs, ok := c.Wait(30*time.Second, func(m []catcher.Message) bool { return len(m) >= want }); !ok {
		t.Fatalf("delivered %d of %d messages within 30 s", len(msgs), want)
	}
	time.Sleep(1500 * time.Millisecond)
}

func TestFlushedRedisAndTwoWorkersDeliverEachAlertOnce(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb := testenv.OwnRedis(t)
	const q = "relance"
	c := testenv.Catcher(t)

	// Leads are assigned two hours ago (so that their first reminder is due now) while no worker
	// runs: their tasks wait in Redis…
	writer := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, q)), postgres.WithClock(twoHoursAgo))
	w := testenv.NewWorld(t, writer)
	alwaysOpen(t, writer, w)
	advisors := []string{w.Alice.Email, w.Bob.Email}
	const leads = 20
	for i := range leads {
		id := w.Alice.ID
		if i%2 == 1 {
			id = w.Bob.ID
		}
		w.Lead(t, fmt.Sprintf("Lead %d", i), id)
	}
	// …and Redis loses them all. Each lead: its assignment alert and its first reminder.
	flushAndRace(t, dbURL, rdb, q, c, 2*leads)
	counts := emailsTo(c.Messages())
	if counts[advisors[0]] != leads || counts[advisors[1]] != leads || len(c.Messages()) != 2*leads {
		t.Fatalf("per recipient %v, total %d; want %d each, %d in all", counts, len(c.Messages()), leads, 2*leads)
	}
	subjects := map[string]bool{}
	for _, m := range c.Messages() {
		if subjects[m.Subject] {
			t.Fatalf("alert %q sent twice", m.Subject)
		}
		subjects[m.Subject] = true
	}
}

func TestFlushedRedisAndTwoWorkersSendEachPlanStepOnce(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb := testenv.OwnRedis(t)
	const q = "relance"
	c := testenv.Catcher(t)

	// Leads enrolled a week ago in two plans of one automatic step each (an email, an SMS), due
	// by now, while no worker runs: their tasks wait in Redis… (A second step of the same plan
	// would wait for its send time today or tomorrow: steps are never sent at night.)
	weekAgo := func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) }
	writer := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, q)), postgres.WithClock(weekAgo))
	w := testenv.NewWorld(t, writer)
	admin := w.As(w.Admin)
	every := uint8(0b1111111)
	for _, step := range []relance.Step{
		{Kind: relance.KindEmail, Subject: "Merci {{lead.name}}", Body: "Bonjour {{lead.name}}, {{site.name}} vous rappelle."},
		{Kind: relance.KindSMS, Body: "{{lead.name}}, toujours intéressé ?"},
	} {
		step.Automatic, step.Anchor, step.AfterDays, step.Weekdays, step.Assignee = true, relance.AnchorReceived, 1, every, relance.AssignAdvisor
		if _, err := writer.CreatePlan(context.Background(), admin, relance.Plan{
			Name: "Web " + string(step.Kind), EnrolSources: []string{"website"}, Steps: []relance.Step{step},
		}); err != nil {
			t.Fatal(err)
		}
	}
	const leads = 20
	for i := range leads {
		if _, _, err := writer.CreateLead(context.Background(), admin, relance.NewLead{
			IdempotencyKey: fmt.Sprintf("plan-%d", i), SiteID: w.Lyon.ID, Source: "website",
			Contact: relance.Contact{Name: fmt.Sprintf("Lead %d", i), Phone: fmt.Sprintf("+336120000%02d", i), Email: fmt.Sprintf("lead%d@example.com", i)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	// …and Redis loses them all.
	flushAndRace(t, dbURL, rdb, q, c, 2*leads)
	sent := map[string]int{}
	for _, m := range c.Messages() {
		sent[m.Channel+" "+m.To[0]]++
	}
	for i := range leads {
		email, sms := fmt.Sprintf("email lead%d@example.com", i), fmt.Sprintf("sms +336120000%02d", i)
		if sent[email] != 1 || sent[sms] != 1 {
			t.Errorf("lead %d: %d emails and %d SMS, want one of each", i, sent[email], sent[sms])
		}
	}
	if len(c.Messages()) != 2*leads {
		t.Fatalf("%d messages in all, want %d", len(c.Messages()), 2*leads)
	}
}
