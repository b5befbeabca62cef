package store_test

import (
	"context"
	"sync"
	"testing"

	"entgo.io/ent/dialect"

	"bangfu/internal/store/storetest"
)

// TestPoolKeepsItsConnections: after a burst that opens every connection
// of the pool, the connections stay open for the next burst (with their
// prepared statements) instead of being closed as each request ends.
func TestPoolKeepsItsConnections(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	if db.Dialect != dialect.Postgres {
		t.Skip("the pool's limits are PostgreSQL's")
	}
	size := db.SQL.Stats().MaxOpenConnections
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for range size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			if _, err := db.SQL.ExecContext(context.Background(), "SELECT pg_sleep(0.2)"); err != nil {
				t.Error(err)
			}
		}()
	}
	close(ready)
	wg.Wait()
	s := db.SQL.Stats()
	if s.MaxIdleClosed != 0 || s.Idle != s.OpenConnections {
		t.Errorf("after a burst of %d: %d connections open, %d idle, %d closed for the idle limit; want all kept",
			size, s.OpenConnections, s.Idle, s.MaxIdleClosed)
	}
}
