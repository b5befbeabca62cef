package main

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"bangfu/graph/scalar"

	"github.com/99designs/gqlgen/graphql"
)

// rewrite parses src, applies fn and returns whether fn reported a change
// with the formatted source before and after it.
func rewrite(t *testing.T, src string, fn func(*ast.File) bool) (changed bool, before, after string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b, a bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		t.Fatal(err)
	}
	changed = fn(f)
	if err := format.Node(&a, fset, f); err != nil {
		t.Fatal(err)
	}
	return changed, b.String(), a.String()
}

// The deferred group is built only when the object has one; any other
// call is left as gqlgen wrote it.
func TestGuardDeferredGroups(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       string // in the output; empty: unchanged
	}{
		{"a deferred group", `ec.ProcessDeferredGroup(graphql.DeferredGroup{Defers: deferLabelToView, Path: graphql.GetPath(ctx)})`,
			"if len(deferLabelToView) > 0 {\n\t\tec.ProcessDeferredGroup("},
		{"another call", `ec.Other(graphql.DeferredGroup{Defers: deferLabelToView})`, ""},
		{"no Defers field", `ec.ProcessDeferredGroup(graphql.DeferredGroup{Path: nil})`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := "package p\n\nfunc f() {\n\t" + tc.body + "\n}\n"
			changed, _, out := rewrite(t, src, guardDeferredGroups)
			if changed != (tc.want != "") {
				t.Errorf("changed = %v", changed)
			}
			if tc.want == "" && out != src {
				t.Errorf("rewrote what it should leave:\n%s", out)
			}
			if tc.want != "" && !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

// A struct-field read with a marshaler of directMarshalers is marshalled
// directly; anything else (a resolver, directives, another marshaler) is
// left to gqlgen's resolution.
func TestDirectFields(t *testing.T) {
	t.Parallel()
	field := func(read, middleware, marshal string) string {
		return `return graphql.ResolveField(ctx, ec.OperationContext, field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) { return ec.fieldContext_Product_name(ctx, field) },
		func(ctx context.Context) (any, error) { ` + read + ` },
		` + middleware + `,
		func(ctx context.Context, selections ast.SelectionSet, v string) graphql.Marshaler { return ec.` + marshal + `(ctx, selections, v) },
		true, true)`
	}
	for _, tc := range []struct {
		name, body string
		want       string // the rewritten body; empty: unchanged
	}{
		{"a string field", field("return obj.Name, nil", "nil", "marshalNString2string"),
			"return ec.marshalNString2string(ctx, field.Selections, obj.Name)"},
		{"an int64 field", field("return obj.PriceFen, nil", "nil", "marshalNInt642int64"),
			"return ec.marshalNInt642int64(ctx, field.Selections, obj.PriceFen)"},
		{"a resolver", field("return ec.Resolvers.Product().UnitsSold(ctx, obj)", "nil", "marshalNInt2int"), ""},
		{"a method", field("return obj.Total(), nil", "nil", "marshalNInt2int"), ""},
		{"directives", field("return obj.Name, nil", "ec.directives", "marshalNString2string"), ""},
		{"a time, null when zero", field("return obj.ValidUntil, nil", "nil", "marshalNTime2timeᚐTime"), ""},
		{"an optional pointer", field("return obj.Note, nil", "nil", "marshalOString2ᚖstring"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := "package p\n\nfunc (ec *executionContext) _Product_f(ctx context.Context, field graphql.CollectedField, obj *ent.Product) graphql.Marshaler {\n\t" +
				tc.body + "\n}\n"
			changed, before, out := rewrite(t, src, directFields)
			if changed != (tc.want != "") {
				t.Errorf("changed = %v", changed)
			}
			if tc.want == "" && out != before {
				t.Errorf("rewrote what it should leave:\n%s", out)
			}
			if tc.want != "" && !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

// The marshalers directFields calls without the field's context read it
// only for a null value; the scalars behind them never marshal to null.
func TestDirectMarshalersNeverNull(t *testing.T) {
	t.Parallel()
	for name, m := range map[string]graphql.Marshaler{
		"marshalNString2string": graphql.MarshalString(""),
		"marshalNInt2int":       graphql.MarshalInt(0),
		"marshalNInt642int64":   scalar.MarshalInt64(0),
		"marshalNBoolean2bool":  graphql.MarshalBoolean(false),
	} {
		if !directMarshalers[name] {
			t.Errorf("%s is not in directMarshalers", name)
		}
		if m == graphql.Null {
			t.Errorf("%s's scalar marshals a zero value to null", name)
		}
	}
	if len(directMarshalers) != 4 {
		t.Errorf("directMarshalers has %d entries; each needs a case here", len(directMarshalers))
	}
}

// An object marshaller whose fields all have their values when it returns
// returns sequential.Object; one that resolves a field concurrently or
// defers one keeps gqlgen's FieldSet.
func TestSequentialObjects(t *testing.T) {
	t.Parallel()
	object := func(loop string) string {
		return `fields := graphql.CollectFields(ec.OperationContext, sel, productImplementors)
	out := graphql.NewFieldSet(fields)
	deferredFieldSet := graphql.NewFieldSet(nil)
	deferLabelToView := make(map[string]*graphql.FieldSetView)
	for i, field := range fields {
		` + loop + `
	}
	out.Dispatch(ctx)
	if out.Invalids > 0 {
		return graphql.Null
	}
	if len(deferLabelToView) > 0 {
		ec.ProcessDeferredGroup(graphql.DeferredGroup{Defers: deferLabelToView, FieldSet: deferredFieldSet})
	}
	return out`
	}
	for _, tc := range []struct {
		name, body string
		changed    bool
	}{
		{"fields resolved in the loop", object(`out.Values[i] = ec._Product_name(ctx, field, obj)`), true},
		{"a field resolved concurrently", object(`out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return nil })`), false},
		{"a deferred field", object(`deferLabelToView[field.Deferrable.Label] = nil`), false},
		{"no field set", "out := 1\n\treturn out", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := "package p\n\nfunc (ec *executionContext) _Product(ctx context.Context, sel ast.SelectionSet, obj *ent.Product) graphql.Marshaler {\n\t" +
				tc.body + "\n}\n"
			changed, _, out := rewrite(t, src, sequentialObjects)
			if changed != tc.changed {
				t.Errorf("changed = %v", changed)
			}
			for _, want := range []string{"return sequential.Object(fields, out.Values)",
				"var deferredFieldSet *graphql.FieldSet", "var deferLabelToView map[string]*graphql.FieldSetView"} {
				if rewritten := strings.Contains(out, want); rewritten != tc.changed {
					t.Errorf("%q rewritten = %v:\n%s", want, rewritten, out)
				}
			}
		})
	}
}
