package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"bangfu/graph/gqlerr"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalInt64 writes a 64-bit integer as a JSON number.
func MarshalInt64(i int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.FormatInt(i, 10))
	})
}

// UnmarshalInt64 accepts only whole numbers: money is integer fen, so 12.5
// is rejected rather than rounded.
func UnmarshalInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return 0, gqlerr.BadInput(fmt.Sprintf("%s is not a whole number; amounts are integer fen (分)", n))
		}
		return i, nil
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, gqlerr.BadInput(fmt.Sprintf("%v is not a whole number; amounts are integer fen (分)", n))
		}
		return int64(n), nil
	default:
		return 0, gqlerr.BadInput(fmt.Sprintf("expected a whole number, got %T", v))
	}
}
