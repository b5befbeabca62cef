package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTokens: tokens are distinct, non-empty, without spaces, valid UTF-8
// wherever the text is; the document is the tokens joined; a query renders
// to a tsquery whose quotes balance.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"高山草果 500g/袋", "云南 普洱茶 Pu'er", "茶", "", "  \t\n", "a'b''c", "\xff\xfe绿茶"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tokens := Tokens(text)
		seen := map[string]bool{}
		for _, tok := range tokens {
			if tok == "" || strings.ContainsAny(tok, " \t\n") || seen[tok] {
				t.Fatalf("bad token %q of %q", tok, text)
			}
			if utf8.ValidString(text) && !utf8.ValidString(tok) {
				t.Fatalf("token %q of valid text %q is not UTF-8", tok, text)
			}
			seen[tok] = true
		}
		if doc := Document(text); doc != strings.Join(tokens, " ") {
			t.Fatalf("Document(%q) = %q, tokens %q", text, doc, tokens)
		}
		tsq := ParseQuery(text).TSQuery()
		if strings.Count(tsq, "'")%2 != 0 {
			t.Fatalf("unbalanced tsquery %q for %q", tsq, text)
		}
	})
}
