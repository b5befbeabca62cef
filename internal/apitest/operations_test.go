package apitest_test

import (
	"testing"

	"bangfu/graph/generated"
	"bangfu/internal/apitest"

	"github.com/vektah/gqlparser/v2"
)

// TestOperationsMatchSchema: every operation the typed client sends is
// valid against the schema, so tests cannot drift from the API.
func TestOperationsMatchSchema(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	ops := apitest.Operations()
	if len(ops) == 0 {
		t.Fatal("no operations embedded")
	}
	for name, doc := range ops {
		q, errs := gqlparser.LoadQueryWithRules(schema, doc, nil)
		if len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
			continue
		}
		if len(q.Operations) != 1 || q.Operations[0].Name != name {
			t.Errorf("%s.graphql must hold the one operation %s", name, name)
		}
	}
}
