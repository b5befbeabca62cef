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

// MonitoringThreshold is a province's yearly income line for return-to-
// poverty monitoring (防止返贫监测标准), about 1.5× the poverty line.
type MonitoringThreshold struct{ ent.Schema }

// Mixin of the MonitoringThreshold.
func (MonitoringThreshold) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the MonitoringThreshold.
func (MonitoringThreshold) Fields() []ent.Field {
	return []ent.Field{
		field.Int("province_id").Immutable(),
		field.Int("year").Min(2000).Max(2100).Immutable(),
		money("per_capita_income_fen", "Per-capita yearly net income below which a household is at risk (e.g. Yunnan 2025: ¥8,700)."),
	}
}

// Edges of the MonitoringThreshold.
func (MonitoringThreshold) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("province", Region.Type).Field("province_id").Unique().Required().Immutable(),
	}
}

// Indexes of the MonitoringThreshold.
func (MonitoringThreshold) Indexes() []ent.Index {
	return []ent.Index{index.Fields("province_id", "year").Unique()}
}

// Annotations of the MonitoringThreshold.
func (MonitoringThreshold) Annotations() []schema.Annotation {
	return node("MonitoringThreshold", "A province's yearly monitoring income threshold (防止返贫监测标准).", entgql.QueryField())
}

// Policy of the MonitoringThreshold: public standards, set by admins.
func (MonitoringThreshold) Policy() ent.Policy { return policy([]privacy.QueryRule{public()}, nil) }
