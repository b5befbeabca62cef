package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/ent/privacy"
	"bangfu/internal/gid"
)

// ProductSales is a product's sales counter (销量): units in placed, not
// cancelled orders. It lives in its own narrow table, not on the product
// row: every placement changes it, and an indexed column on the product
// row would make every placement write a new entry into each of the
// product's indexes (no HOT update), bloating the index the catalog reads
// best sellers from until VACUUM. Here a placement rewrites a short row
// and this table's own two indexes; the product row's update (stock) stays
// HOT. Best-selling order stays exact: the catalog joins the counters and
// reads them in the order of (units_sold DESC, product_id DESC).
type ProductSales struct{ ent.Schema }

// Fields of the ProductSales.
func (ProductSales) Fields() []ent.Field {
	return []ent.Field{
		field.Int("product_id").Unique(),
		field.Int("units_sold").Default(0).NonNegative().
			Comment("Units in placed, not cancelled orders (销量); sorts the catalog by best-selling."),
	}
}

// Edges of the ProductSales.
func (ProductSales) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("product", Product.Type).Ref("sales").Field("product_id").Unique().Required(),
	}
}

// Indexes of the ProductSales.
func (ProductSales) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("units_sold", "product_id").Annotations(entsql.DescColumns("units_sold", "product_id")),
	}
}

// Annotations of the ProductSales.
func (ProductSales) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.IncrementStart(gid.Start("ProductSales")), entgql.Skip(entgql.SkipAll)}
}

// Policy of the ProductSales: public like the catalog; written only by the
// server itself (product creation, placement, cancellation).
func (ProductSales) Policy() ent.Policy {
	return policy([]privacy.QueryRule{public()}, nil)
}
