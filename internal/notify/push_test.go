package notify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/relance"
)

// newFCM returns an FCM sender calling endpoint with the service account of creds (a catcher).
func newFCM(t *testing.T, creds *catcher.Catcher, endpoint string) *notify.FCM {
	t.Helper()
	path, err := creds.FCMCredentials(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f, err := notify.NewFCM(context.Background(), path, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFCMSendsSignedV1Messages(t *testing.T) {
	c := startCatcher(t)
	push := notify.Push{FCM: newFCM(t, c, c.FCMEndpoint())}
	ctx := context.Background()
	lead := uuid.New()
	dev := &relance.Device{Kind: relance.DeviceFCM, Token: "fcm-token-0123456789abcdefghijklmnopqrstuvwxyz"}
	msg := relance.Message{ID: uuid.NewString(), Channel: relance.ChannelPush, Subject: "Nouveau lead", Text: "Jean Dupont", Device: dev, LeadID: lead}
	name, err := push.Send(ctx, msg)
	if err != nil || name == "" {
		t.Fatalf("send = %q, %v", name, err)
	}
	got := c.Messages()
	if len(got) != 1 || got[0].From != "fcm" || got[0].To[0] != dev.Token || got[0].Subject != "Nouveau lead" ||
		got[0].Text != "Jean Dupont" || got[0].MessageID != msg.ID || got[0].URL != "/leads/"+lead.String() {
		t.Fatalf("captured %+v", got)
	}

	c.UnregisterFCMToken(dev.Token)
	_, err = push.Send(ctx, msg)
	if !relance.IsPermanent(err) || !errors.Is(err, relance.ErrDeviceGone) {
		t.Fatalf("unregistered token: err = %v, want permanent ErrDeviceGone", err)
	}
}

func TestFCMRefusedWithoutTheServiceAccountsKey(t *testing.T) {
	c := startCatcher(t)
	other := startCatcher(t)
	// Credentials of another service account, but the catcher's endpoint: no token, nothing sent.
	f := newFCM(t, other, c.FCMEndpoint())
	dev := &relance.Device{Kind: relance.DeviceFCM, Token: "fcm-token-0123456789abcdefghijklmnopqrstuvwxyz"}
	if _, err := f.Send(context.Background(), relance.Message{ID: "x", Subject: "s", Device: dev}); err == nil {
		t.Fatal("sent with a bearer token the endpoint never issued")
	}
	if n := len(c.Messages()); n != 0 {
		t.Fatalf("%d captured", n)
	}
}

func TestWebPushSendsVAPIDSignedEncryptedPushes(t *testing.T) {
	c := startCatcher(t)
	pub, priv, err := notify.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	wp, err := notify.NewWebPush(pub, priv, "ops@relance.test")
	if err != nil {
		t.Fatal(err)
	}
	endpoint, p256dh, auth, err := c.WebPushSubscription(pub)
	if err != nil {
		t.Fatal(err)
	}
	dev := &relance.Device{Kind: relance.DeviceWebPush, Token: endpoint, P256dh: p256dh, Auth: auth}
	ctx := context.Background()
	msg := relance.Message{ID: uuid.NewString(), Channel: relance.ChannelPush, Subject: "Rappel", Text: "Лид ждёт", Device: dev}
	if _, err := (notify.Push{WebPush: wp}).Send(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got := c.Messages()
	if len(got) != 1 || got[0].From != "web_push" || got[0].Subject != "Rappel" || got[0].Text != "Лид ждёт" ||
		got[0].MessageID != msg.ID || got[0].URL != "/alerts" {
		t.Fatalf("captured %+v", got)
	}

	// Signed with another VAPID key than the subscription's: refused (403), permanently.
	pub2, priv2, _ := notify.GenerateVAPIDKeys()
	other, _ := notify.NewWebPush(pub2, priv2, "ops@relance.test")
	if _, err := other.Send(ctx, msg); !relance.IsPermanent(err) || errors.Is(err, relance.ErrDeviceGone) {
		t.Fatalf("wrong VAPID key: err = %v, want a permanent failure", err)
	}

	c.ExpireWebPushSubscription(endpoint)
	if _, err := wp.Send(ctx, msg); !errors.Is(err, relance.ErrDeviceGone) || !relance.IsPermanent(err) {
		t.Fatalf("expired subscription: err = %v, want permanent ErrDeviceGone", err)
	}
	if n := len(c.Messages()); n != 1 {
		t.Fatalf("%d captured, want only the first", n)
	}
}

func TestNewWebPushRejectsBadKeys(t *testing.T) {
	pub, priv, _ := notify.GenerateVAPIDKeys()
	for name, keys := range map[string][3]string{
		"swapped":       {priv, pub, "ops@relance.test"},
		"not base64":    {"***", priv, "ops@relance.test"},
		"no subscriber": {pub, priv, ""},
	} {
		if _, err := notify.NewWebPush(keys[0], keys[1], keys[2]); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPushWithoutItsServiceIsPermanent(t *testing.T) {
	dev := &relance.Device{Kind: relance.DeviceWebPush}
	if _, err := (notify.Push{}).Send(context.Background(), relance.Message{Device: dev}); !relance.IsPermanent(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
}
