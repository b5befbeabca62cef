package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/internal/apitest"
	"bangfu/internal/browsertest"
	"bangfu/internal/graphiql"
	"bangfu/internal/store/storetest"
)

var (
	tagRE  = regexp.MustCompile(`(?is)<(script|link|style|img|iframe|object|embed|base|meta)\b([^>]*)>`)
	attrRE = regexp.MustCompile(`(?is)\b([a-z-]+)\s*=\s*"([^"]*)"`)
)

// TestGraphiQLServedOffline fetches GraphiQL's page and everything it
// references from the server alone: every script and stylesheet is a path
// on the server with a Subresource Integrity hash that matches what the
// server sends, the page forbids other origins and inline code, the files
// are cacheable for good under content-hashed URLs, and production serves
// neither page nor files.
func TestGraphiQLServedOffline(t *testing.T) {
	t.Parallel()
	srv := apitest.Serve(t, storetest.Open(t))
	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		// A transport of its own that does not add Accept-Encoding, so
		// the test sees exactly what the server sends.
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}

	res, page := get("/", "Accept", "text/html") //nolint:bodyclose // get closes it
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	checkCSP(t, res.Header.Get("Content-Security-Policy"))
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("page Cache-Control %q, want no-cache (it names this build's files)", cc)
	}
	if !bytes.Contains(page, []byte(`data-endpoint="/graphql"`)) {
		t.Errorf("page does not point GraphiQL at /graphql:\n%s", page)
	}

	var urls []string
	for _, m := range tagRE.FindAllSubmatch(page, -1) {
		tag := strings.ToLower(string(m[1]))
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllSubmatch(m[2], -1) {
			attrs[strings.ToLower(string(a[1]))] = html.UnescapeString(string(a[2]))
		}
		if _, ok := attrs["style"]; ok {
			t.Errorf("inline style attribute: %s", m[0])
		}
		switch tag {
		case "script", "link":
			u := attrs["src"]
			if tag == "link" {
				u = attrs["href"]
			}
			if u == "" {
				t.Errorf("inline script or link without href: %s", m[0])
				continue
			}
			if !strings.HasPrefix(u, graphiql.Prefix) {
				t.Errorf("%s loads %q, not a file of this server under %s", tag, u, graphiql.Prefix)
				continue
			}
			if attrs["integrity"] == "" {
				t.Errorf("no Subresource Integrity: %s", m[0])
			}
			urls = append(urls, u)
			checkAsset(t, u, attrs["integrity"], get)
		case "meta":
			if strings.EqualFold(attrs["http-equiv"], "refresh") {
				t.Errorf("meta refresh: %s", m[0])
			}
		default:
			t.Errorf("unexpected <%s> on the page: %s", tag, m[0])
		}
	}
	// Every <script> tag is one of the above (with a src and no body).
	if n := bytes.Count(page, []byte("<script")); n != 4 || bytes.Count(page, []byte("></script>")) != n {
		t.Errorf("page has %d script tags, want the 4 files with no inline code:\n%s", n, page)
	}
	for _, name := range []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js",
		"init.js", "graphiql.min.css", "page.css", "favicon.svg"} {
		if !slices.ContainsFunc(urls, func(u string) bool { return strings.HasSuffix(u, "/"+name) }) {
			t.Errorf("page does not load %s (it loads %q)", name, urls)
		}
	}

	// A file under a hash that is not its own is not found (and not
	// cached for a year as something else).
	if len(urls) > 0 {
		stale := graphiql.Prefix + "0000000000000000/" + urls[0][strings.LastIndex(urls[0], "/")+1:]
		if res, _ := get(stale); res.StatusCode != http.StatusNotFound { //nolint:bodyclose // get closes it
			t.Errorf("GET %s: %d, want 404", stale, res.StatusCode)
		}
	}

	// Production: no page, no files.
	prod := apitest.Serve(t, storetest.Open(t), func(s *apitest.Setup) { s.HTTP.Production = true })
	for _, path := range append([]string{"/"}, urls...) {
		res, err := prod.Client().Get(prod.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("production GET %s: %d, want 404", path, res.StatusCode)
		}
	}
}

// checkCSP checks that the policy allows nothing from another origin, and
// no inline or eval'd code.
func checkCSP(t *testing.T, csp string) {
	t.Helper()
	if csp == "" {
		t.Fatal("page has no Content-Security-Policy")
	}
	directives := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			directives[f[0]] = f[1:]
		}
	}
	if !slices.Equal(directives["default-src"], []string{"'none'"}) {
		t.Errorf("CSP default-src %q, want 'none'", directives["default-src"])
	}
	if !slices.Equal(directives["script-src"], []string{"'self'"}) {
		t.Errorf("CSP script-src %q, want only 'self'", directives["script-src"])
	}
	if !slices.Equal(directives["connect-src"], []string{"'self'"}) {
		t.Errorf("CSP connect-src %q, want only 'self'", directives["connect-src"])
	}
	for name, sources := range directives {
		for _, s := range sources {
			if s != "'self'" && s != "'none'" && s != "data:" {
				t.Errorf("CSP %s allows %s: %s", name, s, csp)
			}
		}
	}
	for _, need := range []string{"base-uri", "form-action", "frame-ancestors"} {
		if !slices.Equal(directives[need], []string{"'none'"}) {
			t.Errorf("CSP %s %q, want 'none'", need, directives[need])
		}
	}
}

// checkAsset fetches one file: its bytes match the page's integrity hash,
// it is cacheable for good, revalidation answers 304, and gzip (when asked
// for) decodes to the same bytes.
func checkAsset(t *testing.T, url, integrity string, get func(string, ...string) (*http.Response, []byte)) {
	t.Helper()
	res, body := get(url) //nolint:bodyclose // get closes it
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", url, res.StatusCode)
		return
	}
	sum := sha512.Sum384(body)
	if got := "sha384-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		t.Errorf("%s: integrity %s, page says %s", url, got, integrity)
	}
	ct := res.Header.Get("Content-Type")
	switch {
	case strings.HasSuffix(url, ".js") && !strings.HasPrefix(ct, "text/javascript"),
		strings.HasSuffix(url, ".css") && !strings.HasPrefix(ct, "text/css"),
		strings.HasSuffix(url, ".svg") && ct != "image/svg+xml":
		t.Errorf("%s: Content-Type %q", url, ct)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("%s: Cache-Control %q, want a year, immutable", url, cc)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no X-Content-Type-Options: nosniff", url)
	}
	if etag := res.Header.Get("ETag"); etag == "" {
		t.Errorf("%s: no ETag", url)
	} else if res, _ := get(url, "If-None-Match", etag); res.StatusCode != http.StatusNotModified { //nolint:bodyclose // get closes it
		t.Errorf("%s with If-None-Match: %d, want 304", url, res.StatusCode)
	}
	res, zipped := get(url, "Accept-Encoding", "gzip, br") //nolint:bodyclose // get closes it
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("%s: not gzipped when asked for", url)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, body) {
		t.Errorf("%s: gzipped body differs (%v)", url, err)
	}
}

// TestGraphiQLInBrowser renders GraphiQL in headless Chromium, types a
// query into the editor and runs it with the run button, then runs a
// catalog query and checks the figures against the API. Everything the
// page loaded came from the server under test, and the page reported no
// errors (no Content-Security-Policy violation either).
func TestGraphiQLInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.Start(t)
	srv := apitest.ServeDemo(t)
	b.Open(srv.URL + "/")

	const editor = `document.querySelector(".graphiql-query-editor .CodeMirror")`
	const response = `document.querySelector(".graphiql-response .CodeMirror")`
	// GraphiQL has rendered and loaded the schema (the docs button is
	// enabled once introspection answered).
	b.WaitFor(editor+` && `+response, 60*time.Second)
	b.WaitFor(`document.querySelector(".graphiql-sidebar button[aria-label*='Documentation']") !== null`, 30*time.Second)

	// The page opens on its example query, which runs (and finds tea).
	if got, _ := b.Eval(`return ` + editor + `.CodeMirror.getValue()`).(string); !strings.Contains(got, "TEA_BEVERAGE") {
		t.Errorf("editor opens on %q, want the example query", got)
	}
	b.Click(".graphiql-execute-button")
	b.WaitFor(response+`.CodeMirror.getValue().includes('"totalCount"')`, 30*time.Second)
	var example struct {
		Data   struct{ Products struct{ TotalCount int } }
		Errors []any
	}
	var text string
	b.EvalInto(&text, `return `+response+`.CodeMirror.getValue()`)
	if err := json.Unmarshal([]byte(text), &example); err != nil || len(example.Errors) > 0 || example.Data.Products.TotalCount == 0 {
		t.Errorf("the example query shows %s (%v)", text, err)
	}
	b.Screenshot("opened-" + dbKind())

	// Type a query as a person would: select what is there, type over it.
	b.Click(".graphiql-query-editor .CodeMirror")
	b.Keys(browsertest.KeyControl + "a")
	b.Keys("{ __typename }")
	if got := b.Eval(`return ` + editor + `.CodeMirror.getValue()`); got != "{ __typename }" {
		t.Fatalf("editor holds %q after typing", got)
	}
	b.Screenshot("typed-" + dbKind())
	b.Click(".graphiql-execute-button")
	b.WaitFor(response+`.CodeMirror.getValue().includes('"__typename": "Query"')`, 30*time.Second)

	// A real catalog query, run with the keyboard shortcut.
	const query = "{\n  products(first: 3, orderBy: [{field: PRICE, direction: DESC}]) {\n    totalCount\n    edges { node { name priceFen } }\n  }\n}\n"
	b.Eval(`return `+editor+`.CodeMirror.setValue(arguments[0])`, query)
	b.Click(".graphiql-query-editor .CodeMirror")
	b.Keys(browsertest.KeyControl + browsertest.KeyEnter)
	b.WaitFor(response+`.CodeMirror.getValue().includes('"totalCount"')`, 30*time.Second)
	var shown struct {
		Data json.RawMessage `json:"data"`
	}
	b.EvalInto(&text, `return `+response+`.CodeMirror.getValue()`)
	if err := json.Unmarshal([]byte(text), &shown); err != nil {
		t.Fatalf("GraphiQL shows %q: %v", text, err)
	}
	api := srv.Anonymous().Do(query, nil)
	api.Must(t, nil)
	if !jsonEqual(t, shown.Data, api.Data) {
		t.Errorf("GraphiQL shows %s, the API answers %s", shown.Data, api.Data)
	}
	b.Screenshot("graphiql-" + dbKind())

	urls := b.ResourceURLs()
	if foreign := browsertest.SameOrigin(srv.URL, urls); len(foreign) > 0 {
		t.Errorf("the page loaded from elsewhere: %q", foreign)
	}
	for _, want := range []string{srv.URL + "/graphql", "/graphiql.min.js", "/graphiql.min.css", "/react-dom.production.min.js"} {
		if !slices.ContainsFunc(urls, func(u string) bool { return strings.HasSuffix(u, want) }) {
			t.Errorf("the page did not load %s; it loaded %q", want, urls)
		}
	}
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

// dbKind names the database the tests run on, so that CI's runs on both
// keep their screenshots apart.
func dbKind() string {
	if os.Getenv(storetest.EnvURL) != "" {
		return "postgres"
	}
	return "sqlite"
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}
