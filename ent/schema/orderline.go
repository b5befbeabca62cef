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
	"bangfu/ent/orderline"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// OrderLine is one product on an order, with its price snapshot.
type OrderLine struct{ ent.Schema }

// Mixin of the OrderLine.
func (OrderLine) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the OrderLine.
func (OrderLine) Fields() []ent.Field {
	return []ent.Field{
		field.Int("order_id"),
		field.Int("product_id"),
		field.Int("quantity").Positive(),
		field.Int64("unit_price_fen").Annotations(entgql.Type("Int64")).NonNegative().Comment("Unit price at ordering time, in fen."),
		field.Int64("amount_fen").Annotations(entgql.Type("Int64")).NonNegative().Comment("quantity × unit price, in fen."),
		field.Bool("certified_at_order").Default(false).
			Comment("Whether the product held a valid certification on the order date; only such lines can count toward targets."),
		field.Int("origin_county_id").Optional().Immutable().
			Comment("The product's origin county on the order date: attribution uses it, whatever the product says later."),
	}
}

// Edges of the OrderLine.
func (OrderLine) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("order", Order.Type).Ref("lines").Field("order_id").Unique().Required(),
		edge.From("product", Product.Type).Ref("order_lines").Field("product_id").Unique().Required(),
		edge.To("ledger_entries", LedgerEntry.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Ledger entries this line produced: attribution credits, household income, points."),
	}
}

// Indexes of the OrderLine.
func (OrderLine) Indexes() []ent.Index {
	return []ent.Index{index.Fields("order_id"), index.Fields("product_id")}
}

// Annotations of the OrderLine.
func (OrderLine) Annotations() []schema.Annotation {
	return node("OrderLine", "A line of an order with its unit price snapshot.")
}

// Policy of the OrderLine.
func (OrderLine) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor, viewer.Coordinator),
		privacy.OrderLineQueryRuleFunc(func(ctx context.Context, q *gen.OrderLineQuery) error {
			q.Where(orderline.HasOrderWith(orderVisible(viewer.FromContext(ctx))))
			return privacy.Allow
		}),
	}, nil)
}
