package store

import (
	"context"
	"errors"

	"bangfu/ent"
)

// WithTx runs fn in a transaction on client and commits when fn returns
// nil; otherwise it rolls back. Changes and their audit events commit
// together or not at all. On a client that is already transactional fn
// joins that transaction, which its owner commits.
func WithTx(ctx context.Context, client *ent.Client, fn func(*ent.Client) error) error {
	tx, err := client.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		return fn(client)
	}
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
