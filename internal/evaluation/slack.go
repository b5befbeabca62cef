package evaluation

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/exitslackcase"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/progressreport"
	"bangfu/ent/region"
	"bangfu/internal/access"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/period"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// SlackJob names the check in the audit trail and job_runs.
const SlackJob = "exit-slack-check"

// SlackComparison is what the check compared for one exited county.
type SlackComparison struct {
	County *ent.Region
	Figures
	Slackened bool
	Reason    string
}

// SlackReport is what one run of the check did.
type SlackReport struct {
	Year        int
	AsOf        time.Time
	ThresholdBP int
	Compared    []*SlackComparison
	CasesOpened []*ent.ExitSlackCase
}

// CheckSlack compares, for every exited county (a county with an exit
// year before this year), this year's assistance as it stood at asOf with
// the previous year's as it stood a year earlier, and opens an
// ExitSlackCase, naming the agreements helping the county, for each
// county whose credited purchases or approved reported funds fell beyond
// the threshold. Counties that already have a case for the year keep it:
// the check is idempotent. ADMIN or the server (a whole-ledger job).
//
// Credited purchases are the DIRECT_PURCHASE credits of lines of the
// county's products, each line once although it may be credited to an
// east–west agreement and a responsibility letter both; reversals count
// when they were booked by then. Reported funds (FUNDS_INVESTED,
// FUNDS_INTRODUCED) are per agreement, not per county: they are those of
// the agreements helping the county or a region above it, approved by then.
func (s *Service) CheckSlack(ctx context.Context, asOf time.Time) (*SlackReport, error) {
	sys, err := access.As(audit.WithinJob(ctx, SlackJob), access.RunLedgerJob)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = s.now()
	}
	asOf = asOf.UTC()
	year, _ := period.Of(asOf)
	prevAsOf := asOf.AddDate(-1, 0, 0)
	rep := &SlackReport{Year: year, AsOf: asOf, ThresholdBP: s.cfg.SlackFallBP}
	counties, err := s.client.Region.Query().Where(region.LevelEQ(region.LevelCOUNTY), region.ExitYearNotNil(),
		region.ExitYearLT(year)).Order(ent.Asc(region.FieldCode)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, c := range counties {
		helping, err := s.helpingAgreements(sys, c)
		if err != nil {
			return nil, err
		}
		var f Figures
		if f.CurrentPurchasesFen, err = s.purchases(sys, c.ID, year, asOf); err != nil {
			return nil, err
		}
		if f.PreviousPurchasesFen, err = s.purchases(sys, c.ID, year-1, prevAsOf); err != nil {
			return nil, err
		}
		if f.CurrentFundsFen, err = s.funds(sys, helping, year, asOf); err != nil {
			return nil, err
		}
		if f.PreviousFundsFen, err = s.funds(sys, helping, year-1, prevAsOf); err != nil {
			return nil, err
		}
		cmp := &SlackComparison{County: c, Figures: f, Reason: SlackReason(f, s.cfg.SlackFallBP)}
		cmp.Slackened = cmp.Reason != ""
		rep.Compared = append(rep.Compared, cmp)
		if !cmp.Slackened {
			continue
		}
		opened, err := s.openCase(sys, c, year, asOf, f, cmp.Reason, helping.agreementIDs)
		if err != nil {
			return nil, err
		}
		if opened != nil {
			rep.CasesOpened = append(rep.CasesOpened, opened)
		}
	}
	return rep, nil
}

// helping are the agreements helping a county: the ones naming it or a
// region above it among their helped regions.
type helping struct {
	regionIDs    []int // the county and the regions above it
	agreementIDs []int // original versions of the ACTIVE agreements
}

// CountyAndAbove gives the GB/T 2260 codes of a county, its city and its
// province: the county's code with the last two, then four, digits zeroed.
func CountyAndAbove(code string) []string {
	return []string{code, code[:4] + "00", code[:2] + "0000"}
}

func (s *Service) helpingAgreements(ctx context.Context, c *ent.Region) (helping, error) {
	var h helping
	ids, err := s.client.Region.Query().Where(region.CodeIn(CountyAndAbove(c.Code)...)).IDs(ctx)
	if err != nil {
		return h, err
	}
	h.regionIDs = ids
	as, err := s.client.Agreement.Query().Where(agreement.HasHelpedRegionsWith(region.IDIn(ids...)),
		agreement.StatusEQ(agreement.StatusACTIVE)).Order(ent.Asc(agreement.FieldID)).All(ctx)
	if err != nil {
		return h, err
	}
	seen := map[int]bool{}
	for _, a := range as {
		root := a.ID
		if a.OriginalID != nil {
			root = *a.OriginalID
		}
		if !seen[root] {
			seen[root] = true
			h.agreementIDs = append(h.agreementIDs, root)
		}
	}
	return h, nil
}

// purchases sums the county's credited purchases of the year booked by
// asOf, each line once (per line, the largest net credit of any agreement:
// every agreement a line is credited to is credited its whole amount).
func (s *Service) purchases(ctx context.Context, countyID, year int, asOf time.Time) (int64, error) {
	var rows []struct {
		OrderLineID *int  `json:"order_line_id"`
		AgreementID *int  `json:"agreement_id"`
		Amount      int64 `json:"amount"`
	}
	err := s.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.IndicatorEQ(ledgerentry.IndicatorDIRECT_PURCHASE), ledgerentry.OriginCountyID(countyID),
		ledgerentry.Year(year), ledgerentry.OccurredAtLTE(asOf)).
		Select(ledgerentry.FieldOrderLineID, ledgerentry.FieldAgreementID, ledgerentry.FieldAmount).Scan(ctx, &rows)
	if err != nil {
		return 0, err
	}
	type key struct{ line, agreement int }
	net := map[key]int64{}
	for _, r := range rows {
		k := key{}
		if r.OrderLineID != nil {
			k.line = *r.OrderLineID
		}
		if r.AgreementID != nil {
			k.agreement = *r.AgreementID
		}
		net[k] += r.Amount
	}
	perLine := map[int]int64{}
	for k, v := range net {
		if v > perLine[k.line] {
			perLine[k.line] = v
		}
	}
	var sum int64
	for _, v := range perLine {
		sum += v
	}
	return sum, nil
}

// funds sums the approved FUNDS_INVESTED and FUNDS_INTRODUCED reports of
// the year, approved by asOf, of the agreements helping the county (any
// version, any status: last year's agreement may have closed).
func (s *Service) funds(ctx context.Context, h helping, year int, asOf time.Time) (int64, error) {
	var sum []struct {
		Sum *int64 `json:"sum"`
	}
	err := s.client.ProgressReport.Query().Where(progressreport.StatusEQ(progressreport.StatusAPPROVED),
		progressreport.IndicatorIn(progressreport.IndicatorFUNDS_INVESTED, progressreport.IndicatorFUNDS_INTRODUCED),
		progressreport.Year(year), progressreport.ReviewedAtLTE(asOf),
		progressreport.HasAgreementWith(agreement.HasHelpedRegionsWith(region.IDIn(h.regionIDs...)))).
		Aggregate(ent.As(ent.Sum(progressreport.FieldValue), "sum")).Scan(ctx, &sum)
	if err != nil || len(sum) == 0 || sum[0].Sum == nil {
		return 0, err
	}
	return *sum[0].Sum, nil
}

// openCase opens the county's case for the year unless it has one.
func (s *Service) openCase(ctx context.Context, c *ent.Region, year int, asOf time.Time, f Figures, reason string, agreements []int) (*ent.ExitSlackCase, error) {
	var out *ent.ExitSlackCase
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		exists, err := tx.ExitSlackCase.Query().Where(exitslackcase.CountyID(c.ID), exitslackcase.Year(year)).Exist(ctx)
		if err != nil || exists {
			return err
		}
		out, err = tx.ExitSlackCase.Create().SetCountyID(c.ID).SetCountyCode(c.Code).SetYear(year).SetAsOf(asOf).
			SetPreviousPurchasesFen(f.PreviousPurchasesFen).SetCurrentPurchasesFen(f.CurrentPurchasesFen).
			SetPreviousFundsFen(f.PreviousFundsFen).SetCurrentFundsFen(f.CurrentFundsFen).
			SetThresholdBp(s.cfg.SlackFallBP).SetReason(reason).AddAgreementIDs(agreements...).Save(ctx)
		return err
	})
	if ent.IsConstraintError(err) {
		return nil, nil // another replica opened it first
	}
	if err != nil || out == nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// RecordInterview records the reminder interview (约谈) of an open case and
// its outcome. Who may is the ExitSlackCase policy's (the coordinators of
// the county or of its agreements); a case interviewed already is CONFLICT.
func (s *Service) RecordInterview(ctx context.Context, caseID int, at time.Time, outcome string) (*ent.ExitSlackCase, error) {
	outcome = strings.TrimSpace(outcome)
	switch {
	case outcome == "":
		return nil, apperr.BadInput("say what the interview concluded")
	case utf8.RuneCountInString(outcome) > 2000:
		return nil, apperr.BadInput("the outcome is at most 2000 characters")
	case at.IsZero() || at.After(s.now()):
		return nil, apperr.BadInput("interviewedAt must be a moment in the past")
	}
	c, err := s.client.ExitSlackCase.Get(ctx, caseID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("no such case")
	}
	if err != nil {
		return nil, err
	}
	var out *ent.ExitSlackCase
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		u := tx.ExitSlackCase.UpdateOneID(c.ID).Where(exitslackcase.StatusEQ(exitslackcase.StatusOPEN)).
			SetStatus(exitslackcase.StatusINTERVIEWED).SetInterviewedAt(at.UTC()).SetInterviewOutcome(outcome)
		if p := viewer.FromContext(ctx).Person(); p != 0 {
			u.SetInterviewedByID(p)
		}
		out, err = u.Save(ctx)
		return err
	})
	if ent.IsNotFound(err) {
		return nil, apperr.Conflict("the case is %s: its interview is recorded already", c.Status).WithStatus(string(c.Status))
	}
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}
