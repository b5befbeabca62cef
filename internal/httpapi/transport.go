package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"bangfu/graph/gqlerr"
	"bangfu/graph/limits"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of the GraphQL-over-HTTP spec.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// codeBadRequest marks a malformed HTTP request: bad JSON, wrong content
// type, missing query. It is distinct from BAD_USER_INPUT, which is about
// argument values of a well-formed request.
const codeBadRequest = "BAD_REQUEST"

// transport implements GraphQL over HTTP (GET and POST with
// application/json) with the spec's status codes: with
// application/graphql-response+json a request error is 400 and carries no
// data; with legacy application/json it is 200. gqlgen's stock transports
// echo undecodable bodies back to the client and answer GET mutations with
// 406, hence this one.
type transport struct {
	maxBodyBytes int64
	maxErrors    int // errors in one answer (limits.CapErrors)
}

var _ graphql.Transport = transport{}

// Supports implements graphql.Transport; other methods are turned away by
// the router before they get here.
func (transport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodPost
}

// Do implements graphql.Transport.
func (t transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMediaType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Add("Vary", "Accept")

	var (
		params *graphql.RawParams
		status int
		err    error
	)
	if r.Method == http.MethodGet {
		params, status, err = readGET(r)
	} else {
		params, status, err = t.readPOST(w, r)
	}
	if err != nil {
		if status == http.StatusUnsupportedMediaType {
			w.Header().Set("Accept-Post", mediaJSON)
		}
		t.writeErrors(w, r, exec, status, gqlerror.List{gqlerr.New(codeBadRequest, err.Error())})
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}

	oc, errs := exec.CreateOperationContext(r.Context(), params)
	if errs != nil {
		for _, e := range errs {
			if e.Extensions == nil || e.Extensions["code"] == nil {
				if e.Extensions == nil {
					e.Extensions = map[string]any{}
				}
				e.Extensions["code"] = codeBadRequest
			}
		}
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		t.writeErrors(w, r, exec, status, errs, oc)
		return
	}
	if r.Method == http.MethodGet && oc.Operation.Operation != ast.Query {
		// GET must be safe: mutations only over POST (spec: 405).
		w.Header().Set("Allow", http.MethodPost)
		t.writeErrors(w, r, exec, http.StatusMethodNotAllowed,
			gqlerror.List{gqlerr.New(codeBadRequest, "only queries may be sent with GET; use POST for "+string(oc.Operation.Operation)+"s")}, oc)
		return
	}
	handle, ctx := exec.DispatchOperation(r.Context(), oc)
	resp := handle(ctx)
	writeJSON(w, statusOf(w, resp), resp)
}

// statusOf is the HTTP status of an executed operation: 200, unless the
// database was unavailable and nothing could be answered (503). Errors
// that say when to retry (rate limits, an unavailable database) set
// Retry-After.
func statusOf(w http.ResponseWriter, resp *graphql.Response) int {
	if resp == nil || len(resp.Errors) == 0 {
		return http.StatusOK
	}
	unavailable := true
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code != gqlerr.Unavailable {
			unavailable = false
		}
		if secs, ok := e.Extensions["retryAfter"].(int); ok && w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
	}
	if !unavailable {
		return http.StatusOK
	}
	if w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	if len(resp.Data) == 0 || string(resp.Data) == "null" {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// responseMediaType picks the response media type from Accept: the
// spec's application/graphql-response+json when asked for, application/json
// when asked for, for */*, or when Accept is absent (legacy clients).
func responseMediaType(accept string) string {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON
	}
	best := ""
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			if best == "" {
				best = mediaJSON
			}
		}
	}
	if best == "" {
		// Nothing acceptable was named; answer in the spec's own type.
		return mediaGraphQLResponse
	}
	return best
}

func (t transport) readPOST(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, int, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, http.StatusUnsupportedMediaType, errors.New("missing Content-Type: send application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaJSON {
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("unsupported Content-Type %q: send application/json", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("unsupported charset %q: send utf-8", cs)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, t.maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("request body exceeds %d bytes", t.maxBodyBytes)
		}
		return nil, http.StatusBadRequest, errors.New("could not read request body")
	}
	if len(body) == 0 {
		return nil, http.StatusBadRequest, errors.New("request body is empty: send {\"query\": \"...\"}")
	}
	var raw struct {
		Query         any `json:"query"`
		OperationName any `json:"operationName"`
		Variables     any `json:"variables"`
		Extensions    any `json:"extensions"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("request body is not valid JSON: %s", jsonProblem(err))
	}
	if dec.More() {
		return nil, http.StatusBadRequest, errors.New("request body has data after the JSON object")
	}
	return toParams(raw.Query, raw.OperationName, raw.Variables, raw.Extensions)
}

func readGET(r *http.Request) (*graphql.RawParams, int, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, http.StatusBadRequest, errors.New("malformed query string")
	}
	var query, opName, vars, exts any
	if q.Has("query") {
		query = q.Get("query")
	}
	if q.Has("operationName") && q.Get("operationName") != "" {
		opName = q.Get("operationName")
	}
	if s := q.Get("variables"); s != "" {
		if err := decodeParam(s, &vars); err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("variables is not valid JSON: %s", jsonProblem(err))
		}
	}
	if s := q.Get("extensions"); s != "" {
		if err := decodeParam(s, &exts); err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("extensions is not valid JSON: %s", jsonProblem(err))
		}
	}
	return toParams(query, opName, vars, exts)
}

func decodeParam(s string, v *any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	return dec.Decode(v)
}

// toParams checks the shape of the request parameters (spec: query is a
// string, operationName a string or null, variables and extensions maps or
// null) and builds gqlgen's RawParams.
func toParams(query, opName, vars, exts any) (*graphql.RawParams, int, error) {
	p := &graphql.RawParams{}
	switch q := query.(type) {
	case string:
		p.Query = q
	case nil:
	default:
		return nil, http.StatusBadRequest, errors.New("query must be a string")
	}
	switch o := opName.(type) {
	case string:
		p.OperationName = o
	case nil:
	default:
		return nil, http.StatusBadRequest, errors.New("operationName must be a string or null")
	}
	var ok bool
	if vars != nil {
		if p.Variables, ok = vars.(map[string]any); !ok {
			return nil, http.StatusBadRequest, errors.New("variables must be an object or null")
		}
	}
	if exts != nil {
		if p.Extensions, ok = exts.(map[string]any); !ok {
			return nil, http.StatusBadRequest, errors.New("extensions must be an object or null")
		}
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, http.StatusBadRequest, errors.New("missing query")
	}
	return p, 0, nil
}

// jsonProblem describes a JSON decoding error without echoing the body.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("syntax error at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return "expected a JSON object"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	default:
		return "malformed"
	}
}

// writeErrors answers a request that did not execute: no data entry.
func (t transport) writeErrors(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, status int, errs gqlerror.List, oc ...*graphql.OperationContext) {
	errs = limits.CapErrors(errs, t.maxErrors)
	ctx := r.Context()
	if len(oc) > 0 && oc[0] != nil {
		ctx = graphql.WithOperationContext(ctx, oc[0])
	}
	resp := exec.DispatchError(ctx, errs)
	// A request error has no data entry at all (not even null): the spec
	// keys "did it execute" on its absence.
	b, err := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, &graphql.Response{Errors: gqlerror.List{gqlerr.New(gqlerr.Internal, "internal server error")}})
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, resp *graphql.Response) {
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && resp.Path == nil &&
		resp.HasNext == nil && len(resp.Data) > 0 {
		// Data only, as most responses are: written around the JSON the
		// executor produced. json.Marshal would re-validate and compact
		// every byte of it (a RawMessage), a few percent of a catalog
		// page's CPU for the same bytes.
		// With its length: net/http would otherwise send a body over
		// 2 KB chunked, one more write to the socket per response.
		w.Header().Set("Content-Length", strconv.Itoa(len(`{"data":}`)+len(resp.Data)))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"data":`)
		_, _ = w.Write(resp.Data)
		_, _ = io.WriteString(w, "}")
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
