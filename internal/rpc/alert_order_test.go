package rpc_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

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
	stream := watch(t, api, world.Alice.Email)
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
