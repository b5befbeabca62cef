package limits

import (
	"strings"
	"unicode/utf8"

	"bangfu/graph/gqlerr"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// CheckDocument parses query (within MaxTokens) and checks every bound that
// the document alone decides: operations, selections after expansion,
// repeated response names, directives, depth, aliases, sign-ins and the
// input values written in it. It runs before validation, and its cost is
// linear in the document: each fragment is measured once.
func (l Limits) CheckDocument(query string) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, l.MaxTokens)
	if err != nil {
		if strings.Contains(err.Error(), "token limit") {
			return refuse(CodeTokens, "the document has more than %d tokens", l.MaxTokens)
		}
		var gerr *gqlerror.Error
		if e, ok := err.(*gqlerror.Error); ok { //nolint:errorlint // the parser returns its own type, unwrapped
			gerr = e
		} else {
			gerr = gqlerror.Wrap(err)
		}
		gerr.Extensions = map[string]any{"code": CodeParseFailed}
		return gerr
	}
	if n := len(doc.Operations); l.MaxOperations > 0 && n > l.MaxOperations {
		return refuse(CodeOperations, "a document may hold at most %d operations, got %d", l.MaxOperations, n)
	}
	if n := len(doc.Fragments); l.MaxFragments > 0 && n > l.MaxFragments {
		return refuse(CodeFragments, "a document may define at most %d fragments, got %d", l.MaxFragments, n)
	}
	m := measurer{limits: l, doc: doc, fragments: map[string]*shape{}}
	var total shape
	for _, op := range doc.Operations {
		s, err := m.set(op.SelectionSet)
		if err != nil {
			return err
		}
		total.add(s)
		if err := m.check(&total, true); err != nil {
			return err
		}
		if op.Operation == ast.Mutation && l.MaxSignIns > 0 && s.signIns > l.MaxSignIns {
			return refuse(CodeSignIns, "sign in (login or refreshToken) at most %d time per document", l.MaxSignIns)
		}
	}
	for _, f := range doc.Fragments {
		// Validation walks every fragment definition too, used or not:
		// each counts once more, as written.
		s, err := m.fragment(f.Name)
		if err != nil {
			return err
		}
		total.selections = sat(total.selections, s.selections)
		if err := m.check(&total, false); err != nil {
			return err
		}
	}
	if l.MaxDirectives > 0 && m.directives > l.MaxDirectives {
		return refuse(CodeDirectives, "the document uses %d directives; the limit is %d", m.directives, l.MaxDirectives)
	}
	return l.checkLiterals(doc)
}

// shape is what a selection set costs once its fragments are expanded.
type shape struct {
	selections int            // fields, expanded
	depth      int            // deepest field below the set (0: none)
	aliases    int            // aliased fields, expanded
	signIns    int            // login and refreshToken fields at the set's own level
	names      map[string]int // response names at the set's own level
}

// add sums b into a, saturating so that doubling fragments cannot overflow.
func (a *shape) add(b shape) {
	a.selections = sat(a.selections, b.selections)
	a.aliases = sat(a.aliases, b.aliases)
	a.depth = max(a.depth, b.depth)
}

const saturated = 1 << 40

func sat(a, b int) int { return min(a+b, saturated) }

type measurer struct {
	limits     Limits
	doc        *ast.QueryDocument
	fragments  map[string]*shape // measured fragments; nil while being measured
	directives int
}

// check bounds a shape. Depth is bounded only for whole operations: a
// fragment on an introspection type may nest deeper than the limit, and
// its depth does not count under __schema.
func (m *measurer) check(s *shape, operation bool) *gqlerror.Error {
	l := m.limits
	switch {
	case l.MaxSelections > 0 && s.selections > l.MaxSelections:
		return refuse(CodeSelections, "the document selects more than %d fields once its fragments are expanded", l.MaxSelections)
	case operation && l.MaxDepth > 0 && s.depth > l.MaxDepth:
		return refuse(CodeDepth, "the query is %d levels deep; the limit is %d", s.depth, l.MaxDepth)
	case l.MaxAliases > 0 && s.aliases > l.MaxAliases:
		return refuse(CodeAliases, "the query uses more than %d aliases", l.MaxAliases)
	}
	return nil
}

// fragment measures a named fragment once; a fragment that spreads itself
// (directly or not) is refused here, as validation would.
func (m *measurer) fragment(name string) (shape, *gqlerror.Error) {
	if s, seen := m.fragments[name]; seen {
		if s == nil {
			return shape{}, refuse(CodeIntrospect, "fragment %s spreads itself", name)
		}
		return *s, nil
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil {
		return shape{}, nil // validation reports the unknown fragment
	}
	m.fragments[name] = nil
	m.directives += len(def.Directives)
	s, err := m.set(def.SelectionSet)
	if err != nil {
		return shape{}, err
	}
	m.fragments[name] = &s
	return s, nil
}

// set measures a selection set.
func (m *measurer) set(set ast.SelectionSet) (shape, *gqlerror.Error) {
	out := shape{names: map[string]int{}}
	for _, sel := range set {
		var s shape
		switch x := sel.(type) {
		case *ast.Field:
			m.directives += len(x.Directives)
			name := x.Alias
			if name == "" {
				name = x.Name
			}
			out.names[name] = sat(out.names[name], 1)
			s.selections = 1
			if x.Alias != "" && x.Alias != x.Name {
				s.aliases = 1
			}
			if x.Name == "login" || x.Name == "refreshToken" {
				out.signIns = sat(out.signIns, 1)
			}
			if len(x.SelectionSet) > 0 {
				sub, err := m.set(x.SelectionSet)
				if err != nil {
					return out, err
				}
				s.selections = sat(s.selections, sub.selections)
				s.aliases = sat(s.aliases, sub.aliases)
				if !strings.HasPrefix(x.Name, "__") {
					// Introspection (GraphiQL's type references nest ~14
					// deep) is bounded by the schema, and off in production.
					s.depth = sub.depth
				}
			}
			s.depth++
		case *ast.InlineFragment:
			m.directives += len(x.Directives)
			sub, err := m.set(x.SelectionSet)
			if err != nil {
				return out, err
			}
			s = sub
			mergeNames(out.names, sub.names)
			out.signIns = sat(out.signIns, sub.signIns)
		case *ast.FragmentSpread:
			m.directives += len(x.Directives)
			sub, err := m.fragment(x.Name)
			if err != nil {
				return out, err
			}
			s = sub
			mergeNames(out.names, sub.names)
			out.signIns = sat(out.signIns, sub.signIns)
		}
		out.add(s)
		if err := m.check(&out, false); err != nil {
			return out, err
		}
	}
	if r := m.limits.MaxRepeats; r > 0 {
		for name, n := range out.names {
			if n > r {
				return out, refuse(CodeRepeats, "%s is selected %d times in one selection set; the limit is %d", name, n, r)
			}
		}
	}
	return out, nil
}

func mergeNames(into, from map[string]int) {
	for k, v := range from {
		into[k] = sat(into[k], v)
	}
}

// checkLiterals bounds the input values written in the document: their
// nesting (a where filter's not/and chains) and their number (a where
// filter's or lists), and refuses strings the database cannot store.
func (l Limits) checkLiterals(doc *ast.QueryDocument) *gqlerror.Error {
	w := inputWalker{limits: l}
	var walkSet func(ast.SelectionSet) *gqlerror.Error
	walkArgs := func(args ast.ArgumentList, dirs ast.DirectiveList) *gqlerror.Error {
		for _, a := range args {
			if err := w.literal(a.Value, 1); err != nil {
				return err
			}
		}
		for _, d := range dirs {
			for _, a := range d.Arguments {
				if err := w.literal(a.Value, 1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	walkSet = func(set ast.SelectionSet) *gqlerror.Error {
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.Field:
				if err := walkArgs(x.Arguments, x.Directives); err != nil {
					return err
				}
				if err := walkSet(x.SelectionSet); err != nil {
					return err
				}
			case *ast.InlineFragment:
				if err := walkArgs(nil, x.Directives); err != nil {
					return err
				}
				if err := walkSet(x.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if err := walkArgs(nil, x.Directives); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			if v.DefaultValue != nil {
				if err := w.literal(v.DefaultValue, 1); err != nil {
					return err
				}
			}
		}
		if err := walkSet(op.SelectionSet); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := walkSet(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

// CheckVariables bounds the variables of a request as CheckDocument bounds
// the values written in the document (each against the limits on its own).
func (l Limits) CheckVariables(vars map[string]any) *gqlerror.Error {
	w := inputWalker{limits: l}
	for _, v := range vars {
		if err := w.value(v, 1); err != nil {
			return err
		}
	}
	return nil
}

// inputWalker counts input values and their nesting.
type inputWalker struct {
	limits Limits
	values int
}

func (w *inputWalker) count(depth int) *gqlerror.Error {
	w.values++
	l := w.limits
	if l.MaxInputDepth > 0 && depth > l.MaxInputDepth {
		return refuse(CodeInput, "input values nest deeper than %d levels", l.MaxInputDepth)
	}
	if l.MaxInputValues > 0 && w.values > l.MaxInputValues {
		return refuse(CodeInput, "the request has more than %d input values", l.MaxInputValues)
	}
	return nil
}

func (w *inputWalker) literal(v *ast.Value, depth int) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if err := w.count(depth); err != nil {
		return err
	}
	if v.Kind == ast.StringValue || v.Kind == ast.BlockValue {
		if err := checkString(v.Raw); err != nil {
			return err
		}
	}
	for _, c := range v.Children {
		if err := w.literal(c.Value, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (w *inputWalker) value(v any, depth int) *gqlerror.Error {
	if err := w.count(depth); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		return checkString(x)
	case []any:
		for _, e := range x {
			if err := w.value(e, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range x {
			if err := checkString(k); err != nil {
				return err
			}
			if err := w.value(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkString refuses text no column can hold: a NUL byte (PostgreSQL
// rejects it) or bytes that are not UTF-8.
func checkString(s string) *gqlerror.Error {
	if strings.IndexByte(s, 0) >= 0 {
		return refuse(gqlerr.BadUserInput, "text must not contain NUL characters")
	}
	if !utf8.ValidString(s) {
		return refuse(gqlerr.BadUserInput, "text must be valid UTF-8")
	}
	return nil
}
