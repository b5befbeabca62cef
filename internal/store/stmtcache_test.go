package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"entgo.io/ent/dialect"

	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// onOneConnection pins one connection of db's pool (prepared statements
// belong to a connection), skipping on SQLite.
func onOneConnection(t *testing.T) (*sql.Conn, context.Context) {
	t.Helper()
	db := storetest.Open(t)
	if db.Dialect != dialect.Postgres {
		t.Skip("the statement cache is PostgreSQL's")
	}
	ctx := context.Background()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn, ctx
}

// prepared lists the statements the connection holds prepared (the
// listing itself left out).
func prepared(ctx context.Context, t *testing.T, conn *sql.Conn) []string {
	t.Helper()
	rows, err := conn.QueryContext(ctx, `SELECT statement FROM pg_prepared_statements
		WHERE statement NOT LIKE '%pg_prepared_statements%' ORDER BY prepare_time`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// queryer is a pinned connection or a transaction on one.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// run runs query and reads its rows: how many, and how many columns.
func run(ctx context.Context, q queryer, query string, args ...any) (rows, columns int, err error) {
	rs, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, 0, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return 0, 0, err
	}
	for rs.Next() {
		rows++
	}
	return rows, len(cols), rs.Err()
}

// TestStatementCache: a statement runs prepared from the second time a
// connection runs it; transaction control and settings never are; a
// one-off text never is.
func TestStatementCache(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		query string
		args  []any
		runs  int
		want  int // statements prepared afterwards
	}{
		{"once: run as text", "SELECT $1::int + 1", []any{1}, 1, 0},
		{"twice: prepared", "SELECT $1::int + 1", []any{1}, 2, 1},
		{"often: prepared once", "SELECT $1::int + 1", []any{1}, 5, 1},
		{"a read without parameters", "SELECT 42", nil, 3, 1},
		{"a read that starts with WITH", "WITH x AS (SELECT 1 AS n) SELECT n FROM x", nil, 3, 1},
		{"a setting", "SET statement_timeout = '30s'", nil, 3, 0},
		{"SHOW", "SHOW TimeZone", nil, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn, ctx := onOneConnection(t)
			for range tc.runs {
				n, _, err := run(ctx, conn, tc.query, tc.args...)
				if err != nil {
					t.Fatal(err)
				}
				if n != 1 && tc.args != nil {
					t.Fatalf("%q returned %d rows, want 1", tc.query, n)
				}
			}
			if got := prepared(ctx, t, conn); len(got) != tc.want {
				t.Errorf("after %d runs of %q: %d statements prepared %q, want %d", tc.runs, tc.query, len(got), got, tc.want)
			}
		})
	}
}

// TestStatementCacheIsBounded: a client that makes the server run ever new
// statements cannot make a connection keep ever more prepared; the least
// recently used are closed.
func TestStatementCacheIsBounded(t *testing.T) {
	t.Parallel()
	conn, ctx := onOneConnection(t)
	const distinct = store.StmtCacheSize + 20
	for i := range distinct {
		for range 2 {
			var n int
			if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT $1::int + %d", i), 1).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := prepared(ctx, t, conn)
	if len(got) != store.StmtCacheSize {
		t.Fatalf("%d statements prepared, want the bound %d", len(got), store.StmtCacheSize)
	}
	if want := fmt.Sprintf("SELECT $1::int + %d", distinct-1); got[len(got)-1] != want {
		t.Errorf("newest prepared statement %q, want %q", got[len(got)-1], want)
	}
	if first := "SELECT $1::int + 0"; got[0] == first {
		t.Errorf("the least recently used statement %q is still prepared", first)
	}
}

// TestStatementCacheSurvivesSchemaChange: a prepared statement that an
// ALTER TABLE made stale is dropped. Outside a transaction it runs again
// as text at once; inside one the error stands (the transaction is
// aborted) and the next run prepares it afresh.
func TestStatementCacheSurvivesSchemaChange(t *testing.T) {
	t.Parallel()
	conn, ctx := onOneConnection(t)
	exec := func(q string) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE TEMP TABLE cached (a int)")
	exec("INSERT INTO cached VALUES (1)")
	const query = "SELECT * FROM cached WHERE a = $1"
	columns := func(q queryer) (int, error) {
		_, cols, err := run(ctx, q, query, 1)
		return cols, err
	}
	for range 2 { // now prepared
		if _, err := columns(conn); err != nil {
			t.Fatal(err)
		}
	}
	exec("ALTER TABLE cached ADD COLUMN b int")
	if n, err := columns(conn); err != nil || n != 2 {
		t.Fatalf("outside a transaction after ALTER TABLE: %d columns, %v; want 2 and no error", n, err)
	}
	if got := prepared(ctx, t, conn); len(got) != 0 {
		t.Fatalf("the stale statement is still prepared: %q", got)
	}

	for range 2 {
		if _, err := columns(conn); err != nil {
			t.Fatal(err)
		}
	}
	exec("ALTER TABLE cached ADD COLUMN c int")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = columns(tx)
	_ = tx.Rollback()
	if err == nil {
		t.Fatal("in a transaction, a stale statement ran; want PostgreSQL's error")
	}
	if n, err := columns(conn); err != nil || n != 3 {
		t.Fatalf("after the failed transaction: %d columns, %v; want 3 and no error", n, err)
	}
}
