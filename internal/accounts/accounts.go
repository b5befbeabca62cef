// Package accounts holds the rules by which people and organizations join
// and act (DOMAIN rules 10 and 12): organizations register with their
// unified social credit code and are verified by an official of their
// region; their managers invite colleagues and set the buyer profile;
// admins manage accounts and grant official roles; two organizations agree
// that one helps the other buy (facilitation). Who may take each step is
// decided by the privacy policies; this package decides input and state.
package accounts

import (
	"context"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/membership"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/internal/apperr"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
)

// Service applies the membership and registration rules.
type Service struct {
	client *ent.Client
	now    clock.Clock
	auth   *auth.Service // ends the sessions of a disabled account
}

// New returns the service.
func New(client *ent.Client, now clock.Clock, a *auth.Service) *Service {
	return &Service{client: client, now: now, auth: a}
}

// supplierKinds are the kinds that only sell: they register in a county.
var supplierKinds = []organization.Kind{organization.KindCOOPERATIVE, organization.KindFAMILY_FARM, organization.KindVILLAGE_COLLECTIVE}

// OrganizationInput registers an organization.
type OrganizationInput struct {
	Name         string
	Kind         organization.Kind
	CreditCode   string
	RegionID     int
	ParentID     *int
	ContactPhone *string
}

// RegisterOrganization records a registration. It starts PENDING until an
// official of its region decides; the registrant becomes its ORG_MANAGER.
func (s *Service) RegisterOrganization(ctx context.Context, in OrganizationInput) (*ent.Organization, error) {
	v := viewer.FromContext(ctx)
	if !v.Authenticated() || v.UserID == 0 {
		return nil, apperr.Unauthenticated("sign in to register an organization")
	}
	name := strings.TrimSpace(in.Name)
	code := strings.ToUpper(strings.TrimSpace(in.CreditCode))
	switch {
	case name == "" || len([]rune(name)) > 128:
		return nil, apperr.BadInput("name is 1 to 128 characters")
	case organization.KindValidator(in.Kind) != nil:
		return nil, apperr.BadInput("unknown kind %q", in.Kind)
	}
	if err := validate.CreditCode(code); err != nil {
		return nil, apperr.BadInput("creditCode: %v", err)
	}
	if in.ContactPhone != nil {
		if err := validate.Phone(*in.ContactPhone); err != nil {
			return nil, apperr.BadInput("contactPhone: %v", err)
		}
	}
	r, err := s.client.Region.Get(ctx, in.RegionID) // regions are public
	if ent.IsNotFound(err) {
		return nil, apperr.BadInput("regionId: no such region")
	}
	if err != nil {
		return nil, err
	}
	if r.Level == region.LevelTOWNSHIP || r.Level == region.LevelVILLAGE {
		return nil, apperr.BadInput("regionId: organizations register in a province, city or county, not in %s", r.Name)
	}
	if isSupplierKind(in.Kind) && r.Level != region.LevelCOUNTY {
		return nil, apperr.BadInput("regionId: a %s registers in its county; %s is a %s", in.Kind, r.Name, r.Level)
	}
	var out *ent.Organization
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		if in.ParentID != nil {
			if err := s.checkParent(ctx, tx, 0, *in.ParentID); err != nil {
				return err
			}
		}
		create := tx.Organization.Create().SetName(name).SetKind(in.Kind).SetCreditCode(code).SetRegionID(r.ID).
			SetNillableParentID(in.ParentID).SetStatus(organization.StatusPENDING).SetRegisteredByID(v.UserID)
		if in.ContactPhone != nil {
			create.SetContactPhone(*in.ContactPhone)
		}
		o, err := create.Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.Conflict("an organization is registered with that credit code already")
		}
		if err != nil {
			return err
		}
		out = o
		// The registrant manages it: the server grants the role that the
		// registration the policy allowed implies.
		return tx.Membership.Create().SetUserID(v.UserID).SetRole(membership.RoleORG_MANAGER).
			SetOrganizationID(o.ID).Exec(viewer.AsSystem(ctx))
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func isSupplierKind(k organization.Kind) bool {
	for _, s := range supplierKinds {
		if s == k {
			return true
		}
	}
	return false
}

// checkParent: the parent exists and is not the organization itself or
// one of its descendants (unions and subsidiaries count toward their
// parent chain, which must end).
func (s *Service) checkParent(ctx context.Context, tx *ent.Client, orgID, parentID int) error {
	sys := viewer.AsSystem(ctx) // the chain may pass through pending organizations
	seen := map[int]bool{orgID: orgID != 0}
	for id := parentID; ; {
		if seen[id] {
			return apperr.BadInput("parentId: the parent chain would loop back to the organization")
		}
		seen[id] = true
		p, err := tx.Organization.Get(sys, id)
		if ent.IsNotFound(err) {
			return apperr.BadInput("parentId: no such organization")
		}
		if err != nil {
			return err
		}
		if p.ParentID == nil {
			return nil
		}
		id = *p.ParentID
	}
}

// OrgDecision is an official's step on a registration.
type OrgDecision string

// Registration decisions: PENDING → ACTIVE / REJECTED; ACTIVE ⇄ SUSPENDED.
const (
	Approve   OrgDecision = "APPROVE"
	Reject    OrgDecision = "REJECT"
	Suspend   OrgDecision = "SUSPEND"
	Reinstate OrgDecision = "REINSTATE"
)

var orgSteps = workflow.Steps[OrgDecision, organization.Status]{
	Approve:   {From: []organization.Status{organization.StatusPENDING}, To: organization.StatusACTIVE},
	Reject:    {From: []organization.Status{organization.StatusPENDING}, To: organization.StatusREJECTED, NeedsReason: true},
	Suspend:   {From: []organization.Status{organization.StatusACTIVE}, To: organization.StatusSUSPENDED, NeedsReason: true},
	Reinstate: {From: []organization.Status{organization.StatusSUSPENDED}, To: organization.StatusACTIVE},
}

// DecideOrganization applies an official's decision (the Organization
// policy: a coordinator of an eastern region, a certifier of a western
// one, whose scope covers the organization's region).
func (s *Service) DecideOrganization(ctx context.Context, id int, d OrgDecision, reason string) (*ent.Organization, error) {
	step, err := orgSteps.Get(d)
	if err != nil {
		return nil, err
	}
	if reason, err = step.Reason(d, reason); err != nil {
		return nil, err
	}
	var out *ent.Organization
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		// Read as the system: a pending registration is invisible to most,
		// and whether the caller may decide is the update policy's to say.
		current, err := tx.Organization.Get(viewer.AsSystem(ctx), id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("organization %s not found", gid.Ref(id))
		}
		if err != nil {
			return err
		}
		upd := tx.Organization.UpdateOneID(id).Where(organization.StatusIn(step.From...)).SetStatus(step.To).
			SetDecidedAt(s.now())
		if reason != "" {
			upd.SetStatusReason(reason)
		} else {
			upd.ClearStatusReason()
		}
		out, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			return step.Refuse("organization", d, current.Status)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// Active refuses an organization that is not ACTIVE: only active
// organizations buy, apply to sell, or facilitate. role names what it
// would do, for the message.
func Active(ctx context.Context, c *ent.Client, orgID int, role string) error {
	o, err := c.Organization.Get(viewer.AsSystem(ctx), orgID) // a pending one is not public
	if ent.IsNotFound(err) {
		return apperr.BadInput("%s %s: no such organization", role, gid.Ref(orgID))
	}
	if err != nil {
		return err
	}
	if o.Status != organization.StatusACTIVE {
		return apperr.Conflict("%s %s is %s: only active organizations take part", role, o.Name, o.Status).
			WithStatus(o.Status.String())
	}
	return nil
}

// BuyerProfileInput sets a budget unit's canteen budget for a year.
type BuyerProfileInput struct {
	OrganizationID       int
	Year                 int
	HasCanteen           bool
	CanteenFoodBudgetFen int64
	ReservedShareBp      int
}

// MinReservedShareBp is the 2022 rule: at least 10% of canteen food
// procurement is reserved for products of poor areas.
const MinReservedShareBp = 1000

// SetBuyerProfile sets (or replaces) the organization's buyer profile for
// the year (the BuyerProfile policy: its managers).
func (s *Service) SetBuyerProfile(ctx context.Context, in BuyerProfileInput) (*ent.BuyerProfile, error) {
	switch {
	case in.Year < 2000 || in.Year > 2100:
		return nil, apperr.BadInput("year must be 2000–2100")
	case in.CanteenFoodBudgetFen < 0:
		return nil, apperr.BadInput("canteenFoodBudgetFen is not negative")
	case in.HasCanteen && (in.ReservedShareBp < MinReservedShareBp || in.ReservedShareBp > 10_000):
		return nil, apperr.BadInput("reservedShareBp is %d to 10000 (at least 10%%) for a unit with a canteen", MinReservedShareBp)
	case !in.HasCanteen && (in.CanteenFoodBudgetFen != 0):
		return nil, apperr.BadInput("a unit without a canteen has no canteen budget")
	case in.ReservedShareBp < 0 || in.ReservedShareBp > 10_000:
		return nil, apperr.BadInput("reservedShareBp is 0 to 10000")
	}
	if !in.HasCanteen && in.ReservedShareBp == 0 {
		in.ReservedShareBp = MinReservedShareBp
	}
	var out *ent.BuyerProfile
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		id, err := tx.BuyerProfile.Create().SetOrganizationID(in.OrganizationID).SetYear(in.Year).
			SetHasCanteen(in.HasCanteen).SetCanteenFoodBudgetFen(in.CanteenFoodBudgetFen).SetReservedShareBp(in.ReservedShareBp).
			OnConflictColumns("organization_id", "year").
			UpdateHasCanteen().UpdateCanteenFoodBudgetFen().UpdateReservedShareBp().UpdateUpdatedAt().ID(ctx)
		if ent.IsConstraintError(err) {
			return apperr.BadInput("organizationId: no such organization")
		}
		if err != nil {
			return err
		}
		out, err = tx.BuyerProfile.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func dateOnly(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
