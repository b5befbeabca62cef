package scalar

import "github.com/vektah/gqlparser/v2/gqlerror"

// badInput builds a BAD_USER_INPUT error. It mirrors gqlerr.BadInput; the
// scalar package stays free of the graph's error package to avoid a cycle.
func badInput(msg string) error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": "BAD_USER_INPUT"}}
}
