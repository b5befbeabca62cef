package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/hook"
	"bangfu/ent/household"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// Household is a registered poor household (建档立卡户).
type Household struct{ ent.Schema }

// Mixin of the Household.
func (Household) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Household.
func (Household) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Unique().NotEmpty().MaxLen(32).
			Comment("Household registration number (户编号).").
			Annotations(entgql.OrderField("NUMBER")),
		field.Int("village_id").Comment("Village (行政村) where the household lives."),
		field.String("county_code").Optional().Immutable().MaxLen(6).
			Comment("County (县) code, derived from the village: decides who may see members' personal data."),
		field.Enum("attribute").Values("GENERAL", "MINIMUM_LIVING", "FIVE_GUARANTEES").Default("GENERAL").
			Comment("Household attribute (贫困户属性): GENERAL 一般贫困户, MINIMUM_LIVING 低保户, FIVE_GUARANTEES 五保户."),
		field.Enum("main_cause").Values(povertyCauses...).Comment("Main cause of poverty. " + causeComment),
		field.Enum("secondary_cause").Values(povertyCauses...).Optional().Nillable().
			Comment("Secondary cause of poverty. " + causeComment),
		field.Enum("status").Values("POOR", "EXITED", "MONITORED").Default("POOR").
			Comment("POOR 未脱贫, EXITED 已脱贫, MONITORED 纳入防返贫监测."),
		field.Int("member_count").Positive().Default(1).Comment("Number of household members (家庭人口)."),
		field.Int("exit_year").Optional().Nillable().Min(2013).Max(2100).Comment("Year the household exited poverty."),
		field.Enum("monitoring_type").Values("UNSTABLE_EXITED", "MARGINAL", "SUDDEN_HARDSHIP").Optional().Nillable().
			Comment("监测对象类型 in the national record: 脱贫不稳定户, 边缘易致贫户, 突发严重困难户."),
		field.String("responsible_cadre").Optional().MaxLen(64).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Responsible cadre (帮扶责任人); personal data."),
	}
}

// Edges of the Household.
func (Household) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("village", Region.Type).Ref("households").Field("village_id").Unique().Required().
			Comment("Village where the household lives."),
		edge.To("members", HouseholdMember.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Household members (家庭成员)."),
		edge.To("annual_incomes", AnnualIncome.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Per-capita net income by year (人均纯收入)."),
		edge.To("benefit_links", BenefitLink.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Suppliers through which the household earns (联农带农)."),
		edge.To("income_entries", LedgerEntry.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Ledger entries of income that reached this household."),
		edge.To("monitoring_cases", MonitoringCase.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Return-to-poverty monitoring cases (防返贫监测)."),
		edge.From("verification_samples", VerificationSample.Type).Ref("households").
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Verification samples the household was drawn in."),
	}
}

// Indexes of the Household.
func (Household) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("village_id", "status"),
		index.Fields("status"),
		index.Fields("county_code"),
	}
}

// Annotations of the Household.
func (Household) Annotations() []schema.Annotation {
	return node("Household", "A registered poor household (建档立卡户). Members' identities are personal data.",
		entgql.QueryField())
}

// Hooks of the Household: the county code is derived from the village
// (GB/T 2260 codes nest: a village code starts with its county's).
func (Household) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.HouseholdFunc(func(ctx context.Context, m *gen.HouseholdMutation) (ent.Value, error) {
				// A bulk import sets the code itself (it resolved the
				// villages); a single household is looked up.
				if _, given := m.CountyCode(); given {
					return next.Mutate(ctx, m)
				}
				if id, ok := m.VillageID(); ok {
					village, err := m.Client().Region.Get(viewer.AsSystem(ctx), id)
					if err != nil {
						return nil, err
					}
					if len(village.Code) < 6 {
						return nil, fmt.Errorf("village %s has no county code", village.Code)
					}
					m.SetCountyCode(village.Code[:6])
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate),
	}
}

// Policy of the Household: officials read households (personal fields are
// masked by scope elsewhere), a supplier the households of its county and
// those linked to it; the registry (建档立卡) is kept by the coordinators
// and certifiers whose scope covers the household's county.
func (Household) Policy() ent.Policy {
	return policy(householdRules(func(q gen.Query, v *viewer.Viewer, orgs []int) {
		// A supplier sees the households linked to it, and those of its
		// county: the registry it finds the households it benefits in.
		q.(*gen.HouseholdQuery).Where(household.Or(linkedTo(orgs),
			household.CountyCodeIn(v.OrgRegionCodes(viewer.Supplier, viewer.OrgManager)...)))
	}), []privacy.MutationRule{
		privacy.HouseholdMutationRuleFunc(func(ctx context.Context, m *gen.HouseholdMutation) error {
			var code string
			if village, ok := m.VillageID(); ok && m.Op().Is(ent.OpCreate) {
				v, err := m.Client().Region.Get(ctx, village)
				if err != nil {
					return err
				}
				code = v.Code
			} else {
				id, _ := m.ID()
				h, err := m.Client().Household.Get(viewer.AsSystem(ctx), id)
				if err != nil {
					return err
				}
				code = h.CountyCode
			}
			return registryKeeper(ctx, code)
		}),
	})
}
