package schema

import (
	"context"
	"slices"

	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/buyerprofile"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// BuyerProfile is an organization's standing as a buyer.
type BuyerProfile struct{ ent.Schema }

// Mixin of the BuyerProfile.
func (BuyerProfile) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the BuyerProfile.
func (BuyerProfile) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.Int("year").Min(2000).Max(2100).Immutable().Comment("The year the budget is for."),
		field.Bool("has_canteen").Default(false).
			Comment("Whether the unit runs a canteen (食堂); units without one have no reservation quota."),
		money("canteen_food_budget_fen", "Yearly canteen food procurement budget."),
		field.Int("reserved_share_bp").Default(1000).Min(0).Max(10000).
			Comment("Share of canteen food procurement reserved for products of poor areas, in basis points (1000 = 10%, the 2022 rule)."),
	}
}

// Edges of the BuyerProfile.
func (BuyerProfile) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("buyer_profiles").
			Field("organization_id").Unique().Required().Immutable(),
	}
}

// Indexes of the BuyerProfile.
func (BuyerProfile) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "year").Unique()}
}

// Annotations of the BuyerProfile.
func (BuyerProfile) Annotations() []schema.Annotation {
	return node("BuyerProfile", "A buyer's procurement profile (预留份额).")
}

// Policy of the BuyerProfile: the organization's own members and
// officials read it; its managers set it.
func (BuyerProfile) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor, viewer.Coordinator),
		privacy.BuyerProfileQueryRuleFunc(func(ctx context.Context, q *gen.BuyerProfileQuery) error {
			q.Where(buyerprofile.OrganizationIDIn(viewer.FromContext(ctx).OrgIDs(memberRoles...)...))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.BuyerProfileMutationRuleFunc(func(ctx context.Context, m *gen.BuyerProfileMutation) error {
			org, ok := m.OrganizationID()
			if !ok {
				id, _ := m.ID()
				p, err := m.Client().BuyerProfile.Get(ctx, id)
				if err != nil {
					return err
				}
				org = p.OrganizationID
			}
			if slices.Contains(viewer.FromContext(ctx).OrgIDs(viewer.OrgManager), org) {
				return privacy.Allow
			}
			return privacy.Denyf("a buyer profile is set by the organization's managers")
		}),
	})
}
