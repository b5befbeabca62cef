package translog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"bangfu/ent"
	"bangfu/ent/ledgerentry"
	"bangfu/internal/clock"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
	"bangfu/internal/translog"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixture is a log over a database of the test's own, with a saved key.
type fixture struct {
	db   *store.DB
	log  *translog.Log
	vkey string
	ctx  context.Context
}

func open(t *testing.T) *fixture { return openTB(t) }

func openTB(t testing.TB) *fixture {
	t.Helper()
	db := storetest.Open(t)
	skey, vkey, err := translog.GenerateKey("test.bangfu.example/log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := translog.New(db.Client, skey, clock.Real)
	if err != nil {
		t.Fatal(err)
	}
	if l.VerifierKey() != vkey {
		t.Fatalf("verifier key %q, want %q", l.VerifierKey(), vkey)
	}
	return &fixture{db: db, log: l, vkey: vkey, ctx: storetest.AsSystem()}
}

// write makes n operations, each an audit event and ledger entries.
func (f *fixture) write(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		err := store.WithTx(f.ctx, f.db.Client, func(tx *ent.Client) error {
			u, err := tx.User.Create().SetEmail(fmt.Sprintf("u%d-%d@example.cn", time.Now().UnixNano(), i)).
				SetDisplayName("用户").Save(f.ctx)
			if err != nil {
				return err
			}
			_ = u
			return tx.LedgerEntry.CreateBulk(
				tx.LedgerEntry.Create().SetKind(ledgerentry.KindINCENTIVE_POINTS).SetAmount(int64(100+i)).SetYear(2026),
				tx.LedgerEntry.Create().SetKind(ledgerentry.KindINCENTIVE_POINTS).SetAmount(int64(200+i)).SetYear(2026),
			).Exec(f.ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) seal(t *testing.T) translog.Checkpoint {
	t.Helper()
	if _, err := f.log.SealThrough(f.ctx); err != nil {
		t.Fatal(err)
	}
	signed, err := f.log.Latest(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := translog.OpenCheckpoint(signed, f.vkey)
	if err != nil {
		t.Fatalf("checkpoint %q: %v", signed, err)
	}
	return c
}

func (f *fixture) verify(t *testing.T) *translog.Report {
	t.Helper()
	rep, err := f.log.Verify(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if f.db.Dialect == "postgres" {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	if _, err := f.db.SQL.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// Every committed event and ledger entry becomes a leaf, once, and the
// proofs the log serves check against its signed head.
func TestSealAndProve(t *testing.T) {
	t.Parallel()
	f := open(t)
	f.write(t, 5)
	head := f.seal(t)
	// 5 operations: 5 events and 10 ledger entries.
	if head.Size != 15 {
		t.Fatalf("sealed %d leaves, want 15", head.Size)
	}
	if again := f.seal(t); again.Size != head.Size || again.Root != head.Root {
		t.Fatalf("sealing again changed the head: %+v → %+v", head, again)
	}
	if rep := f.verify(t); !rep.OK || rep.Checked != 15 {
		t.Fatalf("verify: %+v", rep)
	}
	for i := range head.Size {
		leaf, err := f.log.Leaf(f.ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.log.ProveRecord(f.ctx, i, head.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p, head.Size, head.Root, i, tlog.RecordHash(leaf.Data)); err != nil {
			t.Fatalf("leaf %d: %v", i, err)
		}
	}
	f.write(t, 3)
	next := f.seal(t)
	p, err := f.log.ProveTree(f.ctx, head.Size, next.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p, next.Size, next.Root, head.Size, head.Root); err != nil {
		t.Fatalf("the new head does not extend the old: %v", err)
	}
	if _, err := f.log.ProveRecord(f.ctx, next.Size, next.Size); err == nil {
		t.Fatal("proved a leaf beyond the tree")
	}
}

// Editing, deleting or truncating stored events, ledger entries or the
// tree is detected, against the stored head and against a checkpoint an
// auditor saved earlier.
func TestTamperingIsDetected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, f *fixture)
		want string
	}{
		{"edit an event", func(t *testing.T, f *fixture) {
			f.exec(t, "UPDATE audit_events SET action = 'forged' WHERE id = (SELECT MIN(id) FROM audit_events)")
		}, "edited"},
		{"edit a ledger entry", func(t *testing.T, f *fixture) {
			f.exec(t, "UPDATE ledger_entries SET amount = amount * 10 WHERE id = (SELECT MAX(id) FROM ledger_entries)")
		}, "edited"},
		{"delete an event", func(t *testing.T, f *fixture) {
			f.exec(t, "DELETE FROM audit_events WHERE id = (SELECT MIN(id) FROM audit_events)")
		}, "deleted"},
		{"delete a ledger entry", func(t *testing.T, f *fixture) {
			f.exec(t, "DELETE FROM ledger_entries WHERE id = (SELECT MIN(id) FROM ledger_entries)")
		}, "deleted"},
		// A ledger entry that counts but was never logged: inserted with a
		// position before the sealed ones (an old transaction id on
		// PostgreSQL, an id below the others on SQLite), so the sealer,
		// which goes forward, would never take it.
		{"insert a ledger entry behind the log", func(t *testing.T, f *fixture) {
			f.exec(t, `INSERT INTO ledger_entries (id, kind, amount, indicator, year, occurred_at, month, note, xid)
				SELECT id - 1, kind, 999999, indicator, year, occurred_at, month, note, 1 FROM ledger_entries
				WHERE id = (SELECT MIN(id) FROM ledger_entries)`)
		}, "never sealed"},
		{"insert an event behind the log", func(t *testing.T, f *fixture) {
			f.exec(t, `INSERT INTO audit_events (id, occurred_at, job, action, entity_type, hash, xid)
				SELECT id - 1, occurred_at, job, 'forged', entity_type, hash, 1 FROM audit_events WHERE id = (SELECT MIN(id) FROM audit_events)`)
		}, "never sealed"},
		{"edit a leaf hash", func(t *testing.T, f *fixture) {
			f.exec(t, "UPDATE log_hashes SET hash = (SELECT hash FROM log_hashes WHERE id = 0) WHERE id = 2")
		}, "tree"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := open(t)
			f.write(t, 4)
			f.seal(t)
			tc.do(t, f)
			rep := f.verify(t)
			if rep.OK || !strings.Contains(rep.Reason, tc.want) {
				t.Fatalf("verify after %s: %+v", tc.name, rep)
			}
		})
	}

	// Truncation: the operator deletes the newest operations and their
	// leaves and re-signs a smaller tree with the log's own key. The
	// stored log then verifies against itself, but not against the head
	// an auditor saved before.
	t.Run("truncate and re-sign", func(t *testing.T) {
		t.Parallel()
		f := open(t)
		f.write(t, 4)
		saved := f.seal(t)
		f.exec(t, "DELETE FROM ledger_entries WHERE id IN (SELECT ref_id FROM log_leaves WHERE kind = 'LEDGER_ENTRY' AND id >= ?)", saved.Size-3)
		f.exec(t, "DELETE FROM audit_events WHERE id IN (SELECT ref_id FROM log_leaves WHERE kind = 'AUDIT_EVENT' AND id >= ?)", saved.Size-3)
		f.exec(t, "DELETE FROM log_leaves WHERE id >= ?", saved.Size-3)
		f.exec(t, "DELETE FROM log_hashes WHERE id >= ?", tlog.StoredHashIndex(0, saved.Size-3))
		f.exec(t, "DELETE FROM log_checkpoints")
		if err := f.log.Resign(f.ctx); err != nil {
			t.Fatal(err)
		}
		if rep := f.verify(t); !rep.OK {
			t.Fatalf("the re-signed smaller log should verify against itself: %+v", rep)
		}
		now := f.seal(t)
		err := translog.CheckExtends(saved, now, func(from, to int64) (tlog.TreeProof, error) {
			return f.log.ProveTree(f.ctx, from, to)
		})
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("a truncated log passed against the saved head: %v", err)
		}
	})

	// Truncating the stored leaves under an unchanged head is caught by
	// the head itself.
	t.Run("truncate the leaves", func(t *testing.T) {
		t.Parallel()
		f := open(t)
		f.write(t, 4)
		saved := f.seal(t)
		f.exec(t, "DELETE FROM log_leaves WHERE id >= ?", saved.Size-2)
		if rep := f.verify(t); rep.OK || !strings.Contains(rep.Reason, "truncated") {
			t.Fatalf("verify after truncating leaves: %+v", rep)
		}
	})
}

// A transaction that took its id first but commits last is sealed in its
// place: the sealer waits for it rather than skip it (PostgreSQL, where
// writers run concurrently).
// A long transaction in another database on the same server (another
// application's, another test's) does not hold this log's sealing back:
// its rows can never be ours.
func TestOtherDatabasesDoNotHoldSealingBack(t *testing.T) {
	t.Parallel()
	f, other := open(t), open(t)
	if f.db.Dialect != "postgres" {
		t.Skip("PostgreSQL's transaction ids")
	}
	elsewhere, err := other.db.Client.Tx(other.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = elsewhere.Rollback() }()
	// Writing gives the other database's transaction an id, older than ours.
	if err := elsewhere.LedgerEntry.Create().SetKind(ledgerentry.KindINCENTIVE_POINTS).SetAmount(7).SetYear(2026).Exec(other.ctx); err != nil {
		t.Fatal(err)
	}
	f.write(t, 2)
	ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	size, err := f.log.SealThrough(ctx)
	if err != nil {
		t.Fatalf("sealing beside another database's open transaction: %v", err)
	}
	if size != 6 {
		t.Fatalf("sealed %d leaves, want 6", size)
	}
}

func TestLateCommitIsNotSkipped(t *testing.T) {
	t.Parallel()
	f := open(t)
	if f.db.Dialect != "postgres" {
		t.Skip("SQLite runs one writer at a time")
	}
	f.write(t, 1)
	f.seal(t)

	slow, err := f.db.Client.Tx(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := slow.LedgerEntry.Create().SetKind(ledgerentry.KindINCENTIVE_POINTS).SetAmount(7).SetYear(2026).Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.write(t, 2) // commit after the slow transaction began writing
	// Sealing waits for the slow transaction; give up after a while.
	ctx, cancel := context.WithTimeout(f.ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := f.log.SealThrough(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sealing while an older transaction runs: %v, want to wait for it", err)
	}
	if during, err := f.log.Size(f.ctx); err != nil || during != 3 {
		t.Fatalf("sealed %d leaves while an older transaction ran, want 3 (nothing newer than it): %v", during, err)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	after := f.seal(t)
	if after.Size != 3+2+6 {
		t.Fatalf("sealed %d leaves, want 11", after.Size)
	}
	// Leaves 3 and 4: the slow transaction's event, then its entry.
	for i, want := range map[int64]string{3: `"sum":7`, 4: `"amount":7`} {
		leaf, err := f.log.Leaf(f.ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(leaf.Data), want) {
			t.Fatalf("leaf %d is %s %s, want the slow transaction's", i, leaf.Kind, leaf.Data)
		}
	}
	if rep := f.verify(t); !rep.OK {
		t.Fatalf("verify: %+v", rep)
	}
}
