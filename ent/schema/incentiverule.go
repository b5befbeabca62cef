package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"bangfu/ent/privacy"
)

// IncentiveRule is a published rule for awarding participation points.
type IncentiveRule struct{ ent.Schema }

// Mixin of the IncentiveRule.
func (IncentiveRule) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

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
	return node("IncentiveRule", "A published rule for incentive points for social participation (社会参与激励).", entgql.QueryField())
}

// Policy of the IncentiveRule: published rules, set by admins.
func (IncentiveRule) Policy() ent.Policy { return policy([]privacy.QueryRule{public()}, nil) }
