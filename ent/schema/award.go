package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/ent/privacy"
)

// Award is recognition earned by an organization.
type Award struct{ ent.Schema }

// Mixin of the Award.
func (Award) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Award.
func (Award) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.String("badge").NotEmpty().MaxLen(64).Comment("Level or badge name."),
		field.Int("year").Min(2000).Max(2100),
		field.Int64("points").Annotations(entgql.Type("Int64")).NonNegative().Comment("Points held when the award was made."),
		field.Int64("threshold").Annotations(entgql.Type("Int64")).Default(0).NonNegative().
			Comment("The published threshold the award marks."),
		field.Time("awarded_at").Default(nowUTC),
		field.Time("revoked_at").Optional().Nillable().
			Comment("Set when refunds took the year's points back below the threshold."),
	}
}

// Edges of the Award.
func (Award) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("awards").Field("organization_id").Unique().Required(),
	}
}

// Indexes of the Award.
func (Award) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "year", "badge").Unique()}
}

// Annotations of the Award.
func (Award) Annotations() []schema.Annotation {
	return node("Award", "Recognition (表彰) earned by an organization at a published threshold.")
}

// Policy of the Award: public recognition.
func (Award) Policy() ent.Policy { return policy([]privacy.QueryRule{public()}, nil) }
