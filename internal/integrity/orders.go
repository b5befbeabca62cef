package integrity

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/indicatorsetting"
	"bangfu/ent/order"
)

// The incremental indicators run inside the transaction that settles or
// refunds an order, for that order only: they need a handful of indexed
// reads (the order's parties, the pair's refunds), so a flag exists the
// moment the order's credits do, and a rollback takes it back with the
// step. Indicators that compare an order with a population (prices,
// surges, concentration, links) wait for the nightly scan: one order
// cannot move a fence much, and computing one per settlement would put a
// scan of the category on the write path.

// settingsFor reads the settings of the named indicators only.
func settingsFor(ctx context.Context, c *ent.Client, codes ...string) (map[string]Settings, error) {
	rows, err := c.IndicatorSetting.Query().Where(indicatorsetting.CodeIn(codes...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]Settings{}
	for _, code := range codes {
		d := Defaults[code]
		d.Params = cloneParams(d.Params)
		out[code] = d
	}
	for _, r := range rows {
		s := out[r.Code]
		s.Enabled, s.K, s.MinSample = r.Enabled, r.FenceMultiplier, r.MinSample
		for k, v := range r.Params {
			if _, known := s.Params[k]; known {
				s.Params[k] = v
			}
		}
		out[r.Code] = s
	}
	return out, nil
}

// OrderSettled raises the flags a settlement shows at once: the supplier
// linked to the buyer or the facilitator (LINKED_PARTIES). Call it in the
// settling transaction, as the server.
func OrderSettled(ctx context.Context, tx *ent.Client, o *ent.Order) error {
	st, err := settingsFor(ctx, tx, LinkedParties)
	if err != nil || !st[LinkedParties].Enabled {
		return err
	}
	po := PartyOrder{ID: o.ID, BuyerID: o.BuyerID, SupplierID: o.SupplierID}
	orgs := []int{o.BuyerID, o.SupplierID}
	if o.FacilitatorID != nil {
		po.FacilitatorID = *o.FacilitatorID
		orgs = append(orgs, *o.FacilitatorID)
	}
	parties, err := loadParties(ctx, tx, orgs)
	if err != nil {
		return err
	}
	if f, linked := Linked(parties, po); linked {
		_, _, err = Raise(ctx, tx, f)
	}
	return err
}

// OrderRefunded raises the flags a refund shows at once (ROUND_TRIP): the
// order refunded after its credits' year closed, and the buyer–supplier
// pair's order/refund cycles reaching the limit. Call it in the refunding
// transaction, after the reversals, as the server.
func OrderRefunded(ctx context.Context, tx *ent.Client, o *ent.Order) error {
	st, err := settingsFor(ctx, tx, RoundTrip)
	if err != nil || !st[RoundTrip].Enabled || o.SettledAt == nil || o.RefundedAt == nil {
		return err
	}
	ro := RefundedOrder{ID: o.ID, BuyerID: o.BuyerID, SupplierID: o.SupplierID, SettledAt: *o.SettledAt, RefundedAt: *o.RefundedAt}
	if _, late := LateRefund(ro); late {
		if err := withCredits(ctx, tx, &ro); err != nil {
			return err
		}
		f, _ := LateRefund(ro)
		if _, _, err := Raise(ctx, tx, f); err != nil {
			return err
		}
	}
	cycles, err := refunded(ctx, tx, order.BuyerID(o.BuyerID), order.SupplierID(o.SupplierID))
	if err != nil {
		return err
	}
	for _, f := range RepeatedRefunds(cycles, st[RoundTrip]) {
		if _, _, err := Raise(ctx, tx, f); err != nil {
			return err
		}
	}
	return nil
}
