// Package search tokenizes product text for catalog search. Chinese has no
// spaces, so CJK runs become overlapping bigrams (高山草果 → 高山 山草 草果)
// and other runs become lower-cased words. The same tokens feed PostgreSQL
// full-text search (a tsvector with a GIN index) and the SQLite fallback
// (substring matches over the stored token string), so both agree.
package search

import (
	"strings"
	"unicode"
)

// Tokens returns the distinct search tokens of a text, in order.
func Tokens(text string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, run := range runs(text) {
		if !run.cjk {
			add(run.text)
			continue
		}
		r := []rune(run.text)
		if len(r) == 1 {
			add(run.text)
			continue
		}
		for i := 0; i+1 < len(r); i++ {
			add(string(r[i : i+2]))
		}
	}
	return out
}

// Document is the stored token string of a product: tokens separated by
// spaces, also valid PostgreSQL tsvector input.
func Document(parts ...string) string {
	return strings.Join(Tokens(strings.Join(parts, " ")), " ")
}

// Query is a parsed search query: every term must match. A single CJK
// character matches any token starting with it.
type Query struct {
	Terms  []string
	Prefix string // set for a one-character CJK query
	Raw    string // the query as typed, trimmed and lower-cased
}

// ParseQuery tokenizes a user's query.
func ParseQuery(q string) Query {
	raw := strings.ToLower(strings.TrimSpace(q))
	rs := runs(q)
	if len(rs) == 1 && rs[0].cjk && len([]rune(rs[0].text)) == 1 {
		return Query{Prefix: rs[0].text, Raw: raw}
	}
	return Query{Terms: Tokens(q), Raw: raw}
}

// Empty reports whether the query has nothing to search for.
func (q Query) Empty() bool { return len(q.Terms) == 0 && q.Prefix == "" }

// TSQuery renders the query for PostgreSQL's to_tsquery('simple', …).
func (q Query) TSQuery() string {
	if q.Prefix != "" {
		return quote(q.Prefix) + ":*"
	}
	quoted := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		quoted[i] = quote(t)
	}
	return strings.Join(quoted, " & ")
}

// quote makes a token a literal tsquery operand.
func quote(t string) string { return "'" + strings.ReplaceAll(t, "'", "''") + "'" }

type run struct {
	text string
	cjk  bool
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// runs splits text into CJK runs and alphanumeric words; everything else
// separates them.
func runs(text string) []run {
	var out []run
	var cur []rune
	curCJK := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, run{text: strings.ToLower(string(cur)), cjk: curCJK})
			cur = cur[:0]
		}
	}
	for _, r := range text {
		switch {
		case isCJK(r):
			if !curCJK {
				flush()
			}
			curCJK = true
			cur = append(cur, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if curCJK {
				flush()
			}
			curCJK = false
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}
