package translog

import (
	"cmp"
	"context"
	"slices"

	"entgo.io/ent/dialect"
	"golang.org/x/mod/sumdb/tlog"

	"bangfu/ent"
	"bangfu/ent/auditevent"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/logleaf"
	"bangfu/ent/predicate"
)

// sealer appends one round of rows to the tree inside tx.
type sealer struct {
	tx   *ent.Client
	size int64
	// last is the position of the newest leaf sealed, in the log's order.
	last position
	// lastEvent and lastEntry are the newest rows of each table sealed
	// (SQLite, where ids are commit order).
	lastEvent, lastEntry int
}

// position orders rows in the log: by the transaction that wrote them
// (PostgreSQL; -1 on SQLite), then audit events before ledger entries,
// then by id.
type position struct {
	xid  int64
	kind logleaf.Kind
	id   int
}

func (p position) compare(q position) int {
	return cmp.Or(cmp.Compare(p.xid, q.xid), cmp.Compare(p.kind, q.kind), cmp.Compare(p.id, q.id))
}

func newSealer(ctx context.Context, tx *ent.Client) (*sealer, error) {
	s := &sealer{tx: tx, last: position{xid: -1}}
	last, err := tx.LogLeaf.Query().Order(ent.Desc(logleaf.FieldID)).First(ctx)
	switch {
	case ent.IsNotFound(err):
		return s, nil
	case err != nil:
		return nil, err
	}
	s.size = last.ID + 1
	s.last = position{xid: xidOf(last.Xid), kind: last.Kind, id: last.RefID}
	if tx.Dialect() == dialect.Postgres {
		return s, nil
	}
	for kind, dst := range map[logleaf.Kind]*int{logleaf.KindAUDIT_EVENT: &s.lastEvent, logleaf.KindLEDGER_ENTRY: &s.lastEntry} {
		l, err := tx.LogLeaf.Query().Where(logleaf.KindEQ(kind)).Order(ent.Desc(logleaf.FieldRefID)).First(ctx)
		if err == nil {
			*dst = l.RefID
		} else if !ent.IsNotFound(err) {
			return nil, err
		}
	}
	return s, nil
}

// pending is a row to seal.
type pending struct {
	position
	data []byte
}

// seal reads the rows to seal this round, in order, and appends them: the
// leaves and the tree's new stored hashes, each in multi-row statements.
func (s *sealer) seal(ctx context.Context, limit int) error {
	rows, err := s.next(ctx, limit)
	if err != nil || len(rows) == 0 {
		return err
	}
	hashes := map[int64]tlog.Hash{} // computed this round, to write
	known := map[int64]tlog.Hash{}  // those and the older ones read
	r := hashReader(ctx, s.tx, known)
	leaves := make([]*ent.LogLeafCreate, 0, len(rows))
	for _, p := range rows {
		n := s.size
		leaf := tlog.RecordHash(p.data)
		stored, err := tlog.StoredHashesForRecordHash(n, leaf, r)
		if err != nil {
			return err
		}
		base := tlog.StoredHashIndex(0, n)
		for i, h := range stored {
			hashes[base+int64(i)] = h
			known[base+int64(i)] = h
		}
		c := s.tx.LogLeaf.Create().SetID(n).SetKind(p.kind).SetRefID(p.id).SetHash(leaf[:])
		if p.xid >= 0 {
			c.SetXid(p.xid)
		}
		leaves = append(leaves, c)
		s.size++
	}
	for chunk := range slices.Chunk(leaves, 1000) {
		if err := s.tx.LogLeaf.CreateBulk(chunk...).Exec(ctx); err != nil {
			return err
		}
	}
	creates := make([]*ent.LogHashCreate, 0, len(hashes))
	for ix, h := range hashes {
		creates = append(creates, s.tx.LogHash.Create().SetID(ix).SetHash(h[:]))
	}
	for chunk := range slices.Chunk(creates, 2000) {
		if err := s.tx.LogHash.CreateBulk(chunk...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// horizonQuery gives the id below which every transaction that could write
// to this database has ended: the oldest transaction still running
// (pg_current_snapshot's in-progress list, else its xmax), leaving out
// the ones pg_stat_activity shows running in another database. Without
// that, one long transaction anywhere on the database server (another
// application's, or a test's next door) held sealing back for as long as
// it ran. Transaction ids are unique across the server, so an id seen in
// another database's backend is never one of ours; an id the view does not
// show (a role without pg_read_all_stats sees no other role's ids, and a
// prepared transaction has no backend) stays in, which only waits longer.
// pg_stat_activity's ids are 32-bit: they are compared with the low 32 bits
// of the snapshot's 64-bit ids, which is exact for ids still running.
const horizonQuery = `
WITH snap AS (SELECT pg_current_snapshot() AS s),
elsewhere AS (
	SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
	WHERE backend_xid IS NOT NULL
	AND datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database()))
SELECT coalesce(
	(SELECT min(x::text::bigint) FROM snap, pg_snapshot_xip(snap.s) AS x
	 WHERE x::text::bigint % 4294967296 NOT IN (SELECT xid FROM elsewhere)),
	(SELECT pg_snapshot_xmax(s)::text::bigint FROM snap))`

// next reads up to limit rows this round seals, in the log's order.
//
// On PostgreSQL a row may only be sealed once no row can still commit
// before it in that order: rows of transactions older than the oldest one
// still running in this database (horizonQuery). Those have all ended, so
// none of their rows can still appear; a transaction that is still
// running, or that commits late, keeps every newer row waiting.
func (s *sealer) next(ctx context.Context, limit int) ([]pending, error) {
	var evWhere []predicate.AuditEvent
	var leWhere []predicate.LedgerEntry
	if s.tx.Dialect() == dialect.Postgres {
		var horizon int64
		if err := scanOne(ctx, s.tx, &horizon, horizonQuery); err != nil {
			return nil, err
		}
		l := s.last
		afterEvent := auditevent.XidGT(l.xid)
		if l.kind == logleaf.KindAUDIT_EVENT {
			afterEvent = auditevent.Or(auditevent.XidGT(l.xid), auditevent.And(auditevent.Xid(l.xid), auditevent.IDGT(l.id)))
		}
		afterEntry := ledgerentry.XidGT(l.xid)
		switch l.kind {
		case logleaf.KindAUDIT_EVENT:
			afterEntry = ledgerentry.XidGTE(l.xid)
		case logleaf.KindLEDGER_ENTRY:
			afterEntry = ledgerentry.Or(ledgerentry.XidGT(l.xid), ledgerentry.And(ledgerentry.Xid(l.xid), ledgerentry.IDGT(l.id)))
		}
		evWhere = []predicate.AuditEvent{afterEvent, auditevent.XidLT(horizon)}
		leWhere = []predicate.LedgerEntry{afterEntry, ledgerentry.XidLT(horizon)}
	} else {
		evWhere = []predicate.AuditEvent{auditevent.IDGT(s.lastEvent)}
		leWhere = []predicate.LedgerEntry{ledgerentry.IDGT(s.lastEntry)}
	}
	events, err := s.tx.AuditEvent.Query().Where(evWhere...).
		Order(ent.Asc(auditevent.FieldXid), ent.Asc(auditevent.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.tx.LedgerEntry.Query().Where(leWhere...).
		Order(ent.Asc(ledgerentry.FieldXid), ent.Asc(ledgerentry.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]pending, 0, len(events)+len(entries))
	for _, e := range events {
		data, err := EventLeaf(e)
		if err != nil {
			return nil, err
		}
		out = append(out, pending{position{xidOf(e.Xid), logleaf.KindAUDIT_EVENT, e.ID}, data})
	}
	for _, e := range entries {
		data, err := LedgerLeaf(e)
		if err != nil {
			return nil, err
		}
		out = append(out, pending{position{xidOf(e.Xid), logleaf.KindLEDGER_ENTRY, e.ID}, data})
	}
	// Each list holds its table's first rows in order, so the first limit
	// of the merged list are the log's next rows.
	slices.SortFunc(out, func(a, b pending) int { return a.compare(b.position) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func xidOf(x *int64) int64 {
	if x == nil {
		return -1
	}
	return *x
}
