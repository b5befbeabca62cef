package incentives

import (
	"context"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/incentiverule"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Service manages rules and answers recognition queries.
type Service struct {
	client *ent.Client
	now    clock.Clock
}

// New returns the service.
func New(client *ent.Client, now clock.Clock) *Service {
	return &Service{client: client, now: now}
}

// RuleInput is a rule's published terms.
type RuleInput struct {
	Name                  string
	PointsPerYuanMilli    int
	KeyCountyMultiplierBp int
	County832MultiplierBp int
	MultiplierBp          int
	Category              *incentiverule.Category
	CapPerOrgPerYear      *int64
	EffectiveFrom         time.Time
	EffectiveUntil        *time.Time
}

func (in RuleInput) check() error {
	switch {
	case strings.TrimSpace(in.Name) == "" || len([]rune(in.Name)) > 128:
		return apperr.BadInput("name is 1 to 128 characters")
	case in.PointsPerYuanMilli < 0 || in.PointsPerYuanMilli > 1_000_000:
		return apperr.BadInput("pointsPerYuanMilli is 0 to 1000000")
	case in.KeyCountyMultiplierBp < 0 || in.County832MultiplierBp < 0 || in.MultiplierBp < 0 ||
		in.KeyCountyMultiplierBp > 100_000 || in.County832MultiplierBp > 100_000 || in.MultiplierBp > 100_000:
		return apperr.BadInput("multipliers are 0 to 100000 basis points (×10)")
	case in.CapPerOrgPerYear != nil && *in.CapPerOrgPerYear < 0:
		return apperr.BadInput("the cap is not negative")
	case in.EffectiveUntil != nil && !in.EffectiveUntil.After(in.EffectiveFrom):
		return apperr.BadInput("effectiveUntil must be after effectiveFrom")
	}
	if in.Category != nil {
		if err := incentiverule.CategoryValidator(*in.Category); err != nil {
			return apperr.BadInput("unknown category %q", *in.Category)
		}
	}
	return nil
}

func (in RuleInput) create(c *ent.Client) *ent.IncentiveRuleCreate {
	return c.IncentiveRule.Create().SetName(in.Name).SetPointsPerYuanMilli(in.PointsPerYuanMilli).
		SetKeyCountyMultiplierBp(in.KeyCountyMultiplierBp).SetCounty832MultiplierBp(in.County832MultiplierBp).
		SetMultiplierBp(in.MultiplierBp).SetNillableCategory(in.Category).SetNillableCapPerOrgPerYear(in.CapPerOrgPerYear).
		SetEffectiveFrom(in.EffectiveFrom.UTC()).SetNillableEffectiveUntil(utc(in.EffectiveUntil))
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateRule publishes a rule (ADMIN, by policy). A rule never applies
// before it is published: effectiveFrom may not lie in the past.
func (s *Service) CreateRule(ctx context.Context, in RuleInput) (*ent.IncentiveRule, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.EffectiveFrom.Before(s.now().Add(-time.Minute)) {
		return nil, apperr.BadInput("effectiveFrom lies in the past: rules apply from their effective date only")
	}
	return in.create(s.client).Save(ctx)
}

// ReviseRule changes a rule from a future (or present) moment: the old
// rule ends there and a new one, linked to it, starts. Points already
// awarded never change.
func (s *Service) ReviseRule(ctx context.Context, id int, in RuleInput) (*ent.IncentiveRule, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *ent.IncentiveRule
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		old, err := tx.IncentiveRule.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFound("incentive rule not found")
		}
		if err != nil {
			return err
		}
		if in.EffectiveFrom.Before(s.now().Add(-time.Minute)) {
			return apperr.BadInput("effectiveFrom lies in the past: a revision applies from its effective date only")
		}
		if !in.EffectiveFrom.After(old.EffectiveFrom) {
			return apperr.BadInput("a revision starts after the rule it revises")
		}
		if old.EffectiveUntil != nil && !in.EffectiveFrom.Before(*old.EffectiveUntil) {
			return apperr.Conflict("the rule ends before the revision would start")
		}
		if n, err := tx.IncentiveRule.Query().Where(incentiverule.ReplacesID(id)).Exist(ctx); err != nil || n {
			if err != nil {
				return err
			}
			return apperr.Conflict("the rule has a revision already; revise the latest one")
		}
		if err := tx.IncentiveRule.UpdateOne(old).SetEffectiveUntil(in.EffectiveFrom.UTC()).Exec(ctx); err != nil {
			return err
		}
		out, err = in.create(tx).SetReplacesID(old.ID).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}
