// Package apperr is the domain error every service returns for a refusal
// the client can act on: a message and a stable GraphQL extensions.code
// (graph/gqlerr presents it), with optional details such as the current
// state of the thing that refused.
package apperr

import "fmt"

// Error is a domain error with a stable GraphQL error code.
type Error struct {
	code string
	msg  string
	// Details are extra extensions for clients (e.g. currentStatus).
	Details map[string]any
}

func (e *Error) Error() string { return e.msg }

// ErrorCode is the extensions.code the API reports.
func (e *Error) ErrorCode() string { return e.code }

// ErrorDetails are extra extensions for the API error.
func (e *Error) ErrorDetails() map[string]any { return e.Details }

// New is an error with a code of its own (RATE_LIMITED, say).
func New(code, message string) *Error { return &Error{code: code, msg: message} }

func newf(code, format string, a ...any) *Error {
	return &Error{code: code, msg: fmt.Sprintf(format, a...)}
}

// BadInput says the request itself is wrong (BAD_USER_INPUT).
func BadInput(format string, a ...any) *Error { return newf("BAD_USER_INPUT", format, a...) }

// Conflict says the request is valid but the current state refuses it.
func Conflict(format string, a ...any) *Error { return newf("CONFLICT", format, a...) }

// Forbidden says the viewer may not do this.
func Forbidden(format string, a ...any) *Error { return newf("FORBIDDEN", format, a...) }

// NotFound says there is no such thing, or not visible to the viewer.
func NotFound(format string, a ...any) *Error { return newf("NOT_FOUND", format, a...) }

// Unauthenticated asks the caller to sign in first.
func Unauthenticated(format string, a ...any) *Error { return newf("UNAUTHENTICATED", format, a...) }

// WithStatus adds the refusing object's current status to the error.
func (e *Error) WithStatus(status string) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details["currentStatus"] = status
	return e
}
