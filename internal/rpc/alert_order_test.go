package rpc_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// Two alerts committed out of order (the first written commits last) both reach a live stream,
// each once, though the second is announced and read while the first's transaction still runs.
func TestAlertStreamSurvivesCommitOrder(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb, q := testenv.Redis(t)
	world := testenv.NewWorld(t, testenv.OpenURL(t, dbURL))
	live := notify.NewLive(rdb, q)
	t.Cleanup(func() { live.Close() })
	api := apiProcess(t, dbURL, queue.NewClient(rdb, q), rpc.Options{Alerts: live, Heartbeat: time.Hour})
	res, err := relancev1connect.NewAuthServiceClient(http.DefaultClient, api).Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: world.Alice.Email, Password: testenv.Password}))
	if err != nil {
		t.Fatal(err)
	}
	alerts := relancev1connect.NewAlertServiceClient(http.DefaultClient, api, connect.WithInterceptors(bearer(res.Msg.GetToken())))
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := alerts.WatchAlerts(watchCtx, connect.NewRequest(&v1.WatchAlertsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	subscribed(t, stream)
	announce := func(id uuid.UUID) {
		t.Helper()
		if err := live.PublishAlerts(ctx, []relance.AlertRef{{ID: id, OrgID: world.Org.ID, UserID: world.Alice.ID}}); err != nil {
			t.Fatal(err)
		}
	}

	a := testenv.BeginAlerts(t, dbURL, world.Org.ID)
	a.Raise(world.Org.ID, world.Alice.ID, "written first, committed last")
	b := testenv.BeginAlerts(t, dbURL, world.Org.ID)
	second := b.Raise(world.Org.ID, world.Alice.ID, "written second, committed first")
	b.Commit()
	announce(second)
	// The stream reads the second now; give it the time to, were it to send it before the first.
	time.Sleep(100 * time.Millisecond)
	a.Commit()
	announce(second)

	one, _ := receive(t, stream, 10*time.Second)
	two, _ := receive(t, stream, 10*time.Second)
	if one.GetTitle() != "written first, committed last" || two.GetTitle() != "written second, committed first" {
		t.Fatalf("streamed %q then %q", one.GetTitle(), two.GetTitle())
	}
}
