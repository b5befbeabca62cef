package schema

import (
	"bangfu/internal/gid"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// User is a person who signs in.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Unique().NotEmpty().MaxLen(254),
		field.String("display_name").NotEmpty().MaxLen(64),
		field.String("password_hash").Optional().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("status").Values("ACTIVE", "DISABLED").Default("ACTIVE"),
		field.Time("last_login_at").Optional().Nillable(),
		field.Int("failed_logins").Default(0).NonNegative().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Consecutive failed sign-ins; reset on success."),
		field.Time("locked_until").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Sign-in is refused until then after repeated failures."),
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
	return node("User", "A person who signs in to bangfu.")
}

// Membership grants a user a role, optionally in an organization and scope.
type Membership struct{ ent.Schema }

// Mixin of the Membership.
func (Membership) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.Int("organization_id").Optional().Nillable().
			Comment("Organization the user acts for (BUYER, SUPPLIER)."),
		field.Enum("role").Values("ADMIN", "COORDINATOR", "CERTIFIER", "BUYER", "SUPPLIER", "AUDITOR").
			Comment("ADMIN; COORDINATOR (scoped to agreements or regions); CERTIFIER (scoped to counties); BUYER and SUPPLIER (act for an organization); AUDITOR (read-only)."),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("memberships").Field("user_id").Unique().Required(),
		edge.From("organization", Organization.Type).Ref("memberships").Field("organization_id").Unique(),
		edge.To("scope_regions", Region.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Regions the role covers (coordinators, certifiers)."),
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
	return node("Membership", "A role held by a user, for an organization or within a scope.")
}

// AuditEvent is an append-only, hash-chained record of a change.
type AuditEvent struct{ ent.Schema }

// Fields of the AuditEvent. Nothing here is ever updated.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("occurred_at").Default(nowUTC).Immutable().Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Int("actor_id").Optional().Nillable().Immutable().Comment("User who acted; null for the system."),
		field.Int("organization_id").Optional().Nillable().Immutable().Comment("Organization the actor acted for."),
		field.String("action").NotEmpty().MaxLen(64).Immutable(),
		field.String("entity_type").NotEmpty().MaxLen(64).Immutable(),
		field.Int("entity_id").Optional().Immutable(),
		field.JSON("before", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("Changed fields before the change (personal data redacted)."),
		field.JSON("after", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("Changed fields after the change (personal data redacted)."),
		field.String("request_id").Optional().MaxLen(64).Immutable(),
		field.String("prev_hash").Optional().MaxLen(64).Immutable().Comment("Hash of the previous event."),
		field.String("hash").NotEmpty().MaxLen(64).Immutable().Comment("SHA-256 over this event and prev_hash."),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("entity_type", "entity_id"),
		index.Fields("actor_id"),
		index.Fields("occurred_at"),
	}
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return node("AuditEvent", "An append-only, hash-chained audit event (审计日志): who changed what, before and after, when.",
		entgql.QueryField("auditEvents"))
}

// Session is one refresh-token chain. Only the token's SHA-256 is stored;
// each refresh rotates the token, and presenting a rotated one revokes the
// whole family (it was stolen or replayed).
type Session struct{ ent.Schema }

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").Immutable(),
		field.String("token_hash").Unique().Immutable().Sensitive().MaxLen(64),
		field.String("family").Immutable().MaxLen(64).Comment("Shared by all rotations of one sign-in."),
		field.Time("expires_at").Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("revoke_reason").Optional().MaxLen(32),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("sessions").Field("user_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("family"), index.Fields("user_id")}
}

// Annotations of the Session.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entsql.IncrementStart(gid.Start("Session")),
		entgql.Skip(entgql.SkipAll),
	}
}
