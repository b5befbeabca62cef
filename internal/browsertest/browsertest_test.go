package browsertest_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/internal/browsertest"
)

const page = `<!doctype html>
<html><head><title>t</title><link rel="stylesheet" href="/style.css"></head>
<body>
<input id="name"><button id="go" onclick="document.getElementById('out').textContent = 'hello ' + document.getElementById('name').value">go</button>
<p id="out"></p>
<script src="/app.js"></script>
</body></html>`

// TestBrowser checks each command against a small page of the test's own.
func TestBrowser(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		_, _ = w.Write([]byte("body { background: #fff }"))
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(`window.ready = true; setTimeout(() => { throw new Error("boom") }, 0);
			fetch("http://example.invalid/x").catch(() => {});`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	b := browsertest.Start(t)
	b.Open(srv.URL + "/")
	b.WaitFor(`window.ready === true`, 10*time.Second)

	if got := b.Eval(`return document.title + arguments[0]`, "!"); got != "t!" {
		t.Errorf("Eval = %#v, want \"t!\"", got)
	}
	var sum int
	b.EvalAsync(&sum, `const done = arguments[arguments.length-1]; setTimeout(() => done(arguments[0] + 1), 10)`, 41)
	if sum != 42 {
		t.Errorf("EvalAsync = %d, want 42", sum)
	}
	if err := b.TryWaitFor(`false`, 200*time.Millisecond); err == nil {
		t.Error("TryWaitFor(false) succeeded")
	}

	b.Type("#name", "世界")
	b.Click("#go")
	b.WaitFor(`document.getElementById("out").textContent === "hello 世界"`, 5*time.Second)

	// The thrown error and the refused foreign fetch are reported.
	b.WaitFor(`window.__browsertestErrors.length > 0`, 5*time.Second)
	errs := strings.Join(b.ConsoleErrors(), "\n")
	if !strings.Contains(errs, "boom") {
		t.Errorf("ConsoleErrors misses the uncaught error:\n%s", errs)
	}

	urls := b.ResourceURLs()
	for _, want := range []string{srv.URL + "/", srv.URL + "/style.css", srv.URL + "/app.js"} {
		if !slices.Contains(urls, want) {
			t.Errorf("ResourceURLs = %q, missing %s", urls, want)
		}
	}
	if foreign := browsertest.SameOrigin(srv.URL, urls); len(foreign) != 1 || !strings.HasPrefix(foreign[0], "http://example.invalid/") {
		t.Errorf("SameOrigin(%q) = %q, want the one foreign fetch", urls, foreign)
	}

	p := b.Screenshot("page")
	png, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG", p)
	}
}

func TestSameOrigin(t *testing.T) {
	got := browsertest.SameOrigin("http://127.0.0.1:8080", []string{
		"http://127.0.0.1:8080/", "http://127.0.0.1:8080/a.js", "data:font/woff2;base64,AA",
		"http://127.0.0.1:8081/", "http://127.0.0.1:80800/x", "https://cdn.example/x.js",
	})
	want := []string{"http://127.0.0.1:8081/", "http://127.0.0.1:80800/x", "https://cdn.example/x.js"}
	if !slices.Equal(got, want) {
		t.Errorf("SameOrigin = %q, want %q", got, want)
	}
}
