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
	"bangfu/ent/membership"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// Membership grants a user a role, optionally in an organization and scope.
type Membership struct{ ent.Schema }

// Mixin of the Membership.
func (Membership) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.Int("organization_id").Optional().Nillable().
			Comment("Organization the user acts for (BUYER, SUPPLIER)."),
		field.Enum("role").Values("ADMIN", "COORDINATOR", "CERTIFIER", "BUYER", "SUPPLIER", "AUDITOR", "ORG_MANAGER", "EVALUATOR").
			Comment("ADMIN; COORDINATOR (scoped to agreements or regions); CERTIFIER (scoped to counties); BUYER and SUPPLIER (act for an organization); AUDITOR (read-only); ORG_MANAGER (manages an organization: its members, profiles and applications); EVALUATOR (third-party evaluator 第三方评估: read-only on figures, draws verification samples and records household visits in the counties of its scope)."),
		field.Int("invited_by_id").Optional().Nillable().Immutable().
			Comment("The manager who invited the member, if invited."),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("memberships").Field("user_id").Unique().Required(),
		edge.From("organization", Organization.Type).Ref("memberships").Field("organization_id").Unique(),
		edge.To("scope_regions", Region.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Regions the role covers (coordinators, certifiers, evaluators)."),
		edge.To("scope_agreements", Agreement.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Agreements the role covers (coordinators)."),
	}
}

// Indexes of the Membership.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id"), index.Fields("organization_id")}
}

// Annotations of the Membership.
func (Membership) Annotations() []schema.Annotation {
	return node("Membership", "A role held by a user, for an organization or within a scope.", entgql.QueryField())
}

// Policy of the Membership: users see their own roles and an
// organization's managers its members; auditors see all; admins grant
// roles. A manager removes the members of the organization (who joins is
// the invitation's business: internal/accounts).
func (Membership) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor),
		privacy.MembershipQueryRuleFunc(func(ctx context.Context, q *gen.MembershipQuery) error {
			v := viewer.FromContext(ctx)
			q.Where(membership.Or(membership.UserID(v.UserID), membership.OrganizationIDIn(v.OrgIDs(viewer.OrgManager)...)))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.OnMutationOperation(privacy.MembershipMutationRuleFunc(func(ctx context.Context, m *gen.MembershipMutation) error {
			id, _ := m.ID()
			mine, err := m.Client().Membership.Query().Where(membership.ID(id),
				membership.OrganizationIDIn(viewer.FromContext(ctx).OrgIDs(viewer.OrgManager)...)).Exist(ctx)
			if err != nil || mine {
				return orAllow(err)
			}
			return privacy.Denyf("members are removed by their organization's managers")
		}), ent.OpDeleteOne),
	})
}
