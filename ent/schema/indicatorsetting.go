package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// IndicatorSetting configures one integrity indicator (internal/integrity):
// whether it runs, the Tukey fence multiplier, the smallest sample a fence
// is computed from, and its own limits. An indicator without a row runs
// with its defaults.
type IndicatorSetting struct{ ent.Schema }

// Mixin of the IndicatorSetting: every change is audited.
func (IndicatorSetting) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the IndicatorSetting.
func (IndicatorSetting) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").Match(flagCode).Unique().Immutable().Comment("The indicator's code."),
		field.Bool("enabled").Default(true),
		field.Float("fence_multiplier").Default(1.5).Min(0).Comment("k of the upper Tukey fence Q3 + k·IQR."),
		field.Int("min_sample").Default(5).Min(1).Comment("Smallest sample a fence is computed from."),
		field.JSON("params", map[string]float64{}).Optional().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The indicator's own limits (shares, counts, days), by name."),
	}
}

// Annotations of the IndicatorSetting.
func (IndicatorSetting) Annotations() []schema.Annotation {
	return node("IndicatorSetting", "The settings of one integrity indicator (ADMIN).")
}

// Policy of the IndicatorSetting: auditors and admins read; admins change.
func (IndicatorSetting) Policy() ent.Policy {
	return policy([]privacy.QueryRule{signedIn(), readableBy(viewer.Auditor)}, nil)
}
