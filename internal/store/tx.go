package store

import (
	"context"

	"bangfu/ent"
)

// WithTx runs fn in a transaction on client and commits when fn returns
// nil; otherwise it rolls back. Changes and their audit events commit
// together or not at all.
func WithTx(ctx context.Context, client *ent.Client, fn func(*ent.Client) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
