// Package incentives turns settled purchases into incentive points under
// the published rules (DOMAIN rule 8), recognises organizations at the
// published thresholds, and ranks them. Points are ledger entries written
// on settlement, each traceable to the line and rule that earned it, and
// reversed on refund with everything else the order booked.
package incentives

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"bangfu/ent"
	"bangfu/ent/award"
	"bangfu/ent/incentiverule"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/orderline"
	"bangfu/ent/product"
	"bangfu/ent/purchasetotal"
	"bangfu/ent/region"
	"bangfu/internal/attribution"
	"bangfu/internal/period"
)

// Level is a published recognition threshold (表彰等级).
type Level struct {
	Badge  string
	Name   string
	Points int64
}

// Levels are the published thresholds of yearly points, lowest first.
var Levels = []Level{
	{"BRONZE", "铜牌帮扶单位", 1_000},
	{"SILVER", "银牌帮扶单位", 10_000},
	{"GOLD", "金牌帮扶单位", 100_000},
}

// rulesAt lists the rules in effect at t.
func rulesAt(ctx context.Context, c *ent.Client, t time.Time) ([]*ent.IncentiveRule, error) {
	return c.IncentiveRule.Query().Where(
		incentiverule.EffectiveFromLTE(t),
		incentiverule.Or(incentiverule.EffectiveUntilIsNil(), incentiverule.EffectiveUntilGT(t)),
	).Order(ent.Asc(incentiverule.FieldID)).All(ctx)
}

// Points computes the points one line earns under a rule, rounded down
// once at the end: yuan × rate × county multipliers × the rule's own.
func Points(r *ent.IncentiveRule, amountFen int64, keyCounty, county832 bool) int64 {
	x := new(big.Int).SetInt64(amountFen)
	x.Mul(x, big.NewInt(int64(r.PointsPerYuanMilli)))
	den := new(big.Int).SetInt64(100 * 1000) // fen → yuan, milli-points → points
	for _, m := range []struct {
		on bool
		bp int
	}{{keyCounty, r.KeyCountyMultiplierBp}, {county832, r.County832MultiplierBp}, {true, r.MultiplierBp}} {
		if m.on {
			x.Mul(x, big.NewInt(int64(m.bp)))
			den.Mul(den, big.NewInt(10_000))
		}
	}
	return x.Quo(x, den).Int64()
}

// Award writes the points a settled order's lines earn under the rules in
// effect when it settled, to the organization its buyer counts toward,
// respecting each rule's yearly cap per organization; then updates that
// organization's recognition. Only lines that count (certified and valid
// on the order date) earn points. Call it in the settling transaction,
// with the world attribution used (w answers the buyer's parent chain).
func Award(ctx context.Context, c *ent.Client, w attribution.World, o *ent.Order) error {
	at := *o.SettledAt
	rules, err := rulesAt(ctx, c, at)
	if err != nil || len(rules) == 0 {
		return err
	}
	lines, err := c.OrderLine.Query().Where(orderline.OrderID(o.ID), orderline.CertifiedAtOrder(true)).
		WithProduct(func(q *ent.ProductQuery) { q.Select(product.FieldCategory) }).
		Order(ent.Asc(orderline.FieldID)).All(ctx)
	if err != nil || len(lines) == 0 {
		return err
	}
	org, err := attribution.CountsToward(w, o.BuyerID)
	if err != nil {
		return err
	}
	countyIDs := make([]int, 0, len(lines))
	for _, l := range lines {
		countyIDs = append(countyIDs, l.OriginCountyID)
	}
	counties, err := c.Region.Query().Where(region.IDIn(countyIDs...)).All(ctx)
	if err != nil {
		return err
	}
	countyOf := map[int]*ent.Region{}
	for _, r := range counties {
		countyOf[r.ID] = r
	}
	year, month := period.Of(at)
	used := map[int]int64{} // rule → points already earned this year
	var entries []*ent.LedgerEntryCreate
	for _, l := range lines {
		county := countyOf[l.OriginCountyID]
		if county == nil {
			return fmt.Errorf("incentives: line %d has no origin county", l.ID)
		}
		for _, r := range rules {
			if r.Category != nil && string(*r.Category) != string(l.Edges.Product.Category) {
				continue
			}
			pts := Points(r, l.AmountFen, county.KeyAssistanceCounty, county.PovertyCounty832)
			if r.CapPerOrgPerYear != nil {
				if _, ok := used[r.ID]; !ok {
					if used[r.ID], err = earned(ctx, c, r.ID, org, year); err != nil {
						return err
					}
				}
				pts = min(pts, max(0, *r.CapPerOrgPerYear-used[r.ID]))
			}
			if pts <= 0 {
				continue
			}
			used[r.ID] += pts
			entries = append(entries, c.LedgerEntry.Create().
				SetKind(ledgerentry.KindINCENTIVE_POINTS).SetAmount(pts).SetYear(year).SetMonth(month).
				SetOccurredAt(at).SetOrderLineID(l.ID).SetOrganizationID(org).SetIncentiveRuleID(r.ID).
				SetNote(fmt.Sprintf("%s: %d fen at %d‰ per yuan%s%s", r.Name, l.AmountFen, r.PointsPerYuanMilli,
					flag(county.KeyAssistanceCounty, " × key county", r.KeyCountyMultiplierBp),
					flag(county.PovertyCounty832, " × 832 county", r.County832MultiplierBp))))
		}
	}
	if len(entries) == 0 {
		return nil
	}
	if err := c.LedgerEntry.CreateBulk(entries...).Exec(ctx); err != nil {
		return err
	}
	return Recognise(ctx, c, org, year, at)
}

func flag(on bool, label string, bp int) string {
	if !on || bp == 10_000 {
		return ""
	}
	return fmt.Sprintf("%s %d.%02d", label, bp/10_000, bp%10_000/100)
}

// earned sums the points an organization holds under a rule in a year.
func earned(ctx context.Context, c *ent.Client, ruleID, org, year int) (int64, error) {
	entries, err := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindINCENTIVE_POINTS),
		ledgerentry.IncentiveRuleID(ruleID), ledgerentry.OrganizationID(org), ledgerentry.Year(year)).All(ctx)
	var sum int64
	for _, e := range entries {
		sum += e.Amount
	}
	return sum, err
}

// YearPoints is an organization's net points for a year, from the totals.
func YearPoints(ctx context.Context, c *ent.Client, org, year int) (int64, error) {
	rows, err := c.PurchaseTotal.Query().Where(purchasetotal.OrganizationID(org), purchasetotal.Year(year)).All(ctx)
	var sum int64
	for _, r := range rows {
		sum += r.Points
	}
	return sum, err
}

// Recognise brings an organization's awards for a year in line with its
// points: a threshold reached makes (or restores) the award; a refund
// that takes the points back below a threshold revokes it.
func Recognise(ctx context.Context, c *ent.Client, org, year int, at time.Time) error {
	pts, err := YearPoints(ctx, c, org, year)
	if err != nil {
		return err
	}
	held, err := c.Award.Query().Where(award.OrganizationID(org), award.Year(year)).All(ctx)
	if err != nil {
		return err
	}
	for _, lv := range Levels {
		var a *ent.Award
		for _, h := range held {
			if h.Badge == lv.Badge {
				a = h
			}
		}
		switch {
		case pts >= lv.Points && a == nil:
			err = c.Award.Create().SetOrganizationID(org).SetYear(year).SetBadge(lv.Badge).
				SetPoints(pts).SetThreshold(lv.Points).SetAwardedAt(at).Exec(ctx)
		case pts >= lv.Points && a.RevokedAt != nil:
			err = a.Update().ClearRevokedAt().SetPoints(pts).SetAwardedAt(at).Exec(ctx)
		case pts < lv.Points && a != nil && a.RevokedAt == nil:
			err = a.Update().SetRevokedAt(at).Exec(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Refunded updates recognition after a refund reversed an order's points.
func Refunded(ctx context.Context, c *ent.Client, o *ent.Order, at time.Time) error {
	entries, err := attribution.OrderEntries(ctx, c, o.ID)
	if err != nil {
		return err
	}
	seen := map[[2]int]bool{}
	for _, e := range entries {
		if e.Kind != ledgerentry.KindINCENTIVE_POINTS || e.ReversesID != nil {
			continue
		}
		k := [2]int{*e.OrganizationID, e.Year}
		if seen[k] {
			continue
		}
		seen[k] = true
		if err := Recognise(ctx, c, k[0], k[1], at); err != nil {
			return err
		}
	}
	return nil
}
