package schema

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"

	entgo "entgo.io/ent"
)

// Privacy: who may read or change which rows. This file and the Policy
// methods beside each schema are the only place access is decided;
// resolvers never repeat these checks. Denials surface as FORBIDDEN, or
// UNAUTHENTICATED for anonymous callers.

// policy builds a policy: the server itself and admins pass everything;
// then the type's own rules; anything not allowed is denied.
func policy(query []privacy.QueryRule, mutation []privacy.MutationRule) entgo.Policy {
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
	return privacy.QueryRuleFunc(func(context.Context, ent.Query) error { return privacy.Allow })
}

// signedIn denies anonymous callers before any other rule.
func signedIn() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
		if !viewer.FromContext(ctx).Authenticated() {
			return privacy.Denyf("sign in to see this")
		}
		return privacy.Skip
	})
}

// readableBy lets the given roles read every row of the type.
func readableBy(roles ...string) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
		if viewer.FromContext(ctx).Has(roles...) {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// officials are the roles that read household and ledger data in full.
var officials = []string{viewer.Auditor, viewer.Coordinator, viewer.Certifier}
