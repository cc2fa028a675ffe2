package relance_test

import (
	"testing"

	"github.com/relancehq/relance/internal/relance"
)

func TestCheckDevice(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		loopback bool
		ok       bool
	}{
		{"https://fcm.googleapis.com/fcm/send/abc", false, true},
		{"https://updates.push.services.mozilla.com/wpush/v2/abc", false, true},
		{"https://web.push.apple.com/QGm", false, true},
		{"https://wns2-par02p.notify.windows.com/w/?token=x", false, true},
		{"http://fcm.googleapis.com/fcm/send/abc", false, false},
		{"https://fcm.googleapis.com.evil.example/x", false, false},
		{"https://evilfcm.googleapis.com.example/x", false, false},
		{"https://notify.windows.com.evil.example/x", false, false},
		{"https://user:pass@fcm.googleapis.com/x", false, false},
		{"https://10.0.0.1/x", false, false},
		{"http://127.0.0.1:8025/webpush/x", false, false},
		{"http://127.0.0.1:8025/webpush/x", true, true},
		{"http://[::1]:8025/webpush/x", true, true},
		{"http://10.0.0.1/webpush/x", true, false},
		{"http://localhost:8025/webpush/x", true, false},
		{"ftp://127.0.0.1/x", true, false},
		{"/relative", false, false},
	} {
		err := relance.CheckDevice(relance.Device{Kind: relance.DeviceWebPush, Token: tc.endpoint}, tc.loopback)
		if (err == nil) != tc.ok {
			t.Errorf("%s (loopback %v): err = %v, want ok %v", tc.endpoint, tc.loopback, err, tc.ok)
		}
		if err != nil && relance.ErrorCode(err) != relance.CodeInvalid {
			t.Errorf("%s: err %v is not invalid input", tc.endpoint, err)
		}
	}
	if err := relance.CheckDevice(relance.Device{Kind: relance.DeviceFCM, Token: "token"}, false); err != nil {
		t.Errorf("FCM token: %v", err)
	}
}

func TestPushPreferencesWants(t *testing.T) {
	all, none := relance.DefaultPushPreferences, relance.PushPreferences{}
	for _, kind := range []relance.AlertKind{relance.AlertLeadAssigned, relance.AlertLeadReminder, relance.AlertActionDue} {
		if !all.Wants(kind) || none.Wants(kind) {
			t.Errorf("%s: default %v, none %v", kind, all.Wants(kind), none.Wants(kind))
		}
	}
	for _, kind := range []relance.AlertKind{relance.AlertDecisionNeeded, relance.AlertMessageCap, relance.AlertLeadImproperClosure, ""} {
		if all.Wants(kind) {
			t.Errorf("%s is pushed", kind)
		}
	}
	if (relance.PushPreferences{Reminders: true}).Wants("lead.assigned") {
		t.Error("reminders only, yet an assignment is pushed")
	}
}
