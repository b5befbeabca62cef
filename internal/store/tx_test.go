package store_test

import (
	"errors"
	"testing"

	"bangfu/ent"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// TestAfterCommit: what is registered in a transaction runs once it has
// committed, never when it rolls back; outside a transaction at once.
func TestAfterCommit(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	ctx := storetest.AsSystem()
	var ran int
	count := func() { ran++ }

	store.AfterCommit(db.Client, count)
	if ran != 1 {
		t.Fatalf("outside a transaction: ran %d times, want 1", ran)
	}

	ran = 0
	err := store.WithTx(ctx, db.Client, func(tx *ent.Client) error {
		store.AfterCommit(tx, count)
		// A nested WithTx joins the transaction: its registrations wait
		// for the outer commit too.
		if err := store.WithTx(ctx, tx, func(tx *ent.Client) error { store.AfterCommit(tx, count); return nil }); err != nil {
			return err
		}
		if ran != 0 {
			t.Errorf("ran %d times before the commit", ran)
		}
		return nil
	})
	if err != nil || ran != 2 {
		t.Fatalf("committed: err %v, ran %d times, want 2", err, ran)
	}

	ran = 0
	err = store.WithTx(ctx, db.Client, func(tx *ent.Client) error {
		store.AfterCommit(tx, count)
		return errors.New("changed my mind")
	})
	if err == nil || ran != 0 {
		t.Fatalf("rolled back: err %v, ran %d times, want 0", err, ran)
	}

	ran = 0
	func() {
		defer func() { _ = recover() }()
		_ = store.WithTx(ctx, db.Client, func(tx *ent.Client) error {
			store.AfterCommit(tx, count)
			panic("boom")
		})
	}()
	if ran != 0 {
		t.Fatalf("panicked: ran %d times, want 0", ran)
	}
}
