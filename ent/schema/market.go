package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Product is a good listed by a supplier.
type Product struct{ ent.Schema }

// Mixin of the Product.
func (Product) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Product.
func (Product) Fields() []ent.Field {
	return []ent.Field{
		field.Int("supplier_id"),
		field.String("name").NotEmpty().MaxLen(128).Annotations(entgql.OrderField("NAME")),
		field.Text("description").Optional().MaxLen(5000),
		field.Enum("category").
			Values("GRAIN_OIL", "MEAT_EGG_DAIRY", "FRUIT_VEGETABLE", "TEA_BEVERAGE", "AQUATIC",
				"FUNGI_NUTS", "SPICES_DRIED", "PROCESSED_FOOD", "HANDICRAFT", "OTHER").
			Comment("Category: 粮油, 肉禽蛋奶, 果蔬, 茶饮, 水产, 菌菇干果, 调味干货, 加工食品, 手工艺品, 其他.").
			Annotations(entgql.OrderField("CATEGORY")),
		field.String("spec").NotEmpty().MaxLen(64).Comment("Specification (规格), e.g. 5kg/袋."),
		field.String("unit").NotEmpty().MaxLen(16).Comment("Sales unit (单位), e.g. 袋."),
		field.Int64("price_fen").Annotations(entgql.Type("Int64")).NonNegative().Comment("Unit price in fen (分).").
			Annotations(entgql.OrderField("PRICE")),
		field.Int("stock").NonNegative().Default(0).Comment("Units in stock (库存)."),
		field.Int("origin_county_id").Comment("County of origin (产地县)."),
		field.Enum("channel").Values("ONLINE", "COUNTER", "HALL", "ZONE").Default("ONLINE").
			Comment("Sales channel: ONLINE 线上, COUNTER 专柜, HALL 专馆, ZONE 专区."),
		field.Enum("status").Values("DRAFT", "LISTED", "DELISTED").Default("DRAFT").
			Comment("DRAFT 草稿, LISTED 在售, DELISTED 下架."),
		field.Strings("image_urls").Optional(),
		field.Enum("certification_status").
			Values("APPLIED", "UNDER_REVIEW", "PUBLIC_NOTICE", "CERTIFIED", "REJECTED", "EXPIRED", "REVOKED").
			Optional().Nillable().
			Comment("State of the product's latest certification (认定状态), kept by the certification workflow; null if never applied."),
		field.Time("certified_until").Optional().Nillable().
			Comment("End of the current certificate's validity; null when not certified. Sales count toward targets only while certified."),
		field.Int("units_sold").Default(0).NonNegative().
			Comment("Units in placed, not cancelled orders (销量); sorts the catalog by best-selling.").
			Annotations(entgql.OrderField("UNITS_SOLD")),
		field.String("search_document").Optional().
			SchemaType(map[string]string{dialect.Postgres: "tsvector"}).
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Search tokens of name and description (internal/search), kept by a hook."),
	}
}

// Edges of the Product.
func (Product) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("supplier", Organization.Type).Ref("products").Field("supplier_id").Unique().Required(),
		edge.From("origin_county", Region.Type).Ref("products").Field("origin_county_id").Unique().Required(),
		edge.To("certifications", Certification.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Poverty-alleviation product certifications (扶贫产品认定), newest first by default."),
		edge.To("order_lines", OrderLine.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("stock_adjustments", StockAdjustment.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Recorded stock changes (库存调整)."),
	}
}

// Indexes of the Product.
func (Product) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("supplier_id"),
		index.Fields("origin_county_id"),
		index.Fields("status", "category"),
		index.Fields("price_fen"),
		index.Fields("created_at"),
		index.Fields("certified_until"),
		index.Fields("units_sold", "id").Annotations(entsql.DescColumns("units_sold", "id")),
		index.Fields("search_document").Annotations(entsql.IndexTypes(map[string]string{dialect.Postgres: "GIN"})),
	}
}

// Annotations of the Product.
func (Product) Annotations() []schema.Annotation {
	return node("Product", "A product listed by a supplier in a poor or exited county.", entgql.QueryField())
}

// Certification is a poverty-alleviation product certification.
type Certification struct{ ent.Schema }

// Mixin of the Certification.
func (Certification) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

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
	return node("Certification", "A poverty-alleviation product certification (扶贫产品认定).")
}

// Order is one buyer's order from one supplier.
type Order struct{ ent.Schema }

// Mixin of the Order.
func (Order) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

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

// OrderLine is one product on an order, with its price snapshot.
type OrderLine struct{ ent.Schema }

// Mixin of the OrderLine.
func (OrderLine) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

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

// StockAdjustment records a supplier's change to a product's stock.
type StockAdjustment struct{ ent.Schema }

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
