package store

import (
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
)

// Rebind writes a statement's ? placeholders as the dialect wants them:
// $1, $2, … on PostgreSQL; SQLite takes ? as it is. Hand-written SQL (the
// few hot paths that need one statement where ent's builders take several)
// is written once with ? and rebound. It does not look inside string
// literals: keep values in arguments.
func Rebind(dialectName, query string) string {
	if dialectName != dialect.Postgres {
		return query
	}
	// Byte by byte: '?' never occurs inside a UTF-8 sequence. It runs on
	// every request's viewer and stock statements, so no rune decoding.
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
		query = query[i+1:]
	}
}
