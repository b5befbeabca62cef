package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "bangfu/ent"
	"bangfu/ent/hook"
	"bangfu/ent/householdmember"
	"bangfu/ent/privacy"
	"bangfu/internal/pii"
	"bangfu/internal/viewer"
)

// HouseholdMember is one person in a household.
type HouseholdMember struct{ ent.Schema }

// Mixin of the HouseholdMember.
func (HouseholdMember) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the HouseholdMember. Name, ID number and phone are personal data:
// they are not exposed through GraphQL until scope-based masking exists.
func (HouseholdMember) Fields() []ent.Field {
	return []ent.Field{
		field.Int("household_id"),
		field.String("county_code").Optional().Immutable().MaxLen(6).
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The household's county, copied so masking needs no join."),
		field.String("id_number_hash").Optional().MaxLen(64).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Keyed hash (HMAC-SHA256) of the ID number, for lookup without a plain-text search."),
		field.String("name").NotEmpty().MaxLen(64).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).Comment("Name (姓名); personal data."),
		field.String("id_number").Optional().MaxLen(18).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).Comment("Resident ID number (身份证号); personal data."),
		field.String("phone").Optional().MaxLen(20).Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).Comment("Phone number; personal data."),
		field.String("person_number").Optional().MaxLen(32).Comment("Person number in the national record (人编号)."),
		field.String("birth_month").Optional().MaxLen(7).Comment("Birth year and month (出生年月), YYYY-MM."),
		field.Time("removed_at").Optional().Nillable().
			Comment("When the member left the household (deceased, married out, moved); the record stays as history."),
		field.String("removed_reason").Optional().MaxLen(200),
		field.Enum("relation").Values("HEAD", "SPOUSE", "CHILD", "PARENT", "GRANDCHILD", "SIBLING", "OTHER").
			Comment("Relation to the household head (与户主关系)."),
		field.Enum("age_band").Values("UNDER_16", "AGE_16_35", "AGE_36_59", "AGE_60_PLUS").
			Comment("Age band."),
		field.Enum("health").Values("HEALTHY", "CHRONIC_ILLNESS", "SERIOUS_ILLNESS", "DISABLED").Default("HEALTHY").
			Comment("Health (健康状况): 健康, 长期慢性病, 大病, 残疾."),
		field.Enum("labor_ability").Values("NORMAL", "WEAK", "NONE").Default("NORMAL").
			Comment("Labour ability (劳动能力): 普通劳动力, 弱劳动力, 无劳动力."),
		field.Enum("schooling").Values("NONE", "PRESCHOOL", "PRIMARY", "JUNIOR", "SENIOR", "VOCATIONAL", "COLLEGE").Default("NONE").
			Comment("Schooling (在校/文化程度)."),
	}
}

// Edges of the HouseholdMember.
func (HouseholdMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("household", Household.Type).Ref("members").Field("household_id").Unique().Required(),
	}
}

// Indexes of the HouseholdMember.
func (HouseholdMember) Indexes() []ent.Index {
	return []ent.Index{index.Fields("household_id"), index.Fields("id_number_hash")}
}

// Annotations of the HouseholdMember.
func (HouseholdMember) Annotations() []schema.Annotation {
	return node("HouseholdMember", "A member of a registered household (家庭成员).")
}

// Hooks of the HouseholdMember: copy the household's county code and keep
// the ID-number hash in step with the ID number.
func (HouseholdMember) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.HouseholdMemberFunc(func(ctx context.Context, m *gen.HouseholdMemberMutation) (ent.Value, error) {
				// A bulk import sets the code itself (it knows the village);
				// a single member is looked up.
				if _, given := m.CountyCode(); given {
					return next.Mutate(ctx, m)
				}
				if id, ok := m.HouseholdID(); ok {
					h, err := m.Client().Household.Get(viewer.AsSystem(ctx), id)
					if err != nil {
						return nil, err
					}
					m.SetCountyCode(h.CountyCode)
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate),
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.HouseholdMemberFunc(func(ctx context.Context, m *gen.HouseholdMemberMutation) (ent.Value, error) {
				if n, ok := m.IDNumber(); ok {
					m.SetIDNumberHash(pii.HashIDNumber(n))
				} else if m.IDNumberCleared() {
					m.ClearIDNumberHash()
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

// Policy of the HouseholdMember: as its household's.
func (HouseholdMember) Policy() ent.Policy {
	return policy(householdRules(func(q gen.Query, _ *viewer.Viewer, orgs []int) {
		q.(*gen.HouseholdMemberQuery).Where(householdmember.HasHouseholdWith(linkedTo(orgs)))
	}), []privacy.MutationRule{
		privacy.HouseholdMemberMutationRuleFunc(func(ctx context.Context, m *gen.HouseholdMemberMutation) error {
			return registryKeeper(ctx, householdCounty(ctx, m.Client(), m.HouseholdID, m.ID, func(id int) (int, error) {
				mem, err := m.Client().HouseholdMember.Get(viewer.AsSystem(ctx), id)
				if err != nil {
					return 0, err
				}
				return mem.HouseholdID, nil
			}))
		}),
	})
}
