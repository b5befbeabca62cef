package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/ent/privacy"
	"bangfu/internal/validate"
)

// Region is an administrative division (行政区划).
type Region struct{ ent.Schema }

// Mixin of the Region.
func (Region) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Region.
func (Region) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").Unique().Validate(validate.RegionCode).
			Comment("Division code (行政区划代码, GB/T 2260): 6 digits for county and above, 9 for township, 12 for village.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").NotEmpty().MaxLen(64).
			Comment("Official name, e.g. 福贡县.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("level").Values("PROVINCE", "CITY", "COUNTY", "TOWNSHIP", "VILLAGE").
			Comment("Administrative level: 省, 市, 县, 乡镇, 村."),
		field.Enum("side").Values("EAST", "CENTRAL", "WEST").
			Comment("Which side of east–west cooperation (东西部协作) the region belongs to."),
		field.Bool("poverty_county_832").Default(false).
			Comment("One of the 832 former national poverty counties (贫困县)."),
		field.Bool("key_assistance_county").Default(false).
			Comment("National key assistance county for rural revitalisation (国家乡村振兴重点帮扶县, 160 in all)."),
		field.Int("exit_year").Optional().Nillable().Min(2013).Max(2100).
			Comment("Year the county was lifted out of poverty (摘帽年份)."),
		field.Int("parent_id").Optional().Nillable().Comment("Parent division."),
	}
}

// Edges of the Region.
func (Region) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("children", Region.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Divisions directly below this one.").
			From("parent").Field("parent_id").Unique().
			Comment("The division directly above."),
		edge.To("organizations", Organization.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Organizations registered in this division."),
		edge.To("households", Household.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Registered poor households (建档立卡户) living in this village."),
		edge.To("products", Product.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Products originating in this county (产地)."),
		edge.To("helping_agreements", Agreement.Type).
			Annotations(entgql.RelayConnection()).
			Comment("East–west agreements where this region is the helping side (帮扶方)."),
		edge.From("helped_agreements", Agreement.Type).Ref("helped_regions").
			Annotations(entgql.RelayConnection()).
			Comment("Agreements where this region is on the helped side (受帮扶方)."),
		edge.From("scoped_memberships", Membership.Type).Ref("scope_regions").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Region.
func (Region) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("parent_id"),
		index.Fields("level", "side"),
		index.Fields("name"),
	}
}

// Annotations of the Region.
func (Region) Annotations() []schema.Annotation {
	return node("Region", "An administrative division (行政区划): province, city, county, township or village.",
		entgql.QueryField())
}

// Policy of the Region: public catalog data, changed by admins only.
func (Region) Policy() ent.Policy { return policy([]privacy.QueryRule{public()}, nil) }
