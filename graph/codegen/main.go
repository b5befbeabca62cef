// Command codegen is gqlgen's generate with two changes of bangfu's: fields
// below the root resolve one after another on the request's goroutine
// instead of one goroutine per field (a plugin), and so do the elements of
// lists (the generated calls to graphql.MarshalSliceConcurrently are
// rewritten to graph/sequential.MarshalSlice, which gqlgen has no option
// for).
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
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		fmt.Fprintln(os.Stderr, "codegen:", err)
		os.Exit(1)
	}
	if err := api.Generate(cfg, api.AddPlugin(sequentialFields{})); err != nil {
		fmt.Fprintln(os.Stderr, "codegen:", err)
		os.Exit(1)
	}
	if err := sequentialLists(cfg.Exec.Dir()); err != nil {
		fmt.Fprintln(os.Stderr, "codegen:", err)
		os.Exit(1)
	}
}

const (
	concurrentCall = "graphql.MarshalSliceConcurrently("
	sequentialCall = "sequential.MarshalSlice("
	sequentialPkg  = "bangfu/graph/sequential"
)

// sequentialLists rewrites the executor's list marshalling in every
// generated file of dir to graph/sequential's, which has the same
// signature and meaning but no goroutine per element.
func sequentialLists(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil {
		return err
	}
	for _, name := range files {
		src, err := os.ReadFile(name) //nolint:gosec // G304: the generated files gqlgen just wrote
		if err != nil {
			return err
		}
		if !bytes.Contains(src, []byte(concurrentCall)) {
			continue
		}
		src = bytes.ReplaceAll(src, []byte(concurrentCall), []byte(sequentialCall))
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return err
		}
		astutil.AddImport(fset, f, sequentialPkg)
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
