package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"bangfu/internal/audit"
)

// Operations makes every mutation field an audited operation named after
// it (audit.Begin): whatever it changes is one audit event naming the
// signed-in person, however much of the work the server does as itself.
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
		ctx = audit.Begin(ctx, graphql.GetRootFieldContext(ctx).Field.Name)
	}
	return next(ctx)
}
