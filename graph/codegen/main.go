// Command codegen is gqlgen's generate with changes of bangfu's to the
// executor it writes: fields below the root resolve one after another on
// the request's goroutine instead of one goroutine per field (a plugin), and
// so do the elements of lists (the generated calls to
// graphql.MarshalSliceConcurrently are rewritten to
// graph/sequential.MarshalSlice, which gqlgen has no option for). And each
// object hands its @defer group to the executor only when it has one: gqlgen
// builds the group, its response path included, for every object of every
// response, and the executor then ignores an empty one.
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

// rewriteExecutor rewrites every generated file of dir: the list
// marshalling to graph/sequential's, which has the same signature and
// meaning but no goroutine per element, and each object's deferred group
// to be built only when the object has deferred fields.
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
		if lists {
			astutil.AddImport(fset, f, sequentialPkg)
		}
		if !guardDeferredGroups(f) && !lists {
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
