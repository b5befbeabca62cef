package attribution

import (
	"context"
	"fmt"
	"sort"

	"bangfu/ent"
	"bangfu/ent/flag"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/purchasetotal"
)

// Report is what Recompute found. No difference means every figure can be
// reproduced from the orders and the ledger.
type Report struct {
	Orders, Lines, Credits int
	Differences            []Difference
}

// Difference is one figure that does not reproduce.
type Difference struct {
	// Kind: CREDIT_MISSING (the rules give a credit the ledger lacks),
	// CREDIT_UNEXPECTED (the ledger holds a credit the rules do not give),
	// REVERSAL_MISMATCH (a refunded order's credit, or one a confirmed
	// integrity flag excludes, still counts; or a credit that should count
	// is reversed; Recorded is how many credits too many count), or a
	// settled one's is), CREDIT_TOTAL and PURCHASE_TOTAL (a running total
	// differs from the sum of what it totals).
	Kind     string
	Key      string
	Expected int64
	Recorded int64
}

// batch is how many orders Recompute reads at a time.
const batch = 500

// Recompute re-runs attribution over every settled order and compares it
// with the ledger, then recomputes the running totals from the ledger and
// the orders and compares them with the stored ones. It changes nothing.
// Run it as the server itself (it reads every order and entry).
func Recompute(ctx context.Context, c *ent.Client) (*Report, error) {
	w, err := Load(ctx, c)
	if err != nil {
		return nil, err
	}
	excluded, err := excludedOrders(ctx, c)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	purchases := Purchases{}
	last := 0
	for {
		orders, err := c.Order.Query().
			Where(order.IDGT(last), order.StatusIn(settledStatuses...), order.SettledAtNotNil()).
			Order(ent.Asc(order.FieldID)).Limit(batch).
			WithLines(func(q *ent.OrderLineQuery) {
				q.Order(ent.Asc(orderline.FieldID)).WithLedgerEntries(func(q *ent.LedgerEntryQuery) {
					q.Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT)).Order(ent.Asc(ledgerentry.FieldID))
				})
			}).All(ctx)
		if err != nil {
			return nil, err
		}
		if len(orders) == 0 {
			break
		}
		last = orders[len(orders)-1].ID
		for _, o := range orders {
			rep.Orders++
			if err := checkOrder(w, o, excluded[o.ID], rep, purchases); err != nil {
				return nil, err
			}
		}
	}
	if err := checkCreditTotals(ctx, c, rep); err != nil {
		return nil, err
	}
	if err := checkPurchaseTotals(ctx, c, rep, purchases); err != nil {
		return nil, err
	}
	return rep, nil
}

func creditKey(lineID, agreementID int, ind ledgerentry.Indicator, org int, amount int64, year, month, county int) string {
	return fmt.Sprintf("line %d → agreement %d %s org %d ¥fen %d %d-%02d county %d", lineID, agreementID, ind, org, amount, year, month, county)
}

// excludedOrders are the orders an auditor confirmed a flag on: none of
// their credits may still count.
func excludedOrders(ctx context.Context, c *ent.Client) (map[int]bool, error) {
	ids, err := c.Flag.Query().Where(flag.StatusEQ(flag.StatusCONFIRMED), flag.OrderIDNotNil()).
		Select(flag.FieldOrderID).Ints(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// checkOrder compares an order's credits with what the rules give. The
// credits first booked (those no flag review wrote) must be exactly the
// rules' credits; the credits still counting (booked or re-booked and not
// reversed) must be those too, or none when the order was refunded or a
// confirmed flag excludes it.
func checkOrder(w World, o *ent.Order, excluded bool, rep *Report, purchases Purchases) error {
	refunded := o.Status == order.StatusREFUNDED
	for _, l := range o.Edges.Lines {
		rep.Lines++
		if !refunded {
			purchases.Add(lineOf(o, l))
		}
		credits, _, err := Attribute(w, lineOf(o, l))
		if err != nil {
			return err
		}
		want := map[string]int{}
		for _, cr := range credits {
			want[creditKey(l.ID, cr.AgreementID, cr.Indicator, cr.OrganizationID, cr.AmountFen, cr.Year, cr.Month, cr.OriginCountyID)]++
		}
		live := map[string]int{}
		if !refunded && !excluded {
			for k, n := range want {
				live[k] = n
			}
		}
		reversed := map[int]bool{}
		for _, e := range l.Edges.LedgerEntries {
			if e.ReversesID != nil {
				reversed[*e.ReversesID] = true
			}
		}
		for _, e := range l.Edges.LedgerEntries {
			if e.ReversesID != nil {
				continue
			}
			k := creditKey(l.ID, deref(e.AgreementID), deref(e.Indicator), deref(e.OrganizationID), e.Amount, e.Year, deref(e.Month), deref(e.OriginCountyID))
			if !reversed[e.ID] {
				live[k]--
			}
			if e.FlagID != nil {
				continue // a re-booking: counted among the live credits only
			}
			rep.Credits++
			if want[k] > 0 {
				want[k]--
			} else {
				rep.Differences = append(rep.Differences, Difference{Kind: "CREDIT_UNEXPECTED", Key: k, Recorded: e.Amount})
			}
		}
		for k, n := range want {
			for ; n > 0; n-- {
				rep.Differences = append(rep.Differences, Difference{Kind: "CREDIT_MISSING", Key: k})
			}
		}
		keys := make([]string, 0, len(live))
		for k := range live {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if n := live[k]; n != 0 {
				// n > 0: a credit that should count is reversed; n < 0: one
				// counts that should not (refunded or excluded order).
				rep.Differences = append(rep.Differences, Difference{Kind: "REVERSAL_MISMATCH",
					Key: fmt.Sprintf("%s (order %d %s, excluded %v)", k, o.ID, o.Status, excluded), Expected: 0, Recorded: int64(-n)})
			}
		}
	}
	return nil
}

func checkCreditTotals(ctx context.Context, c *ent.Client, rep *Report) error {
	var sums []struct {
		AgreementID    int    `json:"agreement_id"`
		Indicator      string `json:"indicator"`
		Year           int    `json:"year"`
		Month          int    `json:"month"`
		OriginCountyID int    `json:"origin_county_id"`
		Sum            int64  `json:"sum"`
	}
	err := c.LedgerEntry.Query().
		Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT), ledgerentry.AgreementIDNotNil()).
		GroupBy(ledgerentry.FieldAgreementID, ledgerentry.FieldIndicator, ledgerentry.FieldYear,
			ledgerentry.FieldMonth, ledgerentry.FieldOriginCountyID).
		Aggregate(ent.Sum(ledgerentry.FieldAmount)).Scan(ctx, &sums)
	if err != nil {
		return err
	}
	want := map[string]int64{}
	for _, s := range sums {
		want[fmt.Sprintf("agreement %d %s %d-%02d county %d", s.AgreementID, s.Indicator, s.Year, s.Month, s.OriginCountyID)] += s.Sum
	}
	totals, err := c.CreditTotal.Query().All(ctx)
	if err != nil {
		return err
	}
	got := map[string]int64{}
	for _, t := range totals {
		got[fmt.Sprintf("agreement %d %s %d-%02d county %d", t.AgreementID, t.Indicator, t.Year, t.Month, t.OriginCountyID)] += t.Amount
	}
	compare(rep, "CREDIT_TOTAL", want, got)
	return nil
}

func checkPurchaseTotals(ctx context.Context, c *ent.Client, rep *Report, purchases Purchases) error {
	want := map[string]int64{}
	for k, v := range purchases {
		want[fmt.Sprintf("organization %d %d-%02d settled", k.BuyerID, k.Year, k.Month)] = v.SettledFen
		want[fmt.Sprintf("organization %d %d-%02d counted", k.BuyerID, k.Year, k.Month)] = v.CountedFen
	}
	var points []struct {
		OrganizationID int   `json:"organization_id"`
		Year           int   `json:"year"`
		Month          int   `json:"month"`
		Sum            int64 `json:"sum"`
	}
	err := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindINCENTIVE_POINTS)).
		GroupBy(ledgerentry.FieldOrganizationID, ledgerentry.FieldYear, ledgerentry.FieldMonth).
		Aggregate(ent.Sum(ledgerentry.FieldAmount)).Scan(ctx, &points)
	if err != nil {
		return err
	}
	for _, p := range points {
		want[fmt.Sprintf("organization %d %d-%02d points", p.OrganizationID, p.Year, p.Month)] += p.Sum
	}
	rows, err := c.PurchaseTotal.Query().Order(ent.Asc(purchasetotal.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	got := map[string]int64{}
	for _, t := range rows {
		got[fmt.Sprintf("organization %d %d-%02d settled", t.OrganizationID, t.Year, t.Month)] = t.SettledFen
		got[fmt.Sprintf("organization %d %d-%02d counted", t.OrganizationID, t.Year, t.Month)] = t.CountedFen
		got[fmt.Sprintf("organization %d %d-%02d points", t.OrganizationID, t.Year, t.Month)] = t.Points
	}
	compare(rep, "PURCHASE_TOTAL", want, got)
	return nil
}

// compare reports every key whose amounts differ; a missing key is zero.
func compare(rep *Report, kind string, want, got map[string]int64) {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if want[k] != got[k] {
			sorted = append(sorted, k)
		}
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		rep.Differences = append(rep.Differences, Difference{Kind: kind, Key: k, Expected: want[k], Recorded: got[k]})
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Consistent reports whether every figure reproduced.
func (r *Report) Consistent() bool { return len(r.Differences) == 0 }
