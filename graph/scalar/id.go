// Package scalar holds bangfu's custom GraphQL scalar bindings. ID is bound
// to the opaque global IDs of internal/gid, so every ent integer key is
// encoded on the way out and decoded and type-checked on the way in. Bad
// input to any scalar is a BAD_USER_INPUT error.
package scalar

import (
	"fmt"
	"io"
	"strconv"

	"bangfu/graph/gqlerr"
	"bangfu/internal/gid"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalID writes an ent key as its opaque global ID.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		s, err := gid.Encode(id)
		if err != nil {
			// A key outside every type block means corrupt data; write null
			// rather than a guessable raw number.
			_, _ = io.WriteString(w, "null")
			return
		}
		_, _ = io.WriteString(w, strconv.Quote(s))
	})
}

// UnmarshalID decodes an opaque global ID into an ent key.
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, gqlerr.BadInput(fmt.Sprintf("%v: expected a string ID", gid.ErrInvalid))
	}
	id, _, err := gid.Decode(s)
	if err != nil {
		return 0, gqlerr.BadInput(err.Error())
	}
	return id, nil
}
