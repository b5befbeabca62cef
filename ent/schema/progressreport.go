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
	"bangfu/ent/progressreport"
	"bangfu/internal/viewer"
)

// ProgressReport reports an indicator that the marketplace cannot compute.
type ProgressReport struct{ ent.Schema }

// Mixin of the ProgressReport.
func (ProgressReport) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

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

// Policy of the ProgressReport: coordinators see and file reports for the
// agreements in their scope and review them, but never the reports they
// submitted themselves (four eyes on every figure that counts); auditors
// read all.
func (ProgressReport) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor),
		privacy.ProgressReportQueryRuleFunc(func(ctx context.Context, q *gen.ProgressReportQuery) error {
			q.Where(progressreport.HasAgreementWith(scopeAgreements(ctx)))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.ProgressReportMutationRuleFunc(func(ctx context.Context, m *gen.ProgressReportMutation) error {
			agreementID, ok := m.AgreementID()
			if !ok {
				id, _ := m.ID()
				r, err := m.Client().ProgressReport.Get(ctx, id)
				if err != nil {
					return err
				}
				if r.SubmittedByID != nil && *r.SubmittedByID == viewer.FromContext(ctx).UserID {
					return privacy.Denyf("a report is reviewed by someone other than its submitter")
				}
				agreementID = r.AgreementID
			}
			in, err := inScope(ctx, m.Client(), agreementID)
			if err != nil || in {
				return orAllow(err)
			}
			return privacy.Denyf("only the agreement's coordinators report and review its progress")
		}),
	})
}
