// Package agreements holds the rules of pairings, agreements and their
// versions, targets, reported indicators and yearly assessments, and
// computes live progress from the running totals the ledger keeps
// (internal/attribution). Resolvers and the export handlers call it.
package agreements

import (
	"context"
	"slices"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/organization"
	"bangfu/ent/pairing"
	"bangfu/ent/region"
	"bangfu/ent/target"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/workflow"
)

// Service applies the agreement rules.
type Service struct {
	client *ent.Client
	now    clock.Clock
}

// New returns the service.
func New(client *ent.Client, now clock.Clock) *Service {
	return &Service{client: client, now: now}
}

// PairingInput creates a pairing.
type PairingInput struct {
	Kind            pairing.Kind
	HelpingRegionID *int
	HelpingUnitID   *int
	HelpedRegionID  int
	ValidFrom       time.Time
	Basis           string
}

// CreatePairing records a pairing (ADMIN, by policy).
func (s *Service) CreatePairing(ctx context.Context, in PairingInput) (*ent.Pairing, error) {
	if err := s.checkParties(ctx, string(in.Kind), in.HelpingRegionID, in.HelpingUnitID, []int{in.HelpedRegionID}); err != nil {
		return nil, err
	}
	return s.client.Pairing.Create().SetKind(in.Kind).SetNillableHelpingRegionID(in.HelpingRegionID).
		SetNillableHelpingUnitID(in.HelpingUnitID).SetHelpedRegionID(in.HelpedRegionID).
		SetValidFrom(in.ValidFrom.UTC()).SetBasis(in.Basis).Save(ctx)
}

// EndPairing ends a pairing; the record stays as history.
func (s *Service) EndPairing(ctx context.Context, id int, until time.Time, reason string) (*ent.Pairing, error) {
	p, err := s.client.Pairing.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("pairing %s not found", gid.Ref(id))
	}
	if err != nil {
		return nil, err
	}
	if p.ValidUntil != nil {
		return nil, apperr.Conflict("the pairing already ended on %s", p.ValidUntil.Format(time.DateOnly))
	}
	if !until.After(p.ValidFrom) {
		return nil, apperr.BadInput("validUntil must be after validFrom (%s)", p.ValidFrom.Format(time.DateOnly))
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.BadInput("a reason is required to end a pairing")
	}
	return p.Update().SetValidUntil(until.UTC()).SetEndReason(reason).Save(ctx)
}

// TargetInput is one yearly target.
type TargetInput struct {
	Indicator target.Indicator
	Year      int
	Value     int64
}

// AgreementInput creates an agreement (DRAFT).
type AgreementInput struct {
	Kind            agreement.Kind
	Title           string
	DocumentNumber  string
	PeriodStart     time.Time
	PeriodEnd       time.Time
	HelpingRegionID *int
	HelpingUnitID   *int
	HelpedRegionIDs []int
	Targets         []TargetInput
}

// CreateAgreement creates version 1 of an agreement as a draft (ADMIN,
// by policy).
func (s *Service) CreateAgreement(ctx context.Context, in AgreementInput) (*ent.Agreement, error) {
	if err := s.checkAgreement(ctx, in); err != nil {
		return nil, err
	}
	var out *ent.Agreement
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		a, err := tx.Agreement.Create().SetKind(in.Kind).SetTitle(in.Title).SetDocumentNumber(in.DocumentNumber).
			SetPeriodStart(dateOnly(in.PeriodStart)).SetPeriodEnd(dateOnly(in.PeriodEnd)).
			SetNillableHelpingRegionID(in.HelpingRegionID).SetNillableHelpingUnitID(in.HelpingUnitID).
			AddHelpedRegionIDs(in.HelpedRegionIDs...).Save(ctx)
		if err != nil {
			return err
		}
		out = a
		return createTargets(ctx, tx, a.ID, in.Targets)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// Amendment changes an agreement: each set field replaces the previous
// version's; targets replace the previous targets of the same indicator
// and year and keep the others.
type Amendment struct {
	Title           *string
	DocumentNumber  *string
	PeriodEnd       *time.Time
	HelpedRegionIDs []int
	Targets         []TargetInput
}

// AmendAgreement creates the next version of a signed or active agreement
// as a draft. The amended version stays untouched; activating the new
// version closes it.
func (s *Service) AmendAgreement(ctx context.Context, id int, am Amendment) (*ent.Agreement, error) {
	var out *ent.Agreement
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		prev, err := tx.Agreement.Query().Where(agreement.ID(id)).WithHelpedRegions().WithTargets().Only(ctx)
		if ent.IsNotFound(err) {
			return apperr.NotFound("agreement %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		if prev.Status != agreement.StatusSIGNED && prev.Status != agreement.StatusACTIVE {
			return apperr.Conflict("only a signed or active agreement is amended; this version is %s", prev.Status).WithStatus(prev.Status.String())
		}
		pending, err := tx.Agreement.Query().Where(agreement.SupersedesID(id)).Exist(ctx)
		if err != nil {
			return err
		}
		if pending {
			return apperr.Conflict("this version already has an amendment; amend the latest version")
		}
		in := AgreementInput{Kind: prev.Kind, Title: prev.Title, DocumentNumber: prev.DocumentNumber,
			PeriodStart: prev.PeriodStart, PeriodEnd: prev.PeriodEnd,
			HelpingRegionID: prev.HelpingRegionID, HelpingUnitID: prev.HelpingUnitID}
		for _, r := range prev.Edges.HelpedRegions {
			in.HelpedRegionIDs = append(in.HelpedRegionIDs, r.ID)
		}
		if am.Title != nil {
			in.Title = *am.Title
		}
		if am.DocumentNumber != nil {
			in.DocumentNumber = *am.DocumentNumber
		}
		if am.PeriodEnd != nil {
			in.PeriodEnd = *am.PeriodEnd
		}
		if am.HelpedRegionIDs != nil {
			in.HelpedRegionIDs = am.HelpedRegionIDs
		}
		in.Targets = mergeTargets(prev.Edges.Targets, am.Targets)
		if err := s.checkAgreement(ctx, in); err != nil {
			return err
		}
		original := prev.ID
		if prev.OriginalID != nil {
			original = *prev.OriginalID
		}
		a, err := tx.Agreement.Create().SetKind(in.Kind).SetTitle(in.Title).SetDocumentNumber(in.DocumentNumber).
			SetPeriodStart(in.PeriodStart).SetPeriodEnd(dateOnly(in.PeriodEnd)).
			SetNillableHelpingRegionID(in.HelpingRegionID).SetNillableHelpingUnitID(in.HelpingUnitID).
			AddHelpedRegionIDs(in.HelpedRegionIDs...).
			SetVersion(prev.Version + 1).SetSupersedesID(prev.ID).SetOriginalID(original).
			Save(ctx)
		if err != nil {
			return err
		}
		out = a
		return createTargets(ctx, tx, a.ID, in.Targets)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func mergeTargets(prev []*ent.Target, changes []TargetInput) []TargetInput {
	var out []TargetInput
	for _, t := range prev {
		if !slices.ContainsFunc(changes, func(c TargetInput) bool { return c.Indicator == t.Indicator && c.Year == t.Year }) {
			out = append(out, TargetInput{Indicator: t.Indicator, Year: t.Year, Value: t.TargetValue})
		}
	}
	return append(out, changes...)
}

func createTargets(ctx context.Context, c *ent.Client, agreementID int, targets []TargetInput) error {
	if len(targets) == 0 {
		return nil
	}
	creates := make([]*ent.TargetCreate, 0, len(targets))
	for _, t := range targets {
		creates = append(creates, c.Target.Create().SetAgreementID(agreementID).
			SetIndicator(t.Indicator).SetYear(t.Year).SetTargetValue(t.Value))
	}
	return c.Target.CreateBulk(creates...).Exec(ctx)
}

// SetTarget sets one target of a draft. Targets of a signed agreement
// change only by amendment, so the signed figures are never overwritten.
func (s *Service) SetTarget(ctx context.Context, agreementID int, t TargetInput) (*ent.Target, error) {
	a, err := s.client.Agreement.Get(ctx, agreementID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("agreement %s not found", gid.Ref(agreementID))
	}
	if err != nil {
		return nil, err
	}
	if a.Status != agreement.StatusDRAFT {
		return nil, apperr.Conflict("the agreement is %s: targets of a signed agreement change only by amendment (amendAgreement)", a.Status).WithStatus(a.Status.String())
	}
	if err := checkTargets(a.PeriodStart, a.PeriodEnd, []TargetInput{t}); err != nil {
		return nil, err
	}
	id, err := s.client.Target.Create().SetAgreementID(a.ID).SetIndicator(t.Indicator).SetYear(t.Year).SetTargetValue(t.Value).
		OnConflictColumns(target.FieldAgreementID, target.FieldIndicator, target.FieldYear).
		UpdateTargetValue().UpdateUpdatedAt().ID(ctx)
	if err != nil {
		return nil, err
	}
	return s.client.Target.Get(ctx, id)
}

// Transition is an agreement lifecycle step.
type Transition string

// Agreement lifecycle: DRAFT → SIGNED → ACTIVE → CLOSED.
const (
	Sign     Transition = "sign"
	Activate Transition = "activate"
	Close    Transition = "close"
)

var steps = workflow.Steps[Transition, agreement.Status]{
	Sign:     {From: []agreement.Status{agreement.StatusDRAFT}, To: agreement.StatusSIGNED},
	Activate: {From: []agreement.Status{agreement.StatusSIGNED}, To: agreement.StatusACTIVE},
	Close:    {From: []agreement.Status{agreement.StatusACTIVE}, To: agreement.StatusCLOSED},
}

// Move applies a lifecycle step (the Agreement policy decides who may).
// Activating puts the version in force from now (purchases settled from
// now on are attributed to it) and, for an amendment, closes the version it
// amends at the same moment, so exactly one version of an agreement is in
// force at any time.
func (s *Service) Move(ctx context.Context, id int, t Transition) (*ent.Agreement, error) {
	step, err := steps.Get(t)
	if err != nil {
		return nil, err
	}
	var out *ent.Agreement
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		a, err := tx.Agreement.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("agreement %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		now := s.now()
		upd := tx.Agreement.UpdateOneID(id).Where(agreement.StatusIn(step.From...)).SetStatus(step.To)
		switch t {
		case Activate:
			upd.SetActivatedAt(now)
		case Close:
			upd.SetClosedAt(now)
		}
		out, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			return step.Refuse("agreement", t, a.Status)
		}
		if err != nil || t != Activate || a.SupersedesID == nil {
			return err
		}
		err = tx.Agreement.UpdateOneID(*a.SupersedesID).Where(agreement.ClosedAtIsNil()).
			SetStatus(agreement.StatusCLOSED).SetClosedAt(now).Exec(ctx)
		if ent.IsNotFound(err) {
			return nil // already closed
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func (s *Service) checkAgreement(ctx context.Context, in AgreementInput) error {
	if strings.TrimSpace(in.Title) == "" {
		return apperr.BadInput("title is required")
	}
	if len([]rune(in.Title)) > 200 || len([]rune(in.DocumentNumber)) > 100 {
		return apperr.BadInput("title is at most 200 characters, documentNumber at most 100")
	}
	if in.PeriodEnd.Before(in.PeriodStart) {
		return apperr.BadInput("periodEnd is before periodStart")
	}
	if len(in.HelpedRegionIDs) == 0 {
		return apperr.BadInput("name at least one helped region")
	}
	if err := s.checkParties(ctx, string(in.Kind), in.HelpingRegionID, in.HelpingUnitID, in.HelpedRegionIDs); err != nil {
		return err
	}
	return checkTargets(in.PeriodStart, in.PeriodEnd, in.Targets)
}

// checkParties: an east–west pairing has an eastern helping region, a
// designated one a DESIGNATED_UNIT; helped regions are western or central
// provinces, cities or counties.
func (s *Service) checkParties(ctx context.Context, kind string, helpingRegion, helpingUnit *int, helped []int) error {
	switch kind {
	case "EAST_WEST":
		if helpingRegion == nil || helpingUnit != nil {
			return apperr.BadInput("an EAST_WEST agreement names a helping region and no unit")
		}
		r, err := s.client.Region.Get(ctx, *helpingRegion)
		if ent.IsNotFound(err) {
			return apperr.BadInput("no such helping region")
		}
		if err != nil {
			return err
		}
		if r.Side != region.SideEAST {
			return apperr.BadInput("the helping region %s is not an eastern region", r.Name)
		}
	case "DESIGNATED":
		if helpingUnit == nil || helpingRegion != nil {
			return apperr.BadInput("a DESIGNATED agreement names a helping unit and no region")
		}
		o, err := s.client.Organization.Get(ctx, *helpingUnit)
		if ent.IsNotFound(err) {
			return apperr.BadInput("no such helping unit")
		}
		if err != nil {
			return err
		}
		if o.Kind != organization.KindDESIGNATED_UNIT {
			return apperr.BadInput("%s is not a designated unit (DESIGNATED_UNIT)", o.Name)
		}
	default:
		return apperr.BadInput("unknown kind %q", kind)
	}
	regions, err := s.client.Region.Query().Where(region.IDIn(helped...)).All(ctx)
	if err != nil {
		return err
	}
	if len(regions) != len(dedupe(helped)) {
		return apperr.BadInput("a helped region does not exist")
	}
	for _, r := range regions {
		if r.Side == region.SideEAST {
			return apperr.BadInput("the helped region %s is an eastern region", r.Name)
		}
		if r.Level == region.LevelTOWNSHIP || r.Level == region.LevelVILLAGE {
			return apperr.BadInput("helped regions are provinces, cities or counties; %s is a %s", r.Name, r.Level)
		}
	}
	return nil
}

func checkTargets(start, end time.Time, targets []TargetInput) error {
	seen := map[[2]any]bool{}
	for _, t := range targets {
		if err := target.IndicatorValidator(t.Indicator); err != nil {
			return apperr.BadInput("unknown indicator %q", t.Indicator)
		}
		if t.Year < start.Year() || t.Year > end.Year() {
			return apperr.BadInput("a %s target for %d lies outside the agreement period %d–%d", t.Indicator, t.Year, start.Year(), end.Year())
		}
		if t.Value < 0 {
			return apperr.BadInput("target values are not negative")
		}
		k := [2]any{t.Indicator, t.Year}
		if seen[k] {
			return apperr.BadInput("two %s targets for %d", t.Indicator, t.Year)
		}
		seen[k] = true
	}
	return nil
}

func dedupe(ids []int) []int {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// dateOnly keeps the calendar day of a date field (stored as midnight UTC).
func dateOnly(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
