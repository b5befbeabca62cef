package schema

import (
	"context"
	"fmt"
	"slices"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/hook"
	"bangfu/ent/privacy"
	"bangfu/ent/product"
	"bangfu/internal/search"
	"bangfu/internal/viewer"
)

// Product is a good listed by a supplier.
type Product struct{ ent.Schema }

// Mixin of the Product.
func (Product) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

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
		edge.To("sales", ProductSales.Type).Unique().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Units sold, kept off the product row (see ProductSales)."),
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
		// Start-up finds products without a search document (rows written
		// before search existed) through this partial index: it holds only
		// those rows, so the lookup reads an empty index instead of scanning
		// the table.
		index.Fields("id").StorageKey("products_unsearched").
			Annotations(entsql.IndexWhere("search_document IS NULL")),
		index.Fields("search_document").Annotations(entsql.IndexTypes(map[string]string{dialect.Postgres: "GIN"})),
	}
}

// Annotations of the Product.
func (Product) Annotations() []schema.Annotation {
	return node("Product", "A product listed by a supplier in a poor or exited county.", entgql.QueryField())
}

// Hooks of the Product: keep the search document in step with the name and
// description.
func (Product) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.ProductFunc(func(ctx context.Context, m *gen.ProductMutation) (ent.Value, error) {
				name, nameSet := m.Name()
				desc, descSet := m.Description()
				if !nameSet && !descSet && !m.DescriptionCleared() {
					return next.Mutate(ctx, m)
				}
				if m.Op().Is(ent.OpUpdateOne) {
					if !nameSet {
						old, err := m.OldName(viewer.AsSystem(ctx))
						if err != nil {
							return nil, err
						}
						name = old
					}
					if !descSet && !m.DescriptionCleared() {
						old, err := m.OldDescription(viewer.AsSystem(ctx))
						if err != nil {
							return nil, err
						}
						desc = old
					}
				}
				m.SetSearchDocument(search.Document(name, desc))
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdateOne),
		// Every product has its sales counter from the start: the catalog
		// joins the counters (an inner join, read in counter order).
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.ProductFunc(func(ctx context.Context, m *gen.ProductMutation) (ent.Value, error) {
				v, err := next.Mutate(ctx, m)
				if err != nil {
					return nil, err
				}
				p, ok := v.(*gen.Product)
				if !ok {
					return nil, fmt.Errorf("product hook: unexpected %T", v)
				}
				// Written by the server, not the caller: the counter's policy
				// lets only the system write it.
				return v, m.Client().ProductSales.Create().SetProductID(p.ID).Exec(viewer.AsSystem(ctx))
			})
		}, ent.OpCreate),
	}
}

// Policy of the Product: public catalog; a supplier creates and edits only
// its own organization's products.
func (Product) Policy() ent.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.ProductMutationRuleFunc(func(ctx context.Context, m *gen.ProductMutation) error {
			orgs := viewer.FromContext(ctx).OrgIDs(viewer.Supplier)
			if len(orgs) == 0 {
				return privacy.Skip
			}
			switch {
			case m.Op().Is(ent.OpCreate):
				if s, ok := m.SupplierID(); ok && slices.Contains(orgs, s) {
					return privacy.Allow
				}
			case m.Op().Is(ent.OpUpdateOne):
				id, _ := m.ID()
				own, err := m.Client().Product.Query().Where(product.ID(id), product.SupplierIDIn(orgs...)).Exist(ctx)
				if err != nil {
					return err
				}
				if s, moved := m.SupplierID(); own && (!moved || slices.Contains(orgs, s)) {
					return privacy.Allow
				}
			}
			return privacy.Denyf("suppliers change only their own products")
		}),
	})
}
