// Package monitoring holds the rules of monitoring for return to poverty
// (防止返贫监测, DOMAIN rule 6): provincial income thresholds, household
// income from the ledger plus reported income, the case workflow with its
// deadlines, and the early-warning scan.
package monitoring

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/annualincome"
	"bangfu/ent/household"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/monitoringcase"
	"bangfu/ent/monitoringthreshold"
	"bangfu/ent/region"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/period"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
)

// Service applies the monitoring rules.
type Service struct {
	client *ent.Client
	now    clock.Clock
}

// New returns the service.
func New(client *ent.Client, now clock.Clock) *Service {
	return &Service{client: client, now: now}
}

// Rules of the workflow (configurable defaults from the published rules).
const (
	IdentificationWorkingDays = 20 // identification within 20 working days of opening
	MinNoticeDays             = 5  // public notice at least 5 days
	AssistanceGraceDays       = 30 // development assistance within a month of identification
	SharpDropPercent          = 70 // projected income below 70% of last year's is a sharp drop
)

// CoolingOff is how long the scan leaves a household alone after its case
// was dismissed or its risk eliminated.
const CoolingOff = 90 * 24 * time.Hour

// RiskFlags are the recognised risks.
var RiskFlags = []string{"ILLNESS", "DISABILITY", "DISASTER", "SCHOOLING_COSTS", "INCOME_LOSS"}

// WorkingDaysAfter is the moment n working days (Monday to Friday, China
// Standard Time) after t. Public holidays and the weekend days the State
// Council turns into working days are not modelled: the deadline can be
// a day or two early around them, never late.
func WorkingDaysAfter(t time.Time, n int) time.Time {
	c := t.In(period.CST)
	for n > 0 {
		c = c.AddDate(0, 0, 1)
		if wd := c.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return c.UTC()
}

// closed are the states in which identification is over.
var closed = []monitoringcase.Status{monitoringcase.StatusMONITORED, monitoringcase.StatusRISK_ELIMINATED, monitoringcase.StatusDISMISSED}

// open are the states of a case still in hand (not dismissed or resolved).
func isOpen(s monitoringcase.Status) bool {
	return s != monitoringcase.StatusRISK_ELIMINATED && s != monitoringcase.StatusDISMISSED
}

// Overdue reports whether a case is still being identified after its
// deadline.
func Overdue(c *ent.MonitoringCase, now time.Time) bool {
	return !slices.Contains(closed, c.Status) && now.After(c.IdentificationDue)
}

// SetThreshold sets a province's yearly threshold (ADMIN, by policy).
func (s *Service) SetThreshold(ctx context.Context, provinceID, year int, fen int64) (*ent.MonitoringThreshold, error) {
	if year < 2000 || year > 2100 || fen <= 0 {
		return nil, apperr.BadInput("give a year 2000–2100 and a positive threshold in fen")
	}
	p, err := s.client.Region.Get(ctx, provinceID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("region not found")
	}
	if err != nil {
		return nil, err
	}
	if p.Level != region.LevelPROVINCE {
		return nil, apperr.BadInput("thresholds are set per province; %s is a %s", p.Name, p.Level)
	}
	id, err := s.client.MonitoringThreshold.Create().SetProvinceID(p.ID).SetYear(year).SetPerCapitaIncomeFen(fen).
		OnConflictColumns(monitoringthreshold.FieldProvinceID, monitoringthreshold.FieldYear).
		UpdatePerCapitaIncomeFen().UpdateUpdatedAt().ID(ctx)
	if err != nil {
		return nil, err
	}
	return s.client.MonitoringThreshold.Get(ctx, id)
}

// Income is a household's income for a year.
type Income struct {
	HouseholdID int
	Year        int
	MemberCount int
	// LedgerFen is income that reached the household through the
	// marketplace (settled sales through benefit links, net of refunds).
	LedgerFen int64
	// ReportedPerCapitaFen is the per-capita income reported for the year
	// (other sources), if any.
	ReportedPerCapitaFen *int64
	// PerCapitaFen = LedgerFen / members + reported per capita.
	PerCapitaFen int64
	// ProjectedPerCapitaFen extrapolates this year's ledger income to the
	// whole year; reported income counts as reported, or last year's when
	// this year's is not in yet.
	ProjectedPerCapitaFen int64
	ThresholdFen          *int64
	BelowThreshold        bool
}

// HouseholdIncome returns a household's income for the year. The caller
// must be allowed to read the household (privacy decides).
func (s *Service) HouseholdIncome(ctx context.Context, householdID, year int) (*Income, error) {
	h, err := s.client.Household.Get(ctx, householdID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("household not found")
	}
	if err != nil {
		return nil, err
	}
	sys := viewer.AsSystem(ctx)
	facts, err := s.facts(sys, []*ent.Household{h}, year)
	if err != nil {
		return nil, err
	}
	return facts[h.ID].income(h, year, s.now()), nil
}

// householdFacts are the figures the scan and HouseholdIncome read.
type householdFacts struct {
	ledger, ledgerPrev     int64
	reported, reportedPrev *int64
	threshold              *int64
}

func (f *householdFacts) income(h *ent.Household, year int, now time.Time) *Income {
	members := max(h.MemberCount, 1)
	in := &Income{HouseholdID: h.ID, Year: year, MemberCount: members, LedgerFen: f.ledger,
		ReportedPerCapitaFen: f.reported, ThresholdFen: f.threshold}
	in.PerCapitaFen = f.ledger / int64(members)
	if f.reported != nil {
		in.PerCapitaFen += *f.reported
	}
	elapsed := period.ElapsedShare(year, now)
	projected := f.ledger
	if elapsed > 0 && elapsed < 1 {
		days := float64(period.YearStart(year+1).Sub(period.YearStart(year)).Hours() / 24)
		projected = f.ledger * int64(days) / max(int64(elapsed*days), 1)
	}
	in.ProjectedPerCapitaFen = projected / int64(members)
	switch {
	case f.reported != nil:
		in.ProjectedPerCapitaFen += *f.reported
	case f.reportedPrev != nil:
		in.ProjectedPerCapitaFen += *f.reportedPrev
	}
	in.BelowThreshold = f.threshold != nil && in.ProjectedPerCapitaFen < *f.threshold
	return in
}

// previousPerCapita is last year's per-capita income, or -1 if unknown.
func (f *householdFacts) previousPerCapita(h *ent.Household) int64 {
	if f.reportedPrev == nil && f.ledgerPrev == 0 {
		return -1
	}
	v := f.ledgerPrev / int64(max(h.MemberCount, 1))
	if f.reportedPrev != nil {
		v += *f.reportedPrev
	}
	return v
}

// facts loads the figures for households in a few grouped queries.
func (s *Service) facts(ctx context.Context, hs []*ent.Household, year int) (map[int]*householdFacts, error) {
	out := map[int]*householdFacts{}
	ids := make([]int, 0, len(hs))
	for _, h := range hs {
		out[h.ID] = &householdFacts{}
		ids = append(ids, h.ID)
	}
	var sums []struct {
		HouseholdID int   `json:"household_id"`
		Year        int   `json:"year"`
		Sum         int64 `json:"sum"`
	}
	err := s.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME),
		ledgerentry.HouseholdIDIn(ids...), ledgerentry.YearIn(year, year-1)).
		GroupBy(ledgerentry.FieldHouseholdID, ledgerentry.FieldYear).Aggregate(ent.Sum(ledgerentry.FieldAmount)).Scan(ctx, &sums)
	if err != nil {
		return nil, err
	}
	for _, x := range sums {
		if x.Year == year {
			out[x.HouseholdID].ledger = x.Sum
		} else {
			out[x.HouseholdID].ledgerPrev = x.Sum
		}
	}
	reported, err := s.client.AnnualIncome.Query().Where(annualincome.HouseholdIDIn(ids...), annualincome.YearIn(year, year-1)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range reported {
		v := r.PerCapitaNetIncomeFen
		if r.Year == year {
			out[r.HouseholdID].reported = &v
		} else {
			out[r.HouseholdID].reportedPrev = &v
		}
	}
	thresholds, err := s.client.MonitoringThreshold.Query().Where(monitoringthreshold.Year(year)).WithProvince().All(ctx)
	if err != nil {
		return nil, err
	}
	byPrefix := map[string]int64{}
	for _, t := range thresholds {
		byPrefix[t.Edges.Province.Code[:2]] = t.PerCapitaIncomeFen
	}
	for _, h := range hs {
		if len(h.CountyCode) >= 2 {
			if v, ok := byPrefix[h.CountyCode[:2]]; ok {
				out[h.ID].threshold = &v
			}
		}
	}
	return out, nil
}

// CaseInput opens a case on a household's application.
type CaseInput struct {
	HouseholdID int
	Type        monitoringcase.Type
	RiskFlags   []string
	Notes       string
}

// Apply opens a case on the household's application (an official of the
// county enters it, by policy). A household has at most one case in hand.
func (s *Service) Apply(ctx context.Context, in CaseInput) (*ent.MonitoringCase, error) {
	if err := monitoringcase.TypeValidator(in.Type); err != nil {
		return nil, apperr.BadInput("unknown type %q", in.Type)
	}
	for _, f := range in.RiskFlags {
		if !slices.Contains(RiskFlags, f) {
			return nil, apperr.BadInput("unknown risk flag %q (one of %s)", f, strings.Join(RiskFlags, ", "))
		}
	}
	if len([]rune(in.Notes)) > 2000 {
		return nil, apperr.BadInput("notes are at most 2000 characters")
	}
	if _, err := s.client.Household.Get(ctx, in.HouseholdID); ent.IsNotFound(err) {
		return nil, apperr.NotFound("household not found")
	} else if err != nil {
		return nil, err
	}
	if err := s.noCaseInHand(ctx, in.HouseholdID); err != nil {
		return nil, err
	}
	now := s.now()
	return s.client.MonitoringCase.Create().SetHouseholdID(in.HouseholdID).SetType(in.Type).
		SetStatus(monitoringcase.StatusAPPLIED).SetRiskFlags(in.RiskFlags).SetNotes(in.Notes).
		SetOpenedAt(now).SetIdentificationDue(WorkingDaysAfter(now, IdentificationWorkingDays)).Save(ctx)
}

func (s *Service) noCaseInHand(ctx context.Context, householdID int) error {
	cases, err := s.client.MonitoringCase.Query().Where(monitoringcase.HouseholdID(householdID)).All(viewer.AsSystem(ctx))
	if err != nil {
		return err
	}
	for _, c := range cases {
		if isOpen(c.Status) {
			return apperr.Conflict("the household already has a case in hand (%s)", c.Status).WithStatus(c.Status.String())
		}
	}
	return nil
}

// Step is a workflow step.
type Step string

// The workflow: detection or application → home visit → village review
// → public notice (at least 5 days) → county decision → monitored → risk
// eliminated; a case can be dismissed until it is monitored.
const (
	Visit     Step = "VISIT"
	Review    Step = "REVIEW"
	Notice    Step = "NOTICE"
	Decide    Step = "DECIDE"
	Monitor   Step = "MONITOR"
	Eliminate Step = "ELIMINATE"
	Dismiss   Step = "DISMISS"
)

var steps = workflow.Steps[Step, monitoringcase.Status]{
	Visit:     {From: []monitoringcase.Status{monitoringcase.StatusDETECTED, monitoringcase.StatusAPPLIED}, To: monitoringcase.StatusHOME_VISIT},
	Review:    {From: []monitoringcase.Status{monitoringcase.StatusHOME_VISIT}, To: monitoringcase.StatusVILLAGE_REVIEW},
	Notice:    {From: []monitoringcase.Status{monitoringcase.StatusVILLAGE_REVIEW}, To: monitoringcase.StatusPUBLIC_NOTICE},
	Decide:    {From: []monitoringcase.Status{monitoringcase.StatusPUBLIC_NOTICE}, To: monitoringcase.StatusCOUNTY_DECISION},
	Monitor:   {From: []monitoringcase.Status{monitoringcase.StatusCOUNTY_DECISION}, To: monitoringcase.StatusMONITORED},
	Eliminate: {From: []monitoringcase.Status{monitoringcase.StatusMONITORED}, To: monitoringcase.StatusRISK_ELIMINATED},
	Dismiss: {From: []monitoringcase.Status{monitoringcase.StatusDETECTED, monitoringcase.StatusAPPLIED, monitoringcase.StatusHOME_VISIT,
		monitoringcase.StatusVILLAGE_REVIEW, monitoringcase.StatusPUBLIC_NOTICE, monitoringcase.StatusCOUNTY_DECISION},
		To: monitoringcase.StatusDISMISSED, NeedsReason: true},
}

// Move applies a workflow step; the MonitoringCase policy decides whether
// the caller's scope covers the household. Monitoring a household marks it
// MONITORED; eliminating the risk marks it EXITED again. notes are added to
// the case's notes; dismissing needs them as its reason.
func (s *Service) Move(ctx context.Context, id int, step Step, notes string) (*ent.MonitoringCase, error) {
	st, err := steps.Get(step)
	if err != nil {
		return nil, err
	}
	if len([]rune(notes)) > 2000 {
		return nil, apperr.BadInput("notes are at most 2000 characters")
	}
	notes, missingReason := st.Reason(strings.ToLower(string(step)), notes)
	var out *ent.MonitoringCase
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c, err := tx.MonitoringCase.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("monitoring case not found")
		}
		if err != nil {
			return err
		}
		if missingReason != nil {
			// A step the case's state refuses anyway says so first.
			if !st.Allows(c.Status) {
				return st.Refuse("case", strings.ToLower(string(step)), c.Status)
			}
			return missingReason
		}
		now := s.now()
		var householdStatus household.Status
		upd := tx.MonitoringCase.UpdateOneID(c.ID).Where(monitoringcase.StatusIn(st.From...)).SetStatus(st.To)
		if notes != "" {
			upd.SetNotes(strings.TrimSpace(c.Notes + "\n" + notes))
		}
		switch step {
		case Notice:
			upd.SetNoticeStart(now)
		case Decide:
			// The county decides only after the notice ran its minimum.
			upd.Where(monitoringcase.NoticeStartLTE(now.AddDate(0, 0, -MinNoticeDays)))
		case Monitor:
			upd.SetIdentifiedAt(now)
			householdStatus = household.StatusMONITORED
		case Eliminate:
			upd.SetRiskEliminatedAt(now).SetClosedAt(now)
			householdStatus = household.StatusEXITED
		case Dismiss:
			upd.SetClosedAt(now)
		}
		out, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			if step == Decide && st.Allows(c.Status) && c.NoticeStart != nil {
				ends := c.NoticeStart.AddDate(0, 0, MinNoticeDays)
				return apperr.Conflict("the public notice runs until %s (at least %d days)", ends.Format(time.RFC3339), MinNoticeDays).
					WithStatus(c.Status.String())
			}
			return st.Refuse("case", strings.ToLower(string(step)), c.Status)
		}
		if err != nil || householdStatus == "" {
			return err
		}
		// The household's status follows the case; the case's policy
		// already decided the viewer may act on this household.
		return tx.Household.UpdateOneID(c.HouseholdID).SetStatus(householdStatus).Exec(viewer.AsSystem(ctx))
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func describe(v int64) string { return fmt.Sprintf("¥%d.%02d", v/100, v%100) }

// IsOverdue reports whether the case is overdue now.
func (s *Service) IsOverdue(c *ent.MonitoringCase) bool { return Overdue(c, s.now()) }
