package store

import (
	"context"
	"database/sql"
	"sync"

	"entgo.io/ent/dialect"

	"bangfu/ent"
)

// Prepared runs the server's few hand-written hot statements (loading the
// viewer, taking stock) as prepared statements: each is parsed once per
// connection and, on PostgreSQL, planned once its plan is settled, where a
// statement sent as text is parsed and planned on every request (planning
// the viewer's statement alone cost more than running it). Statements are
// prepared on first use and kept for the life of the pool.
type Prepared struct {
	db    *sql.DB // nil over a driver that is not database/sql's (tests' instrumented ones)
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// NewPrepared prepares statements on the pool under client, on
// PostgreSQL; SQLite (one connection, no planner to speak of) runs the
// text as it is.
func NewPrepared(client *ent.Client) *Prepared {
	p := &Prepared{stmts: map[string]*sql.Stmt{}}
	if client.Dialect() == dialect.Postgres {
		p.db = client.DB()
	}
	return p
}

// Prepare prepares query ahead of a transaction that will run it:
// preparing takes a connection of the pool, which a transaction holding
// one must never wait for (with the pool exhausted by transactions doing
// the same, none would go on).
func (p *Prepared) Prepare(ctx context.Context, query string) error {
	if p == nil || p.db == nil {
		return nil
	}
	_, err := p.prepare(ctx, query) //nolint:sqlclosecheck // kept for the life of the pool
	return err
}

// Query runs query on c: in c's transaction when c is transactional,
// prepared if Prepare prepared it (else as text). Outside a transaction
// it prepares the statement on first use. Over a driver that is not
// database/sql's it runs the text as it is.
func (p *Prepared) Query(ctx context.Context, c *ent.Client, query string, args ...any) (*sql.Rows, error) {
	if p == nil || p.db == nil {
		return c.QueryContext(ctx, query, args...)
	}
	if c.TxKey() != nil {
		tx, stmt := c.SQLTx(), p.lookup(query)
		if tx == nil || stmt == nil {
			return c.QueryContext(ctx, query, args...)
		}
		return tx.StmtContext(ctx, stmt).QueryContext(ctx, args...) //nolint:sqlclosecheck // the transaction closes it; the caller closes the rows
	}
	stmt, err := p.prepare(ctx, query) //nolint:sqlclosecheck // kept for the life of the pool
	if err != nil {
		return nil, err
	}
	return stmt.QueryContext(ctx, args...)
}

func (p *Prepared) lookup(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stmts[query]
}

func (p *Prepared) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if s := p.lookup(query); s != nil {
		return s, nil
	}
	s, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.stmts[query]; ok { // prepared meanwhile by another request
		defer s.Close()
		return prev, nil
	}
	p.stmts[query] = s
	return s, nil
}
