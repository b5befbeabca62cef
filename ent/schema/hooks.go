package schema

import (
	"context"
	"fmt"

	"bangfu/ent"
	"bangfu/ent/hook"
	"bangfu/internal/pii"
	"bangfu/internal/search"
	"bangfu/internal/viewer"

	entgo "entgo.io/ent"
)

// asSystem lets a hook read what it needs whoever the caller is.
func asSystem(ctx context.Context) context.Context {
	return viewer.NewContext(ctx, viewer.System())
}

// Hooks of the Household: the county code is derived from the village
// (GB/T 2260 codes nest: a village code starts with its county's).
func (Household) Hooks() []entgo.Hook {
	return []entgo.Hook{
		hook.On(func(next entgo.Mutator) entgo.Mutator {
			return hook.HouseholdFunc(func(ctx context.Context, m *ent.HouseholdMutation) (entgo.Value, error) {
				if id, ok := m.VillageID(); ok {
					village, err := m.Client().Region.Get(asSystem(ctx), id)
					if err != nil {
						return nil, err
					}
					if len(village.Code) < 6 {
						return nil, fmt.Errorf("village %s has no county code", village.Code)
					}
					m.SetCountyCode(village.Code[:6])
				}
				return next.Mutate(ctx, m)
			})
		}, entgo.OpCreate),
	}
}

// Hooks of the HouseholdMember: copy the household's county code and keep
// the ID-number hash in step with the ID number.
func (HouseholdMember) Hooks() []entgo.Hook {
	return []entgo.Hook{
		hook.On(func(next entgo.Mutator) entgo.Mutator {
			return hook.HouseholdMemberFunc(func(ctx context.Context, m *ent.HouseholdMemberMutation) (entgo.Value, error) {
				if id, ok := m.HouseholdID(); ok {
					h, err := m.Client().Household.Get(asSystem(ctx), id)
					if err != nil {
						return nil, err
					}
					m.SetCountyCode(h.CountyCode)
				}
				return next.Mutate(ctx, m)
			})
		}, entgo.OpCreate),
		hook.On(func(next entgo.Mutator) entgo.Mutator {
			return hook.HouseholdMemberFunc(func(ctx context.Context, m *ent.HouseholdMemberMutation) (entgo.Value, error) {
				if n, ok := m.IDNumber(); ok {
					m.SetIDNumberHash(pii.HashIDNumber(n))
				} else if m.IDNumberCleared() {
					m.ClearIDNumberHash()
				}
				return next.Mutate(ctx, m)
			})
		}, entgo.OpCreate|entgo.OpUpdate|entgo.OpUpdateOne),
	}
}

// Hooks of the Product: keep the search document in step with the name and
// description.
func (Product) Hooks() []entgo.Hook {
	return []entgo.Hook{
		hook.On(func(next entgo.Mutator) entgo.Mutator {
			return hook.ProductFunc(func(ctx context.Context, m *ent.ProductMutation) (entgo.Value, error) {
				name, nameSet := m.Name()
				desc, descSet := m.Description()
				if !nameSet && !descSet && !m.DescriptionCleared() {
					return next.Mutate(ctx, m)
				}
				if m.Op().Is(entgo.OpUpdateOne) {
					if !nameSet {
						old, err := m.OldName(asSystem(ctx))
						if err != nil {
							return nil, err
						}
						name = old
					}
					if !descSet && !m.DescriptionCleared() {
						old, err := m.OldDescription(asSystem(ctx))
						if err != nil {
							return nil, err
						}
						desc = old
					}
				}
				m.SetSearchDocument(search.Document(name, desc))
				return next.Mutate(ctx, m)
			})
		}, entgo.OpCreate|entgo.OpUpdateOne),
	}
}
