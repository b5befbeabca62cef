package market

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/productsales"
	"bangfu/internal/apperr"
	"bangfu/internal/attribution"
	"bangfu/internal/gid"
	"bangfu/internal/households"
	"bangfu/internal/incentives"
	"bangfu/internal/integrity"
	"bangfu/internal/market/lifecycle"
	"bangfu/internal/period"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// Details carries a step's data (carrier for ship, references for accept).
type Details struct {
	Carrier, TrackingNumber   string
	InspectionRef, InvoiceRef string
}

// Move takes a lifecycle step on an order, with its side effects, in one
// transaction. The Order policy decides whether the caller is the party the
// step belongs to (internal/market/lifecycle).
func (s *Service) Move(ctx context.Context, orderID int, a lifecycle.Action, d Details) (*ent.Order, error) {
	step, err := lifecycle.Steps.Get(a)
	if err != nil {
		return nil, err
	}
	switch {
	case a == lifecycle.Ship && (d.Carrier == "" || d.TrackingNumber == ""):
		return nil, apperr.BadInput("carrier and trackingNumber are required to ship")
	case a == lifecycle.Accept && (d.InspectionRef == "" || d.InvoiceRef == ""):
		return nil, apperr.BadInput("inspectionRef and invoiceRef are required to accept")
	}
	// Settling pays every household linked to the supplier and refunding
	// claws it back: bulk work.
	done, err := s.paced(ctx, a == lifecycle.Settle || a == lifecycle.Refund)
	if err != nil {
		return nil, err
	}
	defer done()
	var o *ent.Order
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.Order.Get(ctx, orderID)
		if ent.IsNotFound(err) {
			return apperr.NotFound("order %s not found", gid.Ref(orderID))
		}
		if err != nil {
			return err
		}
		now := s.now()
		// The states in the WHERE make the step atomic: a concurrent step on
		// the same order finds no row and reports the conflict.
		upd := tx.Order.UpdateOneID(orderID).Where(order.StatusIn(step.From...)).SetStatus(step.To)
		switch a {
		case lifecycle.Confirm:
			upd.SetConfirmedAt(now)
		case lifecycle.Ship:
			upd.SetShippedAt(now).SetCarrier(d.Carrier).SetTrackingNumber(d.TrackingNumber)
		case lifecycle.Deliver:
			upd.SetDeliveredAt(now)
		case lifecycle.Accept:
			upd.SetAcceptedAt(now).SetInspectionRef(d.InspectionRef).SetInvoiceRef(d.InvoiceRef)
		case lifecycle.Settle:
			upd.SetSettledAt(now)
		case lifecycle.Cancel:
			upd.SetCancelledAt(now)
		case lifecycle.Refund:
			upd.SetRefundedAt(now)
		}
		o, err = upd.Save(ctx)
		if ent.IsNotFound(err) {
			return step.Refuse("order", a, current.Status)
		}
		if err != nil {
			return err
		}
		// The bookkeeping that follows a step the policy allowed is the
		// server's own: it writes stock, ledger entries and totals.
		sys := viewer.AsSystem(ctx)
		switch a {
		case lifecycle.Cancel:
			return restoreStock(sys, tx, o.ID)
		case lifecycle.Settle:
			if err := Book(sys, tx, o); err != nil {
				return err
			}
			return integrity.OrderSettled(sys, tx, o)
		case lifecycle.Refund:
			if err := Unbook(sys, tx, o); err != nil {
				return err
			}
			return integrity.OrderRefunded(sys, tx, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o.Unwrap(), nil
}

// Rate records the buyer's rating (1 to 5) of an accepted or settled order.
func (s *Service) Rate(ctx context.Context, orderID, rating int) (*ent.Order, error) {
	if rating < 1 || rating > 5 {
		return nil, apperr.BadInput("rating must be 1 to 5")
	}
	var o *ent.Order
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		current, err := tx.Order.Get(ctx, orderID)
		if ent.IsNotFound(err) {
			return apperr.NotFound("order %s not found", gid.Ref(orderID))
		}
		if err != nil {
			return err
		}
		o, err = tx.Order.UpdateOneID(orderID).Where(order.StatusIn(lifecycle.Rateable...)).SetRating(rating).Save(ctx)
		if ent.IsNotFound(err) {
			return apperr.Conflict("the order is %s; only accepted or settled orders are rated", current.Status).
				WithStatus(current.Status.String())
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Unwrap(), nil
}

// restoreStock puts an order's units back in stock and off the sales
// counters. It locks the products in id order, as a placement does, so
// that a cancelled order of several products and a cart never wait on
// each other in a cycle.
func restoreStock(ctx context.Context, c *ent.Client, orderID int) error {
	lines, err := c.OrderLine.Query().Where(orderline.OrderID(orderID)).Order(ent.Asc(orderline.FieldProductID)).All(ctx)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := c.Product.UpdateOneID(l.ProductID).AddStock(l.Quantity).Exec(ctx); err != nil {
			return err
		}
		// The counter is the server's: the caller's right was checked on
		// the product and the order.
		if err := c.ProductSales.Update().Where(productsales.ProductID(l.ProductID)).AddUnitsSold(-l.Quantity).
			Exec(viewer.AsSystem(ctx)); err != nil {
			return err
		}
	}
	return nil
}

// Book writes what settling an order credits: household income through
// benefit links, attribution to agreements and the buyer's purchase
// totals. It runs in the settling transaction (and for demo data).
func Book(ctx context.Context, c *ent.Client, o *ent.Order) error {
	if err := creditHouseholds(ctx, c, o); err != nil {
		return err
	}
	w, err := attribution.Load(ctx, c)
	if err != nil {
		return err
	}
	if err := attribution.Settle(ctx, c, w, o); err != nil {
		return err
	}
	return incentives.Award(ctx, c, w, o)
}

// Unbook reverses everything Book wrote for a refunded order.
func Unbook(ctx context.Context, c *ent.Client, o *ent.Order) error {
	if err := reverseLedger(ctx, c, o.ID); err != nil {
		return err
	}
	if err := attribution.Refund(ctx, c, o); err != nil {
		return err
	}
	return incentives.Refunded(ctx, c, o, *o.RefundedAt)
}

// creditHouseholds turns each settled line into income for the households
// linked to the supplier (DOMAIN rule 5): amount × share, rounded down to
// the fen, one ledger entry per line and household link.
func creditHouseholds(ctx context.Context, c *ent.Client, o *ent.Order) error {
	settled := *o.SettledAt
	year, _ := period.Of(settled)
	links, err := c.BenefitLink.Query().Where(households.InForce(o.SupplierID, settled)).
		Order(ent.Asc(benefitlink.FieldID)).All(ctx)
	if err != nil || len(links) == 0 {
		return err
	}
	lines, err := c.OrderLine.Query().Where(orderline.OrderID(o.ID)).Order(ent.Asc(orderline.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	var entries []*ent.LedgerEntryCreate
	for _, l := range lines {
		for _, link := range links {
			amount := l.AmountFen * int64(link.ShareBp) / 10_000
			if amount == 0 {
				continue
			}
			entries = append(entries, c.LedgerEntry.Create().
				SetKind(ledgerentry.KindHOUSEHOLD_INCOME).SetAmount(amount).SetYear(year).
				SetOccurredAt(settled).SetOrderLineID(l.ID).SetHouseholdID(link.HouseholdID).
				SetOrganizationID(o.SupplierID).
				SetNote(string(link.Mechanism)))
		}
	}
	if len(entries) == 0 {
		return nil
	}
	return c.LedgerEntry.CreateBulk(entries...).Exec(ctx)
}

// reverseLedger writes a reversing entry for every entry the order's lines
// produced that is not reversed yet: corrections never edit the ledger. A
// reversal keeps its entry's year, so each year's totals stay the sum of
// what that year's settlements still count.
func reverseLedger(ctx context.Context, c *ent.Client, orderID int) error {
	entries, err := attribution.OrderEntries(ctx, c, orderID)
	if err != nil {
		return err
	}
	var reversals []*ent.LedgerEntryCreate
	for _, e := range attribution.Standing(entries) {
		reversals = append(reversals, attribution.Copy(c, e).SetAmount(-e.Amount).SetReversesID(e.ID).SetNote("refund"))
	}
	if len(reversals) == 0 {
		return nil
	}
	return c.LedgerEntry.CreateBulk(reversals...).Exec(ctx)
}
