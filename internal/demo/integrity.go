package demo

import (
	"context"
	"fmt"
	"time"

	"bangfu/ent"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/internal/clock"
	"bangfu/internal/integrity"
)

// loadIntegrityCases writes the patterns the integrity indicators look for
// (DOMAIN rule 9), between organizations of their own so that the rest of
// the demo stays as it is: three order/refund cycles between one buyer and
// one supplier, the first bought in December 2025 and refunded in January
// 2026 (ROUND_TRIP), and a sale to a buyer that shares the supplier's
// contact phone (LINKED_PARTIES).
func (b *builder) loadIntegrityCases(ctx context.Context) error {
	var items []demoProduct
	for _, p := range b.demoProducts {
		if p.Status == product.StatusLISTED && p.cert == certValid && (b.storySupplier == nil || p.SupplierID != b.storySupplier.ID) {
			items = append(items, p)
		}
	}
	if len(items) == 0 || len(b.buyers) == 0 {
		return nil
	}
	p := items[0]
	eastern := b.buyers[0].RegionID
	buyer := func(name, phone string) (*ent.Organization, error) {
		c := b.tx.Organization.Create().SetName(name).SetKind(organization.KindSOE).SetRegionID(eastern).
			SetCreditCode(b.creditCode("91", b.regionByID(eastern).Code))
		if phone != "" {
			c.SetContactPhone(phone)
		}
		return c.Save(ctx)
	}
	tripper, err := buyer("示例往返贸易有限公司", "")
	if err != nil {
		return err
	}
	// Placed 5 December 2025: settled 20 days later, refunded 30 days later
	// (in January); the two later cycles fall within 2026.
	for _, placed := range []time.Time{
		time.Date(2025, 12, 5, 2, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC),
	} {
		if err := b.order(ctx, tripper, p.SupplierID, nil, order.StatusREFUNDED, placed, []lineSpec{{p, 20}}); err != nil {
			return err
		}
	}
	supplier, err := b.tx.Organization.Get(ctx, p.SupplierID)
	if err != nil {
		return err
	}
	phone := supplier.ContactPhone
	if phone == "" {
		phone = "13900000001"
		if err := b.tx.Organization.UpdateOne(supplier).SetContactPhone(phone).Exec(ctx); err != nil {
			return err
		}
	}
	linked, err := buyer("示例关联采购有限公司", phone)
	if err != nil {
		return err
	}
	return b.order(ctx, linked, p.SupplierID, nil, order.StatusSETTLED, time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC), []lineSpec{{p, 10}})
}

// loadIntegrity runs the integrity scan over the finished demo, as the
// nightly job would have on the reference date, so auditors find open
// flags of several kinds.
func (b *builder) loadIntegrity(ctx context.Context) error {
	rep, err := integrity.New(b.tx.Client(), clock.At(Reference)).Scan(ctx)
	if err != nil {
		return err
	}
	if rep.Raised == 0 {
		return fmt.Errorf("the integrity scan raised no flag")
	}
	return nil
}
