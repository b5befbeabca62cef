package metrics

import (
	"context"
	"strings"
	"sync"
	"time"

	"bangfu/graph/limits"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// GraphQL returns the gqlgen extension that counts and times operations
// and counts documents refused by a limit. Add it first (before the
// limits extension), so that it sees the response as the client gets it.
func (m *Metrics) GraphQL() graphql.HandlerExtension { return gqlExtension{m} }

type gqlExtension struct{ m *Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = gqlExtension{}

// ExtensionName implements graphql.HandlerExtension.
func (gqlExtension) ExtensionName() string { return "Metrics" }

// Validate implements graphql.HandlerExtension.
func (gqlExtension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse implements graphql.ResponseInterceptor. gqlgen calls
// it for every response: executed operations, and requests that were
// refused before executing (executor.DispatchError), which carry the
// operation context when one was made.
func (e gqlExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := graphql.GetStartTime(ctx) // set when the request was read
	if start.IsZero() {
		start = time.Now()
	}
	resp := next(ctx)
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
	}
	if resp == nil || oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		// A subscription answers once per event; its events are not
		// operations (nil ends a stream).
		return resp
	}
	name := UnknownOperation
	if oc != nil && oc.Operation != nil {
		// A name from a parsed document: a GraphQL Name (letters, digits
		// and underscores), never the raw operationName parameter.
		name = e.m.names.label(oc.Operation.Name)
	}
	code := OutcomeOK
	refused := map[string]bool{}
	for i, err := range resp.Errors {
		c, _ := err.Extensions["code"].(string)
		if c == "" {
			c = "UNKNOWN"
		}
		if i == 0 {
			code = c
		}
		if isRefusal[c] && !refused[c] {
			refused[c] = true
			e.m.gqlRefused.WithLabelValues(limitName(c)).Inc()
		}
	}
	e.m.gqlOperations.WithLabelValues(name, code).Inc()
	e.m.gqlDuration.WithLabelValues(name, code).Observe(time.Since(start).Seconds())
	return resp
}

// refusalCodes are the extensions.code values of documents refused by a
// limit (graph/limits, including gqlgen's complexity limit, which uses
// the same code).
var refusalCodes = limits.Codes

var isRefusal = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range refusalCodes {
		m[c] = true
	}
	return m
}()

// limitName turns a refusal code into the limit's name: DEPTH_LIMIT_EXCEEDED
// is "depth".
func limitName(code string) string {
	return strings.ToLower(strings.TrimSuffix(code, "_LIMIT_EXCEEDED"))
}

// maxNameLen bounds the length of an operation name used as a label (the
// grammar has no bound; only the document's token limit).
const maxNameLen = 100

// nameSet admits the first max distinct operation names.
type nameSet struct {
	mu    sync.RWMutex
	max   int
	names map[string]struct{}
}

func newNameSet(limit int) *nameSet { return &nameSet{max: limit, names: map[string]struct{}{}} }

// label is the operation label for name.
func (s *nameSet) label(name string) string {
	if name == "" {
		return AnonymousOperation
	}
	if len(name) > maxNameLen {
		return OtherOperation
	}
	s.mu.RLock()
	_, ok := s.names[name]
	s.mu.RUnlock()
	if ok {
		return name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.names[name]; ok {
		return name
	}
	if len(s.names) >= s.max {
		return OtherOperation
	}
	s.names[name] = struct{}{}
	return name
}
