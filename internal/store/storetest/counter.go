package storetest

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"bangfu/ent"
	"bangfu/internal/store"
)

// Counter counts the SQL statements sent to the database through it:
// every query and exec, in a transaction or not, and BEGIN and COMMIT or
// ROLLBACK. Tests that bound a request's statements serve a client over
// it (ent.NewClient(ent.Driver(counter))). With Record set it keeps the
// statements too, for a failing test to show.
type Counter struct {
	dialect.Driver
	n      atomic.Int64
	Record bool
	mu     sync.Mutex
	seen   []string
}

// NewCounter counts the statements of a client over db.
func NewCounter(db *store.DB) (*Counter, *ent.Client) {
	c := &Counter{Driver: db.Driver()}
	return c, ent.NewClient(ent.Driver(c))
}

// Reset starts counting from 0.
func (c *Counter) Reset() {
	c.n.Store(0)
	c.mu.Lock()
	c.seen = nil
	c.mu.Unlock()
}

// N is the number of statements since the last Reset.
func (c *Counter) N() int64 { return c.n.Load() }

// Statements are those recorded since the last Reset (with Record).
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

func (c *Counter) count(query string) {
	c.n.Add(1)
	if c.Record {
		c.mu.Lock()
		c.seen = append(c.seen, query)
		c.mu.Unlock()
	}
}

// Query counts and runs a query.
func (c *Counter) Query(ctx context.Context, query string, args, v any) error {
	c.count(query)
	return c.Driver.Query(ctx, query, args, v)
}

// Exec counts and runs a statement.
func (c *Counter) Exec(ctx context.Context, query string, args, v any) error {
	c.count(query)
	return c.Driver.Exec(ctx, query, args, v)
}

// ExecContext counts and runs raw SQL (ent's ExecQuery feature).
func (c *Counter) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	c.count(query)
	ex, ok := c.Driver.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("ExecContext is not supported")
	}
	return ex.ExecContext(ctx, query, args...)
}

// QueryContext counts and runs a raw query.
func (c *Counter) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	c.count(query)
	q, ok := c.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("QueryContext is not supported")
	}
	return q.QueryContext(ctx, query, args...)
}

// Tx counts BEGIN and returns a transaction whose statements and end are
// counted too.
func (c *Counter) Tx(ctx context.Context) (dialect.Tx, error) {
	c.count("BEGIN")
	tx, err := c.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: c}, nil
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.count(query)
	return t.Tx.Query(ctx, query, args, v)
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.count(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.count(query)
	return t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	}).ExecContext(ctx, query, args...)
}

func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.count(query)
	return t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	}).QueryContext(ctx, query, args...)
}

func (t *countingTx) Commit() error {
	t.c.count("COMMIT")
	return t.Tx.Commit()
}

func (t *countingTx) Rollback() error {
	t.c.count("ROLLBACK")
	return t.Tx.Rollback()
}
