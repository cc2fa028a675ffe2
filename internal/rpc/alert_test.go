package rpc_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// apiProcess starts an API server on dbURL with its own live-alert hub, as a separate process
// would have.
func apiProcess(t *testing.T, dbURL string, scheduler postgres.Scheduler, opts rpc.Options) string {
	t.Helper()
	return stackOn(t, testenv.OpenURL(t, dbURL, postgres.WithScheduler(scheduler)), nil, opts).url
}

// watch signs email in on the API at url and opens their alert stream, once the server has
// subscribed it (its first frame); the stream ends with the test.
func watch(t *testing.T, url, email string) *connect.ServerStreamForClient[v1.WatchAlertsResponse] {
	t.Helper()
	res, err := relancev1connect.NewAuthServiceClient(http.DefaultClient, url).Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: email, Password: testenv.Password}))
	if err != nil {
		t.Fatal(err)
	}
	alerts := relancev1connect.NewAlertServiceClient(http.DefaultClient, url, connect.WithInterceptors(bearer(res.Msg.GetToken())))
	watchCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	stream, err := alerts.WatchAlerts(watchCtx, connect.NewRequest(&v1.WatchAlertsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	subscribed(t, stream)
	return stream
}

// receive reads stream messages until an alert arrives or timeout passes; heartbeats are counted.
func receive(t *testing.T, stream *connect.ServerStreamForClient[v1.WatchAlertsResponse], timeout time.Duration) (*v1.Alert, int) {
	t.Helper()
	got := make(chan *v1.Alert, 1)
	beats := 0
	go func() {
		for stream.Receive() {
			if a := stream.Msg().GetAlert(); a != nil {
				got <- a
				return
			}
			beats++
		}
		close(got)
	}()
	select {
	case a := <-got:
		if a == nil {
			t.Fatalf("stream ended without an alert: %v", stream.Err())
		}
		return a, beats
	case <-time.After(timeout):
		t.Fatalf("no alert within %s (err %v)", timeout, stream.Err())
	}
	return nil, beats
}

// subscribed waits for the stream's first frame: the server sends it (a heartbeat when there is
// nothing to replay) once it has subscribed and found where the stream starts, so an alert
// raised afterwards is streamed.
func subscribed(t *testing.T, stream *connect.ServerStreamForClient[v1.WatchAlertsResponse]) {
	t.Helper()
	first := make(chan bool, 1)
	go func() { first <- stream.Receive() }()
	select {
	case ok := <-first:
		if !ok || !stream.Msg().GetHeartbeat() {
			t.Fatalf("first frame: heartbeat %v, err %v", ok && stream.Msg().GetHeartbeat(), stream.Err())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no first frame within 10 s")
	}
}

func TestAlertsStreamAcrossProcesses(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb, q := testenv.Redis(t)
	// The worker process: it raises alerts and announces them.
	workerLive := notify.NewLive(rdb, q)
	worker := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, q)),
		postgres.WithAlertPublisher(workerLive), postgres.WithSender(notify.Router{}))
	w := queue.NewWorker(rdb, worker, queue.WorkerConfig{Queue: q, Concurrency: 2, Log: testenv.Logger(t)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	world := testenv.NewWorld(t, worker)

	// Two API processes, each with its own subscription; the client watches the second one.
	apiLive := notify.NewLive(rdb, q)
	t.Cleanup(func() { apiLive.Close() })
	otherLive := notify.NewLive(rdb, q)
	t.Cleanup(func() { otherLive.Close() })
	api1 := apiProcess(t, dbURL, queue.NewClient(rdb, q), rpc.Options{Alerts: otherLive})
	api2 := apiProcess(t, dbURL, queue.NewClient(rdb, q), rpc.Options{Alerts: apiLive, Heartbeat: time.Hour})
	httpc := &http.Client{}
	login := func(url, email string) string {
		res, err := relancev1connect.NewAuthServiceClient(httpc, url).Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: email, Password: testenv.Password}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetToken()
	}
	aliceToken := login(api2, world.Alice.Email)
	alerts := relancev1connect.NewAlertServiceClient(httpc, api2, connect.WithGRPCWeb(), connect.WithInterceptors(bearer(aliceToken)))
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := alerts.WatchAlerts(watchCtx, connect.NewRequest(&v1.WatchAlertsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	subscribed(t, stream)

	admin := relancev1connect.NewLeadServiceClient(httpc, api1, connect.WithInterceptors(bearer(login(api1, world.Admin.Email))))
	req := &v1.CreateLeadRequest{IdempotencyKey: "live", SiteId: world.Lyon.ID.String(), Source: "web",
		Contact: &v1.Contact{Name: "Jean Live", Phone: "+33612345678"}, AssigneeId: world.Alice.ID.String()}
	if _, err := admin.CreateLead(ctx, connect.NewRequest(req)); err != nil {
		t.Fatal(err)
	}
	first, _ := receive(t, stream, 10*time.Second)
	if first.GetKind() != v1.AlertKind_ALERT_KIND_LEAD_ASSIGNED || first.GetTitle() != "New lead: Jean Live" {
		t.Fatalf("alert = %v", first)
	}
	cancel()

	// Offline: another lead comes in; on reconnect the client replays from the last alert it saw.
	req.IdempotencyKey, req.Contact.Name = "offline", "Ana Offline"
	if _, err := admin.CreateLead(ctx, connect.NewRequest(req)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the second alert", func() bool {
		list, err := alerts.ListAlerts(ctx, connect.NewRequest(&v1.ListAlertsRequest{UnacknowledgedOnly: true}))
		return err == nil && len(list.Msg.GetAlerts()) == 2
	})
	again, err := alerts.WatchAlerts(ctx, connect.NewRequest(&v1.WatchAlertsRequest{AfterAlertId: first.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	replayed, _ := receive(t, again, 5*time.Second)
	if replayed.GetTitle() != "New lead: Ana Offline" {
		t.Fatalf("replayed %v", replayed)
	}
	again.Close()

	if _, err := alerts.AckAlert(ctx, connect.NewRequest(&v1.AckAlertRequest{AlertId: first.GetId()})); err != nil {
		t.Fatal(err)
	}
	list, _ := alerts.ListAlerts(ctx, connect.NewRequest(&v1.ListAlertsRequest{UnacknowledgedOnly: true}))
	if len(list.Msg.GetAlerts()) != 1 || list.Msg.GetAlerts()[0].GetId() != replayed.GetId() {
		t.Fatalf("unacknowledged after ack: %v", list.Msg.GetAlerts())
	}
	// Nobody else reads or acknowledges Alice's alerts, not even an admin.
	bob := relancev1connect.NewAlertServiceClient(httpc, api2, connect.WithInterceptors(bearer(login(api2, world.Bob.Email))))
	_, err = bob.AckAlert(ctx, connect.NewRequest(&v1.AckAlertRequest{AlertId: replayed.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	mine, _ := bob.ListAlerts(ctx, connect.NewRequest(&v1.ListAlertsRequest{}))
	if len(mine.Msg.GetAlerts()) != 0 {
		t.Fatalf("bob lists %d alerts", len(mine.Msg.GetAlerts()))
	}
}

func TestAlertStreamPollsWithoutPubSub(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb, q := testenv.Redis(t)
	worker := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, q)), postgres.WithSender(notify.Router{}))
	w := queue.NewWorker(rdb, worker, queue.WorkerConfig{Queue: q, Concurrency: 2, Log: testenv.Logger(t)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	world := testenv.NewWorld(t, worker)
	api := apiProcess(t, dbURL, queue.NewClient(rdb, q), rpc.Options{Heartbeat: 300 * time.Millisecond}) // no pub/sub at all
	stream := watch(t, api, world.Alice.Email)
	world.Lead(t, "Polled", world.Alice.ID)
	a, beats := receive(t, stream, 10*time.Second)
	if a.GetTitle() != "New lead: Polled" {
		t.Fatalf("alert = %v", a)
	}
	t.Logf("alert arrived after %d heartbeats", beats)
}
