package relance

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestMessageCapsAdmit(t *testing.T) {
	caps := MessageCaps{SMSPerDay: 2, EmailsPerDay: 5, PerRecipientPerDay: 3}
	for _, tc := range []struct {
		name               string
		ch                 Channel
		orgSent, recipSent int
		want               string // the refusal's reason; "" admits
	}{
		{"first SMS of the day", ChannelSMS, 0, 0, ""},
		{"last SMS under the cap", ChannelSMS, 1, 0, ""},
		{"SMS cap reached", ChannelSMS, 2, 0, "daily SMS cap of 2 reached"},
		{"past the SMS cap (cap lowered today)", ChannelSMS, 9, 0, "daily SMS cap of 2 reached"},
		{"emails have their own cap", ChannelEmail, 2, 0, ""},
		{"email cap reached", ChannelEmail, 5, 0, "daily email cap of 5 reached"},
		{"recipient cap reached", ChannelEmail, 3, 3, "daily cap of 3 messages per recipient reached"},
		{"organisation's cap named first", ChannelSMS, 2, 3, "daily SMS cap of 2 reached"},
		{"recipient under its cap", ChannelSMS, 1, 2, ""},
	} {
		got := caps.Admit(tc.ch, tc.orgSent, tc.recipSent)
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s: refused (%v), want admitted", tc.name, got)
		case tc.want != "" && (got == nil || got.Error() != tc.want):
			t.Errorf("%s: %v, want %q", tc.name, got, tc.want)
		}
	}
	if got := (MessageCaps{}).Admit(ChannelSMS, 0, 0); got == nil || got.Cap != CapSMS {
		t.Errorf("a cap of 0 admits: %v", got)
	}
}

func TestMessageCapsValidate(t *testing.T) {
	for _, tc := range []struct {
		caps  MessageCaps
		field string
	}{
		{DefaultMessageCaps(), ""},
		{MessageCaps{}, ""},
		{MessageCaps{SMSPerDay: MaxSMSPerDay, EmailsPerDay: MaxEmailsPerDay, PerRecipientPerDay: MaxPerRecipientPerDay}, ""},
		{MessageCaps{SMSPerDay: -1}, "sms_daily_cap"},
		{MessageCaps{SMSPerDay: MaxSMSPerDay + 1}, "sms_daily_cap"},
		{MessageCaps{EmailsPerDay: MaxEmailsPerDay + 1}, "email_daily_cap"},
		{MessageCaps{PerRecipientPerDay: MaxPerRecipientPerDay + 1}, "recipient_daily_cap"},
	} {
		err := tc.caps.Validate()
		var field string
		if e, ok := err.(*Error); ok && len(e.Violations) > 0 {
			field = e.Violations[0].Field
		}
		if field != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("%+v: %v, want a violation of %q", tc.caps, err, tc.field)
		}
	}
}

func TestCapDayIsTheUTCDate(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for in, want := range map[time.Time]string{
		time.Date(2026, 12, 2, 0, 30, 0, 0, paris):      "2026-12-01", // 23:30 UTC the day before
		time.Date(2026, 12, 2, 23, 30, 0, 0, paris):     "2026-12-02",
		time.Date(2026, 12, 2, 23, 59, 59, 0, time.UTC): "2026-12-02",
	} {
		if got := CapDay(in); got.Format(time.DateOnly) != want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("CapDay(%v) = %v, want %s", in, got, want)
		}
	}
}

func TestPlanAdmitsPartnerLeadsOnlyWhenAllowed(t *testing.T) {
	sms := Step{Kind: KindSMS, Automatic: true}
	call := Step{Kind: KindCall}
	partner := &Lead{PartnerKeyID: uuid.New()}
	person := &Lead{}
	for _, tc := range []struct {
		name  string
		plan  Plan
		lead  *Lead
		admit bool
	}{
		{"person's lead, automatic SMS", Plan{Steps: []Step{sms}}, person, true},
		{"partner's lead, automatic SMS", Plan{Steps: []Step{call, sms}}, partner, false},
		{"partner's lead, plan allows partner leads", Plan{PartnerLeadsAllowed: true, Steps: []Step{sms}}, partner, true},
		{"partner's lead, manual steps only", Plan{Steps: []Step{call, {Kind: KindSMS}}}, partner, true},
	} {
		if err := tc.plan.AdmitsByRule(tc.lead); (err == nil) != tc.admit {
			t.Errorf("%s: %v, want admitted %v", tc.name, err, tc.admit)
		}
	}
}

func TestSMSNumber(t *testing.T) {
	for in, want := range map[string]string{
		"+1 514 555 0123":   "+15145550123", // fixed line or mobile: cannot be told apart
		"+33 6 12 34 56 78": "+33612345678",
		"+33 4 78 00 00 01": "", // a fixed line
		"0033612345678":     "", // 00 is an international prefix only in a country
		"0612345678":        "", // national: no country to send to
		"+33 6 12":          "", // too short
		"not a number":      "",
		"":                  "",
	} {
		got, err := SMSNumber(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("SMSNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
