package httpapi

import (
	"testing"

	"bangfu/internal/metrics"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// No extension of the GraphQL server intercepts fields: graph/codegen
// marshals plain struct fields without gqlgen's per-field resolution, so a
// field interceptor would silently miss them. One that needs every field
// must come with that rewrite removed.
func TestNoFieldInterceptors(t *testing.T) {
	t.Parallel()
	all := extensions(Options{Metrics: metrics.New(), Introspection: true}, lru.New[*ast.QueryDocument](1))
	if len(all) < 5 {
		t.Fatalf("%d extensions: the options should turn on every one", len(all))
	}
	for _, e := range all {
		if _, ok := e.(graphql.FieldInterceptor); ok {
			t.Errorf("%T intercepts fields", e)
		}
	}
}
