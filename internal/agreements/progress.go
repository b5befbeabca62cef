package agreements

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/buyerprofile"
	"bangfu/ent/credittotal"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/organization"
	"bangfu/ent/predicate"
	"bangfu/ent/progressreport"
	"bangfu/ent/purchasetotal"
	"bangfu/ent/region"
	"bangfu/ent/target"
	"bangfu/internal/access"
	"bangfu/internal/apperr"
	"bangfu/internal/attribution"
	"bangfu/internal/gid"
	"bangfu/internal/integrity"
	"bangfu/internal/period"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
)

// Progress reads never scan the ledger: marketplace indicators come from
// the credit totals the ledger hook keeps (a few rows per agreement,
// county and month), reported ones from approved reports (a handful per
// agreement and year). Their cost does not grow with the number of
// settled lines.

// MonthAmount is one month of a progress series.
type MonthAmount struct {
	Month      int
	Amount     int64
	Cumulative int64
}

// TargetProgress is one indicator's progress toward its yearly target.
type TargetProgress struct {
	Indicator target.Indicator
	// Source: LEDGER (settled purchases) or REPORTS (approved reports).
	Source         string
	TargetValue    int64
	Actual         int64
	Percent        *float64 // nil without a target
	ExpectedToDate int64    // the target × the share of the year elapsed (linear schedule)
	BehindSchedule bool
	Monthly        []MonthAmount
	// UnderOpenFlags is how much of Actual comes from orders with an open
	// integrity flag (LEDGER indicators; internal/integrity).
	UnderOpenFlags int64
}

// AgreementProgress is an agreement's progress in one year.
type AgreementProgress struct {
	Agreement *ent.Agreement
	Year      int
	AsOf      time.Time
	// DaysElapsed of DaysInYear (CST) set the linear schedule.
	DaysElapsed, DaysInYear int
	Targets                 []TargetProgress
	// Versions are the agreement versions whose credits were counted (a
	// subscription watches each of them).
	Versions []int
}

// indicatorOrder is the order rows are shown in.
var indicatorOrder = []target.Indicator{
	target.IndicatorDIRECT_PURCHASE, target.IndicatorHELP_SELL, target.IndicatorFUNDS_INVESTED,
	target.IndicatorFUNDS_INTRODUCED, target.IndicatorCADRES_TRAINED, target.IndicatorTECHNICIANS_TRAINED,
	target.IndicatorLABOR_TRANSFERRED,
}

func fromLedger(ind target.Indicator) bool {
	return ind == target.IndicatorDIRECT_PURCHASE || ind == target.IndicatorHELP_SELL
}

// Progress returns the agreement's progress for the year. Progress counts
// across all versions of the agreement (an amendment does not restart the
// year); targets are the viewed version's.
func (s *Service) Progress(ctx context.Context, agreementID, year int) (*AgreementProgress, error) {
	sys, err := access.As(ctx, access.ReadFigures)
	if err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.BadInput("year must be 2000–2100")
	}
	a, err := s.client.Agreement.Get(sys, agreementID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("agreement %s not found", gid.Ref(agreementID))
	}
	if err != nil {
		return nil, err
	}
	versions, err := s.versions(sys, seriesRoot(a))
	if err != nil {
		return nil, err
	}
	targets, err := s.client.Target.Query().Where(target.AgreementID(a.ID), target.Year(year)).All(sys)
	if err != nil {
		return nil, err
	}
	monthly, err := s.monthly(sys, versions, year)
	if err != nil {
		return nil, err
	}
	flagged, err := integrity.UnderOpenFlags(sys, s.client, versions, year)
	if err != nil {
		return nil, err
	}
	now := s.now()
	elapsed, days := daysElapsed(year, now)
	p := &AgreementProgress{Agreement: a, Year: year, AsOf: now, DaysElapsed: elapsed, DaysInYear: days, Versions: versions}
	for _, ind := range indicatorOrder {
		var goal int64
		has := false
		for _, t := range targets {
			if t.Indicator == ind {
				goal, has = t.TargetValue, true
			}
		}
		series, credited := monthly[ind]
		if !has && !credited {
			continue
		}
		tp := progressOf(ind, goal, has, series, elapsed, days)
		tp.UnderOpenFlags = flagged[string(ind)]
		p.Targets = append(p.Targets, tp)
	}
	return p, nil
}

func progressOf(ind target.Indicator, goal int64, hasGoal bool, series [13]int64, elapsed, days int) TargetProgress {
	tp := TargetProgress{Indicator: ind, TargetValue: goal, Source: "REPORTS"}
	if fromLedger(ind) {
		tp.Source = "LEDGER"
	}
	for m := 1; m <= 12; m++ {
		tp.Actual += series[m]
		tp.Monthly = append(tp.Monthly, MonthAmount{Month: m, Amount: series[m], Cumulative: tp.Actual})
	}
	if hasGoal {
		tp.Percent = percent(tp.Actual, goal)
		tp.ExpectedToDate = goal * int64(elapsed) / int64(days)
		tp.BehindSchedule = tp.Actual < tp.ExpectedToDate
	}
	return tp
}

// percent is actual / goal in percent, to two decimals; nil for no goal.
func percent(actual, goal int64) *float64 {
	if goal <= 0 {
		return nil
	}
	p := math.Round(float64(actual)*10000/float64(goal)) / 100
	return &p
}

// daysElapsed is how many CST days of the year have begun by now, and how
// many the year has.
func daysElapsed(year int, now time.Time) (int, int) {
	days := int(period.YearStart(year+1).Sub(period.YearStart(year)).Hours() / 24)
	switch {
	case now.Before(period.YearStart(year)):
		return 0, days
	case !now.Before(period.YearStart(year + 1)):
		return days, days
	}
	return now.In(period.CST).YearDay(), days
}

// Versions lists every version id of the agreement's series (the original
// and its amendments), whose credits its progress counts.
func (s *Service) Versions(ctx context.Context, agreementID int) ([]int, error) {
	a, err := s.client.Agreement.Get(ctx, agreementID) // agreements are public
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("agreement %s not found", gid.Ref(agreementID))
	}
	if err != nil {
		return nil, err
	}
	return s.versions(ctx, seriesRoot(a))
}

// versions lists every version id of an agreement series.
func (s *Service) versions(ctx context.Context, root int) ([]int, error) {
	return s.client.Agreement.Query().Where(agreement.Or(agreement.ID(root), agreement.OriginalID(root))).IDs(ctx)
}

// monthly sums credits and approved reports by indicator and month
// (index 1–12) over the agreement versions.
func (s *Service) monthly(ctx context.Context, versions []int, year int) (map[target.Indicator][13]int64, error) {
	out := map[target.Indicator][13]int64{}
	var credits []struct {
		Indicator string `json:"indicator"`
		Month     int    `json:"month"`
		Sum       int64  `json:"sum"`
	}
	err := s.client.CreditTotal.Query().Where(credittotal.AgreementIDIn(versions...), credittotal.Year(year)).
		GroupBy(credittotal.FieldIndicator, credittotal.FieldMonth).
		Aggregate(ent.Sum(credittotal.FieldAmount)).Scan(ctx, &credits)
	if err != nil {
		return nil, err
	}
	for _, c := range credits {
		ind := target.Indicator(c.Indicator)
		m := out[ind]
		m[c.Month] += c.Sum
		out[ind] = m
	}
	reports, err := s.client.ProgressReport.Query().Where(progressreport.AgreementIDIn(versions...),
		progressreport.Year(year), progressreport.StatusEQ(progressreport.StatusAPPROVED)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range reports {
		ind := target.Indicator(r.Indicator)
		m := out[ind]
		m[reportMonth(r, year)] += r.Value
		out[ind] = m
	}
	return out, nil
}

// reportMonth places an approved report in the month it was approved,
// within its year: approvals after the year count in December.
func reportMonth(r *ent.ProgressReport, year int) int {
	if r.ReviewedAt == nil {
		return 12
	}
	y, m := period.Of(*r.ReviewedAt)
	switch {
	case y > year:
		return 12
	case y < year:
		return 1
	}
	return m
}

// RollupScope names what a roll-up sums over.
type RollupScope string

// Roll-up scopes.
const (
	EastRegion     RollupScope = "EAST_REGION"     // agreements helped by an eastern region or its subdivisions
	WestRegion     RollupScope = "WEST_REGION"     // credits into a western province, city or county
	DesignatedUnit RollupScope = "DESIGNATED_UNIT" // a central unit's responsibility letters
)

// RollupRow is one agreement kind and indicator of a roll-up.
type RollupRow struct {
	Kind        agreement.Kind
	Indicator   target.Indicator
	TargetValue int64
	Actual      int64
	Percent     *float64
}

// Rollup sums progress over many agreements.
type Rollup struct {
	Scope      RollupScope
	ID         int
	Name       string
	Year       int
	Agreements int
	Rows       []RollupRow
}

// Rollup sums a year's progress per eastern region, western region or
// designated unit. Targets are those of each agreement's version in
// force (or last in force) in the year; western regions have no targets
// of their own, only what was credited to them.
func (s *Service) Rollup(ctx context.Context, scope RollupScope, id, year int) (*Rollup, error) {
	sys, err := access.As(ctx, access.ReadFigures)
	if err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.BadInput("year must be 2000–2100")
	}
	r := &Rollup{Scope: scope, ID: id, Year: year}
	var pick []func(*ent.AgreementQuery)
	switch scope {
	case EastRegion, WestRegion:
		reg, err := s.client.Region.Get(sys, id)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("region %s not found", gid.Ref(id))
		}
		if err != nil {
			return nil, err
		}
		r.Name = reg.Name
		if scope == WestRegion {
			return s.westRollup(sys, r, reg)
		}
		if reg.Side != region.SideEAST {
			return nil, apperr.BadInput("%s is not an eastern region", reg.Name)
		}
		pick = append(pick, func(q *ent.AgreementQuery) {
			q.Where(agreement.KindEQ(agreement.KindEAST_WEST), agreement.HasHelpingRegionWith(within(reg)))
		})
	case DesignatedUnit:
		o, err := s.client.Organization.Get(sys, id)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("organization %s not found", gid.Ref(id))
		}
		if err != nil {
			return nil, err
		}
		r.Name = o.Name
		pick = append(pick, func(q *ent.AgreementQuery) {
			q.Where(agreement.KindEQ(agreement.KindDESIGNATED), agreement.HelpingUnitID(o.ID))
		})
	default:
		return nil, apperr.BadInput("unknown scope %q", scope)
	}
	q := s.client.Agreement.Query().Where(agreement.ActivatedAtNotNil())
	for _, p := range pick {
		p(q)
	}
	all, err := q.Order(ent.Asc(agreement.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	// Group versions by series; the series' version for the year is the
	// latest activated one whose period covers the year.
	current := map[int]*ent.Agreement{}
	var versionIDs []int
	for _, a := range all {
		if a.PeriodStart.Year() > year || a.PeriodEnd.Year() < year {
			continue
		}
		root := seriesRoot(a)
		versionIDs = append(versionIDs, a.ID)
		if c := current[root]; c == nil || a.Version > c.Version {
			current[root] = a
		}
	}
	r.Agreements = len(current)
	var currentIDs []int
	for _, a := range current {
		currentIDs = append(currentIDs, a.ID)
	}
	targets, err := s.client.Target.Query().Where(target.AgreementIDIn(currentIDs...), target.Year(year)).All(sys)
	if err != nil {
		return nil, err
	}
	kindOf := map[int]agreement.Kind{}
	for _, a := range all {
		kindOf[a.ID] = a.Kind
	}
	rows := map[[2]string]*RollupRow{}
	row := func(k agreement.Kind, ind target.Indicator) *RollupRow {
		key := [2]string{string(k), string(ind)}
		if rows[key] == nil {
			rows[key] = &RollupRow{Kind: k, Indicator: ind}
		}
		return rows[key]
	}
	for _, t := range targets {
		row(kindOf[t.AgreementID], t.Indicator).TargetValue += t.TargetValue
	}
	byAgreement, err := s.actualsByAgreement(sys, versionIDs, year)
	if err != nil {
		return nil, err
	}
	for key, v := range byAgreement {
		row(kindOf[key.agreement], key.indicator).Actual += v
	}
	r.Rows = sortedRows(rows)
	return r, nil
}

type agreementIndicator struct {
	agreement int
	indicator target.Indicator
}

// actualsByAgreement sums credits and approved reports per version and
// indicator for the year.
func (s *Service) actualsByAgreement(ctx context.Context, versions []int, year int) (map[agreementIndicator]int64, error) {
	out := map[agreementIndicator]int64{}
	if len(versions) == 0 {
		return out, nil
	}
	var credits []struct {
		AgreementID int    `json:"agreement_id"`
		Indicator   string `json:"indicator"`
		Sum         int64  `json:"sum"`
	}
	err := s.client.CreditTotal.Query().Where(credittotal.AgreementIDIn(versions...), credittotal.Year(year)).
		GroupBy(credittotal.FieldAgreementID, credittotal.FieldIndicator).
		Aggregate(ent.Sum(credittotal.FieldAmount)).Scan(ctx, &credits)
	if err != nil {
		return nil, err
	}
	for _, c := range credits {
		out[agreementIndicator{c.AgreementID, target.Indicator(c.Indicator)}] += c.Sum
	}
	reports, err := s.client.ProgressReport.Query().Where(progressreport.AgreementIDIn(versions...),
		progressreport.Year(year), progressreport.StatusEQ(progressreport.StatusAPPROVED)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range reports {
		out[agreementIndicator{r.AgreementID, target.Indicator(r.Indicator)}] += r.Value
	}
	return out, nil
}

// westRollup sums what was credited to products of a western region.
func (s *Service) westRollup(ctx context.Context, r *Rollup, reg *ent.Region) (*Rollup, error) {
	if reg.Side == region.SideEAST {
		return nil, apperr.BadInput("%s is an eastern region", reg.Name)
	}
	counties, err := s.client.Region.Query().Where(within(reg)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	var sums []struct {
		AgreementID int    `json:"agreement_id"`
		Indicator   string `json:"indicator"`
		Sum         int64  `json:"sum"`
	}
	err = s.client.CreditTotal.Query().Where(credittotal.OriginCountyIDIn(counties...), credittotal.Year(r.Year)).
		GroupBy(credittotal.FieldAgreementID, credittotal.FieldIndicator).
		Aggregate(ent.Sum(credittotal.FieldAmount)).Scan(ctx, &sums)
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, x := range sums {
		ids = append(ids, x.AgreementID)
	}
	agreements, err := s.client.Agreement.Query().Where(agreement.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	kindOf := map[int]agreement.Kind{}
	series := map[int]bool{}
	for _, a := range agreements {
		kindOf[a.ID] = a.Kind
		series[seriesRoot(a)] = true
	}
	r.Agreements = len(series)
	rows := map[[2]string]*RollupRow{}
	for _, x := range sums {
		k := kindOf[x.AgreementID]
		key := [2]string{string(k), x.Indicator}
		if rows[key] == nil {
			rows[key] = &RollupRow{Kind: k, Indicator: target.Indicator(x.Indicator)}
		}
		rows[key].Actual += x.Sum
	}
	r.Rows = sortedRows(rows)
	return r, nil
}

func sortedRows(rows map[[2]string]*RollupRow) []RollupRow {
	out := make([]RollupRow, 0, len(rows))
	for _, r := range rows {
		r.Percent = percent(r.Actual, r.TargetValue)
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b RollupRow) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return slices.Index(indicatorOrder, a.Indicator) - slices.Index(indicatorOrder, b.Indicator)
	})
	return out
}

// within matches the region and every division below it (GB/T 2260 codes
// nest: a prefix of the significant digits).
func within(r *ent.Region) predicate.Region {
	return region.CodeHasPrefix(validate.RegionPrefix(r.Code))
}

// CanteenQuota is a budget unit's canteen reservation (DOMAIN rule 4):
// at least the reserved share of canteen food procurement goes to
// products of poor areas.
type CanteenQuota struct {
	OrganizationID  int
	Year            int
	HasCanteen      bool
	BudgetFen       int64
	ReservedShareBp int
	QuotaFen        int64
	PurchasedFen    int64 // settled purchases that count (certified and valid)
	Percent         *float64
	ExpectedToDate  int64
	BehindSchedule  bool
}

// Quota returns an organization's canteen quota completion for the year.
// Only the unit's own purchases count: its union buys for its members,
// not for the canteen.
func (s *Service) Quota(ctx context.Context, orgID, year int) (*CanteenQuota, error) {
	sys, err := access.As(ctx, access.ReadFigures)
	if err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.BadInput("year must be 2000–2100")
	}
	o, err := s.client.Organization.Query().Where(organization.ID(orgID)).
		WithBuyerProfiles(func(q *ent.BuyerProfileQuery) { q.Where(buyerprofile.Year(year)) }).Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("organization %s not found", gid.Ref(orgID))
	}
	if err != nil {
		return nil, err
	}
	q := &CanteenQuota{OrganizationID: o.ID, Year: year}
	months, err := s.client.PurchaseTotal.Query().Where(purchasetotal.OrganizationID(o.ID), purchasetotal.Year(year)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, m := range months {
		q.PurchasedFen += m.CountedFen
	}
	if bps := o.Edges.BuyerProfiles; len(bps) == 1 && bps[0].HasCanteen {
		bp := bps[0]
		q.HasCanteen, q.BudgetFen, q.ReservedShareBp = true, bp.CanteenFoodBudgetFen, bp.ReservedShareBp
		q.QuotaFen = bp.CanteenFoodBudgetFen * int64(bp.ReservedShareBp) / 10_000
		elapsed, days := daysElapsed(year, s.now())
		q.Percent = percent(q.PurchasedFen, q.QuotaFen)
		q.ExpectedToDate = q.QuotaFen * int64(elapsed) / int64(days)
		q.BehindSchedule = q.PurchasedFen < q.ExpectedToDate
	}
	return q, nil
}

// TargetCredits queries the credits counted toward a target: every
// version of its agreement, its indicator and year (none for reported
// indicators). The ledger's own privacy rules decide who sees them.
func (s *Service) TargetCredits(ctx context.Context, t *ent.Target) (*ent.LedgerEntryQuery, error) {
	a, err := s.client.Agreement.Get(ctx, t.AgreementID) // agreements are public
	if err != nil {
		return nil, err
	}
	versions, err := s.versions(ctx, seriesRoot(a))
	if err != nil {
		return nil, err
	}
	q := s.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.AgreementIDIn(versions...), ledgerentry.Year(t.Year))
	if !fromLedger(t.Indicator) {
		return q.Where(ledgerentry.IDIn()), nil
	}
	return q.Where(ledgerentry.IndicatorEQ(ledgerentry.Indicator(t.Indicator))), nil
}

// Recompute re-runs attribution over the whole ledger and reports every
// figure that does not reproduce (ADMIN; it changes nothing).
func (s *Service) Recompute(ctx context.Context) (*attribution.Report, error) {
	sys, err := access.As(ctx, access.RunLedgerJob)
	if err != nil {
		return nil, err
	}
	return attribution.Recompute(sys, s.client)
}

// Explain says why an order line earns what it does. The caller has
// already read the line through its privacy rules; the explanation reads
// agreements and organizations as the server.
func (s *Service) Explain(ctx context.Context, lineID int) ([]string, error) {
	return attribution.Explain(viewer.AsSystem(ctx), s.client, lineID)
}
