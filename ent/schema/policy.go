package schema

import (
	"context"
	"slices"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	gen "bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/predicate"
	"bangfu/ent/privacy"
	"bangfu/ent/region"
	"bangfu/internal/scope"
	"bangfu/internal/viewer"
)

// Privacy: who may read or change which rows. This file and the Policy
// methods beside each schema are the only place access is decided;
// resolvers never repeat these checks. Denials surface as FORBIDDEN, or
// UNAUTHENTICATED for anonymous callers.

// policy builds a policy: the server itself and admins pass everything;
// then the type's own rules; anything not allowed is denied.
func policy(query []privacy.QueryRule, mutation []privacy.MutationRule) ent.Policy {
	q := privacy.QueryPolicy{allowSystemAndAdmin()}
	q = append(q, query...)
	q = append(q, privacy.AlwaysDenyRule())
	m := privacy.MutationPolicy{allowSystemAndAdmin()}
	m = append(m, mutation...)
	m = append(m, privacy.AlwaysDenyRule())
	return privacy.Policy{Query: q, Mutation: m}
}

func allowSystemAndAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v.IsSystem() || v.Has(viewer.Admin) {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// public lets anyone read, including anonymous visitors (catalog, regions,
// agreements and their aggregated progress).
func public() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(context.Context, gen.Query) error { return privacy.Allow })
}

// signedIn denies anonymous callers before any other rule.
func signedIn() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, _ gen.Query) error {
		if !viewer.FromContext(ctx).Authenticated() {
			return privacy.Denyf("sign in to see this")
		}
		return privacy.Skip
	})
}

// readableBy lets the given roles read every row of the type.
func readableBy(roles ...string) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, _ gen.Query) error {
		if viewer.FromContext(ctx).Has(roles...) {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// officials are the roles that read household and ledger data in full.
var officials = []string{viewer.Auditor, viewer.Coordinator, viewer.Certifier}

// countyCovered reports whether the viewer's scope covers the county the
// organization is registered in.
func countyCovered(ctx context.Context, c *gen.Client, orgID int) (bool, error) {
	code, err := c.Organization.Query().Where(organization.ID(orgID)).QueryRegion().
		Select(region.FieldCode).String(ctx)
	if err != nil {
		return false, err
	}
	return viewer.FromContext(ctx).CoversRegion(code), nil
}

func orAllow(err error) error {
	if err != nil {
		return err
	}
	return privacy.Allow
}

// scopeAgreements matches the versions of the agreements in the viewer's
// coordinator scope: a scope names a version and covers all versions.
func scopeAgreements(ctx context.Context) predicate.Agreement {
	return scope.Agreements(viewer.FromContext(ctx).AgreementIDs())
}

// inScope reports whether the agreement version is in the viewer's
// coordinator scope, directly or through its original version.
func inScope(ctx context.Context, c *gen.Client, agreementID int) (bool, error) {
	ids := viewer.FromContext(ctx).AgreementIDs()
	if len(ids) == 0 {
		return false, nil
	}
	if slices.Contains(ids, agreementID) {
		return true, nil
	}
	return c.Agreement.Query().Where(agreement.ID(agreementID), scopeAgreements(ctx)).Exist(ctx)
}

// householdRules: officials read household data (personal fields are
// masked by scope elsewhere); a supplier's members (SUPPLIER, ORG_MANAGER)
// read what filter lets them, given their organizations; buyers and
// anonymous callers read none.
func householdRules(filter func(q gen.Query, v *viewer.Viewer, orgs []int)) []privacy.QueryRule {
	return []privacy.QueryRule{
		signedIn(), readableBy(officials...), evaluatorReads(),
		privacy.QueryRuleFunc(func(ctx context.Context, q gen.Query) error {
			v := viewer.FromContext(ctx)
			orgs := v.OrgIDs(viewer.Supplier, viewer.OrgManager)
			if len(orgs) == 0 {
				return privacy.Denyf("only officials and suppliers see household data")
			}
			filter(q, v, orgs)
			return privacy.Allow
		}),
	}
}

// evaluatorReads lets an EVALUATOR read the households of the counties in
// its scope and their benefit links: what it samples and visits. Members,
// incomes and monitoring cases stay closed to it (personal data, and
// figures it checks rather than reads).
func evaluatorReads() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q gen.Query) error {
		prefixes := viewer.FromContext(ctx).ScopePrefixes(viewer.Evaluator)
		if len(prefixes) == 0 {
			return privacy.Skip
		}
		in := predicate.Household(countyCodeUnder(household.FieldCountyCode, prefixes))
		switch q := q.(type) {
		case *gen.HouseholdQuery:
			q.Where(in)
		case *gen.BenefitLinkQuery:
			q.Where(benefitlink.HasHouseholdWith(in))
		default:
			return privacy.Skip
		}
		return privacy.Allow
	})
}

// countyCodeUnder matches rows whose county code column starts with one of
// the scope prefixes (GB/T 2260 codes nest).
func countyCodeUnder(column string, prefixes []string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		ps := make([]*sql.Predicate, 0, len(prefixes))
		for _, p := range prefixes {
			ps = append(ps, sql.HasPrefix(s.C(column), p))
		}
		s.Where(sql.Or(ps...))
	}
}

// registryKeeper allows the change of a household's records to the
// coordinators and certifiers whose scope covers its county (or village).
func registryKeeper(ctx context.Context, code string) error {
	if viewer.FromContext(ctx).CoversRegion(code) {
		return privacy.Allow
	}
	return privacy.Denyf("the household registry is kept by the officials whose scope covers the household's county")
}

// householdCounty is the county code of the household a mutation concerns:
// the one it names, or the one of the row it changes (ownerOf).
func householdCounty(ctx context.Context, c *gen.Client, named func() (int, bool), id func() (int, bool), ownerOf func(int) (int, error)) string {
	hid, ok := named()
	if !ok {
		rowID, _ := id()
		var err error
		if hid, err = ownerOf(rowID); err != nil {
			return ""
		}
	}
	h, err := c.Household.Get(viewer.AsSystem(ctx), hid)
	if err != nil {
		return ""
	}
	return h.CountyCode
}

func linkedTo(orgs []int) predicate.Household {
	return household.HasBenefitLinksWith(benefitlink.SupplierIDIn(orgs...))
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

// systemOnly lets only the server itself read or write: not even an admin
// edits the log.
func systemOnly() ent.Policy {
	rule := privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx).IsSystem() {
			return privacy.Allow
		}
		return privacy.Deny
	})
	return privacy.Policy{Query: privacy.QueryPolicy{rule}, Mutation: privacy.MutationPolicy{rule}}
}
