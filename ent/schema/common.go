// Package schema defines bangfu's domain graph (see shared DOMAIN.md).
// Field comments become GraphQL descriptions, so they carry the Chinese
// terms users know.
package schema

import (
	"time"

	"bangfu/internal/gid"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// nowUTC is the default for every timestamp: storage is always UTC.
func nowUTC() time.Time { return time.Now().UTC() }

// TimeMixin adds creation and last-update timestamps.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(nowUTC).Immutable().
			Comment("When the record was created (UTC).").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Default(nowUTC).UpdateDefault(nowUTC).
			Comment("When the record was last changed (UTC).").
			Annotations(entgql.OrderField("UPDATED_AT")),
	}
}

// node returns the annotations every GraphQL-visible entity shares: its own
// global-ID key block, a Relay connection, and a type description.
func node(typ, description string, extra ...schema.Annotation) []schema.Annotation {
	return append([]schema.Annotation{
		entsql.IncrementStart(gid.Start(typ)),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		schema.Comment(description),
	}, extra...)
}

// money is a non-negative amount in fen (分); floats never hold money.
func money(name, comment string) ent.Field {
	return field.Int64(name).Annotations(entgql.Type("Int64")).NonNegative().Default(0).Comment(comment + " In fen (分).")
}
