package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/benefitlink"
)

// BenefitLink ties a supplier to a household it benefits.
type BenefitLink struct{ ent.Schema }

// Mixin of the BenefitLink.
func (BenefitLink) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the BenefitLink.
func (BenefitLink) Fields() []ent.Field {
	return []ent.Field{
		field.Int("supplier_id"),
		field.Int("household_id"),
		field.Enum("mechanism").Values("WAGE", "ASSET", "BUSINESS").
			Comment("WAGE 工资性 (employed), ASSET 资产性 (dividend on land/capital shares), BUSINESS 经营性 (sells own produce through the supplier)."),
		field.Int("share_bp").Min(0).Max(10000).
			Comment("Share of a settled line's amount that becomes this household's income, in basis points (100 = 1%)."),
		field.Time("valid_from").Comment("When the link starts counting."),
		field.Time("valid_until").Optional().Nillable().Comment("When the link stops counting; open-ended if null."),
	}
}

// Edges of the BenefitLink.
func (BenefitLink) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("supplier", Organization.Type).Ref("benefit_links").Field("supplier_id").Unique().Required(),
		edge.From("household", Household.Type).Ref("benefit_links").Field("household_id").Unique().Required(),
	}
}

// Indexes of the BenefitLink.
func (BenefitLink) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("supplier_id", "household_id", "mechanism").Unique(),
		index.Fields("household_id"),
	}
}

// Annotations of the BenefitLink.
func (BenefitLink) Annotations() []schema.Annotation {
	return node("BenefitLink", "How a supplier benefits a poor household (联农带农/带贫益贫机制) and the share that turns a sale into household income.")
}

// Policy of the BenefitLink.
func (BenefitLink) Policy() ent.Policy {
	return policy(householdRules(func(_ context.Context, q gen.Query, orgs []int) {
		q.(*gen.BenefitLinkQuery).Where(benefitlink.SupplierIDIn(orgs...))
	}), nil)
}
