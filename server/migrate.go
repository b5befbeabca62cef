package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"bangfu/internal/store"
)

// errMigrationProblems makes `server migrate status` exit non-zero; the
// problems themselves are in its output.
var errMigrationProblems = errors.New("migrations: problems found (see above); the server will refuse to start")

// migrateStatusCommand prints the applied and pending migrations of the
// configured database and the check of the migration directory, without
// changing anything. It fails when the server would refuse to start.
func migrateStatusCommand(ctx context.Context, cfg config, stdout io.Writer) error {
	db, err := store.Open(ctx, store.Config{URL: cfg.databaseURL, SQLitePath: cfg.dbPath})
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.MigrationStatus(ctx, nil)
	if err != nil {
		return err
	}
	writeMigrationStatus(stdout, st)
	if st.Err() != nil {
		return errMigrationProblems
	}
	return nil
}

func writeMigrationStatus(w io.Writer, st *store.MigrationStatus) {
	fmt.Fprintf(w, "database: %s\n", st.Dialect)
	if st.DirErr != nil {
		fmt.Fprintf(w, "migration directory: does NOT match atlas.sum\n")
	} else {
		fmt.Fprintf(w, "migration directory: %d files, match atlas.sum\n", st.Files)
	}
	fmt.Fprintf(w, "\napplied (%d):\n", len(st.Applied))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, a := range st.Applied {
		sum := a.Checksum
		if sum == "" {
			sum = "(checksum recorded at the next start)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Version, a.AppliedAt.UTC().Format(time.RFC3339), sum)
	}
	tw.Flush()
	fmt.Fprintf(w, "\npending (%d):\n", len(st.Pending))
	for _, v := range st.Pending {
		fmt.Fprintf(w, "  %s\n", v)
	}
	if len(st.Problems) == 0 {
		fmt.Fprintf(w, "\nno problems\n")
		return
	}
	fmt.Fprintf(w, "\nproblems (%d):\n", len(st.Problems))
	for _, p := range st.Problems {
		fmt.Fprintf(w, "  %v\n", p)
	}
}
