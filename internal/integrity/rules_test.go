package integrity

import (
	"math"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The fences, computed by hand with type-7 quartiles: h = (n−1)·p.
func TestTukeyFence(t *testing.T) {
	for _, c := range []struct {
		name                   string
		values                 []float64
		k                      float64
		q1, median, q3, iqr, u float64
	}{
		// n=8: Q1 at h=1.75 → 2+0.75·1 = 2.75; Q3 at h=5.25 → 6.25; IQR 3.5; fence 6.25+5.25.
		{"one to eight", []float64{8, 1, 2, 3, 4, 5, 6, 7}, 1.5, 2.75, 4.5, 6.25, 3.5, 11.5},
		// n=5: Q1 = 20, Q3 = 40, IQR 20; k=3 → 100.
		{"k three", []float64{10, 20, 30, 40, 50}, 3, 20, 30, 40, 20, 100},
		// All equal: IQR 0, the fence is the value itself.
		{"flat", []float64{500, 500, 500, 500}, 1.5, 500, 500, 500, 0, 500},
		{"one value", []float64{7}, 1.5, 7, 7, 7, 0, 7},
		// An outlier moves Q3 only a little: 1,2,3,4,100 → Q1 2, Q3 4, fence 7.
		{"with outlier", []float64{1, 2, 3, 4, 100}, 1.5, 2, 3, 4, 2, 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := TukeyFence(c.values, c.k)
			if !near(f.Q1, c.q1) || !near(f.Median, c.median) || !near(f.Q3, c.q3) || !near(f.IQR, c.iqr) || !near(f.Upper, c.u) {
				t.Errorf("fence %+v, want Q1 %v median %v Q3 %v IQR %v upper %v", f, c.q1, c.median, c.q3, c.iqr, c.u)
			}
			if f.N != len(c.values) || f.K != c.k {
				t.Errorf("n %d k %v", f.N, f.K)
			}
		})
	}
}

func settings(code string, mod func(*Settings)) Settings {
	s := Defaults[code]
	s.Params = cloneParams(s.Params)
	if mod != nil {
		mod(&s)
	}
	return s
}

func TestPriceOutliers(t *testing.T) {
	// Tea by the 袋: 100..500 fen → Q1 200, Q3 400, IQR 200, fence 700 (k 1.5).
	tea := []Product{{1, "TEA", "袋", 100}, {2, "TEA", "袋", 200}, {3, "TEA", "袋", 300}, {4, "TEA", "袋", 400}, {5, "TEA", "袋", 500}}
	for _, c := range []struct {
		name      string
		k         float64
		minSample int
		extra     []Product
		lines     []PricedLine
		wantFence float64
		want      []string // subject keys
	}{
		{"listing above the fence", 1.5, 5, []Product{{6, "TEA", "袋", 2000}}, nil,
			// with 6 values 100..500,2000: Q1 225, Q3 475, IQR 250, fence 850.
			850, []string{"PRODUCT:6"}},
		{"order line above the fence", 1.5, 5, nil,
			[]PricedLine{{ID: 10, OrderID: 20, ProductID: 3, Category: "TEA", Unit: "袋", UnitPriceFen: 701},
				{ID: 11, OrderID: 21, ProductID: 3, Category: "TEA", Unit: "袋", UnitPriceFen: 700}},
			700, []string{"ORDER:20"}},
		{"larger k lets it pass", 3, 5, nil,
			[]PricedLine{{ID: 10, OrderID: 20, ProductID: 3, Category: "TEA", Unit: "袋", UnitPriceFen: 1000}},
			1000, nil},
		{"other unit is not compared", 1.5, 5, nil,
			[]PricedLine{{ID: 10, OrderID: 20, ProductID: 3, Category: "TEA", Unit: "斤", UnitPriceFen: 100000}},
			700, nil},
		{"too small a sample", 1.5, 6, nil,
			[]PricedLine{{ID: 10, OrderID: 20, ProductID: 3, Category: "TEA", Unit: "袋", UnitPriceFen: 100000}},
			-1, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := settings(PriceOutlier, func(s *Settings) { s.K, s.MinSample = c.k, c.minSample })
			products := append(append([]Product{}, tea...), c.extra...)
			fences := PriceFences(products, st)
			f, ok := fences["TEA/袋"]
			if c.wantFence < 0 {
				if ok {
					t.Fatalf("a fence from %d products with minimum sample %d", len(products), c.minSample)
				}
			} else if !near(f.Upper, c.wantFence) {
				t.Fatalf("fence %+v, want upper %v", f, c.wantFence)
			}
			got := PriceOutliers(fences, products, c.lines)
			if len(got) != len(c.want) {
				t.Fatalf("findings %+v, want %v", got, c.want)
			}
			for i, g := range got {
				if g.Key() != c.want[i] || g.Thresholds["upperFence"] != round2(c.wantFence) || g.Score < 1 {
					t.Errorf("finding %+v, want %s with fence %v", g, c.want[i], c.wantFence)
				}
			}
		})
	}
}

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name             string
		settled, refund  string
		late             bool
		settledP, refndP string
	}{
		{"December bought, January refunded", "2026-12-20 10:00", "2027-01-05 10:00", true, "2026-12", "2027-01"},
		{"same year", "2026-03-01 10:00", "2026-12-31 23:00", false, "", ""},
		// 31 December 23:00 CST is still 2026; 1 January 00:30 CST is 2027.
		{"across midnight CST", "2026-12-31 23:00", "2027-01-01 00:30", true, "2026-12", "2027-01"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, late := LateRefund(RefundedOrder{ID: 5, SettledAt: cst(c.settled), RefundedAt: cst(c.refund), CreditFen: 900, Credits: []int{7}})
			if late != c.late {
				t.Fatalf("late %v, want %v", late, c.late)
			}
			if late && (f.Thresholds["settledPeriod"] != c.settledP || f.Thresholds["refundedPeriod"] != c.refndP || f.OrderID != 5 || f.Key() != "ORDER:5") {
				t.Errorf("finding %+v", f)
			}
		})
	}
	orders := func(n int) []RefundedOrder {
		var out []RefundedOrder
		for i := range n {
			out = append(out, RefundedOrder{ID: 100 + i, BuyerID: 1, SupplierID: 2})
		}
		return append(out, RefundedOrder{ID: 200, BuyerID: 1, SupplierID: 3})
	}
	for _, c := range []struct {
		name   string
		n      int
		cycles float64
		want   int
	}{{"below the limit", 2, 3, 0}, {"at the limit", 3, 3, 1}, {"limit one flags every pair", 1, 1, 2}} {
		t.Run(c.name, func(t *testing.T) {
			got := RepeatedRefunds(orders(c.n), settings(RoundTrip, func(s *Settings) { s.Params["cycles"] = c.cycles }))
			if len(got) != c.want {
				t.Fatalf("findings %+v, want %d", got, c.want)
			}
			if c.want > 0 && (got[0].Key() != "ORGANIZATION_PAIR:1,2" || got[0].Thresholds["cycles"] != c.n) {
				t.Errorf("finding %+v", got[0])
			}
		})
	}
}

func TestLinkedParties(t *testing.T) {
	p := Parties{
		Parent:  map[int]int{11: 10, 21: 20, 31: 10},
		Members: map[int][]int{1: {500}, 2: {500, 501}, 3: {502}, 20: {503}},
		Phone:   map[int]string{4: "13800000000", 5: "13800000000", 6: ""},
	}
	for _, c := range []struct {
		name string
		o    PartyOrder
		ties []string
	}{
		{"shared parent", PartyOrder{ID: 1, BuyerID: 11, SupplierID: 31}, []string{"buyer–supplier parent:10"}},
		{"supplier is the buyer's parent", PartyOrder{ID: 1, BuyerID: 11, SupplierID: 10}, []string{"buyer–supplier parent:10"}},
		{"a person in both", PartyOrder{ID: 1, BuyerID: 1, SupplierID: 2}, []string{"buyer–supplier person:500"}},
		{"same phone", PartyOrder{ID: 1, BuyerID: 4, SupplierID: 5}, []string{"buyer–supplier phone"}},
		{"facilitator linked", PartyOrder{ID: 1, BuyerID: 3, SupplierID: 2, FacilitatorID: 1}, []string{"facilitator–supplier person:500"}},
		{"unrelated", PartyOrder{ID: 1, BuyerID: 3, SupplierID: 21}, nil},
		{"empty phones do not match", PartyOrder{ID: 1, BuyerID: 6, SupplierID: 7}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, ok := Linked(p, c.o)
			if ok != (len(c.ties) > 0) {
				t.Fatalf("linked %v, want ties %v", ok, c.ties)
			}
			if ok {
				got, _ := f.Thresholds["ties"].([]string)
				if len(got) != len(c.ties) || got[0] != c.ties[0] {
					t.Errorf("ties %v, want %v", got, c.ties)
				}
			}
		})
	}
}

func TestYearEndSurge(t *testing.T) {
	// Jan–Nov: 100..1100 step 100 → Q1 350, Q3 850, IQR 500, fence 1600.
	var base [13]int64
	for m := 1; m <= 11; m++ {
		base[m] = int64(m * 100)
	}
	for _, c := range []struct {
		name      string
		december  int64
		minSample int
		k         float64
		flagged   bool
		fence     float64
	}{
		{"just above the fence", 1601, 5, 1.5, true, 1600},
		{"at the fence", 1600, 5, 1.5, false, 1600},
		{"k 3", 2000, 5, 3, false, 2350},
		{"too few months", 100000, 12, 1.5, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := base
			m[12] = c.december
			f, ok := Surge(9, 2026, m, settings(YearEndSurge, func(s *Settings) { s.MinSample, s.K = c.minSample, c.k }))
			if ok != c.flagged {
				t.Fatalf("flagged %v, want %v (%+v)", ok, c.flagged, f)
			}
			if c.fence > 0 {
				fence := TukeyFence([]float64{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100}, c.k)
				if !near(fence.Upper, c.fence) {
					t.Fatalf("fence %v, want %v", fence.Upper, c.fence)
				}
			}
			if ok && (f.Key() != "ORGANIZATION:9@2026" || f.Thresholds["upperFence"] != 1600.0) {
				t.Errorf("finding %+v", f)
			}
		})
	}
	st := settings(YearEndSurge, nil)
	for _, c := range []struct {
		name                   string
		quota, before, counted int64
		flagged                bool
	}{
		{"met in the last two weeks", 1000, 400, 1200, true},
		{"met before", 1000, 1000, 1500, false},
		{"never met", 1000, 100, 900, false},
		{"no quota", 0, 0, 100, false},
	} {
		t.Run("canteen "+c.name, func(t *testing.T) {
			f, ok := CanteenRush(9, 2026, c.quota, c.before, c.counted, []int{1}, st)
			if ok != c.flagged {
				t.Fatalf("flagged %v, want %v", ok, c.flagged)
			}
			if ok && f.Key() != "ORGANIZATION:9@2026 canteen" {
				t.Errorf("key %s", f.Key())
			}
		})
	}
}

func TestConcentration(t *testing.T) {
	credits := []PairCredit{
		{AgreementID: 1, Year: 2026, BuyerID: 10, SupplierID: 20, AmountFen: 600},
		{AgreementID: 1, Year: 2026, BuyerID: 11, SupplierID: 20, AmountFen: 200},
		{AgreementID: 1, Year: 2026, BuyerID: 12, SupplierID: 21, AmountFen: 200},
		{AgreementID: 2, Year: 2026, BuyerID: 10, SupplierID: 20, AmountFen: 900},
		{AgreementID: 2, Year: 2026, BuyerID: 11, SupplierID: 21, AmountFen: 100},
	}
	for _, c := range []struct {
		name      string
		share     float64
		minSample int
		want      []string
	}{
		{"above half", 0.5, 3, []string{"ORGANIZATION_PAIR:10,20@agreement 1 2026"}},
		{"two pairs are too few", 0.5, 2, []string{"ORGANIZATION_PAIR:10,20@agreement 1 2026", "ORGANIZATION_PAIR:10,20@agreement 2 2026"}},
		{"at the share", 0.6, 3, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Concentrations(credits, settings(Concentration, func(s *Settings) { s.Params["share"], s.MinSample = c.share, c.minSample }))
			if len(got) != len(c.want) {
				t.Fatalf("findings %+v, want %v", got, c.want)
			}
			for i, g := range got {
				if g.Key() != c.want[i] {
					t.Errorf("key %s, want %s", g.Key(), c.want[i])
				}
			}
			if len(got) > 0 && (got[0].Thresholds["share"] != 0.6 || got[0].Thresholds["agreementFen"] != int64(1000)) {
				t.Errorf("thresholds %v", got[0].Thresholds)
			}
		})
	}
}

func TestPaperBenefitLinks(t *testing.T) {
	day := cst("2026-06-01 10:00")
	links := []Link{
		{ID: 1, SupplierID: 10, HouseholdID: 100, DecidedAt: day},
		{ID: 2, SupplierID: 11, HouseholdID: 100, DecidedAt: day.AddDate(0, -6, 0)},
		{ID: 3, SupplierID: 12, HouseholdID: 100, DecidedAt: day.AddDate(0, -6, 0)},
		{ID: 4, SupplierID: 13, HouseholdID: 100, DecidedAt: day.AddDate(0, -6, 0)},
		{ID: 5, SupplierID: 10, HouseholdID: 101, DecidedAt: day.AddDate(0, -6, 0)},
	}
	for _, c := range []struct {
		name string
		max  float64
		want int
	}{{"four suppliers, three allowed", 3, 1}, {"four allowed", 4, 0}} {
		t.Run(c.name, func(t *testing.T) {
			got := CrowdedHouseholds(links, settings(PaperBenefitLinks, func(s *Settings) { s.Params["maxSuppliers"] = c.max }))
			if len(got) != c.want || (c.want == 1 && (got[0].Key() != "HOUSEHOLD:100@suppliers" || len(got[0].Evidence) != 4)) {
				t.Errorf("findings %+v", got)
			}
		})
	}
	settlements := []Settlement{
		{OrderID: 50, SupplierID: 10, SettledAt: day.AddDate(0, 0, 10), TotalFen: 6_000_000},
		{OrderID: 51, SupplierID: 10, SettledAt: day.AddDate(0, 0, 40), TotalFen: 9_000_000},
		{OrderID: 52, SupplierID: 11, SettledAt: day.AddDate(0, 0, 1), TotalFen: 100},
	}
	for _, c := range []struct {
		name  string
		days  float64
		large float64
		want  []string
	}{
		{"approved ten days before a large settlement", 30, 5_000_000, []string{"BENEFIT_LINK:1"}},
		{"window of five days", 5, 5_000_000, nil},
		{"wider window catches both", 45, 5_000_000, []string{"BENEFIT_LINK:1"}},
		{"nothing is large", 30, 10_000_000, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := LinksBeforeSettlements(links, settlements, settings(PaperBenefitLinks, func(s *Settings) {
				s.Params["days"], s.Params["largeSettlementFen"] = c.days, c.large
			}))
			if len(got) != len(c.want) {
				t.Fatalf("findings %+v, want %v", got, c.want)
			}
			for i, g := range got {
				if g.Key() != c.want[i] {
					t.Errorf("key %s", g.Key())
				}
			}
		})
	}
	if _, ok := GhostIncome(100, day, nil, 0); ok {
		t.Error("no income after removal, yet flagged")
	}
	if f, ok := GhostIncome(100, day, []int{7, 8}, 300); !ok || f.Key() != "HOUSEHOLD:100@removed members" || f.Thresholds["incomeFen"] != int64(300) {
		t.Errorf("ghost income %+v", f)
	}
}
