package demo

import (
	"context"
	"fmt"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/certification"
	"bangfu/ent/membership"
	"bangfu/ent/order"
	"bangfu/ent/product"
	"bangfu/ent/productsales"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/auth"
	"bangfu/internal/market"
)

// certState is a product's certification history in the demo.
type certState int

const (
	certNone certState = iota
	certValid
	certExpired
	certNotice
	certRevoked
	certNoticeEnded // public notice over, waiting for the certifier
)

type demoProduct struct {
	*ent.Product
	cert certState
}

func (b *builder) loadProducts(ctx context.Context) error {
	var all []demoProduct
	for i, s := range b.suppliers {
		county := b.regionByID(s.RegionID)
		seeds := productsByProvince[county.Code[:2]]
		n := 2 + i%3
		if b.isStorySupplier(s) {
			n = 4
		}
		for j := 0; j < n && j < len(seeds); j++ {
			ps := seeds[(i+j)%len(seeds)]
			status := product.StatusLISTED
			if j == 0 && i%13 == 5 {
				status = product.StatusDELISTED
			} else if j == 1 && i%17 == 3 {
				status = product.StatusDRAFT
			}
			p, err := b.tx.Product.Create().
				SetSupplier(s).SetOriginCountyID(county.ID).
				SetName(shortName(county.Name) + ps.Name).
				SetDescription(fmt.Sprintf("%s出产的%s，由%s组织生产销售，带动当地建档立卡户增收。", county.Name, ps.Name, s.Name)).
				SetCategory(product.Category(ps.Category)).
				SetSpec(ps.Spec).SetUnit(ps.Unit).
				SetPriceFen(ps.PriceFen + int64(b.pick(10))*100).
				SetStock(50 + b.pick(500)).
				SetChannel([]product.Channel{product.ChannelONLINE, product.ChannelONLINE, product.ChannelCOUNTER, product.ChannelHALL, product.ChannelZONE}[b.pick(5)]).
				SetStatus(status).
				SetImageUrls([]string{fmt.Sprintf("https://img.bangfu.example/products/%d-%d.jpg", i, j)}).
				Save(ctx)
			if err != nil {
				return err
			}
			// Most products hold a valid certificate; some never applied,
			// some lapsed, one is in public notice, one was revoked.
			cert := certValid
			switch k := (i*7 + j) % 11; k {
			case 0, 1:
				cert = certNone
			case 2:
				cert = certExpired
			case 3:
				if j == 0 {
					cert = certNotice
				}
			case 4:
				if j == 1 {
					cert = certRevoked
				}
			}
			if b.isStorySupplier(s) {
				// supplier@ sells certified goods; one waits for certifier@.
				cert = certValid
				if j == 0 {
					cert = certNoticeEnded
				}
			}
			if err := b.certify(ctx, p, cert, len(all)); err != nil {
				return err
			}
			all = append(all, demoProduct{p, cert})
		}
	}
	b.demoProducts = all
	return nil
}

func (b *builder) regionByID(id int) *ent.Region {
	for _, r := range b.regions {
		if r.ID == id {
			return r
		}
	}
	panic(fmt.Sprintf("demo: region %d not loaded", id))
}

func (b *builder) certify(ctx context.Context, p *ent.Product, s certState, n int) error {
	c := b.tx.Certification.Create().SetProduct(p)
	number := fmt.Sprintf("FP%s%05d", "2025", n+1)
	switch s {
	case certNone:
		return nil
	case certValid:
		from := Reference.AddDate(-1, -b.pick(8), 0)
		c.SetStatus(certification.StatusCERTIFIED).SetCertificateNumber(number).
			SetNoticeStart(from.AddDate(0, 0, -12)).SetNoticeEnd(from.AddDate(0, 0, -5)).
			SetValidFrom(from).SetValidUntil(from.AddDate(2, 0, 0).Add(-time.Second))
	case certExpired:
		from := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
		c.SetStatus(certification.StatusEXPIRED).SetCertificateNumber(number).
			SetValidFrom(from).SetValidUntil(from.AddDate(2, 0, 0).Add(-time.Second))
	case certNotice:
		c.SetStatus(certification.StatusPUBLIC_NOTICE).
			SetNoticeStart(Reference.AddDate(0, 0, -3)).SetNoticeEnd(Reference.AddDate(0, 0, 4))
	case certNoticeEnded:
		c.SetStatus(certification.StatusPUBLIC_NOTICE).
			SetNoticeStart(Reference.AddDate(0, 0, -9)).SetNoticeEnd(Reference.AddDate(0, 0, -2))
	case certRevoked:
		from := Reference.AddDate(-1, 0, 0)
		c.SetStatus(certification.StatusREVOKED).SetCertificateNumber(number).
			SetValidFrom(from).SetValidUntil(from.AddDate(2, 0, 0).Add(-time.Second)).
			SetReason("产品产地与认定信息不符（示例）")
	}
	cert, err := c.Save(ctx)
	if err != nil {
		return err
	}
	upd := b.tx.Product.UpdateOne(p).SetCertificationStatus(product.CertificationStatus(cert.Status))
	if cert.Status == certification.StatusCERTIFIED {
		upd.SetCertifiedUntil(*cert.ValidUntil)
	}
	return upd.Exec(ctx)
}

// orderStatuses cycles through every lifecycle state.
var orderStatuses = []order.Status{
	order.StatusSETTLED, order.StatusSETTLED, order.StatusSETTLED, order.StatusACCEPTED,
	order.StatusDELIVERED, order.StatusSHIPPED, order.StatusCONFIRMED, order.StatusPLACED,
	order.StatusCANCELLED, order.StatusREFUNDED,
}

// loadOrders places orders from eastern buyers with approved suppliers,
// walking each to a lifecycle state with consistent timestamps and stock.
func (b *builder) loadOrders(ctx context.Context) error {
	approved := map[int]bool{}
	ids, err := b.tx.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		Select(supplierprofile.FieldOrganizationID).Ints(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		approved[id] = true
	}
	bySupplier := map[int][]demoProduct{}
	var sellers []int
	for _, p := range b.demoProducts {
		if p.Status != product.StatusLISTED || !approved[p.SupplierID] {
			continue
		}
		if len(bySupplier[p.SupplierID]) == 0 {
			sellers = append(sellers, p.SupplierID)
		}
		bySupplier[p.SupplierID] = append(bySupplier[p.SupplierID], p)
	}
	for i := 0; i < 160; i++ {
		supplierID := sellers[b.pick(len(sellers))]
		buyer := b.buyers[b.pick(len(b.buyers))]
		status := orderStatuses[i%len(orderStatuses)]
		placed := Reference.AddDate(0, -b.pick(10), -b.pick(28)).Add(time.Duration(8+b.pick(10)) * time.Hour)
		items := bySupplier[supplierID]
		nLines := 1 + b.pick(min(3, len(items)))
		var facilitator *ent.Organization
		if i%6 == 0 && len(b.helpers) > 0 {
			facilitator = b.helpers[b.pick(len(b.helpers))]
		}
		var lines []lineSpec
		for l := 0; l < nLines; l++ {
			lines = append(lines, lineSpec{items[(i+l)%len(items)], 1 + b.pick(20)})
		}
		if err := b.order(ctx, buyer, supplierID, facilitator, status, placed, lines); err != nil {
			return err
		}
	}
	return nil
}

// lineSpec is one product and quantity of a demo order.
type lineSpec struct {
	p   demoProduct
	qty int
}

// order writes one order walked to status, with its key claimed and, once
// settled or refunded, what settlement books. A facilitator gets a
// standing facilitation with the buyer, as placement requires.
func (b *builder) order(ctx context.Context, buyer *ent.Organization, supplierID int, facilitator *ent.Organization,
	status order.Status, placed time.Time, specs []lineSpec) error {
	b.orders++
	n := b.orders
	var total int64
	var lines []*ent.OrderLineCreate
	for _, l := range specs {
		amount := int64(l.qty) * l.p.PriceFen
		total += amount
		lines = append(lines, b.tx.OrderLine.Create().
			SetProductID(l.p.ID).SetQuantity(l.qty).SetUnitPriceFen(l.p.PriceFen).SetAmountFen(amount).
			SetCertifiedAtOrder(l.p.cert == certValid || l.p.cert == certRevoked).
			SetOriginCountyID(l.p.OriginCountyID))
		if status != order.StatusCANCELLED {
			b.sold[l.p.ID] += l.qty
		}
	}
	oc := b.tx.Order.Create().
		SetBuyer(buyer).SetSupplierID(supplierID).
		SetIdempotencyKey(fmt.Sprintf("demo-%04d", n)).
		SetStatus(status).SetTotalFen(total).SetPlacedAt(placed)
	if facilitator != nil {
		if err := b.facilitate(ctx, facilitator, buyer, facilitator); err != nil {
			return err
		}
		oc.SetFacilitator(facilitator)
	}
	stamp(oc, status, placed, n-1)
	o, err := oc.Save(ctx)
	if err != nil {
		return err
	}
	// Its key is claimed, as placement claims it.
	if err := b.tx.OrderRequest.Create().SetBuyerID(o.BuyerID).SetIdempotencyKey(o.IdempotencyKey).
		SetRequestHash(o.RequestHash).Exec(ctx); err != nil {
		return err
	}
	for _, l := range lines {
		l.SetOrder(o)
	}
	if err := b.tx.OrderLine.CreateBulk(lines...).Exec(ctx); err != nil {
		return err
	}
	// Settled and refunded orders carry what settlement books, as if
	// they had gone through the marketplace.
	if o.SettledAt != nil {
		if err := market.Book(ctx, b.tx.Client(), o); err != nil {
			return err
		}
	}
	if o.RefundedAt != nil {
		return market.Unbook(ctx, b.tx.Client(), o)
	}
	return nil
}

// sellStock takes what the demo orders sold off the products' stock.
func (b *builder) sellStock(ctx context.Context) error {
	sold := b.sold
	for id, qty := range sold {
		if err := b.tx.Product.UpdateOneID(id).AddStock(-qty).Exec(ctx); err != nil {
			// Stock is generated generously; running out means a bug here.
			return fmt.Errorf("product %d: %w", id, err)
		}
		if err := b.tx.ProductSales.Update().Where(productsales.ProductID(id)).AddUnitsSold(qty).Exec(ctx); err != nil {
			// Stock is generated generously; running out means a bug here.
			return fmt.Errorf("product %d: %w", id, err)
		}
	}
	return nil
}

// stamp fills the lifecycle timestamps an order in status must have.
func stamp(oc *ent.OrderCreate, status order.Status, placed time.Time, i int) {
	day := func(n int) time.Time { return placed.AddDate(0, 0, n) }
	reached := func(s order.Status) bool {
		rank := map[order.Status]int{
			order.StatusPLACED: 0, order.StatusCONFIRMED: 1, order.StatusSHIPPED: 2, order.StatusDELIVERED: 3,
			order.StatusACCEPTED: 4, order.StatusSETTLED: 5, order.StatusREFUNDED: 6,
		}
		r, ok := rank[status]
		return ok && r >= rank[s]
	}
	if status == order.StatusCANCELLED {
		oc.SetCancelledAt(day(1))
		return
	}
	if reached(order.StatusCONFIRMED) {
		oc.SetConfirmedAt(day(1))
	}
	if reached(order.StatusSHIPPED) {
		oc.SetShippedAt(day(2)).SetCarrier("示例物流").SetTrackingNumber(fmt.Sprintf("SF%010d", 1000000+i))
	}
	if reached(order.StatusDELIVERED) {
		oc.SetDeliveredAt(day(5))
	}
	if reached(order.StatusACCEPTED) {
		oc.SetAcceptedAt(day(6)).SetInspectionRef(fmt.Sprintf("YS-%05d", i)).SetInvoiceRef(fmt.Sprintf("FP-%08d", 20260000+i)).
			SetRating(3 + i%3)
	}
	if reached(order.StatusSETTLED) {
		oc.SetSettledAt(day(20))
	}
	if status == order.StatusREFUNDED {
		oc.SetRefundedAt(day(30))
	}
}

// Password is the password of every demo account (development data only).
const Password = "bangfu-demo-2026"

// loadUsers creates one demo account per role, all with Password.
func (b *builder) loadUsers(ctx context.Context) error {
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	type acct struct {
		email, name string
		role        membership.Role
		org         *ent.Organization
	}
	accts := []acct{
		{"admin@bangfu.example", "演示管理员", membership.RoleADMIN, nil},
		{"coordinator@bangfu.example", "演示协作专员", membership.RoleCOORDINATOR, nil},
		{"certifier@bangfu.example", "演示认定专员", membership.RoleCERTIFIER, nil},
		{"auditor@bangfu.example", "演示审计员", membership.RoleAUDITOR, nil},
		{"buyer@bangfu.example", "演示采购员", membership.RoleBUYER, b.buyers[0]},
		{"manager@bangfu.example", "演示单位管理员", membership.RoleORG_MANAGER, b.buyers[0]},
		{"supplier@bangfu.example", "演示合作社管理员", membership.RoleSUPPLIER, b.storySupplier},
		{"facilitator@bangfu.example", "演示社会组织管理员", membership.RoleORG_MANAGER, b.storyFacilitator()},
		{"applicant@bangfu.example", "演示合作社申请人", membership.RoleORG_MANAGER, b.pendingOrg},
		// Its county scope is set with the demo's sample (loadEvaluation).
		{"evaluator@bangfu.example", "演示第三方评估员", membership.RoleEVALUATOR, nil},
	}
	for _, a := range accts {
		u, err := b.tx.User.Create().SetEmail(a.email).SetDisplayName(a.name).SetPasswordHash(hash).Save(ctx)
		if err != nil {
			return err
		}
		m := b.tx.Membership.Create().SetUser(u).SetRole(a.role)
		if a.org != nil {
			m.SetOrganization(a.org)
		}
		switch a.role {
		case membership.RoleCOORDINATOR:
			// Yunnan: the province and the 2026 agreements helping it.
			m.AddScopeRegions(b.regions["530000"])
			ids, err := b.tx.Agreement.Query().Where(agreement.HasHelpedRegionsWith(region.Code("530000")), agreement.StatusEQ(agreement.StatusACTIVE)).IDs(ctx)
			if err != nil {
				return err
			}
			m.AddScopeAgreementIDs(ids...)
		case membership.RoleCERTIFIER:
			m.AddScopeRegions(b.storyCounty())
		}
		if err := m.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
