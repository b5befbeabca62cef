package incentives_test

import (
	"fmt"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/award"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/graph/gqlerr"
	"bangfu/internal/attribution"
	"bangfu/internal/clock"
	"bangfu/internal/incentives"
	"bangfu/internal/market"
	"bangfu/internal/market/lifecycle"
	"bangfu/internal/store/storetest"
)

func TestPoints(t *testing.T) {
	t.Parallel()
	rule := &ent.IncentiveRule{PointsPerYuanMilli: 1000, KeyCountyMultiplierBp: 15000, County832MultiplierBp: 12000, MultiplierBp: 10000}
	campaign := &ent.IncentiveRule{PointsPerYuanMilli: 500, KeyCountyMultiplierBp: 10000, County832MultiplierBp: 10000, MultiplierBp: 20000}
	for _, tc := range []struct {
		name      string
		rule      *ent.IncentiveRule
		fen       int64
		key, c832 bool
		want      int64
	}{
		{"¥100, no flags", rule, 10000, false, false, 100},
		{"key county ×1.5", rule, 10000, true, false, 150},
		{"832 county ×1.2", rule, 10000, false, true, 120},
		{"both multiply", rule, 10000, true, true, 180},
		{"rounded down once, at the end", rule, 199, true, true, 3}, // 1.99 × 1.8 = 3.582
		{"less than a point", rule, 99, false, false, 0},
		{"campaign ×2 at half rate", campaign, 10000, true, true, 100},
		{"no overflow on large amounts", rule, 9_000_000_000_000, true, true, 162_000_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := incentives.Points(tc.rule, tc.fen, tc.key, tc.c832); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// TestPointsOnSettlement settles orders in 2027 under a rule of the test's
// own: county multipliers, the yearly cap, a revision from its effective
// date, reversal on refund and recognition at the thresholds.
func TestPointsOnSettlement(t *testing.T) {
	t.Parallel()
	sys := storetest.AsSystem()
	db := storetest.OpenDemo(t)
	c := db.Client
	// The demo's rules end with 2026.
	c.IncentiveRule.Update().SetEffectiveUntil(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)).ExecX(sys)
	day := func(d int) time.Time { return time.Date(2027, 3, d, 2, 0, 0, 0, time.UTC) }
	svc := incentives.New(c, clock.At(day(1)))
	r, err := svc.CreateRule(sys, incentives.RuleInput{Name: "测试积分", PointsPerYuanMilli: 1000, KeyCountyMultiplierBp: 15000,
		County832MultiplierBp: 12000, MultiplierBp: 10000, CapPerOrgPerYear: ptr(int64(5000)), EffectiveFrom: day(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRule(sys, incentives.RuleInput{Name: "追溯", PointsPerYuanMilli: 1000, MultiplierBp: 10000, EffectiveFrom: day(1).AddDate(0, -1, 0)}); gqlerr.CodeOf(err) != "BAD_USER_INPUT" {
		t.Fatalf("a rule starting in the past: %v", err)
	}

	approved := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		Select(supplierprofile.FieldOrganizationID).IntsX(sys)
	p := c.Product.Query().Where(product.SupplierIDIn(approved...)).WithOriginCounty().FirstX(sys)
	mult := int64(100)
	if p.Edges.OriginCounty.KeyAssistanceCounty {
		mult = mult * 15 / 10
	}
	if p.Edges.OriginCounty.PovertyCounty832 {
		mult = mult * 12 / 10
	}
	parent := c.Organization.Query().Where(organization.KindEQ(organization.KindBUDGET_UNIT)).FirstX(sys)
	union := c.Organization.Create().SetName("测试工会").SetKind(organization.KindUNION).SetRegionID(parent.RegionID).SetParent(parent).SaveX(sys)
	n := 0
	settle := func(yuan int64, at time.Time, certified bool) *ent.Order {
		n++
		o := c.Order.Create().SetBuyer(union).SetSupplierID(p.SupplierID).SetStatus(order.StatusACCEPTED).
			SetIdempotencyKey(fmt.Sprintf("points-%03d", n)).SetTotalFen(yuan * 100).SaveX(sys)
		c.OrderLine.Create().SetOrder(o).SetProduct(p).SetQuantity(1).SetUnitPriceFen(yuan * 100).SetAmountFen(yuan * 100).
			SetCertifiedAtOrder(certified).SetOriginCountyID(p.OriginCountyID).ExecX(sys)
		o, err := market.New(c, clock.At(at), 0, nil).Move(sys, o.ID, lifecycle.Settle, market.Details{})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	points := func() int64 {
		v, err := incentives.YearPoints(sys, c, parent.ID, 2027)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	settle(1000, day(2), false) // uncertified lines earn nothing
	if got := points(); got != 0 {
		t.Fatalf("an uncertified line earned %d points", got)
	}
	first := settle(1000, day(2), true) // ¥1,000 → 1000 × multipliers, credited to the union's parent
	want := 10 * mult
	if got := points(); got != want {
		t.Fatalf("points %d, want %d (multiplier %d%%)", got, want, mult)
	}
	e := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindINCENTIVE_POINTS), ledgerentry.OrganizationID(parent.ID), ledgerentry.Year(2027)).FirstX(sys)
	if e.IncentiveRuleID == nil || *e.IncentiveRuleID != r.ID || e.OrderLineID == nil || e.Note == "" {
		t.Fatalf("points entry not traceable to its rule and line: %+v", e)
	}
	if _, err := c.Award.Query().Where(award.OrganizationID(parent.ID), award.Year(2027), award.Badge("BRONZE")).Only(sys); err != nil {
		t.Fatalf("no BRONZE award at %d points: %v", want, err)
	}

	// The cap: 5000 points a year under the rule, whatever is bought.
	settle(10_000, day(3), true)
	if got := points(); got != 5000 {
		t.Fatalf("points %d past the cap, want 5000", got)
	}
	settle(100, day(3), true)
	if got := points(); got != 5000 {
		t.Fatalf("points %d once capped, want 5000", got)
	}

	// A revision applies from its effective date only.
	if _, err := svc.ReviseRule(sys, r.ID, incentives.RuleInput{Name: "测试积分（修订）", PointsPerYuanMilli: 2000,
		KeyCountyMultiplierBp: 10000, County832MultiplierBp: 10000, MultiplierBp: 10000, EffectiveFrom: day(1)}); gqlerr.CodeOf(err) != "BAD_USER_INPUT" {
		t.Fatalf("a revision starting with the rule: %v", err)
	}
	revised, err := svc.ReviseRule(sys, r.ID, incentives.RuleInput{Name: "测试积分（修订）", PointsPerYuanMilli: 2000,
		KeyCountyMultiplierBp: 10000, County832MultiplierBp: 10000, MultiplierBp: 10000, EffectiveFrom: day(10)})
	if err != nil {
		t.Fatal(err)
	}
	settle(100, day(9), true) // still the old, capped rule
	if got := points(); got != 5000 {
		t.Fatalf("before the revision: %d, want 5000", got)
	}
	settle(100, day(11), true) // the revision: 2 points per yuan, no multipliers, its own cap (none)
	if got := points(); got != 5200 {
		t.Fatalf("after the revision: %d, want 5200", got)
	}
	if old := c.IncentiveRule.GetX(sys, r.ID); old.EffectiveUntil == nil || !old.EffectiveUntil.Equal(day(10)) || *revised.ReplacesID != r.ID {
		t.Fatalf("revision not chained: old ends %v", old.EffectiveUntil)
	}

	// A refund reverses the order's points; recognition follows.
	if _, err := market.New(c, clock.At(day(20)), 0, nil).Move(sys, first.ID, lifecycle.Refund, market.Details{}); err != nil {
		t.Fatal(err)
	}
	if got := points(); got != 5200-want {
		t.Fatalf("after the refund: %d, want %d", got, 5200-want)
	}
	silver := c.Award.Query().Where(award.OrganizationID(parent.ID), award.Year(2027), award.Badge("SILVER")).CountX(sys)
	if silver != 0 {
		t.Fatal("SILVER awarded below 10,000 points")
	}
	rep, err := attribution.Recompute(sys, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Differences {
		t.Errorf("difference: %+v", d)
	}
}

// TestLeaderboardTies ranks organizations with equal points: they share
// a rank, the older one first, and pages follow that order.
func TestLeaderboardTies(t *testing.T) {
	t.Parallel()
	sys := storetest.AsSystem()
	db := storetest.Open(t)
	c := db.Client
	east := c.Region.Create().SetCode("310000").SetName("上海市").SetLevel(region.LevelPROVINCE).SetSide(region.SideEAST).SaveX(sys)
	var orgs []*ent.Organization
	for i, pts := range []int64{300, 500, 300, 100, 300} {
		o := c.Organization.Create().SetName(fmt.Sprintf("单位%d", i)).SetKind(organization.KindSOE).SetRegion(east).SaveX(sys)
		orgs = append(orgs, o)
		c.PurchaseTotal.Create().SetOrganizationID(o.ID).SetYear(2026).SetMonth(1 + i).SetPoints(pts).SetCountedFen(pts * 10).ExecX(sys)
	}
	svc := incentives.New(c, clock.Real)
	all, err := svc.Ranking(sys, incentives.Organizations, incentives.PointsMetric, 2026)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		org  int
		rank int
	}{{orgs[1].ID, 1}, {orgs[0].ID, 2}, {orgs[2].ID, 2}, {orgs[4].ID, 2}, {orgs[3].ID, 5}}
	if len(all) != len(want) {
		t.Fatalf("%d entries, want %d", len(all), len(want))
	}
	for i, w := range want {
		if all[i].OrganizationID != w.org || all[i].Rank != w.rank {
			t.Errorf("place %d: org %d rank %d, want org %d rank %d", i, all[i].OrganizationID, all[i].Rank, w.org, w.rank)
		}
	}
	// Pages of two follow the same order.
	var paged []int
	first := 2
	board, err := svc.Leaderboard(sys, incentives.Organizations, incentives.PointsMetric, 2026, &first, nil)
	for err == nil {
		for _, e := range board.Edges {
			paged = append(paged, e.Node.OrganizationID)
		}
		if !board.PageInfo.HasNextPage {
			break
		}
		board, err = svc.Leaderboard(sys, incentives.Organizations, incentives.PointsMetric, 2026, &first, board.PageInfo.EndCursor)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if paged[i] != w.org {
			t.Fatalf("paged order %v differs from the ranking", paged)
		}
	}
	regions, err := svc.Ranking(sys, incentives.EastRegions, incentives.Purchases, 2026)
	if err != nil || len(regions) != 1 || regions[0].Value != 15000 || regions[0].RegionID != east.ID {
		t.Fatalf("east regions: %+v %v", regions, err)
	}
	if _, err := svc.Ranking(sys, "GALAXY", incentives.PointsMetric, 2026); gqlerr.CodeOf(err) != "BAD_USER_INPUT" {
		t.Fatalf("unknown scope: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
