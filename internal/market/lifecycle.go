package market

import (
	"context"
	"slices"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/internal/attribution"
	"bangfu/internal/gid"
	"bangfu/internal/incentives"
	"bangfu/internal/period"
	"bangfu/internal/viewer"
)

// side says which party may make a transition.
type side int

const (
	buyerSide side = 1 << iota
	supplierSide
)

// Transition names a lifecycle step (832 platform practice).
type Transition string

// The order lifecycle: PLACED → CONFIRMED → SHIPPED → DELIVERED → ACCEPTED
// → SETTLED; CANCELLED before shipping (stock returns); REFUNDED after
// settlement (everything it credited is reversed).
const (
	Confirm Transition = "confirm"
	Ship    Transition = "ship"
	Deliver Transition = "deliver"
	Accept  Transition = "accept"
	Settle  Transition = "settle"
	Cancel  Transition = "cancel"
	Refund  Transition = "refund"
)

var lifecycle = map[Transition]struct {
	from []order.Status
	to   order.Status
	by   side
}{
	Confirm: {[]order.Status{order.StatusPLACED}, order.StatusCONFIRMED, supplierSide},
	Ship:    {[]order.Status{order.StatusCONFIRMED}, order.StatusSHIPPED, supplierSide},
	Deliver: {[]order.Status{order.StatusSHIPPED}, order.StatusDELIVERED, supplierSide | buyerSide},
	Accept:  {[]order.Status{order.StatusDELIVERED}, order.StatusACCEPTED, buyerSide},
	Settle:  {[]order.Status{order.StatusACCEPTED}, order.StatusSETTLED, buyerSide},
	Cancel:  {[]order.Status{order.StatusPLACED, order.StatusCONFIRMED}, order.StatusCANCELLED, buyerSide | supplierSide},
	Refund:  {[]order.Status{order.StatusSETTLED}, order.StatusREFUNDED, supplierSide},
}

// Details carries a transition's data (carrier for ship, references for
// accept).
type Details struct {
	Carrier, TrackingNumber   string
	InspectionRef, InvoiceRef string
}

// Move applies a lifecycle transition to an order, with its side effects,
// in one transaction.
func (s *Service) Move(ctx context.Context, orderID int, t Transition, d Details) (*ent.Order, error) {
	step, ok := lifecycle[t]
	if !ok {
		return nil, badInput("unknown transition %q", t)
	}
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	o, err := tx.Order.Get(ctx, orderID)
	if ent.IsNotFound(err) {
		return nil, notFound("order %s not found", globalRef(orderID))
	}
	if err != nil {
		return nil, err
	}
	if !actsFor(viewer.FromContext(ctx), o, step.by) {
		return nil, forbidden("only the order's %s may %s it", sideName(step.by), t)
	}
	if !slices.Contains(step.from, o.Status) {
		e := conflict("order is %s; it cannot %s now", o.Status, t)
		e.Details = map[string]any{"currentStatus": o.Status.String()}
		return nil, e
	}
	now := s.now()
	// The status in the WHERE makes the step atomic: a concurrent step on
	// the same order finds no row and reports the conflict.
	upd := tx.Order.UpdateOneID(o.ID).Where(order.StatusEQ(o.Status)).SetStatus(step.to)
	switch t {
	case Confirm:
		upd.SetConfirmedAt(now)
	case Ship:
		if d.Carrier == "" || d.TrackingNumber == "" {
			return nil, badInput("carrier and trackingNumber are required to ship")
		}
		upd.SetShippedAt(now).SetCarrier(d.Carrier).SetTrackingNumber(d.TrackingNumber)
	case Deliver:
		upd.SetDeliveredAt(now)
	case Accept:
		if d.InspectionRef == "" || d.InvoiceRef == "" {
			return nil, badInput("inspectionRef and invoiceRef are required to accept")
		}
		upd.SetAcceptedAt(now).SetInspectionRef(d.InspectionRef).SetInvoiceRef(d.InvoiceRef)
	case Settle:
		upd.SetSettledAt(now)
	case Cancel:
		upd.SetCancelledAt(now)
	case Refund:
		upd.SetRefundedAt(now)
	}
	o, err = upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, conflict("order changed while you were acting on it; reload it")
	}
	if err != nil {
		return nil, err
	}
	sys := viewer.AsSystem(ctx)
	switch t {
	case Cancel:
		err = restoreStock(sys, tx.Client(), o.ID)
	case Settle:
		err = Book(sys, tx.Client(), o)
	case Refund:
		err = Unbook(sys, tx.Client(), o)
	}
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return o.Unwrap(), nil
}

// Rate records the buyer's rating of an accepted or settled order.
func (s *Service) Rate(ctx context.Context, orderID, rating int) (*ent.Order, error) {
	if rating < 1 || rating > 5 {
		return nil, badInput("rating must be 1 to 5")
	}
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	o, err := tx.Order.Get(ctx, orderID)
	if ent.IsNotFound(err) {
		return nil, notFound("order %s not found", globalRef(orderID))
	}
	if err != nil {
		return nil, err
	}
	if !actsFor(viewer.FromContext(ctx), o, buyerSide) {
		return nil, forbidden("only the buyer rates an order")
	}
	if o.Status != order.StatusACCEPTED && o.Status != order.StatusSETTLED {
		e := conflict("order is %s; only accepted or settled orders are rated", o.Status)
		e.Details = map[string]any{"currentStatus": o.Status.String()}
		return nil, e
	}
	if o, err = tx.Order.UpdateOne(o).SetRating(rating).Save(ctx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return o.Unwrap(), nil
}

func actsFor(v *viewer.Viewer, o *ent.Order, by side) bool {
	if v.IsSystem() || v.Has(viewer.Admin) {
		return true
	}
	return by&buyerSide != 0 && slices.Contains(v.OrgIDs(viewer.Buyer), o.BuyerID) ||
		by&supplierSide != 0 && slices.Contains(v.OrgIDs(viewer.Supplier), o.SupplierID)
}

func sideName(by side) string {
	switch by {
	case buyerSide:
		return "buyer"
	case supplierSide:
		return "supplier"
	}
	return "buyer or supplier"
}

func restoreStock(ctx context.Context, c *ent.Client, orderID int) error {
	lines, err := c.OrderLine.Query().Where(orderline.OrderID(orderID)).All(ctx)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := c.Product.UpdateOneID(l.ProductID).AddStock(l.Quantity).AddUnitsSold(-l.Quantity).Exec(ctx); err != nil {
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
	links, err := c.BenefitLink.Query().Where(
		benefitlink.SupplierID(o.SupplierID),
		benefitlink.ValidFromLTE(settled),
		benefitlink.Or(benefitlink.ValidUntilIsNil(), benefitlink.ValidUntilGT(settled)),
	).Order(ent.Asc(benefitlink.FieldID)).All(ctx)
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
	entries, err := c.LedgerEntry.Query().Where(
		ledgerentry.HasOrderLineWith(orderline.OrderID(orderID)),
		ledgerentry.ReversesIDIsNil(),
		ledgerentry.Not(ledgerentry.HasReversedBy()),
	).Order(ent.Asc(ledgerentry.FieldID)).All(ctx)
	if err != nil || len(entries) == 0 {
		return err
	}
	var reversals []*ent.LedgerEntryCreate
	for _, e := range entries {
		r := c.LedgerEntry.Create().
			SetKind(e.Kind).SetAmount(-e.Amount).SetYear(e.Year).SetReversesID(e.ID).
			SetNillableIndicator(e.Indicator).SetNillableOrderLineID(e.OrderLineID).
			SetNillableAgreementID(e.AgreementID).SetNillableMonth(e.Month).
			SetNillableOriginCountyID(e.OriginCountyID).SetNillableHouseholdID(e.HouseholdID).
			SetNillableIncentiveRuleID(e.IncentiveRuleID).
			SetNillableOrganizationID(e.OrganizationID).SetNote("refund")
		reversals = append(reversals, r)
	}
	return c.LedgerEntry.CreateBulk(reversals...).Exec(ctx)
}

func globalRef(id int) string {
	s, err := gid.Encode(id)
	if err != nil {
		return "?"
	}
	return s
}
