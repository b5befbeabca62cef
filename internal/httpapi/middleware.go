package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"bangfu/graph/gqlerr"
	"bangfu/internal/auth"
	"bangfu/internal/reqid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// viewerTimeout bounds the database work before the resolvers run (the
// viewer lookup): a request caught by a database that stops answering is
// a 503 after this long at most, not a hang. It is generous, because it
// also covers waiting for a pooled connection, and a busy pool is not a
// database that is down; that one is found by store.Health within a
// second, and from then on requests are turned away at once (withHealth).
const viewerTimeout = 10 * time.Second

// withViewer resolves "Authorization: Bearer <access token>" to the viewer
// the request runs as. No header means anonymous; a bad token, or one whose
// sign-in has ended, is refused with 401 rather than silently downgraded to
// anonymous; a database that does not answer is a 503, never a 401.
func withViewer(a *auth.Service, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" || a == nil {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			unauthorized(w, "use 'Authorization: Bearer <access token>'")
			return
		}
		access, err := a.Tokens().Verify(strings.TrimSpace(token))
		if err != nil {
			unauthorized(w, err.Error())
			return
		}
		var v *viewer.Viewer
		err = store.Within(r.Context(), viewerTimeout, func(ctx context.Context) error {
			var err error
			v, err = a.Viewer(ctx, access)
			return err
		})
		switch {
		case errors.Is(err, auth.ErrNoSession):
			log.InfoContext(r.Context(), "token of an ended sign-in", "user_id", access.UserID)
			unauthorized(w, err.Error())
			return
		case err != nil:
			log.WarnContext(r.Context(), "viewer lookup failed", "error", err.Error())
			unavailable(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(viewer.NewContext(r.Context(), v)))
	})
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeProblem(w, http.StatusUnauthorized, gqlerr.Unauthenticated, msg)
}

// retryAfter is how long clients are asked to wait when the database is
// unavailable (seconds).
const retryAfter = "1"

func unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", retryAfter)
	writeProblem(w, http.StatusServiceUnavailable, gqlerr.Unavailable, "the database is unavailable; retry shortly")
}

// withHealth turns requests away at once (503, Retry-After) while the
// database is known to be down, instead of letting them wait on it.
func withHealth(health *store.Health, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if health.Down() {
			unavailable(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withClient records the client's address for sign-in throttling: the
// peer's, or, when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For that is not one.
func withClient(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(reqid.WithClient(r.Context(), clientAddr(r, trusted))))
	})
}

func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := peer.Addr().Unmap()
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if !isTrusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a forged or garbled entry: stop at the last good hop
		}
		addr = a.Unmap()
		if !isTrusted(addr) {
			break
		}
	}
	return addr.String()
}

// withRequestID takes a well-formed X-Request-Id from the client or proxy,
// or makes one, and echoes it in the response.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(reqid.With(r.Context(), id)))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// withAccessLog writes one structured line per request.
func withAccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		)
	})
}

// withRecover answers a panic outside GraphQL execution with a 500 and no
// stack trace; the panic is logged with its stack.
func withRecover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler { //nolint:errorlint // a recover() value, compared as net/http does
					panic(p)
				}
				log.ErrorContext(r.Context(), "http handler panic", "panic", p, "stack", string(debug.Stack()))
				writeProblem(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// LogHandler wraps a slog.Handler so every record logged with a request's
// context carries its request_id.
type LogHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := reqid.From(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h LogHandler) WithAttrs(a []slog.Attr) slog.Handler { return LogHandler{h.Handler.WithAttrs(a)} }

// WithGroup implements slog.Handler.
func (h LogHandler) WithGroup(n string) slog.Handler { return LogHandler{h.Handler.WithGroup(n)} }

// withRetryAfter asks clients to retry after a while whenever the answer is
// 503 without saying when (http.TimeoutHandler's timeout answer).
func withRetryAfter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&retryAfterWriter{ResponseWriter: w}, r)
	})
}

type retryAfterWriter struct{ http.ResponseWriter }

func (w *retryAfterWriter) WriteHeader(code int) {
	if code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *retryAfterWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
