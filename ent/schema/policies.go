package schema

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/annualincome"
	"bangfu/ent/benefitlink"
	"bangfu/ent/buyerprofile"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/monitoringcase"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/organization"
	"bangfu/ent/predicate"
	"bangfu/ent/privacy"
	"bangfu/ent/product"
	"bangfu/ent/progressreport"
	"bangfu/ent/purchasetotal"
	"bangfu/ent/region"
	"bangfu/ent/user"
	"bangfu/internal/scope"
	"bangfu/internal/viewer"

	entgo "entgo.io/ent"
)

// The authorization matrix, one Policy per type. Read rules come first,
// mutation rules second; ADMIN and the server itself pass everything
// (see policy).

// Policy of the Region: public catalog data, changed by admins only.
func (Region) Policy() entgo.Policy { return policy([]privacy.QueryRule{public()}, nil) }

// Policy of the Organization: public directory.
func (Organization) Policy() entgo.Policy { return policy([]privacy.QueryRule{public()}, nil) }

// Policy of the SupplierProfile: onboarding status is public. A supplier's
// members apply for their organization; the certifiers whose scope covers
// the organization's county decide (which step by whom: internal/market).
func (SupplierProfile) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.SupplierProfileMutationRuleFunc(func(ctx context.Context, m *ent.SupplierProfileMutation) error {
			v := viewer.FromContext(ctx)
			org, ok := m.OrganizationID()
			if !ok {
				id, _ := m.ID()
				p, err := m.Client().SupplierProfile.Get(ctx, id)
				if err != nil {
					return err
				}
				org = p.OrganizationID
			}
			if contains(v.OrgIDs(viewer.Supplier), org) {
				return privacy.Allow
			}
			if v.Has(viewer.Certifier) {
				covered, err := countyCovered(ctx, m.Client(), org)
				if err != nil || covered {
					return orAllow(err)
				}
			}
			return privacy.Denyf("only the organization's members and its county's certifiers change its supplier profile")
		}),
	})
}

// countyCovered reports whether the viewer's scope covers the county the
// organization is registered in.
func countyCovered(ctx context.Context, c *ent.Client, orgID int) (bool, error) {
	code, err := c.Organization.Query().Where(organization.ID(orgID)).QueryRegion().
		Select(region.FieldCode).String(ctx)
	if err != nil {
		return false, err
	}
	return viewer.FromContext(ctx).CoversCounty(code), nil
}

func orAllow(err error) error {
	if err != nil {
		return err
	}
	return privacy.Allow
}

// Policy of the BuyerProfile: the organization's own members and officials.
func (BuyerProfile) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor, viewer.Coordinator),
		privacy.BuyerProfileQueryRuleFunc(func(ctx context.Context, q *ent.BuyerProfileQuery) error {
			q.Where(buyerprofile.OrganizationIDIn(viewer.FromContext(ctx).OrgIDs(viewer.Buyer, viewer.Supplier)...))
			return privacy.Allow
		}),
	}, nil)
}

// Policy of the Agreement: public. Coordinators change the agreements in
// their scope and amend them (an amendment is a new version created with
// supersedes set to a version in scope).
func (Agreement) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.AgreementMutationRuleFunc(func(ctx context.Context, m *ent.AgreementMutation) error {
			id, ok := m.ID()
			if m.Op().Is(entgo.OpCreate) {
				id, ok = m.SupersedesID()
			}
			if !ok || !(m.Op().Is(entgo.OpCreate) || m.Op().Is(entgo.OpUpdateOne)) {
				return privacy.Skip
			}
			in, err := inScope(ctx, m.Client(), id)
			if err != nil || in {
				return orAllow(err)
			}
			return privacy.Skip
		}),
	})
}

// Policy of the Target: public; coordinators set targets of agreements in scope.
func (Target) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.TargetMutationRuleFunc(func(ctx context.Context, m *ent.TargetMutation) error {
			if id, ok := m.AgreementID(); ok {
				in, err := inScope(ctx, m.Client(), id)
				if err != nil || in {
					return orAllow(err)
				}
			}
			return privacy.Skip
		}),
	})
}

// Policy of the ProgressReport: coordinators see and file reports for the
// agreements in their scope; auditors read all.
func (ProgressReport) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor),
		privacy.ProgressReportQueryRuleFunc(func(ctx context.Context, q *ent.ProgressReportQuery) error {
			q.Where(progressreport.HasAgreementWith(scopeAgreements(ctx)))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.ProgressReportMutationRuleFunc(func(ctx context.Context, m *ent.ProgressReportMutation) error {
			id, ok := m.AgreementID()
			if !ok {
				rid, _ := m.ID()
				r, err := m.Client().ProgressReport.Get(ctx, rid)
				if err != nil {
					return err
				}
				id = r.AgreementID
			}
			in, err := inScope(ctx, m.Client(), id)
			if err != nil || in {
				return orAllow(err)
			}
			return privacy.Skip
		}),
	})
}

// Policy of the Assessment: officials read; the coordinators of the
// agreement self-report; cross review by a coordinator from outside the
// agreement and grading by admins are checked by internal/agreements.
func (Assessment) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{signedIn(), readableBy(viewer.Auditor, viewer.Coordinator)}, []privacy.MutationRule{
		privacy.AssessmentMutationRuleFunc(func(ctx context.Context, m *ent.AssessmentMutation) error {
			if viewer.FromContext(ctx).Has(viewer.Coordinator) {
				return privacy.Allow
			}
			return privacy.Skip
		}),
	})
}

// Policy of the MonitoringThreshold: public standards, set by admins.
func (MonitoringThreshold) Policy() entgo.Policy { return policy([]privacy.QueryRule{public()}, nil) }

// Policy of the Pairing: public; set by admins.
func (Pairing) Policy() entgo.Policy { return policy([]privacy.QueryRule{public()}, nil) }

// Policy of the CreditTotal: aggregated progress, for signed-in users;
// written only by the ledger hook.
func (CreditTotal) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{signedIn(), privacy.AlwaysAllowRule()}, nil)
}

// Policy of the PurchaseTotal: officials read every organization's
// totals, buyers their own.
func (PurchaseTotal) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(officials...),
		privacy.PurchaseTotalQueryRuleFunc(func(ctx context.Context, q *ent.PurchaseTotalQuery) error {
			q.Where(purchasetotal.OrganizationIDIn(viewer.FromContext(ctx).OrgIDs(viewer.Buyer)...))
			return privacy.Allow
		}),
	}, nil)
}

// scopeAgreements matches the versions of the agreements in the viewer's
// coordinator scope: a scope names a version and covers all versions.
func scopeAgreements(ctx context.Context) predicate.Agreement {
	return scope.Agreements(viewer.FromContext(ctx).AgreementIDs())
}

// inScope reports whether the agreement version is in the viewer's
// coordinator scope, directly or through its original version.
func inScope(ctx context.Context, c *ent.Client, agreementID int) (bool, error) {
	ids := viewer.FromContext(ctx).AgreementIDs()
	if len(ids) == 0 {
		return false, nil
	}
	if contains(ids, agreementID) {
		return true, nil
	}
	return c.Agreement.Query().Where(agreement.ID(agreementID), scopeAgreements(ctx)).Exist(ctx)
}

// householdRules: officials read households (personal fields are masked by
// scope elsewhere); a supplier reads the households it is linked to;
// buyers and anonymous callers read none.
func householdRules(supplierFilter func(ctx context.Context, q ent.Query, orgs []int)) []privacy.QueryRule {
	return []privacy.QueryRule{
		signedIn(), readableBy(officials...),
		privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
			orgs := viewer.FromContext(ctx).OrgIDs(viewer.Supplier)
			if len(orgs) == 0 {
				return privacy.Denyf("only officials and linked suppliers see household data")
			}
			supplierFilter(ctx, q, orgs)
			return privacy.Allow
		}),
	}
}

func linkedTo(orgs []int) predicate.Household {
	return household.HasBenefitLinksWith(benefitlink.SupplierIDIn(orgs...))
}

// Policy of the Household.
func (Household) Policy() entgo.Policy {
	return policy(householdRules(func(_ context.Context, q ent.Query, orgs []int) {
		q.(*ent.HouseholdQuery).Where(linkedTo(orgs))
	}), nil)
}

// Policy of the HouseholdMember.
func (HouseholdMember) Policy() entgo.Policy {
	return policy(householdRules(func(_ context.Context, q ent.Query, orgs []int) {
		q.(*ent.HouseholdMemberQuery).Where(householdmember.HasHouseholdWith(linkedTo(orgs)))
	}), nil)
}

// Policy of the AnnualIncome.
func (AnnualIncome) Policy() entgo.Policy {
	return policy(householdRules(func(_ context.Context, q ent.Query, orgs []int) {
		q.(*ent.AnnualIncomeQuery).Where(annualincome.HasHouseholdWith(linkedTo(orgs)))
	}), nil)
}

// Policy of the BenefitLink.
func (BenefitLink) Policy() entgo.Policy {
	return policy(householdRules(func(_ context.Context, q ent.Query, orgs []int) {
		q.(*ent.BenefitLinkQuery).Where(benefitlink.SupplierIDIn(orgs...))
	}), nil)
}

// Policy of the MonitoringCase.
// Coordinators and certifiers whose region scope covers the household's
// county open and move its cases (which step when: internal/monitoring).
func (MonitoringCase) Policy() entgo.Policy {
	return policy(householdRules(func(_ context.Context, q ent.Query, orgs []int) {
		q.(*ent.MonitoringCaseQuery).Where(monitoringcase.HasHouseholdWith(linkedTo(orgs)))
	}), []privacy.MutationRule{
		privacy.MonitoringCaseMutationRuleFunc(func(ctx context.Context, m *ent.MonitoringCaseMutation) error {
			v := viewer.FromContext(ctx)
			if !v.Has(viewer.Coordinator, viewer.Certifier) {
				return privacy.Skip
			}
			hid, ok := m.HouseholdID()
			if !ok {
				id, _ := m.ID()
				mc, err := m.Client().MonitoringCase.Get(ctx, id)
				if err != nil {
					return err
				}
				hid = mc.HouseholdID
			}
			code, err := m.Client().Household.Query().Where(household.ID(hid)).Select(household.FieldCountyCode).String(ctx)
			if err != nil {
				return err
			}
			if v.CoversCounty(code) {
				return privacy.Allow
			}
			return privacy.Denyf("only officials whose scope covers the household's county handle its monitoring")
		}),
	})
}

// Policy of the Product: public catalog; a supplier creates and edits only
// its own organization's products.
func (Product) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.ProductMutationRuleFunc(func(ctx context.Context, m *ent.ProductMutation) error {
			orgs := viewer.FromContext(ctx).OrgIDs(viewer.Supplier)
			if len(orgs) == 0 {
				return privacy.Skip
			}
			switch {
			case m.Op().Is(entgo.OpCreate):
				if s, ok := m.SupplierID(); ok && contains(orgs, s) {
					return privacy.Allow
				}
			case m.Op().Is(entgo.OpUpdateOne):
				id, _ := m.ID()
				own, err := m.Client().Product.Query().Where(product.ID(id), product.SupplierIDIn(orgs...)).Exist(ctx)
				if err != nil {
					return err
				}
				if s, moved := m.SupplierID(); own && (!moved || contains(orgs, s)) {
					return privacy.Allow
				}
			}
			return privacy.Denyf("suppliers change only their own products")
		}),
	})
}

// Policy of the Certification: public. A supplier applies for its own
// products; certifiers whose scope covers the product's origin county
// review, certify and revoke.
func (Certification) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.CertificationMutationRuleFunc(func(ctx context.Context, m *ent.CertificationMutation) error {
			v := viewer.FromContext(ctx)
			productID, ok := m.ProductID()
			if !ok {
				id, _ := m.ID()
				c, err := m.Client().Certification.Get(ctx, id)
				if err != nil {
					return err
				}
				productID = c.ProductID
			}
			p, err := m.Client().Product.Query().Where(product.ID(productID)).WithOriginCounty().Only(ctx)
			if err != nil {
				return err
			}
			if m.Op().Is(entgo.OpCreate) && contains(v.OrgIDs(viewer.Supplier), p.SupplierID) {
				return privacy.Allow
			}
			if !m.Op().Is(entgo.OpCreate) && v.Has(viewer.Certifier) && v.CoversCounty(p.Edges.OriginCounty.Code) {
				return privacy.Allow
			}
			return privacy.Denyf("certifications are decided by the origin county's certifiers")
		}),
	})
}

// Policy of the StockAdjustment: suppliers record changes to their own
// products; the record is public like the stock it explains.
func (StockAdjustment) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{public()}, []privacy.MutationRule{
		privacy.StockAdjustmentMutationRuleFunc(func(ctx context.Context, m *ent.StockAdjustmentMutation) error {
			id, _ := m.ProductID()
			own, err := m.Client().Product.Query().Where(product.ID(id),
				product.SupplierIDIn(viewer.FromContext(ctx).OrgIDs(viewer.Supplier)...)).Exist(ctx)
			if err != nil || own {
				return orAllow(err)
			}
			return privacy.Denyf("suppliers adjust only their own stock")
		}),
	})
}

// orderVisible: a buyer sees its organization's orders, a supplier the
// orders it received, either one the orders it facilitated.
func orderVisible(v *viewer.Viewer) predicate.Order {
	mine := v.OrgIDs(viewer.Buyer, viewer.Supplier)
	return order.Or(
		order.BuyerIDIn(v.OrgIDs(viewer.Buyer)...),
		order.SupplierIDIn(v.OrgIDs(viewer.Supplier)...),
		order.FacilitatorIDIn(mine...),
	)
}

// Policy of the Order: a buyer places orders for its own organization; the
// buyer and the supplier of an order change it (which party may make which
// lifecycle step is the marketplace's rule, internal/market).
func (Order) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor, viewer.Coordinator),
		privacy.OrderQueryRuleFunc(func(ctx context.Context, q *ent.OrderQuery) error {
			q.Where(orderVisible(viewer.FromContext(ctx)))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.OrderMutationRuleFunc(func(ctx context.Context, m *ent.OrderMutation) error {
			v := viewer.FromContext(ctx)
			switch {
			case m.Op().Is(entgo.OpCreate):
				if b, ok := m.BuyerID(); ok && contains(v.OrgIDs(viewer.Buyer), b) {
					return privacy.Allow
				}
				return privacy.Denyf("buyers order only for their own organization")
			case m.Op().Is(entgo.OpUpdateOne):
				id, _ := m.ID()
				party, err := m.Client().Order.Query().Where(order.ID(id), order.Or(
					order.BuyerIDIn(v.OrgIDs(viewer.Buyer)...), order.SupplierIDIn(v.OrgIDs(viewer.Supplier)...),
				)).Exist(ctx)
				if err != nil {
					return err
				}
				if party {
					return privacy.Allow
				}
			}
			return privacy.Skip
		}),
	})
}

// Policy of the OrderLine.
func (OrderLine) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor, viewer.Coordinator),
		privacy.OrderLineQueryRuleFunc(func(ctx context.Context, q *ent.OrderLineQuery) error {
			q.Where(orderline.HasOrderWith(orderVisible(viewer.FromContext(ctx))))
			return privacy.Allow
		}),
	}, nil)
}

// Policy of the LedgerEntry: written only by the server's own accounting;
// read by officials, and by the parties of the orders behind each entry.
func (LedgerEntry) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(officials...),
		privacy.LedgerEntryQueryRuleFunc(func(ctx context.Context, q *ent.LedgerEntryQuery) error {
			q.Where(ledgerentry.HasOrderLineWith(orderline.HasOrderWith(orderVisible(viewer.FromContext(ctx)))))
			return privacy.Allow
		}),
	}, nil)
}

// Policy of the IncentiveRule: published rules, set by admins.
func (IncentiveRule) Policy() entgo.Policy { return policy([]privacy.QueryRule{public()}, nil) }

// Policy of the Award: public recognition.
func (Award) Policy() entgo.Policy { return policy([]privacy.QueryRule{public()}, nil) }

// Policy of the User: users see themselves; auditors see everyone; admins
// manage accounts.
func (User) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor),
		privacy.UserQueryRuleFunc(func(ctx context.Context, q *ent.UserQuery) error {
			q.Where(user.ID(viewer.FromContext(ctx).UserID))
			return privacy.Allow
		}),
	}, nil)
}

// Policy of the Membership: users see their own roles; admins grant them.
func (Membership) Policy() entgo.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor),
		privacy.MembershipQueryRuleFunc(func(ctx context.Context, q *ent.MembershipQuery) error {
			q.Where(membership.UserID(viewer.FromContext(ctx).UserID))
			return privacy.Allow
		}),
	}, nil)
}

// Policy of the AuditEvent: auditors and admins read; only the server
// appends; nobody, admins included, edits or deletes.
func (AuditEvent) Policy() entgo.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			signedIn(), readableBy(viewer.Auditor, viewer.Admin),
			privacy.ContextQueryMutationRule(func(ctx context.Context) error {
				if viewer.FromContext(ctx).IsSystem() {
					return privacy.Allow
				}
				return privacy.Denyf("only auditors read the audit trail")
			}),
		},
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(privacy.ContextQueryMutationRule(func(ctx context.Context) error {
				if viewer.FromContext(ctx).IsSystem() {
					return privacy.Allow
				}
				return privacy.Skip
			}), entgo.OpCreate),
			privacy.AlwaysDenyRule(),
		},
	}
}

// Policy of the Session: refresh-token sessions are the server's business.
func (Session) Policy() entgo.Policy { return policy(nil, nil) }

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
