package scalar

import (
	"io"
	"strconv"
	"time"

	"bangfu/graph/gqlerr"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalTime writes a timestamp as RFC 3339 in UTC, whatever location the
// database driver attached to it.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime accepts an RFC 3339 timestamp with an explicit offset and
// normalizes it to UTC.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, gqlerr.BadInput("time must be an RFC 3339 string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, gqlerr.BadInput("time must be RFC 3339 with an offset, e.g. 2025-01-31T08:00:00Z")
	}
	return t.UTC(), nil
}
