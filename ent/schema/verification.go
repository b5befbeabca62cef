package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Third-party evaluation (第三方评估, DOMAIN rule 14): evaluators draw a
// reproducible random sample of a county's households and visit them; what
// the households say is compared with the ledger (internal/evaluation).

// VerificationSample is a drawn sample of a county's households.
type VerificationSample struct{ ent.Schema }

// Mixin of the VerificationSample.
func (VerificationSample) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the VerificationSample. A sample never changes once drawn.
func (VerificationSample) Fields() []ent.Field {
	return []ent.Field{
		field.Int("county_id").Immutable(),
		field.String("county_code").MaxLen(6).Immutable().
			Comment("The county's GB/T 2260 code: decides who sees and visits the sample."),
		field.Int("year").Min(2000).Max(2100).Immutable().Comment("The year whose benefit and income are verified."),
		field.Int("size").Positive().Immutable().Comment("The sample size asked for; the sample is smaller when the population is."),
		field.String("seed").NotEmpty().MaxLen(64).Immutable().
			Comment("The seed, published with the sample so anyone can redraw it."),
		field.String("algorithm").Immutable().
			Comment("How the sample was drawn, e.g. sha256-rank-v1: the households with the smallest SHA-256(seed, 户编号)."),
		field.Int("population").NonNegative().Immutable().
			Comment("How many households the sample was drawn from (the county's households with a benefit link in force in the year)."),
		field.Int("drawn_by_id").Optional().Nillable().Immutable(),
	}
}

// Edges of the VerificationSample.
func (VerificationSample) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("county", Region.Type).Field("county_id").Unique().Required().Immutable(),
		edge.To("drawn_by", User.Type).Field("drawn_by_id").Unique().Immutable(),
		edge.To("households", Household.Type).
			Annotations(entgql.RelayConnection()).
			Comment("The sampled households."),
		edge.To("visits", VerificationVisit.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Visits recorded for the sample."),
	}
}

// Indexes of the VerificationSample: the same draw twice is the same
// sample (and a race of two has one winner).
func (VerificationSample) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("county_id", "year", "size", "seed").Unique(),
		index.Fields("county_code"),
	}
}

// Annotations of the VerificationSample.
func (VerificationSample) Annotations() []schema.Annotation {
	return node("VerificationSample", "A reproducible random sample of a county's households for third-party verification (第三方评估抽样).",
		entgql.QueryField())
}

// VerificationVisit is an evaluator's visit to a sampled household about
// one of its benefit links.
type VerificationVisit struct{ ent.Schema }

// Mixin of the VerificationVisit.
func (VerificationVisit) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the VerificationVisit. A visit is recorded once and never
// changed: a correction is a visit of another sample.
func (VerificationVisit) Fields() []ent.Field {
	return []ent.Field{
		field.Int("sample_id").Immutable(),
		field.Int("household_id").Immutable(),
		field.Int("benefit_link_id").Immutable(),
		field.Int("supplier_id").Immutable().Comment("The supplier of the link."),
		field.String("county_code").MaxLen(6).Immutable(),
		field.Int("year").Immutable(),
		field.Time("visited_at").Immutable().Annotations(entgql.OrderField("VISITED_AT")),
		field.Bool("knows_supplier").Immutable().Comment("The household knows the supplier (知晓帮扶主体)."),
		field.Bool("confirms_mechanism").Immutable().Comment("The household confirms the benefit mechanism (wage, dividend, sales)."),
		field.Int64("reported_income_fen").Annotations(entgql.Type("Int64")).NonNegative().Immutable().
			Comment("The income the household says it received from the supplier in the year, in fen."),
		field.Int64("ledger_income_fen").Annotations(entgql.Type("Int64")).Immutable().
			Comment("The ledger's household income from the supplier in the year when the visit was recorded, in fen."),
		field.Int("satisfaction").Min(1).Max(5).Immutable().Comment("Satisfaction (满意度), 1 (very dissatisfied) to 5 (very satisfied)."),
		field.Int("discrepancy_share_bp").Immutable().
			Comment("The share of the ledger income below which the reported income is a discrepancy, in basis points."),
		field.Bool("discrepancy").Immutable().
			Comment("The reported income is below that share of the ledger's income: the income may not have reached the household."),
		field.String("notes").Optional().MaxLen(2000).Immutable(),
		field.Int("evaluator_id").Optional().Nillable().Immutable(),
	}
}

// Edges of the VerificationVisit.
func (VerificationVisit) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("sample", VerificationSample.Type).Ref("visits").Field("sample_id").Unique().Required().Immutable(),
		edge.To("household", Household.Type).Field("household_id").Unique().Required().Immutable(),
		edge.To("benefit_link", BenefitLink.Type).Field("benefit_link_id").Unique().Required().Immutable(),
		edge.To("supplier", Organization.Type).Field("supplier_id").Unique().Required().Immutable(),
		edge.To("evaluator", User.Type).Field("evaluator_id").Unique().Immutable(),
		edge.To("agreements", Agreement.Type).
			Annotations(entgql.RelayConnection()).
			Comment("The agreements credited with the purchases that produced the ledger income (original versions)."),
	}
}

// Indexes of the VerificationVisit: one visit per link per sample.
func (VerificationVisit) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("sample_id", "benefit_link_id").Unique(),
		index.Fields("county_code", "year"),
	}
}

// Annotations of the VerificationVisit.
func (VerificationVisit) Annotations() []schema.Annotation {
	return node("VerificationVisit", "A third-party evaluator's visit to a sampled household (入户核查): what the household says against the ledger.",
		entgql.QueryField())
}
