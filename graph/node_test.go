package graph

import (
	"context"
	"testing"

	"bangfu/ent/migrate"
	"bangfu/internal/gid"
)

// Every global-ID type resolves to a table, and every entity table has a
// global-ID type, so node(id:) can reach any object.
func TestEveryNodeTypeHasATable(t *testing.T) {
	tables := map[string]bool{}
	for _, typ := range gid.Types {
		table, err := nodeTable(context.Background(), gid.Start(typ)+1)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		tables[table] = true
	}
	for _, tbl := range migrate.Tables {
		isJoinTable := len(tbl.PrimaryKey) > 1
		if !isJoinTable && !tables[tbl.Name] {
			t.Errorf("table %s has no global-ID type in gid.Types", tbl.Name)
		}
	}
}
