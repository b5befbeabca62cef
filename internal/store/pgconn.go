package store

import (
	"context"
	"database/sql/driver"
	"net/url"
	"reflect"

	"github.com/lib/pq"

	"bangfu/internal/store/bytea"
)

// pgConnector opens lib/pq connections that send a statement and its
// parameters in one round trip (Parse, Bind, Execute, Sync) instead of
// two (Parse and Describe first, then Bind and Execute): lib/pq's
// binary_parameters. That mode sends []byte parameters in binary, which
// is right for bytea columns (bytea.Bytes) but not for JSON, which ent
// encodes as []byte: the connection sends those as text.
type pgConnector struct{ *pq.Connector }

func newPGConnector(dsn string) (driver.Connector, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	if q.Get("binary_parameters") == "" {
		q.Set("binary_parameters", "yes")
	}
	u.RawQuery = q.Encode()
	c, err := pq.NewConnector(u.String())
	if err != nil {
		return nil, err
	}
	return pgConnector{c}, nil
}

// Connect opens a connection.
func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn, stmts: newStmtCache(conn.(driver.ConnPrepareContext))}, nil
}

// pgConn is a lib/pq connection whose []byte parameters go as text,
// unless they are bytea.Bytes, and whose repeated statements run prepared
// (stmtCache).
type pgConn struct {
	driver.Conn
	stmts *stmtCache
	inTx  bool
}

// CheckNamedValue converts the parameters lib/pq would send wrongly.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bytea.Bytes); ok {
		nv.Value = []byte(b)
		return nil
	}
	// []byte and named byte slices (json.RawMessage) that are not bytea.
	if v := reflect.ValueOf(nv.Value); v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
		if v.IsNil() {
			nv.Value = nil
		} else {
			nv.Value = string(v.Bytes())
		}
		return nil
	}
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

// QueryContext runs q, prepared when the connection has run it before.
func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return runCached(ctx, c, q, args,
		func(s driver.Stmt) (driver.Rows, error) { return s.(driver.StmtQueryContext).QueryContext(ctx, args) },
		func() (driver.Rows, error) { return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args) })
}

// ExecContext runs q, prepared when the connection has run it before.
func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return runCached(ctx, c, q, args,
		func(s driver.Stmt) (driver.Result, error) { return s.(driver.StmtExecContext).ExecContext(ctx, args) },
		func() (driver.Result, error) { return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args) })
}

// runCached runs q through its cached statement if it has one (or now
// earns one), else as text. A statement PostgreSQL refuses as stale is
// dropped; outside a transaction it is retried as text at once (inside
// one, the failed statement has aborted the transaction: the error
// stands, and the caller's retry prepares it afresh).
func runCached[R any](ctx context.Context, c *pgConn, q string, args []driver.NamedValue,
	prepared func(driver.Stmt) (R, error), text func() (R, error)) (R, error) {
	if !cacheable(q, args) {
		return text()
	}
	stmt, err := c.stmts.get(ctx, q)
	if err != nil {
		var zero R
		return zero, err
	}
	if stmt == nil {
		return text()
	}
	r, err := prepared(stmt)
	if err != nil && stale(err) {
		c.stmts.forget(q)
		if !c.inTx {
			return text()
		}
	}
	return r, err
}

// The rest is lib/pq's.

func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return pgTx{tx, c}, nil
}

// pgTx tells its connection when the transaction ends.
type pgTx struct {
	driver.Tx
	conn *pgConn
}

func (t pgTx) Commit() error {
	t.conn.inTx = false
	return t.Tx.Commit()
}

func (t pgTx) Rollback() error {
	t.conn.inTx = false
	return t.Tx.Rollback()
}

func (c *pgConn) Ping(ctx context.Context) error {
	return c.Conn.(driver.Pinger).Ping(ctx)
}

func (c *pgConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *pgConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
