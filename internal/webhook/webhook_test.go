package webhook_test

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/relancehq/relance/internal/webhook"
)

func TestWebhookMatches(t *testing.T) {
	cases := []struct {
		filter []string
		typ    string
		want   bool
	}{
		{nil, webhook.LeadCreated, true},
		{[]string{"*"}, webhook.CallRecorded, true},
		{[]string{"lead.*"}, webhook.LeadAssigned, true},
		{[]string{"lead.*"}, webhook.CallRecorded, false},
		{[]string{"call.recorded"}, webhook.CallRecorded, true},
		{[]string{"call.recorded"}, webhook.LeadCreated, false},
		{[]string{"lead.created", "action.*"}, webhook.ActionCompleted, true},
		{[]string{"lead"}, webhook.LeadCreated, false},
		{[]string{"call.recorded"}, webhook.Test, true},
	}
	for _, c := range cases {
		if got := webhook.Matches(c.filter, c.typ); got != c.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", c.filter, c.typ, got, c.want)
		}
	}
	for f, want := range map[string]bool{
		"*": true, "lead.*": true, "lead.created": true, "call.*": true, "nope.*": false,
		"lead.nope": false, "": false, "*.*": false, "lead*": false, ".*": false,
	} {
		if got := webhook.ValidFilter(f); got != want {
			t.Errorf("ValidFilter(%q) = %v, want %v", f, got, want)
		}
	}
}

func TestWebhookSecret(t *testing.T) {
	s, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("secret %q lacks the prefix", s)
	}
	if key, err := webhook.ParseSecret(s); err != nil || len(key) < 24 {
		t.Fatalf("ParseSecret(%q) = %d bytes, %v", s, len(key), err)
	}
	s2, _ := webhook.NewSecret()
	if s == s2 {
		t.Fatal("two secrets are equal")
	}
	for _, bad := range []string{"", "whsec_", "abc", "whsec_!!!", "whsec_c2hvcnQ=", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		if _, err := webhook.ParseSecret(bad); !errors.Is(err, webhook.ErrSecret) {
			t.Errorf("ParseSecret(%q) = %v, want ErrSecret", bad, err)
		}
	}
}

// The specification's published example (README of standard-webhooks): this secret, id,
// timestamp and body sign to this signature.
func TestWebhookSignatureVector(t *testing.T) {
	key, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := webhook.Signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0),
		[]byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

// An implementation that is not ours (the specification's Go library) verifies what we sign,
// with either secret while a rotation overlaps, and refuses a tampered body.
func TestWebhookVerifiedByStandardLibrary(t *testing.T) {
	oldS, _ := webhook.NewSecret()
	newS, _ := webhook.NewSecret()
	body := []byte(`{"type":"lead.created","timestamp":"2026-12-03T08:00:00Z","data":{"id":"x"}}`)
	now := time.Now()
	h, err := webhook.Headers("msg_1", now, body, newS, oldS)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(h.Get(webhook.HeaderSignature))); n != 2 {
		t.Fatalf("%d signatures, want 2", n)
	}
	for _, s := range []string{oldS, newS} {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, h); err != nil {
			t.Fatalf("verify with %s: %v", s[:10], err)
		}
		if err := wh.Verify(append(body, ' '), h); err == nil {
			t.Fatal("a tampered body verified")
		}
	}
	other, _ := webhook.NewSecret()
	wh, _ := standardwebhooks.NewWebhook(other)
	if err := wh.Verify(body, h); err == nil {
		t.Fatal("a foreign secret verified")
	}
	if _, err := webhook.Headers("msg_1", now, body, "nope"); err == nil {
		t.Fatal("a bad secret signed")
	}
}

func TestWebhookNextDelay(t *testing.T) {
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	for i, w := range want {
		d, ok := webhook.NextDelay(i+1, 0, 0.5) // jitter 0.5: no spread
		if !ok || d != w {
			t.Errorf("after attempt %d: %v %v, want %v", i+1, d, ok, w)
		}
		lo, _ := webhook.NextDelay(i+1, 0, 0)
		hi, _ := webhook.NextDelay(i+1, 0, 0.999)
		if lo < w*9/10 || hi > w*11/10 || lo >= hi {
			t.Errorf("after attempt %d: jitter range %v..%v around %v", i+1, lo, hi, w)
		}
	}
	if _, ok := webhook.NextDelay(8, 0, 0.5); ok {
		t.Error("a ninth attempt was scheduled")
	}
	if d, _ := webhook.NextDelay(1, time.Minute, 0.5); d != time.Minute {
		t.Errorf("Retry-After 1 min after attempt 1: %v", d)
	}
	if d, _ := webhook.NextDelay(3, time.Minute, 0.5); d != 30*time.Minute {
		t.Errorf("a short Retry-After shortened the schedule: %v", d)
	}
	if d, _ := webhook.NextDelay(1, 1000*time.Hour, 0.5); d != webhook.MaxRetryAfter {
		t.Errorf("Retry-After not capped: %v", d)
	}
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"": 0, "120": 2 * time.Minute, "-5": 0, "junk": 0, "999999999": webhook.MaxRetryAfter,
		now.Add(time.Hour).Format(http.TimeFormat): time.Hour,
	} {
		if got := webhook.ParseRetryAfter(v, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestWebhookClassify(t *testing.T) {
	for status, want := range map[int]webhook.Outcome{
		200: webhook.Delivered, 204: webhook.Delivered, 299: webhook.Delivered, 0: webhook.Retry,
		301: webhook.Retry, 400: webhook.Retry, 404: webhook.Retry, 429: webhook.Retry,
		500: webhook.Retry, 410: webhook.Gone,
	} {
		if got := webhook.Classify(status); got != want {
			t.Errorf("Classify(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestWebhookTargets(t *testing.T) {
	for raw, want := range map[string]error{
		"https://example.com/hook":     nil,
		"https://93.184.216.34/hook":   nil,
		"http://example.com/hook":      webhook.ErrURL,
		"ftp://example.com/":           webhook.ErrURL,
		"https://user:pw@example.com/": webhook.ErrURL,
		"/relative":                    webhook.ErrURL,
		"https://127.0.0.1/":           webhook.ErrAddress,
		"https://[::1]/":               webhook.ErrAddress,
		"https://10.1.2.3/":            webhook.ErrAddress,
		"https://169.254.169.254/":     webhook.ErrAddress,
		"https://localhost:8443/":      webhook.ErrAddress,
		"https://[::ffff:127.0.0.1]/":  webhook.ErrAddress,
	} {
		if got := webhook.CheckURL(raw, false); !errors.Is(got, want) && !(got == nil && want == nil) {
			t.Errorf("CheckURL(%q) = %v, want %v", raw, got, want)
		}
	}
	if err := webhook.CheckURL("http://127.0.0.1:8080/hook", true); err != nil {
		t.Errorf("private allowed: %v", err)
	}
	for addr, bad := range map[string]bool{
		"8.8.8.8": false, "2606:4700::1111": false, "127.0.0.53": true, "192.168.1.1": true,
		"172.16.0.1": true, "100.100.100.200": true, "fd00:ec2::254": true, "fe80::1": true,
		"0.0.0.0": true, "224.0.0.1": true, "::": true,
	} {
		err := webhook.CheckAddr(netip.MustParseAddr(addr))
		if (err != nil) != bad {
			t.Errorf("CheckAddr(%s) = %v, want refused=%v", addr, err, bad)
		}
	}
}
