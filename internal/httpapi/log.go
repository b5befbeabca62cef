package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"bangfu/internal/apperr"
	"bangfu/internal/translog"
	"bangfu/internal/viewer"
)

// The transparency log, for anyone who wants to check it (RFC 6962/9162
// in spirit, with golang.org/x/mod/sumdb's tlog and note):
//
//	GET /log/key                            the log's public key (note verifier key)
//	GET /log/checkpoint                     the latest signed tree head (a note)
//	GET /log/proof/record?index=N&size=S    leaf N is in the tree of size S
//	GET /log/proof/tree?from=S1&to=S2       the tree of size S1 is a prefix of the tree of size S2
//	GET /log/leaf/N                         leaf N's bytes (AUDITOR, ADMIN: they hold personal data)
//
// The key, the checkpoint and the proofs are public: they are hashes and
// sizes, and a third party checks them against the key it obtained out of
// band. Leaves are audit events and ledger entries, so reading one needs
// an auditor's or administrator's token.
type logAPI struct {
	log *translog.Log
	lg  *slog.Logger
}

func (a logAPI) register(mux *http.ServeMux, withAuth func(http.Handler) http.Handler) {
	mux.HandleFunc("GET /log/key", func(w http.ResponseWriter, r *http.Request) {
		writeText(w, a.log.VerifierKey()+"\n")
	})
	mux.HandleFunc("GET /log/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		signed, err := a.log.Latest(r.Context())
		if err != nil {
			fail(w, r, a.lg, err)
			return
		}
		if signed == "" {
			fail(w, r, a.lg, apperr.NotFound("nothing has been sealed into the log yet"))
			return
		}
		writeText(w, signed)
	})
	mux.HandleFunc("GET /log/proof/record", func(w http.ResponseWriter, r *http.Request) {
		index, err1 := intParam(r, "index")
		size, err2 := intParam(r, "size")
		if err := errors.Join(err1, err2); err != nil {
			fail(w, r, a.lg, err)
			return
		}
		p, err := a.log.ProveRecord(r.Context(), index, size)
		a.answer(w, r, err, map[string]any{"index": index, "size": size, "proof": hashes(p)})
	})
	mux.HandleFunc("GET /log/proof/tree", func(w http.ResponseWriter, r *http.Request) {
		from, err1 := intParam(r, "from")
		to, err2 := intParam(r, "to")
		if err := errors.Join(err1, err2); err != nil {
			fail(w, r, a.lg, err)
			return
		}
		p, err := a.log.ProveTree(r.Context(), from, to)
		a.answer(w, r, err, map[string]any{"from": from, "to": to, "proof": hashes(p)})
	})
	mux.Handle("GET /log/leaf/{index}", withAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewer.FromContext(r.Context())
		switch {
		case !v.Authenticated():
			fail(w, r, a.lg, apperr.Unauthenticated("sign in as an auditor to read the log's leaves"))
			return
		case !v.Has(viewer.Auditor, viewer.Admin):
			fail(w, r, a.lg, apperr.Forbidden("only auditors read the log's leaves: they hold the audit trail"))
			return
		}
		index, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
		if err != nil || index < 0 {
			fail(w, r, a.lg, apperr.BadInput("the leaf index is a whole number from 0"))
			return
		}
		leaf, err := a.log.Leaf(r.Context(), index)
		a.answer(w, r, err, leaf)
	})))
}

// answer writes v as JSON, or the error (an index outside the tree is
// NOT_FOUND).
func (a logAPI) answer(w http.ResponseWriter, r *http.Request, err error, v any) {
	if errors.Is(err, translog.ErrRange) {
		err = apperr.NotFound("%v", err)
	}
	if err != nil {
		fail(w, r, a.lg, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func intParam(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.BadInput("%s must be a whole number from 0", name)
	}
	return n, nil
}

// hashes are proof hashes in standard base64, as checkpoints write them.
func hashes(p []tlog.Hash) []string {
	out := make([]string, len(p))
	for i, h := range p {
		out[i] = translog.EncodeHash(h)
	}
	return out
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(s))
}
