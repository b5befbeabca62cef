package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// povertyCauses are the official causes of poverty (致贫原因).
var povertyCauses = []string{
	"ILLNESS", "DISABILITY", "SCHOOLING", "DISASTER", "LACK_OF_LAND", "LACK_OF_WATER",
	"LACK_OF_SKILLS", "LACK_OF_LABOR", "LACK_OF_FUNDS", "POOR_TRANSPORT", "LACK_OF_MOTIVATION", "OTHER",
}

const causeComment = "致贫原因: ILLNESS 因病, DISABILITY 因残, SCHOOLING 因学, DISASTER 因灾, LACK_OF_LAND 缺土地, " +
	"LACK_OF_WATER 缺水, LACK_OF_SKILLS 缺技术, LACK_OF_LABOR 缺劳力, LACK_OF_FUNDS 缺资金, " +
	"POOR_TRANSPORT 交通条件落后, LACK_OF_MOTIVATION 自身发展动力不足, OTHER 其他."

// Household is a registered poor household (建档立卡户).
type Household struct{ ent.Schema }

// Mixin of the Household.
func (Household) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

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

// HouseholdMember is one person in a household.
type HouseholdMember struct{ ent.Schema }

// Mixin of the HouseholdMember.
func (HouseholdMember) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the HouseholdMember. Name, ID number and phone are personal data:
// they are not exposed through GraphQL until scope-based masking exists.
func (HouseholdMember) Fields() []ent.Field {
	return []ent.Field{
		field.Int("household_id"),
		field.String("county_code").Optional().Immutable().MaxLen(6).
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The household's county, copied so masking needs no join."),
		field.String("id_number_hash").Optional().MaxLen(64).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Keyed hash (HMAC-SHA256) of the ID number, for lookup without a plain-text search."),
		field.String("name").NotEmpty().MaxLen(64).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).Comment("Name (姓名); personal data."),
		field.String("id_number").Optional().MaxLen(18).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).Comment("Resident ID number (身份证号); personal data."),
		field.String("phone").Optional().MaxLen(20).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).Comment("Phone number; personal data."),
		field.Enum("relation").Values("HEAD", "SPOUSE", "CHILD", "PARENT", "GRANDCHILD", "SIBLING", "OTHER").
			Comment("Relation to the household head (与户主关系)."),
		field.Enum("age_band").Values("UNDER_16", "AGE_16_35", "AGE_36_59", "AGE_60_PLUS").
			Comment("Age band."),
		field.Enum("health").Values("HEALTHY", "CHRONIC_ILLNESS", "SERIOUS_ILLNESS", "DISABLED").Default("HEALTHY").
			Comment("Health (健康状况): 健康, 长期慢性病, 大病, 残疾."),
		field.Enum("labor_ability").Values("NORMAL", "WEAK", "NONE").Default("NORMAL").
			Comment("Labour ability (劳动能力): 普通劳动力, 弱劳动力, 无劳动力."),
		field.Enum("schooling").Values("NONE", "PRESCHOOL", "PRIMARY", "JUNIOR", "SENIOR", "VOCATIONAL", "COLLEGE").Default("NONE").
			Comment("Schooling (在校/文化程度)."),
	}
}

// Edges of the HouseholdMember.
func (HouseholdMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("household", Household.Type).Ref("members").Field("household_id").Unique().Required(),
	}
}

// Indexes of the HouseholdMember.
func (HouseholdMember) Indexes() []ent.Index {
	return []ent.Index{index.Fields("household_id"), index.Fields("id_number_hash")}
}

// Annotations of the HouseholdMember.
func (HouseholdMember) Annotations() []schema.Annotation {
	return node("HouseholdMember", "A member of a registered household (家庭成员).")
}

// AnnualIncome is a household's reported per-capita net income for a year.
type AnnualIncome struct{ ent.Schema }

// Mixin of the AnnualIncome.
func (AnnualIncome) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the AnnualIncome.
func (AnnualIncome) Fields() []ent.Field {
	return []ent.Field{
		field.Int("household_id"),
		field.Int("year").Min(2000).Max(2100).Annotations(entgql.OrderField("YEAR")),
		money("per_capita_net_income_fen", "Per-capita net income (人均纯收入) reported for the year."),
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

// BenefitLink ties a supplier to a household it benefits.
type BenefitLink struct{ ent.Schema }

// Mixin of the BenefitLink.
func (BenefitLink) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the BenefitLink.
func (BenefitLink) Fields() []ent.Field {
	return []ent.Field{
		field.Int("supplier_id"),
		field.Int("household_id"),
		field.Enum("mechanism").Values("WAGE", "ASSET", "BUSINESS").
			Comment("WAGE 工资性 (employed), ASSET 资产性 (dividend on land/capital shares), BUSINESS 经营性 (sells own produce through the supplier)."),
		field.Int("share_bp").Min(0).Max(10000).
			Comment("Share of a settled line's amount that becomes this household's income, in basis points (100 = 1%)."),
		field.Time("valid_from").Comment("When the link starts counting."),
		field.Time("valid_until").Optional().Nillable().Comment("When the link stops counting; open-ended if null."),
	}
}

// Edges of the BenefitLink.
func (BenefitLink) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("supplier", Organization.Type).Ref("benefit_links").Field("supplier_id").Unique().Required(),
		edge.From("household", Household.Type).Ref("benefit_links").Field("household_id").Unique().Required(),
	}
}

// Indexes of the BenefitLink.
func (BenefitLink) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("supplier_id", "household_id", "mechanism").Unique(),
		index.Fields("household_id"),
	}
}

// Annotations of the BenefitLink.
func (BenefitLink) Annotations() []schema.Annotation {
	return node("BenefitLink", "How a supplier benefits a poor household (联农带农/带贫益贫机制) and the share that turns a sale into household income.")
}

// MonitoringCase tracks a household under return-to-poverty monitoring.
type MonitoringCase struct{ ent.Schema }

// Mixin of the MonitoringCase.
func (MonitoringCase) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

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

// MonitoringThreshold is a province's yearly income line for return-to-
// poverty monitoring (防止返贫监测标准), about 1.5× the poverty line.
type MonitoringThreshold struct{ ent.Schema }

// Mixin of the MonitoringThreshold.
func (MonitoringThreshold) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

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
