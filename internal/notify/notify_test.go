package notify_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
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

func TestNewMailerRejectsBadURLsAndSenders(t *testing.T) {
	for _, u := range []string{"http://x", "smtp://x:port", "smtp://x?tls=maybe"} {
		if _, err := notify.NewMailer(u, "a@b.c"); err == nil {
			t.Errorf("NewMailer(%q) accepted", u)
		}
	}
	// A sender that is no address fails at start-up, not at every email.
	for _, from := range []string{"", "no address", "Relance <no-reply@>"} {
		if _, err := notify.NewMailer("smtp://127.0.0.1:25?tls=none", from); err == nil {
			t.Errorf("NewMailer with sender %q accepted", from)
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

func TestMailerReusesConnections(t *testing.T) {
	c := startCatcher(t)
	m, err := notify.NewMailer(c.SMTPURL(), "no-reply@relance.test", notify.WithConnections(3))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	for i := range 5 {
		if _, err := m.Send(ctx, relance.Message{ID: fmt.Sprintf("seq-%d", i), Channel: relance.ChannelEmail, To: "a@example.com", Subject: "s", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if got, sessions := c.Count(); got != 5 || sessions != 1 {
		t.Fatalf("%d emails over %d connections, want 5 over 1", got, sessions)
	}
	// Concurrent sends share at most three connections; every email arrives once.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			_, err := m.Send(ctx, relance.Message{ID: fmt.Sprintf("par-%d", i), Channel: relance.ChannelEmail, To: "b@example.com", Subject: "s", Text: "x"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]int{}
	for _, msg := range c.Messages() {
		ids[msg.MessageID]++
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
	if got, sessions := c.Count(); got != 25 || len(ids) != 25 || sessions > 3 {
		t.Fatalf("%d emails (%d distinct) over %d connections, want 25 over at most 3", got, len(ids), sessions)
	}
	// Closing the mailer says goodbye on the connections it kept.
	m.Close()
	if !waitFor(5*time.Second, func() bool { return c.SMTPSessionsOpen() == 0 }) {
		t.Fatalf("%d connections still open after Close", c.SMTPSessionsOpen())
	}
}

func TestMailerClosesIdleConnections(t *testing.T) {
	c := startCatcher(t)
	m, err := notify.NewMailer(c.SMTPURL(), "no-reply@relance.test", notify.WithMaxIdle(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if _, err := m.Send(ctx, relance.Message{ID: "first", Channel: relance.ChannelEmail, To: "a@example.com", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if open := c.SMTPSessionsOpen(); open != 1 {
		t.Fatalf("%d connections open after a send, want the one kept for the next", open)
	}
	if !waitFor(5*time.Second, func() bool { return c.SMTPSessionsOpen() == 0 }) {
		t.Fatal("an idle connection was never closed")
	}
	if _, err := m.Send(ctx, relance.Message{ID: "second", Channel: relance.ChannelEmail, To: "a@example.com", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if got, sessions := c.Count(); got != 2 || sessions != 2 {
		t.Fatalf("%d emails over %d connections, want 2 over 2", got, sessions)
	}
}

func TestMailerRedialsAConnectionTheServerClosed(t *testing.T) {
	first := startCatcher(t)
	addr := strings.TrimSuffix(strings.TrimPrefix(first.SMTPURL(), "smtp://"), "?tls=none")
	m, err := notify.NewMailer(first.SMTPURL(), "no-reply@relance.test")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if _, err := m.Send(ctx, relance.Message{ID: "before", Channel: relance.ChannelEmail, To: "a@example.com", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	// The server goes away with the pooled connection and comes back on the same address.
	first.Close()
	second, err := catcher.Start(addr, "127.0.0.1:0")
	if err != nil {
		t.Skipf("address %s not free again: %v", addr, err)
	}
	defer second.Close()
	if _, err := m.Send(ctx, relance.Message{ID: "after", Channel: relance.ChannelEmail, To: "a@example.com", Text: "x"}); err != nil {
		t.Fatalf("send after the server closed the pooled connection: %v", err)
	}
	// Each email once: nothing reached the old server again, the new one got the new email alone.
	if got, _ := first.Count(); got != 1 {
		t.Fatalf("the first server got %d emails, want 1", got)
	}
	msgs := second.Messages()
	if len(msgs) != 1 || msgs[0].MessageID != "after@relance" {
		t.Fatalf("the new server got %+v, want the one email sent after it came back", msgs)
	}
}

// waitFor polls cond every 20 ms until it holds or timeout passes, and reports whether it held.
func waitFor(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// A send that never got a connection did not reach the server: it says so (relance.NotTried),
// so that its wait is not counted as one of the message's attempts. One that got its connection
// and failed is an attempt.
func TestMailerTellsASendThatNeverGotAConnection(t *testing.T) {
	// A server that accepts, never greets and hangs up after a second: the first send holds the
	// only connection slot while it waits for the greeting.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			time.AfterFunc(time.Second, func() { _ = c.Close() })
		}
	}()
	m, err := notify.NewMailer("smtp://"+l.Addr().String()+"?tls=none", "no-reply@relance.test", notify.WithConnections(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	msg := relance.Message{Channel: relance.ChannelEmail, To: "a@example.com", Subject: "s", Text: "x"}
	first := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := m.Send(ctx, msg)
		first <- err
	}()
	time.Sleep(200 * time.Millisecond) // the first send takes the slot
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := m.Send(ctx, msg); !relance.IsNotTried(err) {
		t.Fatalf("a send that waited in vain for a connection: %v, want not tried", err)
	}
	if err := <-first; err == nil || relance.IsNotTried(err) || relance.IsPermanent(err) {
		t.Fatalf("a send whose server never greeted: %v, want a transient failure (an attempt)", err)
	}
}
