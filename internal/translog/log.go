// Package translog keeps bangfu's transparency log, in the style of
// Certificate Transparency (RFC 6962/9162) and the Go checksum database:
// every audit event and every ledger entry becomes a leaf of a Merkle tree
// (golang.org/x/mod/sumdb/tlog), and the tree's size and root hash are
// signed (golang.org/x/mod/sumdb/note) and published, so that someone who
// does not trust the operator can check that a record is in the log
// (record proof), that today's log extends yesterday's (tree proof), and
// that no leaf was edited, removed or reordered.
//
// Writers never wait for the log: they commit their rows as before, and a
// sealer appends committed rows to the tree afterwards, in an order no
// late commit can break (see Seal).
package translog

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"bangfu/ent"
	"bangfu/ent/logcheckpoint"
	"bangfu/ent/loghash"
	"bangfu/ent/logleaf"
	"bangfu/internal/clock"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// Log is the transparency log over one database.
type Log struct {
	client *ent.Client
	signer note.Signer
	vkey   string
	now    clock.Clock
}

// DefaultName names a development log's throwaway key.
const DefaultName = "bangfu.example/log"

// GenerateKey makes a signing key (note's "PRIVATE+KEY+name+…" text, for
// BANGFU_LOG_KEY) and its public verifier key.
func GenerateKey(name string) (signer, verifier string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// New opens the log, signing with skey (a note signer key); an empty skey
// takes a throwaway key, for development and tests.
func New(client *ent.Client, skey string, now clock.Clock) (*Log, error) {
	if skey == "" {
		var err error
		if skey, _, err = GenerateKey(DefaultName); err != nil {
			return nil, err
		}
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("log signing key: %w", err)
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, err
	}
	if _, err := note.NewVerifier(vkey); err != nil {
		return nil, err
	}
	return &Log{client: client, signer: s, vkey: vkey, now: now}, nil
}

// verifierKey derives the public verifier key from a signer key
// ("PRIVATE+KEY+name+hash+base64(alg||priv)").
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("log signing key: not a note signer key (PRIVATE+KEY+…)")
	}
	return publicFromPrivate(parts[2], parts[3], parts[4])
}

// VerifierKey is the log's public key, in note's verifier key format.
func (l *Log) VerifierKey() string { return l.vkey }

// Name is the log's name (the key's name), the checkpoint's origin line.
func (l *Log) Name() string { return l.signer.Name() }

// sealKey keeps two sealers from sealing at once (a replica that lost
// leadership while a round ran, or verifyAuditChain sealing on demand);
// only sealers take it, never writers.
const sealKey = 727_7033

// roundRows bounds the rows sealed in one transaction.
const roundRows = 5000

// Seal appends to the tree the audit events and ledger entries committed
// since the last seal, in rounds of at most roundRows rows each in a
// transaction of its own, and signs the new head; it returns the tree
// size.
//
// The order must be gap-free: a row may never be sealed after a row that
// committed later was. Row ids do not give that (a transaction that took
// its id first may commit last), so on PostgreSQL every row carries the id
// of the transaction that wrote it (xid), and a round seals only rows of
// transactions that have ended (see sealer.next), in (xid, kind, id)
// order. SQLite runs one writer at a time, so there ids are commit order.
func (l *Log) Seal(ctx context.Context) (int64, error) {
	size, _, err := l.seal(ctx)
	return size, err
}

// SealThrough seals at least every row committed before it was called,
// waiting (until ctx ends) for transactions that were running then to
// end: verifyAuditChain and evidence exports then cover everything their
// caller could see.
func (l *Log) SealThrough(ctx context.Context) (int64, error) {
	if l.client.Dialect() != dialect.Postgres {
		return l.Seal(ctx)
	}
	ctx = viewer.AsSystem(ctx)
	// Every transaction that has committed by now has an id below xmax.
	var target int64
	if err := scanOne(ctx, l.client, &target, "SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint"); err != nil {
		return 0, err
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		var horizon int64
		if err := scanOne(ctx, l.client, &horizon, horizonQuery); err != nil {
			return 0, err
		}
		size, busy, err := l.seal(ctx)
		if err != nil || (!busy && horizon >= target) {
			return size, err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// catchUpWait bounds how long a reader of the log (verifyAuditChain, an
// evidence export) waits for transactions still running when it asks
// for everything committed to be sealed.
const catchUpWait = 5 * time.Second

// CatchUp seals what has committed before a reader looks at the log,
// waiting at most catchUpWait for transactions still running (the
// longest transaction in the database holds sealing back); what
// is not sealed by then is not yet in the log, and the reader sees the
// log as of its latest head.
func (l *Log) CatchUp(ctx context.Context) error {
	wait, cancel := context.WithTimeout(ctx, catchUpWait)
	defer cancel()
	_, err := l.SealThrough(wait)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return nil
	}
	return err
}

// seal is Seal, also reporting whether another sealer held the lock.
func (l *Log) seal(ctx context.Context) (size int64, busy bool, err error) {
	ctx = viewer.AsSystem(ctx) // the server's own bookkeeping
	size, err = l.Size(ctx)
	if err != nil {
		return 0, false, err
	}
	grown := false
	for {
		var added int64
		err := store.WithTx(ctx, l.client, func(tx *ent.Client) error {
			if tx.Dialect() == dialect.Postgres {
				var got bool
				if err := scanOne(ctx, tx, &got, "SELECT pg_try_advisory_xact_lock($1)", sealKey); err != nil {
					return err
				}
				if !got {
					return errBusy
				}
			}
			s, err := newSealer(ctx, tx)
			if err != nil {
				return err
			}
			before := s.size
			if err := s.seal(ctx, roundRows); err != nil {
				return err
			}
			size, added = s.size, s.size-before
			return nil
		})
		if errors.Is(err, errBusy) {
			size, err = l.Size(ctx)
			return size, true, err
		}
		if err != nil {
			return 0, false, err
		}
		grown = grown || added > 0
		if added < roundRows {
			break
		}
	}
	if grown {
		if err := l.sign(ctx, size, false); err != nil {
			return 0, false, err
		}
	}
	return size, false, nil
}

var errBusy = errors.New("another sealer is sealing")

// Size is the number of sealed leaves.
func (l *Log) Size(ctx context.Context) (int64, error) {
	last, err := l.client.LogLeaf.Query().Order(ent.Desc(logleaf.FieldID)).First(viewer.AsSystem(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return last.ID + 1, nil
}

// Resign signs the current head again (with the current time), so that
// the published checkpoint shows the log is alive even when nothing new
// was sealed.
func (l *Log) Resign(ctx context.Context) error {
	ctx = viewer.AsSystem(ctx)
	size, err := l.Size(ctx)
	if err != nil {
		return err
	}
	return l.sign(ctx, size, true)
}

// sign records the signed head of a tree of size leaves, unless one is
// recorded already (or again, when fresh is set).
func (l *Log) sign(ctx context.Context, size int64, fresh bool) error {
	if size == 0 {
		return nil
	}
	existing, err := l.client.LogCheckpoint.Get(ctx, size)
	if err == nil && !fresh {
		return nil
	}
	if err != nil && !ent.IsNotFound(err) {
		return err
	}
	root, err := tlog.TreeHash(size, hashReader(ctx, l.client, nil))
	if err != nil {
		return err
	}
	now := l.now().UTC().Truncate(time.Second)
	text := FormatCheckpoint(Checkpoint{Origin: l.Name(), Size: size, Root: root, Time: now})
	signed, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		return err
	}
	if existing != nil {
		return l.client.LogCheckpoint.UpdateOne(existing).SetNote(string(signed)).SetSignedAt(now).Exec(ctx)
	}
	err = l.client.LogCheckpoint.Create().SetID(size).SetRootHash(root[:]).SetNote(string(signed)).SetSignedAt(now).Exec(ctx)
	if ent.IsConstraintError(err) {
		return nil // another replica signed this size first
	}
	return err
}

// Latest is the newest signed checkpoint (the note's text and signature),
// or "" before anything was sealed.
func (l *Log) Latest(ctx context.Context) (string, error) {
	cp, err := l.client.LogCheckpoint.Query().Order(ent.Desc(logcheckpoint.FieldID)).First(viewer.AsSystem(ctx))
	if ent.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return cp.Note, nil
}

// OpenCheckpoint checks a signed checkpoint against the log's key.
func (l *Log) OpenCheckpoint(signed string) (Checkpoint, error) {
	return OpenCheckpoint(signed, l.vkey)
}

// ProveRecord proves that leaf index is in the tree of size leaves.
func (l *Log) ProveRecord(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := l.checkRange(ctx, index, size); err != nil {
		return nil, err
	}
	return tlog.ProveRecord(size, index, hashReader(viewer.AsSystem(ctx), l.client, nil))
}

// ProveTree proves that the tree of size from is a prefix of the tree of
// size to.
func (l *Log) ProveTree(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	if from < 1 {
		return nil, ErrRange
	}
	if err := l.checkRange(ctx, from-1, to); err != nil {
		return nil, err
	}
	return tlog.ProveTree(to, from, hashReader(viewer.AsSystem(ctx), l.client, nil))
}

// ErrRange reports an index or size outside the sealed tree.
var ErrRange = errors.New("index or size outside the sealed tree")

func (l *Log) checkRange(ctx context.Context, index, size int64) error {
	n, err := l.Size(ctx)
	if err != nil {
		return err
	}
	if index < 0 || size <= index || size > n {
		return ErrRange
	}
	return nil
}

// Leaf returns a sealed leaf with its bytes, rebuilt from its row.
func (l *Log) Leaf(ctx context.Context, index int64) (*Leaf, error) {
	ctx = viewer.AsSystem(ctx)
	lf, err := l.client.LogLeaf.Get(ctx, index)
	if ent.IsNotFound(err) {
		return nil, ErrRange
	}
	if err != nil {
		return nil, err
	}
	data, err := source(ctx, l.client, lf.Kind, lf.RefID)
	if err != nil {
		return nil, err
	}
	return &Leaf{Index: lf.ID, Kind: lf.Kind, RefID: lf.RefID, Data: data}, nil
}

// source encodes a leaf's row as it is stored now.
func source(ctx context.Context, c *ent.Client, kind logleaf.Kind, id int) ([]byte, error) {
	switch kind {
	case logleaf.KindAUDIT_EVENT:
		e, err := c.AuditEvent.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return EventLeaf(e)
	case logleaf.KindLEDGER_ENTRY:
		e, err := c.LedgerEntry.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return LedgerLeaf(e)
	}
	return nil, fmt.Errorf("unknown leaf kind %q", kind)
}

// hashReader reads stored hashes from the database, keeping what it read
// in known (with hashes computed but not yet written): a round of sealing
// then reads each older hash once, however many new leaves need it.
func hashReader(ctx context.Context, c *ent.Client, known map[int64]tlog.Hash) tlog.HashReader {
	if known == nil {
		known = map[int64]tlog.Hash{}
	}
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, ix := range indexes {
			if h, ok := known[ix]; ok {
				out[i] = h
			} else {
				missing = append(missing, ix)
			}
		}
		if len(missing) == 0 {
			return out, nil
		}
		rows, err := c.LogHash.Query().Where(loghash.IDIn(missing...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if len(r.Hash) == tlog.HashSize {
				known[r.ID] = tlog.Hash(r.Hash)
			}
		}
		for i, ix := range indexes {
			h, ok := known[ix]
			if !ok {
				return nil, fmt.Errorf("log: stored hash %d is missing", ix)
			}
			out[i] = h
		}
		return out, nil
	})
}

func scanOne(ctx context.Context, c *ent.Client, dst any, query string, args ...any) error {
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("no row")
	}
	if err := rows.Scan(dst); err != nil {
		return err
	}
	return rows.Close()
}
