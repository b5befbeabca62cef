package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/privacy"
)

// Target is one yearly indicator target of an agreement.
type Target struct{ ent.Schema }

// Mixin of the Target.
func (Target) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Target.
func (Target) Fields() []ent.Field {
	return []ent.Field{
		field.Int("agreement_id"),
		field.Enum("indicator").Values(indicators...).Comment(indicatorComment),
		field.Int("year").Min(2000).Max(2100).Annotations(entgql.OrderField("YEAR")),
		field.Int64("target_value").Annotations(entgql.Type("Int64")).NonNegative().
			Comment("Target value: fen for money indicators, a count otherwise."),
	}
}

// Edges of the Target.
func (Target) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("agreement", Agreement.Type).Ref("targets").Field("agreement_id").Unique().Required(),
	}
}

// Indexes of the Target.
func (Target) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("agreement_id", "indicator", "year").Unique(),
	}
}

// Annotations of the Target.
func (Target) Annotations() []schema.Annotation {
	return node("Target", "A yearly target (指标) of an agreement for one indicator.")
}

// Policy of the Target: public; coordinators set targets of agreements in scope.
func (Target) Policy() ent.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.TargetMutationRuleFunc(func(ctx context.Context, m *gen.TargetMutation) error {
			if id, ok := m.AgreementID(); ok {
				in, err := inScope(ctx, m.Client(), id)
				if err != nil || in {
					return orAllow(err)
				}
			}
			return privacy.Skip
		}),
	})
}
