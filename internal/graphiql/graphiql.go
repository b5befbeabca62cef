// Package graphiql serves the GraphiQL IDE from the binary itself: the page
// and every file it loads are embedded, so it works on a machine without
// internet access (the closed networks coordinators work on) and no request
// leaves the machine.
//
// The vendored files in assets/ are GraphiQL's and React's UMD builds,
// copied unchanged from their npm packages by refresh.sh, which pins the
// versions and checks the tarballs; VERSIONS records what they are. page/
// holds the page and the small script that starts GraphiQL.
//
// The licence files of GraphiQL and React are served beside them.
//
// The page has an icon of its own, so that the browser does not ask for
// /favicon.ico (a 404 in the page's error log).
//
// Each file is served at /graphiql/<hash>/<name>, where hash is taken from
// its content, so it can be cached for good (a new build with a changed
// file gets a new URL). The page itself is never cached, and carries a
// Content-Security-Policy that allows nothing from other origins and no
// inline script or style; its script and link tags carry Subresource
// Integrity hashes.
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed assets/graphiql.min.js assets/graphiql.min.css assets/react.production.min.js assets/react-dom.production.min.js
//go:embed assets/LICENSE.graphiql assets/LICENSE.react assets/LICENSE.react-dom
//go:embed page/init.js page/page.css page/favicon.svg page/index.html
var files embed.FS

// Prefix is where the page's files are served.
const Prefix = "/graphiql/"

// ContentSecurityPolicy is the page's policy: scripts, styles and
// connections from the server itself only, no inline script or style, no
// framing. Fonts and images may also be data: URLs, which is how
// GraphiQL's stylesheet carries its fonts and icons. connect-src 'self'
// covers the same host's ws: and wss: (subscriptions).
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Asset is one file the page loads.
type Asset struct {
	Name string
	// URL is Prefix + hash + "/" + Name.
	URL string
	// Integrity is the Subresource Integrity value (sha384) for the tag
	// that loads it.
	Integrity   string
	ContentType string
	data        []byte
	etag        string
	gzipOnce    sync.Once
	gzipped     []byte
}

// UI is the GraphiQL page for one GraphQL endpoint and the files it loads.
type UI struct {
	page   []byte
	assets map[string]*Asset // by hash + "/" + name
	byName map[string]*Asset
}

// New builds the page for the GraphQL endpoint (a path on this server,
// such as "/graphql").
func New(endpoint string) *UI {
	ui := &UI{assets: map[string]*Asset{}, byName: map[string]*Asset{}}
	for _, dir := range []string{"assets", "page"} {
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			panic(err) // embedded: cannot happen in a build that compiled
		}
		for _, e := range entries {
			if e.Name() == "index.html" {
				continue
			}
			data, err := fs.ReadFile(files, dir+"/"+e.Name())
			if err != nil {
				panic(err)
			}
			sum := sha256.Sum256(data)
			hash := hex.EncodeToString(sum[:8])
			sri := sha512.Sum384(data)
			a := &Asset{
				Name:        e.Name(),
				URL:         Prefix + hash + "/" + e.Name(),
				Integrity:   "sha384-" + base64.StdEncoding.EncodeToString(sri[:]),
				ContentType: contentType(e.Name()),
				data:        data,
				etag:        `"` + hash + `"`,
			}
			ui.assets[hash+"/"+e.Name()] = a
			ui.byName[e.Name()] = a
		}
	}
	tmpl := template.Must(template.New("index.html").Funcs(template.FuncMap{
		"asset": func(name string) *Asset {
			a, ok := ui.byName[name]
			if !ok {
				panic("graphiql: page refers to unknown file " + name)
			}
			return a
		},
	}).ParseFS(files, "page/index.html"))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, struct{ Endpoint string }{endpoint}); err != nil {
		panic(err)
	}
	ui.page = buf.Bytes()
	return ui
}

// Assets lists the files the page loads, by name.
func (ui *UI) Assets() map[string]*Asset { return ui.byName }

// contentType is fixed here rather than taken from the system's MIME
// tables, which differ between machines.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return "text/plain; charset=utf-8" // the licence files
}

// Page serves the page (mount at GET /).
func (ui *UI) Page() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		// Not cached: the page names the files of this build.
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(ui.page)
	})
}

// Files serves the page's files (mount at GET Prefix). A file is found
// only under its current hash: an old URL is a 404, not stale content
// cached for a year.
func (ui *UI) Files() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := ui.assets[strings.TrimPrefix(r.URL.Path, Prefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ContentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Vary", "Accept-Encoding")
		body, etag := a.data, a.etag
		if acceptsGzip(r) {
			body, etag = a.gzip(), `"`+strings.Trim(a.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// gzip compresses the file once, when first asked for: GraphiQL's script
// is 3.5 MB and about a quarter of that compressed, which matters over a
// slow link more than the one-off cost.
func (a *Asset) gzip() []byte {
	a.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.data)
		_ = zw.Close()
		a.gzipped = buf.Bytes()
	})
	return a.gzipped
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
