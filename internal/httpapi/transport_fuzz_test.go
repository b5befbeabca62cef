package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeRequest: no body, content type or query string panics the
// request decoding; every refusal is a client error with a reason.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []struct{ body, contentType, query string }{
		{`{"query":"{ __typename }"}`, "application/json", ""},
		{`{"query":"q","variables":{"a":[1,{"b":null}]},"operationName":null,"extensions":{"persistedQuery":{"version":1}}}`, "application/json; charset=utf-8", ""},
		{`[1,2]`, "application/json", ""},
		{`{"query": "{ products`, "application/json", ""},
		{``, "text/plain", "query=%7B+__typename+%7D&variables=%7Bnope"},
		{``, "", "query=q&operationName=&extensions=%7B%7D"},
	} {
		f.Add(s.body, s.contentType, s.query)
	}
	tr := transport{maxBodyBytes: 1 << 16, maxErrors: 20}
	f.Fuzz(func(t *testing.T, body, contentType, query string) {
		post := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		post.Header.Set("Content-Type", contentType)
		p, status, err := tr.readPOST(httptest.NewRecorder(), post)
		check(t, p != nil, status, err)
		get := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		get.URL.RawQuery = query
		p, status, err = readGET(get)
		check(t, p != nil, status, err)
	})
}

func check(t *testing.T, decoded bool, status int, err error) {
	t.Helper()
	switch {
	case err == nil && !decoded:
		t.Fatal("no parameters and no error")
	case err != nil && (status < 400 || status > 499 || err.Error() == ""):
		t.Fatalf("refusal %d %q", status, err)
	}
}
