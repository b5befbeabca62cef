// Package integrity is the red-flag engine (DOMAIN rule 9): indicators
// that look for suspicious patterns in the orders, the ledger, the benefit
// links and the registry, and flags that auditors confirm or dismiss.
//
// This file is the database-free rules core: quartiles and Tukey fences,
// and each indicator over plain inputs. The indicators are modelled on
// Open Contracting's Cardinal: each has a stable code and settings
// (enabled, fence multiplier k, minimum sample size, its own limits), and
// every finding carries the figures it was measured against.
package integrity

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"bangfu/internal/period"
)

// The indicator codes. Stable: they are stored with every flag.
const (
	PriceOutlier      = "PRICE_OUTLIER"
	RoundTrip         = "ROUND_TRIP"
	LinkedParties     = "LINKED_PARTIES"
	YearEndSurge      = "YEAR_END_SURGE"
	Concentration     = "CONCENTRATION"
	PaperBenefitLinks = "PAPER_BENEFIT_LINKS"
)

// SubjectType is what a flag is about (the Flag schema's subject_type).
type SubjectType string

// The subject types.
const (
	SubjectOrder        SubjectType = "ORDER"
	SubjectProduct      SubjectType = "PRODUCT"
	SubjectOrganization SubjectType = "ORGANIZATION"
	SubjectPair         SubjectType = "ORGANIZATION_PAIR"
	SubjectAgreement    SubjectType = "AGREEMENT"
	SubjectBenefitLink  SubjectType = "BENEFIT_LINK"
	SubjectHousehold    SubjectType = "HOUSEHOLD"
	SubjectCounty       SubjectType = "COUNTY"
)

// Finding is what an indicator found: one flag to raise. Subjects and
// Evidence are raw keys (internal/gid turns them into global IDs).
type Finding struct {
	Code        string
	SubjectType SubjectType
	// Subjects: the order, organization, link… (two organizations for a pair).
	Subjects []int
	// Period narrows the subject when the same subject may be flagged
	// again for another period or scope ("2026", "agreement 7 2026").
	Period string
	// OrderID is the order when the subject is one (confirming the flag
	// excludes its credits).
	OrderID    int
	Score      float64
	Summary    string
	Evidence   []int
	Thresholds map[string]any
}

// Key is the finding's subject key: with its code, what makes a flag
// unique, so raising the same finding twice raises one flag.
func (f Finding) Key() string {
	ids := make([]string, len(f.Subjects))
	for i, id := range f.Subjects {
		ids[i] = strconv.Itoa(id)
	}
	k := string(f.SubjectType) + ":" + strings.Join(ids, ",")
	if f.Period != "" {
		k += "@" + f.Period
	}
	return k
}

// Settings configure one indicator.
type Settings struct {
	Enabled bool
	// K is the fence multiplier: the upper fence is Q3 + K·IQR.
	K float64
	// MinSample is the smallest sample a fence (or share) is computed from.
	MinSample int
	// Params are the indicator's own limits, by name (Defaults lists them).
	Params map[string]float64
}

// Param is the named limit (settings are always the defaults overlaid with
// what an ADMIN set, so every known name is present).
func (s Settings) Param(name string) float64 { return s.Params[name] }

// Defaults are each indicator's settings until an ADMIN changes them;
// Params also lists the only limits an indicator accepts.
var Defaults = map[string]Settings{
	PriceOutlier:  {Enabled: true, K: 1.5, MinSample: 5, Params: map[string]float64{}},
	RoundTrip:     {Enabled: true, K: 1.5, MinSample: 1, Params: map[string]float64{"cycles": 3}},
	LinkedParties: {Enabled: true, K: 1.5, MinSample: 1, Params: map[string]float64{}},
	YearEndSurge:  {Enabled: true, K: 1.5, MinSample: 5, Params: map[string]float64{"lastDays": 14}},
	Concentration: {Enabled: true, K: 1.5, MinSample: 3, Params: map[string]float64{"share": 0.5}},
	PaperBenefitLinks: {Enabled: true, K: 1.5, MinSample: 1, Params: map[string]float64{
		"maxSuppliers": 3, "days": 30, "largeSettlementFen": 5_000_000}},
}

// Codes lists the built-in indicators in a fixed order.
var Codes = []string{PriceOutlier, RoundTrip, LinkedParties, YearEndSurge, Concentration, PaperBenefitLinks}

// Fence is the upper Tukey fence of a sample, with the figures behind it.
type Fence struct {
	N                      int
	Q1, Median, Q3, IQR, K float64
	Upper                  float64
}

// TukeyFence computes the quartiles (linear interpolation between order
// statistics, the usual "type 7" of R and NumPy) and the upper fence
// Q3 + k·IQR of the sample. values is not changed.
func TukeyFence(values []float64, k float64) Fence {
	s := slices.Clone(values)
	sort.Float64s(s)
	f := Fence{N: len(s), K: k}
	if len(s) == 0 {
		return f
	}
	f.Q1, f.Median, f.Q3 = quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75)
	f.IQR = f.Q3 - f.Q1
	f.Upper = f.Q3 + k*f.IQR
	return f
}

// quantile of a sorted sample by linear interpolation (type 7).
func quantile(s []float64, p float64) float64 {
	h := float64(len(s)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

// Map is the fence as a flag's thresholds.
func (f Fence) Map() map[string]any {
	return map[string]any{"n": f.N, "q1": round2(f.Q1), "median": round2(f.Median), "q3": round2(f.Q3),
		"iqr": round2(f.IQR), "k": f.K, "upperFence": round2(f.Upper)}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Product is a listed product, for price comparison.
type Product struct {
	ID       int
	Category string
	Unit     string
	PriceFen int64
}

// PricedLine is an order line at its order's price.
type PricedLine struct {
	ID, OrderID, ProductID int
	Category, Unit         string
	UnitPriceFen           int64
}

// priceGroup: products compare within their category and sales unit.
func priceGroup(category, unit string) string { return category + "/" + unit }

// PriceFences computes the fence of every category and unit from the
// listed products; groups smaller than the minimum sample get none.
func PriceFences(products []Product, s Settings) map[string]Fence {
	prices := map[string][]float64{}
	for _, p := range products {
		g := priceGroup(p.Category, p.Unit)
		prices[g] = append(prices[g], float64(p.PriceFen))
	}
	out := map[string]Fence{}
	for g, v := range prices {
		if len(v) >= s.MinSample {
			out[g] = TukeyFence(v, s.K)
		}
	}
	return out
}

// PriceOutliers flags listed products priced above their group's upper
// fence (at listing), and orders with a line above it (at order: the
// line's price snapshot against today's listed products).
func PriceOutliers(fences map[string]Fence, products []Product, lines []PricedLine) []Finding {
	var out []Finding
	for _, p := range products {
		g := priceGroup(p.Category, p.Unit)
		f, ok := fences[g]
		if !ok || float64(p.PriceFen) <= f.Upper || f.Upper <= 0 {
			continue
		}
		th := f.Map()
		th["group"] = g
		out = append(out, Finding{Code: PriceOutlier, SubjectType: SubjectProduct, Subjects: []int{p.ID},
			Score: round2(float64(p.PriceFen) / f.Upper), Evidence: []int{p.ID}, Thresholds: th,
			Summary: fmt.Sprintf("listed at %d fen per %s, above the upper fence %.0f fen of %d listed %s products",
				p.PriceFen, p.Unit, f.Upper, f.N, g)})
	}
	byOrder := map[int][]PricedLine{}
	var orders []int
	for _, l := range lines {
		f, ok := fences[priceGroup(l.Category, l.Unit)]
		if !ok || float64(l.UnitPriceFen) <= f.Upper || f.Upper <= 0 {
			continue
		}
		if _, seen := byOrder[l.OrderID]; !seen {
			orders = append(orders, l.OrderID)
		}
		byOrder[l.OrderID] = append(byOrder[l.OrderID], l)
	}
	sort.Ints(orders)
	for _, o := range orders {
		var worst PricedLine
		var score float64
		var ev []int
		for _, l := range byOrder[o] {
			f := fences[priceGroup(l.Category, l.Unit)]
			if r := float64(l.UnitPriceFen) / f.Upper; r > score {
				score, worst = r, l
			}
			ev = append(ev, l.ID)
		}
		f := fences[priceGroup(worst.Category, worst.Unit)]
		th := f.Map()
		th["group"] = priceGroup(worst.Category, worst.Unit)
		out = append(out, Finding{Code: PriceOutlier, SubjectType: SubjectOrder, Subjects: []int{o}, OrderID: o,
			Score: round2(score), Evidence: ev, Thresholds: th,
			Summary: fmt.Sprintf("ordered at %d fen per %s, above the upper fence %.0f fen of %d listed %s products",
				worst.UnitPriceFen, worst.Unit, f.Upper, f.N, th["group"])})
	}
	return out
}

// RefundedOrder is a settled order that was refunded, with the credits
// its settlement booked.
type RefundedOrder struct {
	ID, BuyerID, SupplierID int
	SettledAt, RefundedAt   time.Time
	CreditFen               int64
	// Credits are the credit entries the refund reversed.
	Credits []int
}

// LateRefund flags an order refunded after the year its credits counted
// toward had closed (bought in December, refunded in January): the year's
// figures were reported with the purchase in them.
func LateRefund(o RefundedOrder) (Finding, bool) {
	sy, sm := period.Of(o.SettledAt)
	ry, rm := period.Of(o.RefundedAt)
	if ry <= sy {
		return Finding{}, false
	}
	return Finding{Code: RoundTrip, SubjectType: SubjectOrder, Subjects: []int{o.ID}, OrderID: o.ID,
		Score: float64(ry - sy), Evidence: append([]int{o.ID}, o.Credits...),
		Thresholds: map[string]any{"settledPeriod": fmt.Sprintf("%d-%02d", sy, sm),
			"refundedPeriod": fmt.Sprintf("%d-%02d", ry, rm), "creditFen": o.CreditFen},
		Summary: fmt.Sprintf("settled in %d-%02d and refunded in %d-%02d, after the %d figures had closed (%d fen of credits)",
			sy, sm, ry, rm, sy, o.CreditFen)}, true
}

// RepeatedRefunds flags buyer–supplier pairs with at least `cycles`
// order/refund cycles.
func RepeatedRefunds(orders []RefundedOrder, s Settings) []Finding {
	type pair struct{ b, s int }
	by := map[pair][]int{}
	for _, o := range orders {
		p := pair{o.BuyerID, o.SupplierID}
		by[p] = append(by[p], o.ID)
	}
	limit := int(s.Param("cycles"))
	var out []Finding
	for p, ids := range by {
		if len(ids) < limit {
			continue
		}
		sort.Ints(ids)
		out = append(out, Finding{Code: RoundTrip, SubjectType: SubjectPair, Subjects: []int{p.b, p.s},
			Score: round2(float64(len(ids)) / float64(limit)), Evidence: ids,
			Thresholds: map[string]any{"cycles": len(ids), "limit": limit},
			Summary:    fmt.Sprintf("%d orders between the buyer and the supplier were settled and then refunded (limit %d)", len(ids), limit)})
	}
	sortFindings(out)
	return out
}

// Parties describes the organizations: their parents, the people with a
// role in each, and their contact phones.
type Parties struct {
	Parent  map[int]int
	Members map[int][]int
	Phone   map[int]string
}

// chain is the organization and its ancestors.
func (p Parties) chain(org int) []int {
	var out []int
	for seen := map[int]bool{}; org != 0 && !seen[org]; org = p.Parent[org] {
		seen[org] = true
		out = append(out, org)
	}
	return out
}

// Ties lists why two organizations are linked: a shared organization in
// their parent chains, a person with roles in both, the same contact phone.
func (p Parties) Ties(a, b int) []string {
	if a == 0 || b == 0 || a == b {
		return nil
	}
	var ties []string
	ca := p.chain(a)
	for _, x := range p.chain(b) {
		if slices.Contains(ca, x) {
			ties = append(ties, fmt.Sprintf("parent:%d", x))
			break
		}
	}
	for _, u := range p.Members[a] {
		if slices.Contains(p.Members[b], u) {
			ties = append(ties, fmt.Sprintf("person:%d", u))
		}
	}
	if ph := p.Phone[a]; ph != "" && ph == p.Phone[b] {
		ties = append(ties, "phone")
	}
	return ties
}

// PartyOrder is an order's parties.
type PartyOrder struct{ ID, BuyerID, SupplierID, FacilitatorID int }

// Linked flags an order whose supplier is linked to its buyer or to its
// facilitator.
func Linked(p Parties, o PartyOrder) (Finding, bool) {
	var ties []string
	for _, side := range []struct {
		name string
		org  int
	}{{"buyer", o.BuyerID}, {"facilitator", o.FacilitatorID}} {
		for _, t := range p.Ties(side.org, o.SupplierID) {
			ties = append(ties, side.name+"–supplier "+t)
		}
	}
	if len(ties) == 0 {
		return Finding{}, false
	}
	ev := []int{o.BuyerID, o.SupplierID}
	if o.FacilitatorID != 0 {
		ev = append(ev, o.FacilitatorID)
	}
	for _, t := range ties {
		if _, id, ok := strings.Cut(t, ":"); ok {
			if n, err := strconv.Atoi(id); err == nil && !slices.Contains(ev, n) {
				ev = append(ev, n)
			}
		}
	}
	return Finding{Code: LinkedParties, SubjectType: SubjectOrder, Subjects: []int{o.ID}, OrderID: o.ID,
		Score: float64(len(ties)), Evidence: ev, Thresholds: map[string]any{"ties": ties},
		Summary: "the supplier is linked to the other side of the order: " + strings.Join(ties, "; ")}, true
}

// Surge flags an organization whose December purchases lie above the upper
// fence of its own January–November months with purchases. monthly holds
// the settled fen of months 1–12.
func Surge(org, year int, monthly [13]int64, s Settings) (Finding, bool) {
	var sample []float64
	for m := 1; m <= 11; m++ {
		if monthly[m] > 0 {
			sample = append(sample, float64(monthly[m]))
		}
	}
	if len(sample) < s.MinSample || monthly[12] <= 0 {
		return Finding{}, false
	}
	f := TukeyFence(sample, s.K)
	if float64(monthly[12]) <= f.Upper || f.Upper <= 0 {
		return Finding{}, false
	}
	th := f.Map()
	th["december"] = monthly[12]
	return Finding{Code: YearEndSurge, SubjectType: SubjectOrganization, Subjects: []int{org}, Period: strconv.Itoa(year),
		Score: round2(float64(monthly[12]) / f.Upper), Evidence: []int{org}, Thresholds: th,
		Summary: fmt.Sprintf("December %d purchases of %d fen are above the upper fence %.0f fen of its %d other months with purchases",
			year, monthly[12], f.Upper, f.N)}, true
}

// CanteenRush flags a budget unit whose canteen quota for the year was
// met only by orders settled in the last days of the year.
func CanteenRush(org, year int, quotaFen, countedBefore, countedYear int64, orders []int, s Settings) (Finding, bool) {
	if quotaFen <= 0 || countedBefore >= quotaFen || countedYear < quotaFen {
		return Finding{}, false
	}
	days := int(s.Param("lastDays"))
	return Finding{Code: YearEndSurge, SubjectType: SubjectOrganization, Subjects: []int{org}, Period: fmt.Sprintf("%d canteen", year),
		Score: round2(float64(countedYear-countedBefore) / float64(quotaFen)), Evidence: orders,
		Thresholds: map[string]any{"quotaFen": quotaFen, "countedBeforeFen": countedBefore, "countedYearFen": countedYear, "lastDays": days},
		Summary: fmt.Sprintf("the %d canteen quota of %d fen was met only in the last %d days of the year (%d fen before them)",
			year, quotaFen, days, countedBefore)}, true
}

// PairCredit is what one buyer–supplier pair contributed to an agreement
// version's credited amount in a year.
type PairCredit struct {
	AgreementID, Year, BuyerID, SupplierID int
	AmountFen                              int64
}

// Concentrations flags the pairs holding more than the allowed share of an
// agreement's credited amount in a year, where the agreement has at least
// the minimum number of pairs (with fewer, a high share says nothing).
func Concentrations(credits []PairCredit, s Settings) []Finding {
	type key struct{ a, y int }
	total := map[key]int64{}
	pairs := map[key][]PairCredit{}
	for _, c := range credits {
		if c.AmountFen <= 0 {
			continue
		}
		k := key{c.AgreementID, c.Year}
		total[k] += c.AmountFen
		pairs[k] = append(pairs[k], c)
	}
	share := s.Param("share")
	var out []Finding
	for k, ps := range pairs {
		if len(ps) < s.MinSample || total[k] <= 0 {
			continue
		}
		for _, p := range ps {
			got := float64(p.AmountFen) / float64(total[k])
			if got <= share {
				continue
			}
			out = append(out, Finding{Code: Concentration, SubjectType: SubjectPair, Subjects: []int{p.BuyerID, p.SupplierID},
				Period: fmt.Sprintf("agreement %d %d", k.a, k.y), Score: round2(got / share), Evidence: []int{k.a},
				Thresholds: map[string]any{"share": round2(got*10000) / 10000, "maxShare": share, "pairFen": p.AmountFen,
					"agreementFen": total[k], "pairs": len(ps)},
				Summary: fmt.Sprintf("the pair holds %.1f%% of the agreement's %d credited amount (%d of %d fen; allowed %.1f%%)",
					got*100, k.y, p.AmountFen, total[k], share*100)})
		}
	}
	sortFindings(out)
	return out
}

// Link is an approved benefit link.
type Link struct {
	ID, SupplierID, HouseholdID int
	DecidedAt                   time.Time
}

// CrowdedHouseholds flags households linked to more suppliers than allowed.
func CrowdedHouseholds(links []Link, s Settings) []Finding {
	suppliers := map[int]map[int]bool{}
	ids := map[int][]int{}
	for _, l := range links {
		if suppliers[l.HouseholdID] == nil {
			suppliers[l.HouseholdID] = map[int]bool{}
		}
		suppliers[l.HouseholdID][l.SupplierID] = true
		ids[l.HouseholdID] = append(ids[l.HouseholdID], l.ID)
	}
	limit := int(s.Param("maxSuppliers"))
	var out []Finding
	for h, sup := range suppliers {
		if len(sup) <= limit {
			continue
		}
		ev := ids[h]
		sort.Ints(ev)
		out = append(out, Finding{Code: PaperBenefitLinks, SubjectType: SubjectHousehold, Subjects: []int{h}, Period: "suppliers",
			Score: round2(float64(len(sup)) / float64(limit)), Evidence: ev,
			Thresholds: map[string]any{"suppliers": len(sup), "maxSuppliers": limit},
			Summary:    fmt.Sprintf("the household is linked to %d suppliers (at most %d expected)", len(sup), limit)})
	}
	sortFindings(out)
	return out
}

// Settlement is a settled order's total, for links approved before it.
type Settlement struct {
	OrderID, SupplierID int
	SettledAt           time.Time
	TotalFen            int64
}

// LinksBeforeSettlements flags links approved shortly (`days`) before a
// large settlement (`largeSettlementFen` or more) of their supplier: links
// made on paper to turn one big sale into household income.
func LinksBeforeSettlements(links []Link, settlements []Settlement, s Settings) []Finding {
	days := s.Param("days")
	large := int64(s.Param("largeSettlementFen"))
	bySupplier := map[int][]Settlement{}
	for _, st := range settlements {
		if st.TotalFen >= large {
			bySupplier[st.SupplierID] = append(bySupplier[st.SupplierID], st)
		}
	}
	var out []Finding
	for _, l := range links {
		var ev []int
		var biggest int64
		for _, st := range bySupplier[l.SupplierID] {
			gap := st.SettledAt.Sub(l.DecidedAt)
			if gap >= 0 && gap <= time.Duration(days*24)*time.Hour {
				ev = append(ev, st.OrderID)
				biggest = max(biggest, st.TotalFen)
			}
		}
		if len(ev) == 0 {
			continue
		}
		sort.Ints(ev)
		out = append(out, Finding{Code: PaperBenefitLinks, SubjectType: SubjectBenefitLink, Subjects: []int{l.ID},
			Score: round2(float64(biggest) / float64(large)), Evidence: append([]int{l.ID}, ev...),
			Thresholds: map[string]any{"days": days, "largeSettlementFen": large, "largestFen": biggest},
			Summary: fmt.Sprintf("approved within %.0f days before %d settlement(s) of %d fen or more (largest %d fen)",
				days, len(ev), large, biggest)})
	}
	sortFindings(out)
	return out
}

// GhostIncome flags a household credited with income after every one of
// its members had been removed from the registry. entries are the income
// entries booked after the last removal.
func GhostIncome(household int, lastRemoved time.Time, entries []int, amountFen int64) (Finding, bool) {
	if len(entries) == 0 {
		return Finding{}, false
	}
	return Finding{Code: PaperBenefitLinks, SubjectType: SubjectHousehold, Subjects: []int{household}, Period: "removed members",
		Score: float64(len(entries)), Evidence: entries,
		Thresholds: map[string]any{"membersRemovedBy": lastRemoved.UTC().Format(time.RFC3339), "incomeFen": amountFen},
		Summary: fmt.Sprintf("%d fen of income booked in %d entries after every member had been removed from the registry",
			amountFen, len(entries))}, true
}

// sortFindings orders findings by key, so a scan's output is deterministic.
func sortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Key() < fs[j].Key() })
}
