package store_test

import (
	"testing"

	"entgo.io/ent/dialect"

	"bangfu/internal/store"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct {
		name, dialect, in, want string
	}{
		{"postgres numbers placeholders", dialect.Postgres, "SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{"postgres past nine", dialect.Postgres, "?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11"},
		{"postgres keeps other text, non-ASCII too", dialect.Postgres, "SELECT '帮扶' WHERE x = ?", "SELECT '帮扶' WHERE x = $1"},
		{"postgres without placeholders", dialect.Postgres, "SELECT 1", "SELECT 1"},
		{"placeholder last", dialect.Postgres, "x = ?", "x = $1"},
		{"sqlite keeps ?", dialect.SQLite, "SELECT a WHERE b = ?", "SELECT a WHERE b = ?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.Rebind(tc.dialect, tc.in); got != tc.want {
				t.Fatalf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func BenchmarkRebind(b *testing.B) {
	q := "SELECT m.id, m.role FROM users u LEFT JOIN memberships m ON m.user_id = u.id WHERE u.id = ? AND u.status = ? AND x.family = ? AND x.expires_at > ? ORDER BY m.id"
	for b.Loop() {
		store.Rebind(dialect.Postgres, q)
	}
}
