package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
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
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("memberships", Membership.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Roles held by the user."),
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
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.JSON("after", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
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
	return node("AuditEvent", "An append-only, hash-chained audit event (审计日志): who changed what, before and after, when.")
}
