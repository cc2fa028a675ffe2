package message

import (
	"strings"
	"testing"

	"github.com/relancehq/relance/internal/relance"
)

func TestRenderMessageCap(t *testing.T) {
	for _, tc := range []struct {
		locale  relance.Locale
		cap     string
		subject string
		text    string
	}{
		{relance.LocaleEN, "sms", "Daily SMS cap of 200 reached", "cap of 200 SMS to customers for 2026-12-02 (UTC)"},
		{relance.LocaleEN, "recipient", "Daily cap of 200 messages per recipient reached", "failed delivery on its lead"},
		{relance.LocaleFR, "email", "Plafond quotidien de 200 emails atteint", "plafond de 200 emails aux clients pour le 2026-12-02"},
		{relance.LocaleRU, "sms", "Достигнут дневной лимит SMS: 200", "лимита в 200 SMS"},
	} {
		got, err := Render("message_cap", tc.locale, MessageCap{RecipientName: "Admin", Cap: tc.cap, Limit: 200, Day: "2026-12-02"})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.locale, tc.cap, err)
		}
		if got.Subject != tc.subject || !strings.Contains(got.Text, tc.text) || got.SMS == "" || !strings.Contains(got.HTML, "200") {
			t.Errorf("%s %s = %q / %q / %q", tc.locale, tc.cap, got.Subject, got.Text, got.SMS)
		}
	}
}
