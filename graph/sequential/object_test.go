package sequential_test

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"bangfu/graph/sequential"
)

// Object writes what gqlgen's FieldSet writes for the same fields and
// values, byte for byte: order, aliases, the first of a repeated alias.
func TestObjectMarshalsAsFieldSet(t *testing.T) {
	t.Parallel()
	field := func(alias string) graphql.CollectedField {
		return graphql.CollectedField{Field: &ast.Field{Alias: alias, Name: alias}}
	}
	for _, tc := range []struct {
		name   string
		fields []graphql.CollectedField
		values []graphql.Marshaler
	}{
		{"no fields", nil, nil},
		{"one field", []graphql.CollectedField{field("name")}, []graphql.Marshaler{graphql.MarshalString("草果")}},
		{"several, nested and null", []graphql.CollectedField{field("id"), field("priceFen"), field("supplier"), field("currentCertification")},
			[]graphql.Marshaler{graphql.MarshalString("UHJvZHVjdDox"), graphql.MarshalInt(1250),
				sequential.Object([]graphql.CollectedField{field("name")}, []graphql.Marshaler{graphql.MarshalString(`"引号" \ 合作社`)}),
				graphql.Null}},
		{"a repeated alias", []graphql.CollectedField{field("a"), field("b"), field("a")},
			[]graphql.Marshaler{graphql.MarshalInt(1), graphql.MarshalInt(2), graphql.MarshalInt(3)}},
		{"a repeated first alias", []graphql.CollectedField{field("a"), field("a"), field("b")},
			[]graphql.Marshaler{graphql.MarshalInt(1), graphql.MarshalInt(2), graphql.MarshalInt(3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := graphql.NewFieldSet(tc.fields)
			copy(fs.Values, tc.values)
			var want, got bytes.Buffer
			fs.MarshalGQL(&want)
			sequential.Object(tc.fields, tc.values).MarshalGQL(&got)
			if got.String() != want.String() {
				t.Errorf("got  %s\nwant %s", got.String(), want.String())
			}
		})
	}
}
