package store_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"bangfu/internal/store"
)

// TestWithinReportsSuccess: work that returns in time is never reported
// as unavailable, however close its return and the cleanup race.
func TestWithinReportsSuccess(t *testing.T) {
	t.Parallel()
	// Many callers at once, as under load, where the race showed.
	var g errgroup.Group
	for range 16 {
		g.Go(func() error {
			for range 5_000 {
				if err := store.Within(context.Background(), time.Minute, func(context.Context) error { return nil }); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}
