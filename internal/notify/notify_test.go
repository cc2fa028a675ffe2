package notify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/relance"
)

func startCatcher(t *testing.T) *catcher.Catcher {
	t.Helper()
	c, err := catcher.Start("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestMailerSendsOverSMTP(t *testing.T) {
	c := startCatcher(t)
	m, err := notify.NewMailer(c.SMTPURL(), "Relance <no-reply@relance.test>")
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Send(context.Background(), relance.Message{
		Channel: relance.ChannelEmail, To: "lea@example.com", Subject: "Nouveau lead : Jérôme",
		Text: "Bonjour Léa,\nun lead vous attend.", HTML: "<p>Bonjour <b>Léa</b></p>",
	})
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		t.Error("no Message-ID returned")
	}
	msgs := c.Messages()
	if len(msgs) != 1 {
		t.Fatalf("captured %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.Subject != "Nouveau lead : Jérôme" || got.To[0] != "lea@example.com" {
		t.Errorf("subject/to = %q/%v", got.Subject, got.To)
	}
	if !strings.Contains(got.Text, "un lead vous attend") || !strings.Contains(got.HTML, "<b>Léa</b>") {
		t.Errorf("bodies not carried: text %q html %q", got.Text, got.HTML)
	}
}

func TestMailerRejectsBadAddressPermanently(t *testing.T) {
	c := startCatcher(t)
	m, _ := notify.NewMailer(c.SMTPURL(), "no-reply@relance.test")
	_, err := m.Send(context.Background(), relance.Message{Channel: relance.ChannelEmail, To: "not an address", Text: "x"})
	if !relance.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent failure", err)
	}
}

func TestMailerUnreachableIsTransient(t *testing.T) {
	m, _ := notify.NewMailer("smtp://127.0.0.1:1?tls=none", "no-reply@relance.test")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := m.Send(ctx, relance.Message{Channel: relance.ChannelEmail, To: "a@example.com", Text: "x"})
	if err == nil || relance.IsPermanent(err) {
		t.Fatalf("err = %v, want a transient failure", err)
	}
}

func TestNewMailerRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"http://x", "smtp://x:port", "smtp://x?tls=maybe"} {
		if _, err := notify.NewMailer(u, "a@b.c"); err == nil {
			t.Errorf("NewMailer(%q) accepted", u)
		}
	}
}

func TestSMSProvider(t *testing.T) {
	c := startCatcher(t)
	s := notify.NewSMS(c.SMSURL(), "AC123", "secret", "Relance")
	ctx := context.Background()
	id, err := s.Send(ctx, relance.Message{Channel: relance.ChannelSMS, To: "+33612345678", Text: "Nouveau lead"})
	if err != nil || !strings.HasPrefix(id, "SM") {
		t.Fatalf("send = %q, %v", id, err)
	}
	if msgs := c.Messages(); len(msgs) != 1 || msgs[0].To[0] != "+33612345678" || msgs[0].Text != "Nouveau lead" {
		t.Fatalf("captured %+v", msgs)
	}

	c.FailSMS(http.StatusServiceUnavailable, http.StatusBadRequest)
	if _, err := s.Send(ctx, relance.Message{To: "+33612345678", Text: "x"}); err == nil || relance.IsPermanent(err) {
		t.Errorf("503: err = %v, want transient", err)
	}
	if _, err := s.Send(ctx, relance.Message{To: "+33612345678", Text: "x"}); !relance.IsPermanent(err) {
		t.Errorf("400: err = %v, want permanent", err)
	}
}

func TestRouterWithoutChannelIsPermanent(t *testing.T) {
	_, err := notify.Router{}.Send(context.Background(), relance.Message{Channel: relance.ChannelSMS})
	if !relance.IsPermanent(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
}

func TestStableIdentityAcrossResends(t *testing.T) {
	c := startCatcher(t)
	ctx := context.Background()
	m, _ := notify.NewMailer(c.SMTPURL(), "no-reply@relance.test")
	msg := relance.Message{ID: "0193-abc", Channel: relance.ChannelEmail, To: "a@example.com", Subject: "s", Text: "t"}
	for range 2 {
		if _, err := m.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, got := range c.Messages() {
		if got.MessageID != "0193-abc@relance" {
			t.Fatalf("Message-ID = %q", got.MessageID)
		}
	}
	sms := notify.NewSMS(c.SMSURL(), "AC1", "x", "Relance")
	first, err1 := sms.Send(ctx, relance.Message{ID: "0193-def", To: "+33600000000", Text: "x"})
	again, err2 := sms.Send(ctx, relance.Message{ID: "0193-def", To: "+33600000000", Text: "x"})
	if err1 != nil || err2 != nil || first != again || len(c.Messages()) != 3 {
		t.Fatalf("idempotent SMS: %q %q (%v %v), %d captured", first, again, err1, err2, len(c.Messages()))
	}
}
