package httpapi

import (
	"log/slog"
	"net/http"

	"bangfu/graph/gqlerr"
)

// codeStatus is the HTTP status of each error code, for the endpoints other
// than /graphql (exports, imports, the log).
var codeStatus = map[string]int{
	gqlerr.BadUserInput:    http.StatusBadRequest,
	gqlerr.Unauthenticated: http.StatusUnauthorized,
	gqlerr.Forbidden:       http.StatusForbidden,
	gqlerr.NotFound:        http.StatusNotFound,
	gqlerr.Conflict:        http.StatusConflict,
	gqlerr.Unavailable:     http.StatusServiceUnavailable,
}

// fail answers err with its code (the one mapping, gqlerr) and the
// matching status: a refusal says why; a database fault is a 503 the
// client may retry; anything else is logged and answered without detail.
func fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code, msg := gqlerr.Describe(err)
	status, ok := codeStatus[code]
	if !ok {
		log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "error", err.Error())
		writeProblem(w, http.StatusInternalServerError, gqlerr.Internal, "internal server error")
		return
	}
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
	}
	writeProblem(w, status, code, msg)
}
