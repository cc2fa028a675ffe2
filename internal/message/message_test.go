package message

import (
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

func TestRenderLeadAssigned(t *testing.T) {
	data := LeadAssigned{
		AdvisorName: "Léa", ContactName: "Jean <Dupont>", ContactPhone: "+33612345678",
		Source: "web", SiteName: "Lyon", ReceivedAt: time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC),
	}
	for _, tc := range []struct {
		locale  relance.Locale
		subject string
		text    string
	}{
		{relance.LocaleFR, "Nouveau lead : Jean <Dupont>", "Téléphone : +33612345678"},
		{relance.LocaleEN, "New lead: Jean <Dupont>", "Received: 2026-03-02 09:15"},
		{relance.LocaleRU, "Новый лид: Jean <Dupont>", "Площадка: Lyon"},
		{"de", "Nouveau lead : Jean <Dupont>", "Source : web"}, // unknown locale falls back to French
	} {
		got, err := Render("lead_assigned", tc.locale, data)
		if err != nil {
			t.Fatalf("%s: %v", tc.locale, err)
		}
		if got.Subject != tc.subject {
			t.Errorf("%s subject = %q, want %q", tc.locale, got.Subject, tc.subject)
		}
		if !strings.Contains(got.Text, tc.text) {
			t.Errorf("%s text lacks %q:\n%s", tc.locale, tc.text, got.Text)
		}
		if strings.Contains(got.Text, "Email") && tc.locale != relance.LocaleRU {
			t.Errorf("%s text shows an empty email line", tc.locale)
		}
		if !strings.Contains(got.HTML, "Jean &lt;Dupont&gt;") {
			t.Errorf("%s html does not escape the contact name", tc.locale)
		}
	}
}

func TestRenderUnknownMessage(t *testing.T) {
	if _, err := Render("no_such_message", relance.LocaleEN, nil); err == nil {
		t.Fatal("want an error for a missing template")
	}
}

func TestRenderReminder(t *testing.T) {
	base := Reminder{RecipientName: "Alice", AdvisorName: "Alice", Rung: 1, ContactName: "Jean", Source: "web", SiteName: "Lyon", Waiting: 2*time.Hour + 5*time.Minute}
	got, err := Render("reminder", relance.LocaleEN, base)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Reminder: Jean is waiting for you" || !strings.Contains(got.Text, "2h05 of business time (reminder 1)") {
		t.Fatalf("advisor reminder = %q / %q", got.Subject, got.Text)
	}
	esc := base
	esc.RecipientName, esc.Escalation = "Marie", true
	for _, loc := range []relance.Locale{relance.LocaleFR, relance.LocaleEN, relance.LocaleRU} {
		got, err := Render("reminder", loc, esc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Subject, "Alice") || !strings.Contains(got.Text, "Marie") || got.SMS == "" || !strings.Contains(got.HTML, "<b>Alice</b>") {
			t.Errorf("%s escalation = %+v", loc, got)
		}
	}
}

func TestRenderActionDue(t *testing.T) {
	data := ActionDue{RecipientName: "Alice", Action: "call", Subject: "Tiède", ContactName: "Jean Dupont", ContactPhone: "+33612345678"}
	for _, loc := range []relance.Locale{relance.LocaleFR, relance.LocaleEN, relance.LocaleRU} {
		got, err := Render("action_due", loc, data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Subject, "Jean Dupont") || !strings.Contains(got.SMS, "+33612345678") ||
			!strings.Contains(got.Text, "Alice") || !strings.Contains(got.HTML, "Tiède") {
			t.Errorf("%s: %+v", loc, got)
		}
	}
}

func TestRenderLeadRepeat(t *testing.T) {
	data := LeadRepeat{
		RecipientName: "Alice", ContactName: "Jean <Dupont>", ContactPhone: "+33612345678", Source: "leboncoin", SiteName: "Lyon",
		ReceivedAt: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC), LeadReceivedAt: time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC),
	}
	for locale, want := range map[relance.Locale]string{
		relance.LocaleFR: "Lead ouvert reçu le : 2026-03-02 09:15",
		relance.LocaleEN: "Open lead received: 2026-03-02 09:15",
		relance.LocaleRU: "Открытый лид получен: 2026-03-02 09:15",
	} {
		got, err := Render("lead_repeat", locale, data)
		if err != nil {
			t.Fatalf("%s: %v", locale, err)
		}
		if !strings.Contains(got.Text, want) || !strings.Contains(got.SMS, "2026-03-02 09:15") ||
			!strings.Contains(got.HTML, "Jean &lt;Dupont&gt;") || strings.Contains(got.Text, "Email") {
			t.Errorf("%s: %q / %q / %q", locale, got.Text, got.SMS, got.HTML)
		}
	}
}
