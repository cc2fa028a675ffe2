package relance

import (
	"errors"
	"fmt"
)

// Code classifies a domain error; the RPC layer maps each code to a wire status.
type Code string

// The error codes.
const (
	CodeInvalid            Code = "invalid"             // bad input, with field violations
	CodeNotFound           Code = "not_found"           // absent, or invisible to the caller
	CodeConflict           Code = "conflict"            // clashes with existing data
	CodePermissionDenied   Code = "permission_denied"   // visible but not allowed
	CodeUnauthenticated    Code = "unauthenticated"     // no valid credentials
	CodeFailedPrecondition Code = "failed_precondition" // not allowed in the current state
	CodeUnavailable        Code = "unavailable"         // cannot be served now; the same call may be retried
)

// Codes lists every error code, so that whatever maps codes (such as the RPC layer's wire
// statuses) can be checked against all of them.
var Codes = []Code{
	CodeInvalid, CodeNotFound, CodeConflict, CodePermissionDenied, CodeUnauthenticated,
	CodeFailedPrecondition, CodeUnavailable,
}

// FieldViolation names one bad input field and why it is bad.
type FieldViolation struct {
	Field   string // dotted path in the request, such as "windows[2].end"
	Message string
}

// Error is a domain error: something the caller did or asked that cannot be done.
// Anything else returned by a service is an internal error.
type Error struct {
	Code       Code
	Message    string
	Violations []FieldViolation
}

func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return e.Message
	}
	v := e.Violations[0]
	return fmt.Sprintf("%s: %s: %s", e.Message, v.Field, v.Message)
}

// Errorf returns a domain error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an invalid-input error for one field.
func Invalid(field, message string) *Error {
	return &Error{Code: CodeInvalid, Message: "invalid request", Violations: []FieldViolation{{Field: field, Message: message}}}
}

// NotFound returns the error for an object that does not exist or that the caller may not see:
// the two are never told apart, so that ids of other tenants reveal nothing.
func NotFound(what string) *Error {
	return Errorf(CodeNotFound, "%s not found", what)
}

// ErrorCode returns the code of a domain error in err's chain, or "" for any other error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// HasViolation reports whether err is a domain error naming field among its violations.
func HasViolation(err error, field string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, v := range e.Violations {
		if v.Field == field {
			return true
		}
	}
	return false
}
