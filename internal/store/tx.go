package store

import (
	"context"
	"errors"
	"sync"

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
	// Functions registered with AfterCommit run once the commit succeeded.
	key, after := tx.Client().TxKey(), &afterCommit{}
	pendingAfterCommit.Store(key, after)
	defer pendingAfterCommit.Delete(key)
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
	after.run()
	return nil
}

// AfterCommit runs f once the transaction client belongs to has committed,
// and never if it rolls back; on a client that is not transactional (each
// statement commits by itself) it runs f at once. It is for effects that
// must not anticipate a commit, such as business counters.
//
// A transaction opened by WithTx knows whether its commit succeeded. For
// one opened otherwise (client.Tx), f runs after the commit was attempted,
// once the hooks that run before it (the audit event) succeeded.
func AfterCommit(client *ent.Client, f func()) {
	key := client.TxKey()
	if key == nil {
		f()
		return
	}
	if a, ok := pendingAfterCommit.Load(key); ok {
		a.(*afterCommit).add(f)
		return
	}
	committing := false
	client.Committed(func(context.Context, *ent.Client) error {
		committing = true
		return nil
	}, func() {
		if committing {
			committing = false // done runs again on a rollback after a failed commit
			f()
		}
	})
}

// pendingAfterCommit maps a transaction WithTx opened (ent.Client.TxKey)
// to what runs after its commit.
var pendingAfterCommit sync.Map

// afterCommit gathers one transaction's AfterCommit functions; hooks may
// register them from several goroutines.
type afterCommit struct {
	mu  sync.Mutex
	fns []func()
}

func (a *afterCommit) add(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fns = append(a.fns, f)
}

func (a *afterCommit) run() {
	a.mu.Lock()
	fns := a.fns
	a.fns = nil
	a.mu.Unlock()
	for _, f := range fns {
		f()
	}
}
