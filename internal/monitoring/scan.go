package monitoring

import (
	"context"
	"fmt"
	"time"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/monitoringcase"
	"bangfu/internal/access"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/period"
)

// ScanReport is what an early-warning scan did.
type ScanReport struct {
	Year              int
	HouseholdsScanned int
	CasesOpened       []int
	DataQualityIssues int
}

// scanBatch is how many households the scan reads at a time.
const scanBatch = 1000

// Scan is the early warning (ADMIN, or the server's daily run). For every
// household without a case in hand it projects this year's per-capita
// income; below the province's threshold it opens a DETECTED case
// (UNSTABLE_EXITED for exited households, MARGINAL otherwise), and on a
// sharp drop from last year a SUDDEN_HARDSHIP case flagged INCOME_LOSS.
// Households whose case was closed within CoolingOff are left alone.
// It flags monitored households that have had no development assistance
// (an active benefit link or marketplace income since identification) a
// month after identification. Running it again opens nothing new and
// flags nothing twice.
func (s *Service) Scan(ctx context.Context, year int) (*ScanReport, error) {
	sys, err := access.As(audit.WithinJob(ctx, "monitoring-scan"), access.RunLedgerJob)
	if err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.BadInput("year must be 2000–2100")
	}
	now := s.now()
	rep := &ScanReport{Year: year}
	last := 0
	for {
		hs, err := s.client.Household.Query().Where(household.IDGT(last)).Order(ent.Asc(household.FieldID)).
			Limit(scanBatch).WithMonitoringCases().All(sys)
		if err != nil {
			return nil, err
		}
		if len(hs) == 0 {
			break
		}
		last = hs[len(hs)-1].ID
		facts, err := s.facts(sys, hs, year)
		if err != nil {
			return nil, err
		}
		var opens []*ent.MonitoringCaseCreate
		for _, h := range hs {
			rep.HouseholdsScanned++
			if inHand(h) || recentlyClosed(h, now) {
				continue
			}
			f := facts[h.ID]
			in := f.income(h, year, now)
			prev := f.previousPerCapita(h)
			var typ monitoringcase.Type
			var flags []string
			var reason string
			switch {
			case prev > 0 && in.ProjectedPerCapitaFen*100 < prev*SharpDropPercent:
				typ, flags = monitoringcase.TypeSUDDEN_HARDSHIP, []string{"INCOME_LOSS"}
				reason = fmt.Sprintf("projected %d per-capita income %s is below %d%% of last year's %s",
					year, describe(in.ProjectedPerCapitaFen), SharpDropPercent, describe(prev))
			case in.BelowThreshold:
				typ = monitoringcase.TypeMARGINAL
				if h.Status == household.StatusEXITED {
					typ = monitoringcase.TypeUNSTABLE_EXITED
				}
				reason = fmt.Sprintf("projected %d per-capita income %s is below the province's threshold %s",
					year, describe(in.ProjectedPerCapitaFen), describe(*in.ThresholdFen))
			default:
				continue
			}
			opens = append(opens, s.client.MonitoringCase.Create().SetHouseholdID(h.ID).SetType(typ).
				SetStatus(monitoringcase.StatusDETECTED).SetRiskFlags(flags).SetDetectionReason(reason).
				SetOpenedAt(now).SetIdentificationDue(WorkingDaysAfter(now, IdentificationWorkingDays)))
		}
		if len(opens) > 0 {
			ids, err := s.client.MonitoringCase.CreateBulk(opens...).Save(sys)
			if err != nil {
				return nil, err
			}
			for _, c := range ids {
				rep.CasesOpened = append(rep.CasesOpened, c.ID)
			}
		}
	}
	n, err := s.checkAssistance(sys, now)
	rep.DataQualityIssues = n
	return rep, err
}

// recentlyClosed: a case dismissed or resolved within the cooling-off
// period is not reopened on the same figures; officials just checked them.
func recentlyClosed(h *ent.Household, now time.Time) bool {
	for _, c := range h.Edges.MonitoringCases {
		if c.ClosedAt != nil && now.Sub(*c.ClosedAt) < CoolingOff {
			return true
		}
	}
	return false
}

func inHand(h *ent.Household) bool {
	for _, c := range h.Edges.MonitoringCases {
		if isOpen(c.Status) {
			return true
		}
	}
	return false
}

// checkAssistance flags (or clears) the data-quality issue of monitored
// cases identified more than a month ago, and returns how many are
// flagged now.
func (s *Service) checkAssistance(ctx context.Context, now time.Time) (int, error) {
	cases, err := s.client.MonitoringCase.Query().Where(monitoringcase.StatusEQ(monitoringcase.StatusMONITORED),
		monitoringcase.IdentifiedAtLT(now.AddDate(0, 0, -AssistanceGraceDays))).All(ctx)
	if err != nil {
		return 0, err
	}
	flagged := 0
	for _, c := range cases {
		links, err := s.client.BenefitLink.Query().Where(benefitlink.HouseholdID(c.HouseholdID),
			benefitlink.ValidFromLTE(now), benefitlink.Or(benefitlink.ValidUntilIsNil(), benefitlink.ValidUntilGT(now))).Exist(ctx)
		if err != nil {
			return 0, err
		}
		income, err := s.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME),
			ledgerentry.HouseholdID(c.HouseholdID), ledgerentry.OccurredAtGT(*c.IdentifiedAt)).Exist(ctx)
		if err != nil {
			return 0, err
		}
		issue := ""
		if !links && !income {
			issue = fmt.Sprintf("monitored since %s with no development assistance: no active benefit link and no marketplace income since",
				c.IdentifiedAt.In(period.CST).Format(time.DateOnly))
			flagged++
		}
		if issue != c.DataQualityIssue {
			if err := s.client.MonitoringCase.UpdateOne(c).SetDataQualityIssue(issue).Exec(ctx); err != nil {
				return 0, err
			}
		}
	}
	return flagged, nil
}
