package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	gen "bangfu/ent"
	"bangfu/ent/privacy"
	"bangfu/ent/user"
	"bangfu/internal/viewer"
)

// User is a person who signs in.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Unique().NotEmpty().MaxLen(254),
		field.String("display_name").NotEmpty().MaxLen(64),
		field.String("password_hash").Optional().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("status").Values("ACTIVE", "DISABLED").Default("ACTIVE"),
		field.Time("last_login_at").Optional().Nillable(),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("memberships", Membership.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Roles held by the user."),
		edge.To("sessions", Session.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return node("User", "A person who signs in to bangfu.", entgql.QueryField())
}

// Policy of the User: users see themselves; auditors see everyone; admins
// manage accounts.
func (User) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor),
		privacy.UserQueryRuleFunc(func(ctx context.Context, q *gen.UserQuery) error {
			q.Where(user.ID(viewer.FromContext(ctx).UserID))
			return privacy.Allow
		}),
	}, nil)
}
