// Package scope turns a coordinator's agreement scope into a query
// predicate. A scope names agreement versions and covers every version of
// the same agreement: the original, its amendments, and later ones, so an
// amendment never drops out of the coordinator's hands.
package scope

import (
	"bangfu/ent/agreement"
	"bangfu/ent/predicate"

	"entgo.io/ent/dialect/sql"
)

// Agreements matches every version of the agreements whose versions ids
// name.
func Agreements(ids []int) predicate.Agreement {
	return func(s *sql.Selector) {
		if len(ids) == 0 {
			s.Where(sql.False())
			return
		}
		t := sql.Table(agreement.Table).As("scoped")
		roots := sql.Select(t.C(agreement.FieldOriginalID)).From(t).
			Where(sql.And(sql.InInts(t.C(agreement.FieldID), ids...), sql.NotNull(t.C(agreement.FieldOriginalID))))
		s.Where(sql.Or(
			sql.InInts(s.C(agreement.FieldID), ids...),
			sql.InInts(s.C(agreement.FieldOriginalID), ids...),
			sql.In(s.C(agreement.FieldID), roots),
			sql.In(s.C(agreement.FieldOriginalID), roots),
		))
	}
}
