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
	"bangfu/ent/annualincome"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// AnnualIncome is a household's reported per-capita net income for a year.
type AnnualIncome struct{ ent.Schema }

// Mixin of the AnnualIncome.
func (AnnualIncome) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the AnnualIncome.
func (AnnualIncome) Fields() []ent.Field {
	return []ent.Field{
		field.Int("household_id"),
		field.Int("year").Min(2000).Max(2100).Annotations(entgql.OrderField("YEAR")),
		money("per_capita_net_income_fen", "Per-capita net income (人均纯收入) reported for the year."),
		field.Bool("food_clothing_ok").Optional().Nillable().Comment("两不愁: enough food and clothing (null: not checked)."),
		field.Bool("schooling_ok").Optional().Nillable().Comment("三保障: compulsory schooling guaranteed."),
		field.Bool("medical_ok").Optional().Nillable().Comment("三保障: basic medical care guaranteed."),
		field.Bool("housing_ok").Optional().Nillable().Comment("三保障: safe housing guaranteed."),
	}
}

// Edges of the AnnualIncome.
func (AnnualIncome) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("household", Household.Type).Ref("annual_incomes").Field("household_id").Unique().Required(),
	}
}

// Indexes of the AnnualIncome.
func (AnnualIncome) Indexes() []ent.Index {
	return []ent.Index{index.Fields("household_id", "year").Unique()}
}

// Annotations of the AnnualIncome.
func (AnnualIncome) Annotations() []schema.Annotation {
	return node("AnnualIncome", "A household's per-capita net income for one year (年度人均纯收入).")
}

// Policy of the AnnualIncome: as its household's.
func (AnnualIncome) Policy() ent.Policy {
	return policy(householdRules(func(q gen.Query, _ *viewer.Viewer, orgs []int) {
		q.(*gen.AnnualIncomeQuery).Where(annualincome.HasHouseholdWith(linkedTo(orgs)))
	}), []privacy.MutationRule{
		privacy.AnnualIncomeMutationRuleFunc(func(ctx context.Context, m *gen.AnnualIncomeMutation) error {
			return registryKeeper(ctx, householdCounty(ctx, m.Client(), m.HouseholdID, m.ID, func(id int) (int, error) {
				a, err := m.Client().AnnualIncome.Get(viewer.AsSystem(ctx), id)
				if err != nil {
					return 0, err
				}
				return a.HouseholdID, nil
			}))
		}),
	})
}
