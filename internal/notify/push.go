package notify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"github.com/SherClockHolmes/webpush-go"
	"github.com/google/uuid"
	"google.golang.org/api/option"

	"github.com/relancehq/relance/internal/relance"
)

// Push sends push notifications, each through the service of its device: FCM for the mobile
// app, Web Push for browsers. A kind with no sender configured is a permanent failure.
type Push struct {
	FCM     *FCM
	WebPush *WebPush
}

// Send sends m to m.Device and returns the push service's message id.
func (p Push) Send(ctx context.Context, m relance.Message) (string, error) {
	if m.Device == nil {
		return "", relance.Permanent(errors.New("push without a device"))
	}
	switch {
	case m.Device.Kind == relance.DeviceFCM && p.FCM != nil:
		return p.FCM.Send(ctx, m)
	case m.Device.Kind == relance.DeviceWebPush && p.WebPush != nil:
		return p.WebPush.Send(ctx, m)
	}
	return "", relance.Permanent(fmt.Errorf("no %s push configured", m.Device.Kind))
}

// pushPayload is what a device receives: the notification's text, the delivery's id (the same on
// every try, so that an app shows a message resent after a crash once) and the page a tap opens.
type pushPayload struct {
	Title      string `json:"title"`
	Body       string `json:"body"`
	DeliveryID string `json:"delivery_id"`
	LeadID     string `json:"lead_id,omitempty"`
	URL        string `json:"url"`
}

func payloadOf(m relance.Message) pushPayload {
	p := pushPayload{Title: m.Subject, Body: m.Text, DeliveryID: m.ID, URL: "/alerts"}
	if m.LeadID != uuid.Nil {
		p.LeadID, p.URL = m.LeadID.String(), "/leads/"+m.LeadID.String()
	}
	return p
}

// FCM sends through Firebase Cloud Messaging's HTTP v1 API with a service account.
type FCM struct {
	client *messaging.Client
}

// NewFCM returns an FCM sender authenticated by the service-account JSON file at credentialsFile
// (its project_id names the Firebase project). endpoint replaces FCM's URL
// (https://fcm.googleapis.com/v1) when not empty, for a local stand-in. It returns an error when
// the file cannot be read or names no project.
func NewFCM(ctx context.Context, credentialsFile, endpoint string) (*FCM, error) {
	opts := []option.ClientOption{option.WithAuthCredentialsFile(option.ServiceAccount, credentialsFile)}
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimRight(endpoint, "/")))
	}
	app, err := firebase.NewApp(ctx, nil, opts...)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	client, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	return &FCM{client: client}, nil
}

// Send sends one notification and returns FCM's message name. An unregistered token is a
// permanent failure wrapping relance.ErrDeviceGone; a rejected message is permanent; anything
// else (network, quota, FCM unavailable) may succeed later.
func (f *FCM) Send(ctx context.Context, m relance.Message) (string, error) {
	p := payloadOf(m)
	data := map[string]string{"delivery_id": p.DeliveryID, "url": p.URL}
	if p.LeadID != "" {
		data["lead_id"] = p.LeadID
	}
	name, err := f.client.Send(ctx, &messaging.Message{
		Token:        m.Device.Token,
		Notification: &messaging.Notification{Title: p.Title, Body: p.Body},
		Data:         data,
		Android:      &messaging.AndroidConfig{Priority: "high"},
		APNS:         &messaging.APNSConfig{Headers: map[string]string{"apns-collapse-id": p.DeliveryID}},
	})
	switch {
	case err == nil:
		return name, nil
	case messaging.IsUnregistered(err):
		return "", relance.Permanent(fmt.Errorf("fcm: %w: %v", relance.ErrDeviceGone, err))
	case messaging.IsInvalidArgument(err), messaging.IsSenderIDMismatch(err), messaging.IsThirdPartyAuthError(err):
		return "", relance.Permanent(fmt.Errorf("fcm: %w", err))
	}
	return "", fmt.Errorf("fcm: %w", err)
}

// webPushTTL is how long a push service keeps a notification for a browser that is offline.
const webPushTTL = 24 * 60 * 60

// WebPush sends Web Push notifications (RFC 8030) signed with the server's VAPID key
// (RFC 8292), their payload encrypted for the subscription (RFC 8291, aes128gcm).
type WebPush struct {
	publicKey, privateKey string
	subscriber            string
	client                *http.Client
}

// NewWebPush returns a Web Push sender with a VAPID key pair (base64url, as GenerateVAPIDKeys
// gives) and the contact push services may reach the sender at (an email address or an https
// URL). It returns an error when a key does not decode to a P-256 key.
func NewWebPush(publicKey, privateKey, subscriber string) (*WebPush, error) {
	pub, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(publicKey, "="))
	priv, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(privateKey, "="))
	if err1 != nil || err2 != nil || len(pub) != 65 || pub[0] != 4 || len(priv) != 32 {
		return nil, errors.New("web push: VAPID keys must be a base64url P-256 public key (65 bytes) and private key (32 bytes)")
	}
	if subscriber == "" {
		return nil, errors.New("web push: a VAPID subscriber (email or https URL) is required")
	}
	return &WebPush{publicKey: publicKey, privateKey: privateKey, subscriber: subscriber,
		client: &http.Client{Timeout: 15 * time.Second}}, nil
}

// GenerateVAPIDKeys returns a new VAPID key pair, base64url.
func GenerateVAPIDKeys() (publicKey, privateKey string, err error) {
	privateKey, publicKey, err = webpush.GenerateVAPIDKeys()
	return publicKey, privateKey, err
}

// PublicKey is the VAPID public key browsers subscribe with (applicationServerKey).
func (w *WebPush) PublicKey() string { return w.publicKey }

// Send sends one notification and returns the push service's Location (the message's URL). A
// subscription the service reports gone (404, 410) is a permanent failure wrapping
// relance.ErrDeviceGone; another 4xx (but 429) is permanent; anything else may succeed later.
func (w *WebPush) Send(ctx context.Context, m relance.Message) (string, error) {
	body, _ := json.Marshal(payloadOf(m)) // cannot fail
	resp, err := webpush.SendNotificationWithContext(ctx, body, &webpush.Subscription{
		Endpoint: m.Device.Token, Keys: webpush.Keys{P256dh: m.Device.P256dh, Auth: m.Device.Auth},
	}, &webpush.Options{
		HTTPClient: w.client, Subscriber: w.subscriber, VAPIDPublicKey: w.publicKey, VAPIDPrivateKey: w.privateKey,
		TTL: webPushTTL, Urgency: webpush.UrgencyHigh,
		// A resend after a crash replaces the first while the browser has not fetched it.
		Topic: strings.ReplaceAll(m.ID, "-", ""),
	})
	if err != nil {
		// The HTTP conversation failed (*url.Error): try again. Anything else failed before it,
		// on the subscription's keys, and will again.
		if ue := (*url.Error)(nil); errors.As(err, &ue) || ctx.Err() != nil {
			return "", fmt.Errorf("web push: %w", err)
		}
		return "", relance.Permanent(fmt.Errorf("web push: %w", err))
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode/100 == 2:
		return resp.Header.Get("Location"), nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return "", relance.Permanent(fmt.Errorf("web push: %s: %w", resp.Status, relance.ErrDeviceGone))
	case resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests:
		return "", relance.Permanent(fmt.Errorf("web push: %s: %s", resp.Status, strings.TrimSpace(string(text))))
	}
	return "", fmt.Errorf("web push: %s", resp.Status)
}
