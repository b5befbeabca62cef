package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUnavailable marks a database that does not answer in time.
var ErrUnavailable = errors.New("the database is unavailable")

// Within runs fn with a deadline d from now and returns when fn returns or
// when the deadline passes, whichever comes first. lib/pq does not give up
// a connection attempt or a read from a server that stopped answering when
// its context ends, so work that must answer in time (the viewer lookup
// before every request, the readiness check) runs here. At the deadline it
// returns an error wrapping ErrUnavailable and leaves fn to end on its own.
func Within(ctx context.Context, d time.Duration, fn func(context.Context) error) error {
	// The caller cancels, not fn's goroutine: were fn to cancel as it
	// returned, both cases below could be ready at once and a lookup that
	// succeeded would be reported as unavailable.
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errors.Join(ErrUnavailable, ctx.Err())
	}
}

// Unavailable reports whether err says the database could not be reached
// or did not answer (as opposed to refusing the statement): the server
// answers such errors with 503 and Retry-After, never as the caller's
// fault and never as a failed sign-in.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var (
		netErr  net.Error
		pqErr   *pq.Error
		liteErr *sqlite.Error
	)
	switch {
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &netErr):
		return true
	case errors.As(err, &pqErr):
		// Class 08: connection exception; 57P01-03: the server is shutting
		// down or starting; 53300: too many connections.
		code := string(pqErr.Code)
		return len(code) == 5 && (code[:2] == "08" || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300")
	case errors.As(err, &liteErr):
		// Another writer holds the file past the busy timeout.
		c := liteErr.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}
