// Package market holds the marketplace's rules: placing orders without
// overselling, the order lifecycle, and settlement that turns sales into
// household income through benefit links. Resolvers call it; it decides.
package market

import "bangfu/internal/apperr"

// Error is a domain error with a stable GraphQL error code.
type Error = apperr.Error

var (
	badInput  = apperr.BadInput
	conflict  = apperr.Conflict
	forbidden = apperr.Forbidden
	notFound  = apperr.NotFound
)
