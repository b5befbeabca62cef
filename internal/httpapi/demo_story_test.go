package httpapi_test

import (
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/credittotal"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/orderline"
	"bangfu/ent/product"
	"bangfu/internal/apitest"
	"bangfu/internal/store/storetest"
)

// TestDemoTellsTheStory walks what a new user does first with --demo:
// the demo buyer buys a certified product of the demo supplier, helped by
// the demo facilitator; once settled, it counts toward an ACTIVE agreement
// and as HELP_SELL, and reaches households through approved links. The
// officials find work waiting, and most agreements already show progress.
func TestDemoTellsTheStory(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	sys := storetest.AsSystem()
	buyer, supplier := srv.SignIn("buyer@bangfu.example"), srv.SignIn("supplier@bangfu.example")
	srv.SignIn("manager@bangfu.example")

	supplierOrg := orgOf(t, db, "supplier@bangfu.example", membership.RoleSUPPLIER)
	facilitatorOrg := orgOf(t, db, "facilitator@bangfu.example", membership.RoleORG_MANAGER)
	orgOf(t, db, "manager@bangfu.example", membership.RoleORG_MANAGER)
	prod := db.Client.Product.Query().Where(product.SupplierID(supplierOrg), product.StatusEQ(product.StatusLISTED),
		product.CertificationStatusEQ(product.CertificationStatusCERTIFIED)).FirstX(sys)

	facilitator := apitest.GlobalID(t, "Organization", facilitatorOrg)
	auditor := srv.SignIn("auditor@bangfu.example")
	buy := func(key string) (apitest.Order, []*ent.LedgerEntry) {
		t.Helper()
		orders := buyer.PlaceOrder(apitest.Cart{Key: key, FacilitatedBy: &facilitator,
			Items: []apitest.Item{{ProductID: apitest.GlobalID(t, "Product", prod.ID), Quantity: 2}}}).Must(t)
		if len(orders) != 1 {
			t.Fatalf("placed %d orders", len(orders))
		}
		o := orders[0]
		for _, s := range []struct {
			by   *apitest.Client
			step apitest.Step
		}{{supplier, apitest.Confirm}, {supplier, apitest.Ship}, {supplier, apitest.Deliver}, {buyer, apitest.Accept}, {buyer, apitest.Settle}} {
			s.by.Step(o.ID, s.step).Must(t)
		}
		return o, db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
			ledgerentry.HasOrderLineWith(orderline.OrderID(apitest.RawID(t, o.ID)))).AllX(sys)
	}
	first, credits := buy("demo-story-1")
	credited := map[ledgerentry.Indicator]int{}
	year := 0
	for _, e := range credits {
		year = e.Year
		if e.Amount != first.TotalFen {
			t.Errorf("%s credit of %d fen for an order of %d", *e.Indicator, e.Amount, first.TotalFen)
		}
		if a := db.Client.Agreement.GetX(sys, *e.AgreementID); a.Status != agreement.StatusACTIVE {
			t.Errorf("%s credited to a %s agreement", *e.Indicator, a.Status)
		}
		credited[*e.Indicator] = *e.AgreementID
	}
	if credited[ledgerentry.IndicatorDIRECT_PURCHASE] == 0 || credited[ledgerentry.IndicatorHELP_SELL] == 0 {
		t.Fatalf("the demo purchase counted as %v", credited)
	}
	if got := supplier.Beneficiaries(first.ID).Must(t).Total(); got <= 0 {
		t.Errorf("the settled order reached no household (%d fen)", got)
	}

	// The same purchase again moves both figures by exactly its amount.
	progress := func() (direct, help int64) {
		direct = auditor.AgreementProgress(apitest.GlobalID(t, "Agreement", credited[ledgerentry.IndicatorDIRECT_PURCHASE]), year).Must(t).Target("DIRECT_PURCHASE").Actual
		help = auditor.AgreementProgress(apitest.GlobalID(t, "Agreement", credited[ledgerentry.IndicatorHELP_SELL]), year).Must(t).Target("HELP_SELL").Actual
		return direct, help
	}
	direct, help := progress()
	second, _ := buy("demo-story-2")
	if d, h := progress(); d-direct != second.TotalFen || h-help != second.TotalFen {
		t.Errorf("a purchase of %d fen moved DIRECT_PURCHASE by %d and HELP_SELL by %d", second.TotalFen, d-direct, h-help)
	}

	// Work waits for the officials.
	certifier := srv.SignIn("certifier@bangfu.example")
	var pending struct {
		Organizations  struct{ TotalCount int }
		BenefitLinks   struct{ TotalCount int }
		Certifications struct {
			Edges []struct{ Node struct{ NoticeEnd time.Time } }
		}
	}
	certifier.Must(`{ organizations(first: 10, where: {status: PENDING}) { totalCount }
		benefitLinks(first: 10, where: {status: PROPOSED}) { totalCount }
		certifications(first: 100, where: {status: PUBLIC_NOTICE}) { edges { node { noticeEnd } } } }`, nil, &pending)
	if pending.Organizations.TotalCount == 0 || pending.BenefitLinks.TotalCount == 0 {
		t.Errorf("nothing waits for the certifier: %+v", pending)
	}
	ended := 0
	for _, e := range pending.Certifications.Edges {
		if e.Node.NoticeEnd.Before(time.Now()) {
			ended++
		}
	}
	if ended == 0 {
		t.Errorf("no certification in the certifier's county has ended its notice: %+v", pending.Certifications)
	}

	// Most ACTIVE agreements show 2026 progress.
	active := db.Client.Agreement.Query().Where(agreement.StatusEQ(agreement.StatusACTIVE)).AllX(sys)
	moving := 0
	for _, a := range active {
		ids := []int{a.ID}
		if a.OriginalID != nil {
			ids = append(ids, *a.OriginalID)
		}
		n := db.Client.CreditTotal.Query().Where(credittotal.AgreementIDIn(ids...), credittotal.Year(2026), credittotal.AmountGT(0)).CountX(sys)
		if n > 0 {
			moving++
		}
	}
	if moving*2 <= len(active) {
		t.Errorf("%d of %d ACTIVE agreements show 2026 progress", moving, len(active))
	}
}
