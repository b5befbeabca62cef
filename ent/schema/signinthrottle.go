package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"bangfu/internal/gid"
)

// SignInThrottle counts the failed sign-ins of one email address from one
// client, so that repeated guesses lock that pair out (and only that pair:
// one attacker cannot lock the owner out everywhere). The key is a hash:
// neither the address nor the email is stored, and an unknown email is
// throttled exactly like a known one. Internal bookkeeping of
// internal/auth: never exposed, not audited.
type SignInThrottle struct{ ent.Schema }

// Fields of the SignInThrottle.
func (SignInThrottle) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Unique().Immutable().MaxLen(64).Comment("SHA-256 of the email and the client address."),
		field.Int("failures").Default(0).NonNegative().Comment("Attempts that did not sign in, since the last that did."),
		field.Time("locked_until").Optional().Nillable(),
		field.Time("updated_at").Default(nowUTC),
	}
}

// Annotations of the SignInThrottle.
func (SignInThrottle) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entsql.IncrementStart(gid.Start("SignInThrottle")),
		entgql.Skip(entgql.SkipAll),
	}
}

// Policy of the SignInThrottle: the server's business only.
func (SignInThrottle) Policy() ent.Policy { return policy(nil, nil) }
