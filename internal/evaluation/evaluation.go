package evaluation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/region"
	"bangfu/ent/verificationsample"
	"bangfu/ent/verificationvisit"
	"bangfu/internal/access"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/integrity"
	"bangfu/internal/period"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// Config sets the thresholds; zero values take the defaults.
type Config struct {
	// DiscrepancyShareBP: a visit whose reported income is below this share
	// of the ledger's income (basis points) is a discrepancy.
	DiscrepancyShareBP int
	// SlackFallBP: an exited county whose assistance fell by more than this
	// share of the previous year's (basis points) is called to a reminder
	// interview.
	SlackFallBP int
}

// Service applies the evaluation rules.
type Service struct {
	client *ent.Client
	now    clock.Clock
	cfg    Config
}

// New returns the service.
func New(client *ent.Client, now clock.Clock, cfg Config) *Service {
	if cfg.DiscrepancyShareBP <= 0 {
		cfg.DiscrepancyShareBP = DefaultDiscrepancyShareBP
	}
	if cfg.SlackFallBP <= 0 {
		cfg.SlackFallBP = DefaultSlackFallBP
	}
	return &Service{client: client, now: now, cfg: cfg}
}

// Config is the service's configuration, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// DrawSample draws (or, drawn before with the same arguments, returns) a
// reproducible random sample of size households of the county for the
// year. The population is the county's registered households with a
// benefit link approved and in force at some time in the year (APPROVED,
// or ENDED after a decision: a proposal withdrawn was never in force): the sample
// checks the links behind the ledger's household income, and a household
// without one has no income the ledger claims for it. Who may draw is the
// VerificationSample policy's (an EVALUATOR of the county). Two draws with
// the same arguments racing each other store one sample, and both get it.
func (s *Service) DrawSample(ctx context.Context, countyID, year, size int, seed string) (*ent.VerificationSample, error) {
	seed = strings.TrimSpace(seed)
	switch {
	case year < 2000 || year > 2100:
		return nil, apperr.BadInput("year must be 2000–2100")
	case size < MinSampleSize || size > MaxSampleSize:
		return nil, apperr.BadInput("size must be %d–%d households", MinSampleSize, MaxSampleSize)
	case seed == "" || utf8.RuneCountInString(seed) > 64 || len(seed) > 64:
		return nil, apperr.BadInput("seed is 1 to 64 bytes (publish it with the sample)")
	}
	county, err := s.client.Region.Get(ctx, countyID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("no such county")
	}
	if err != nil {
		return nil, err
	}
	if county.Level != region.LevelCOUNTY {
		return nil, apperr.BadInput("%s is a %s; samples are drawn per county", county.Name, county.Level)
	}
	if got, err := s.existing(ctx, countyID, year, size, seed); got != nil || err != nil {
		return got, err
	}
	// The population is the registry's, read as the system whoever draws:
	// the caller's own right to store the sample is checked when it is
	// saved.
	sys := viewer.AsSystem(ctx)
	start, end := period.YearStart(year), period.YearStart(year+1)
	hs, err := s.client.Household.Query().
		Where(household.CountyCode(county.Code), household.HasBenefitLinksWith(
			benefitlink.Or(benefitlink.StatusEQ(benefitlink.StatusAPPROVED),
				benefitlink.And(benefitlink.StatusEQ(benefitlink.StatusENDED), benefitlink.DecidedAtNotNil())),
			benefitlink.ValidFromLT(end), benefitlink.Or(benefitlink.ValidUntilIsNil(), benefitlink.ValidUntilGT(start)))).
		Select(household.FieldID, household.FieldNumber).All(sys)
	if err != nil {
		return nil, err
	}
	idOf := make(map[string]int, len(hs))
	numbers := make([]string, 0, len(hs))
	for _, h := range hs {
		idOf[h.Number] = h.ID
		numbers = append(numbers, h.Number)
	}
	drawn := Draw(seed, numbers, size)
	ids := make([]int, 0, len(drawn))
	for _, n := range drawn {
		ids = append(ids, idOf[n])
	}
	var out *ent.VerificationSample
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c := tx.VerificationSample.Create().SetCountyID(countyID).SetCountyCode(county.Code).SetYear(year).
			SetSize(size).SetSeed(seed).SetAlgorithm(Algorithm).SetPopulation(len(numbers)).AddHouseholdIDs(ids...)
		if p := viewer.FromContext(ctx).Person(); p != 0 {
			c.SetDrawnByID(p)
		}
		out, err = c.Save(ctx)
		return err
	})
	if ent.IsConstraintError(err) {
		// Another draw with the same arguments won the race: the sample is
		// the same, so return the one stored (any other constraint stays
		// an error).
		if won, rerr := s.existing(ctx, countyID, year, size, seed); won != nil || rerr != nil {
			return won, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func (s *Service) existing(ctx context.Context, countyID, year, size int, seed string) (*ent.VerificationSample, error) {
	got, err := s.client.VerificationSample.Query().Where(verificationsample.CountyID(countyID),
		verificationsample.Year(year), verificationsample.Size(size), verificationsample.Seed(seed)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return got, err
}

// VisitInput is what an evaluator records after visiting a household about
// one of its benefit links.
type VisitInput struct {
	SampleID          int
	BenefitLinkID     int
	VisitedAt         *time.Time // default now
	KnowsSupplier     bool
	ConfirmsMechanism bool
	ReportedIncomeFen int64
	Satisfaction      int
	Notes             string
}

// RecordVisit records a visit and compares the income the household
// reports with the ledger's: the HOUSEHOLD_INCOME entries booked to the
// household in the sample's year from the link's supplier's orders
// (reversals included). The visit keeps both figures, the share it used
// and whether they disagree (Discrepant), and the agreements credited
// with the purchases behind that income (for the roll-up). One visit per
// link and sample; a second is CONFLICT.
func (s *Service) RecordVisit(ctx context.Context, in VisitInput) (*ent.VerificationVisit, error) {
	notes := strings.TrimSpace(in.Notes)
	switch {
	case in.Satisfaction < 1 || in.Satisfaction > 5:
		return nil, apperr.BadInput("satisfaction is 1 (very dissatisfied) to 5 (very satisfied)")
	case in.ReportedIncomeFen < 0:
		return nil, apperr.BadInput("reportedIncomeFen cannot be negative")
	case utf8.RuneCountInString(notes) > 2000:
		return nil, apperr.BadInput("notes are at most 2000 characters")
	}
	now := s.now().UTC()
	visited := now
	if in.VisitedAt != nil {
		visited = in.VisitedAt.UTC()
		if visited.After(now) {
			return nil, apperr.BadInput("visitedAt is in the future")
		}
	}
	sample, err := s.client.VerificationSample.Get(ctx, in.SampleID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("no such sample")
	}
	if err != nil {
		return nil, err
	}
	// The link, its household and the ledger are read as the system: the
	// evaluator checks figures it may not read row by row.
	sys := viewer.AsSystem(ctx)
	link, err := s.client.BenefitLink.Get(sys, in.BenefitLinkID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("no such benefit link")
	}
	if err != nil {
		return nil, err
	}
	inSample, err := sample.QueryHouseholds().Where(household.ID(link.HouseholdID)).Exist(sys)
	if err != nil {
		return nil, err
	}
	if !inSample {
		return nil, apperr.BadInput("the link's household is not in the sample")
	}
	income, err := s.ledgerIncome(sys, link.HouseholdID, link.SupplierID, sample.Year)
	if err != nil {
		return nil, err
	}
	ledger, agreements := income.Fen, income.Agreements
	share := s.cfg.DiscrepancyShareBP
	var out *ent.VerificationVisit
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c := tx.VerificationVisit.Create().SetSampleID(sample.ID).SetHouseholdID(link.HouseholdID).
			SetBenefitLinkID(link.ID).SetSupplierID(link.SupplierID).SetCountyCode(sample.CountyCode).
			SetYear(sample.Year).SetVisitedAt(visited).SetKnowsSupplier(in.KnowsSupplier).
			SetConfirmsMechanism(in.ConfirmsMechanism).SetReportedIncomeFen(in.ReportedIncomeFen).
			SetLedgerIncomeFen(ledger).SetSatisfaction(in.Satisfaction).SetDiscrepancyShareBp(share).
			SetDiscrepancy(Discrepant(in.ReportedIncomeFen, ledger, share)).SetNotes(notes).
			AddAgreementIDs(agreements...)
		if p := viewer.FromContext(ctx).Person(); p != 0 {
			c.SetEvaluatorID(p)
		}
		if out, err = c.Save(ctx); err != nil || !out.Discrepancy {
			return err
		}
		// A discrepancy is a flag for auditors, raised with the visit (one
		// per link and year, whichever sample found it), by the engine.
		_, _, err = integrity.Raise(viewer.AsSystem(ctx), tx, LowIncomeFinding(out, income.Entries))
		return err
	})
	if ent.IsConstraintError(err) {
		return nil, apperr.Conflict("this benefit link was visited in this sample already")
	}
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// Income is a household's ledger income from one supplier in a year.
type Income struct {
	Fen        int64 // reversals netted
	Entries    []int // the HOUSEHOLD_INCOME entries
	Agreements []int // original versions credited with the lines behind it
}

// LedgerIncome is the household's income in the ledger from the
// supplier's orders in the year (fen, reversals netted), and the original
// versions of the agreements credited with the lines that produced it.
// ctx must be allowed to read the ledger.
func (s *Service) LedgerIncome(ctx context.Context, householdID, supplierID, year int) (int64, []int, error) {
	in, err := s.ledgerIncome(ctx, householdID, supplierID, year)
	return in.Fen, in.Agreements, err
}

func (s *Service) ledgerIncome(ctx context.Context, householdID, supplierID, year int) (Income, error) {
	var in Income
	entries, err := s.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME),
		ledgerentry.HouseholdID(householdID), ledgerentry.Year(year),
		ledgerentry.HasOrderLineWith(orderline.HasOrderWith(order.SupplierID(supplierID)))).
		Order(ent.Asc(ledgerentry.FieldID)).All(ctx)
	if err != nil {
		return in, err
	}
	lines := map[int]bool{}
	for _, e := range entries {
		in.Fen += e.Amount
		in.Entries = append(in.Entries, e.ID)
		if e.OrderLineID != nil {
			lines[*e.OrderLineID] = true
		}
	}
	if len(lines) == 0 {
		return in, nil
	}
	lineIDs := make([]int, 0, len(lines))
	for id := range lines {
		lineIDs = append(lineIDs, id)
	}
	credited, err := s.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.OrderLineIDIn(lineIDs...), ledgerentry.AgreementIDNotNil()).
		QueryAgreement().Order(ent.Asc(agreement.FieldID)).All(ctx)
	if err != nil {
		return in, err
	}
	seen := map[int]bool{}
	for _, a := range credited {
		root := a.ID
		if a.OriginalID != nil {
			root = *a.OriginalID
		}
		if !seen[root] {
			seen[root] = true
			in.Agreements = append(in.Agreements, root)
		}
	}
	return in, nil
}

// LowReportedIncome is the code of the integrity flag a discrepant visit
// raises (subject: the benefit link, for the visit's year).
const LowReportedIncome = "LOW_REPORTED_INCOME"

// LowIncomeFinding is the flag of a discrepant visit: its score is how far
// the report fell short of the threshold (0–1), its evidence the visit and
// the ledger entries, its thresholds the figures compared.
func LowIncomeFinding(v *ent.VerificationVisit, entries []int) integrity.Finding {
	threshold := v.LedgerIncomeFen * int64(v.DiscrepancyShareBp) / 10000
	score := 0.0
	if threshold > 0 {
		score = float64(threshold-v.ReportedIncomeFen) / float64(threshold)
	}
	return integrity.Finding{
		Code: LowReportedIncome, SubjectType: integrity.SubjectBenefitLink, Subjects: []int{v.BenefitLinkID},
		Period: strconv.Itoa(v.Year), Score: score,
		Summary: fmt.Sprintf("the household said it received %d fen from the supplier in %d; the ledger booked %d fen (below %d bp of it)",
			v.ReportedIncomeFen, v.Year, v.LedgerIncomeFen, v.DiscrepancyShareBp),
		Evidence: append([]int{v.ID}, entries...),
		Thresholds: map[string]any{"reportedIncomeFen": v.ReportedIncomeFen, "ledgerIncomeFen": v.LedgerIncomeFen,
			"shareBp": v.DiscrepancyShareBp, "thresholdFen": threshold},
	}
}

// errNoCounty is returned when a roll-up names a region that is not a
// county.
var errNoCounty = errors.New("not a county")

// visitsOf are the visits the caller may read (the VerificationVisit
// policy), of one county when countyID is not 0, in the year.
func (s *Service) visitsOf(ctx context.Context, countyID, year int) ([]*ent.VerificationVisit, error) {
	if err := access.Check(ctx, access.ReadFigures); err != nil {
		return nil, err
	}
	q := s.client.VerificationVisit.Query().Where(verificationvisit.Year(year))
	if countyID != 0 {
		county, err := s.client.Region.Get(ctx, countyID)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("no such county")
		}
		if err != nil {
			return nil, err
		}
		if county.Level != region.LevelCOUNTY {
			return nil, apperr.BadInput("%s: %v", county.Name, errNoCounty)
		}
		q.Where(verificationvisit.CountyCode(county.Code))
	}
	return q.Order(ent.Asc(verificationvisit.FieldID)).All(ctx)
}
