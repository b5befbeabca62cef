package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Agreement is an east–west cooperation agreement or a designated-assistance
// responsibility letter. Amendments are new versions; nothing is overwritten.
type Agreement struct{ ent.Schema }

// Mixin of the Agreement.
func (Agreement) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Agreement.
func (Agreement) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("EAST_WEST", "DESIGNATED").
			Comment("EAST_WEST: 东西部协作协议; DESIGNATED: 定点帮扶责任书."),
		field.String("title").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("TITLE")),
		field.String("document_number").Optional().MaxLen(100).
			Comment("Official document number (文号)."),
		field.Time("period_start").Comment("First day the agreement applies (UTC).").
			Annotations(entgql.OrderField("PERIOD_START")),
		field.Time("period_end").Comment("Last day the agreement applies (UTC)."),
		field.Enum("status").Values("DRAFT", "SIGNED", "ACTIVE", "CLOSED").Default("DRAFT").
			Comment("草拟 → 签署 → 执行中 → 结束."),
		field.Int("version").Default(1).Positive().
			Comment("Version number; an amendment is a new version that supersedes the previous one."),
		field.Int("helping_region_id").Optional().Nillable().
			Comment("Eastern helping region (EAST_WEST agreements)."),
		field.Int("helping_unit_id").Optional().Nillable().
			Comment("Central designated unit (DESIGNATED agreements)."),
		field.Int("supersedes_id").Optional().Nillable().
			Comment("The version this one amends."),
		field.Int("original_id").Optional().Nillable().Immutable().
			Comment("The first version of this agreement; absent on the first version itself. All versions share its progress."),
		field.Time("activated_at").Optional().Nillable().
			Comment("When this version came into force (ACTIVE). Purchases settled from then on are attributed to it."),
		field.Time("closed_at").Optional().Nillable().
			Comment("When this version stopped being in force: closed, or superseded by an amendment."),
	}
}

// Edges of the Agreement.
func (Agreement) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("helping_region", Region.Type).Ref("helping_agreements").Field("helping_region_id").Unique().
			Comment("Eastern helping region (帮扶方) of an east–west agreement."),
		edge.From("helping_unit", Organization.Type).Ref("designated_agreements").Field("helping_unit_id").Unique().
			Comment("Central unit (定点帮扶单位) of a responsibility letter."),
		edge.To("helped_regions", Region.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Helped counties, cities or provinces (受帮扶地区)."),
		edge.To("amendments", Agreement.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Later versions amending this one.").
			From("supersedes").Field("supersedes_id").Unique().
			Comment("The earlier version this one amends."),
		edge.To("targets", Target.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Yearly targets (指标)."),
		edge.To("credits", LedgerEntry.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Attribution credits counted toward this version."),
		edge.To("assessments", Assessment.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Yearly assessments (考核)."),
		edge.To("progress_reports", ProgressReport.Type).
			Annotations(entgql.RelayConnection()).
			Comment("Reported progress with evidence."),
		edge.From("scoped_memberships", Membership.Type).Ref("scope_agreements").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Agreement.
func (Agreement) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("kind", "status"),
		index.Fields("helping_region_id"),
		index.Fields("helping_unit_id"),
		index.Fields("supersedes_id"),
		index.Fields("original_id"),
	}
}

// Annotations of the Agreement.
func (Agreement) Annotations() []schema.Annotation {
	return node("Agreement", "An east–west cooperation agreement (东西部协作协议) or a designated-assistance responsibility letter (定点帮扶责任书).",
		entgql.QueryField())
}

// Target is one yearly indicator target of an agreement.
type Target struct{ ent.Schema }

// Mixin of the Target.
func (Target) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// indicators are the agreement indicators (指标) from the published rules.
var indicators = []string{
	"DIRECT_PURCHASE", "HELP_SELL", "FUNDS_INVESTED", "FUNDS_INTRODUCED",
	"CADRES_TRAINED", "TECHNICIANS_TRAINED", "LABOR_TRANSFERRED",
}

const indicatorComment = "DIRECT_PURCHASE 直接采购 (fen), HELP_SELL 帮助销售 (fen), FUNDS_INVESTED 投入帮扶资金 (fen), " +
	"FUNDS_INTRODUCED 引进帮扶资金 (fen), CADRES_TRAINED 培训干部 (people), TECHNICIANS_TRAINED 培训技术人员 (people), LABOR_TRANSFERRED 劳务协作 (jobs)."

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

// ProgressReport reports an indicator that the marketplace cannot compute.
type ProgressReport struct{ ent.Schema }

// Mixin of the ProgressReport.
func (ProgressReport) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the ProgressReport.
func (ProgressReport) Fields() []ent.Field {
	return []ent.Field{
		field.Int("agreement_id"),
		field.Enum("indicator").Values(indicators...).Comment(indicatorComment),
		field.Int("year").Min(2000).Max(2100),
		field.Int64("value").Annotations(entgql.Type("Int64")).NonNegative().Comment("Reported amount: fen or a count, per the indicator."),
		field.Strings("evidence_refs").Optional().Comment("References to supporting evidence (佐证材料)."),
		field.Enum("status").Values("SUBMITTED", "APPROVED", "REJECTED").Default("SUBMITTED").
			Comment("Only APPROVED reports count toward progress."),
		field.String("review_comment").Optional().MaxLen(1000),
		field.Int("submitted_by_id").Optional().Nillable(),
		field.Int("reviewed_by_id").Optional().Nillable(),
		field.Time("reviewed_at").Optional().Nillable(),
	}
}

// Edges of the ProgressReport.
func (ProgressReport) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("agreement", Agreement.Type).Ref("progress_reports").Field("agreement_id").Unique().Required(),
		edge.To("submitted_by", User.Type).Field("submitted_by_id").Unique(),
		edge.To("reviewed_by", User.Type).Field("reviewed_by_id").Unique(),
	}
}

// Indexes of the ProgressReport.
func (ProgressReport) Indexes() []ent.Index {
	return []ent.Index{index.Fields("agreement_id", "indicator", "year", "status")}
}

// Annotations of the ProgressReport.
func (ProgressReport) Annotations() []schema.Annotation {
	return node("ProgressReport", "A reported progress figure with evidence (进展报告), reviewed by a coordinator.")
}

// Pairing is a standing east–west pairing (结对关系) between an eastern
// region and a western region, or a designated unit's assigned county.
// Pairings change over the years; a change ends one pairing and starts
// another, so the history stays.
type Pairing struct{ ent.Schema }

// Mixin of the Pairing.
func (Pairing) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

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

// Assessment is one year's assessment of an agreement (考核): the helping
// side's self-report, a cross review by another coordinator, and a grade.
type Assessment struct{ ent.Schema }

// Mixin of the Assessment.
func (Assessment) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Assessment.
func (Assessment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("agreement_id").Immutable(),
		field.Int("year").Min(2000).Max(2100).Immutable(),
		field.Enum("status").Values("SELF_REPORTED", "CROSS_REVIEWED", "GRADED").Default("SELF_REPORTED").
			Comment("自评 → 交叉考核 → 评定."),
		field.Text("self_report").NotEmpty().MaxLen(10000),
		field.Int("self_reported_by_id").Optional().Nillable().Immutable(),
		field.Text("cross_review").Optional().MaxLen(10000),
		field.Int("cross_reviewed_by_id").Optional().Nillable(),
		field.Enum("grade").Values("EXCELLENT", "GOOD", "FAIR", "POOR").Optional().Nillable().
			Comment("好 EXCELLENT, 较好 GOOD, 一般 FAIR, 差 POOR."),
		field.Text("grade_comment").Optional().MaxLen(10000),
		field.Int("graded_by_id").Optional().Nillable(),
		field.Time("graded_at").Optional().Nillable(),
	}
}

// Edges of the Assessment.
func (Assessment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("agreement", Agreement.Type).Ref("assessments").Field("agreement_id").Unique().Required().Immutable(),
		edge.To("self_reported_by", User.Type).Field("self_reported_by_id").Unique().Immutable(),
		edge.To("cross_reviewed_by", User.Type).Field("cross_reviewed_by_id").Unique(),
		edge.To("graded_by", User.Type).Field("graded_by_id").Unique(),
	}
}

// Indexes of the Assessment.
func (Assessment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("agreement_id", "year").Unique()}
}

// Annotations of the Assessment.
func (Assessment) Annotations() []schema.Annotation {
	return node("Assessment", "A yearly assessment of an agreement (考核): self-report, cross review, grade.")
}
