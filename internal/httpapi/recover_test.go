package httpapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A panic outside GraphQL execution answers 500 with a stable code and no
// detail, and the operator's log says where it happened.
func TestRecoverLogsWhereItPanicked(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := withRecover(slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(panickingHandler))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "INTERNAL_SERVER_ERROR") {
		t.Fatalf("response %d %q", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "boom") || strings.Contains(rec.Body.String(), "panickingHandler") {
		t.Fatalf("the response tells the client about the panic: %q", rec.Body.String())
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "panickingHandler") {
		t.Fatalf("the log should carry the panic and its stack: %q", logs.String())
	}
}

//go:noinline
func panickingHandler(http.ResponseWriter, *http.Request) { panic("boom") }
