package queue_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/testenv"
)

// TestMain doubles as the worker process of the kill test: with RELANCE_KILLTEST_DB set, the
// test binary runs a worker (asynq server and sweeper) until it is killed.
func TestMain(m *testing.M) {
	if os.Getenv("RELANCE_KILLTEST_DB") != "" {
		os.Exit(workerProcess())
	}
	os.Exit(m.Run())
}

func workerProcess() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("RELANCE_KILLTEST_REDIS")})
	sender, err := testenv.OutboxFromEnv().Router(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	store, err := postgres.Open(ctx, os.Getenv("RELANCE_KILLTEST_DB"), postgres.WithDeliveryLease(3*time.Second),
		postgres.WithScheduler(queue.NewClient(rdb, "relance")), postgres.WithSender(sender),
		postgres.WithWebhooks(notify.NewWebhook(true), true)) // endpoints on loopback (the tests' receivers)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer store.Close()
	w := queue.NewWorker(rdb, store, queue.WorkerConfig{Queue: "relance", Concurrency: 8, Log: quiet})
	if err := w.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sw := &queue.Sweeper{Timers: store, Scheduler: queue.NewClient(rdb, "relance"), Interval: 500 * time.Millisecond, Now: time.Now, Log: quiet}
	sw.Run(ctx)
	w.Shutdown()
	return 0
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestWorkerKilledMidRunLosesNothing(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb := testenv.OwnRedis(t)
	c := testenv.Catcher(t)
	writer := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, "relance")), postgres.WithClock(twoHoursAgo), postgres.WithLoopbackPush())
	w := testenv.NewWorld(t, writer)
	alwaysOpen(t, writer, w) // each lead: an assignment alert and a first reminder, both due now
	outbox := testenv.OutboxOf(t, c)
	registerDevices(t, c, writer, w, outbox) // each alert: an email and a push
	const leads = 80
	for i := range leads {
		assignee := w.Alice.ID
		if i%2 == 1 {
			assignee = w.Bob.ID
		}
		w.Lead(t, fmt.Sprintf("Killed %03d", i), assignee)
	}

	start := func() *exec.Cmd { return startWorker(t, dbURL, rdb, outbox) }
	first := start()
	if _, ok := c.Wait(30*time.Second, func(m []catcher.Message) bool { return len(m) >= 20 }); !ok {
		_ = first.Process.Kill()
		t.Fatal("the first worker sent nothing")
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := len(c.Messages())
	t.Logf("worker killed after %d of %d emails and pushes", killedAt, 4*leads)

	second := start()
	defer func() {
		_ = second.Process.Signal(syscall.SIGTERM)
		_ = second.Wait()
	}()
	// Tasks the dead worker held come back when asynq's lease on them ends (about a minute).
	msgs, ok := c.Wait(3*time.Minute, func(m []catcher.Message) bool { return distinct(m) >= 4*leads })
	if !ok {
		t.Fatalf("after the kill, %d of %d alert emails and pushes arrived", distinct(msgs), 4*leads)
	}
	time.Sleep(2 * time.Second) // room for a duplicate to show
	msgs = c.Messages()
	byChannel := onceEach(t, msgs)
	if byChannel["email"] != 2*leads || byChannel["fcm"] != leads || byChannel["web_push"] != leads {
		t.Fatalf("distinct alerts per channel %v, want %d emails, %d FCM and %d Web Push", byChannel, 2*leads, leads, leads)
	}
	t.Logf("%d messages for %d alerts and reminders by email and push: %d repeats of a message cut short by the kill (same identity)", len(msgs), 2*leads, len(msgs)-4*leads)
}

// startWorker starts a worker process (this test binary, see TestMain) on the database and Redis,
// sending to outbox.
func startWorker(t *testing.T, dbURL string, rdb *redis.Client, outbox testenv.Outbox) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RELANCE_KILLTEST_DB="+dbURL, "RELANCE_KILLTEST_REDIS="+rdb.Options().Addr)
	cmd.Env = append(cmd.Env, outbox.Env()...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func distinct(msgs []catcher.Message) int {
	ids := map[string]bool{}
	for _, m := range msgs {
		ids[m.MessageID] = true
	}
	return len(ids)
}
