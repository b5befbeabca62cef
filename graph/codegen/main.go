// Command codegen is gqlgen's generate with changes of bangfu's to the
// executor it writes:
//
//   - fields below the root resolve one after another on the request's
//     goroutine instead of one goroutine per field (a plugin);
//   - so do the elements of lists: the generated calls to
//     graphql.MarshalSliceConcurrently are rewritten to
//     graph/sequential.MarshalSlice, which gqlgen has no option for;
//   - each object hands its @defer group to the executor only when it has
//     one (guardDeferredGroups): gqlgen builds the group, its response path
//     included, for every object, and the executor then ignores an empty one;
//   - a field that only reads a string, integer or boolean from its
//     object's struct is marshalled directly, without gqlgen's per-field
//     resolution (directFields);
//   - an object whose fields all have their values once its loop ends is
//     written by graph/sequential.Object instead of gqlgen's FieldSet, and
//     allocates no deferred set (sequentialObjects).
//
// Why: bangfu's resolvers load what a page shows up front (entgql's field
// collection, the catalog's joined page), so nested fields are mostly
// in-memory reads. gqlgen's default spawns a goroutine for every field that
// has a resolver or takes a context — on a 50-product catalog page that was
// 150 goroutines, each growing its stack through the executor's deep call
// chain — which cost about a third of the page's CPU and bought no
// parallelism worth having on a busy server. Root query fields stay
// concurrent (a few per request, and they may each wait on the database);
// mutations are already sequential in gqlgen.
//
// Run through `go generate ./...` (generate.go); it reads gqlgen.yml.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/99designs/gqlgen/plugin"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "codegen:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		return err
	}
	if err := api.Generate(cfg, api.AddPlugin(sequentialFields{})); err != nil {
		return err
	}
	return rewriteExecutor(cfg.Exec.Dir())
}

const (
	concurrentCall = "graphql.MarshalSliceConcurrently("
	sequentialCall = "sequential.MarshalSlice("
	sequentialPkg  = "bangfu/graph/sequential"
)

// rewriteExecutor rewrites every generated file of dir as the package
// comment lists: the list marshalling to graph/sequential's (same
// signature and meaning, no goroutine per element), then the deferred
// groups, the direct fields and the sequential objects.
func rewriteExecutor(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil {
		return err
	}
	for _, name := range files {
		src, err := os.ReadFile(name) //nolint:gosec // G304: the generated files gqlgen just wrote
		if err != nil {
			return err
		}
		lists := bytes.Contains(src, []byte(concurrentCall))
		src = bytes.ReplaceAll(src, []byte(concurrentCall), []byte(sequentialCall))
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return err
		}
		deferred := guardDeferredGroups(f)
		direct := directFields(f)
		objects := sequentialObjects(f)
		if lists || objects {
			astutil.AddImport(fset, f, sequentialPkg)
		}
		if !deferred && !direct && !objects && !lists {
			continue
		}
		var out bytes.Buffer
		if err := format.Node(&out, fset, f); err != nil {
			return err
		}
		if err := os.WriteFile(name, out.Bytes(), 0o644); err != nil { //nolint:gosec // G306: source files are world-readable
			return err
		}
	}
	return nil
}

// guardDeferredGroups wraps each generated
//
//	ec.ProcessDeferredGroup(graphql.DeferredGroup{Defers: d, Path: graphql.GetPath(ctx), ...})
//
// in `if len(d) > 0 { ... }`: ProcessDeferredGroup returns at once for an
// empty group (gqlgen's graphql.ExecutionContextState), but the path, one
// allocation per object, was built first. It reports whether it changed f.
func guardDeferredGroups(f *ast.File) bool {
	changed := false
	astutil.Apply(f, func(c *astutil.Cursor) bool {
		stmt, ok := c.Node().(*ast.ExprStmt)
		if !ok {
			return true
		}
		defers := deferredGroupDefers(stmt)
		if defers == nil {
			return true
		}
		c.Replace(&ast.IfStmt{
			Cond: &ast.BinaryExpr{X: &ast.CallExpr{Fun: ast.NewIdent("len"), Args: []ast.Expr{defers}}, Op: token.GTR,
				Y: &ast.BasicLit{Kind: token.INT, Value: "0"}},
			Body: &ast.BlockStmt{List: []ast.Stmt{stmt}},
		})
		changed = true
		return false
	}, nil)
	return changed
}

// deferredGroupDefers is the Defers value of an
// ec.ProcessDeferredGroup(graphql.DeferredGroup{...}) statement, or nil.
func deferredGroupDefers(stmt *ast.ExprStmt) ast.Expr {
	call, ok := stmt.X.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "ProcessDeferredGroup" {
		return nil
	}
	lit, ok := call.Args[0].(*ast.CompositeLit)
	if !ok {
		return nil
	}
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Defers" {
				return kv.Value
			}
		}
	}
	return nil
}

// sequentialFields turns off per-field goroutines on every object type
// except the query and subscription roots.
type sequentialFields struct{}

func (sequentialFields) Name() string { return "sequentialfields" }

var _ plugin.CodeGenerator = sequentialFields{}

func (sequentialFields) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if o == data.QueryRoot || o == data.SubscriptionRoot {
			continue
		}
		o.DisableConcurrency = true
	}
	return nil
}

// directMarshalers are the generated marshalers directFields may call
// without the field's own context: they read it only when the value
// marshals to null, and graphql.MarshalString, MarshalInt, MarshalInt64 and
// MarshalBoolean never do (TestDirectMarshalersNeverNull).
var directMarshalers = map[string]bool{
	"marshalNString2string": true, "marshalNInt2int": true, "marshalNInt642int64": true, "marshalNBoolean2bool": true,
}

// directFields rewrites each generated field function of the form
//
//	return graphql.ResolveField(ctx, ec.OperationContext, field, fieldContext,
//		func(ctx context.Context) (any, error) { return obj.Name, nil },
//		nil,
//		func(ctx context.Context, selections ast.SelectionSet, v string) graphql.Marshaler {
//			return ec.marshalNString2string(ctx, selections, v)
//		}, true, true)
//
// (a struct field of the object, no arguments, no directives, a marshaler
// of directMarshalers) to
//
//	return ec.marshalNString2string(ctx, field.Selections, obj.Name)
//
// Why: for such a field, ResolveField builds a field context, puts it in
// the request's context, sets up panic recovery and runs the resolver
// middleware (bangfu registers none: TestNoFieldInterceptors) around a read
// that cannot fail, cannot panic (the object is never nil there) and cannot
// be null: about six allocations a field, over a third of a catalog page's
// fields. It reports whether it changed f.
func directFields(f *ast.File) bool {
	changed := false
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || fn.Body == nil || len(fn.Body.List) != 1 {
			continue
		}
		ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
		if !ok || len(ret.Results) != 1 {
			continue
		}
		call, ok := ret.Results[0].(*ast.CallExpr)
		if !ok || !isSelector(call.Fun, "graphql", "ResolveField") || len(call.Args) != 9 {
			continue
		}
		read := structFieldRead(call.Args[4])
		marshal := marshalerCall(call.Args[6])
		if read == nil || marshal == "" || !directMarshalers[marshal] || !isIdent(call.Args[5], "nil") {
			continue
		}
		at := call.Lparen
		ret.Results[0] = &ast.CallExpr{
			Fun: &ast.SelectorExpr{X: identAt("ec", at), Sel: identAt(marshal, at)},
			Args: []ast.Expr{identAt("ctx", at),
				&ast.SelectorExpr{X: identAt("field", at), Sel: identAt("Selections", at)},
				&ast.SelectorExpr{X: identAt("obj", at), Sel: identAt(read.Sel.Name, at)}},
			Lparen: at, Rparen: at,
		}
		fn.Body.Rbrace = call.Lparen + 1 // no blank line where the long call was
		changed = true
	}
	return changed
}

// structFieldRead is obj.X when e is func(ctx context.Context) (any, error) { return obj.X, nil }.
func structFieldRead(e ast.Expr) *ast.SelectorExpr {
	lit, ok := e.(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return nil
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 2 || !isIdent(ret.Results[1], "nil") {
		return nil
	}
	sel, ok := ret.Results[0].(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "obj") {
		return nil
	}
	return sel
}

// marshalerCall is M when e is func(ctx, selections, v) graphql.Marshaler { return ec.M(ctx, selections, v) }.
func marshalerCall(e ast.Expr) string {
	lit, ok := e.(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return ""
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return ""
	}
	call, ok := ret.Results[0].(*ast.CallExpr)
	if !ok || len(call.Args) != 3 || !isIdent(call.Args[0], "ctx") || !isIdent(call.Args[1], "selections") || !isIdent(call.Args[2], "v") {
		return ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "ec") {
		return ""
	}
	return sel.Sel.Name
}

// identAt is an identifier at pos.
func identAt(name string, pos token.Pos) *ast.Ident { return &ast.Ident{Name: name, NamePos: pos} }

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isSelector(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(s.X, x) && s.Sel.Name == sel
}

// sequentialObjects rewrites the `return out` that ends each generated
// object marshaller,
//
//	fields := graphql.CollectFields(ec.OperationContext, sel, productImplementors)
//	out := graphql.NewFieldSet(fields)
//	…
//	return out
//
// to `return sequential.Object(fields, out.Values)`, when nothing in it
// resolves a field later (no out.Concurrently: the plugin above turned
// concurrency off below the root) and no field is deferred (no
// deferLabelToView[…]): then every value is set when the function returns,
// which is what sequential.Object needs. The root types keep gqlgen's
// FieldSet. It reports whether it changed f.
func sequentialObjects(f *ast.File) bool {
	changed := false
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || fn.Body == nil || len(fn.Body.List) < 3 || !declaresFieldSet(fn.Body.List[1]) {
			continue
		}
		last, ok := fn.Body.List[len(fn.Body.List)-1].(*ast.ReturnStmt)
		if !ok || len(last.Results) != 1 || !isIdent(last.Results[0], "out") || resolvesLater(fn.Body) {
			continue
		}
		// Every new node at the position of `out`: a node without one
		// lets the printer move the comments that follow into the call.
		at := last.Results[0].Pos()
		undeferred(fn.Body)
		last.Results[0] = &ast.CallExpr{
			Fun: &ast.SelectorExpr{X: identAt("sequential", at), Sel: identAt("Object", at)},
			Args: []ast.Expr{identAt("fields", at),
				&ast.SelectorExpr{X: identAt("out", at), Sel: identAt("Values", at)}},
			Lparen: at, Rparen: at,
		}
		changed = true
	}
	return changed
}

// undeferred declares the deferred field set and the deferred labels of
// an object marshaller that defers nothing as nil,
//
//	var deferredFieldSet *graphql.FieldSet
//	var deferLabelToView map[string]*graphql.FieldSetView
//
// instead of allocating both for every object: nothing is filed under a
// label (resolvesLater), so the guarded ProcessDeferredGroup never runs and
// len of a nil map is 0.
func undeferred(body *ast.BlockStmt) {
	for i, st := range body.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			continue
		}
		at := as.Pos()
		graphqlPointer := func(name string) ast.Expr {
			return &ast.StarExpr{Star: at, X: &ast.SelectorExpr{X: identAt("graphql", at), Sel: identAt(name, at)}}
		}
		var typ ast.Expr
		switch {
		case isIdent(as.Lhs[0], "deferredFieldSet"):
			typ = graphqlPointer("FieldSet")
		case isIdent(as.Lhs[0], "deferLabelToView"):
			typ = &ast.MapType{Map: at, Key: identAt("string", at), Value: graphqlPointer("FieldSetView")}
		default:
			continue
		}
		body.List[i] = &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: at, Tok: token.VAR,
			Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{identAt(as.Lhs[0].(*ast.Ident).Name, at)}, Type: typ}}}}
	}
}

// declaresFieldSet reports whether s is `out := graphql.NewFieldSet(fields)`.
func declaresFieldSet(s ast.Stmt) bool {
	as, ok := s.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 || !isIdent(as.Lhs[0], "out") {
		return false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	return ok && isSelector(call.Fun, "graphql", "NewFieldSet") && len(call.Args) == 1 && isIdent(call.Args[0], "fields")
}

// resolvesLater reports whether body hands a field to out.Concurrently
// or files one under deferLabelToView: its value is set after the
// function returns.
func resolvesLater(body *ast.BlockStmt) bool {
	later := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if isIdent(n.X, "out") && n.Sel.Name == "Concurrently" {
				later = true
			}
		case *ast.IndexExpr:
			if isIdent(n.X, "deferLabelToView") {
				later = true
			}
		}
		return !later
	})
	return later
}
