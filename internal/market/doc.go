// Package market holds the marketplace's rules: placing orders without
// overselling, the order lifecycle (its table: internal/market/lifecycle),
// settlement that turns sales into household income through benefit links,
// supplier onboarding, products and their certification. Resolvers call
// it; it decides what the privacy policies leave to the domain: input,
// state and the bookkeeping that follows a step.
package market
