package attribution

import (
	"context"
	"fmt"
	"time"

	"bangfu/ent"
	"bangfu/ent/flag"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/purchasetotal"
	"bangfu/internal/gid"
	"bangfu/internal/period"
)

// Settle books a settled order: one credit ledger entry per line and
// matching agreement (the ledger hook adds them to the credit totals), and
// the buyer's purchase totals. Call it in the settling transaction, as the
// server itself, with a world loaded in that transaction (Load).
func Settle(ctx context.Context, c *ent.Client, w World, o *ent.Order) error {
	if o.SettledAt == nil {
		return fmt.Errorf("attribution: order %d is not settled", o.ID)
	}
	lines, err := linesOf(ctx, c, o)
	if err != nil {
		return err
	}
	var entries []*ent.LedgerEntryCreate
	for _, l := range lines {
		credits, _, err := Attribute(w, l)
		if err != nil {
			return err
		}
		for _, cr := range credits {
			entries = append(entries, c.LedgerEntry.Create().
				SetKind(ledgerentry.KindATTRIBUTION_CREDIT).SetIndicator(cr.Indicator).
				SetAmount(cr.AmountFen).SetYear(cr.Year).SetMonth(cr.Month).SetOccurredAt(*o.SettledAt).
				SetOrderLineID(cr.LineID).SetAgreementID(cr.AgreementID).SetOrganizationID(cr.OrganizationID).
				SetOriginCountyID(cr.OriginCountyID).SetNote(cr.Reason))
		}
	}
	if len(entries) > 0 {
		if err := c.LedgerEntry.CreateBulk(entries...).Exec(ctx); err != nil {
			return err
		}
	}
	return addPurchases(ctx, c, lines, 1)
}

// Refund takes a refunded order's lines out of the buyer's purchase
// totals. Its credits are reversed with the rest of its ledger entries
// (reversing entries keep the original period, so the totals of the year
// the order settled in go down).
func Refund(ctx context.Context, c *ent.Client, o *ent.Order) error {
	if o.SettledAt == nil {
		return fmt.Errorf("attribution: order %d was never settled", o.ID)
	}
	lines, err := linesOf(ctx, c, o)
	if err != nil {
		return err
	}
	return addPurchases(ctx, c, lines, -1)
}

func linesOf(ctx context.Context, c *ent.Client, o *ent.Order) ([]Line, error) {
	rows, err := c.OrderLine.Query().Where(orderline.OrderID(o.ID)).Order(ent.Asc(orderline.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Line, 0, len(rows))
	for _, r := range rows {
		out = append(out, lineOf(o, r))
	}
	return out, nil
}

func lineOf(o *ent.Order, r *ent.OrderLine) Line {
	l := Line{ID: r.ID, AmountFen: r.AmountFen, Certified: r.CertifiedAtOrder, OriginCountyID: r.OriginCountyID,
		BuyerID: o.BuyerID, SupplierID: o.SupplierID}
	if o.FacilitatorID != nil {
		l.FacilitatorID = *o.FacilitatorID
	}
	if o.SettledAt != nil {
		l.SettledAt = *o.SettledAt
	}
	return l
}

// PurchaseMonth is a buyer's month (China Standard Time): the key of a
// purchase total.
type PurchaseMonth struct{ BuyerID, Year, Month int }

// PurchaseSum is what a buyer settled in a month, and how much of it counts
// (certified on the order date).
type PurchaseSum struct{ SettledFen, CountedFen int64 }

// Purchases sums settled lines by buyer and month: the one rule behind the
// purchase totals, used by settlement, by Recompute and by generated
// benchmark data.
type Purchases map[PurchaseMonth]PurchaseSum

// Add counts a settled line.
func (p Purchases) Add(l Line) {
	year, month := period.Of(l.SettledAt)
	k := PurchaseMonth{l.BuyerID, year, month}
	s := p[k]
	s.SettledFen += l.AmountFen
	if l.Certified {
		s.CountedFen += l.AmountFen
	}
	p[k] = s
}

// addPurchases adds (sign 1) or removes (sign -1) the settled lines from
// their buyer's purchase totals.
func addPurchases(ctx context.Context, c *ent.Client, lines []Line, sign int64) error {
	sums := Purchases{}
	for _, l := range lines {
		sums.Add(l)
	}
	for k, s := range sums {
		err := c.PurchaseTotal.Create().
			SetOrganizationID(k.BuyerID).SetYear(k.Year).SetMonth(k.Month).
			SetSettledFen(sign*s.SettledFen).SetCountedFen(sign*s.CountedFen).
			OnConflictColumns(purchasetotal.FieldOrganizationID, purchasetotal.FieldYear, purchasetotal.FieldMonth).
			Update(func(u *ent.PurchaseTotalUpsert) {
				u.AddSettledFen(sign * s.SettledFen).AddCountedFen(sign * s.CountedFen)
			}).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// OrderEntries lists every ledger entry booked for the order's lines,
// reversals included, oldest first. It reads through the order_line_id
// index: a filter on reverses_id would lead SQLite to scan every
// unreversed entry of the ledger.
func OrderEntries(ctx context.Context, c *ent.Client, orderID int) ([]*ent.LedgerEntry, error) {
	lines, err := c.OrderLine.Query().Where(orderline.OrderID(orderID)).IDs(ctx)
	if err != nil || len(lines) == 0 {
		return nil, err
	}
	return c.LedgerEntry.Query().Where(ledgerentry.OrderLineIDIn(lines...)).Order(ent.Asc(ledgerentry.FieldID)).All(ctx)
}

// Standing keeps the entries that still count: neither a reversal nor
// reversed by one.
func Standing(entries []*ent.LedgerEntry) []*ent.LedgerEntry {
	reversed := map[int]bool{}
	for _, e := range entries {
		if e.ReversesID != nil {
			reversed[*e.ReversesID] = true
		}
	}
	var out []*ent.LedgerEntry
	for _, e := range entries {
		if e.ReversesID == nil && !reversed[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// Copy starts a new entry with e's kind, year and dimensions (indicator,
// line, agreement, month, origin county, organization, household,
// incentive rule): the one way reversals and re-bookings mirror an entry.
// The caller sets the amount and what the new entry names.
func Copy(c *ent.Client, e *ent.LedgerEntry) *ent.LedgerEntryCreate {
	return c.LedgerEntry.Create().SetKind(e.Kind).SetYear(e.Year).
		SetNillableIndicator(e.Indicator).SetNillableOrderLineID(e.OrderLineID).
		SetNillableAgreementID(e.AgreementID).SetNillableMonth(e.Month).
		SetNillableOriginCountyID(e.OriginCountyID).SetNillableOrganizationID(e.OrganizationID).
		SetNillableHouseholdID(e.HouseholdID).SetNillableIncentiveRuleID(e.IncentiveRuleID)
}

// settledStatuses are the order states whose lines were settled once.
var settledStatuses = []order.Status{order.StatusSETTLED, order.StatusREFUNDED}

// Explain says why a line earns what it does under the agreements as they
// stand: one sentence per credit and per credit it does not earn.
func Explain(ctx context.Context, c *ent.Client, lineID int) ([]string, error) {
	l, err := c.OrderLine.Query().Where(orderline.ID(lineID)).WithOrder().Only(ctx)
	if err != nil {
		return nil, err
	}
	o := l.Edges.Order
	if o.SettledAt == nil {
		return []string{"not counted yet: only settled lines count toward targets"}, nil
	}
	w, err := Load(ctx, c)
	if err != nil {
		return nil, err
	}
	credits, notes, err := Attribute(w, lineOf(o, l))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, cr := range credits {
		out = append(out, fmt.Sprintf("%s %s %d fen for %d-%02d: %s", cr.Kind, cr.Indicator, cr.AmountFen, cr.Year, cr.Month, cr.Reason))
	}
	if o.Status == order.StatusREFUNDED {
		out = append(out, "the order was refunded: each credit above was reversed")
	}
	flagged, err := flagNote(ctx, c, l)
	if err != nil {
		return nil, err
	}
	out = append(out, flagged...)
	return append(out, notes...), nil
}

// flagNote says what integrity flag reviews did to the line's credits: the
// latest review that wrote entries decides whether they count.
func flagNote(ctx context.Context, c *ent.Client, l *ent.OrderLine) ([]string, error) {
	var out []string
	open, err := c.Flag.Query().Where(flag.OrderID(l.OrderID), flag.StatusEQ(flag.StatusOPEN)).Order(ent.Asc(flag.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range open {
		out = append(out, fmt.Sprintf("under review: integrity flag %s (%s) on the order is open; if an auditor confirms it, the credits above stop counting",
			gid.Ref(f.ID), f.Code))
	}
	e, err := c.LedgerEntry.Query().Where(ledgerentry.OrderLineID(l.ID), ledgerentry.FlagIDNotNil()).
		Order(ent.Desc(ledgerentry.FieldID)).WithFlag().First(ctx)
	if ent.IsNotFound(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	f := e.Edges.Flag
	when := ""
	if f.ReviewedAt != nil {
		when = " on " + f.ReviewedAt.UTC().Format(time.RFC3339)
	}
	ref := gid.Ref(f.ID)
	if e.ReversesID != nil {
		return append(out, fmt.Sprintf("excluded from agreement progress: integrity flag %s (%s) was confirmed by an auditor%s (%q); its credits above were reversed by entries naming the flag",
			ref, f.Code, when, f.Reason)), nil
	}
	return append(out, fmt.Sprintf("counted again: integrity flag %s (%s) was dismissed%s (%q); the credits its confirmation had reversed were re-booked",
		ref, f.Code, when, f.Reason)), nil
}
