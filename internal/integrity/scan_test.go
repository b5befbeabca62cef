package integrity_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/benefitlink"
	"bangfu/ent/flag"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/region"
	"bangfu/internal/clock"
	"bangfu/internal/integrity"
	"bangfu/internal/store/storetest"
)

// TestMain drops the package's template databases after its tests.
func TestMain(m *testing.M) { storetest.Main(m) }

// TestScan builds one case of every indicator beside the demo data, on
// the test database (SQLite, or PostgreSQL with BANGFU_TEST_DATABASE_URL),
// and checks the flags the scan raises, with the fences it computed; a
// second scan raises nothing.
func TestScan(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	c := db.Client
	sys := storetest.AsSystem()
	now := time.Date(2031, 12, 31, 4, 0, 0, 0, time.UTC)
	svc := integrity.New(c, clock.At(now))
	county := c.Region.Query().Where(region.LevelEQ(region.LevelCOUNTY)).FirstX(sys)
	village := c.Region.Query().Where(region.LevelEQ(region.LevelVILLAGE)).FirstX(sys)
	n := 0
	org := func(kind organization.Kind) *ent.Organization {
		n++
		return c.Organization.Create().SetName(fmt.Sprintf("扫描测试 %d", n)).SetKind(kind).SetRegionID(county.ID).SaveX(sys)
	}
	supplier, buyer := org(organization.KindCOOPERATIVE), org(organization.KindSOE)
	settledOrder := func(b, s *ent.Organization, total int64, settled time.Time) *ent.Order {
		n++
		return c.Order.Create().SetBuyer(b).SetSupplier(s).SetStatus(order.StatusSETTLED).SetIdempotencyKey(fmt.Sprintf("scan-%d", n)).
			SetTotalFen(total).SetSettledAt(settled).SaveX(sys)
	}

	// PRICE_OUTLIER: five listed products of one category and unit at
	// 100…500 fen, a sixth at 5,000: Q1 225, Q3 475, IQR 250, fence 850.
	var prods []*ent.Product
	for _, price := range []int64{100, 200, 300, 400, 500, 5000} {
		prods = append(prods, c.Product.Create().SetSupplier(supplier).SetName(fmt.Sprintf("扫描样品 %d", price)).
			SetCategory(product.CategoryHANDICRAFT).SetSpec("1件").SetUnit("扫描件").SetPriceFen(price).
			SetOriginCountyID(county.ID).SetStatus(product.StatusLISTED).SaveX(sys))
	}
	pricey := settledOrder(buyer, supplier, 5000, now.AddDate(0, -1, 0))
	c.OrderLine.Create().SetOrder(pricey).SetProduct(prods[5]).SetQuantity(1).SetUnitPriceFen(5000).SetAmountFen(5000).
		SetOriginCountyID(county.ID).ExecX(sys)

	// ROUND_TRIP: three order/refund cycles between one pair, the first
	// settled in December 2030 and refunded in January 2031.
	rtBuyer := org(organization.KindSOE)
	var refunds []*ent.Order
	for i, settled := range []time.Time{
		time.Date(2030, 12, 20, 4, 0, 0, 0, time.UTC), time.Date(2031, 3, 1, 4, 0, 0, 0, time.UTC), time.Date(2031, 5, 1, 4, 0, 0, 0, time.UTC),
	} {
		o := settledOrder(rtBuyer, supplier, 100, settled)
		refunds = append(refunds, c.Order.UpdateOne(o).SetStatus(order.StatusREFUNDED).SetRefundedAt(settled.AddDate(0, 0, 16+i)).SaveX(sys))
	}

	// LINKED_PARTIES: buyer and supplier are subsidiaries of one group.
	group := org(organization.KindENTERPRISE)
	linkedBuyer := c.Organization.Create().SetName("扫描测试 集团采购").SetKind(organization.KindSOE).SetRegionID(county.ID).SetParent(group).SaveX(sys)
	linkedSupplier := c.Organization.Create().SetName("扫描测试 集团合作社").SetKind(organization.KindCOOPERATIVE).SetRegionID(county.ID).SetParent(group).SaveX(sys)
	linkedOrder := settledOrder(linkedBuyer, linkedSupplier, 100, now.AddDate(0, -2, 0))

	// YEAR_END_SURGE: January–November 100…1,100 fen (Q1 350, Q3 850, IQR
	// 500, fence 1,600), December 5,000.
	surger := org(organization.KindBUDGET_UNIT)
	for m := 1; m <= 12; m++ {
		amount := int64(m * 100)
		if m == 12 {
			amount = 5000
		}
		c.PurchaseTotal.Create().SetOrganizationID(surger.ID).SetYear(2031).SetMonth(m).SetSettledFen(amount).SetCountedFen(amount).ExecX(sys)
	}

	// YEAR_END_SURGE, canteen: a quota of 10,000 fen (budget 100,000 ×
	// 10%) met by 12,000 fen counted, 9,000 of them settled on 25 December.
	canteen := org(organization.KindBUDGET_UNIT)
	c.BuyerProfile.Create().SetOrganizationID(canteen.ID).SetYear(2031).SetHasCanteen(true).
		SetCanteenFoodBudgetFen(100_000).SetReservedShareBp(1000).ExecX(sys)
	c.PurchaseTotal.Create().SetOrganizationID(canteen.ID).SetYear(2031).SetMonth(12).SetSettledFen(12_000).SetCountedFen(12_000).ExecX(sys)
	rush := settledOrder(canteen, supplier, 9000, time.Date(2031, 12, 25, 2, 0, 0, 0, time.UTC))
	c.OrderLine.Create().SetOrder(rush).SetProduct(prods[0]).SetQuantity(90).SetUnitPriceFen(100).SetAmountFen(9000).
		SetCertifiedAtOrder(true).SetOriginCountyID(county.ID).ExecX(sys)

	// CONCENTRATION: in 2031 one pair holds 80% of an agreement's credits.
	a := c.Agreement.Query().Where(agreement.KindEQ(agreement.KindEAST_WEST)).FirstX(sys)
	concBuyers := []*ent.Organization{org(organization.KindSOE), org(organization.KindSOE), org(organization.KindSOE)}
	for i, amount := range []int64{8000, 1000, 1000} {
		o := settledOrder(concBuyers[i], supplier, amount, time.Date(2031, 6, 1, 4, 0, 0, 0, time.UTC))
		l := c.OrderLine.Create().SetOrder(o).SetProduct(prods[0]).SetQuantity(1).SetUnitPriceFen(100).SetAmountFen(amount).
			SetOriginCountyID(county.ID).SaveX(sys)
		c.LedgerEntry.Create().SetKind(ledgerentry.KindATTRIBUTION_CREDIT).SetIndicator(ledgerentry.IndicatorDIRECT_PURCHASE).
			SetAmount(amount).SetYear(2031).SetMonth(6).SetOrderLine(l).SetAgreementID(a.ID).SetOrganizationID(concBuyers[i].ID).
			SetOriginCountyID(county.ID).ExecX(sys)
	}

	// PAPER_BENEFIT_LINKS: a household linked to four suppliers; a link
	// approved ten days before a ¥60,000 settlement; income booked after
	// every member of a household was removed.
	household := func() *ent.Household {
		n++
		return c.Household.Create().SetNumber(fmt.Sprintf("SCAN%08d", n)).SetVillageID(village.ID).
			SetMainCause(household.MainCauseILLNESS).SaveX(sys)
	}
	crowded := household()
	link := func(s *ent.Organization, h *ent.Household, decided time.Time) *ent.BenefitLink {
		return c.BenefitLink.Create().SetSupplier(s).SetHousehold(h).SetMechanism(benefitlink.MechanismWAGE).SetShareBp(100).
			SetValidFrom(decided).SetDecidedAt(decided).SetStatus(benefitlink.StatusAPPROVED).SaveX(sys)
	}
	for range 4 {
		link(org(organization.KindCOOPERATIVE), crowded, now.AddDate(-1, 0, 0))
	}
	bigSupplier := org(organization.KindCOOPERATIVE)
	paper := link(bigSupplier, household(), now.AddDate(0, -3, 0))
	big := settledOrder(buyer, bigSupplier, 6_000_000, now.AddDate(0, -3, 10))
	ghost := household()
	removed := now.AddDate(0, -6, 0)
	c.HouseholdMember.Create().SetHousehold(ghost).SetName("测试户主").SetRelation(householdmember.RelationHEAD).
		SetAgeBand(householdmember.AgeBandAGE_36_59).SetRemovedAt(removed).SetRemovedReason("deceased").ExecX(sys)
	income := c.LedgerEntry.Create().SetKind(ledgerentry.KindHOUSEHOLD_INCOME).SetAmount(300).SetYear(2031).
		SetHousehold(ghost).SetOccurredAt(removed.AddDate(0, 1, 0)).SaveX(sys)

	rep, err := svc.Scan(sys)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Raised == 0 {
		t.Fatal("the scan raised nothing")
	}
	get := func(code string, subjectKey string) *ent.Flag {
		t.Helper()
		f, err := c.Flag.Query().Where(flag.Code(code), flag.SubjectKey(subjectKey)).Only(sys)
		if err != nil {
			t.Fatalf("%s on %s: %v", code, subjectKey, err)
		}
		if f.Status != flag.StatusOPEN || len(f.Subjects) == 0 || f.Summary == "" {
			t.Errorf("%s on %s: %+v", code, subjectKey, f)
		}
		return f
	}
	num := func(v any) float64 {
		switch x := v.(type) {
		case float64:
			return x
		case int:
			return float64(x)
		case int64:
			return float64(x)
		}
		t.Fatalf("not a number: %T %v", v, v)
		return 0
	}
	for _, c := range []struct {
		code, key string
		want      map[string]float64
	}{
		{integrity.PriceOutlier, fmt.Sprintf("PRODUCT:%d", prods[5].ID), map[string]float64{"n": 6, "q1": 225, "q3": 475, "iqr": 250, "k": 1.5, "upperFence": 850}},
		{integrity.PriceOutlier, fmt.Sprintf("ORDER:%d", pricey.ID), map[string]float64{"upperFence": 850}},
		{integrity.RoundTrip, fmt.Sprintf("ORDER:%d", refunds[0].ID), nil},
		{integrity.RoundTrip, fmt.Sprintf("ORGANIZATION_PAIR:%d,%d", rtBuyer.ID, supplier.ID), map[string]float64{"cycles": 3, "limit": 3}},
		{integrity.LinkedParties, fmt.Sprintf("ORDER:%d", linkedOrder.ID), nil},
		{integrity.YearEndSurge, fmt.Sprintf("ORGANIZATION:%d@2031", surger.ID), map[string]float64{"n": 11, "q1": 350, "q3": 850, "iqr": 500, "upperFence": 1600, "december": 5000}},
		{integrity.YearEndSurge, fmt.Sprintf("ORGANIZATION:%d@2031 canteen", canteen.ID), map[string]float64{"quotaFen": 10_000, "countedBeforeFen": 3000, "countedYearFen": 12_000, "lastDays": 14}},
		{integrity.Concentration, fmt.Sprintf("ORGANIZATION_PAIR:%d,%d@agreement %d 2031", concBuyers[0].ID, supplier.ID, a.ID), map[string]float64{"share": 0.8, "maxShare": 0.5, "pairs": 3}},
		{integrity.PaperBenefitLinks, fmt.Sprintf("HOUSEHOLD:%d@suppliers", crowded.ID), map[string]float64{"suppliers": 4, "maxSuppliers": 3}},
		{integrity.PaperBenefitLinks, fmt.Sprintf("BENEFIT_LINK:%d", paper.ID), map[string]float64{"largestFen": 6_000_000}},
		{integrity.PaperBenefitLinks, fmt.Sprintf("HOUSEHOLD:%d@removed members", ghost.ID), map[string]float64{"incomeFen": 300}},
	} {
		t.Run(c.code+" "+c.key, func(t *testing.T) {
			f := get(c.code, c.key)
			for k, v := range c.want {
				if got := num(f.Thresholds[k]); got != v {
					t.Errorf("%s = %v, want %v (thresholds %v)", k, got, v, f.Thresholds)
				}
			}
		})
	}
	// The evidence names what is behind a flag.
	if f := get(integrity.PaperBenefitLinks, fmt.Sprintf("BENEFIT_LINK:%d", paper.ID)); len(f.Evidence) != 2 {
		t.Errorf("paper link evidence %v, want the link and order %d", f.Evidence, big.ID)
	}
	if f := get(integrity.PaperBenefitLinks, fmt.Sprintf("HOUSEHOLD:%d@removed members", ghost.ID)); len(f.Evidence) != 1 {
		t.Errorf("ghost income evidence %v, want entry %d", f.Evidence, income.ID)
	}
	// The other two refunds of the pair were in the same year: not late.
	for _, o := range refunds[1:] {
		if c.Flag.Query().Where(flag.Code(integrity.RoundTrip), flag.OrderID(o.ID)).ExistX(sys) {
			t.Errorf("order %d refunded within its year was flagged", o.ID)
		}
	}

	again, err := svc.Scan(sys)
	if err != nil {
		t.Fatal(err)
	}
	if again.Raised != 0 {
		t.Errorf("a second scan raised %d flags: %+v", again.Raised, again.ByIndicator)
	}

	// Disabled, an indicator finds nothing; a lower limit finds more.
	off := false
	if _, err := svc.SetSetting(sys, integrity.SettingInput{Code: integrity.Concentration, Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSetting(sys, integrity.SettingInput{Code: integrity.PaperBenefitLinks, Params: map[string]float64{"maxSuppliers": 100}}); err != nil {
		t.Fatal(err)
	}
	third, err := svc.Scan(sys)
	if err != nil {
		t.Fatal(err)
	}
	for _, ic := range third.ByIndicator {
		if ic.Code == integrity.Concentration && (ic.Enabled || ic.Findings != 0) {
			t.Errorf("disabled concentration still found %d", ic.Findings)
		}
	}
	if _, err := svc.SetSetting(sys, integrity.SettingInput{Code: integrity.PaperBenefitLinks, Params: map[string]float64{"nope": 1}}); err == nil {
		t.Error("an unknown limit was accepted")
	}
}

// TestDemoFlags: the demo comes with open flags of several kinds, and a
// scan over it raises nothing new.
func TestDemoFlags(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	var counts []struct {
		Code        string `json:"code"`
		SubjectType string `json:"subject_type"`
		Count       int    `json:"count"`
	}
	db.Client.Flag.Query().Where(flag.StatusEQ(flag.StatusOPEN)).GroupBy(flag.FieldCode, flag.FieldSubjectType).
		Aggregate(ent.Count()).ScanX(sys, &counts)
	got := map[string]int{}
	for _, c := range counts {
		got[c.Code+" "+c.SubjectType] = c.Count
	}
	for _, want := range []string{"PRICE_OUTLIER PRODUCT", "ROUND_TRIP ORDER", "ROUND_TRIP ORGANIZATION_PAIR", "LINKED_PARTIES ORDER"} {
		if got[want] == 0 {
			t.Errorf("the demo has no open %s flag: %v", want, got)
		}
	}
	rep, err := integrity.New(db.Client, clock.At(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))).Scan(sys)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Raised != 0 {
		t.Errorf("a scan over the demo raised %d more", rep.Raised)
	}
}

// TestReviewRace: auditors confirming one flag at once have exactly one
// winner, and the order's credits are reversed once.
func TestReviewRace(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	c := db.Client
	sys := storetest.AsSystem()
	credit := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT), ledgerentry.ReversesIDIsNil(),
		ledgerentry.Not(ledgerentry.HasReversedBy()), ledgerentry.HasOrderLineWith(orderline.HasOrderWith(order.StatusEQ(order.StatusSETTLED)))).
		WithOrderLine().FirstX(sys)
	orderID := credit.Edges.OrderLine.OrderID
	f, raised, err := integrity.Raise(sys, c, integrity.Finding{Code: integrity.LinkedParties, SubjectType: integrity.SubjectOrder,
		Subjects: []int{orderID}, OrderID: orderID, Summary: "race"})
	if err != nil || !raised {
		t.Fatalf("raise: %v %v", raised, err)
	}
	svc := integrity.New(c, clock.Real)
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := svc.Review(sys, f.ID, integrity.Confirm, "confirmed in a race")
			errs <- err
		}()
	}
	won := 0
	for range n {
		err := <-errs
		var coded interface{ ErrorCode() string }
		switch {
		case err == nil:
			won++
		case errors.As(err, &coded) && coded.ErrorCode() == "CONFLICT":
		default:
			t.Errorf("a losing review: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d reviews won, want 1", won)
	}
	reversals := c.LedgerEntry.Query().Where(ledgerentry.FlagID(f.ID), ledgerentry.ReversesIDNotNil()).CountX(sys)
	credits := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT), ledgerentry.ReversesIDIsNil(),
		ledgerentry.HasOrderLineWith(orderline.OrderID(orderID))).CountX(sys)
	if reversals != credits || reversals == 0 {
		t.Errorf("%d reversals naming the flag for %d credits", reversals, credits)
	}
	// Raising it again raises nothing.
	if _, again, err := integrity.Raise(sys, c, integrity.Finding{Code: integrity.LinkedParties, SubjectType: integrity.SubjectOrder,
		Subjects: []int{orderID}, OrderID: orderID, Summary: "race"}); err != nil || again {
		t.Errorf("raised twice: %v %v", again, err)
	}
}
