package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/orderline"
	"bangfu/ent/privacy"
	"bangfu/internal/attribution"
	"bangfu/internal/viewer"
)

// LedgerEntry is an append-only record of value: attribution credit,
// household income or incentive points. Corrections are reversing entries.
type LedgerEntry struct{ ent.Schema }

// Mixin of the LedgerEntry: changes are audited.
func (LedgerEntry) Mixin() []ent.Mixin { return []ent.Mixin{AuditMixin{}} }

// Fields of the LedgerEntry. There is no updated_at: entries never change.
func (LedgerEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("ATTRIBUTION_CREDIT", "HOUSEHOLD_INCOME", "INCENTIVE_POINTS").Immutable().
			Comment("ATTRIBUTION_CREDIT counts a line toward a target; HOUSEHOLD_INCOME is income reaching a household; INCENTIVE_POINTS rewards participation."),
		field.Int64("amount").Annotations(entgql.Type("Int64")).Immutable().
			Comment("Fen for credits and income, points for incentives; negative for reversals."),
		field.Enum("indicator").Values("DIRECT_PURCHASE", "HELP_SELL").Optional().Nillable().Immutable().
			Comment("For credits: DIRECT_PURCHASE (buyer side) or HELP_SELL (facilitator). Never added together."),
		field.Int("year").Min(2000).Max(2100).Immutable().Comment("Period year (settlement year)."),
		field.Time("occurred_at").Default(nowUTC).Immutable().Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Int("month").Optional().Nillable().Min(1).Max(12).Immutable().
			Comment("Period month (settlement month, China Standard Time) of credits; reversals keep the original's."),
		field.Int("order_line_id").Optional().Nillable().Immutable(),
		field.Int("agreement_id").Optional().Nillable().Immutable().
			Comment("For credits: the agreement version the line was attributed to."),
		field.Int("origin_county_id").Optional().Nillable().Immutable().
			Comment("For credits: the county the product came from."),
		field.Int("household_id").Optional().Nillable().Immutable(),
		field.Int("organization_id").Optional().Nillable().Immutable().
			Comment("Organization credited (points) or whose purchase counted."),
		field.Int("reverses_id").Optional().Nillable().Unique().Immutable().
			Comment("The entry this one reverses."),
		field.Int("incentive_rule_id").Optional().Nillable().Immutable().
			Comment("For points: the rule that awarded them."),
		field.String("note").Optional().MaxLen(500).Immutable(),
		field.Int("flag_id").Optional().Nillable().Immutable().
			Comment("The integrity flag whose review wrote this entry: a reversal when the flag was confirmed, a re-booking when it was dismissed."),
		commitOrder(),
	}
}

// Edges of the LedgerEntry.
func (LedgerEntry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("order_line", OrderLine.Type).Ref("ledger_entries").Field("order_line_id").Unique().Immutable(),
		edge.From("agreement", Agreement.Type).Ref("credits").Field("agreement_id").Unique().Immutable(),
		edge.To("origin_county", Region.Type).Field("origin_county_id").Unique().Immutable(),
		edge.From("incentive_rule", IncentiveRule.Type).Ref("points").Field("incentive_rule_id").Unique().Immutable(),
		edge.From("household", Household.Type).Ref("income_entries").Field("household_id").Unique().Immutable(),
		edge.To("organization", Organization.Type).Field("organization_id").Unique().Immutable(),
		edge.From("flag", Flag.Type).Ref("ledger_entries").Field("flag_id").Unique().Immutable(),
		edge.To("reversed_by", LedgerEntry.Type).Unique().
			From("reverses").Field("reverses_id").Unique().Immutable(),
	}
}

// Indexes of the LedgerEntry.
func (LedgerEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("agreement_id", "indicator", "year"),
		index.Fields("household_id", "year"),
		index.Fields("order_line_id"),
		index.Fields("organization_id", "kind", "year"),
		index.Fields("incentive_rule_id", "organization_id", "year"),
		index.Fields("xid"),
	}
}

// Annotations of the LedgerEntry.
func (LedgerEntry) Annotations() []schema.Annotation {
	return node("LedgerEntry", "An append-only ledger entry (台账): every figure is the sum of these.", entgql.QueryField())
}

// Hooks of the LedgerEntry: the running totals progress reads follow every
// entry in the same transaction (internal/attribution).
func (LedgerEntry) Hooks() []ent.Hook { return []ent.Hook{attribution.TotalsHook} }

// Policy of the LedgerEntry: written only by the server's own accounting;
// read by officials, and by the parties of the orders behind each entry.
func (LedgerEntry) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(officials...),
		privacy.LedgerEntryQueryRuleFunc(func(ctx context.Context, q *gen.LedgerEntryQuery) error {
			q.Where(ledgerentry.HasOrderLineWith(orderline.HasOrderWith(orderVisible(viewer.FromContext(ctx)))))
			return privacy.Allow
		}),
	}, nil)
}
