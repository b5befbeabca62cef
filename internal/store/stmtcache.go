package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strings"

	"github.com/lib/pq"
)

// Every statement a PostgreSQL connection runs more than once is prepared
// on it and kept, so that PostgreSQL parses it once and plans it once its
// plan is settled; each later run is one Bind and Execute. lib/pq alone
// sends every statement with parameters as text, to be parsed and planned
// anew each time: on the write path that was a third of PostgreSQL's time
// (pgbench running placeOrder's statements: 1,350 transactions/s sent as
// text, 1,790 prepared). pgx keeps such a cache for the same reason.
//
// A statement is prepared the second time the connection sees it, not the
// first: a statement that runs once (a crawler's deep page, a report with
// an odd filter) is not worth a Parse, a Describe and later a Close of
// its own. The cache is a least-recently-used list of stmtCacheSize
// statements per connection, so a client cannot make the server keep ever
// more; what falls out is closed.
const (
	stmtCacheSize = 256
	// seenSize bounds the statements remembered as seen once; the set
	// starts over when full.
	seenSize = 4 * stmtCacheSize
)

// stmtCache is one connection's prepared statements. A driver.Conn is used
// by one goroutine at a time, so it needs no lock.
type stmtCache struct {
	conn  driver.ConnPrepareContext
	order *list.List               // most recently used first; values are *cachedStmt
	byKey map[string]*list.Element // query text → element of order
	seen  map[string]struct{}
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
}

func newStmtCache(conn driver.ConnPrepareContext) *stmtCache {
	return &stmtCache{conn: conn, order: list.New(), byKey: map[string]*list.Element{}, seen: map[string]struct{}{}}
}

// cacheable says whether query is worth keeping prepared: anything with
// parameters, and reads without. Transaction control, SET and schema
// changes (no parameters) run as simple queries, as lib/pq sends them.
func cacheable(query string, args []driver.NamedValue) bool {
	if len(args) > 0 {
		return true
	}
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) >= 6 && (strings.EqualFold(q[:6], "SELECT") || strings.EqualFold(q[:4], "WITH"))
}

// get returns the statement prepared for query, preparing it if the
// connection ran it before; nil means run it unprepared this time.
func (c *stmtCache) get(ctx context.Context, query string) (driver.Stmt, error) {
	if e, ok := c.byKey[query]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt, nil
	}
	if _, ok := c.seen[query]; !ok {
		if len(c.seen) >= seenSize {
			clear(c.seen)
		}
		c.seen[query] = struct{}{}
		return nil, nil
	}
	stmt, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	delete(c.seen, query)
	c.byKey[query] = c.order.PushFront(&cachedStmt{query: query, stmt: stmt})
	// Close the least recently used only now that the new statement is
	// prepared: closing is a round trip of its own, on an idle connection.
	if c.order.Len() > stmtCacheSize {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		old := oldest.Value.(*cachedStmt)
		delete(c.byKey, old.query)
		if err := old.stmt.Close(); err != nil {
			return nil, err
		}
	}
	return stmt, nil
}

// forget drops query's statement after PostgreSQL refused to run it (see
// stale); it is prepared again when next seen.
func (c *stmtCache) forget(query string) {
	if e, ok := c.byKey[query]; ok {
		c.order.Remove(e)
		delete(c.byKey, query)
		_ = e.Value.(*cachedStmt).stmt.Close()
	}
}

// stale says whether err is PostgreSQL refusing a prepared statement that
// a schema change made obsolete (a table altered under it), or that the
// session no longer has: running the text afresh would succeed.
func stale(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return false
	}
	switch pqErr.Code {
	case "26000": // invalid_sql_statement_name: the session lost it
		return true
	case "0A000": // feature_not_supported
		return strings.Contains(pqErr.Message, "cached plan must not change result type")
	}
	return false
}
