// Package bytea marks binary column values. On PostgreSQL bangfu sends
// every statement's parameters in one round trip (lib/pq's
// binary_parameters), which sends []byte values in binary; the store's
// driver turns plain []byte values (JSON, as ent encodes it) into text
// and leaves Bytes, the values of bytea columns, binary.
package bytea

// Bytes is the value of a bytea column (a hash, say).
type Bytes []byte
