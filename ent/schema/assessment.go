package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/assessment"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// Assessment is one year's assessment of an agreement (考核): the helping
// side's self-report, a cross review by another coordinator, and a grade.
type Assessment struct{ ent.Schema }

// Mixin of the Assessment.
func (Assessment) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

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

// Policy of the Assessment: officials read. The agreement's own
// coordinators self-report (create; not ADMIN, who is no party to it); the
// cross review (交叉考核) is made by a coordinator from outside the
// agreement or ADMIN, so no one reviews their own work; grades are given by
// the assessing authority (ADMIN).
func (Assessment) Policy() ent.Policy {
	p := policy([]privacy.QueryRule{signedIn(), readableBy(viewer.Auditor, viewer.Coordinator)}, []privacy.MutationRule{
		privacy.AssessmentMutationRuleFunc(func(ctx context.Context, m *gen.AssessmentMutation) error {
			status, _ := m.Status()
			if status != assessment.StatusCROSS_REVIEWED || !viewer.FromContext(ctx).Has(viewer.Coordinator) {
				return privacy.Denyf("grades are given by the assessing authority (ADMIN)")
			}
			id, _ := m.ID()
			as, err := m.Client().Assessment.Get(ctx, id)
			if err != nil {
				return err
			}
			in, err := inScope(ctx, m.Client(), as.AgreementID)
			if err != nil || !in {
				return orAllow(err)
			}
			return privacy.Denyf("the cross review is made by a coordinator from outside the agreement")
		}),
	}).(privacy.Policy)
	// A self-report is decided before the rule that lets ADMIN pass.
	p.Mutation = append(privacy.MutationPolicy{
		privacy.OnMutationOperation(privacy.AssessmentMutationRuleFunc(func(ctx context.Context, m *gen.AssessmentMutation) error {
			if viewer.FromContext(ctx).IsSystem() {
				return privacy.Allow
			}
			agreementID, _ := m.AgreementID()
			in, err := inScope(ctx, m.Client(), agreementID)
			if err != nil || in {
				return orAllow(err)
			}
			return privacy.Denyf("only the agreement's own coordinators self-report")
		}), ent.OpCreate),
	}, p.Mutation...)
	return p
}
