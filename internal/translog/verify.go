package translog

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"golang.org/x/mod/sumdb/tlog"

	"bangfu/ent"
	"bangfu/ent/auditevent"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/loghash"
	"bangfu/ent/logleaf"
	"bangfu/ent/predicate"
	"bangfu/internal/viewer"
)

// Report is the result of checking the stored log.
type Report struct {
	OK bool
	// Checked is the number of leaves checked: the signed head's size.
	Checked int64
	// BrokenKind and BrokenID name the first record that no longer matches
	// its leaf (edited or deleted); empty when the fault is the tree's.
	BrokenKind logleaf.Kind
	BrokenID   int
	Reason     string
	// Checkpoint is the signed head the log was checked against.
	Checkpoint string
}

// CheckNow seals what has committed (CatchUp), then verifies the log
// (Verify): what verifyAuditChain answers. Sealing onto a damaged log can
// fail; then the check's finding explains why.
func (l *Log) CheckNow(ctx context.Context) (*Report, error) {
	sealErr := l.CatchUp(ctx)
	rep, err := l.Verify(ctx)
	switch {
	case err != nil:
		return nil, err
	case sealErr != nil && rep.OK:
		return nil, sealErr
	}
	return rep, nil
}

// Verify checks the whole stored log against its latest signed head: the
// signature; every leaf against the record it stands for, as stored now
// (an edited or deleted event or ledger entry shows); the tree rebuilt
// from the leaves against the signed root (an edited, removed or
// reordered leaf or stored hash shows); and the leaves against the signed
// size (truncation shows). It holds about 64 bytes per leaf in memory.
func (l *Log) Verify(ctx context.Context) (*Report, error) {
	ctx = viewer.AsSystem(ctx)
	signed, err := l.Latest(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{OK: true, Checkpoint: signed}
	if signed == "" {
		return rep, nil // nothing sealed yet
	}
	head, err := l.OpenCheckpoint(signed)
	if err != nil {
		// A head that does not open under the key is a finding, not a
		// failure to check.
		rep.OK, rep.Reason = false, err.Error()
		return rep, nil //nolint:nilerr // reported in rep
	}
	var n int64 // leaves checked
	// newest is the newest record of each table sealed, for the check that
	// nothing was slipped in behind it.
	newest := map[logleaf.Kind]position{}
	fail := func(kind logleaf.Kind, id int, format string, args ...any) (*Report, error) {
		rep.OK, rep.BrokenKind, rep.BrokenID, rep.Reason = false, kind, id, fmt.Sprintf(format, args...)
		rep.Checked = n
		return rep, nil
	}
	// The stored hashes are dense in their index: one slice holds them.
	stored := make([]tlog.Hash, 0, tlog.StoredHashCount(head.Size))
	r := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			if x >= int64(len(stored)) {
				return nil, fmt.Errorf("stored hash %d not computed yet", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	const page = 2000
	for n < head.Size {
		leaves, err := l.client.LogLeaf.Query().Where(logleaf.IDGTE(n), logleaf.IDLT(min(n+page, head.Size))).
			Order(ent.Asc(logleaf.FieldID)).All(ctx)
		if err != nil {
			return nil, err
		}
		if len(leaves) == 0 {
			return fail("", 0, "the log holds %d leaves; its signed head has %d (the log was truncated)", n, head.Size)
		}
		sources, err := loadSources(ctx, l.client, leaves)
		if err != nil {
			return nil, err
		}
		for _, lf := range leaves {
			if lf.ID != n {
				return fail("", 0, "leaf %d is missing (the log was cut)", n)
			}
			data, ok := sources[key{lf.Kind, lf.RefID}]
			if !ok {
				return fail(lf.Kind, lf.RefID, "leaf %d stands for a record that was deleted", n)
			}
			h := tlog.RecordHash(data)
			if len(lf.Hash) != tlog.HashSize || tlog.Hash(lf.Hash) != h {
				return fail(lf.Kind, lf.RefID, "leaf %d no longer matches its record (the record was edited)", n)
			}
			hashes, err := tlog.StoredHashesForRecordHash(n, h, r)
			if err != nil {
				return nil, err
			}
			stored = append(stored, hashes...) // they follow on from the last: indexes are dense
			newest[lf.Kind] = position{xidOf(lf.Xid), lf.Kind, lf.RefID}
			n++
		}
	}
	root, err := tlog.TreeHash(head.Size, r)
	if err != nil {
		return nil, err
	}
	if root != head.Root {
		return fail("", 0, "the tree rebuilt from the leaves does not match the signed root (leaves were changed or reordered)")
	}
	// The stored hashes serve the proofs: they must be the rebuilt tree's.
	for from := int64(0); from < int64(len(stored)); from += page {
		rows, err := l.client.LogHash.Query().Where(loghash.IDGTE(from), loghash.IDLT(min(from+page, int64(len(stored))))).
			Order(ent.Asc(loghash.FieldID)).All(ctx)
		if err != nil {
			return nil, err
		}
		next := from
		for _, r := range rows {
			if r.ID != next || len(r.Hash) != tlog.HashSize || tlog.Hash(r.Hash) != stored[r.ID] {
				return fail("", 0, "stored tree hash %d does not match the tree rebuilt from the leaves (the tree was edited)", next)
			}
			next++
		}
		if next != min(from+page, int64(len(stored))) {
			return fail("", 0, "stored tree hash %d is missing (the tree was edited)", next)
		}
	}
	kind, id, err := l.unsealedBehind(ctx, newest)
	if err != nil {
		return nil, err
	}
	if kind != "" {
		return fail(kind, id, "%s %d was never sealed into the log though newer ones were (it was inserted behind the log)", kindName(kind), id)
	}
	rep.Checked = head.Size
	return rep, nil
}

// unsealedBehind finds a record older than the newest sealed one of its
// table that has no leaf. The sealer takes records in commit order and
// skips none (seal.go), so such a record was put there behind the log's
// back: inserted with an old transaction id, or with an id below the
// sealed ones on SQLite. It would count in figures that no checkpoint
// covers. One anti-join per table, on the leaves' (kind, ref_id) index.
func (l *Log) unsealedBehind(ctx context.Context, newest map[logleaf.Kind]position) (logleaf.Kind, int, error) {
	pg := l.client.Dialect() == dialect.Postgres
	for _, kind := range []logleaf.Kind{logleaf.KindAUDIT_EVENT, logleaf.KindLEDGER_ENTRY} {
		m, ok := newest[kind]
		if !ok {
			continue
		}
		p := unsealedBefore(kind, m, pg)
		var id int
		var err error
		if kind == logleaf.KindAUDIT_EVENT {
			id, err = l.client.AuditEvent.Query().Where(predicate.AuditEvent(p)).Order(ent.Asc(auditevent.FieldID)).FirstID(ctx)
		} else {
			id, err = l.client.LedgerEntry.Query().Where(predicate.LedgerEntry(p)).Order(ent.Asc(ledgerentry.FieldID)).FirstID(ctx)
		}
		switch {
		case err == nil:
			return kind, id, nil
		case !ent.IsNotFound(err):
			return "", 0, err
		}
	}
	return "", 0, nil
}

// unsealedBefore selects the records of a kind that come before m in the
// log's order (seal.go: by transaction id, then id, on PostgreSQL; by id
// on SQLite) and that no leaf stands for. Both tables name the columns
// alike.
func unsealedBefore(kind logleaf.Kind, m position, pg bool) func(*sql.Selector) {
	return func(s *sql.Selector) {
		id, xid := s.C("id"), s.C("xid")
		before := sql.LT(id, m.id)
		if pg {
			before = sql.Or(sql.IsNull(xid), sql.LT(xid, m.xid), sql.And(sql.EQ(xid, m.xid), sql.LT(id, m.id)))
		}
		lf := sql.Table(logleaf.Table)
		s.Where(sql.And(before, sql.NotExists(sql.Select(lf.C(logleaf.FieldID)).From(lf).Where(sql.And(
			sql.EQ(lf.C(logleaf.FieldKind), kind),
			sql.ColumnsEQ(lf.C(logleaf.FieldRefID), id),
		)))))
	}
}

func kindName(k logleaf.Kind) string {
	if k == logleaf.KindAUDIT_EVENT {
		return "audit event"
	}
	return "ledger entry"
}

type key struct {
	kind logleaf.Kind
	id   int
}

// loadSources encodes the records the leaves stand for, as stored now.
func loadSources(ctx context.Context, c *ent.Client, leaves []*ent.LogLeaf) (map[key][]byte, error) {
	var events, entries []int
	for _, lf := range leaves {
		if lf.Kind == logleaf.KindAUDIT_EVENT {
			events = append(events, lf.RefID)
		} else {
			entries = append(entries, lf.RefID)
		}
	}
	out := make(map[key][]byte, len(leaves))
	es, err := c.AuditEvent.Query().Where(auditevent.IDIn(events...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if out[key{logleaf.KindAUDIT_EVENT, e.ID}], err = EventLeaf(e); err != nil {
			return nil, err
		}
	}
	ls, err := c.LedgerEntry.Query().Where(ledgerentry.IDIn(entries...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range ls {
		if out[key{logleaf.KindLEDGER_ENTRY, e.ID}], err = LedgerLeaf(e); err != nil {
			return nil, err
		}
	}
	return out, nil
}
