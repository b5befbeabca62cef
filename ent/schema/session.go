package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/internal/gid"
)

// Session is one refresh-token chain. Only the token's SHA-256 is stored;
// each refresh rotates the token, and presenting a rotated one revokes the
// whole family (it was stolen or replayed).
type Session struct{ ent.Schema }

// RevokedRotated is the revoke reason of a session replaced by its
// successor in a refresh: the sign-in goes on, so nothing that depends on
// it (a cached viewer) has to be dropped.
const RevokedRotated = "rotated"

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

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

// Policy of the Session: refresh-token sessions are the server's business.
func (Session) Policy() ent.Policy { return policy(nil, nil) }
