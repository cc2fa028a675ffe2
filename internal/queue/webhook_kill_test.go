package queue_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/testenv"
	"github.com/relancehq/relance/internal/webhook"
)

// waitReceived polls r until done holds for what arrived, or d passes.
func waitReceived(r *testenv.Receiver, d time.Duration, done func([]testenv.Received) bool) ([]testenv.Received, bool) {
	deadline := time.Now().Add(d)
	for {
		got := r.Received()
		if done(got) {
			return got, true
		}
		if time.Now().After(deadline) {
			return got, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// hookedLeads creates a world whose admin has a webhook endpoint for lead.created on a receiver
// that verifies signatures, then n leads; their messages wait in queue q.
func hookedLeads(t *testing.T, dbURL string, rdb redis.UniversalClient, q string, n int) *testenv.Receiver {
	t.Helper()
	writer := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, q)),
		postgres.WithWebhooks(notify.NewWebhook(true), true))
	w := testenv.NewWorld(t, writer)
	rcv := testenv.NewReceiver(t)
	ep, err := writer.CreateWebhookEndpoint(context.Background(), w.As(w.Admin), webhook.Endpoint{
		URL: rcv.Srv.URL + "/hook", Description: "CRM", Filter: []string{webhook.LeadCreated}, Enabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	rcv.Trust(ep.Secret)
	for i := range n {
		w.Lead(t, fmt.Sprintf("Hooked %03d", i), w.Alice.ID)
	}
	return rcv
}

// distinctIDs counts the webhook-ids among got.
func distinctIDs(got []testenv.Received) int {
	ids := map[string]bool{}
	for _, g := range got {
		ids[g.ID] = true
	}
	return len(ids)
}

func TestWebhookWorkerKilledMidRunLosesNothing(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb := testenv.OwnRedis(t)
	outbox := testenv.OutboxOf(t, testenv.Catcher(t))
	const leads = 120
	rcv := hookedLeads(t, dbURL, rdb, "relance", leads)

	first := startWorker(t, dbURL, rdb, outbox)
	if _, ok := waitReceived(rcv, 30*time.Second, func(g []testenv.Received) bool { return len(g) >= 20 }); !ok {
		_ = first.Process.Kill()
		t.Fatal("the first worker delivered nothing")
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	t.Logf("worker killed after %d of %d webhook messages", len(rcv.Received()), leads)

	second := startWorker(t, dbURL, rdb, outbox)
	defer func() {
		_ = second.Process.Signal(syscall.SIGTERM)
		_ = second.Wait()
	}()
	// Tasks the dead worker held come back when their lease ends.
	got, ok := waitReceived(rcv, 3*time.Minute, func(g []testenv.Received) bool { return distinctIDs(g) >= leads })
	if !ok {
		t.Fatalf("after the kill, %d of %d webhook messages arrived", distinctIDs(got), leads)
	}
	time.Sleep(2 * time.Second) // room for a duplicate to show
	got = rcv.Received()
	perID := map[string]int{}
	for _, g := range got {
		if !g.Verified {
			t.Errorf("webhook-id %s: signature does not verify", g.ID)
		}
		if g.Type != webhook.LeadCreated {
			t.Errorf("webhook-id %s: type %q", g.ID, g.Type)
		}
		perID[g.ID]++
	}
	if len(perID) != leads {
		t.Fatalf("%d distinct webhook-ids, want %d", len(perID), leads)
	}
	t.Logf("%d requests for %d webhook messages, all verified: %d repeats under the same webhook-id (cut short by the kill)", len(got), leads, len(got)-leads)
}

func TestFlushedRedisAndTwoWorkersPostEachWebhookOnce(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb := testenv.OwnRedis(t)
	const q = "relance"
	c := testenv.Catcher(t)
	const leads = 30
	rcv := hookedLeads(t, dbURL, rdb, q, leads)
	// Every message's task waits in Redis, and Redis loses them all before a worker runs: the
	// sweepers of two racing workers find the messages in Postgres and post each once.
	if n, _ := rdb.DBSize(context.Background()).Result(); n == 0 {
		t.Fatal("nothing was enqueued after commit")
	}
	if err := rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	hooks := postgres.WithWebhooks(notify.NewWebhook(true), true)
	startNode(t, dbURL, rdb, q, c, hooks)
	startNode(t, dbURL, rdb, q, c, hooks)
	if got, ok := waitReceived(rcv, 30*time.Second, func(g []testenv.Received) bool { return distinctIDs(g) >= leads }); !ok {
		t.Fatalf("after the flush, %d of %d webhook messages arrived", distinctIDs(got), leads)
	}
	time.Sleep(1500 * time.Millisecond) // room for a duplicate to show
	got := rcv.Received()
	if len(got) != leads || distinctIDs(got) != leads {
		t.Fatalf("%d requests for %d webhook-ids, want %d of each", len(got), distinctIDs(got), leads)
	}
	for _, g := range got {
		if !g.Verified || g.Type != webhook.LeadCreated {
			t.Errorf("webhook-id %s: type %q, verified %v", g.ID, g.Type, g.Verified)
		}
	}
}
