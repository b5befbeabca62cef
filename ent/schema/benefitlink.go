package schema

import (
	"context"
	"slices"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/organization"
	"bangfu/ent/privacy"
	"bangfu/ent/region"
	"bangfu/internal/viewer"
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
		field.Enum("status").Values("PROPOSED", "APPROVED", "REJECTED", "ENDED").Default("APPROVED").
			Comment("PROPOSED by the supplier with evidence, APPROVED (or REJECTED) by its county's certifier, ENDED by either; only APPROVED links turn sales into household income."),
		field.Strings("evidence").Optional().
			Comment("References to the evidence (employment contract, dividend agreement, purchase records)."),
		field.String("cross_county_reason").Optional().MaxLen(500).
			Comment("Why a household outside the supplier's county is linked (approved explicitly)."),
		field.String("decision_reason").Optional().MaxLen(500),
		field.Int("proposed_by_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("decided_by_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("decided_at").Optional().Nillable(),
		field.Time("ended_at").Optional().Nillable(),
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
		index.Fields("supplier_id", "status"),
		index.Fields("household_id"),
	}
}

// Annotations of the BenefitLink.
func (BenefitLink) Annotations() []schema.Annotation {
	return node("BenefitLink", "How a supplier benefits a poor household (联农带农/带贫益贫机制) and the share that turns a sale into household income.", entgql.QueryField())
}

// Policy of the BenefitLink: read as households are. The supplier's own
// members (SUPPLIER or ORG_MANAGER) propose a link; the certifiers whose
// scope covers the supplier's county approve or reject it; either side
// ends it (which step when: internal/households).
func (BenefitLink) Policy() ent.Policy {
	return policy(householdRules(func(q gen.Query, _ *viewer.Viewer, orgs []int) {
		q.(*gen.BenefitLinkQuery).Where(benefitlink.SupplierIDIn(orgs...))
	}), []privacy.MutationRule{
		privacy.BenefitLinkMutationRuleFunc(func(ctx context.Context, m *gen.BenefitLinkMutation) error {
			v := viewer.FromContext(ctx)
			supplier, ok := m.SupplierID()
			if !ok {
				id, _ := m.ID()
				l, err := m.Client().BenefitLink.Get(viewer.AsSystem(ctx), id)
				if err != nil {
					return err
				}
				supplier = l.SupplierID
			}
			own := slices.Contains(v.OrgIDs(viewer.Supplier, viewer.OrgManager), supplier)
			status, _ := m.Status()
			if m.Op().Is(ent.OpCreate) {
				if own && status == benefitlink.StatusPROPOSED {
					return privacy.Allow
				}
				return privacy.Denyf("a benefit link is proposed by the supplier's own members")
			}
			if status == benefitlink.StatusENDED && own {
				return privacy.Allow
			}
			code, err := m.Client().Organization.Query().Where(organization.ID(supplier)).QueryRegion().
				Select(region.FieldCode).String(ctx)
			if err != nil {
				return err
			}
			if v.CoversRegionAs(viewer.Certifier, code) {
				return privacy.Allow
			}
			return privacy.Denyf("benefit links are decided by the certifiers of the supplier's county")
		}),
	})
}
