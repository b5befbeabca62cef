package gqlerr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"bangfu/ent"
	"bangfu/ent/privacy"
	_ "bangfu/ent/runtime"
	"bangfu/internal/apperr"
	"bangfu/internal/gid"
	"bangfu/internal/viewer"
)

func TestPresenter(t *testing.T) {
	var logs bytes.Buffer
	present := Presenter(slog.New(slog.NewTextHandler(&logs, nil)))
	tests := []struct {
		name     string
		err      error
		code     string
		hideText bool
	}{
		{"coded error keeps its code", New(Conflict, "order is SHIPPED"), Conflict, false},
		{"invalid global ID", fmt.Errorf("decoding: %w", gid.ErrInvalid), BadUserInput, false},
		{"ent validation", validationError(t), BadUserInput, false},
		{"ent not found", &ent.NotFoundError{}, NotFound, false},
		{"ent constraint", &ent.ConstraintError{}, Conflict, true},
		{"anything else is internal", errors.New(`pq: relation "secret_table" does not exist`), Internal, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := present(context.Background(), tt.err)
			if got.Extensions["code"] != tt.code {
				t.Errorf("code = %v, want %s", got.Extensions["code"], tt.code)
			}
			if tt.hideText && strings.Contains(got.Message, tt.err.Error()) {
				t.Errorf("message leaks %q", got.Message)
			}
		})
	}
	// A privacy denial is FORBIDDEN for a signed-in user and
	// UNAUTHENTICATED for an anonymous one.
	signedIn := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1})
	if got := present(signedIn, privacy.Denyf("no")); got.Extensions["code"] != Forbidden {
		t.Errorf("signed-in denial = %v", got.Extensions["code"])
	}
	if got := present(context.Background(), privacy.Denyf("no")); got.Extensions["code"] != Unauthenticated {
		t.Errorf("anonymous denial = %v", got.Extensions["code"])
	}
	if !strings.Contains(logs.String(), "secret_table") {
		t.Error("internal error was not logged for operators")
	}

	// A client that hangs up cancels the request: what fails then is
	// CANCELLED and logged at INFO, not an internal error.
	logs.Reset()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range []error{
		fmt.Errorf("placeOrder insert nodes to table \"order_lines\": %w", context.Canceled),
		errors.New("pq: canceling statement due to user request"),
	} {
		if got := present(cancelled, err); got.Extensions["code"] != Cancelled {
			t.Errorf("%v after the client went away = %v, want %s", err, got.Extensions["code"], Cancelled)
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "level=INFO") {
		t.Errorf("a hang-up is logged at INFO, not ERROR:\n%s", logs.String())
	}
	// The same error on a live request is still internal.
	if got := present(context.Background(), errors.New("pq: canceling statement due to user request")); got.Extensions["code"] != Internal {
		t.Errorf("a cancelled statement on a live request = %v, want %s", got.Extensions["code"], Internal)
	}
}

func TestCodeOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{apperr.BadInput("x"), BadUserInput},
		{fmt.Errorf("wrapped: %w", apperr.Conflict("y")), Conflict},
		{apperr.NotFound("z").WithStatus("GONE"), NotFound},
		{privacy.Denyf("only the order's buyer may do this"), Forbidden},
		{&ent.NotFoundError{}, NotFound},
		{errors.New("disk on fire"), Internal},
	} {
		if got := CodeOf(tc.err); got != tc.want {
			t.Errorf("CodeOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	// A policy's own reason reaches the client; the bare denial does not
	// say more than that it is one.
	signedIn := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1})
	present := Presenter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if got := present(signedIn, privacy.Denyf("only the order's buyer may do this")); got.Message != "only the order's buyer may do this" {
		t.Errorf("denial message = %q", got.Message)
	}
	if got := present(signedIn, privacy.Deny); got.Message != "you are not allowed to do this" {
		t.Errorf("bare denial message = %q", got.Message)
	}
	// Wrapped in a positioned GraphQL error, the message stays the bare one.
	wrapped := &gqlerror.Error{Message: "x", Locations: []gqlerror.Location{{Line: 1, Column: 19}}, Err: apperr.BadInput("quantity must be positive")}
	if got := present(signedIn, wrapped); got.Message != "quantity must be positive" && got.Message != "x" {
		t.Errorf("wrapped domain error message = %q", got.Message)
	}
	if _, msg := classify(fmt.Errorf("resolving: %w", wrapped)); strings.HasPrefix(msg, "input") {
		t.Errorf("classified message carries the position prefix: %q", msg)
	}
	if _, msg := classify(fmt.Errorf("hook: %w", privacy.Denyf("only the order's buyer may do this"))); msg != "only the order's buyer may do this" {
		t.Errorf("wrapped denial reason = %q", msg)
	}
}

func TestRecoverHidesPanic(t *testing.T) {
	var logs bytes.Buffer
	recoverFn := Recover(slog.New(slog.NewTextHandler(&logs, nil)))
	var err error
	func() {
		defer func() { err = recoverFn(context.Background(), recover()) }()
		panicInResolver()
	}()
	if strings.Contains(err.Error(), "boom") || !strings.Contains(logs.String(), "boom") {
		t.Fatalf("error %q, logs %q", err, logs.String())
	}
	// The operator's log says where it panicked; the client does not.
	if !strings.Contains(logs.String(), "panicInResolver") || strings.Contains(err.Error(), "panicInResolver") {
		t.Fatalf("the log should carry the panic's stack and the error should not: error %q, logs %q", err, logs.String())
	}
}

//go:noinline
func panicInResolver() { panic("boom at resolver.go:42") }

// validationError gets a real ent.ValidationError: the field validators run
// before the driver is touched, so no database is needed.
func validationError(t *testing.T) error {
	ctx := viewer.AsSystem(context.Background())
	_, err := ent.NewClient().Product.Create().SetPriceFen(-1).Save(ctx)
	var v *ent.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want a validation error, got %v", err)
	}
	return err
}
