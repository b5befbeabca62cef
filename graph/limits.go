package graph

import (
	"context"
	"fmt"

	"bangfu/graph/gqlerr"

	"github.com/99designs/gqlgen/graphql"
)

// MaxPageSize caps first/last on every connection, nested ones included.
const MaxPageSize = 100

// LimitPageSize is a field middleware rejecting first/last above
// MaxPageSize or below zero before any resolver runs, so a single request
// cannot ask for an unbounded page at any depth.
func LimitPageSize(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc != nil && fc.Args != nil {
		for _, name := range [...]string{"first", "last"} {
			v, ok := fc.Args[name].(*int)
			if !ok || v == nil {
				continue
			}
			if *v < 0 || *v > MaxPageSize {
				return nil, gqlerr.BadInput(fmt.Sprintf("%s must be between 0 and %d, got %d", name, MaxPageSize, *v))
			}
		}
	}
	return next(ctx)
}
