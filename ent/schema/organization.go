package schema

import (
	"context"
	"slices"

	gen "bangfu/ent"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/ent/organization"
	"bangfu/ent/privacy"
	"bangfu/ent/region"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
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
		field.Enum("status").Values("PENDING", "ACTIVE", "REJECTED", "SUSPENDED").Default("ACTIVE").
			Comment("Registration (登记审核): PENDING until an official of its region decides; only ACTIVE organizations buy, sell or facilitate; a SUSPENDED one keeps its history and figures."),
		field.String("status_reason").Optional().MaxLen(500).Comment("Why it was rejected or suspended."),
		field.String("contact_phone").Optional().MaxLen(20).Validate(validate.Phone).
			Comment("The organization's contact phone."),
		field.Int("registered_by_id").Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The user who registered it."),
		field.Time("decided_at").Optional().Nillable().Comment("When its registration was last decided."),
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
		edge.To("buyer_profiles", BuyerProfile.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Buyer profiles by year: canteen and reserved procurement share."),
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
		index.Fields("status"),
	}
}

// Annotations of the Organization.
func (Organization) Annotations() []schema.Annotation {
	return node("Organization", "Any party in consumption assistance: eastern buyers, western suppliers, designated units, agencies.",
		entgql.QueryField())
}

// Policy of the Organization. Active and suspended organizations form the
// public directory; a pending or rejected registration is seen by its own
// members and by officials. Anyone signed in registers an organization
// (it starts PENDING; internal/accounts makes the registrant its
// ORG_MANAGER). Its status is decided by an official whose scope covers
// its region: a COORDINATOR for an eastern organization, a CERTIFIER for
// one in the west or centre. Its other details are its managers' to change.
func (Organization) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		readableBy(officials...),
		privacy.OrganizationQueryRuleFunc(func(ctx context.Context, q *gen.OrganizationQuery) error {
			mine := viewer.FromContext(ctx).OrgIDs(memberRoles...)
			q.Where(organization.Or(organization.StatusIn(organization.StatusACTIVE, organization.StatusSUSPENDED),
				organization.IDIn(mine...)))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.OrganizationMutationRuleFunc(func(ctx context.Context, m *gen.OrganizationMutation) error {
			v := viewer.FromContext(ctx)
			if m.Op().Is(ent.OpCreate) {
				if status, _ := m.Status(); v.Authenticated() && status == organization.StatusPENDING {
					return privacy.Allow
				}
				return privacy.Denyf("a new organization starts as a PENDING registration")
			}
			if !m.Op().Is(ent.OpUpdateOne) {
				return privacy.Skip
			}
			id, _ := m.ID()
			if _, deciding := m.Status(); deciding {
				// The rule's own lookup reads as the system: a pending
				// registration is invisible to most callers.
				r, err := m.Client().Organization.Query().Where(organization.ID(id)).QueryRegion().Only(viewer.AsSystem(ctx))
				if err != nil {
					return err
				}
				decider := viewer.Certifier
				if r.Side == region.SideEAST {
					decider = viewer.Coordinator
				}
				if v.CoversRegionAs(decider, r.Code) {
					return privacy.Allow
				}
				return privacy.Denyf("registrations are decided by a %s whose scope covers the organization's region", decider)
			}
			if slices.Contains(v.OrgIDs(viewer.OrgManager), id) {
				return privacy.Allow
			}
			return privacy.Denyf("an organization's details are changed by its managers")
		}),
	})
}

// memberRoles are the roles that act for an organization.
var memberRoles = []string{viewer.Buyer, viewer.Supplier, viewer.OrgManager}
