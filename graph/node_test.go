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
	// The log's own tables (their ids are leaf indexes, stored-hash
	// indexes and tree sizes) and job claims are the server's, not objects
	// of the graph.
	internal := map[string]bool{"log_leaves": true, "log_hashes": true, "log_checkpoints": true, "job_runs": true}
	for _, tbl := range migrate.Tables {
		isJoinTable := len(tbl.PrimaryKey) > 1
		if !isJoinTable && !internal[tbl.Name] && !tables[tbl.Name] {
			t.Errorf("table %s has no global-ID type in gid.Types", tbl.Name)
		}
	}
}
