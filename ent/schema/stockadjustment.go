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
	"bangfu/ent/privacy"
	"bangfu/ent/product"
	"bangfu/internal/viewer"
)

// StockAdjustment records a supplier's change to a product's stock.
type StockAdjustment struct{ ent.Schema }

// Mixin of the StockAdjustment: changes are audited.
func (StockAdjustment) Mixin() []ent.Mixin { return []ent.Mixin{AuditMixin{}} }

// Fields of the StockAdjustment. Append-only.
func (StockAdjustment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("product_id").Immutable(),
		field.Int("delta").Immutable().Comment("Units added (positive) or removed (negative)."),
		field.Int("stock_after").NonNegative().Immutable().Comment("Stock once the adjustment applied."),
		field.String("reason").NotEmpty().MaxLen(200).Immutable(),
		field.Int("actor_id").Optional().Nillable().Immutable(),
		field.Time("created_at").Default(nowUTC).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of the StockAdjustment.
func (StockAdjustment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("product", Product.Type).Ref("stock_adjustments").Field("product_id").Unique().Required().Immutable(),
	}
}

// Indexes of the StockAdjustment.
func (StockAdjustment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("product_id", "created_at")}
}

// Annotations of the StockAdjustment.
func (StockAdjustment) Annotations() []schema.Annotation {
	return node("StockAdjustment", "A recorded change to a product's stock (库存调整) with its reason.")
}

// Policy of the StockAdjustment: suppliers record changes to their own
// products; the record is public like the stock it explains.
func (StockAdjustment) Policy() ent.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.StockAdjustmentMutationRuleFunc(func(ctx context.Context, m *gen.StockAdjustmentMutation) error {
			id, _ := m.ProductID()
			own, err := m.Client().Product.Query().Where(product.ID(id),
				product.SupplierIDIn(viewer.FromContext(ctx).OrgIDs(viewer.Supplier)...)).Exist(ctx)
			if err != nil || own {
				return orAllow(err)
			}
			return privacy.Denyf("suppliers adjust only their own stock")
		}),
	})
}
