package graph

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

// MaxPageSize caps first/last on every connection, nested ones included.
const MaxPageSize = 100

// PageSizeLimit is a handler extension that checks first/last on every
// connection in an operation before anything executes. Nested connections
// are eager-loaded by their parent's query, so checking in a field
// resolver would come too late. Like GitHub's API, it requires first or last:
// an unbounded connection would read a whole table.
type PageSizeLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = PageSizeLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (PageSizeLimit) ExtensionName() string { return "PageSizeLimit" }

// Validate implements graphql.HandlerExtension.
func (PageSizeLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (PageSizeLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	seen := map[string]bool{}
	return checkSelections(oc, oc.Operation.SelectionSet, seen)
}

func checkSelections(oc *graphql.OperationContext, set ast.SelectionSet, seenFragments map[string]bool) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := checkField(oc, s); err != nil {
				return err
			}
			if err := checkSelections(oc, s.SelectionSet, seenFragments); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := checkSelections(oc, s.SelectionSet, seenFragments); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if seenFragments[s.Name] || s.Definition == nil {
				continue
			}
			seenFragments[s.Name] = true
			if err := checkSelections(oc, s.Definition.SelectionSet, seenFragments); err != nil {
				return err
			}
		}
	}
	return nil
}

func isConnection(f *ast.Field) bool {
	return f.Definition != nil && f.Definition.Arguments.ForName("first") != nil &&
		strings.HasSuffix(f.Definition.Type.Name(), "Connection")
}

func checkField(oc *graphql.OperationContext, f *ast.Field) *gqlerror.Error {
	if !isConnection(f) {
		return nil
	}
	args := f.ArgumentMap(oc.Variables)
	first, hasFirst := intArg(args["first"])
	last, hasLast := intArg(args["last"])
	if !hasFirst && !hasLast {
		return pageErr(f, fmt.Sprintf("%s: pass first or last (at most %d) to page through the connection", f.Alias, MaxPageSize))
	}
	for name, v := range map[string]*int64{"first": pick(hasFirst, first), "last": pick(hasLast, last)} {
		if v != nil && (*v < 0 || *v > MaxPageSize) {
			return pageErr(f, fmt.Sprintf("%s: %s must be between 0 and %d, got %d", f.Alias, name, MaxPageSize, *v))
		}
	}
	return nil
}

func pick(ok bool, v int64) *int64 {
	if !ok {
		return nil
	}
	return &v
}

func pageErr(f *ast.Field, msg string) *gqlerror.Error {
	err := gqlerr.BadInput(msg)
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

// complexitySchema weighs each connection by its page size so the
// complexity limit bounds the rows a query can touch, not just its length.
type complexitySchema struct{ graphql.ExecutableSchema }

// Complexity implements graphql.ExecutableSchema.
func (s complexitySchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	n, ok := intArg(args["first"])
	if !ok {
		n, ok = intArg(args["last"])
	}
	if ok && n > 0 {
		return 1 + child*int(n), true
	}
	return s.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// OperationLimits caps the shape of a document before it runs: selection
// depth, number of aliased fields (aliases multiply work without raising
// the depth), and operations per document.
type OperationLimits struct {
	MaxDepth, MaxAliases, MaxOperations int
}

// ExtensionName implements graphql.HandlerExtension.
func (OperationLimits) ExtensionName() string { return "OperationLimits" }

// Validate implements graphql.HandlerExtension.
func (OperationLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (l OperationLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if n := len(oc.Doc.Operations); l.MaxOperations > 0 && n > l.MaxOperations {
		return gqlerr.BadInput(fmt.Sprintf("a document may hold at most %d operations, got %d", l.MaxOperations, n))
	}
	if oc.Operation == nil {
		return nil
	}
	aliases := 0
	depth := measure(oc.Operation.SelectionSet, 1, &aliases, map[string]bool{})
	if l.MaxDepth > 0 && depth > l.MaxDepth {
		return gqlerr.BadInput(fmt.Sprintf("query is %d levels deep; the limit is %d", depth, l.MaxDepth))
	}
	if l.MaxAliases > 0 && aliases > l.MaxAliases {
		return gqlerr.BadInput(fmt.Sprintf("query uses %d aliases; the limit is %d", aliases, l.MaxAliases))
	}
	return nil
}

// measure returns the depth of a selection set and counts aliased fields.
func measure(set ast.SelectionSet, level int, aliases *int, inFragment map[string]bool) int {
	deepest := level - 1
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				*aliases++
			}
			if strings.HasPrefix(s.Name, "__") {
				// Introspection (GraphiQL's query nests ofType ~14 deep) is
				// bounded by the schema itself and switched off in production.
				continue
			}
			d = level
			if len(s.SelectionSet) > 0 {
				d = measure(s.SelectionSet, level+1, aliases, inFragment)
			}
		case *ast.InlineFragment:
			d = measure(s.SelectionSet, level, aliases, inFragment)
		case *ast.FragmentSpread:
			if s.Definition == nil || inFragment[s.Name] {
				continue
			}
			inFragment[s.Name] = true
			d = measure(s.Definition.SelectionSet, level, aliases, inFragment)
			delete(inFragment, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}
