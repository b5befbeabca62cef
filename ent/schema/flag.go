package schema

import (
	"context"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// Flag is an integrity red flag (DOMAIN rule 9): a suspicious pattern one
// indicator found in the ledger, orders, links or registry, for auditors
// to confirm or dismiss. Raised by internal/integrity only, once per
// indicator code and subject (a second scan raises nothing new).
type Flag struct{ ent.Schema }

// Mixin of the Flag: raising and reviewing are audited.
func (Flag) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// flagCode is the shape of an indicator code: stable, upper snake case.
var flagCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,63}$`)

// Fields of the Flag.
func (Flag) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").Match(flagCode).Immutable().
			Comment("Stable indicator code: PRICE_OUTLIER, ROUND_TRIP, LINKED_PARTIES, YEAR_END_SURGE, CONCENTRATION, PAPER_BENEFIT_LINKS, …"),
		field.Enum("subject_type").
			Values("ORDER", "PRODUCT", "ORGANIZATION", "ORGANIZATION_PAIR", "AGREEMENT", "BENEFIT_LINK", "HOUSEHOLD", "COUNTY").
			Immutable().Comment("What the flag is about."),
		field.Strings("subjects").Immutable().
			Comment("Global IDs of the subject (two organizations for a pair)."),
		field.String("subject_key").NotEmpty().MaxLen(200).Immutable().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Canonical key of the subject (and the period it concerns): with the code, what makes a flag unique."),
		field.Int("order_id").Optional().Nillable().Immutable().
			Comment("The order, when the subject is one: confirming the flag excludes its credits."),
		field.Float("score").Comment("How far past its threshold the finding is (e.g. price ÷ fence, share ÷ allowed share)."),
		field.String("summary").MaxLen(1000).Comment("What was found, in words."),
		field.Strings("evidence").Optional().Immutable().
			Comment("Global IDs of the ledger entries, orders, lines, links or members behind it."),
		field.JSON("thresholds", map[string]any{}).Optional().Immutable().Annotations(entgql.Type("Map")).
			Comment("The figures it was measured against: quartiles, IQR, fence, k, sample size, shares, limits."),
		field.Enum("status").Values("OPEN", "CONFIRMED", "DISMISSED").Default("OPEN").
			Comment("OPEN until an auditor confirms or dismisses it."),
		field.Int("reviewer_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The auditor who last reviewed it."),
		field.String("reason").Optional().MaxLen(1000).Comment("The reviewer's reason."),
		field.Time("raised_at").Default(nowUTC).Immutable().Annotations(entgql.OrderField("RAISED_AT")),
		field.Time("reviewed_at").Optional().Nillable(),
	}
}

// Edges of the Flag.
func (Flag) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("order", Order.Type).Field("order_id").Unique().Immutable(),
		edge.To("reviewer", User.Type).Field("reviewer_id").Unique(),
		edge.To("ledger_entries", LedgerEntry.Type).Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The reversing and re-booking entries its review wrote."),
	}
}

// Indexes of the Flag.
func (Flag) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("code", "subject_key").Unique(),
		index.Fields("status", "code"),
		index.Fields("order_id"),
	}
}

// Annotations of the Flag.
func (Flag) Annotations() []schema.Annotation {
	return node("Flag", "An integrity red flag (疑点): a suspicious pattern for auditors to confirm or dismiss.",
		entgql.QueryField())
}

// Policy of the Flag: auditors and admins read every flag; auditors
// review them (which step when: internal/integrity); only the server raises them.
func (Flag) Policy() ent.Policy {
	return policy([]privacy.QueryRule{signedIn(), readableBy(viewer.Auditor)}, []privacy.MutationRule{
		privacy.MutationRuleFunc(func(ctx context.Context, m gen.Mutation) error {
			if m.Op().Is(ent.OpUpdateOne) && viewer.FromContext(ctx).Has(viewer.Auditor) {
				return privacy.Allow
			}
			return privacy.Denyf("only auditors review flags; flags are raised by the integrity scan")
		}),
	})
}
