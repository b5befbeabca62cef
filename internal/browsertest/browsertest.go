// Package browsertest drives Debian's headless Chromium from Go tests, as a
// person would see a page: it starts chromedriver, opens a W3C WebDriver
// session on Chromium and offers the few commands page tests need (open a
// URL, evaluate JavaScript, wait for a condition, click and type, take a
// screenshot, list what the page loaded and what it reported as errors).
//
//	b := browsertest.Start(t)          // skips when Chromium is missing
//	b.Open(srv.URL + "/")
//	b.WaitFor(`document.querySelector(".graphiql-container") !== null`, 30*time.Second)
//	for _, u := range b.ResourceURLs() { ... }  // everything came from srv?
//	b.Screenshot("graphiql")             // PNG saved as a test artifact
//
// The WebDriver client is a small hand-written one over net/http: the
// protocol is a handful of JSON endpoints, and a dependency for it would be
// larger than this file.
//
// A test that needs a browser is skipped where /usr/bin/chromium or
// /usr/bin/chromedriver is missing, so that `go test ./...` works on any
// developer machine; with BANGFU_BROWSER_TESTS=require (CI sets it) it fails
// instead, so that CI can never pass by skipping them. Screenshots go to
// $BANGFU_TEST_ARTIFACTS when set (CI keeps that folder), else to the test's
// temporary directory.
//
// The browser is kept off the network: background services (component
// updates, safe browsing, sync...) are switched off and every host name
// other than localhost resolves to nothing, so a page that tries to load
// something from outside fails visibly (ConsoleErrors, ResourceURLs)
// instead of reaching out.
package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Where Debian's packages put the browser and its driver
// (apt-get install chromium chromium-driver).
const (
	ChromiumPath     = "/usr/bin/chromium"
	ChromedriverPath = "/usr/bin/chromedriver"
)

// Environment variables the package reads.
const (
	// RequireEnv set to "require" makes a missing browser a test failure
	// instead of a skip.
	RequireEnv = "BANGFU_BROWSER_TESTS"
	// ArtifactsEnv names a folder for screenshots (created if missing).
	ArtifactsEnv = "BANGFU_TEST_ARTIFACTS"
)

// Options change how the browser is started; the zero value is a
// 1280×900 window in English.
type Options struct {
	// Width and Height of the window in CSS pixels.
	Width, Height int
	// Lang is the browser's UI and Accept-Language, e.g. "zh-CN".
	Lang string
	// Args are extra Chromium command-line switches.
	Args []string
}

// Browser is one Chromium session, closed when the test ends.
type Browser struct {
	t       testing.TB
	base    string // chromedriver's URL, with the session: http://127.0.0.1:port/session/id
	client  *http.Client
	lastURL string
}

// Available reports whether Chromium and chromedriver are installed, and
// if not, what is missing.
func Available() (bool, string) {
	var missing []string
	for _, p := range []string{ChromiumPath, ChromedriverPath} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return false, strings.Join(missing, " and ") + " missing (apt-get install chromium chromium-driver fonts-noto-cjk)"
	}
	return true, ""
}

// Required reports whether browser tests must run (RequireEnv=require).
func Required() bool { return os.Getenv(RequireEnv) == "require" }

// Start starts chromedriver and a headless Chromium session for the test.
// It skips the test when either is missing, or fails it when RequireEnv is
// "require". Everything is stopped when the test ends; if the test failed,
// a screenshot of the last page and the page's errors are kept first.
func Start(t testing.TB, opts ...Options) *Browser {
	t.Helper()
	if ok, why := Available(); !ok {
		if Required() {
			t.Fatalf("browser tests required (%s=require) but %s", RequireEnv, why)
		}
		t.Skipf("browser test skipped: %s (set %s=require to make this a failure)", why, RequireEnv)
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Width == 0 {
		o.Width = 1280
	}
	if o.Height == 0 {
		o.Height = 900
	}
	if o.Lang == "" {
		o.Lang = "en-US"
	}

	b := &Browser{t: t, client: &http.Client{Timeout: 2 * time.Minute}}
	driver, logPath := b.startDriver()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		fmt.Sprintf("--window-size=%d,%d", o.Width, o.Height),
		"--lang=" + o.Lang,
		"--hide-scrollbars", "--force-color-profile=srgb", "--font-render-hinting=none",
		// Nothing of Chromium's own leaves the machine either.
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
		"--disable-client-side-phishing-detection", "--disable-domain-reliability", "--metrics-recording-only",
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]",
	}
	args = append(args, o.Args...)
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":      "chrome",
		"pageLoadStrategy": "normal",
		"timeouts":         map[string]int{"pageLoad": 60000, "script": 60000, "implicit": 0},
		"goog:chromeOptions": map[string]any{
			"binary": ChromiumPath,
			"args":   args,
			"prefs":  map[string]any{"intl.accept_languages": o.Lang},
		},
		"goog:loggingPrefs": map[string]string{"browser": "ALL"},
	}}}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(http.MethodPost, driver+"/session", caps, &created); err != nil {
		t.Fatalf("browsertest: new session: %v\n%s", err, tail(logPath))
	}
	b.base = driver + "/session/" + created.SessionID
	t.Cleanup(func() {
		if t.Failed() && b.lastURL != "" {
			if p, err := b.screenshot("failed"); err == nil {
				t.Logf("browsertest: screenshot of %s at failure: %s", b.lastURL, p)
			}
			if errs, err := b.consoleErrors(); err == nil && len(errs) > 0 {
				t.Logf("browsertest: page errors:\n  %s", strings.Join(errs, "\n  "))
			}
		}
		_ = b.call(http.MethodDelete, b.base, nil, nil)
	})
	// Record errors from the first line of every page on: a page's own
	// uncaught exceptions, rejected promises, console.error calls and
	// Content-Security-Policy violations. (The browser log that
	// chromedriver keeps has most of these too, but not the violations'
	// details, and its text format varies between versions.)
	if err := b.call(http.MethodPost, b.base+"/goog/cdp/execute", map[string]any{
		"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": map[string]any{"source": recorder},
	}, nil); err != nil {
		t.Fatalf("browsertest: install error recorder: %v", err)
	}
	return b
}

// recorder runs before any script of each page; see Start.
const recorder = `(() => {
  const errs = [];
  Object.defineProperty(window, "__browsertestErrors", {value: errs});
  const text = (v) => {
    if (v instanceof Error) return v.stack || String(v);
    if (typeof v === "string") return v;
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  };
  const orig = console.error;
  console.error = function (...a) { errs.push("console.error: " + a.map(text).join(" ")); return orig.apply(this, a); };
  addEventListener("error", (e) => {
    if (e.target && e.target !== window) {
      errs.push("failed to load " + (e.target.src || e.target.href || e.target.tagName));
    } else {
      errs.push("uncaught: " + (e.error ? text(e.error) : e.message));
    }
  }, true);
  addEventListener("unhandledrejection", (e) => errs.push("unhandled rejection: " + text(e.reason)));
  document.addEventListener("securitypolicyviolation", (e) =>
    errs.push("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
      (e.sourceFile ? " (" + e.sourceFile + ":" + e.lineNumber + ")" : "")));
})();`

// Open navigates to url and waits until the page has loaded.
func (b *Browser) Open(url string) {
	b.t.Helper()
	b.lastURL = url
	if err := b.call(http.MethodPost, b.base+"/url", map[string]string{"url": url}, nil); err != nil {
		b.t.Fatalf("browsertest: open %s: %v", url, err)
	}
}

// Eval runs body as the body of a JavaScript function in the page (so it
// returns its result with `return`), with args as arguments[0...], and
// returns the result decoded from JSON (numbers are float64). It fails the
// test when the script throws.
func (b *Browser) Eval(body string, args ...any) any {
	b.t.Helper()
	var v any
	if err := b.TryEval(&v, body, args...); err != nil {
		b.t.Fatalf("browsertest: eval: %v\nscript: %s", err, body)
	}
	return v
}

// EvalInto is Eval decoding the result into out (a pointer).
func (b *Browser) EvalInto(out any, body string, args ...any) {
	b.t.Helper()
	if err := b.TryEval(out, body, args...); err != nil {
		b.t.Fatalf("browsertest: eval: %v\nscript: %s", err, body)
	}
}

// TryEval is Eval that returns the script's error instead of failing.
func (b *Browser) TryEval(out any, body string, args ...any) error {
	if args == nil {
		args = []any{}
	}
	return b.call(http.MethodPost, b.base+"/execute/sync", map[string]any{"script": body, "args": args}, out)
}

// EvalAsync runs body as the body of an asynchronous JavaScript function:
// its last argument is a callback, and the script ends by calling it with
// its result, e.g.
//
//	const done = arguments[arguments.length-1];
//	fetch("/graphql", {...}).then(r => r.json()).then(done, e => done({error: String(e)}));
//
// The result is decoded into out (a pointer, or nil to drop it).
func (b *Browser) EvalAsync(out any, body string, args ...any) {
	b.t.Helper()
	if args == nil {
		args = []any{}
	}
	if err := b.call(http.MethodPost, b.base+"/execute/async", map[string]any{"script": body, "args": args}, out); err != nil {
		b.t.Fatalf("browsertest: eval async: %v\nscript: %s", err, body)
	}
}

// WaitFor polls the JavaScript expression cond until it is truthy, failing
// the test (with a screenshot and the page's errors) after timeout. A
// condition that throws counts as not yet true: the page may still be
// building what it looks at.
func (b *Browser) WaitFor(cond string, timeout time.Duration) {
	b.t.Helper()
	if err := b.TryWaitFor(cond, timeout); err != nil {
		errs, _ := b.consoleErrors()
		p, _ := b.screenshot("timeout")
		b.t.Fatalf("browsertest: %v\npage errors: %q\nscreenshot: %s", err, errs, p)
	}
}

// TryWaitFor is WaitFor returning an error instead of failing.
func (b *Browser) TryWaitFor(cond string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		var ok bool
		err := b.TryEval(&ok, "return !!("+cond+")")
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("condition %s not true after %s (last error: %w)", cond, timeout, last)
			}
			return fmt.Errorf("condition %s not true after %s", cond, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Click clicks the first element matching the CSS selector, as a mouse
// would (it must be visible and not covered).
func (b *Browser) Click(selector string) {
	b.t.Helper()
	if err := b.onElement(selector, "click", map[string]any{}); err != nil {
		b.t.Fatalf("browsertest: click %s: %v", selector, err)
	}
}

// onElement finds the first element matching the CSS selector and posts
// action to it. A page that re-renders (a live update replacing a table)
// can replace the element between the two; WebDriver then answers "stale
// element reference", and the element is looked up again, a few times.
func (b *Browser) onElement(selector, action string, body map[string]any) error {
	b.t.Helper()
	var err error
	for range 5 {
		id := b.find(selector)
		err = b.call(http.MethodPost, b.base+"/element/"+id+"/"+action, body, nil)
		if err == nil || !strings.Contains(err.Error(), "stale element reference") {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// Type sends text as key presses to the first element matching the CSS
// selector (it gets the focus first).
func (b *Browser) Type(selector, text string) {
	b.t.Helper()
	if err := b.onElement(selector, "value", map[string]any{"text": text}); err != nil {
		b.t.Fatalf("browsertest: type into %s: %v", selector, err)
	}
}

// Keys sends key presses to whatever element has the focus. Special keys
// are WebDriver's code points (the Key constants); a modifier (KeyControl,
// KeyShift, KeyAlt) stays pressed until the end, so Keys(KeyControl+"a")
// is Ctrl-A.
func (b *Browser) Keys(text string) {
	b.t.Helper()
	var actions, release []map[string]string
	for _, r := range text {
		k := string(r)
		actions = append(actions, map[string]string{"type": "keyDown", "value": k})
		switch k {
		case KeyControl, KeyShift, KeyAlt:
			release = append(release, map[string]string{"type": "keyUp", "value": k})
		default:
			actions = append(actions, map[string]string{"type": "keyUp", "value": k})
		}
	}
	actions = append(actions, release...)
	err := b.call(http.MethodPost, b.base+"/actions", map[string]any{"actions": []any{
		map[string]any{"type": "key", "id": "keyboard", "actions": actions},
	}}, nil)
	if err != nil {
		b.t.Fatalf("browsertest: keys: %v", err)
	}
	_ = b.call(http.MethodDelete, b.base+"/actions", nil, nil)
}

// WebDriver's codes for keys that are not characters, for Keys and Type.
const (
	KeyEnter   = "\uE007"
	KeyTab     = "\uE004"
	KeyShift   = "\uE008"
	KeyControl = "\uE009"
	KeyAlt     = "\uE00A"
	KeyEscape  = "\uE00C"
)

func (b *Browser) find(selector string) string {
	b.t.Helper()
	var found map[string]string
	if err := b.call(http.MethodPost, b.base+"/element", map[string]string{"using": "css selector", "value": selector}, &found); err != nil {
		b.t.Fatalf("browsertest: find %s: %v", selector, err)
	}
	for _, id := range found { // the key is the protocol's fixed element identifier
		return id
	}
	b.t.Fatalf("browsertest: find %s: no element id in reply", selector)
	return ""
}

// Screenshot saves a PNG of the window as <test>-<name>.png in the
// artifacts folder ($BANGFU_TEST_ARTIFACTS, else the test's temporary
// directory) and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	p, err := b.screenshot(name)
	if err != nil {
		b.t.Fatalf("browsertest: screenshot: %v", err)
	}
	b.t.Logf("browsertest: screenshot %s", p)
	return p
}

func (b *Browser) screenshot(name string) (string, error) {
	var data string
	if err := b.call(http.MethodGet, b.base+"/screenshot", nil, &data); err != nil {
		return "", err
	}
	png, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return "", err
	}
	dir := ArtifactsDir(b.t)
	p := filepath.Join(dir, fileName(b.t.Name())+"-"+fileName(name)+".png")
	return p, os.WriteFile(p, png, 0o600)
}

// ArtifactsDir is where test artifacts go: $BANGFU_TEST_ARTIFACTS
// (created if missing) or else the test's temporary directory.
func ArtifactsDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(ArtifactsEnv); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil { //nolint:gosec // G703: the directory CI names in the environment
			t.Fatalf("browsertest: %s: %v", ArtifactsEnv, err)
		}
		return dir
	}
	return t.TempDir()
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// ResourceURLs lists every URL the current page loaded: the document
// itself and each resource entry of the Resource Timing API (scripts,
// styles, images, fonts, fetches; data: URLs are not requests and are not
// listed). A test checks that all are on the server under test.
func (b *Browser) ResourceURLs() []string {
	b.t.Helper()
	var urls []string
	b.EvalInto(&urls, `return performance.getEntriesByType("navigation").map(e => e.name)
		.concat(performance.getEntriesByType("resource").map(e => e.name))`)
	return urls
}

// ConsoleErrors lists what the page reported as errors since it loaded:
// uncaught exceptions, unhandled promise rejections, console.error calls,
// resources that failed to load and Content-Security-Policy violations,
// followed by the browser log's SEVERE entries (network failures, CSP
// messages) since the last call.
func (b *Browser) ConsoleErrors() []string {
	b.t.Helper()
	errs, err := b.consoleErrors()
	if err != nil {
		b.t.Fatalf("browsertest: console errors: %v", err)
	}
	return errs
}

func (b *Browser) consoleErrors() ([]string, error) {
	var errs []string
	if err := b.TryEval(&errs, `return window.__browsertestErrors ? Array.from(window.__browsertestErrors) : []`); err != nil {
		return nil, err
	}
	var log []struct {
		Level   string `json:"level"`
		Message string `json:"message"`
	}
	// chromedriver's log endpoint (outside W3C WebDriver, but kept for
	// this); an error here only means the log is not available.
	if err := b.call(http.MethodPost, b.base+"/se/log", map[string]string{"type": "browser"}, &log); err == nil {
		for _, e := range log {
			if e.Level == "SEVERE" {
				errs = append(errs, "browser log: "+e.Message)
			}
		}
	}
	return errs, nil
}

// SameOrigin returns the URLs that are not on origin (scheme://host:port);
// data: and blob: URLs are the page's own and count as same-origin.
func SameOrigin(origin string, urls []string) (foreign []string) {
	origin = strings.TrimSuffix(origin, "/")
	for _, u := range urls {
		if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
			continue
		}
		if u != origin && !strings.HasPrefix(u, origin+"/") {
			foreign = append(foreign, u)
		}
	}
	return foreign
}

// call sends one WebDriver command and decodes the reply's "value" into
// out (nil: ignore it).
func (b *Browser) call(method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var reply struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		return fmt.Errorf("%s %s: %s: %.200s", method, url, resp.Status, data)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(reply.Value, &e)
		return &Error{Status: resp.StatusCode, Code: e.Error, Message: e.Message}
	}
	if out == nil || len(reply.Value) == 0 {
		return nil
	}
	return json.Unmarshal(reply.Value, out)
}

// Error is an error reply of the WebDriver protocol: Code is its error
// code ("javascript error", "no such element", "timeout"...).
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	msg, _, _ := strings.Cut(e.Message, "\n  (Session info")
	return fmt.Sprintf("webdriver: %s: %s", e.Code, msg)
}

// startDriver starts chromedriver on a free port and waits until it is
// ready. The port is free when chosen, but another process (a test server
// of a parallel package) may take it before chromedriver binds it: then
// chromedriver is started again on another.
func (b *Browser) startDriver() (driver, logPath string) {
	t := b.t
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("browsertest: %v", err)
		}
		logPath = filepath.Join(t.TempDir(), "chromedriver.log")
		cmd := exec.Command(ChromedriverPath, "--port="+strconv.Itoa(port), "--log-path="+logPath) //nolint:gosec,noctx // G204: a fixed binary, a port and a temp path; the driver outlives any one context and is stopped by the test cleanup
		setProcessGroup(cmd)
		if err := cmd.Start(); err != nil {
			t.Fatalf("browsertest: start chromedriver: %v", err)
		}
		t.Cleanup(func() {
			// Chromium is chromedriver's child; killing the group takes both,
			// even if the session could not be deleted.
			killProcessGroup(cmd)
			_ = cmd.Wait()
		})
		driver = fmt.Sprintf("http://127.0.0.1:%d", port)
		err = b.waitReady(driver, logPath, 20*time.Second)
		if err == nil {
			return driver, logPath
		}
		if errors.Is(err, errPortTaken) && attempt < 3 {
			killProcessGroup(cmd)
			continue
		}
		t.Fatalf("browsertest: chromedriver not ready: %v\n%s", err, tail(logPath))
	}
}

// errPortTaken: chromedriver could not bind its port.
var errPortTaken = errors.New("chromedriver's port was taken")

func (b *Browser) waitReady(driver, logPath string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if log, _ := os.ReadFile(logPath); bytes.Contains(log, []byte("ERR_ADDRESS_IN_USE")) { //nolint:gosec // G304: the driver log this package created
			return errPortTaken
		}
		var st struct {
			Ready bool `json:"ready"`
		}
		err := b.call(http.MethodGet, driver+"/status", nil, &st)
		if err == nil && st.Ready {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("not ready")
			}
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail is the end of a log file, for failure messages.
func tail(path string) string {
	data, _ := os.ReadFile(path) //nolint:gosec // G304: the driver log this package created
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}
