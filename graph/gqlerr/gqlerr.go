// Package gqlerr gives every GraphQL error a stable extensions.code and
// makes sure nothing internal (SQL, stack traces) reaches a client.
package gqlerr

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"strings"

	"bangfu/ent"
	"bangfu/ent/privacy"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Stable error codes in extensions.code.
const (
	BadUserInput    = "BAD_USER_INPUT"
	Unauthenticated = "UNAUTHENTICATED"
	Forbidden       = "FORBIDDEN"
	NotFound        = "NOT_FOUND"
	Conflict        = "CONFLICT"
	Internal        = "INTERNAL_SERVER_ERROR"
	// Unavailable: the database (or another part the server needs) does
	// not answer; retry later (HTTP 503 with Retry-After where the request
	// could not run at all).
	Unavailable = "UNAVAILABLE"
	// Cancelled: the client went away before the answer (nginx's 499).
	// No client ever reads it; it keeps hang-ups out of the internal
	// errors that operators are alerted to, in the logs and the metrics.
	Cancelled        = "CANCELLED"
	ParseFailed      = "GRAPHQL_PARSE_FAILED"
	ValidationFailed = "GRAPHQL_VALIDATION_FAILED"
)

// New returns an error with the given code.
func New(code, message string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": code}}
}

// BadInput is a BAD_USER_INPUT error.
func BadInput(message string) *gqlerror.Error { return New(BadUserInput, message) }

// Presenter returns the error presenter: known errors keep or get a code,
// anything unexpected is logged and replaced by a generic internal error.
func Presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if code, ok := gerr.Extensions["code"]; ok && code != "" {
			return gerr
		}
		code, message := classify(err)
		if code == Forbidden && !viewer.FromContext(ctx).Authenticated() {
			code, message = Unauthenticated, "sign in to do this"
		}
		if (code == Internal || code == Unavailable) && errors.Is(ctx.Err(), context.Canceled) {
			// The statement failed because the request was cancelled
			// (lib/pq reports it as the context's error or as PostgreSQL's
			// "canceling statement due to user request"), not the server.
			code, message = Cancelled, "the request was cancelled"
		}
		switch code {
		case Cancelled:
			log.InfoContext(ctx, "request cancelled: the client went away", "error", err.Error(), "path", gerr.Path.String())
		case Internal:
			log.ErrorContext(ctx, "unexpected resolver error", "error", err.Error(), "path", gerr.Path.String())
			message = "internal server error"
		case Unavailable:
			log.WarnContext(ctx, "database unavailable", "error", err.Error(), "path", gerr.Path.String())
		}
		if message != "" {
			gerr.Message = message
		}
		errcode.Set(gerr, code)
		var details interface{ ErrorDetails() map[string]any }
		if errors.As(err, &details) {
			for k, v := range details.ErrorDetails() {
				gerr.Extensions[k] = v
			}
		}
		return gerr
	}
}

// CodeOf is the extensions.code the API reports for err, "ok" for nil: the
// one mapping of errors to codes, for callers outside a GraphQL request
// (export handlers, tests).
func CodeOf(err error) string {
	if err == nil {
		return "ok"
	}
	code, _ := classify(err)
	return code
}

// Describe is the code of err and the message a client may see (empty
// for an internal error, whose message must not leak): for endpoints other
// than GraphQL that answer errors in the same terms.
func Describe(err error) (code, message string) {
	code, message = classify(err)
	if message == "" && code != Internal {
		message = err.Error()
	}
	return code, message
}

// classify maps a domain or storage error to a code and, where the raw
// message would leak internals, a safe replacement message.
func classify(err error) (code, message string) {
	var (
		notFound   *ent.NotFoundError
		validation *ent.ValidationError
		constraint *ent.ConstraintError
	)
	var domain interface {
		error
		ErrorCode() string
	}
	switch {
	case errors.As(err, &domain):
		// The domain error's own message, without the position or path
		// prefix of an error that wraps it.
		return domain.ErrorCode(), domain.Error()
	case errors.Is(err, privacy.Deny):
		return Forbidden, denialReason(err)
	case store.Unavailable(err):
		return Unavailable, "the database is unavailable; retry shortly"
	case errors.Is(err, gid.ErrInvalid):
		return BadUserInput, ""
	case errors.As(err, &notFound):
		return NotFound, "not found"
	case errors.As(err, &validation):
		return BadUserInput, validation.Error()
	case errors.As(err, &constraint):
		return Conflict, "the change conflicts with existing data"
	default:
		return Internal, ""
	}
}

// denialReason is a privacy rule's own reason (privacy.Denyf wraps Deny
// in it), which is ours and safe to show; a bare denial says no more.
func denialReason(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Unwrap(e) == privacy.Deny { //nolint:errorlint // looking for the error that wraps Deny itself
			if reason, ok := strings.CutSuffix(e.Error(), ": "+privacy.Deny.Error()); ok {
				return reason
			}
		}
	}
	return "you are not allowed to do this"
}

// Recover turns a resolver panic into a coded error without a stack trace;
// the panic itself is logged for operators, with the stack that raised it
// (gqlgen calls this from the deferred recover, before the stack unwinds),
// or nobody could find where it came from.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "resolver panic", "panic", p, "stack", string(debug.Stack()))
		return New(Internal, "internal server error")
	}
}
