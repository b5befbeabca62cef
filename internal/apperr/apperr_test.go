package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{BadInput("x"), "BAD_USER_INPUT"},
		{fmt.Errorf("wrapped: %w", Conflict("y")), "CONFLICT"},
		{NotFound("z").WithStatus("GONE"), "NOT_FOUND"},
		{errors.New("disk on fire"), ""},
	} {
		if got := CodeOf(tc.err); got != tc.want {
			t.Errorf("CodeOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if s := Conflict("c").WithStatus("SETTLED").ErrorDetails()["currentStatus"]; s != "SETTLED" {
		t.Errorf("currentStatus = %v", s)
	}
}
