package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/privacy"
	"bangfu/ent/purchasetotal"
	"bangfu/internal/gid"
	"bangfu/internal/viewer"
)

// PurchaseTotal is the running total of one organization's settled
// purchases per period month, kept with settlement and refund: all lines,
// and those that count (certified and valid on the order date), and the
// incentive points it earned (kept by the ledger hook). Canteen quotas and
// leaderboards read it.
type PurchaseTotal struct{ ent.Schema }

// Fields of the PurchaseTotal.
func (PurchaseTotal) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("year"),
		field.Int("month"),
		field.Int64("settled_fen").Default(0),
		field.Int64("counted_fen").Default(0),
		field.Int64("points").Default(0).Comment("Net incentive points the organization earned in the month."),
	}
}

// Indexes of the PurchaseTotal.
func (PurchaseTotal) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "year", "month").Unique(), index.Fields("year")}
}

// Annotations of the PurchaseTotal.
func (PurchaseTotal) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.IncrementStart(gid.Start("PurchaseTotal")), entgql.Skip(entgql.SkipAll)}
}

// Policy of the PurchaseTotal: officials read every organization's
// totals, buyers their own.
func (PurchaseTotal) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(officials...),
		privacy.PurchaseTotalQueryRuleFunc(func(ctx context.Context, q *gen.PurchaseTotalQuery) error {
			q.Where(purchasetotal.OrganizationIDIn(viewer.FromContext(ctx).OrgIDs(viewer.Buyer)...))
			return privacy.Allow
		}),
	}, nil)
}
