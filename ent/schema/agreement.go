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

// Agreement is an east–west cooperation agreement or a designated-assistance
// responsibility letter. Amendments are new versions; nothing is overwritten.
type Agreement struct{ ent.Schema }

// Mixin of the Agreement.
func (Agreement) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

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
		edge.From("verification_visits", VerificationVisit.Type).Ref("agreements").
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Verification visits whose ledger income the agreement's credits produced."),
		edge.From("exit_slack_cases", ExitSlackCase.Type).Ref("agreements").
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Exit slack cases calling the agreement to a reminder interview."),
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

// Policy of the Agreement: public. Coordinators change the agreements in
// their scope and amend them (an amendment is a new version created with
// supersedes set to a version in scope).
func (Agreement) Policy() ent.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.AgreementMutationRuleFunc(func(ctx context.Context, m *gen.AgreementMutation) error {
			id, ok := m.ID()
			if m.Op().Is(ent.OpCreate) {
				id, ok = m.SupersedesID()
			}
			if !ok || !(m.Op().Is(ent.OpCreate) || m.Op().Is(ent.OpUpdateOne)) {
				return privacy.Skip
			}
			in, err := inScope(ctx, m.Client(), id)
			if err != nil || in {
				return orAllow(err)
			}
			return privacy.Skip
		}),
	})
}
