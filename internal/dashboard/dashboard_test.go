package dashboard_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bangfu/internal/dashboard"
	"bangfu/internal/dashboard/dashboardtest"
)

func serve(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /dashboard", dashboard.Handler())
	mux.Handle("GET /dashboard/", dashboard.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestPageAndAssetsFromTheServer: the page and everything it loads, and
// everything those load, come from the server, and every embedded file is
// used (so the crawl found every reference).
func TestPageAndAssetsFromTheServer(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	got := dashboardtest.Crawl(t, srv.Client(), srv.URL, "/dashboard")
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Path)
		if f.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no Content-Security-Policy", f.Path)
		}
		if f.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", f.Path, f.Header.Get("X-Content-Type-Options"))
		}
	}
	err := fs.WalkDir(dashboard.Assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want := "/dashboard/" + p
		if p == "index.html" {
			want = "/dashboard"
		}
		if !slices.Contains(paths, want) {
			t.Errorf("%s is embedded but the page never loads it (crawled %v)", want, paths)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ path, ct string }{
		{"/dashboard", "text/html; charset=utf-8"},
		{"/dashboard/app.js", "text/javascript; charset=utf-8"},
		{"/dashboard/style.css", "text/css; charset=utf-8"},
		{"/dashboard/icon.svg", "image/svg+xml"},
	} {
		i := slices.IndexFunc(got, func(f dashboardtest.Fetched) bool { return f.Path == want.path })
		if i < 0 {
			t.Errorf("%s not loaded", want.path)
		} else if ct := got[i].Header.Get("Content-Type"); ct != want.ct {
			t.Errorf("%s: Content-Type %q, want %q", want.path, ct, want.ct)
		}
	}
}

func TestUnknownPaths404(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	for _, p := range []string{"/dashboard/nope.js", "/dashboard/index.html", "/dashboard/app.js/x",
		"/dashboard/assets/app.js", "/dashboard/%2e%2e/dashboard.go", "/dashboard/jstest/ws.test.js", "/dashboard/.hidden"} {
		res, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	// The handler alone, outside its paths or with another method.
	h := dashboard.Handler()
	for _, r := range []*http.Request{httptest.NewRequest(http.MethodGet, "/elsewhere", nil), httptest.NewRequest(http.MethodPost, "/dashboard", nil)} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", r.Method, r.URL, w.Code)
		}
	}
	// /dashboard/ is the page's other spelling: redirected to the one address.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/dashboard/", nil))
	if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/dashboard" {
		t.Errorf("GET /dashboard/: %d to %q", w.Code, w.Header().Get("Location"))
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	h := dashboard.Handler()
	r := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
	r.Host = "bangfu.example:8443"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	csp := w.Header().Get("Content-Security-Policy")
	directives := map[string]string{}
	for d := range strings.SplitSeq(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, want := range map[string]string{
		"default-src":     "'none'",
		"script-src":      "'self'",
		"style-src":       "'self'",
		"connect-src":     "'self' ws://bangfu.example:8443 wss://bangfu.example:8443",
		"base-uri":        "'none'",
		"frame-ancestors": "'none'",
	} {
		if directives[name] != want {
			t.Errorf("%s %q, want %q (CSP %q)", name, directives[name], want, csp)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP allows unsafe sources: %q", csp)
	}

	// A Host that is not a host[:port] never reaches the header.
	for _, host := range []string{"evil.example; script-src *", "a b", "x.example:99999", "[::1", "x.example,wss://evil.example", "'self'"} {
		r := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Content-Security-Policy"); strings.Contains(got, "ws:") || strings.Count(got, "script-src") != 1 {
			t.Errorf("Host %q: CSP %q", host, got)
		}
	}
}

func TestValidHost(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]bool{
		"localhost": true, "localhost:8080": true, "127.0.0.1:8080": true, "[::1]:8080": true, "[::1]": true,
		"bangfu.example": true, "a-b.c.example.": true, "xn--fiqs8s.example": true,
		"": false, ":8080": false, "host:": false, "host:0": false, "host:65536": false, "host:8o": false,
		"[127.0.0.1]": false, "[::1]x": false, "::1": false, "-a.example": false, "a..b": false,
		"a b": false, "a;b": false, "a/b": false, "a'b": false, "帮扶.example": false, "a\x00b": false,
	} {
		if got := dashboard.ValidHost(h); got != want {
			t.Errorf("ValidHost(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestRevalidation: every response is revalidated, and an unchanged file
// costs a 304 without a body; a changed one would get a new ETag, because
// the ETag is the content's hash.
func TestRevalidation(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	etags := map[string]string{}
	for _, p := range []string{"/dashboard", "/dashboard/app.js", "/dashboard/ws.js", "/dashboard/style.css"} {
		res, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		etag := res.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
			t.Fatalf("%s: ETag %q", p, etag)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", p, cc)
		}
		for q, e := range etags {
			if e == etag {
				t.Errorf("%s and %s share ETag %s", p, q, etag)
			}
		}
		etags[p] = etag

		req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		req.Header.Set("If-None-Match", etag)
		res, err = srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d, want 304", p, res.StatusCode)
		}
		req.Header.Set("If-None-Match", `"stale"`)
		res, err = srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s with a stale ETag: %d, want 200", p, res.StatusCode)
		}
	}
}

// TestJavaScript runs the page's unit tests (formatting, ordering, the
// chart's geometry, the session and the graphql-transport-ws client against
// a fake socket) with Node's built-in test runner. Without node it skips,
// unless BANGFU_JS_TESTS=require (CI), where a missing node fails.
func TestJavaScript(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("BANGFU_JS_TESTS") == "require" {
			t.Fatal("BANGFU_JS_TESTS=require but node is not installed")
		}
		t.Skip("node not installed (set BANGFU_JS_TESTS=require to make this a failure)")
	}
	files, err := filepath.Glob(filepath.Join("jstest", "*.test.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JavaScript tests found (%v)", err)
	}
	cmd := exec.Command(node, append([]string{"--test", "--test-reporter=spec"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
}
