package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/ent/privacy"
	"bangfu/internal/gid"
)

// CreditTotal is the running total of attribution credits for one
// agreement version, indicator, period month and origin county. A ledger
// hook keeps it in step with every credit and reversal in the same
// transaction, so progress reads never scan the ledger; recompute proves
// the two agree.
type CreditTotal struct{ ent.Schema }

// Fields of the CreditTotal.
func (CreditTotal) Fields() []ent.Field {
	return []ent.Field{
		field.Int("agreement_id"),
		field.Enum("indicator").Values("DIRECT_PURCHASE", "HELP_SELL"),
		field.Int("year"),
		field.Int("month"),
		field.Int("origin_county_id"),
		field.Int64("amount").Default(0).Comment("Net credited fen."),
		field.Int("lines").Default(0).Comment("Net number of credited lines."),
	}
}

// Indexes of the CreditTotal.
func (CreditTotal) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("agreement_id", "indicator", "year", "month", "origin_county_id").Unique(),
		index.Fields("origin_county_id", "year"),
	}
}

// Annotations of the CreditTotal.
func (CreditTotal) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.IncrementStart(gid.Start("CreditTotal")), entgql.Skip(entgql.SkipAll)}
}

// Policy of the CreditTotal: aggregated progress, for signed-in users;
// written only by the ledger hook.
func (CreditTotal) Policy() ent.Policy {
	return policy([]privacy.QueryRule{signedIn(), privacy.AlwaysAllowRule()}, nil)
}
