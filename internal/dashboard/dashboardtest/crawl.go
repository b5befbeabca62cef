// Package dashboardtest checks, for tests, that the dashboard page and
// everything it loads come from the server alone.
package dashboardtest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The references a page or module makes: src and href attributes, static
// and dynamic imports, and url() in stylesheets.
var (
	attrRef   = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)
	importRef = regexp.MustCompile(`(?m)(?:\bimport\s*(?:[\w*{}\s,]+\s*from\s*)?|\bimport\s*\(\s*|\bexport\s*[\w*{}\s,]+\s*from\s*)['"]([^'"]+)['"]`)
	cssRef    = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)
)

// Fetched is one response of the crawl.
type Fetched struct {
	Path   string
	Header http.Header
	Body   []byte
}

// Crawl fetches page from the server at base and, recursively, every
// resource it references. Each reference must be a path on the same server
// (no scheme, no host, no protocol-relative URL, no data: URL) and answer
// 200. It returns every response by path, the page first.
func Crawl(t testing.TB, client *http.Client, base, page string) []Fetched {
	t.Helper()
	root, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var out []Fetched
	seen := map[string]bool{}
	var visit func(ref *url.URL, from string)
	visit = func(ref *url.URL, from string) {
		if seen[ref.Path] {
			return
		}
		seen[ref.Path] = true
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, root.ResolveReference(ref).String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s (from %s): %v", ref, from, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s (from %s): %d", ref.Path, from, res.StatusCode)
			return
		}
		out = append(out, Fetched{Path: ref.Path, Header: res.Header, Body: body})
		var refs []string
		ct := res.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/html"):
			for _, m := range attrRef.FindAllStringSubmatch(string(body), -1) {
				refs = append(refs, m[1])
			}
		case strings.HasPrefix(ct, "text/javascript"):
			for _, m := range importRef.FindAllStringSubmatch(string(body), -1) {
				refs = append(refs, m[1])
			}
		case strings.HasPrefix(ct, "text/css"):
			for _, m := range cssRef.FindAllStringSubmatch(string(body), -1) {
				refs = append(refs, m[1])
			}
		}
		for _, r := range refs {
			u, err := url.Parse(r)
			if err != nil {
				t.Errorf("%s references %q: %v", ref.Path, r, err)
				continue
			}
			if u.Scheme != "" || u.Host != "" || strings.HasPrefix(r, "//") {
				t.Errorf("%s references %q, which is not on this server", ref.Path, r)
				continue
			}
			visit(ref.ResolveReference(u), ref.Path)
		}
	}
	visit(&url.URL{Path: page}, "the test")
	return out
}
