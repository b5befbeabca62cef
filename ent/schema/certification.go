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
	"bangfu/ent/privacy"
	"bangfu/ent/product"
	"bangfu/internal/viewer"
)

// Certification is a poverty-alleviation product certification.
type Certification struct{ ent.Schema }

// Mixin of the Certification.
func (Certification) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Certification.
func (Certification) Fields() []ent.Field {
	return []ent.Field{
		field.Int("product_id"),
		field.Enum("status").
			Values("APPLIED", "UNDER_REVIEW", "PUBLIC_NOTICE", "CERTIFIED", "REJECTED", "EXPIRED", "REVOKED").
			Default("APPLIED").
			Comment("申请 → 县级审核 → 公示 → 认定 (CERTIFIED) → 过期 / 撤销; or 驳回."),
		field.String("certificate_number").Optional().Nillable().Unique().MaxLen(64).
			Comment("Certificate number (认定证书编号)."),
		field.Time("notice_start").Optional().Nillable().Comment("Start of public notice (公示)."),
		field.Time("notice_end").Optional().Nillable().Comment("End of public notice."),
		field.Time("valid_from").Optional().Nillable().Comment("First day of validity."),
		field.Time("valid_until").Optional().Nillable().Comment("Last moment of validity (about two years)."),
		field.String("reason").Optional().MaxLen(1000).Comment("Why it was rejected or revoked."),
	}
}

// Edges of the Certification.
func (Certification) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("product", Product.Type).Ref("certifications").Field("product_id").Unique().Required(),
	}
}

// Indexes of the Certification.
func (Certification) Indexes() []ent.Index {
	return []ent.Index{index.Fields("product_id", "status", "valid_until")}
}

// Annotations of the Certification.
func (Certification) Annotations() []schema.Annotation {
	return node("Certification", "A poverty-alleviation product certification (扶贫产品认定).", entgql.QueryField())
}

// Policy of the Certification: public. A supplier applies for its own
// products; certifiers whose scope covers the product's origin county
// review, certify and revoke.
func (Certification) Policy() ent.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.CertificationMutationRuleFunc(func(ctx context.Context, m *gen.CertificationMutation) error {
			v := viewer.FromContext(ctx)
			productID, ok := m.ProductID()
			if !ok {
				id, _ := m.ID()
				c, err := m.Client().Certification.Get(ctx, id)
				if err != nil {
					return err
				}
				productID = c.ProductID
			}
			p, err := m.Client().Product.Query().Where(product.ID(productID)).WithOriginCounty().Only(ctx)
			if err != nil {
				return err
			}
			if m.Op().Is(ent.OpCreate) && slices.Contains(v.OrgIDs(viewer.Supplier), p.SupplierID) {
				return privacy.Allow
			}
			if !m.Op().Is(ent.OpCreate) && v.Has(viewer.Certifier) && v.CoversRegion(p.Edges.OriginCounty.Code) {
				return privacy.Allow
			}
			return privacy.Denyf("certifications are decided by the origin county's certifiers")
		}),
	})
}
