package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"bangfu/internal/audit"
)

// Operations makes every mutation field an operation: audited, named after
// it (audit.Begin), so that whatever it changes is one audit event naming
// the signed-in person however much of the work the server does as
// itself; and run to its end once begun, within the server's own deadline,
// even if the client hangs up (see finishOnHangUp).
type Operations struct{}

var (
	_ graphql.HandlerExtension     = Operations{}
	_ graphql.RootFieldInterceptor = Operations{}
)

// ExtensionName names the extension.
func (Operations) ExtensionName() string { return "AuditOperations" }

// Validate accepts any schema.
func (Operations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptRootField begins the operation for a mutation's root field.
func (Operations) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		var done context.CancelFunc
		ctx, done = finishOnHangUp(ctx)
		defer done()
		ctx = audit.Begin(ctx, graphql.GetRootFieldContext(ctx).Field.Name)
	}
	return next(ctx)
}

// finishOnHangUp returns ctx without the client's cancellation but with
// its deadline (the server's request timeout). A write the client stops
// waiting for still ends as it would have: cancelling it mid-transaction
// would gain nothing (a mutation is retried with its idempotency key, and
// finds what was done), and lib/pq cancels a statement by opening a
// connection to send the cancel request, holding the transaction's locks
// meanwhile: timed under TestPlaceOrderCancelledAnywhere's load, a
// cancelled placement returned 95–170 ms after its deadline, and a burst
// of them made every placement around miss its deadline. Queries still
// stop when their client leaves.
func finishOnHangUp(ctx context.Context) (context.Context, context.CancelFunc) {
	detached := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(detached, deadline)
	}
	return detached, func() {}
}
