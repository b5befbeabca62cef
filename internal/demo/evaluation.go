package demo

import (
	"context"
	"fmt"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/orderline"
	"bangfu/ent/organization"
	"bangfu/ent/progressreport"
	"bangfu/ent/region"
	"bangfu/ent/user"
	"bangfu/ent/verificationsample"
	"bangfu/internal/evaluation"
	"bangfu/internal/viewer"
)

// Evaluation demo data, drawn and checked through the evaluation service
// itself so that it is exactly what the API would have stored.
const (
	// SampleSeed is the seed of the demo's verification sample (2026, 10
	// households), published as an evaluator would.
	SampleSeed = "2026-第三方评估-演示"
	SampleSize = 10
	// SlackCounty is the exited county whose assistance fell: 兰坪白族普米族
	// 自治县 (Yunnan, exited 2020), helped by 中国人民大学, whose 2025
	// responsibility letter reported far more funds than 2026's.
	SlackCounty = "533325"
)

// loadEvaluation draws a verification sample (of the county whose
// households earned most through the marketplace) with
// evaluator@, records three visits (one whose household reports nothing
// of the income the ledger booked to it: a discrepancy), and runs the
// slack check at the reference date after giving 兰坪 a 2025 letter with
// large approved funds, which opens its reminder-interview case.
func (b *builder) loadEvaluation(ctx context.Context) error {
	client := b.tx.Client()
	evaluatorID, err := client.User.Query().Where(user.Email("evaluator@bangfu.example")).OnlyID(ctx)
	if err != nil {
		return err
	}
	county, err := b.verificationCounty(ctx)
	if err != nil {
		return err
	}
	// evaluator@'s scope is that county.
	err = client.Membership.Update().Where(membership.RoleEQ(membership.RoleEVALUATOR), membership.UserID(evaluatorID)).
		AddScopeRegions(county).Exec(ctx)
	if err != nil {
		return err
	}
	svc := evaluation.New(client, func() time.Time { return Reference }, evaluation.Config{})
	// The server acting for the evaluator: the sample and visits name them.
	asEvaluator := viewer.AsSystem(viewer.NewContext(ctx, &viewer.Viewer{UserID: evaluatorID}))
	sample, err := svc.DrawSample(asEvaluator, county.ID, 2026, SampleSize, SampleSeed)
	if err != nil {
		return err
	}
	// (The sample returned is unwrapped from the transaction: read through it.)
	households, err := client.VerificationSample.Query().Where(verificationsample.ID(sample.ID)).QueryHouseholds().
		Order(ent.Asc(household.FieldID)).
		WithBenefitLinks(func(q *ent.BenefitLinkQuery) {
			q.Where(benefitlink.StatusEQ(benefitlink.StatusAPPROVED)).Order(ent.Asc(benefitlink.FieldID))
		}).All(ctx)
	if err != nil {
		return err
	}
	// Visits: two households confirm what the ledger says (one of them
	// remembering a little less), one with ledger income says it received
	// nothing.
	type plan struct {
		knows, confirms bool
		reported        func(ledger int64) int64
		satisfaction    int
		notes           string
	}
	plans := []plan{
		{true, true, func(l int64) int64 { return l }, 5, "务工工资按月发放，与合作社台账一致。"},
		{true, true, func(l int64) int64 { return l * 9 / 10 }, 4, "分红记得大致金额。"},
		{false, false, func(int64) int64 { return 0 }, 2, "农户表示不认识该合作社，未收到任何收入（示例）。"},
	}
	visited := 0
	for _, h := range households {
		for _, link := range h.Edges.BenefitLinks {
			if visited == len(plans) {
				break
			}
			ledger, _, err := svc.LedgerIncome(ctx, h.ID, link.SupplierID, 2026)
			if err != nil {
				return err
			}
			if ledger <= 0 {
				continue // nothing booked (or all refunded): nothing for a visit to contradict
			}
			p := plans[visited]
			at := Reference.AddDate(0, 0, -10+visited)
			if _, err := svc.RecordVisit(asEvaluator, evaluation.VisitInput{SampleID: sample.ID, BenefitLinkID: link.ID,
				VisitedAt: &at, KnowsSupplier: p.knows, ConfirmsMechanism: p.confirms, ReportedIncomeFen: p.reported(ledger),
				Satisfaction: p.satisfaction, Notes: p.notes}); err != nil {
				return err
			}
			visited++
			break // one link per household
		}
	}
	if visited < len(plans) {
		return fmt.Errorf("the verification county %s's sample has %d households with ledger income, want %d", county.Code, visited, len(plans))
	}
	return b.loadSlack(ctx, svc)
}

// verificationCounty is the county with the most households that earned
// ledger income in 2026 from purchases credited to an agreement (the
// lowest code among equals): the evaluator's.
func (b *builder) verificationCounty(ctx context.Context) (*ent.Region, error) {
	var rows []struct {
		CountyCode string `json:"county_code"`
		Count      int    `json:"count"`
	}
	err := b.tx.Household.Query().Where(household.HasIncomeEntriesWith(
		ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME), ledgerentry.Year(2026),
		ledgerentry.HasOrderLineWith(orderline.HasLedgerEntriesWith(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT))))).
		GroupBy(household.FieldCountyCode).Aggregate(ent.Count()).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	best := ""
	most := 0
	for _, r := range rows {
		if r.Count > most || r.Count == most && r.CountyCode < best {
			best, most = r.CountyCode, r.Count
		}
	}
	if best == "" {
		return nil, fmt.Errorf("no household earned ledger income in 2026")
	}
	return b.regions[best], nil
}

// loadSlack gives 兰坪 a closed 2025 responsibility letter from its
// designated unit whose approved funds are twice what every agreement
// helping the county reported for 2026, and runs the check.
func (b *builder) loadSlack(ctx context.Context, svc *evaluation.Service) error {
	county := b.regions[SlackCounty]
	unit, err := b.tx.Organization.Query().Where(organization.KindEQ(organization.KindDESIGNATED_UNIT),
		organization.HasDesignatedAgreementsWith(agreement.HasHelpedRegionsWith(region.ID(county.ID)))).First(ctx)
	if err != nil {
		return err
	}
	above := evaluation.CountyAndAbove(county.Code)
	var current []struct {
		Sum *int64 `json:"sum"`
	}
	err = b.tx.ProgressReport.Query().Where(progressreport.StatusEQ(progressreport.StatusAPPROVED), progressreport.Year(2026),
		progressreport.IndicatorIn(progressreport.IndicatorFUNDS_INVESTED, progressreport.IndicatorFUNDS_INTRODUCED),
		progressreport.HasAgreementWith(agreement.HasHelpedRegionsWith(region.CodeIn(above...)))).
		Aggregate(ent.As(ent.Sum(progressreport.FieldValue), "sum")).Scan(ctx, &current)
	if err != nil {
		return err
	}
	previous := int64(500_000_000) // ¥5 million when nothing was reported for 2026
	if len(current) > 0 && current[0].Sum != nil && *current[0].Sum > 0 {
		previous = 2 * *current[0].Sum
	}
	letter, err := b.tx.Agreement.Create().SetKind(agreement.KindDESIGNATED).
		SetTitle(unit.Name + "定点帮扶责任书（2025年度）").SetDocumentNumber("示例责〔2025〕" + county.Code + "号").
		SetPeriodStart(yearStart(2025)).SetPeriodEnd(yearEnd(2025)).SetStatus(agreement.StatusCLOSED).
		SetActivatedAt(yearStart(2025)).SetClosedAt(yearStart(2026)).SetHelpingUnit(unit).AddHelpedRegions(county).
		Save(ctx)
	if err != nil {
		return err
	}
	err = b.tx.ProgressReport.Create().SetAgreementID(letter.ID).SetIndicator(progressreport.IndicatorFUNDS_INVESTED).
		SetYear(2025).SetValue(previous).SetEvidenceRefs([]string{"资金拨付凭证（示例）"}).
		SetStatus(progressreport.StatusAPPROVED).SetReviewedAt(Reference.AddDate(-1, -2, 0)).SetReviewComment("材料齐全").Exec(ctx)
	if err != nil {
		return err
	}
	_, err = svc.CheckSlack(ctx, Reference)
	return err
}
