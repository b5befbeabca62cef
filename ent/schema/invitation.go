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
	"bangfu/ent/invitation"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// Invitation asks a person to join an organization in a role. An
// organization's manager makes it; the invitee accepts with the token,
// signed in under the invited email. The token is single-use, valid for
// seven days, and only its SHA-256 is stored. Written by internal/accounts.
type Invitation struct{ ent.Schema }

// Mixin of the Invitation.
func (Invitation) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Invitation.
func (Invitation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.String("email").Immutable().NotEmpty().MaxLen(254),
		field.Enum("role").Values("BUYER", "SUPPLIER", "ORG_MANAGER").Immutable(),
		field.String("token_hash").Unique().Immutable().Sensitive().MaxLen(64).
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("expires_at").Immutable(),
		field.Int("invited_by_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("accepted_at").Optional().Nillable(),
		field.Int("accepted_by_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Edges of the Invitation.
func (Invitation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organization", Organization.Type).Field("organization_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Invitation.
func (Invitation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id"), index.Fields("email")}
}

// Annotations of the Invitation.
func (Invitation) Annotations() []schema.Annotation {
	return node("Invitation", "An invitation to join an organization (成员邀请).", entgql.QueryField())
}

// Policy of the Invitation: an organization's managers invite, see and
// revoke its invitations; accepting one is the server's (the token
// decides, internal/accounts).
func (Invitation) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(),
		privacy.InvitationQueryRuleFunc(func(ctx context.Context, q *gen.InvitationQuery) error {
			q.Where(invitation.OrganizationIDIn(viewer.FromContext(ctx).OrgIDs(viewer.OrgManager)...))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.InvitationMutationRuleFunc(func(ctx context.Context, m *gen.InvitationMutation) error {
			org, ok := m.OrganizationID()
			if !ok {
				id, _ := m.ID()
				inv, err := m.Client().Invitation.Get(ctx, id)
				if err != nil {
					return err
				}
				org = inv.OrganizationID
			}
			if slices.Contains(viewer.FromContext(ctx).OrgIDs(viewer.OrgManager), org) {
				return privacy.Allow
			}
			return privacy.Denyf("invitations are made by the organization's managers")
		}),
	})
}
