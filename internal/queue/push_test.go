package queue_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// registerDevices gives Alice a phone (an FCM token) and Bob a browser (a Web Push subscription
// to the catcher, made with the outbox's VAPID key), and returns them.
func registerDevices(t *testing.T, c *catcher.Catcher, db *postgres.DB, w *testenv.World, o testenv.Outbox) (phone, browser relance.Device) {
	t.Helper()
	ctx := context.Background()
	phone, err := db.RegisterDevice(ctx, w.As(w.Alice), relance.Device{
		Kind: relance.DeviceFCM, Token: "fcm:" + uuid.NewString() + "-APA91bHun4MxP5egoKMwt2KZFBaFUH", Label: "Pixel",
	})
	if err != nil {
		t.Fatal(err)
	}
	endpoint, p256dh, auth, err := c.WebPushSubscription(o.VAPIDPublic)
	if err != nil {
		t.Fatal(err)
	}
	browser, err = db.RegisterDevice(ctx, w.As(w.Bob), relance.Device{
		Kind: relance.DeviceWebPush, Token: endpoint, P256dh: p256dh, Auth: auth, Label: "Firefox",
	})
	if err != nil {
		t.Fatal(err)
	}
	return phone, browser
}

// onceEach fails the test when one alert (a channel, a recipient and a subject) reached its
// recipient as two different messages, and counts the alerts per channel ("email", "sms", or
// for pushes "fcm" and "web_push"). The same message twice (a send cut short by a crash, resent
// under the same identity) is one.
func onceEach(t *testing.T, msgs []catcher.Message) map[string]int {
	t.Helper()
	ids := map[string]map[string]bool{}
	perChannel := map[string]int{}
	for _, m := range msgs {
		channel := m.Channel
		if channel == "push" {
			channel = m.From
		}
		key := channel + " " + m.To[0] + " " + m.Subject
		if ids[key] == nil {
			ids[key] = map[string]bool{}
			perChannel[channel]++
		}
		ids[key][m.MessageID] = true
	}
	for key, seen := range ids {
		if len(seen) != 1 {
			t.Errorf("%s: sent as %d different messages", key, len(seen))
		}
	}
	return perChannel
}

func TestFlushedRedisAndTwoWorkersPushEachAssignmentOnce(t *testing.T) {
	t.Parallel()
	dbURL, _ := testenv.Database(t)
	rdb := testenv.OwnRedis(t)
	const q = "relance"
	c := testenv.Catcher(t)
	writer := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, q)), postgres.WithLoopbackPush())
	w := testenv.NewWorld(t, writer)
	phone, browser := registerDevices(t, c, writer, w, testenv.OutboxOf(t, c))
	// Pauline wants no assignment as push: her phone stays silent, her email still goes.
	ctx := context.Background()
	if _, err := writer.RegisterDevice(ctx, w.As(w.Pauline), relance.Device{Kind: relance.DeviceFCM, Token: "pauline-token-0123456789abcdefghijklmnop"}); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.SetPushPreferences(ctx, w.As(w.Pauline), relance.PushPreferences{Reminders: true, DueActions: true}); err != nil {
		t.Fatal(err)
	}
	const leads = 6
	for i := range leads {
		w.Lead(t, fmt.Sprintf("Pushed %d", i), []uuid.UUID{w.Alice.ID, w.Bob.ID}[i%2])
	}
	if _, _, err := writer.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
		IdempotencyKey: "pauline", SiteID: w.Paris.ID, AssigneeID: w.Pauline.ID, Contact: relance.Contact{Name: "Pauline's lead", Phone: "+33612345678"},
	}); err != nil {
		t.Fatal(err)
	}
	// Each lead: an email and a push to its advisor's device; Pauline's: an email only. Redis
	// loses every task before a worker runs.
	flushAndRace(t, dbURL, rdb, q, c, 2*leads+1)
	msgs := c.Messages()
	if n := onceEach(t, msgs); n["email"] != leads+1 || n["fcm"] != leads/2 || n["web_push"] != leads/2 || len(msgs) != 2*leads+1 {
		t.Fatalf("alerts per channel %v in %d messages; want %d emails, %d FCM, %d Web Push, each once", n, len(msgs), leads+1, leads/2, leads/2)
	}
	for _, m := range msgs {
		switch m.From {
		case "fcm":
			if m.To[0] != phone.Token {
				t.Errorf("FCM push to %q, want Alice's phone", m.To[0])
			}
		case "web_push":
			if m.To[0] != browser.Token {
				t.Errorf("Web Push to %q, want Bob's browser", m.To[0])
			}
		}
		if m.Channel == "push" && !strings.HasPrefix(m.URL, "/leads/") {
			t.Errorf("push %q opens %q, want its lead", m.Subject, m.URL)
		}
	}
}

func TestPushServiceForgetsDeviceRemovesIt(t *testing.T) {
	t.Parallel()
	n, w, c := oneNode(t)
	phone, browser := registerDevices(t, c, n.store, w, testenv.OutboxOf(t, c))
	c.UnregisterFCMToken(phone.Token)
	c.ExpireWebPushSubscription(browser.Token)
	lead := w.Lead(t, "Gone phone", w.Alice.ID)
	w.Lead(t, "Gone browser", w.Bob.ID)

	ctx := context.Background()
	testenv.Eventually(t, 20*time.Second, "both devices removed", func() bool {
		a, _ := n.store.Devices(ctx, w.As(w.Alice))
		b, _ := n.store.Devices(ctx, w.As(w.Bob))
		return len(a) == 0 && len(b) == 0
	})
	if _, ok := c.Wait(10*time.Second, func(m []catcher.Message) bool { return len(m) >= 2 }); !ok {
		t.Fatal("the emails did not go")
	}
	deliveries, err := n.store.ListDeliveries(ctx, w.As(w.Admin), lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	var push *relance.Delivery
	for i, d := range deliveries {
		if d.Channel == relance.ChannelPush {
			push = &deliveries[i]
		}
	}
	if push == nil || push.State != relance.DeliveryFailed || push.Attempts != 1 {
		t.Fatalf("push delivery = %+v, want failed after one attempt", push)
	}
	for _, m := range c.Messages() {
		if m.Channel == "push" {
			t.Errorf("pushed to a forgotten device: %+v", m)
		}
	}
}
