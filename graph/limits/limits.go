// Package limits bounds what one GraphQL request may cost, so that no
// document, however hostile, stalls the server. Most bounds are checked on
// the parsed document before gqlgen validates it (validation of some
// shapes is quadratic or worse), in time linear in the document's size:
// every fragment is measured once, however often it is spread. Each limit
// has its own stable extensions.code.
package limits

import (
	"fmt"

	"bangfu/graph/gqlerr"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits are the bounds on one request.
type Limits struct {
	// MaxTokens bounds the lexical tokens of a document (parser).
	MaxTokens int
	// MaxSelections bounds the fields a document selects once every
	// fragment spread is expanded (a fragment spread twice counts twice).
	MaxSelections int
	// MaxRepeats bounds how often one response name appears in one
	// selection set, fragments included (validation compares them pairwise).
	MaxRepeats int
	// MaxFragments bounds the fragment definitions of a document
	// (validation compares fragments spread side by side pairwise).
	MaxFragments int
	// MaxDirectives bounds the directives written in a document.
	MaxDirectives int
	// MaxDepth bounds the nesting of selections (introspection aside).
	MaxDepth int
	// MaxAliases bounds the aliased fields once fragments are expanded.
	MaxAliases int
	// MaxOperations bounds the operations in one document.
	MaxOperations int
	// MaxInputDepth bounds the nesting of input values (where filters, in
	// the document or in variables).
	MaxInputDepth int
	// MaxInputValues bounds the input values of a request, document and
	// variables together (an or of 30,000 predicates is 30,000 values).
	MaxInputValues int
	// MaxSignIns bounds login and refreshToken fields per document (each
	// runs bcrypt or rotates a session).
	MaxSignIns int
	// MaxErrors bounds the errors of one response.
	MaxErrors int
	// MaxComplexity bounds the weighted size of an operation (a connection
	// counts its page size times its children).
	MaxComplexity int
	// MaxPageSize bounds first and last on every connection, and the IDs of
	// nodes(ids:).
	MaxPageSize int
}

// Defaults are the limits the server runs with unless configured.
var Defaults = Limits{
	MaxTokens:      15_000,
	MaxSelections:  1_500,
	MaxRepeats:     10,
	MaxFragments:   100,
	MaxDirectives:  50,
	MaxDepth:       12,
	MaxAliases:     30,
	MaxOperations:  5,
	MaxInputDepth:  10,
	MaxInputValues: 2_000,
	MaxSignIns:     1,
	MaxErrors:      20,
	MaxComplexity:  25_000,
	MaxPageSize:    100,
}

// The codes of refused documents (extensions.code).
const (
	CodeTokens      = "TOKEN_LIMIT_EXCEEDED" //nolint:gosec // G101: an error code, not a credential
	CodeSelections  = "SELECTION_LIMIT_EXCEEDED"
	CodeRepeats     = "FIELD_REPEAT_LIMIT_EXCEEDED"
	CodeFragments   = "FRAGMENT_LIMIT_EXCEEDED"
	CodeDirectives  = "DIRECTIVE_LIMIT_EXCEEDED"
	CodeDepth       = "DEPTH_LIMIT_EXCEEDED"
	CodeAliases     = "ALIAS_LIMIT_EXCEEDED"
	CodeOperations  = "OPERATION_LIMIT_EXCEEDED"
	CodeInput       = "INPUT_LIMIT_EXCEEDED"
	CodeSignIns     = "SIGN_IN_LIMIT_EXCEEDED"
	CodeErrors      = "ERROR_LIMIT_EXCEEDED"
	CodeComplexity  = "COMPLEXITY_LIMIT_EXCEEDED"
	CodeIntrospect  = gqlerr.ValidationFailed
	CodeParseFailed = gqlerr.ParseFailed
)

// Codes lists every limit's code, for documentation and metrics.
var Codes = []string{CodeTokens, CodeSelections, CodeRepeats, CodeFragments, CodeDirectives, CodeDepth, CodeAliases,
	CodeOperations, CodeInput, CodeSignIns, CodeErrors, CodeComplexity}

func refuse(code, format string, a ...any) *gqlerror.Error {
	return gqlerr.New(code, fmt.Sprintf(format, a...))
}

// CapErrors keeps the first limit-1 errors of a list longer than limit and
// ends it with one that says how many were left out.
func CapErrors(errs gqlerror.List, limit int) gqlerror.List {
	if limit <= 0 || len(errs) <= limit {
		return errs
	}
	kept := append(gqlerror.List{}, errs[:limit-1]...)
	return append(kept, refuse(CodeErrors, "%d more errors were left out; fix these first", len(errs)-(limit-1)))
}
