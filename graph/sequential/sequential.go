// Package sequential holds what the generated executor calls instead of
// gqlgen's concurrent list marshalling (graph/codegen rewrites the calls).
//
// gqlgen marshals the elements of a list of objects on one goroutine each.
// A new goroutine starts with a small stack and grows it, copying, as it
// descends the executor's deep call chain: on a 50-product catalog page
// that stack growth alone was about a tenth of the server's CPU. The
// elements' fields are in memory by then (resolvers load pages up front),
// so there is nothing to overlap and the request's own goroutine, whose
// stack has already grown, does the work.
package sequential

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalSlice has the signature and the meaning of gqlgen's
// graphql.MarshalSliceConcurrently, element by element on the calling
// goroutine: each element gets a field context with its index, and a
// panic in one records the error and makes the whole list null (unless
// the panic handler is omitted, as gqlgen's omit_panic_handler asks).
func MarshalSlice(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		if panicked := marshalOne(childCtx, ret, i, marshalElement); panicked {
			return nil
		}
	}
	return ret
}

func marshalOne(ctx context.Context, ret graphql.Array, i int,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			panicked = true
		}
	}()
	ret[i] = marshalElement(ctx, i)
	return false
}
