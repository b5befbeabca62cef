package catalog

import (
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// constEQ writes enum constants into the text and refuses anything else.
func TestConstEQ(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		want  string // "": panics
	}{
		{"LISTED", `"products"."status" = 'LISTED'`},
		{"FUNDS_INVESTED", `"products"."status" = 'FUNDS_INVESTED'`},
		{"x' OR '1'='1", ""},
		{"listed", ""},
		{"", `"products"."status" = ''`},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if r := recover(); (r != nil) != (tc.want == "") {
					t.Errorf("panic = %v", r)
				}
			}()
			sel := sql.Dialect(dialect.Postgres).Select("id").From(sql.Table("products"))
			sel.Where(constEQ(sel.C("status"), tc.value))
			q, args := sel.Query()
			if !strings.HasSuffix(q, tc.want) || len(args) != 0 {
				t.Errorf("%s %v, want … %s and no argument", q, args, tc.want)
			}
		})
	}
}
