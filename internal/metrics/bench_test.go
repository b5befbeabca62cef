package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// BenchmarkMiddleware is what the HTTP instrumentation adds to a request
// (compare with -bench 'Middleware/bare').
func BenchmarkMiddleware(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", mux}, {"instrumented", New().Middleware(mux)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			w := httptest.NewRecorder()
			for b.Loop() {
				c.h.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkGraphQLExtension is what counting and timing one operation
// costs.
func BenchmarkGraphQLExtension(b *testing.B) {
	ext := New().GraphQL().(graphql.ResponseInterceptor)
	oc := &graphql.OperationContext{Operation: &ast.OperationDefinition{Name: "Catalog", Operation: ast.Query}}
	ctx := graphql.WithOperationContext(graphql.StartOperationTrace(context.Background()), oc)
	resp := &graphql.Response{}
	next := func(context.Context) *graphql.Response { return resp }
	b.ReportAllocs()
	for b.Loop() {
		ext.InterceptResponse(ctx, next)
	}
}
