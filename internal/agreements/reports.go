package agreements

import (
	"context"
	"strings"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/assessment"
	"bangfu/ent/progressreport"
	"bangfu/internal/apperr"
	"bangfu/internal/scope"
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
		return nil, apperr.NotFound("agreement %s not found", ref(in.AgreementID))
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

// ReviewReport approves or rejects a submitted report. The reviewer is a
// coordinator of the agreement other than the one who submitted it (four
// eyes on every figure that counts).
func (s *Service) ReviewReport(ctx context.Context, id int, approve bool, comment string) (*ent.ProgressReport, error) {
	r, err := s.client.ProgressReport.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("progress report %s not found", ref(id))
	}
	if err != nil {
		return nil, err
	}
	if r.Status != progressreport.StatusSUBMITTED {
		return nil, apperr.Conflict("the report is %s already", r.Status).WithStatus(r.Status.String())
	}
	v := viewer.FromContext(ctx)
	if r.SubmittedByID != nil && *r.SubmittedByID == v.UserID {
		return nil, apperr.Forbidden("a report is reviewed by someone other than its submitter")
	}
	if !approve && strings.TrimSpace(comment) == "" {
		return nil, apperr.BadInput("say why the report is rejected")
	}
	if len([]rune(comment)) > 1000 {
		return nil, apperr.BadInput("the comment is at most 1000 characters")
	}
	status := progressreport.StatusREJECTED
	if approve {
		status = progressreport.StatusAPPROVED
	}
	upd := s.client.ProgressReport.UpdateOne(r).Where(progressreport.StatusEQ(progressreport.StatusSUBMITTED)).
		SetStatus(status).SetReviewComment(comment).SetReviewedAt(s.now())
	if v.UserID != 0 {
		upd.SetReviewedByID(v.UserID)
	}
	out, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Conflict("the report was reviewed meanwhile; reload it")
	}
	return out, err
}

// SelfAssess files the helping side's self-report for a year (a
// coordinator of the agreement). One assessment per agreement and year.
func (s *Service) SelfAssess(ctx context.Context, agreementID, year int, report string) (*ent.Assessment, error) {
	if strings.TrimSpace(report) == "" || len([]rune(report)) > 10000 {
		return nil, apperr.BadInput("the self-report is 1 to 10000 characters")
	}
	a, err := s.client.Agreement.Get(ctx, agreementID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("agreement %s not found", ref(agreementID))
	}
	if err != nil {
		return nil, err
	}
	if in, err := s.coordinates(ctx, a.ID); err != nil || !in {
		return nil, orForbidden(err, "only the agreement's own coordinators self-report")
	}
	if year < a.PeriodStart.Year() || year > a.PeriodEnd.Year() {
		return nil, apperr.BadInput("%d lies outside the agreement period", year)
	}
	series := seriesRoot(a)
	exists, err := s.client.Assessment.Query().Where(assessment.Year(year),
		assessment.HasAgreementWith(agreement.Or(agreement.ID(series), agreement.OriginalID(series)))).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, apperr.Conflict("the %d assessment of this agreement exists already", year)
	}
	create := s.client.Assessment.Create().SetAgreementID(a.ID).SetYear(year).SetSelfReport(report)
	if uid := viewer.FromContext(ctx).UserID; uid != 0 {
		create.SetSelfReportedByID(uid)
	}
	return create.Save(ctx)
}

// CrossReview records the cross review (交叉考核): by a coordinator who
// does not coordinate the agreement, so no one reviews their own work.
func (s *Service) CrossReview(ctx context.Context, id int, review string) (*ent.Assessment, error) {
	if strings.TrimSpace(review) == "" || len([]rune(review)) > 10000 {
		return nil, apperr.BadInput("the review is 1 to 10000 characters")
	}
	as, err := s.assessment(ctx, id, assessment.StatusSELF_REPORTED)
	if err != nil {
		return nil, err
	}
	in, err := s.coordinates(ctx, as.AgreementID)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if in || !v.Has(viewer.Coordinator) && !v.Has(viewer.Admin) {
		return nil, apperr.Forbidden("the cross review is made by a coordinator from outside the agreement")
	}
	upd := s.client.Assessment.UpdateOne(as).Where(assessment.StatusEQ(assessment.StatusSELF_REPORTED)).
		SetStatus(assessment.StatusCROSS_REVIEWED).SetCrossReview(review)
	if v.UserID != 0 {
		upd.SetCrossReviewedByID(v.UserID)
	}
	return saveStep(upd.Save(ctx))
}

// Grade records the final grade (ADMIN: the assessing authority).
func (s *Service) Grade(ctx context.Context, id int, grade assessment.Grade, comment string) (*ent.Assessment, error) {
	if err := assessment.GradeValidator(grade); err != nil {
		return nil, apperr.BadInput("unknown grade %q", grade)
	}
	if strings.TrimSpace(comment) == "" || len([]rune(comment)) > 10000 {
		return nil, apperr.BadInput("the grade comment is 1 to 10000 characters")
	}
	v := viewer.FromContext(ctx)
	if !v.Has(viewer.Admin) && !v.IsSystem() {
		return nil, apperr.Forbidden("grades are given by the assessing authority (ADMIN)")
	}
	as, err := s.assessment(ctx, id, assessment.StatusCROSS_REVIEWED)
	if err != nil {
		return nil, err
	}
	upd := s.client.Assessment.UpdateOne(as).Where(assessment.StatusEQ(assessment.StatusCROSS_REVIEWED)).
		SetStatus(assessment.StatusGRADED).SetGrade(grade).SetGradeComment(comment).SetGradedAt(s.now())
	if v.UserID != 0 {
		upd.SetGradedByID(v.UserID)
	}
	return saveStep(upd.Save(ctx))
}

func (s *Service) assessment(ctx context.Context, id int, want assessment.Status) (*ent.Assessment, error) {
	as, err := s.client.Assessment.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("assessment %s not found", ref(id))
	}
	if err != nil {
		return nil, err
	}
	if as.Status != want {
		return nil, apperr.Conflict("the assessment is %s; this step needs %s", as.Status, want).WithStatus(as.Status.String())
	}
	return as, nil
}

func saveStep(as *ent.Assessment, err error) (*ent.Assessment, error) {
	if ent.IsNotFound(err) {
		return nil, apperr.Conflict("the assessment changed meanwhile; reload it")
	}
	return as, err
}

// coordinates reports whether the viewer coordinates the agreement (any
// version of it).
func (s *Service) coordinates(ctx context.Context, agreementID int) (bool, error) {
	ids := viewer.FromContext(ctx).AgreementIDs()
	if len(ids) == 0 {
		return false, nil
	}
	return s.client.Agreement.Query().Where(agreement.ID(agreementID), scope.Agreements(ids)).Exist(ctx)
}

func orForbidden(err error, msg string) error {
	if err != nil {
		return err
	}
	return apperr.Forbidden("%s", msg)
}

// seriesRoot is the id all versions of the agreement share.
func seriesRoot(a *ent.Agreement) int {
	if a.OriginalID != nil {
		return *a.OriginalID
	}
	return a.ID
}
