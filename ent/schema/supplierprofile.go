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
	"bangfu/ent/privacy"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/viewer"
)

// SupplierProfile is an organization's standing as a seller.
type SupplierProfile struct{ ent.Schema }

// Mixin of the SupplierProfile.
func (SupplierProfile) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the SupplierProfile.
func (SupplierProfile) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Unique().Immutable(),
		field.Enum("status").Values("APPLIED", "RECOMMENDED", "APPROVED", "REJECTED", "SUSPENDED").Default("APPLIED").
			Comment("Onboarding state: 申请 → 推荐 → 审核通过 / 驳回 / 暂停. Only APPROVED suppliers may sell."),
		field.String("status_reason").Optional().MaxLen(500).
			Comment("Why the supplier was rejected or suspended."),
		field.Strings("benefit_mechanisms").Optional().
			Comment("Declared ways of benefiting poor households (带贫益贫机制): WAGE, ASSET, BUSINESS."),
		field.Time("approved_at").Optional().Nillable().Comment("When the county approved the supplier."),
	}
}

// Edges of the SupplierProfile.
func (SupplierProfile) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("supplier_profile").
			Field("organization_id").Unique().Required().Immutable(),
	}
}

// Indexes of the SupplierProfile.
func (SupplierProfile) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status")}
}

// Annotations of the SupplierProfile.
func (SupplierProfile) Annotations() []schema.Annotation {
	return node("SupplierProfile", "A supplier's onboarding record (供应商资格).")
}

// Policy of the SupplierProfile: onboarding status is public. The
// organization's own members apply (create the profile, or file a rejected
// one again); the certifiers whose scope covers the organization's county
// take every other step (which step from which state: internal/market).
func (SupplierProfile) Policy() ent.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.SupplierProfileMutationRuleFunc(func(ctx context.Context, m *gen.SupplierProfileMutation) error {
			org, ok := m.OrganizationID()
			if !ok {
				id, _ := m.ID()
				p, err := m.Client().SupplierProfile.Get(ctx, id)
				if err != nil {
					return err
				}
				org = p.OrganizationID
			}
			status, _ := m.Status()
			if m.Op().Is(ent.OpCreate) || status == supplierprofile.StatusAPPLIED {
				if slices.Contains(viewer.FromContext(ctx).OrgIDs(viewer.Supplier, viewer.OrgManager), org) {
					return privacy.Allow
				}
				return privacy.Denyf("only the organization's own members apply for it")
			}
			if viewer.FromContext(ctx).Has(viewer.Certifier) {
				covered, err := countyCovered(ctx, m.Client(), org)
				if err != nil || covered {
					return orAllow(err)
				}
			}
			return privacy.Denyf("only the certifiers of the organization's county decide on its supplier profile")
		}),
	})
}
