package evaluation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/household"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/ent/verificationvisit"
	"bangfu/internal/viewer"
)

// RollupRow sums the visits of one county, supplier or agreement.
type RollupRow struct {
	Subject           ent.Noder // *ent.Region, *ent.Organization or *ent.Agreement
	Name              string
	Visits            int
	Households        int
	KnowsSupplier     int
	ConfirmsMechanism int
	Discrepancies     int
	ReportedIncomeFen int64
	LedgerIncomeFen   int64
	SatisfactionSum   int
	households        map[int]bool
}

// AverageSatisfaction is the mean satisfaction score of the visits.
func (r *RollupRow) AverageSatisfaction() float64 {
	if r.Visits == 0 {
		return 0
	}
	return float64(r.SatisfactionSum) / float64(r.Visits)
}

func (r *RollupRow) add(v *ent.VerificationVisit) {
	r.Visits++
	if r.households == nil {
		r.households = map[int]bool{}
	}
	if !r.households[v.HouseholdID] {
		r.households[v.HouseholdID] = true
		r.Households++
	}
	if v.KnowsSupplier {
		r.KnowsSupplier++
	}
	if v.ConfirmsMechanism {
		r.ConfirmsMechanism++
	}
	if v.Discrepancy {
		r.Discrepancies++
	}
	r.ReportedIncomeFen += v.ReportedIncomeFen
	r.LedgerIncomeFen += v.LedgerIncomeFen
	r.SatisfactionSum += v.Satisfaction
}

// Rollup is the year's visits summed per county, supplier and agreement
// (a visit counts toward every agreement credited with the purchases
// behind its ledger income, so agreement rows do not add up to the
// total).
type Rollup struct {
	Year       int
	Counties   []*RollupRow
	Suppliers  []*RollupRow
	Agreements []*RollupRow
}

// Rollup sums the visits the caller may read (auditors: all; evaluators,
// coordinators and certifiers: their counties') in the year, of one county
// when countyID is not 0.
func (s *Service) Rollup(ctx context.Context, countyID, year int) (*Rollup, error) {
	visits, err := s.visitsOf(ctx, countyID, year)
	if err != nil {
		return nil, err
	}
	out := &Rollup{Year: year}
	counties, suppliers, agreements := map[string]*RollupRow{}, map[int]*RollupRow{}, map[int]*RollupRow{}
	ids := make([]int, 0, len(visits))
	for _, v := range visits {
		ids = append(ids, v.ID)
	}
	// The agreements behind each visit: read as the system, for the visits
	// the caller has already been allowed to read.
	sys := viewer.AsSystem(ctx)
	byVisit := map[int][]int{}
	if len(ids) > 0 {
		withAgreements, err := s.client.VerificationVisit.Query().Where(verificationvisit.IDIn(ids...)).
			WithAgreements(func(q *ent.AgreementQuery) { q.Select(agreement.FieldID) }).All(sys)
		if err != nil {
			return nil, err
		}
		for _, v := range withAgreements {
			for _, a := range v.Edges.Agreements {
				byVisit[v.ID] = append(byVisit[v.ID], a.ID)
			}
		}
	}
	for _, v := range visits {
		row := func(m map[int]*RollupRow, id int) *RollupRow {
			if m[id] == nil {
				m[id] = &RollupRow{}
			}
			return m[id]
		}
		if counties[v.CountyCode] == nil {
			counties[v.CountyCode] = &RollupRow{}
		}
		counties[v.CountyCode].add(v)
		row(suppliers, v.SupplierID).add(v)
		for _, a := range byVisit[v.ID] {
			row(agreements, a).add(v)
		}
	}
	// Regions, organizations and agreements are public.
	if len(counties) > 0 {
		codes := make([]string, 0, len(counties))
		for c := range counties {
			codes = append(codes, c)
		}
		rs, err := s.client.Region.Query().Where(region.CodeIn(codes...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			counties[r.Code].Subject, counties[r.Code].Name = r, r.Name
			out.Counties = append(out.Counties, counties[r.Code])
		}
	}
	if len(suppliers) > 0 {
		os, err := s.client.Organization.Query().Where(organization.IDIn(keys(suppliers)...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			suppliers[o.ID].Subject, suppliers[o.ID].Name = o, o.Name
			out.Suppliers = append(out.Suppliers, suppliers[o.ID])
		}
	}
	if len(agreements) > 0 {
		as, err := s.client.Agreement.Query().Where(agreement.IDIn(keys(agreements)...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			agreements[a.ID].Subject, agreements[a.ID].Name = a, a.Title
			out.Agreements = append(out.Agreements, agreements[a.ID])
		}
	}
	for _, rows := range [][]*RollupRow{out.Counties, out.Suppliers, out.Agreements} {
		slices.SortStableFunc(rows, func(a, b *RollupRow) int { return cmpString(a.Name, b.Name) })
	}
	return out, nil
}

func keys(m map[int]*RollupRow) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Table is an export of verification results.
type Table struct {
	Header []string
	Rows   [][]any
}

// VisitsTable lists the year's visits the caller may read (of one county
// when countyID is not 0), one row per visit, amounts in fen: what
// auditors and evaluators take away in CSV or XLSX.
func (s *Service) VisitsTable(ctx context.Context, countyID, year int) (Table, error) {
	visits, err := s.visitsOf(ctx, countyID, year)
	if err != nil {
		return Table{}, err
	}
	t := Table{Header: []string{"县代码 county", "抽样 sample", "户编号 household", "帮扶主体 supplier",
		"机制 mechanism", "走访时间 visited (UTC)", "知晓帮扶主体 knows supplier", "认可带农机制 confirms mechanism",
		"自报收入(分) reported income (fen)", "台账收入(分) ledger income (fen)", "满意度 satisfaction (1-5)",
		"差异阈值(bp) discrepancy share (bp)", "差异 discrepancy", "备注 notes"}}
	if len(visits) == 0 {
		return t, nil
	}
	ids := make([]int, 0, len(visits))
	for _, v := range visits {
		ids = append(ids, v.ID)
	}
	// Household numbers, supplier names and mechanisms of visits the
	// caller may read, as the system (no personal data: 户编号 only).
	full, err := s.client.VerificationVisit.Query().Where(verificationvisit.IDIn(ids...)).
		WithHousehold(func(q *ent.HouseholdQuery) { q.Select(household.FieldID, household.FieldNumber) }).
		WithSupplier().WithBenefitLink().WithSample().
		All(viewer.AsSystem(ctx))
	if err != nil {
		return Table{}, err
	}
	slices.SortFunc(full, func(a, b *ent.VerificationVisit) int { return a.ID - b.ID })
	yesNo := func(b bool) string {
		if b {
			return "是 yes"
		}
		return "否 no"
	}
	for _, v := range full {
		t.Rows = append(t.Rows, []any{v.CountyCode, fmt.Sprintf("%d/%s", v.Edges.Sample.Size, v.Edges.Sample.Seed),
			v.Edges.Household.Number, v.Edges.Supplier.Name, string(v.Edges.BenefitLink.Mechanism),
			v.VisitedAt.UTC().Format(time.RFC3339), yesNo(v.KnowsSupplier), yesNo(v.ConfirmsMechanism),
			v.ReportedIncomeFen, v.LedgerIncomeFen, v.Satisfaction, v.DiscrepancyShareBp, yesNo(v.Discrepancy), v.Notes})
	}
	return t, nil
}
