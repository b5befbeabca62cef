package market

import (
	"context"
	"slices"
	"strings"

	"bangfu/ent"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/viewer"
)

// Benefit mechanisms a supplier may declare (带贫益贫机制).
var mechanisms = []string{"WAGE", "ASSET", "BUSINESS"}

// ApplySupplier files (or, after a rejection, re-files) an organization's
// application to sell. Only its own members apply; the organization must be
// registered in a county and carry a valid unified social credit code.
func (s *Service) ApplySupplier(ctx context.Context, orgID int, creditCode *string, benefit []string) (*ent.SupplierProfile, error) {
	v := viewer.FromContext(ctx)
	if !slices.Contains(v.OrgIDs(viewer.Supplier), orgID) && !v.Has(viewer.Admin) {
		return nil, forbidden("only the organization's own members apply for it")
	}
	if len(benefit) == 0 {
		return nil, badInput("declare at least one benefit mechanism (WAGE, ASSET, BUSINESS)")
	}
	for _, m := range benefit {
		if !slices.Contains(mechanisms, m) {
			return nil, badInput("unknown benefit mechanism %q", m)
		}
	}
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	sys := viewer.AsSystem(ctx)
	org, err := tx.Organization.Query().Where(organization.ID(orgID)).WithRegion().WithSupplierProfile().Only(sys)
	if ent.IsNotFound(err) {
		return nil, notFound("organization %s not found", globalRef(orgID))
	}
	if err != nil {
		return nil, err
	}
	if org.Edges.Region.Level != region.LevelCOUNTY {
		return nil, badInput("suppliers register in a county; %s is a %s", org.Edges.Region.Name, org.Edges.Region.Level)
	}
	if creditCode != nil {
		// The organization's own member states its code; ent validates it.
		code := strings.ToUpper(strings.TrimSpace(*creditCode))
		if err := tx.Organization.UpdateOne(org).SetCreditCode(code).Exec(sys); err != nil {
			if ent.IsValidationError(err) {
				return nil, badInput("credit code: %v", err)
			}
			if ent.IsConstraintError(err) {
				return nil, conflict("another organization is registered with that credit code")
			}
			return nil, err
		}
	} else if org.CreditCode == nil {
		return nil, badInput("creditCode is required: the organization has none on record")
	}
	var p *ent.SupplierProfile
	switch existing := org.Edges.SupplierProfile; {
	case existing == nil:
		p, err = tx.SupplierProfile.Create().SetOrganizationID(orgID).SetBenefitMechanisms(benefit).Save(ctx)
	case existing.Status == supplierprofile.StatusREJECTED:
		p, err = tx.SupplierProfile.UpdateOne(existing).SetStatus(supplierprofile.StatusAPPLIED).
			SetBenefitMechanisms(benefit).ClearStatusReason().Save(ctx)
	default:
		e := conflict("the organization's supplier profile is already %s", existing.Status)
		e.Details = map[string]any{"currentStatus": existing.Status.String()}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
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

var supplierSteps = map[SupplierDecision]struct {
	from       []supplierprofile.Status
	to         supplierprofile.Status
	needReason bool
}{
	Recommend: {[]supplierprofile.Status{supplierprofile.StatusAPPLIED}, supplierprofile.StatusRECOMMENDED, false},
	Approve:   {[]supplierprofile.Status{supplierprofile.StatusAPPLIED, supplierprofile.StatusRECOMMENDED}, supplierprofile.StatusAPPROVED, false},
	Reject:    {[]supplierprofile.Status{supplierprofile.StatusAPPLIED, supplierprofile.StatusRECOMMENDED}, supplierprofile.StatusREJECTED, true},
	Suspend:   {[]supplierprofile.Status{supplierprofile.StatusAPPROVED}, supplierprofile.StatusSUSPENDED, true},
	Reinstate: {[]supplierprofile.Status{supplierprofile.StatusSUSPENDED}, supplierprofile.StatusAPPROVED, false},
}

// DecideSupplier applies a certifier's decision. The privacy policy limits
// it to certifiers whose scope covers the organization's county.
func (s *Service) DecideSupplier(ctx context.Context, profileID int, d SupplierDecision, reason string) (*ent.SupplierProfile, error) {
	step, ok := supplierSteps[d]
	if !ok {
		return nil, badInput("unknown decision %q", d)
	}
	if v := viewer.FromContext(ctx); !v.Has(viewer.Certifier, viewer.Admin) {
		return nil, forbidden("only certifiers decide on suppliers")
	}
	reason = strings.TrimSpace(reason)
	if step.needReason && reason == "" {
		return nil, badInput("a reason is required to %s", d)
	}
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	p, err := tx.SupplierProfile.Get(ctx, profileID)
	if ent.IsNotFound(err) {
		return nil, notFound("supplier profile %s not found", globalRef(profileID))
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(step.from, p.Status) {
		e := conflict("supplier profile is %s; cannot %s", p.Status, d)
		e.Details = map[string]any{"currentStatus": p.Status.String()}
		return nil, e
	}
	upd := tx.SupplierProfile.UpdateOne(p).Where(supplierprofile.StatusEQ(p.Status)).SetStatus(step.to)
	if step.needReason {
		upd.SetStatusReason(reason)
	} else {
		upd.ClearStatusReason()
	}
	if step.to == supplierprofile.StatusAPPROVED {
		upd.SetApprovedAt(s.now())
	}
	if p, err = upd.Save(ctx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return p.Unwrap(), nil
}
