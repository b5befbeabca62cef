package store

import (
	"context"
	"errors"

	"bangfu/ent"
)

// WithTx runs fn in a transaction on client and commits when fn returns
// nil; an error or a panic rolls it back (the panic goes on). Changes and
// their audit events commit together or not at all. On a client that is
// already transactional fn joins that transaction, which its owner
// commits. It is the one way bangfu opens a transaction.
func WithTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Client) error) (err error) {
	tx, err := client.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		return fn(client)
	}
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		// A commit hook (the audit event) failed before the commit: end
		// the transaction; after a failed commit this is a no-op.
		_ = tx.Rollback()
		return err
	}
	return nil
}

// AfterCommit runs f once the transaction client belongs to has committed,
// and never if it rolls back or its commit fails; on a client that is not
// transactional (each statement commits by itself) it runs f at once. It
// is for effects that must not anticipate a commit: business counters,
// waking subscribers.
func AfterCommit(client *ent.Client, f func()) {
	if !client.AfterCommit(f) {
		f()
	}
}
