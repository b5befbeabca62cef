package limits

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"bangfu/graph/gqlerr"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Extension enforces the limits in gqlgen's handler: the document and its
// variables before validation, page sizes and (when off) introspection
// after it, and the number of errors in every response. Add it after the
// persisted-query extension, which turns a hash into the query it checks.
type Extension struct {
	Limits Limits
	// Checked is the executor's cache of validated documents: a document
	// found there has passed these limits already and is not measured again.
	Checked graphql.Cache[*ast.QueryDocument]
	// Introspection allows __schema and __type.
	Introspection bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = Extension{}

// ExtensionName implements graphql.HandlerExtension.
func (Extension) ExtensionName() string { return "Limits" }

// Validate implements graphql.HandlerExtension.
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator:
// it runs before the document is parsed and validated.
func (e Extension) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if err := e.Limits.CheckVariables(p.Variables); err != nil {
		return err
	}
	if e.Checked != nil {
		if _, ok := e.Checked.Get(ctx, p.Query); ok {
			return nil
		}
	}
	return e.Limits.CheckDocument(p.Query)
}

// MutateOperationContext implements graphql.OperationContextMutator: it
// runs after validation, before anything executes.
func (e Extension) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	c := checker{limits: e.Limits, oc: oc, introspection: e.Introspection, seen: map[string]bool{}}
	return c.set(oc.Operation.SelectionSet)
}

// InterceptResponse implements graphql.ResponseInterceptor.
func (e Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil {
		resp.Errors = CapErrors(resp.Errors, e.Limits.MaxErrors)
	}
	return resp
}

// checker walks a validated operation. Nested connections are eager-loaded
// by their parent's query, so page sizes are checked here, before
// anything runs, not in a field resolver; like GitHub's API it requires
// first or last, as an unbounded connection would read a whole table.
type checker struct {
	limits        Limits
	oc            *graphql.OperationContext
	introspection bool
	seen          map[string]bool // fragments already checked
}

func (c *checker) set(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := c.field(s); err != nil {
				return err
			}
			if err := c.set(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := c.set(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if c.seen[s.Name] || s.Definition == nil {
				continue
			}
			c.seen[s.Name] = true
			if err := c.set(s.Definition.SelectionSet); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *checker) field(f *ast.Field) *gqlerror.Error {
	if !c.introspection && (f.Name == "__schema" || f.Name == "__type") {
		return at(f, gqlerr.New(CodeIntrospect, "introspection is disabled"))
	}
	if f.Definition == nil {
		return nil
	}
	args := f.ArgumentMap(c.oc.Variables)
	pageSize := c.limits.MaxPageSize
	if f.Name == "nodes" && f.Definition.Arguments.ForName("ids") != nil {
		if ids, _ := args["ids"].([]any); pageSize > 0 && len(ids) > pageSize {
			return at(f, gqlerr.BadInput(fmt.Sprintf("nodes accepts at most %d IDs, got %d", pageSize, len(ids))))
		}
		return nil
	}
	if f.Definition.Arguments.ForName("first") == nil || !strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		return nil
	}
	first, hasFirst := intArg(args["first"])
	last, hasLast := intArg(args["last"])
	switch {
	case !hasFirst && !hasLast:
		return at(f, gqlerr.BadInput(fmt.Sprintf("%s: pass first or last (at most %d) to page through the connection", f.Alias, pageSize)))
	case hasFirst && hasLast:
		return at(f, gqlerr.BadInput(fmt.Sprintf("%s: pass first or last, not both", f.Alias)))
	}
	n, name := first, "first"
	if hasLast {
		n, name = last, "last"
	}
	if n < 0 || pageSize > 0 && n > int64(pageSize) {
		return at(f, gqlerr.BadInput(fmt.Sprintf("%s: %s must be between 0 and %d, got %d", f.Alias, name, pageSize, n)))
	}
	return nil
}

func at(f *ast.Field, err *gqlerror.Error) *gqlerror.Error {
	err.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
	return err
}

// intArg reads an integer argument as parsed from a literal or a variable.
func intArg(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// Weigh wraps an executable schema so that complexity counts rows: a
// connection weighs its page size times its children, and nodes(ids:) the
// number of IDs times its children. The complexity limit then bounds the
// rows a query can touch, not just its length.
func Weigh(es graphql.ExecutableSchema) graphql.ExecutableSchema { return weighed{es} }

type weighed struct{ graphql.ExecutableSchema }

// Complexity implements graphql.ExecutableSchema.
func (s weighed) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	n, ok := intArg(args["first"])
	if !ok {
		n, ok = intArg(args["last"])
	}
	if ok && n > 0 {
		return 1 + child*int(n), true
	}
	if ids, isList := args["ids"].([]any); isList && field == "nodes" {
		return 1 + child*max(len(ids), 1), true
	}
	return s.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}
