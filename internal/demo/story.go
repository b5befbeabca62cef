package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/benefitlink"
	"bangfu/ent/credittotal"
	"bangfu/ent/facilitation"
	"bangfu/ent/household"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/validate"
)

// The story: what the demo accounts can do on a fresh --demo server
// without creating anything first.
//
//   - supplier@ sells for a cooperative in storyCounty, a county of Inner
//     Mongolia, which Beijing helps under an ACTIVE 2026 agreement;
//     buyer@ buys for a Beijing agency, so its purchases there count.
//   - facilitator@ manages a Beijing charity that has an accepted
//     facilitation with buyer@'s agency (HELP_SELL counts).
//   - manager@ is the ORG_MANAGER of buyer@'s agency.
//   - certifier@ covers storyCounty, where a registration, a benefit link
//     and a certification whose public notice has ended wait for a decision.
const storyProvince = "15"

// storyCounty is the first helped county of the story's province.
func (b *builder) storyCounty() *ent.Region {
	for _, c := range b.counties {
		if strings.HasPrefix(c.Code, storyProvince) {
			return c
		}
	}
	panic("demo: no county in the story's province")
}

// isStorySupplier reports whether the organization is supplier@'s.
func (b *builder) isStorySupplier(o *ent.Organization) bool {
	return b.storySupplier != nil && o.ID == b.storySupplier.ID
}

// facilitate records an accepted facilitation between the two, once.
func (b *builder) facilitate(ctx context.Context, facilitator, buyer, proposer *ent.Organization) error {
	key := [2]int{facilitator.ID, buyer.ID}
	if b.facilitations[key] {
		return nil
	}
	b.facilitations[key] = true
	from := yearStart(2025)
	return b.tx.Facilitation.Create().SetFacilitator(facilitator).SetBuyer(buyer).SetProposedByOrgID(proposer.ID).
		SetValidFrom(from).SetStatus(facilitation.StatusACCEPTED).SetAcceptedAt(from.AddDate(0, 0, 3)).Exec(ctx)
}

// loadStory writes what waits for a decision, the story's facilitation,
// and one settled purchase for every ACTIVE agreement that the random
// orders left without 2026 progress.
func (b *builder) loadStory(ctx context.Context) error {
	county := b.storyCounty()
	if err := b.facilitate(ctx, b.storyFacilitator(), b.buyers[0], b.buyers[0]); err != nil {
		return err
	}
	// A cooperative's registration, waiting for the county's certifier.
	pending, err := b.tx.Organization.Create().SetName(shortName(county.Name) + "新兴农牧民专业合作社").
		SetKind(organization.KindCOOPERATIVE).SetRegion(county).SetCreditCode(b.creditCode("93", county.Code)).
		SetStatus(organization.StatusPENDING).SetContactPhone("13800000000").Save(ctx)
	if err != nil {
		return err
	}
	b.pendingOrg = pending
	// A benefit link proposed by supplier@'s cooperative, not yet approved.
	h, err := b.tx.Household.Query().Where(household.HasBenefitLinksWith(benefitlink.SupplierID(b.storySupplier.ID))).
		Order(ent.Asc(household.FieldID)).First(ctx)
	if err != nil {
		return err
	}
	if err := b.tx.BenefitLink.Create().SetSupplierID(b.storySupplier.ID).SetHousehold(h).
		SetMechanism(benefitlink.MechanismASSET).SetShareBp(200).SetValidFrom(Reference).
		SetStatus(benefitlink.StatusPROPOSED).SetEvidence([]string{"入股分红协议（示例）", "股金收据（示例）"}).Exec(ctx); err != nil {
		return err
	}
	return b.quietAgreements(ctx)
}

// storyFacilitator is the Beijing charity facilitator@ manages.
func (b *builder) storyFacilitator() *ent.Organization {
	for _, o := range b.helpers {
		if o.RegionID == b.buyers[0].RegionID && o.Kind == organization.KindSOCIAL_ORG {
			return o
		}
	}
	panic("demo: no social organization beside the first buyer")
}

// quietAgreements gives every ACTIVE agreement without 2026 credits one
// settled purchase: a buyer of its helping side from a supplier of a
// county it helps, certified products only.
func (b *builder) quietAgreements(ctx context.Context) error {
	active, err := b.tx.Agreement.Query().Where(agreement.StatusEQ(agreement.StatusACTIVE)).
		WithHelpedRegions().Order(ent.Asc(agreement.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	approved, err := b.tx.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		Select(supplierprofile.FieldOrganizationID).Ints(ctx)
	if err != nil {
		return err
	}
	for i, a := range active {
		versions := []int{a.ID}
		if a.OriginalID != nil {
			versions = append(versions, *a.OriginalID)
		}
		moving, err := b.tx.CreditTotal.Query().Where(credittotal.AgreementIDIn(versions...), credittotal.Year(2026),
			credittotal.IndicatorEQ(credittotal.IndicatorDIRECT_PURCHASE), credittotal.AmountGT(0)).Exist(ctx)
		if err != nil {
			return err
		}
		if moving {
			continue
		}
		buyer := b.buyerFor(a)
		p := b.certifiedProductIn(a.Edges.HelpedRegions, approved)
		if buyer == nil || p == nil {
			continue // nothing to sell there: the agreement stays at zero
		}
		placed := Reference.AddDate(0, -1-i%8, -b.pick(20)).Add(10 * time.Hour)
		if err := b.order(ctx, buyer, p.SupplierID, nil, order.StatusSETTLED, placed, []lineSpec{{*p, 5 + b.pick(20)}}); err != nil {
			return fmt.Errorf("agreement %d: %w", a.ID, err)
		}
	}
	return nil
}

// buyerFor is a buyer whose purchases count toward the agreement: the
// helping unit itself, or the first buyer registered in the helping region.
func (b *builder) buyerFor(a *ent.Agreement) *ent.Organization {
	for _, o := range b.buyers {
		if a.HelpingUnitID != nil && o.ID == *a.HelpingUnitID {
			return o
		}
		if a.HelpingRegionID != nil && o.RegionID == *a.HelpingRegionID && o.Kind != organization.KindUNION {
			return o
		}
	}
	return nil
}

// certifiedProductIn is a listed product with a valid certificate from an
// approved supplier in one of the regions.
func (b *builder) certifiedProductIn(regions []*ent.Region, approved []int) *demoProduct {
	for i := range b.demoProducts {
		p := &b.demoProducts[i]
		if p.cert != certValid || p.Status != product.StatusLISTED || !slices.Contains(approved, p.SupplierID) {
			continue
		}
		origin := b.regionByID(p.OriginCountyID)
		for _, r := range regions {
			if strings.HasPrefix(origin.Code, validate.RegionPrefix(r.Code)) {
				return p
			}
		}
	}
	return nil
}
