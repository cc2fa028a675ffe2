package relance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

func TestMemberSender(t *testing.T) {
	alice := &relance.User{DisplayName: "Alice Martin", Email: "alice@garage.example"}
	for _, tc := range []struct {
		mode                   relance.SenderMode
		name, address, replyTo string
	}{
		{relance.SenderOrganization, "Alice Martin — Garage Dupont", "", "alice@garage.example"},
		{relance.SenderMember, "Alice Martin", "alice@garage.example", ""},
	} {
		name, address, replyTo := relance.MemberSender(tc.mode, alice, "Garage Dupont")
		if name != tc.name || address != tc.address || replyTo != tc.replyTo {
			t.Errorf("%s: %q %q %q", tc.mode, name, address, replyTo)
		}
	}
}

func TestCheckManualMessage(t *testing.T) {
	big := []relance.Attachment{{Size: relance.MaxMailFiles - 10}, {Size: 11}}
	for _, tc := range []struct {
		name          string
		kind          relance.ActivityKind
		subject, body string
		files         []relance.Attachment
		want          relance.Code
		field         string
	}{
		{"email", relance.KindEmail, "Devis", "Bonjour", big[:1], "", ""},
		{"CRLF subject", relance.KindEmail, "Devis\r\nBcc: x@evil.example", "Bonjour", nil, relance.CodeInvalid, "subject"},
		{"CR subject", relance.KindEmail, "Devis\rX", "Bonjour", nil, relance.CodeInvalid, "subject"},
		{"blank body", relance.KindEmail, "Devis", " \n", nil, relance.CodeInvalid, "body"},
		{"files too large", relance.KindEmail, "Devis", "Bonjour", big, relance.CodeFailedPrecondition, ""},
		{"SMS ignores files", relance.KindSMS, "", "Bonjour", big, "", ""},
		{"SMS at its length", relance.KindSMS, "", strings.Repeat("é", relance.MaxSMSBody), nil, "", ""},
		{"SMS too long", relance.KindSMS, "", strings.Repeat("é", relance.MaxSMSBody+1), nil, relance.CodeInvalid, "body"},
	} {
		err := relance.CheckManualMessage(tc.kind, tc.subject, tc.body, tc.files)
		if got := relance.ErrorCode(err); got != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			continue
		}
		if e, ok := err.(*relance.Error); tc.field != "" && (!ok || e.Violations[0].Field != tc.field) {
			t.Errorf("%s: %v, want a violation of %s", tc.name, err, tc.field)
		}
	}
}

func TestCheckPlanFile(t *testing.T) {
	email := relance.Step{Kind: relance.KindEmail, Automatic: true}
	full := email
	for range relance.MaxAttachments {
		full.Files = append(full.Files, relance.Attachment{Size: 1})
	}
	heavy := email
	heavy.Files = []relance.Attachment{{Size: relance.MaxMailFiles - 10}}
	archived := relance.Plan{Steps: []relance.Step{email}, ArchivedAt: new(time.Now())}
	for _, tc := range []struct {
		name string
		plan relance.Plan
		step int
		size int64
		ok   bool
	}{
		{"automatic email", relance.Plan{Steps: []relance.Step{email}}, 0, 1000, true},
		{"up to the email's limit", relance.Plan{Steps: []relance.Step{heavy}}, 0, 10, true},
		{"past the email's limit", relance.Plan{Steps: []relance.Step{heavy}}, 0, 11, false},
		{"one file too many", relance.Plan{Steps: []relance.Step{full}}, 0, 1, false},
		{"manual email", relance.Plan{Steps: []relance.Step{{Kind: relance.KindEmail}}}, 0, 1, false},
		{"automatic SMS", relance.Plan{Steps: []relance.Step{{Kind: relance.KindSMS, Automatic: true}}}, 0, 1, false},
		{"no such step", relance.Plan{Steps: []relance.Step{email}}, 1, 1, false},
		{"negative step", relance.Plan{Steps: []relance.Step{email}}, -1, 1, false},
		{"archived plan", archived, 0, 1, false},
	} {
		err := relance.CheckPlanFile(&tc.plan, tc.step, tc.size)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && relance.ErrorCode(err) != relance.CodeFailedPrecondition {
			t.Errorf("%s: code %v", tc.name, relance.ErrorCode(err))
		}
	}
}
