package apperr

import "testing"

func TestCodesAndStatus(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{BadInput("x"), "BAD_USER_INPUT"},
		{Conflict("y"), "CONFLICT"},
		{Forbidden("f"), "FORBIDDEN"},
		{NotFound("z").WithStatus("GONE"), "NOT_FOUND"},
		{Unauthenticated("u"), "UNAUTHENTICATED"},
	} {
		if got := tc.err.ErrorCode(); got != tc.want {
			t.Errorf("%v: code %q, want %q", tc.err, got, tc.want)
		}
	}
	if s := Conflict("c").WithStatus("SETTLED").ErrorDetails()["currentStatus"]; s != "SETTLED" {
		t.Errorf("currentStatus = %v", s)
	}
}
