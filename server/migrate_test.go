package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

func TestParseMigrateStatus(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"migrate", "status"},
		{"migrate", "status", "--db", "x.db"},
		{"--db", "x.db", "migrate", "status"},
	} {
		cmd, cfg, err := parseConfig(args, envOf(nil), io.Discard)
		if err != nil || cmd != "migrate status" {
			t.Errorf("parseConfig(%q) = %q, %v", args, cmd, err)
		}
		if len(args) > 2 && cfg.dbPath != "x.db" {
			t.Errorf("parseConfig(%q): db %q", args, cfg.dbPath)
		}
	}
	if _, _, err := parseConfig([]string{"migrate", "status", "now"}, envOf(nil), io.Discard); err == nil {
		t.Error("migrate status now: no error")
	}
}

// TestMigrateStatus runs `server migrate status` on a new database, a
// migrated one, and ones whose history the binary refuses: it lists
// applied and pending versions, and fails (as the server does when it
// starts) when there is a problem.
func TestMigrateStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := storetest.Config(t)
	env := envOf(map[string]string{"DATABASE_URL": cfg.URL})
	dbArgs := []string{"--db", cfg.SQLitePath}
	if cfg.URL != "" {
		dbArgs = nil
	}
	status := func() (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(ctx, append([]string{"migrate", "status"}, dbArgs...), env, &stdout, &stderr)
		return stdout.String() + stderr.String(), err
	}
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := store.Migrations(db.Dialect)
	if err != nil || len(all) == 0 {
		t.Fatal(all, err)
	}
	first, last := all[0].Version, all[len(all)-1].Version

	out, err := status()
	if err != nil {
		t.Fatalf("status of a new database: %v\n%s", err, out)
	}
	for _, want := range []string{"match atlas.sum", "applied (0)", "pending (" + strconv.Itoa(len(all)) + ")", "  " + first + "\n", "  " + last + "\n", "no problems"} {
		if !strings.Contains(out, want) {
			t.Errorf("status of a new database lacks %q:\n%s", want, out)
		}
	}

	if err := run(ctx, append([]string{"migrate"}, dbArgs...), env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out, err = status()
	if err != nil {
		t.Fatalf("status of a migrated database: %v\n%s", err, out)
	}
	appliedRow := regexp.MustCompile(`(?m)^  ` + first + ` +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +h1:\S+$`)
	for _, want := range []string{"applied (" + strconv.Itoa(len(all)) + ")", "pending (0)", "no problems"} {
		if !strings.Contains(out, want) {
			t.Errorf("status of a migrated database lacks %q:\n%s", want, out)
		}
	}
	if !appliedRow.MatchString(out) {
		t.Errorf("status lacks the row of %s with its time and checksum:\n%s", first, out)
	}

	tests := []struct {
		name, tamper, undo string
		want               error
		mention            string
	}{
		{name: "edited after applied",
			tamper:  "UPDATE bangfu_schema_migrations SET checksum = 'h1:was-different' WHERE version = '" + first + "'",
			undo:    "UPDATE bangfu_schema_migrations SET checksum = '" + all[0].Checksum + "' WHERE version = '" + first + "'",
			want:    store.ErrAppliedMigrationEdited,
			mention: first},
		{name: "database newer",
			tamper:  "INSERT INTO bangfu_schema_migrations (version, checksum) VALUES ('29991231000000_from_the_future', 'h1:x')",
			undo:    "DELETE FROM bangfu_schema_migrations WHERE version = '29991231000000_from_the_future'",
			want:    store.ErrDatabaseNewer,
			mention: "29991231000000_from_the_future"},
	}
	for _, tt := range tests {
		if _, err := db.SQL.ExecContext(ctx, tt.tamper); err != nil {
			t.Fatal(err)
		}
		out, err := status()
		if !errors.Is(err, errMigrationProblems) || !strings.Contains(out, "problems (1)") || !strings.Contains(out, tt.want.Error()) || !strings.Contains(out, tt.mention) {
			t.Errorf("%s: status = %v\n%s", tt.name, err, out)
		}
		// The server itself refuses to start (bounded, in case it did not).
		runCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = run(runCtx, append([]string{"--addr", "127.0.0.1:0"}, dbArgs...), env, io.Discard, io.Discard)
		cancel()
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("%s: the server started with %v, want %v naming %s", tt.name, err, tt.want, tt.mention)
		}
		if _, err := db.SQL.ExecContext(ctx, tt.undo); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := status(); err != nil {
		t.Fatalf("status after undoing: %v\n%s", err, out)
	}
}
