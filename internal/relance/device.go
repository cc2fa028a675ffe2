package relance

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ChannelPush is a push notification to one of a person's devices; its delivery's recipient is
// the device's id.
const ChannelPush Channel = "push"

// DeviceKind is the push service a device is reached through.
type DeviceKind string

// The device kinds.
const (
	DeviceFCM     DeviceKind = "fcm"      // Firebase Cloud Messaging: the mobile app
	DeviceWebPush DeviceKind = "web_push" // Web Push with VAPID: a browser
)

// Device is a device a person receives push notifications on.
type Device struct {
	ID     uuid.UUID
	UserID uuid.UUID
	Kind   DeviceKind
	// Token is the FCM registration token, or the Web Push subscription's endpoint URL.
	Token string
	// P256dh and Auth are a Web Push subscription's keys (base64url): the browser's public key
	// and the authentication secret the payload is encrypted with.
	P256dh     string
	Auth       string
	Label      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// PushService is the host of a Web Push device's push service ("" for other kinds).
func (d Device) PushService() string {
	if d.Kind != DeviceWebPush {
		return ""
	}
	u, err := url.Parse(d.Token)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// webPushHosts are the push services of the browsers people use (Chrome, Edge, Firefox, Safari,
// Samsung Internet and Opera use one of them): the server posts to a subscription's endpoint, so
// an endpoint elsewhere would make it call any address a person types.
var webPushHosts = []string{
	"fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com",
	"web.push.apple.com", "notify.windows.com",
}

// CheckDevice checks what a person registers: a Web Push endpoint must be an https URL on a
// known push service. With loopbackHTTP (tests, a local development push service) an http URL
// on a loopback address is accepted too. It returns an invalid-input error naming the field.
func CheckDevice(d Device, loopbackHTTP bool) error {
	if d.Kind != DeviceWebPush {
		return nil
	}
	const field = "web_push.endpoint"
	u, err := url.Parse(d.Token)
	if err != nil || u.Host == "" || u.User != nil {
		return Invalid(field, "must be an absolute URL without credentials")
	}
	host := strings.ToLower(u.Hostname())
	if loopbackHTTP && (u.Scheme == "http" || u.Scheme == "https") {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	if u.Scheme != "https" {
		return Invalid(field, "must be an https URL")
	}
	for _, h := range webPushHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return nil
		}
	}
	return Invalid(field, "is not on a known Web Push service")
}

// CheckOwnDevices says whether the caller may register devices and set push preferences: people
// only, for themselves.
func (p Principal) CheckOwnDevices() error {
	if p.UserID == uuid.Nil || p.Role == RolePartner {
		return Errorf(CodePermissionDenied, "only people have devices")
	}
	return nil
}

// PushPreferences says which notifications a person wants as push.
type PushPreferences struct {
	Assignments bool // a lead was assigned to them
	Reminders   bool // a lead of theirs, or of their advisor, waits for its first answer
	DueActions  bool // a manual action of theirs is due (or overdue)
}

// DefaultPushPreferences apply to a person who never chose: everything.
var DefaultPushPreferences = PushPreferences{Assignments: true, Reminders: true, DueActions: true}

// Wants reports whether an alert of kind goes as push. Other kinds (decisions, caps, improper
// closures) stay in the app and on email.
func (p PushPreferences) Wants(alertKind AlertKind) bool {
	switch alertKind {
	case AlertLeadAssigned:
		return p.Assignments
	case AlertLeadReminder:
		return p.Reminders
	case AlertActionDue:
		return p.DueActions
	}
	return false
}

// ErrDeviceGone is wrapped by a push sender's error when the push service says the device's
// token or subscription is no longer valid (FCM UNREGISTERED, Web Push 404 or 410): the device
// is removed, and the failure is permanent.
var ErrDeviceGone = errors.New("device unregistered")
