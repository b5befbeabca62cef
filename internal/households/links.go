package households

import (
	"context"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/organization"
	"bangfu/ent/predicate"
	"bangfu/internal/accounts"
	"bangfu/internal/apperr"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
)

// LinkInput proposes a benefit link (联农带农): how a supplier benefits a
// household, the share of a sale that becomes the household's income, and
// the evidence.
type LinkInput struct {
	SupplierID, HouseholdID int
	Mechanism               benefitlink.Mechanism
	ShareBp                 int
	ValidFrom               time.Time
	ValidUntil              *time.Time
	Evidence                []string
	// CrossCountyReason explains a household outside the supplier's county;
	// the certifier approves it with the link.
	CrossCountyReason string
}

// MaxSharesBp bounds a supplier's active shares: together they turn at
// most the whole of a sale into household income.
const MaxSharesBp = 10_000

// ProposeLink records a supplier's proposal (the BenefitLink policy: its
// own members). It counts only once its county's certifier approves it.
func (s *Service) ProposeLink(ctx context.Context, in LinkInput) (*ent.BenefitLink, error) {
	if benefitlink.MechanismValidator(in.Mechanism) != nil {
		return nil, apperr.BadInput("mechanism must be WAGE, ASSET or BUSINESS")
	}
	if in.ShareBp < 1 || in.ShareBp > MaxSharesBp {
		return nil, apperr.BadInput("shareBp is 1 to %d", MaxSharesBp)
	}
	if in.ValidUntil != nil && !in.ValidUntil.After(in.ValidFrom) {
		return nil, apperr.BadInput("validUntil must be after validFrom")
	}
	var evidence []string
	for _, e := range in.Evidence {
		if e = strings.TrimSpace(e); e != "" {
			if len([]rune(e)) > 300 {
				return nil, apperr.BadInput("an evidence reference is at most 300 characters")
			}
			evidence = append(evidence, e)
		}
	}
	if len(evidence) == 0 || len(evidence) > 20 {
		return nil, apperr.BadInput("give 1 to 20 evidence references (employment contract, dividend agreement, purchase records)")
	}
	reason := strings.TrimSpace(in.CrossCountyReason)
	if len([]rune(reason)) > 500 {
		return nil, apperr.BadInput("crossCountyReason is at most 500 characters")
	}
	var out *ent.BenefitLink
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		c := tx.BenefitLink.Create().SetSupplierID(in.SupplierID).SetHouseholdID(in.HouseholdID).
			SetMechanism(in.Mechanism).SetShareBp(in.ShareBp).SetValidFrom(in.ValidFrom.UTC()).
			SetNillableValidUntil(in.ValidUntil).SetStatus(benefitlink.StatusPROPOSED).SetEvidence(evidence).
			SetCrossCountyReason(reason)
		if uid := viewer.FromContext(ctx).UserID; uid != 0 {
			c.SetProposedByID(uid)
		}
		var err error
		if out, err = c.Save(ctx); err != nil {
			if ent.IsConstraintError(err) {
				return apperr.BadInput("no such supplier or household")
			}
			return err
		}
		if err := accounts.Active(ctx, tx, in.SupplierID, "supplier"); err != nil {
			return err
		}
		sys := viewer.AsSystem(ctx) // the household and the supplier's other links, whoever may see them
		supplier, err := tx.Organization.Query().Where(organization.ID(in.SupplierID)).WithRegion().Only(sys)
		if err != nil {
			return err
		}
		h, err := tx.Household.Get(sys, in.HouseholdID)
		if err != nil {
			return err
		}
		if h.CountyCode != supplier.Edges.Region.Code && reason == "" {
			return apperr.BadInput("the household lives outside the supplier's county: give crossCountyReason for the certifier to approve")
		}
		return s.checkShares(sys, tx, in.SupplierID, out.ID, in.ShareBp, benefitlink.StatusAPPROVED, benefitlink.StatusPROPOSED)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// checkShares: the supplier's links in the given states that have not
// ended, with this one, total at most MaxSharesBp.
func (s *Service) checkShares(ctx context.Context, tx *ent.Client, supplierID, except, share int, states ...benefitlink.Status) error {
	var rows []struct {
		Sum int `json:"sum"`
	}
	err := tx.BenefitLink.Query().Where(benefitlink.SupplierID(supplierID), benefitlink.StatusIn(states...),
		benefitlink.IDNEQ(except), benefitlink.Or(benefitlink.ValidUntilIsNil(), benefitlink.ValidUntilGT(s.now()))).
		Aggregate(ent.Sum(benefitlink.FieldShareBp)).Scan(ctx, &rows)
	if err != nil {
		return err
	}
	total := share
	if len(rows) == 1 {
		total += rows[0].Sum
	}
	if total > MaxSharesBp {
		return apperr.Conflict("the supplier's links would share out %d bp of a sale; at most %d", total, MaxSharesBp)
	}
	return nil
}

// LinkDecision is a certifier's decision on a proposed link.
type LinkDecision string

// Link steps: PROPOSED → APPROVED / REJECTED; APPROVED or PROPOSED → ENDED.
const (
	ApproveLink LinkDecision = "APPROVE"
	RejectLink  LinkDecision = "REJECT"
	EndLink     LinkDecision = "END"
)

var linkSteps = workflow.Steps[LinkDecision, benefitlink.Status]{
	ApproveLink: {From: []benefitlink.Status{benefitlink.StatusPROPOSED}, To: benefitlink.StatusAPPROVED},
	RejectLink:  {From: []benefitlink.Status{benefitlink.StatusPROPOSED}, To: benefitlink.StatusREJECTED, NeedsReason: true},
	EndLink:     {From: []benefitlink.Status{benefitlink.StatusPROPOSED, benefitlink.StatusAPPROVED}, To: benefitlink.StatusENDED},
}

// DecideLink approves or rejects a proposed link (the BenefitLink policy:
// the certifiers of the supplier's county), or ends one (either side).
// Ending stops it counting from until (now when nil).
func (s *Service) DecideLink(ctx context.Context, id int, d LinkDecision, reason string, until *time.Time) (*ent.BenefitLink, error) {
	step, err := linkSteps.Get(d)
	if err != nil {
		return nil, err
	}
	if reason, err = step.Reason(strings.ToLower(string(d)), reason); err != nil {
		return nil, err
	}
	now := s.now()
	var out *ent.BenefitLink
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.BenefitLink.Get(viewer.AsSystem(ctx), id) // a certifier may not see it yet
		if ent.IsNotFound(err) {
			return apperr.NotFound("benefit link %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		upd := tx.BenefitLink.UpdateOneID(id).Where(benefitlink.StatusIn(step.From...)).SetStatus(step.To)
		if reason != "" {
			upd.SetDecisionReason(reason)
		}
		switch d {
		case ApproveLink, RejectLink:
			upd.SetDecidedAt(now)
			if uid := viewer.FromContext(ctx).UserID; uid != 0 {
				upd.SetDecidedByID(uid)
			}
		case EndLink:
			end := now
			if until != nil {
				end = until.UTC()
			}
			if end.Before(current.ValidFrom) {
				end = current.ValidFrom
			}
			if current.ValidUntil == nil || current.ValidUntil.After(end) {
				upd.SetValidUntil(end)
			}
			upd.SetEndedAt(now)
		}
		out, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			return step.Refuse("benefit link", strings.ToLower(string(d)), current.Status)
		}
		if err != nil || d != ApproveLink {
			return err
		}
		return s.checkShares(viewer.AsSystem(ctx), tx, current.SupplierID, current.ID, current.ShareBp, benefitlink.StatusAPPROVED)
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// InForce matches the links of a supplier that count at a moment: only an
// approved link turns sales into household income (DOMAIN rule 11), from
// its start to its end.
func InForce(supplierID int, at time.Time) predicate.BenefitLink {
	return benefitlink.And(benefitlink.SupplierID(supplierID), benefitlink.StatusEQ(benefitlink.StatusAPPROVED),
		benefitlink.ValidFromLTE(at), benefitlink.Or(benefitlink.ValidUntilIsNil(), benefitlink.ValidUntilGT(at)))
}
