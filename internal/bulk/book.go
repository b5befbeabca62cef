package bulk

import (
	"context"
	"database/sql"

	"time"

	"bangfu/internal/attribution"
	"bangfu/internal/viewer"

	"entgo.io/ent/dialect"
)

// Settled orders settle 20 days after placement; refunded ones are
// refunded a week later.
func settledAt(placed time.Time) time.Time  { return placed.AddDate(0, 0, 20) }
func refundedAt(placed time.Time) time.Time { return placed.AddDate(0, 0, 27) }

// booked is a generated settled line.
type booked struct {
	attribution.Line
	refunded   bool
	refundedAt time.Time
}

// book writes what settlement books for generated settled lines: the
// attribution credits (the same rules, internal/attribution), their
// reversals for refunded orders, and the credit and purchase totals the
// ledger hook and settlement keep, merged with the totals already stored.
// Generated lines earn no incentive points: benchmark data is not a
// participation record.
// attribution.Recompute confirms the result (TestGenerate).
func (g *gen) book(ctx context.Context, lines []booked) error {
	sys := viewer.AsSystem(ctx)
	w, err := attribution.Load(sys, g.db.Client)
	if err != nil {
		return err
	}
	type creditKey struct {
		agreement   int
		indicator   string
		year, month int
		county      int
	}
	type entry struct {
		c        attribution.Credit
		at       time.Time
		reverses int // id of the credit a reversal reverses
	}
	var entries []entry
	credits := map[creditKey][2]int64{}
	purchases := attribution.Purchases{}
	points := map[attribution.PurchaseMonth]int64{} // the totals already stored
	first, err := g.nextID(ctx, "ledger_entries", "LedgerEntry")
	if err != nil {
		return err
	}
	for _, l := range lines {
		cs, _, err := attribution.Attribute(w, l.Line)
		if err != nil {
			return err
		}
		for _, c := range cs {
			id := first + len(entries)
			entries = append(entries, entry{c: c, at: l.SettledAt})
			k := creditKey{c.AgreementID, string(c.Indicator), c.Year, c.Month, c.OriginCountyID}
			t := credits[k]
			t[0], t[1] = t[0]+c.AmountFen, t[1]+1
			if l.refunded {
				entries = append(entries, entry{c: c, at: l.refundedAt, reverses: id})
				t[0], t[1] = t[0]-c.AmountFen, t[1]-1
			}
			credits[k] = t
		}
		if !l.refunded {
			purchases.Add(l.Line)
		}
	}
	err = g.write(ctx, "ledger_entries", []string{"id", "kind", "amount", "indicator", "year", "month", "occurred_at",
		"order_line_id", "agreement_id", "origin_county_id", "organization_id", "reverses_id", "note"}, len(entries), func(i int, d []any) {
		e := entries[i]
		amount, reverses, note := e.c.AmountFen, any(nil), e.c.Reason
		if e.reverses != 0 {
			amount, reverses, note = -amount, e.reverses, "refund"
		}
		d[0], d[1], d[2], d[3], d[4], d[5], d[6] = first+i, "ATTRIBUTION_CREDIT", amount, string(e.c.Indicator), e.c.Year, e.c.Month, e.at
		d[7], d[8], d[9], d[10], d[11], d[12] = e.c.LineID, e.c.AgreementID, e.c.OriginCountyID, e.c.OrganizationID, reverses, note
	})
	if err != nil {
		return err
	}
	// Merge with the totals already stored (the demo's own settlements).
	err = g.each(ctx, `SELECT agreement_id, indicator, year, month, origin_county_id, amount, lines FROM credit_totals`, func(rows *sql.Rows) error {
		var k creditKey
		var amount, n int64
		if err := rows.Scan(&k.agreement, &k.indicator, &k.year, &k.month, &k.county, &amount, &n); err != nil {
			return err
		}
		t := credits[k]
		credits[k] = [2]int64{t[0] + amount, t[1] + n}
		return nil
	})
	if err != nil {
		return err
	}
	err = g.each(ctx, `SELECT organization_id, year, month, settled_fen, counted_fen, points FROM purchase_totals`, func(rows *sql.Rows) error {
		var k attribution.PurchaseMonth
		var stored attribution.PurchaseSum
		var pts int64
		if err := rows.Scan(&k.BuyerID, &k.Year, &k.Month, &stored.SettledFen, &stored.CountedFen, &pts); err != nil {
			return err
		}
		p := purchases[k]
		purchases[k] = attribution.PurchaseSum{SettledFen: p.SettledFen + stored.SettledFen, CountedFen: p.CountedFen + stored.CountedFen}
		points[k] += pts
		return nil
	})
	if err != nil {
		return err
	}
	for _, table := range []string{"credit_totals", "purchase_totals"} {
		if _, err := g.db.SQL.ExecContext(ctx, "DELETE FROM "+table); err != nil { //nolint:gosec // G202: a table of the fixed list above
			return err
		}
	}
	firstTotal, err := g.nextID(ctx, "credit_totals", "CreditTotal")
	if err != nil {
		return err
	}
	ck := make([]creditKey, 0, len(credits))
	for k := range credits {
		ck = append(ck, k)
	}
	err = g.write(ctx, "credit_totals", []string{"id", "agreement_id", "indicator", "year", "month", "origin_county_id", "amount", "lines"}, len(ck), func(i int, d []any) {
		k := ck[i]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = firstTotal+i, k.agreement, k.indicator, k.year, k.month, k.county, credits[k][0], credits[k][1]
	})
	if err != nil {
		return err
	}
	firstPurchase, err := g.nextID(ctx, "purchase_totals", "PurchaseTotal")
	if err != nil {
		return err
	}
	pk := make([]attribution.PurchaseMonth, 0, len(purchases))
	for k := range purchases {
		pk = append(pk, k)
	}
	err = g.write(ctx, "purchase_totals", []string{"id", "organization_id", "year", "month", "settled_fen", "counted_fen", "points"}, len(pk), func(i int, d []any) {
		k := pk[i]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6] = firstPurchase+i, k.BuyerID, k.Year, k.Month, purchases[k].SettledFen, purchases[k].CountedFen, points[k]
	})
	if err != nil || g.db.Dialect != dialect.Postgres {
		return err
	}
	// Fresh statistics, so the planner sees the new sizes at once.
	_, err = g.db.SQL.ExecContext(ctx, `ANALYZE ledger_entries, credit_totals, purchase_totals`)
	return err
}
