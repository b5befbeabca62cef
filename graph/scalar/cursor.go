package scalar

import (
	"io"

	"bangfu/graph/gqlerr"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
)

// MarshalCursor writes an opaque pagination cursor.
func MarshalCursor(c entgql.Cursor[int]) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { c.MarshalGQL(w) })
}

// UnmarshalCursor decodes a cursor; a malformed one is the client's mistake.
func UnmarshalCursor(v any) (entgql.Cursor[int], error) {
	var c entgql.Cursor[int]
	if err := c.UnmarshalGQL(v); err != nil {
		return c, gqlerr.BadInput("invalid cursor: pass a cursor exactly as returned in pageInfo or edges")
	}
	return c, nil
}
