package schema

import (
	"context"
	"slices"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/facilitation"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// Facilitation is a standing agreement that an organization helps a buyer
// buy (帮助销售): one side proposes, the other accepts, either ends it. A
// HELP_SELL credit goes to a facilitator only under an accepted agreement
// in force on the order date, both organizations active (DOMAIN rule 10).
// Written by internal/accounts.
type Facilitation struct{ ent.Schema }

// Mixin of the Facilitation.
func (Facilitation) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the Facilitation.
func (Facilitation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("facilitator_id").Immutable(),
		field.Int("buyer_id").Immutable(),
		field.Time("valid_from").Immutable(),
		field.Time("valid_until").Optional().Nillable(),
		field.Enum("status").Values("PROPOSED", "ACCEPTED", "ENDED").Default("PROPOSED").
			Comment("PROPOSED by one side, ACCEPTED by the other, ENDED by either."),
		field.Int("proposed_by_org_id").Immutable().
			Comment("The side that proposed (the facilitator or the buyer); the other accepts."),
		field.Int("proposed_by_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("accepted_at").Optional().Nillable(),
		field.Int("accepted_by_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("ended_at").Optional().Nillable(),
	}
}

// Edges of the Facilitation.
func (Facilitation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("facilitator", Organization.Type).Field("facilitator_id").Unique().Required().Immutable(),
		edge.To("buyer", Organization.Type).Field("buyer_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Facilitation.
func (Facilitation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("facilitator_id", "buyer_id", "status"), index.Fields("buyer_id")}
}

// Annotations of the Facilitation.
func (Facilitation) Annotations() []schema.Annotation {
	return node("Facilitation", "A standing agreement that an organization helps a buyer buy (帮助销售), accepted by both.", entgql.QueryField())
}

// Policy of the Facilitation: the two organizations and officials see it.
// Each side acts through its managers (and the buyer also through its
// buyers): one side proposes (as proposed_by_org), the other accepts,
// either ends it (which step when: internal/accounts).
func (Facilitation) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(officials...),
		privacy.FacilitationQueryRuleFunc(func(ctx context.Context, q *gen.FacilitationQuery) error {
			mine := viewer.FromContext(ctx).OrgIDs(memberRoles...)
			q.Where(facilitation.Or(facilitation.FacilitatorIDIn(mine...), facilitation.BuyerIDIn(mine...)))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.FacilitationMutationRuleFunc(func(ctx context.Context, m *gen.FacilitationMutation) error {
			v := viewer.FromContext(ctx)
			actsFor := func(facilitator, buyer int) []int {
				var sides []int
				if slices.Contains(v.OrgIDs(viewer.OrgManager), facilitator) {
					sides = append(sides, facilitator)
				}
				if slices.Contains(v.OrgIDs(viewer.OrgManager, viewer.Buyer), buyer) {
					sides = append(sides, buyer)
				}
				return sides
			}
			if m.Op().Is(ent.OpCreate) {
				facilitator, _ := m.FacilitatorID()
				buyer, _ := m.BuyerID()
				proposer, _ := m.ProposedByOrgID()
				if slices.Contains(actsFor(facilitator, buyer), proposer) {
					return privacy.Allow
				}
				return privacy.Denyf("a facilitation is proposed by one of its two organizations, for itself")
			}
			id, _ := m.ID()
			f, err := m.Client().Facilitation.Get(ctx, id)
			if err != nil {
				return err
			}
			sides := actsFor(f.FacilitatorID, f.BuyerID)
			if status, _ := m.Status(); status == facilitation.StatusACCEPTED {
				// The side that did not propose accepts.
				if slices.ContainsFunc(sides, func(o int) bool { return o != f.ProposedByOrgID }) {
					return privacy.Allow
				}
				return privacy.Denyf("a facilitation is accepted by the other organization")
			}
			if len(sides) > 0 {
				return privacy.Allow
			}
			return privacy.Denyf("a facilitation is changed by its two organizations")
		}),
	})
}
