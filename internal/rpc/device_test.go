package rpc_test

import (
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

const (
	fcmToken = "dGhpcyBpcyBub3QgYSByZWFsIHRva2Vu:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx"
	p256dh   = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
	authKey  = "tBHItJI5svbpez7KI4CCXg"
)

func webPush(endpoint string) *v1.RegisterDeviceRequest {
	return &v1.RegisterDeviceRequest{Label: "Firefox on Android", Target: &v1.RegisterDeviceRequest_WebPush{
		WebPush: &v1.WebPushSubscription{Endpoint: endpoint, P256Dh: p256dh, Auth: authKey},
	}}
}

func fcm(token string) *v1.RegisterDeviceRequest {
	return &v1.RegisterDeviceRequest{Label: "Pixel 8", Target: &v1.RegisterDeviceRequest_FcmToken{FcmToken: token}}
}

func TestDevicesAreEachPersonsOwn(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	s := stackOn(t, db, testenv.NewWorld(t, db), rpc.Options{WebPushKey: "BPublicKey"})
	alice, bob := s.as(s.login(t, s.world.Alice.Email)), s.as(s.login(t, s.world.Bob.Email))

	phone, err := alice.device.RegisterDevice(ctx, connect.NewRequest(fcm(fcmToken)))
	if err != nil {
		t.Fatal(err)
	}
	browser, err := alice.device.RegisterDevice(ctx, connect.NewRequest(webPush("https://updates.push.services.mozilla.com/wpush/v2/gAAAAAB")))
	if err != nil {
		t.Fatal(err)
	}
	if d := browser.Msg.GetDevice(); d.GetKind() != v1.DeviceKind_DEVICE_KIND_WEB_PUSH || d.GetPushService() != "updates.push.services.mozilla.com" || d.GetLabel() != "Firefox on Android" {
		t.Errorf("web push device = %v", d)
	}
	// The same token again is the same device, relabelled.
	again := fcm(fcmToken)
	again.Label = "Pixel 8 Pro"
	same, err := alice.device.RegisterDevice(ctx, connect.NewRequest(again))
	if err != nil || same.Msg.GetDevice().GetId() != phone.Msg.GetDevice().GetId() {
		t.Fatalf("registering again: %v, %v", same, err)
	}
	list, err := alice.device.ListDevices(ctx, connect.NewRequest(&v1.ListDevicesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	labels := []string{}
	for _, d := range list.Msg.GetDevices() {
		labels = append(labels, d.GetLabel())
	}
	if !slices.Equal(labels, []string{"Pixel 8 Pro", "Firefox on Android"}) {
		t.Errorf("alice's devices = %v", labels)
	}

	// Bob neither sees nor removes Alice's devices; nor does an admin.
	if l, _ := bob.device.ListDevices(ctx, connect.NewRequest(&v1.ListDevicesRequest{})); len(l.Msg.GetDevices()) != 0 {
		t.Errorf("bob sees %d devices", len(l.Msg.GetDevices()))
	}
	admin := s.as(s.login(t, s.world.Admin.Email))
	for _, c := range []clients{bob, admin} {
		_, err = c.device.RemoveDevice(ctx, connect.NewRequest(&v1.RemoveDeviceRequest{DeviceId: phone.Msg.GetDevice().GetId()}))
		wantCode(t, err, connect.CodeNotFound)
	}
	// Another organisation's person neither.
	other := testenv.NewWorld(t, db)
	_, err = s.as(s.login(t, other.Alice.Email)).device.RemoveDevice(ctx, connect.NewRequest(&v1.RemoveDeviceRequest{DeviceId: phone.Msg.GetDevice().GetId()}))
	wantCode(t, err, connect.CodeNotFound)

	// Bob signs in on Alice's phone: the token is his now.
	if _, err := bob.device.RegisterDevice(ctx, connect.NewRequest(fcm(fcmToken))); err != nil {
		t.Fatal(err)
	}
	if l, _ := alice.device.ListDevices(ctx, connect.NewRequest(&v1.ListDevicesRequest{})); len(l.Msg.GetDevices()) != 1 {
		t.Errorf("alice keeps %d devices after bob took her phone's token, want 1", len(l.Msg.GetDevices()))
	}

	if _, err := alice.device.RemoveDevice(ctx, connect.NewRequest(&v1.RemoveDeviceRequest{DeviceId: browser.Msg.GetDevice().GetId()})); err != nil {
		t.Fatal(err)
	}
	_, err = alice.device.RemoveDevice(ctx, connect.NewRequest(&v1.RemoveDeviceRequest{DeviceId: browser.Msg.GetDevice().GetId()}))
	wantCode(t, err, connect.CodeNotFound)

	key, err := alice.device.GetWebPushKey(ctx, connect.NewRequest(&v1.GetWebPushKeyRequest{}))
	if err != nil || key.Msg.GetPublicKey() != "BPublicKey" {
		t.Errorf("web push key = %v, %v", key, err)
	}
}

func TestPushPreferences(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	alice := s.as(s.login(t, s.world.Alice.Email))
	got, err := alice.device.GetPushPreferences(ctx, connect.NewRequest(&v1.GetPushPreferencesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Msg.GetPreferences(); !p.GetAssignments() || !p.GetReminders() || !p.GetDueActions() {
		t.Errorf("defaults = %v, want everything", p)
	}
	want := &v1.PushPreferences{Assignments: true, Reminders: false, DueActions: true}
	if _, err := alice.device.SetPushPreferences(ctx, connect.NewRequest(&v1.SetPushPreferencesRequest{Preferences: want})); err != nil {
		t.Fatal(err)
	}
	got, err = alice.device.GetPushPreferences(ctx, connect.NewRequest(&v1.GetPushPreferencesRequest{}))
	if err != nil || got.Msg.GetPreferences().GetReminders() || !got.Msg.GetPreferences().GetAssignments() {
		t.Errorf("after set: %v, %v", got, err)
	}
	bob, _ := s.as(s.login(t, s.world.Bob.Email)).device.GetPushPreferences(ctx, connect.NewRequest(&v1.GetPushPreferencesRequest{}))
	if !bob.Msg.GetPreferences().GetReminders() {
		t.Error("alice's choice changed bob's preferences")
	}
	_, err = alice.device.SetPushPreferences(ctx, connect.NewRequest(&v1.SetPushPreferencesRequest{}))
	wantCode(t, err, connect.CodeInvalidArgument)
}

func TestHostileDeviceRegistrations(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	alice := s.as(s.login(t, s.world.Alice.Email))
	bad := func(name string, req *v1.RegisterDeviceRequest, field string) {
		t.Helper()
		_, err := alice.device.RegisterDevice(ctx, connect.NewRequest(req))
		ce := wantCode(t, err, connect.CodeInvalidArgument)
		got := violations(t, ce)
		if !slices.ContainsFunc(got, func(v string) bool { return strings.HasPrefix(v, field+":") }) {
			t.Errorf("%s: violations %v, want one on %s", name, got, field)
		}
	}
	bad("short token", fcm("abc"), "fcm_token")
	bad("token with spaces", fcm(strings.Repeat("a", 40)+" ; DROP"), "fcm_token")
	bad("huge token", fcm(strings.Repeat("a", 5000)), "fcm_token")
	bad("no target", &v1.RegisterDeviceRequest{Label: "x"}, "target")
	bad("not a URL", webPush("not a url"), "web_push.endpoint")
	bad("plain http", webPush("http://updates.push.services.mozilla.com/wpush/v2/x"), "web_push.endpoint")
	bad("internal address", webPush("https://169.254.169.254/latest/meta-data"), "web_push.endpoint")
	bad("loopback without the test setting", webPush("http://127.0.0.1:9/webpush/x"), "web_push.endpoint")
	bad("lookalike host", webPush("https://fcm.googleapis.com.evil.example/x"), "web_push.endpoint")
	short := webPush("https://fcm.googleapis.com/fcm/send/x")
	short.GetWebPush().P256Dh = p256dh[:40]
	bad("short key", short, "web_push.p256dh")
	noAuth := webPush("https://fcm.googleapis.com/fcm/send/x")
	noAuth.GetWebPush().Auth = "not+base64url/=="
	bad("bad auth", noAuth, "web_push.auth")
	long := fcm(fcmToken)
	long.Label = strings.Repeat("é", 201)
	bad("long label", long, "label")
	if l, _ := alice.device.ListDevices(ctx, connect.NewRequest(&v1.ListDevicesRequest{})); len(l.Msg.GetDevices()) != 0 {
		t.Fatalf("%d devices written by refused requests", len(l.Msg.GetDevices()))
	}
	_, err := alice.device.RemoveDevice(ctx, connect.NewRequest(&v1.RemoveDeviceRequest{DeviceId: "../../etc"}))
	wantCode(t, err, connect.CodeInvalidArgument)

	// A partner key has no devices.
	key, err := s.as(s.login(t, s.world.Admin.Email)).auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{
		Name: "form", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE},
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.as(key.Msg.GetSecret()).device.RegisterDevice(ctx, connect.NewRequest(fcm(fcmToken)))
	wantCode(t, err, connect.CodePermissionDenied)
}

func TestLoopbackWebPushOnlyWithTheSetting(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t, postgres.WithLoopbackPush())
	s := stackOn(t, db, testenv.NewWorld(t, db), rpc.Options{})
	alice := s.as(s.login(t, s.world.Alice.Email))
	if _, err := alice.device.RegisterDevice(ctx, connect.NewRequest(webPush("http://127.0.0.1:9/webpush/x"))); err != nil {
		t.Fatalf("loopback endpoint with the setting: %v", err)
	}
	_, err := alice.device.RegisterDevice(ctx, connect.NewRequest(webPush("http://10.0.0.1/webpush/x")))
	wantCode(t, err, connect.CodeInvalidArgument)
}
