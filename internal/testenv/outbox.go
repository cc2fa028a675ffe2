package testenv

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/notify"
)

// Outbox is where a test's workers send: a catcher's SMTP server, SMS endpoint, FCM endpoint
// (with a service account whose tokens the catcher issues) and Web Push service (with the test
// binary's VAPID key pair). A worker process started by the test reads it from its environment.
type Outbox struct {
	SMTPURL, SMSURL        string
	FCMFile, FCMEndpoint   string
	VAPIDPublic, VAPIDPriv string
}

// vapidKeys is one VAPID key pair per test binary: every worker of a test signs with it, as the
// workers of a deployment share theirs.
var vapidKeys = sync.OnceValues(func() ([2]string, error) {
	pub, priv, err := notify.GenerateVAPIDKeys()
	return [2]string{pub, priv}, err
})

// OutboxOf returns the outbox that sends to c.
func OutboxOf(t testing.TB, c *catcher.Catcher) Outbox {
	t.Helper()
	keys, err := vapidKeys()
	if err != nil {
		t.Fatal(err)
	}
	file, err := c.FCMCredentials(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return Outbox{SMTPURL: c.SMTPURL(), SMSURL: c.SMSURL(), FCMFile: file, FCMEndpoint: c.FCMEndpoint(),
		VAPIDPublic: keys[0], VAPIDPriv: keys[1]}
}

// outboxEnv names the variables Env and OutboxFromEnv carry an outbox in.
var outboxEnv = []string{"RELANCE_OUTBOX_SMTP", "RELANCE_OUTBOX_SMS", "RELANCE_OUTBOX_FCM_FILE",
	"RELANCE_OUTBOX_FCM_ENDPOINT", "RELANCE_OUTBOX_VAPID_PUBLIC", "RELANCE_OUTBOX_VAPID_PRIVATE"}

func (o *Outbox) fields() []*string {
	return []*string{&o.SMTPURL, &o.SMSURL, &o.FCMFile, &o.FCMEndpoint, &o.VAPIDPublic, &o.VAPIDPriv}
}

// Env is the outbox as environment variables for a worker process (see OutboxFromEnv).
func (o Outbox) Env() []string {
	var out []string
	for i, f := range o.fields() {
		out = append(out, outboxEnv[i]+"="+*f)
	}
	return out
}

// OutboxFromEnv reads the outbox a test handed its worker process with Env.
func OutboxFromEnv() Outbox {
	var o Outbox
	for i, f := range o.fields() {
		*f = os.Getenv(outboxEnv[i])
	}
	return o
}

// Router returns the senders of every channel, sending to the outbox. It returns an error when
// a sender cannot be built.
func (o Outbox) Router(ctx context.Context) (notify.Router, error) {
	mailer, err := notify.NewMailer(o.SMTPURL, "relance@test.example")
	if err != nil {
		return notify.Router{}, err
	}
	fcm, err := notify.NewFCM(ctx, o.FCMFile, o.FCMEndpoint)
	if err != nil {
		return notify.Router{}, err
	}
	wp, err := notify.NewWebPush(o.VAPIDPublic, o.VAPIDPriv, "mailto:ops@relance.test")
	if err != nil {
		return notify.Router{}, err
	}
	return notify.Router{Email: mailer, SMS: notify.NewSMS(o.SMSURL, "AC1", "x", "Relance"),
		Push: notify.Push{FCM: fcm, WebPush: wp}}, nil
}
