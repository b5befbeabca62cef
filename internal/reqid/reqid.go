// Package reqid carries what identifies an HTTP request through contexts:
// its id, so logs and audit events can name the request that caused them,
// and the client's address, which sign-in throttling keys on.
package reqid

import "context"

type key struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context { return context.WithValue(ctx, key{}, id) }

// From returns the request id in ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

type clientKey struct{}

// WithClient returns ctx carrying the address of the client that sent the
// request (behind trusted proxies: the one they forwarded for).
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// Client returns the client address in ctx, or "".
func Client(ctx context.Context) string {
	a, _ := ctx.Value(clientKey{}).(string)
	return a
}
