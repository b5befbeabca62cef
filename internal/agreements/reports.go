package agreements

import (
	"context"
	"strings"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/assessment"
	"bangfu/ent/progressreport"
	"bangfu/internal/apperr"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// computed are the indicators the marketplace ledger computes; nobody
// reports them by hand (that is how figures get inflated).
var computed = map[progressreport.Indicator]bool{
	progressreport.IndicatorDIRECT_PURCHASE: true,
	progressreport.IndicatorHELP_SELL:       true,
}

// ReportInput is a reported indicator figure with its evidence.
type ReportInput struct {
	AgreementID  int
	Indicator    progressreport.Indicator
	Year         int
	Value        int64
	EvidenceRefs []string
}

// SubmitReport files a progress report (a coordinator of the agreement,
// by policy). Only reviewed and approved reports count.
func (s *Service) SubmitReport(ctx context.Context, in ReportInput) (*ent.ProgressReport, error) {
	if computed[in.Indicator] {
		return nil, apperr.BadInput("%s is computed from settled purchases and cannot be reported", in.Indicator)
	}
	if err := progressreport.IndicatorValidator(in.Indicator); err != nil {
		return nil, apperr.BadInput("unknown indicator %q", in.Indicator)
	}
	if in.Value < 0 {
		return nil, apperr.BadInput("value is not negative")
	}
	var refs []string
	for _, r := range in.EvidenceRefs {
		if r = strings.TrimSpace(r); r != "" {
			if len([]rune(r)) > 300 {
				return nil, apperr.BadInput("an evidence reference is at most 300 characters")
			}
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 || len(refs) > 20 {
		return nil, apperr.BadInput("give 1 to 20 evidence references (佐证材料)")
	}
	a, err := s.client.Agreement.Get(ctx, in.AgreementID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("agreement %s not found", gid.Ref(in.AgreementID))
	}
	if err != nil {
		return nil, err
	}
	if a.Status != agreement.StatusACTIVE && a.Status != agreement.StatusCLOSED {
		return nil, apperr.Conflict("progress is reported on active or closed agreements; this one is %s", a.Status).WithStatus(a.Status.String())
	}
	if in.Year < a.PeriodStart.Year() || in.Year > a.PeriodEnd.Year() {
		return nil, apperr.BadInput("%d lies outside the agreement period", in.Year)
	}
	create := s.client.ProgressReport.Create().SetAgreementID(a.ID).SetIndicator(in.Indicator).
		SetYear(in.Year).SetValue(in.Value).SetEvidenceRefs(refs)
	if uid := viewer.FromContext(ctx).UserID; uid != 0 {
		create.SetSubmittedByID(uid)
	}
	return create.Save(ctx)
}

// ReviewReport approves or rejects a submitted report. The ProgressReport
// policy lets a coordinator of the agreement other than the submitter
// review it (four eyes on every figure that counts).
func (s *Service) ReviewReport(ctx context.Context, id int, approve bool, comment string) (*ent.ProgressReport, error) {
	if !approve && strings.TrimSpace(comment) == "" {
		return nil, apperr.BadInput("say why the report is rejected")
	}
	if len([]rune(comment)) > 1000 {
		return nil, apperr.BadInput("the comment is at most 1000 characters")
	}
	r, err := s.client.ProgressReport.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("progress report %s not found", gid.Ref(id))
	}
	if err != nil {
		return nil, err
	}
	status := progressreport.StatusREJECTED
	if approve {
		status = progressreport.StatusAPPROVED
	}
	upd := s.client.ProgressReport.UpdateOneID(id).Where(progressreport.StatusEQ(progressreport.StatusSUBMITTED)).
		SetStatus(status).SetReviewComment(comment).SetReviewedAt(s.now())
	if uid := viewer.FromContext(ctx).UserID; uid != 0 {
		upd.SetReviewedByID(uid)
	}
	out, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Conflict("the report is %s already", r.Status).WithStatus(r.Status.String())
	}
	return out, err
}

// SelfAssess files the helping side's self-report for a year (the
// Assessment policy lets only the agreement's own coordinators). One
// assessment per agreement and year.
func (s *Service) SelfAssess(ctx context.Context, agreementID, year int, report string) (*ent.Assessment, error) {
	if strings.TrimSpace(report) == "" || len([]rune(report)) > 10000 {
		return nil, apperr.BadInput("the self-report is 1 to 10000 characters")
	}
	a, err := s.client.Agreement.Get(ctx, agreementID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("agreement %s not found", gid.Ref(agreementID))
	}
	if err != nil {
		return nil, err
	}
	if year < a.PeriodStart.Year() || year > a.PeriodEnd.Year() {
		return nil, apperr.BadInput("%d lies outside the agreement period", year)
	}
	var out *ent.Assessment
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		create := tx.Assessment.Create().SetAgreementID(a.ID).SetYear(year).SetSelfReport(report)
		if uid := viewer.FromContext(ctx).UserID; uid != 0 {
			create.SetSelfReportedByID(uid)
		}
		if out, err = create.Save(ctx); ent.IsConstraintError(err) {
			return apperr.Conflict("the %d assessment of this agreement exists already", year)
		} else if err != nil {
			return err
		}
		series := seriesRoot(a)
		twice, err := tx.Assessment.Query().Where(assessment.Year(year), assessment.IDNEQ(out.ID),
			assessment.HasAgreementWith(agreement.Or(agreement.ID(series), agreement.OriginalID(series)))).Exist(ctx)
		if err != nil {
			return err
		}
		if twice {
			return apperr.Conflict("the %d assessment of this agreement exists already", year)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// CrossReview records the cross review (交叉考核); the Assessment policy
// lets only a coordinator from outside the agreement make it.
func (s *Service) CrossReview(ctx context.Context, id int, review string) (*ent.Assessment, error) {
	if strings.TrimSpace(review) == "" || len([]rune(review)) > 10000 {
		return nil, apperr.BadInput("the review is 1 to 10000 characters")
	}
	return s.assessmentStep(ctx, id, assessment.StatusSELF_REPORTED, func(u *ent.AssessmentUpdateOne, uid int) {
		u.SetStatus(assessment.StatusCROSS_REVIEWED).SetCrossReview(review)
		if uid != 0 {
			u.SetCrossReviewedByID(uid)
		}
	})
}

// Grade records the final grade (the Assessment policy: ADMIN, the
// assessing authority).
func (s *Service) Grade(ctx context.Context, id int, grade assessment.Grade, comment string) (*ent.Assessment, error) {
	if err := assessment.GradeValidator(grade); err != nil {
		return nil, apperr.BadInput("unknown grade %q", grade)
	}
	if strings.TrimSpace(comment) == "" || len([]rune(comment)) > 10000 {
		return nil, apperr.BadInput("the grade comment is 1 to 10000 characters")
	}
	return s.assessmentStep(ctx, id, assessment.StatusCROSS_REVIEWED, func(u *ent.AssessmentUpdateOne, uid int) {
		u.SetStatus(assessment.StatusGRADED).SetGrade(grade).SetGradeComment(comment).SetGradedAt(s.now())
		if uid != 0 {
			u.SetGradedByID(uid)
		}
	})
}

// assessmentStep takes the step that set describes on an assessment in
// state from, as a guarded update.
func (s *Service) assessmentStep(ctx context.Context, id int, from assessment.Status, set func(u *ent.AssessmentUpdateOne, uid int)) (*ent.Assessment, error) {
	as, err := s.client.Assessment.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("assessment %s not found", gid.Ref(id))
	}
	if err != nil {
		return nil, err
	}
	upd := s.client.Assessment.UpdateOneID(id).Where(assessment.StatusEQ(from))
	set(upd, viewer.FromContext(ctx).UserID)
	out, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		if as.Status == from {
			return nil, apperr.Conflict("the assessment changed meanwhile; reload it")
		}
		return nil, apperr.Conflict("the assessment is %s; this step needs %s", as.Status, from).WithStatus(as.Status.String())
	}
	return out, err
}

// seriesRoot is the id all versions of the agreement share.
func seriesRoot(a *ent.Agreement) int {
	if a.OriginalID != nil {
		return *a.OriginalID
	}
	return a.ID
}
