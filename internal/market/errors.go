// Package market holds the marketplace's rules: placing orders without
// overselling, the order lifecycle, and settlement that turns sales into
// household income through benefit links. Resolvers call it; it decides.
package market

import "fmt"

// Error is a domain error with a stable GraphQL error code.
type Error struct {
	code string
	msg  string
	// Extra details for clients (e.g. the order's current status).
	Details map[string]any
}

func (e *Error) Error() string { return e.msg }

// ErrorCode is the extensions.code the API reports.
func (e *Error) ErrorCode() string { return e.code }

func badInput(format string, a ...any) *Error {
	return &Error{code: "BAD_USER_INPUT", msg: fmt.Sprintf(format, a...)}
}

func conflict(format string, a ...any) *Error {
	return &Error{code: "CONFLICT", msg: fmt.Sprintf(format, a...)}
}

func forbidden(format string, a ...any) *Error {
	return &Error{code: "FORBIDDEN", msg: fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) *Error {
	return &Error{code: "NOT_FOUND", msg: fmt.Sprintf(format, a...)}
}

// ErrorDetails are extra extensions for the API error.
func (e *Error) ErrorDetails() map[string]any { return e.Details }
