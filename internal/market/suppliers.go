package market

import (
	"context"
	"slices"
	"strings"

	"bangfu/ent"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/accounts"
	"bangfu/internal/apperr"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
)

// Benefit mechanisms a supplier may declare (带贫益贫机制).
var mechanisms = []string{"WAGE", "ASSET", "BUSINESS"}

// ApplySupplier files (or, after a rejection, re-files) an organization's
// application to sell. The SupplierProfile policy lets only its own members
// apply; the organization must be registered in a county and carry a valid
// unified social credit code.
func (s *Service) ApplySupplier(ctx context.Context, orgID int, creditCode *string, benefit []string) (*ent.SupplierProfile, error) {
	if len(benefit) == 0 {
		return nil, apperr.BadInput("declare at least one benefit mechanism (WAGE, ASSET, BUSINESS)")
	}
	for _, m := range benefit {
		if !slices.Contains(mechanisms, m) {
			return nil, apperr.BadInput("unknown benefit mechanism %q", m)
		}
	}
	var p *ent.SupplierProfile
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		// The directory is public; the profile's policy decides below.
		org, err := tx.Organization.Query().Where(organization.ID(orgID)).WithRegion().WithSupplierProfile().Only(ctx)
		if ent.IsNotFound(err) {
			return apperr.NotFound("organization %s not found", gid.Ref(orgID))
		}
		if err != nil {
			return err
		}
		if org.Edges.Region.Level != region.LevelCOUNTY {
			return apperr.BadInput("suppliers register in a county; %s is a %s", org.Edges.Region.Name, org.Edges.Region.Level)
		}
		if creditCode == nil && org.CreditCode == nil {
			return apperr.BadInput("creditCode is required: the organization has none on record")
		}
		if existing := org.Edges.SupplierProfile; existing == nil {
			p, err = tx.SupplierProfile.Create().SetOrganizationID(orgID).SetBenefitMechanisms(benefit).Save(ctx)
		} else {
			// Only a rejected application is filed again.
			p, err = tx.SupplierProfile.UpdateOne(existing).Where(supplierprofile.StatusEQ(supplierprofile.StatusREJECTED)).
				SetStatus(supplierprofile.StatusAPPLIED).SetBenefitMechanisms(benefit).ClearStatusReason().Save(ctx)
			if ent.IsNotFound(err) {
				return apperr.Conflict("the organization's supplier profile is already %s", existing.Status).
					WithStatus(existing.Status.String())
			}
		}
		if err != nil {
			return err
		}
		// Only a verified (active) organization applies to sell.
		if err := accounts.Active(ctx, tx, orgID, "organization"); err != nil {
			return err
		}
		if creditCode == nil {
			return nil
		}
		// The profile's policy has accepted the caller as the organization's
		// member, who states its code; ent validates it. Organizations are
		// otherwise changed by admins only, so the system writes it.
		code := strings.ToUpper(strings.TrimSpace(*creditCode))
		err = tx.Organization.UpdateOne(org).SetCreditCode(code).Exec(viewer.AsSystem(ctx))
		switch {
		case ent.IsValidationError(err):
			return apperr.BadInput("credit code: %v", err)
		case ent.IsConstraintError(err):
			return apperr.Conflict("another organization is registered with that credit code")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p.Unwrap(), nil
}

// SupplierDecision is a certifier's step on an application.
type SupplierDecision string

// Decisions on supplier profiles: APPLIED → RECOMMENDED → APPROVED /
// REJECTED; APPROVED ⇄ SUSPENDED.
const (
	Recommend SupplierDecision = "recommend"
	Approve   SupplierDecision = "approve"
	Reject    SupplierDecision = "reject"
	Suspend   SupplierDecision = "suspend"
	Reinstate SupplierDecision = "reinstate"
)

var supplierSteps = workflow.Steps[SupplierDecision, supplierprofile.Status]{
	Recommend: {From: []supplierprofile.Status{supplierprofile.StatusAPPLIED}, To: supplierprofile.StatusRECOMMENDED},
	Approve:   {From: []supplierprofile.Status{supplierprofile.StatusAPPLIED, supplierprofile.StatusRECOMMENDED}, To: supplierprofile.StatusAPPROVED},
	Reject:    {From: []supplierprofile.Status{supplierprofile.StatusAPPLIED, supplierprofile.StatusRECOMMENDED}, To: supplierprofile.StatusREJECTED, NeedsReason: true},
	Suspend:   {From: []supplierprofile.Status{supplierprofile.StatusAPPROVED}, To: supplierprofile.StatusSUSPENDED, NeedsReason: true},
	Reinstate: {From: []supplierprofile.Status{supplierprofile.StatusSUSPENDED}, To: supplierprofile.StatusAPPROVED},
}

// DecideSupplier applies a certifier's decision. The SupplierProfile policy
// limits it to certifiers whose scope covers the organization's county.
func (s *Service) DecideSupplier(ctx context.Context, profileID int, d SupplierDecision, reason string) (*ent.SupplierProfile, error) {
	step, err := supplierSteps.Get(d)
	if err != nil {
		return nil, err
	}
	if reason, err = step.Reason(d, reason); err != nil {
		return nil, err
	}
	var p *ent.SupplierProfile
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.SupplierProfile.Get(ctx, profileID)
		if ent.IsNotFound(err) {
			return apperr.NotFound("supplier profile %s not found", gid.Ref(profileID))
		}
		if err != nil {
			return err
		}
		upd := tx.SupplierProfile.UpdateOneID(profileID).Where(supplierprofile.StatusIn(step.From...)).SetStatus(step.To)
		if step.NeedsReason {
			upd.SetStatusReason(reason)
		} else {
			upd.ClearStatusReason()
		}
		if step.To == supplierprofile.StatusAPPROVED {
			upd.SetApprovedAt(s.now())
		}
		p, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			return step.Refuse("supplier profile", d, current.Status)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p.Unwrap(), nil
}
