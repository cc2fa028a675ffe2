package relance

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SenderMode says whose address an email a member sends (a manual plan step) comes from.
type SenderMode string

// The sender modes.
const (
	// SenderOrganization sends from the server's address under the member's name, with the
	// member as Reply-To: it passes SPF and DMARC whatever the member's domain. The default.
	SenderOrganization SenderMode = "organization"
	// SenderMember sends from the member's own address, for domains that let the server send
	// for them.
	SenderMember SenderMode = "member"
)

// MaxMailFiles bounds the bytes of the files one email carries before encoding: base64 makes
// them about 13.4 MiB on the wire, under the usual 20–25 MB limits of mail servers.
const MaxMailFiles = 10 << 20

// filesSize is the bytes of files in all, to hold against MaxMailFiles.
func filesSize(files []Attachment) int64 {
	var total int64
	for _, f := range files {
		total += f.Size
	}
	return total
}

// MaxSMSBody bounds the text of an SMS a member sends (ten concatenated segments).
const MaxSMSBody = 1600

// Sends reports whether carrying out a manual action of kind sends it to the customer.
func Sends(kind ActivityKind) bool { return kind == KindEmail || kind == KindSMS }

// MemberSender is who an email a member sends comes from under mode: the display name, the address
// ("" for the server's own) and the Reply-To ("" for none).
func MemberSender(mode SenderMode, member *User, orgName string) (name, address, replyTo string) {
	if mode == SenderMember {
		return member.DisplayName, member.Email, ""
	}
	name = member.DisplayName
	if orgName != "" {
		name += " — " + orgName
	}
	return name, "", member.Email
}

// CheckManualMessage checks what a member is about to send for a manual action of kind: a
// subject on one line, a body to send within its channel's length, and email files within
// MaxMailFiles in all. It returns invalid-input naming subject or body, or failed-precondition
// when the files are too large.
func CheckManualMessage(kind ActivityKind, subject, body string, files []Attachment) error {
	var vs []FieldViolation
	if strings.ContainsAny(subject, "\r\n") {
		vs = append(vs, FieldViolation{Field: "subject", Message: "must be on one line"})
	}
	switch {
	case strings.TrimSpace(body) == "":
		vs = append(vs, FieldViolation{Field: "body", Message: "is required to send the " + string(kind)})
	case kind == KindSMS && utf8.RuneCountInString(body) > MaxSMSBody:
		vs = append(vs, FieldViolation{Field: "body", Message: fmt.Sprintf("an SMS holds at most %d characters", MaxSMSBody)})
	}
	if len(vs) > 0 {
		return &Error{Code: CodeInvalid, Message: "invalid message", Violations: vs}
	}
	if kind != KindEmail {
		return nil
	}
	if total := filesSize(files); total > MaxMailFiles {
		return Errorf(CodeFailedPrecondition, "the action's files come to %d bytes; an email carries at most %d: remove some", total, MaxMailFiles)
	}
	return nil
}

// CheckSenderMode returns invalid-input naming field for a mode that is none of the sender modes.
func CheckSenderMode(field string, mode SenderMode) error {
	if mode != SenderOrganization && mode != SenderMember {
		return Invalid(field, "must be organization or member")
	}
	return nil
}

// CheckPlanFile checks that step of plan may carry one more file of size bytes: an automatic
// email step of a plan not archived, with fewer than MaxAttachments files and at most
// MaxMailFiles bytes in all. It returns failed-precondition otherwise.
func CheckPlanFile(plan *Plan, step int, size int64) error {
	if plan.ArchivedAt != nil {
		return Errorf(CodeFailedPrecondition, "the plan is archived")
	}
	if step < 0 || step >= len(plan.Steps) {
		return Errorf(CodeFailedPrecondition, "the plan has no step %d", step)
	}
	s := &plan.Steps[step]
	if !s.Automatic || s.Kind != KindEmail {
		return Errorf(CodeFailedPrecondition, "only an automatic email step carries files")
	}
	if len(s.Files) >= MaxAttachments {
		return Errorf(CodeFailedPrecondition, "a step carries at most %d files", MaxAttachments)
	}
	if total := size + filesSize(s.Files); total > MaxMailFiles {
		return Errorf(CodeFailedPrecondition, "the step's files would come to %d bytes; an email carries at most %d", total, MaxMailFiles)
	}
	return nil
}
