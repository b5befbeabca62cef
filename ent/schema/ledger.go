package schema

import (
	"bangfu/internal/gid"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LedgerEntry is an append-only record of value: attribution credit,
// household income or incentive points. Corrections are reversing entries.
type LedgerEntry struct{ ent.Schema }

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
	}
}

// Annotations of the LedgerEntry.
func (LedgerEntry) Annotations() []schema.Annotation {
	return node("LedgerEntry", "An append-only ledger entry (台账): every figure is the sum of these.")
}

// IncentiveRule is a published rule for awarding participation points.
type IncentiveRule struct{ ent.Schema }

// Mixin of the IncentiveRule.
func (IncentiveRule) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the IncentiveRule.
func (IncentiveRule) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(128),
		field.Int("points_per_yuan_milli").NonNegative().
			Comment("Points per yuan settled, in thousandths (1000 = 1 point per ¥1)."),
		field.Int("key_county_multiplier_bp").Default(10000).Min(0).
			Comment("Multiplier for products of key assistance counties, in basis points (15000 = ×1.5)."),
		field.Int("county_832_multiplier_bp").Default(10000).Min(0).
			Comment("Multiplier for products of former 832 poverty counties, in basis points."),
		field.Enum("category").
			Values("GRAIN_OIL", "MEAT_EGG_DAIRY", "FRUIT_VEGETABLE", "TEA_BEVERAGE", "AQUATIC",
				"FUNGI_NUTS", "SPICES_DRIED", "PROCESSED_FOOD", "HANDICRAFT", "OTHER").
			Optional().Nillable().Comment("Limit the rule to one product category."),
		field.Int64("cap_per_org_per_year").Annotations(entgql.Type("Int64")).Optional().Nillable().NonNegative().
			Comment("Most points one organization can earn from the rule in a year."),
		field.Int("multiplier_bp").Default(10000).Min(0).Max(100000).
			Comment("Rule-wide multiplier in basis points: campaigns and category programmes weigh their points with it."),
		field.Time("effective_from").Comment("The rule applies to settlements from this moment."),
		field.Time("effective_until").Optional().Nillable().
			Comment("The rule stops applying at this moment (a revision starts there)."),
		field.Int("replaces_id").Optional().Nillable().Immutable().
			Comment("The rule this one revises; the old one ends where this one starts."),
	}
}

// Edges of the IncentiveRule.
func (IncentiveRule) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("revisions", IncentiveRule.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Later revisions of this rule.").
			From("replaces").Field("replaces_id").Unique().Immutable().
			Comment("The rule this one revises."),
		edge.To("points", LedgerEntry.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Points awarded under this rule."),
	}
}

// Annotations of the IncentiveRule.
func (IncentiveRule) Annotations() []schema.Annotation {
	return node("IncentiveRule", "A published rule for incentive points for social participation (社会参与激励).")
}

// Award is recognition earned by an organization.
type Award struct{ ent.Schema }

// Mixin of the Award.
func (Award) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Award.
func (Award) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.String("badge").NotEmpty().MaxLen(64).Comment("Level or badge name."),
		field.Int("year").Min(2000).Max(2100),
		field.Int64("points").Annotations(entgql.Type("Int64")).NonNegative().Comment("Points held when the award was made."),
		field.Int64("threshold").Annotations(entgql.Type("Int64")).Default(0).NonNegative().
			Comment("The published threshold the award marks."),
		field.Time("awarded_at").Default(nowUTC),
		field.Time("revoked_at").Optional().Nillable().
			Comment("Set when refunds took the year's points back below the threshold."),
	}
}

// Edges of the Award.
func (Award) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("awards").Field("organization_id").Unique().Required(),
	}
}

// Indexes of the Award.
func (Award) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "year", "badge").Unique()}
}

// Annotations of the Award.
func (Award) Annotations() []schema.Annotation {
	return node("Award", "Recognition (表彰) earned by an organization at a published threshold.")
}

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

// PurchaseTotal is the running total of one organization's settled
// purchases per period month, kept with settlement and refund: all lines,
// and those that count (certified and valid on the order date), and the
// incentive points it earned (kept by the ledger hook). Canteen quotas and
// leaderboards read it.
type PurchaseTotal struct{ ent.Schema }

// Fields of the PurchaseTotal.
func (PurchaseTotal) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("year"),
		field.Int("month"),
		field.Int64("settled_fen").Default(0),
		field.Int64("counted_fen").Default(0),
		field.Int64("points").Default(0).Comment("Net incentive points the organization earned in the month."),
	}
}

// Indexes of the PurchaseTotal.
func (PurchaseTotal) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "year", "month").Unique(), index.Fields("year")}
}

// Annotations of the PurchaseTotal.
func (PurchaseTotal) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.IncrementStart(gid.Start("PurchaseTotal")), entgql.Skip(entgql.SkipAll)}
}
