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

// Pairing is a standing east–west pairing (结对关系) between an eastern
// region and a western region, or a designated unit's assigned county.
// Pairings change over the years; a change ends one pairing and starts
// another, so the history stays.
type Pairing struct{ ent.Schema }

// Mixin of the Pairing.
func (Pairing) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Pairing.
func (Pairing) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("EAST_WEST", "DESIGNATED").Immutable().
			Comment("EAST_WEST: 东西部协作结对; DESIGNATED: 定点帮扶."),
		field.Int("helping_region_id").Optional().Nillable().Immutable().
			Comment("Eastern region (EAST_WEST)."),
		field.Int("helping_unit_id").Optional().Nillable().Immutable().
			Comment("Central designated unit (DESIGNATED)."),
		field.Int("helped_region_id").Immutable().Comment("Western province, city or county."),
		field.Time("valid_from").Immutable().Annotations(entgql.OrderField("VALID_FROM")),
		field.Time("valid_until").Optional().Nillable().Comment("End of the pairing; open while absent."),
		field.String("basis").Optional().MaxLen(300).Immutable().
			Comment("Document establishing the pairing (e.g. 2021 东西部协作结对关系调整)."),
		field.String("end_reason").Optional().MaxLen(300),
	}
}

// Edges of the Pairing.
func (Pairing) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("helping_region", Region.Type).Field("helping_region_id").Unique().Immutable(),
		edge.To("helping_unit", Organization.Type).Field("helping_unit_id").Unique().Immutable(),
		edge.To("helped_region", Region.Type).Field("helped_region_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Pairing.
func (Pairing) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("helping_region_id"),
		index.Fields("helping_unit_id"),
		index.Fields("helped_region_id"),
	}
}

// Annotations of the Pairing.
func (Pairing) Annotations() []schema.Annotation {
	return node("Pairing", "An east–west pairing (东西部协作结对) or a designated unit's assigned county (定点帮扶), valid over a period.",
		entgql.QueryField())
}

// Policy of the Pairing: public; set by admins.
func (Pairing) Policy() ent.Policy { return policy([]privacy.QueryRule{public()}, nil) }
