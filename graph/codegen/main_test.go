package main

import (
	"bytes"
	"go/format"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

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
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "p.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			changed := guardDeferredGroups(f)
			var out bytes.Buffer
			if err := format.Node(&out, fset, f); err != nil {
				t.Fatal(err)
			}
			if changed != (tc.want != "") {
				t.Errorf("changed = %v", changed)
			}
			if tc.want == "" && out.String() != src {
				t.Errorf("rewrote what it should leave:\n%s", out.String())
			}
			if tc.want != "" && !strings.Contains(out.String(), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
}
