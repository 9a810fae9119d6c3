// Package models holds the data the store persists and the one error type every
// layer returns. It imports nothing from GORM, gqlgen or net/http, so the pure
// domain packages may use it too.
package models

import (
	"errors"
	"fmt"
)

// Code classifies an Error. The GraphQL layer publishes it as extensions.code.
type Code string

// The codes an Error can carry. INTERNAL is never shown to clients with its detail.
const (
	CodeInvalid         Code = "INVALID"          // the input is malformed or out of range
	CodeNotFound        Code = "NOT_FOUND"        // the object does not exist or is not visible to the caller
	CodeConflict        Code = "CONFLICT"         // the write collides with existing data (duplicate key, reused id with other payload)
	CodeUnauthenticated Code = "UNAUTHENTICATED"  // no valid credentials
	CodeForbidden       Code = "FORBIDDEN"        // authenticated, but not allowed
	CodeRateLimited     Code = "RATE_LIMITED"     // too many attempts; retry later
	CodeDeviceNotBound  Code = "DEVICE_NOT_BOUND" // login or check-in from a device other than the approved one
	// CodePasswordChangeRequired: the account must change its password
	// (first login after an admin set it, or expired) before anything but
	// changePassword and logout.
	CodePasswordChangeRequired Code = "PASSWORD_CHANGE_REQUIRED"
	CodeUnavailable            Code = "UNAVAILABLE" // a dependency (the database) is down; the request may be retried
	CodeInternal               Code = "INTERNAL"    // a bug or an unexpected failure; detail only in the log
)

// Error is the one error type of onsite. Message is safe to show to the caller;
// Err, when set, is the underlying cause and is only logged.
type Error struct {
	Code    Code
	Message string
	Err     error
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, models.ErrNotFound) matches any NOT_FOUND error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels for errors.Is comparisons by code.
var (
	ErrInvalid         = &Error{Code: CodeInvalid}
	ErrNotFound        = &Error{Code: CodeNotFound}
	ErrConflict        = &Error{Code: CodeConflict}
	ErrUnauthenticated = &Error{Code: CodeUnauthenticated}
	ErrForbidden       = &Error{Code: CodeForbidden}
	ErrRateLimited     = &Error{Code: CodeRateLimited}
	ErrDeviceNotBound  = &Error{Code: CodeDeviceNotBound}
	ErrPasswordChange  = &Error{Code: CodePasswordChangeRequired}
	ErrUnavailable     = &Error{Code: CodeUnavailable}
	ErrInternal        = &Error{Code: CodeInternal}
)

// E builds an Error with a formatted, client-safe message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an Error with a client-safe message and a cause kept for the log.
func Wrap(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// CodeOf returns the code of the first *Error in err's chain, or INTERNAL.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
