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

// Organization is any party: buyer, supplier, designated unit, agency.
type Organization struct{ ent.Schema }

// Mixin of the Organization.
func (Organization) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(128).
			Comment("Registered name.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("kind").
			Values("AGENCY", "BUDGET_UNIT", "UNION", "SOE", "ENTERPRISE", "COOPERATIVE",
				"FAMILY_FARM", "VILLAGE_COLLECTIVE", "SOCIAL_ORG", "DESIGNATED_UNIT").
			Comment("Kind of party: 机关, 预算单位, 工会, 国有企业, 企业, 农民专业合作社, 家庭农场, 村集体, 社会组织, 定点帮扶单位.").
			Annotations(entgql.OrderField("KIND")),
		field.String("credit_code").Optional().Nillable().Unique().Validate(validate.CreditCode).
			Comment("Unified social credit code (统一社会信用代码, GB 32100-2015), 18 characters with a check character."),
		field.Int("region_id").Comment("Division where the organization is registered."),
		field.Int("parent_id").Optional().Nillable().
			Comment("Parent organization: unions and subsidiaries count toward it (上级单位)."),
	}
}

// Edges of the Organization.
func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("region", Region.Type).Ref("organizations").Field("region_id").Unique().Required().
			Comment("Division where the organization is registered."),
		edge.To("children", Organization.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Subordinate units, unions and subsidiaries.").
			From("parent").Field("parent_id").Unique().
			Comment("Parent organization (上级单位)."),
		edge.To("supplier_profile", SupplierProfile.Type).Unique().
			Comment("Supplier profile, present once the organization applies to sell."),
		edge.To("buyer_profile", BuyerProfile.Type).Unique().
			Comment("Buyer profile: canteen and reserved procurement share."),
		edge.To("products", Product.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Products listed by this supplier."),
		edge.To("orders_placed", Order.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Orders placed as buyer."),
		edge.To("orders_received", Order.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Orders received as supplier."),
		edge.To("orders_facilitated", Order.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Orders this organization helped sell (帮助销售)."),
		edge.To("benefit_links", BenefitLink.Type).
			Annotations(entgql.RelayConnection()).
			Comment("How this supplier benefits poor households (联农带农)."),
		edge.To("designated_agreements", Agreement.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Designated-assistance responsibility letters (定点帮扶责任书) of this central unit."),
		edge.To("memberships", Membership.Type).
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("awards", Award.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Recognition earned for social participation."),
	}
}

// Indexes of the Organization.
func (Organization) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("region_id"),
		index.Fields("parent_id"),
		index.Fields("kind"),
		index.Fields("name"),
	}
}

// Annotations of the Organization.
func (Organization) Annotations() []schema.Annotation {
	return node("Organization", "Any party in consumption assistance: eastern buyers, western suppliers, designated units, agencies.",
		entgql.QueryField())
}

// Policy of the Organization: public directory.
func (Organization) Policy() ent.Policy { return policy([]privacy.QueryRule{public()}, nil) }
