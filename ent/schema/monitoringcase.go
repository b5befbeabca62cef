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
	"bangfu/ent/household"
	"bangfu/ent/monitoringcase"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// MonitoringCase tracks a household under return-to-poverty monitoring.
type MonitoringCase struct{ ent.Schema }

// Mixin of the MonitoringCase.
func (MonitoringCase) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the MonitoringCase.
func (MonitoringCase) Fields() []ent.Field {
	return []ent.Field{
		field.Int("household_id"),
		field.Enum("type").Values("UNSTABLE_EXITED", "MARGINAL", "SUDDEN_HARDSHIP").
			Comment("UNSTABLE_EXITED 脱贫不稳定户, MARGINAL 边缘易致贫户, SUDDEN_HARDSHIP 突发严重困难户."),
		field.Enum("status").
			Values("DETECTED", "APPLIED", "HOME_VISIT", "VILLAGE_REVIEW", "PUBLIC_NOTICE", "COUNTY_DECISION",
				"MONITORED", "RISK_ELIMINATED", "DISMISSED").Default("DETECTED").
			Comment("Workflow: 监测发现/农户申请 → 入户核实 → 村级评议 → 公示 → 县级审定 → 纳入监测 → 风险消除."),
		field.Strings("risk_flags").Optional().
			Comment("Risks: ILLNESS, DISABILITY, DISASTER, SCHOOLING_COSTS, INCOME_LOSS."),
		field.Time("opened_at").Default(nowUTC).Annotations(entgql.OrderField("OPENED_AT")),
		field.Time("identification_due").Comment("Identification deadline: 20 working days after opening."),
		field.Time("notice_start").Optional().Nillable().Comment("Start of public notice (公示), at least 5 days."),
		field.Time("identified_at").Optional().Nillable().Comment("When the county decided to monitor."),
		field.Time("risk_eliminated_at").Optional().Nillable().Comment("When the risk was eliminated (风险消除)."),
		field.String("notes").Optional().MaxLen(2000),
		field.String("detection_reason").Optional().MaxLen(500).
			Comment("Why the early-warning scan opened the case (income figures and threshold)."),
		field.String("data_quality_issue").Optional().MaxLen(500).
			Comment("Set by the scan: e.g. monitored for a month with no development assistance."),
		field.Time("closed_at").Optional().Nillable().Comment("When the case was dismissed or its risk eliminated."),
	}
}

// Edges of the MonitoringCase.
func (MonitoringCase) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("household", Household.Type).Ref("monitoring_cases").Field("household_id").Unique().Required(),
	}
}

// Indexes of the MonitoringCase.
func (MonitoringCase) Indexes() []ent.Index {
	return []ent.Index{index.Fields("household_id"), index.Fields("status", "identification_due")}
}

// Annotations of the MonitoringCase.
func (MonitoringCase) Annotations() []schema.Annotation {
	return node("MonitoringCase", "A return-to-poverty monitoring case (防止返贫监测对象).", entgql.QueryField())
}

// Policy of the MonitoringCase.
// Coordinators and certifiers whose region scope covers the household's
// county open and move its cases (which step when: internal/monitoring).
func (MonitoringCase) Policy() ent.Policy {
	return policy(householdRules(func(q gen.Query, _ *viewer.Viewer, orgs []int) {
		q.(*gen.MonitoringCaseQuery).Where(monitoringcase.HasHouseholdWith(linkedTo(orgs)))
	}), []privacy.MutationRule{
		privacy.MonitoringCaseMutationRuleFunc(func(ctx context.Context, m *gen.MonitoringCaseMutation) error {
			v := viewer.FromContext(ctx)
			if !v.Has(viewer.Coordinator, viewer.Certifier) {
				return privacy.Skip
			}
			hid, ok := m.HouseholdID()
			if !ok {
				id, _ := m.ID()
				mc, err := m.Client().MonitoringCase.Get(ctx, id)
				if err != nil {
					return err
				}
				hid = mc.HouseholdID
			}
			code, err := m.Client().Household.Query().Where(household.ID(hid)).Select(household.FieldCountyCode).String(ctx)
			if err != nil {
				return err
			}
			if v.CoversRegion(code) {
				return privacy.Allow
			}
			return privacy.Denyf("only officials whose scope covers the household's county handle its monitoring")
		}),
	})
}
