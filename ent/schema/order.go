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
	"bangfu/ent/order"
	"bangfu/ent/predicate"
	"bangfu/ent/privacy"
	"bangfu/internal/market/lifecycle"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
)

// Order is one buyer's order from one supplier.
type Order struct{ ent.Schema }

// Mixin of the Order.
func (Order) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Order.
func (Order) Fields() []ent.Field {
	return []ent.Field{
		field.Int("buyer_id").Comment("Buying organization."),
		field.Int("supplier_id").Comment("Supplying organization (one order per supplier)."),
		field.Int("facilitator_id").Optional().Nillable().Comment("Organization that helped sell (帮助销售)."),
		field.Int("placed_by_id").Optional().Nillable().Comment("User who placed the order."),
		field.String("idempotency_key").NotEmpty().MaxLen(128).Immutable().
			Comment("Client key making placement safe to retry."),
		field.String("request_hash").Optional().MaxLen(64).Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("SHA-256 of the placement request: a retry with the same key must carry the same request."),
		field.Enum("status").
			Values("PLACED", "CONFIRMED", "SHIPPED", "DELIVERED", "ACCEPTED", "SETTLED", "CANCELLED", "REFUNDED").
			Default("PLACED").
			Comment("下单 → 确认 → 发货 → 送达 → 验收 → 结算; 取消 before shipping, 退款 after settlement.").
			Annotations(entgql.OrderField("STATUS")),
		field.Int64("total_fen").Annotations(entgql.Type("Int64")).NonNegative().Comment("Order total in fen (分).").
			Annotations(entgql.OrderField("TOTAL")),
		field.Time("placed_at").Default(nowUTC).Annotations(entgql.OrderField("PLACED_AT")),
		field.Time("confirmed_at").Optional().Nillable(),
		field.Time("shipped_at").Optional().Nillable(),
		field.String("carrier").Optional().MaxLen(64),
		field.String("tracking_number").Optional().MaxLen(64),
		field.Time("delivered_at").Optional().Nillable(),
		field.Time("accepted_at").Optional().Nillable(),
		field.String("inspection_ref").Optional().MaxLen(128).Comment("Inspection record reference (验收单)."),
		field.String("invoice_ref").Optional().MaxLen(128).Comment("Invoice reference (发票)."),
		field.Time("settled_at").Optional().Nillable().Annotations(entgql.OrderField("SETTLED_AT")),
		field.Time("cancelled_at").Optional().Nillable(),
		field.Time("refunded_at").Optional().Nillable(),
		field.Int("rating").Optional().Nillable().Min(1).Max(5).Comment("Buyer's rating of an accepted order, 1–5."),
	}
}

// Edges of the Order.
func (Order) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("buyer", Organization.Type).Ref("orders_placed").Field("buyer_id").Unique().Required(),
		edge.From("supplier", Organization.Type).Ref("orders_received").Field("supplier_id").Unique().Required(),
		edge.From("facilitator", Organization.Type).Ref("orders_facilitated").Field("facilitator_id").Unique(),
		edge.To("placed_by", User.Type).Field("placed_by_id").Unique(),
		edge.To("lines", OrderLine.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Order lines."),
		edge.From("flags", Flag.Type).Ref("order").Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Integrity flags raised on the order (internal/integrity)."),
	}
}

// Indexes of the Order.
func (Order) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("buyer_id", "idempotency_key", "supplier_id").Unique(),
		index.Fields("buyer_id", "status"),
		index.Fields("supplier_id", "status"),
		index.Fields("facilitator_id"),
		index.Fields("status", "settled_at"),
	}
}

// Annotations of the Order.
func (Order) Annotations() []schema.Annotation {
	return node("Order", "An order from one buyer organization to one supplier (订单).", entgql.QueryField())
}

// Policy of the Order: a buyer places orders for its own organization;
// each lifecycle step is taken by the party the lifecycle names for it
// (internal/market/lifecycle), and only the buyer rates.
func (Order) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor, viewer.Coordinator),
		privacy.OrderQueryRuleFunc(func(ctx context.Context, q *gen.OrderQuery) error {
			q.Where(orderVisible(viewer.FromContext(ctx)))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.OrderMutationRuleFunc(func(ctx context.Context, m *gen.OrderMutation) error {
			v := viewer.FromContext(ctx)
			switch {
			case m.Op().Is(ent.OpCreate):
				if b, ok := m.BuyerID(); ok && slices.Contains(v.OrgIDs(viewer.Buyer), b) {
					return privacy.Allow
				}
				return privacy.Denyf("buyers order only for their own organization")
			case m.Op().Is(ent.OpUpdateOne):
				var by workflow.Party // the party this change needs
				if s, ok := m.Status(); ok {
					by = lifecycle.EnteredBy(s)
				} else if _, ok := m.Rating(); ok {
					by = lifecycle.Buyer
				}
				if by == 0 {
					return privacy.Denyf("orders change only through their lifecycle")
				}
				var parties []predicate.Order
				if by&lifecycle.Buyer != 0 {
					parties = append(parties, order.BuyerIDIn(v.OrgIDs(viewer.Buyer)...))
				}
				if by&lifecycle.Supplier != 0 {
					parties = append(parties, order.SupplierIDIn(v.OrgIDs(viewer.Supplier)...))
				}
				id, _ := m.ID()
				party, err := m.Client().Order.Query().Where(order.ID(id), order.Or(parties...)).Exist(ctx)
				if err != nil || party {
					return orAllow(err)
				}
				return privacy.Denyf("only the order's %s may do this", lifecycle.PartyName(by))
			}
			return privacy.Skip
		}),
	})
}
