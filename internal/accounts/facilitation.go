package accounts

import (
	"context"
	"slices"
	"time"

	"bangfu/ent"
	"bangfu/ent/facilitation"
	"bangfu/internal/apperr"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
)

// FacilitationInput proposes that an organization helps a buyer buy.
type FacilitationInput struct {
	FacilitatorID, BuyerID int
	ValidFrom              time.Time
	ValidUntil             *time.Time
}

// ProposeFacilitation records one side's proposal (the Facilitation
// policy: a manager of that side, or a buyer of the buying side). The side
// is the one the caller acts for; the other accepts. Both organizations
// must be active.
func (s *Service) ProposeFacilitation(ctx context.Context, in FacilitationInput) (*ent.Facilitation, error) {
	if in.FacilitatorID == in.BuyerID {
		return nil, apperr.BadInput("an organization does not facilitate its own purchases")
	}
	if in.ValidUntil != nil && !in.ValidUntil.After(in.ValidFrom) {
		return nil, apperr.BadInput("validUntil must be after validFrom")
	}
	v := viewer.FromContext(ctx)
	proposer := in.BuyerID
	if !slices.Contains(v.OrgIDs(viewer.OrgManager, viewer.Buyer), in.BuyerID) {
		proposer = in.FacilitatorID // the policy refuses a caller who acts for neither
	}
	var out *ent.Facilitation
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		var err error
		out, err = tx.Facilitation.Create().SetFacilitatorID(in.FacilitatorID).SetBuyerID(in.BuyerID).
			SetValidFrom(dateOnly(in.ValidFrom)).SetNillableValidUntil(in.ValidUntil).
			SetProposedByOrgID(proposer).SetProposedByID(v.UserID).Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.BadInput("no such organization")
		}
		if err != nil {
			return err
		}
		if err := Active(ctx, tx, in.FacilitatorID, "facilitator"); err != nil {
			return err
		}
		if err := Active(ctx, tx, in.BuyerID, "buyer"); err != nil {
			return err
		}
		open, err := tx.Facilitation.Query().Where(facilitation.FacilitatorID(in.FacilitatorID), facilitation.BuyerID(in.BuyerID),
			facilitation.StatusIn(facilitation.StatusPROPOSED, facilitation.StatusACCEPTED), facilitation.IDNEQ(out.ID)).Exist(viewer.AsSystem(ctx))
		if err != nil {
			return err
		}
		if open {
			return apperr.Conflict("the two organizations have a proposed or accepted facilitation already")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// FacilitationStep is a step on a facilitation.
type FacilitationStep string

// Facilitation steps: PROPOSED → ACCEPTED (by the other side) → ENDED (by
// either); a proposal may also be withdrawn (ENDED).
const (
	Accept FacilitationStep = "accept"
	End    FacilitationStep = "end"
)

var facilitationSteps = workflow.Steps[FacilitationStep, facilitation.Status]{
	Accept: {From: []facilitation.Status{facilitation.StatusPROPOSED}, To: facilitation.StatusACCEPTED},
	End:    {From: []facilitation.Status{facilitation.StatusPROPOSED, facilitation.StatusACCEPTED}, To: facilitation.StatusENDED},
}

// StepFacilitation accepts or ends a facilitation.
func (s *Service) StepFacilitation(ctx context.Context, id int, action FacilitationStep) (*ent.Facilitation, error) {
	step, err := facilitationSteps.Get(action)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out *ent.Facilitation
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.Facilitation.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("facilitation %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		upd := tx.Facilitation.UpdateOneID(id).Where(facilitation.StatusIn(step.From...)).SetStatus(step.To)
		switch action {
		case Accept:
			upd.SetAcceptedAt(now).SetAcceptedByID(viewer.FromContext(ctx).UserID)
		case End:
			upd.SetEndedAt(now)
			if current.ValidUntil == nil || current.ValidUntil.After(now) {
				upd.SetValidUntil(now)
			}
		}
		out, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			return step.Refuse("facilitation", action, current.Status)
		}
		if err != nil || action != Accept {
			return err
		}
		if err := Active(ctx, tx, current.FacilitatorID, "facilitator"); err != nil {
			return err
		}
		return Active(ctx, tx, current.BuyerID, "buyer")
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// CheckFacilitation is the rule for naming a facilitator on an order
// (DOMAIN rule 10): an accepted facilitation between the two, in force at
// the moment, both organizations active. It reads as the system: the
// buyer placing the order need not see the agreement's row.
func CheckFacilitation(ctx context.Context, c *ent.Client, facilitatorID, buyerID int, at time.Time) error {
	sys := viewer.AsSystem(ctx)
	if err := Active(sys, c, facilitatorID, "facilitatedBy"); err != nil {
		return apperr.BadInput("%v", err)
	}
	ok, err := c.Facilitation.Query().Where(facilitation.FacilitatorID(facilitatorID), facilitation.BuyerID(buyerID),
		facilitation.StatusEQ(facilitation.StatusACCEPTED), facilitation.ValidFromLTE(at),
		facilitation.Or(facilitation.ValidUntilIsNil(), facilitation.ValidUntilGT(at))).Exist(sys)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.BadInput("facilitatedBy: %s has no accepted facilitation with the buyer in force today; it must agree to help sell (proposeFacilitation, acceptFacilitation)", gid.Ref(facilitatorID))
	}
	return nil
}
