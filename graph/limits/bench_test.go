package limits_test

import (
	"fmt"
	"strings"
	"testing"

	"bangfu/graph/generated"
	"bangfu/graph/limits"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// worstAccepted are the costliest documents the limits still let through
// to validation, one per way of multiplying its work: each response name
// repeated as often as allowed with conflicting arguments, on every level;
// fragments spread side by side and compared pairwise; the deepest
// nesting; the most input values.
func worstAccepted() map[string]string {
	conflicting := func(n int, field string, args func(i int) string, body string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " %s(%s) %s", field, args(i), body)
		}
		return b.String()
	}
	page := func(i int) string { return fmt.Sprintf("first: %d", i+1) }
	// Conflicting copies on three levels: 10 × 10 × 5 (1,330 fields).
	r := limits.Defaults.MaxRepeats
	nestedConflicts := "{" + conflicting(r, "organizations", page, "{ edges { node {"+
		conflicting(r, "products", page, "{ edges { node {"+conflicting(r/2, "certifications", page, "{ totalCount }")+" } } }")+
		" } } }") + " }"
	// As many fragments as allowed, spread side by side, seven fields each
	// (validation compares them pairwise).
	var frags strings.Builder
	frags.WriteString("{")
	for f := 0; f < limits.Defaults.MaxFragments; f++ {
		fmt.Fprintf(&frags, " ...F%d", f)
	}
	frags.WriteString(" }")
	for f := 0; f < limits.Defaults.MaxFragments; f++ {
		// Names repeat across fragments as often as the limit allows.
		fmt.Fprintf(&frags, " fragment F%d on Query { %s }", f, numbered(7, fmt.Sprintf(" x%d_%%d", f%10)))
	}
	// Twelve levels of parents, ten times over at each.
	deep := "{ regions(first: 1) { edges { node {"
	for i := 0; i < 8; i++ {
		deep += " parent {"
	}
	deep += " name" + strings.Repeat(" }", 8) + " } } } }"
	// A where filter with 1,900 values.
	wide := "{ products(first: 1, where: {or: [" + strings.Repeat(`{nameContains: "茶", priceFenGT: 1},`, 633) + "]}) { totalCount } }"
	return map[string]string{
		"nested conflicts":           nestedConflicts,
		"100 fragments side by side": frags.String(),
		"deepest nesting":            deep,
		"widest filter":              wide,
		"GraphiQL introspection":     introspection,
	}
}

// BenchmarkWorstAccepted reports what the limits still let a document cost:
// the checks themselves and gqlgen's validation, per document.
//
//	go test -run '^$' -bench WorstAccepted -benchmem ./graph/limits/
func BenchmarkWorstAccepted(b *testing.B) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	for name, q := range worstAccepted() {
		if err := limits.Defaults.CheckDocument(q); err != nil {
			b.Fatalf("%s is refused: %v", name, err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := limits.Defaults.CheckDocument(q); err != nil {
					b.Fatal(err)
				}
				doc, err := parser.ParseQuery(&ast.Source{Input: q})
				if err != nil {
					b.Fatal(err)
				}
				_ = validator.ValidateWithRules(schema, doc, rules.NewDefaultRules())
			}
		})
	}
}
