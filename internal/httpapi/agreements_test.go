package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/target"
	"bangfu/internal/apitest"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
	"bangfu/internal/validate"
	"bangfu/internal/xlsx"
)

// TestAgreementProgressEndToEnd follows an agreement through a year:
// progress agrees with the ledger, a settlement moves it by exactly the
// line, a refund takes it back, only approved reports count, an amendment
// keeps the year's progress, and the exports show the GraphQL figures.
func TestAgreementProgressEndToEnd(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	sys := storetest.AsSystem()
	tokens := tokensByRole(t, srv)
	coordinator := tokens["COORDINATOR"]

	// The coordinator's east–west agreement, and what the ledger holds for it.
	a := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleCOORDINATOR)).QueryScopeAgreements().
		Where(agreement.KindEQ(agreement.KindEAST_WEST)).WithHelpingRegion().WithHelpedRegions().FirstX(sys)
	aID := apitest.GlobalID(t, "Agreement", a.ID)
	progress := func(token, id string) apitest.Progress {
		t.Helper()
		return srv.As(token).AgreementProgress(id, 2026).Must(t)
	}
	ledgerSum := func() int64 {
		var sum int64
		for _, e := range db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
			ledgerentry.IndicatorEQ(ledgerentry.IndicatorDIRECT_PURCHASE), ledgerentry.Year(2026),
			ledgerentry.HasAgreementWith(agreement.Or(agreement.ID(a.ID), agreement.OriginalID(a.ID), agreement.ID(deref(a.OriginalID))))).AllX(sys) {
			sum += e.Amount
		}
		return sum
	}
	before := progress(coordinator, aID)
	direct := before.Target("DIRECT_PURCHASE")
	goal, actual := direct.TargetValue, direct.Actual
	if actual != ledgerSum() {
		t.Fatalf("progress says %d, the ledger sums to %d", actual, ledgerSum())
	}
	if goal == 0 {
		t.Fatal("the demo agreement has no DIRECT_PURCHASE target")
	}
	for _, r := range before.Targets {
		want := r.TargetValue * int64(before.DaysElapsed) / int64(before.DaysInYear)
		if r.TargetValue > 0 && (r.ExpectedToDate != want || r.BehindSchedule != (r.Actual < want)) {
			t.Errorf("%s: expected %d behind %v, want %d", r.Indicator, r.ExpectedToDate, r.BehindSchedule, want)
		}
		if len(r.Monthly) != 12 || r.Monthly[11].Cumulative != r.Actual {
			t.Errorf("%s: monthly series does not add up to %d", r.Indicator, r.Actual)
		}
	}
	srv.Anonymous().AgreementProgress(aID, 2026).WantCode(t, "UNAUTHENTICATED")

	// A certified line from a helped county, bought by an organization in
	// the helping region and settled now, adds exactly its amount.
	o, line, p := creditableOrder(t, db, a, "progress-e2e-1")
	admin := tokens["ADMIN"]
	srv.As(admin).Do(`mutation($id: ID!) { settleOrder(id: $id) { status } }`, map[string]any{"id": apitest.GlobalID(t, "Order", o.ID)}).Must(t, &struct{}{})
	afterSettle := progress(coordinator, aID).Target("DIRECT_PURCHASE").Actual
	if afterSettle != actual+3*p.PriceFen {
		t.Fatalf("after settling %d fen: %d → %d", 3*p.PriceFen, actual, afterSettle)
	}
	var explained struct {
		Node struct {
			Attributions []struct {
				Amount    int64
				Indicator string
				Note      string
				Agreement struct{ ID string }
			}
			AttributionExplanation []string
		}
	}
	srv.As(admin).Do(`query($id: ID!) { node(id: $id) { ... on OrderLine {
		attributions { amount indicator note agreement { id } } attributionExplanation } } }`, map[string]any{"id": apitest.GlobalID(t, "OrderLine", line.ID)}).Must(t, &explained)
	found := false
	for _, at := range explained.Node.Attributions {
		if at.Indicator == "DIRECT_PURCHASE" && at.Amount == 3*p.PriceFen && at.Note != "" {
			found = found || at.Agreement.ID != ""
		}
	}
	if !found || len(explained.Node.AttributionExplanation) == 0 {
		t.Errorf("the line does not explain its credit: %+v", explained.Node)
	}

	// The target lists the credits behind its figure.
	tg := db.Client.Target.Query().Where(target.AgreementID(a.ID), target.IndicatorEQ(target.IndicatorDIRECT_PURCHASE), target.Year(2026)).OnlyX(sys)
	var credits struct {
		Node struct{ Credits struct{ TotalCount int } }
	}
	srv.As(admin).Do(`query($id: ID!) { node(id: $id) { ... on Target { credits(first: 5) { totalCount } } } }`, map[string]any{"id": apitest.GlobalID(t, "Target", tg.ID)}).Must(t, &credits)
	wantCredits := db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.IndicatorEQ(ledgerentry.IndicatorDIRECT_PURCHASE), ledgerentry.Year(2026),
		ledgerentry.HasAgreementWith(agreement.Or(agreement.ID(a.ID), agreement.OriginalID(a.ID), agreement.ID(deref(a.OriginalID))))).CountX(sys)
	if credits.Node.Credits.TotalCount != wantCredits || wantCredits == 0 {
		t.Errorf("target credits: %d, the ledger holds %d", credits.Node.Credits.TotalCount, wantCredits)
	}

	// The refund takes it back.
	srv.As(admin).Do(`mutation($id: ID!) { refundOrder(id: $id) { status } }`, map[string]any{"id": apitest.GlobalID(t, "Order", o.ID)}).Must(t, &struct{}{})
	if afterRefund := progress(coordinator, aID).Target("DIRECT_PURCHASE").Actual; afterRefund != actual {
		t.Fatalf("after the refund: %d, want %d", afterRefund, actual)
	}

	// A report counts once a second coordinator approves it.
	second := coordinatorLike(t, srv, db, "coordinator2@bangfu.example")
	var filed struct{ SubmitProgressReport struct{ ID, Status string } }
	srv.As(coordinator).Do(`mutation($in: SubmitProgressReportInput!) { submitProgressReport(input: $in) { id status } }`, map[string]any{"in": map[string]any{"agreementId": aID, "indicator": "CADRES_TRAINED", "year": 2026, "value": 37, "evidenceRefs": []string{"培训通知", "签到表"}}}).Must(t, &filed)
	cadres := progress(coordinator, aID).Target("CADRES_TRAINED").Actual
	if r := srv.As(coordinator).Do(`mutation($id: ID!) { reviewProgressReport(id: $id, approve: true) { status } }`, map[string]any{"id": filed.SubmitProgressReport.ID}); r.Code() != "FORBIDDEN" {
		t.Errorf("the submitter approved its own report: %s", r.Code())
	}
	srv.As(second).Do(`mutation($id: ID!) { reviewProgressReport(id: $id, approve: true) { status } }`, map[string]any{"id": filed.SubmitProgressReport.ID}).Must(t, &struct{}{})
	if after := progress(coordinator, aID).Target("CADRES_TRAINED").Actual; after != cadres+37 {
		t.Errorf("approved report: %d → %d, want +37", cadres, after)
	}
	if r := srv.As(coordinator).Do(`mutation($in: SubmitProgressReportInput!) { submitProgressReport(input: $in) { id } }`, map[string]any{"in": map[string]any{"agreementId": aID, "indicator": "DIRECT_PURCHASE", "year": 2026, "value": 1, "evidenceRefs": []string{"x"}}}); r.Code() != "BAD_USER_INPUT" {
		t.Errorf("reporting a computed indicator: %s", r.Code())
	}

	// An amendment raises the target; once active, the new version shows
	// the year's progress so far against the new target.
	var amended struct{ AmendAgreement struct{ ID string } }
	srv.As(coordinator).Do(`mutation($id: ID!) { amendAgreement(id: $id, input: {targets: [{indicator: DIRECT_PURCHASE, year: 2026, targetValue: 999900}]}) { id } }`, map[string]any{"id": aID}).Must(t, &amended)
	for _, step := range []string{"signAgreement", "activateAgreement"} {
		srv.As(coordinator).Do(fmt.Sprintf(`mutation($id: ID!) { %s(id: $id) { status } }`, step), map[string]any{"id": amended.AmendAgreement.ID}).Must(t, &struct{}{})
	}
	amendedDirect := progress(coordinator, amended.AmendAgreement.ID).Target("DIRECT_PURCHASE")
	newGoal, carried := amendedDirect.TargetValue, amendedDirect.Actual
	if newGoal != 999900 || carried != actual {
		t.Errorf("amended version: target %d actual %d, want 999900 and %d", newGoal, carried, actual)
	}
	old := db.Client.Agreement.GetX(sys, a.ID)
	if old.Status != agreement.StatusCLOSED || old.ClosedAt == nil {
		t.Errorf("the amended version is %s, want CLOSED", old.Status)
	}

	// The export shows the GraphQL figures.
	now := progress(coordinator, amended.AmendAgreement.ID)
	body := download(t, srv, coordinator, "/exports/agreement-progress.xlsx?agreementId="+amended.AmendAgreement.ID+"&year=2026", http.StatusOK)
	sheets, err := xlsx.Read(strings.NewReader(string(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 1 || len(sheets[0].Rows) != len(now.Targets) {
		t.Fatalf("xlsx: %d sheets, rows %v", len(sheets), sheets)
	}
	for i, r := range now.Targets {
		row := sheets[0].Rows[i]
		if row[0] != r.Indicator || row[3] != r.TargetValue || row[4] != r.Actual || row[6] != r.ExpectedToDate {
			t.Errorf("xlsx row %d = %v, GraphQL %+v", i, row, r)
		}
		if r.Percent != nil && row[5] != fmt.Sprintf("%.2f", *r.Percent) {
			t.Errorf("xlsx percent %v, GraphQL %v", row[5], *r.Percent)
		}
		for m := 0; m < 12; m++ {
			if row[8+m] != r.Monthly[m].Amount {
				t.Errorf("xlsx %s month %d = %v, GraphQL %d", r.Indicator, m+1, row[8+m], r.Monthly[m].Amount)
			}
		}
	}
	csv := string(download(t, srv, coordinator, "/exports/agreement-progress.csv?agreementId="+amended.AmendAgreement.ID+"&year=2026", http.StatusOK))
	if !strings.HasPrefix(csv, "\ufeff指标") || !strings.Contains(csv, fmt.Sprintf("DIRECT_PURCHASE,分 fen,LEDGER,999900,%d,", actual)) {
		t.Errorf("csv:\n%s", csv)
	}
	download(t, srv, "", "/exports/agreement-progress.csv?agreementId="+aID+"&year=2026", http.StatusUnauthorized)
	download(t, srv, coordinator, "/exports/agreement-progress.csv?agreementId=nope&year=2026", http.StatusBadRequest)
	download(t, srv, coordinator, "/exports/agreement-progress.pdf?agreementId="+aID+"&year=2026", http.StatusNotFound)

	// The helping region's roll-up includes the agreement's figures.
	var rollup struct {
		ProgressRollup struct {
			AgreementCount int
			Rows           []struct {
				AgreementKind, Indicator string
				TargetValue, Actual      int64
			}
		}
	}
	srv.As(coordinator).Do(`query($id: ID!) { progressRollup(scope: EAST_REGION, id: $id, year: 2026) { agreementCount rows { agreementKind indicator targetValue actual } } }`, map[string]any{"id": apitest.GlobalID(t, "Region", *a.HelpingRegionID)}).Must(t, &rollup)
	ok := false
	for _, r := range rollup.ProgressRollup.Rows {
		ok = ok || r.AgreementKind == "EAST_WEST" && r.Indicator == "DIRECT_PURCHASE" && r.Actual >= actual && r.TargetValue >= 999900
	}
	if !ok || rollup.ProgressRollup.AgreementCount == 0 {
		t.Errorf("roll-up misses the agreement: %+v", rollup.ProgressRollup)
	}
	rx := download(t, srv, coordinator, "/exports/progress-rollup.xlsx?scope=EAST_REGION&id="+apitest.GlobalID(t, "Region", *a.HelpingRegionID)+"&year=2026", http.StatusOK)
	if rs, err := xlsx.Read(strings.NewReader(string(rx)), int64(len(rx))); err != nil || len(rs[0].Rows) != len(rollup.ProgressRollup.Rows) {
		t.Errorf("roll-up xlsx: %v %v", err, rs)
	}
}

// TestCanteenQuota checks the budget-unit quota against its purchases.
func TestCanteenQuota(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	sys := storetest.AsSystem()
	tokens := tokensByRole(t, srv)
	unit := db.Client.Organization.Query().Where(organization.KindEQ(organization.KindBUDGET_UNIT),
		organization.HasBuyerProfiles()).WithBuyerProfiles().FirstX(sys)
	var q struct {
		CanteenQuota struct {
			HasCanteen             bool
			QuotaFen, PurchasedFen int64
			CanteenFoodBudgetFen   int64
			ReservedShareBp        int
			Percent                *float64
			ExpectedToDate         int64
			BehindSchedule         bool
			Organization           struct{ Name string }
		}
	}
	srv.As(tokens["AUDITOR"]).Do(`query($id: ID!) { canteenQuota(organizationId: $id, year: 2026) {
		hasCanteen quotaFen purchasedFen canteenFoodBudgetFen reservedShareBp percent expectedToDate behindSchedule organization { name } } }`, map[string]any{"id": apitest.GlobalID(t, "Organization", unit.ID)}).Must(t, &q)
	bp := unit.Edges.BuyerProfiles[0]
	c := q.CanteenQuota
	if c.HasCanteen != bp.HasCanteen || c.Organization.Name != unit.Name {
		t.Fatalf("quota %+v for profile %+v", c, bp)
	}
	if bp.HasCanteen && c.QuotaFen != bp.CanteenFoodBudgetFen*int64(bp.ReservedShareBp)/10000 {
		t.Errorf("quota %d from budget %d × %d bp", c.QuotaFen, bp.CanteenFoodBudgetFen, bp.ReservedShareBp)
	}
	var counted int64
	for _, o := range db.Client.Order.Query().Where(order.BuyerID(unit.ID), order.StatusEQ(order.StatusSETTLED)).WithLines().AllX(sys) {
		if y, _ := periodYear(*o.SettledAt); y != 2026 {
			continue
		}
		for _, l := range o.Edges.Lines {
			if l.CertifiedAtOrder {
				counted += l.AmountFen
			}
		}
	}
	if c.PurchasedFen != counted {
		t.Errorf("purchased %d, settled certified lines sum to %d", c.PurchasedFen, counted)
	}
}

func periodYear(t time.Time) (int, int) {
	c := t.In(time.FixedZone("CST", 8*3600))
	return c.Year(), int(c.Month())
}

// coordinatorLike creates a second coordinator with the demo
// coordinator's scope and signs it in.
func coordinatorLike(t *testing.T, srv *apitest.Server, db *store.DB, email string) string {
	t.Helper()
	sys := storetest.AsSystem()
	m := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleCOORDINATOR)).
		WithScopeAgreements().WithScopeRegions().FirstX(sys)
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	u := db.Client.User.Create().SetEmail(email).SetDisplayName("第二协作专员").SetPasswordHash(hash).SaveX(sys)
	create := db.Client.Membership.Create().SetUser(u).SetRole(membership.RoleCOORDINATOR)
	for _, a := range m.Edges.ScopeAgreements {
		create.AddScopeAgreementIDs(a.ID)
	}
	for _, r := range m.Edges.ScopeRegions {
		create.AddScopeRegionIDs(r.ID)
	}
	create.ExecX(sys)
	return srv.SignIn(email).Token
}

func download(t *testing.T, srv *apitest.Server, token, path string, want int) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", path, res.StatusCode, body, want)
	}
	return body
}

// creditableOrder is an accepted order of three units of a certified
// product from one of the agreement's helped regions, bought by a new
// organization in its helping region: settling it credits the agreement
// with exactly the line's amount.
func creditableOrder(t *testing.T, db *store.DB, a *ent.Agreement, key string) (*ent.Order, *ent.OrderLine, *ent.Product) {
	t.Helper()
	sys := storetest.AsSystem()
	a = db.Client.Agreement.Query().Where(agreement.ID(a.ID)).WithHelpedRegions().OnlyX(sys)
	helpedCodes := []string{}
	for _, r := range a.Edges.HelpedRegions {
		helpedCodes = append(helpedCodes, validate.RegionPrefix(r.Code))
	}
	prod := db.Client.Product.Query().Where(product.StatusEQ(product.StatusLISTED)).WithOriginCounty().AllX(sys)
	var p *ent.Product
	for _, c := range prod {
		for _, code := range helpedCodes {
			if strings.HasPrefix(c.Edges.OriginCounty.Code, code) {
				p = c
			}
		}
	}
	if p == nil {
		t.Fatal("no listed product from the agreement's helped regions")
	}
	buyer := db.Client.Organization.Create().SetName("协议测试采购单位 " + key).SetKind(organization.KindSOE).
		SetRegionID(*a.HelpingRegionID).SaveX(sys)
	o := db.Client.Order.Create().SetBuyer(buyer).SetSupplierID(p.SupplierID).SetStatus(order.StatusACCEPTED).
		SetIdempotencyKey(key).SetTotalFen(3 * p.PriceFen).SaveX(sys)
	line := db.Client.OrderLine.Create().SetOrder(o).SetProduct(p).SetQuantity(3).SetUnitPriceFen(p.PriceFen).
		SetAmountFen(3 * p.PriceFen).SetCertifiedAtOrder(true).SetOriginCountyID(p.OriginCountyID).SaveX(sys)
	return o, line, p
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
