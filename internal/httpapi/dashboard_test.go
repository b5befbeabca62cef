package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"bangfu/internal/apitest"
	"bangfu/internal/dashboard/dashboardtest"
	"bangfu/internal/store/storetest"
)

// TestDashboardServedByTheHandler: the coordinator dashboard and every
// asset it loads come from the real handler (same origin, nothing from a
// CDN), in production too, with the CSP naming the request's host for the
// websocket; unknown paths are 404 and an unchanged asset is a 304.
func TestDashboardServedByTheHandler(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	for _, production := range []bool{false, true} {
		srv := apitest.Serve(t, db, func(s *apitest.Setup) { s.HTTP.Production = production })
		got := dashboardtest.Crawl(t, srv.Client(), srv.URL, "/dashboard")
		if len(got) < 5 {
			t.Fatalf("production=%v: crawled only %d files", production, len(got))
		}
		host := strings.TrimPrefix(srv.URL, "http://")
		for _, f := range got {
			csp := f.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self' ws://"+host+" wss://"+host) {
				t.Errorf("%s: CSP %q", f.Path, csp)
			}
			if f.Header.Get("X-Request-Id") == "" {
				t.Errorf("%s: no X-Request-Id (not through the handler's middleware?)", f.Path)
			}
		}

		for _, p := range []string{"/dashboard/nope.js", "/dashboardx", "/dashboard/index.html"} {
			res, err := srv.Client().Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
			}
		}
		res, err := srv.Client().Post(srv.URL+"/dashboard", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		// The catch-all answers other methods (404 NOT_FOUND); never the page.
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST /dashboard: %d, want 404 or 405", res.StatusCode)
		}

		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/dashboard/app.js", nil)
		req.Header.Set("If-None-Match", got[0].Header.Get("ETag")) // the page's ETag is not the script's
		res, err = srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("app.js with the page's ETag: %d, want 200", res.StatusCode)
		}
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		res, err = srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("app.js with its ETag: %d, want 304", res.StatusCode)
		}
	}
}
