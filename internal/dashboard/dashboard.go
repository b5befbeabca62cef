// Package dashboard serves the coordinator dashboard: one page and its
// scripts and styles, embedded in the binary, so that it works on a closed
// network and no request leaves the server. The page is plain HTML, CSS and
// ES modules (no framework, no build step); every figure it shows comes from
// the GraphQL API at /graphql, live through the agreementProgressUpdated
// subscription when the websocket works, polled otherwise.
package dashboard

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed assets
var embedded embed.FS

// Assets is the embedded file tree the dashboard serves: index.html at
// /dashboard, everything else at /dashboard/<name>.
var Assets = func() fs.FS {
	sub, err := fs.Sub(embedded, "assets")
	if err != nil {
		panic(err)
	}
	return sub
}()

// PagePath is where the page is served; assets are under PagePath + "/".
const PagePath = "/dashboard"

type file struct {
	body        []byte
	etag        string
	contentType string
}

// Handler serves the page at /dashboard and the assets below /dashboard/.
// Every response is revalidated (Cache-Control: no-cache with a strong ETag
// over the content), so a new binary's page and scripts reach users on their
// next load, while an unchanged file costs a 304. Hashed file names would
// avoid even that round trip, but ES module imports name their files, so a
// build step would have to rewrite them; revalidation needs none.
func Handler() http.Handler {
	files := map[string]file{}
	err := fs.WalkDir(Assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(Assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		// The system's MIME table is not relied on: a module script served
		// with another type is refused by the browser.
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".html":
			ct = "text/html; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		files[p] = file{body: body, contentType: ct,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, PagePath)
		switch {
		case !ok:
			name = ""
		case name == "":
			name = "index.html"
		case name == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			// One address for the page.
			http.Redirect(w, r, PagePath, http.StatusMovedPermanently)
			return
		default:
			name = strings.TrimPrefix(name, "/")
			if name == "index.html" {
				// One address for the page.
				name = ""
			}
		}
		f, found := files[name]
		if !found || r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("not found\n"))
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", CSP(r.Host))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-cache")
		// ServeContent answers If-None-Match with 304 and HEAD without a body.
		h.Set("ETag", f.etag)
		h.Set("Content-Type", f.contentType)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
	})
}

// CSP is the page's Content-Security-Policy: scripts, styles and images
// from the server only, no inline script or style, and connections to the
// server itself. 'self' does not cover ws: and wss: in every browser, so the
// websocket's origin is named after the request's Host; a Host that is not a
// well-formed host[:port] is left out (the page then polls), because it
// would otherwise be written into the header verbatim.
func CSP(host string) string {
	connect := "'self'"
	if ValidHost(host) {
		connect += " ws://" + host + " wss://" + host
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"connect-src " + connect + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// ValidHost reports whether h is a host name, an IPv4 address or a
// bracketed IPv6 address, with an optional port: nothing that could end a
// CSP source or add another one.
func ValidHost(h string) bool {
	if h == "" || len(h) > 261 {
		return false
	}
	host := h
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		host, port := h[1:end], h[end+1:]
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil && !strings.Contains(host, ":") {
			return false
		}
		if port != "" {
			p, ok := strings.CutPrefix(port, ":")
			return ok && validPort(p)
		}
		return true
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		var port string
		host, port = h[:i], h[i+1:]
		if !validPort(port) {
			return false
		}
	}
	return validHostname(host)
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n <= 65535
}

// validHostname accepts DNS names (letters, digits, hyphens; labels of 1–63
// characters not starting or ending with a hyphen), which includes dotted
// IPv4 addresses.
func validHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
