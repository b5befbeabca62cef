package store

import (
	"context"
	"strings"

	"bangfu/ent/migrate"

	"entgo.io/ent/dialect"
)

// Reset deletes every row of every bangfu table, keeping the schema. It
// exists for `seed --reset`; nothing in the server calls it.
func (d *DB) Reset(ctx context.Context) error {
	names := make([]string, 0, len(migrate.Tables))
	for _, t := range migrate.Tables {
		names = append(names, `"`+t.Name+`"`)
	}
	if d.Dialect == dialect.Postgres {
		_, err := d.SQL.ExecContext(ctx, "TRUNCATE "+strings.Join(names, ", ")+" RESTART IDENTITY CASCADE")
		return err
	}
	// SQLite has no TRUNCATE; foreign keys are switched off on one
	// connection so the deletion order does not matter.
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON") //nolint:errcheck
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+n); err != nil { //nolint:gosec // G202: a table of ent's schema
			return err
		}
	}
	return tx.Commit()
}
