package relance

import (
	"net/mail"
	"strings"
)

// CheckNewOrganization returns invalid-input, with one violation per bad field, when a new
// organisation's name is blank or its first admin's email is not a bare address (local@domain,
// no display name).
func CheckNewOrganization(name, adminEmail string) error {
	var vs []FieldViolation
	if strings.TrimSpace(name) == "" {
		vs = append(vs, FieldViolation{Field: "name", Message: "is required"})
	}
	if a, err := mail.ParseAddress(adminEmail); err != nil || a.Address != adminEmail || !strings.Contains(adminEmail, "@") {
		vs = append(vs, FieldViolation{Field: "admin_email", Message: "is not a valid email address"})
	}
	if len(vs) > 0 {
		return &Error{Code: CodeInvalid, Message: "invalid organisation", Violations: vs}
	}
	return nil
}
