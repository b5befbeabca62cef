package dashboard_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/orderline"
	"bangfu/ent/product"
	"bangfu/ent/user"
	"bangfu/internal/apitest"
	"bangfu/internal/browsertest"
	"bangfu/internal/demo"
	"bangfu/internal/store/storetest"
)

// yuan formats fen as the page should, written independently of the
// page's format.js: ¥1,234.56, -¥0.05.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%s.%02d", sign, grouped(fen/100), fen%100)
}

func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func value(indicator string, v int64) string {
	switch indicator {
	case "DIRECT_PURCHASE", "HELP_SELL", "FUNDS_INVESTED", "FUNDS_INTRODUCED":
		return yuan(v)
	}
	return grouped(v)
}

func percent(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f%%", *p)
}

// shown is what the page displays, read from its DOM.
// shownAgreement is an agreement row: its ID and how many targets it
// shows as behind schedule.
type shownAgreement struct {
	ID     string
	Behind int
}

type shown struct {
	Mode        string
	Year        string
	Agreements  []shownAgreement
	Selected    string
	Targets     map[string]map[string]string // indicator → field → text
	Quotas      map[string]map[string]string // organization ID → field → text
	QuotasEmpty bool
	Leaders     [][3]string
}

const readPage = `
const fields = (tr) => Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((td) => [td.dataset.field, td.textContent]));
return {
  Mode: document.getElementById('badge').dataset.mode,
  Year: document.getElementById('year').value,
  Agreements: [...document.querySelectorAll('#agreements tbody tr')].map((tr) => ({ID: tr.dataset.agreementId, Behind: Number(tr.dataset.behind)})),
  Selected: document.getElementById('detail').dataset.agreementId,
  Targets: Object.fromEntries([...document.querySelectorAll('#targets tbody tr')].map((tr) => [tr.dataset.indicator, fields(tr)])),
  Quotas: Object.fromEntries([...document.querySelectorAll('#quotas tbody tr')].map((tr) => [tr.dataset.organizationId, fields(tr)])),
  QuotasEmpty: !document.getElementById('quotas-empty').hidden,
  Leaders: [...document.querySelectorAll('#leaderboard tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
};`

// TestDashboardInChromium signs in as the demo coordinator in headless
// Chromium, waits for the figures and checks each one shown against the
// same figure fetched from the API: the agreements in scope, behind
// schedule first; the selected agreement's targets; the canteen quotas; the
// leaderboard. It saves a screenshot as a test artifact.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	b := browsertest.Start(t)
	srv := apitest.ServeDemo(t)
	b.Open(srv.URL + "/dashboard")
	b.WaitFor(`!document.getElementById('sign-in-panel').hidden`, 20*time.Second)
	b.Type("#email", "coordinator@bangfu.example")
	b.Type("#password", demo.Password)
	b.Click("#sign-in button[type=submit]")
	b.WaitFor(`document.querySelectorAll('#targets tbody tr').length > 0 &&
		document.querySelectorAll('#leaderboard tbody tr').length > 0 &&
		(document.querySelectorAll('#quotas tbody tr').length > 0 || !document.getElementById('quotas-empty').hidden) &&
		['live', 'polling'].includes(document.getElementById('badge').dataset.mode)`, 60*time.Second)
	var page shown
	b.EvalInto(&page, readPage)
	b.Screenshot("dashboard")

	api := srv.SignIn("coordinator@bangfu.example")
	year, err := strconv.Atoi(page.Year)
	if err != nil {
		t.Fatalf("year %q", page.Year)
	}

	// The agreements in the coordinator's scope, each with its progress.
	var scope struct {
		Me struct {
			Memberships struct {
				Edges []struct {
					Node struct {
						Role            string
						ScopeAgreements struct {
							Edges []struct{ Node struct{ ID string } }
						}
					}
				}
			}
		}
	}
	api.Must(`{ me { memberships(first: 10) { edges { node { role scopeAgreements(first: 50) { edges { node { id } } } } } } } }`, nil, &scope)
	inScope := map[string]bool{}
	for _, m := range scope.Me.Memberships.Edges {
		if m.Node.Role == "COORDINATOR" {
			for _, a := range m.Node.ScopeAgreements.Edges {
				inScope[a.Node.ID] = true
			}
		}
	}
	if len(inScope) == 0 || len(page.Agreements) != len(inScope) {
		t.Fatalf("the page lists %d agreements, the coordinator's scope has %d", len(page.Agreements), len(inScope))
	}
	type target struct {
		Indicator      string
		TargetValue    int64
		Actual         int64
		Percent        *float64
		ExpectedToDate int64
		BehindSchedule bool
	}
	progress := func(id string) []target {
		var out struct{ AgreementProgress struct{ Targets []target } }
		api.Must(`query ($id: ID!, $year: Int!) { agreementProgress(agreementId: $id, year: $year) {
			targets { indicator targetValue actual percent expectedToDate behindSchedule } } }`,
			apitest.Vars{"id": id, "year": year}, &out)
		return out.AgreementProgress.Targets
	}
	// behindFirst checks each row's count of targets behind against the
	// API and that rows with more behind come first.
	behindFirst := func(rows []shownAgreement) (behindSeen, onTrackSeen bool) {
		t.Helper()
		last := 1 << 30
		for _, a := range rows {
			behind := 0
			for _, tg := range progress(a.ID) {
				if tg.BehindSchedule {
					behind++
				}
			}
			if a.Behind != behind {
				t.Errorf("agreement %s: %d targets behind shown, the API says %d", a.ID, a.Behind, behind)
			}
			if behind > last {
				t.Errorf("agreement %s (%d behind) listed after one with %d behind", a.ID, behind, last)
			}
			last = behind
			behindSeen = behindSeen || behind > 0
			onTrackSeen = onTrackSeen || behind == 0
		}
		return behindSeen, onTrackSeen
	}
	for _, a := range page.Agreements {
		if !inScope[a.ID] {
			t.Errorf("agreement %s is shown but not in scope", a.ID)
		}
	}
	if anyBehind, _ := behindFirst(page.Agreements); !anyBehind {
		t.Log("no demo agreement is behind schedule; the ordering was checked on ties only")
	}

	// The selected agreement's targets, figure by figure.
	if page.Selected != page.Agreements[0].ID {
		t.Errorf("selected %s, want the first listed %s", page.Selected, page.Agreements[0].ID)
	}
	targets := progress(page.Selected)
	if len(page.Targets) != len(targets) {
		t.Errorf("%d targets shown, the API has %d", len(page.Targets), len(targets))
	}
	for _, tg := range targets {
		got := page.Targets[tg.Indicator]
		want := map[string]string{
			"actual":   value(tg.Indicator, tg.Actual),
			"target":   value(tg.Indicator, tg.TargetValue),
			"percent":  percent(tg.Percent),
			"expected": value(tg.Indicator, tg.ExpectedToDate),
		}
		for f, w := range want {
			if got[f] != w {
				t.Errorf("%s %s: shown %q, the API says %q", tg.Indicator, f, got[f], w)
			}
		}
	}

	// Canteen quotas of the budget units shown.
	if len(page.Quotas) == 0 && !page.QuotasEmpty {
		t.Error("neither quotas nor the empty note shown")
	}
	for org, got := range page.Quotas {
		var q struct {
			CanteenQuota struct {
				QuotaFen, PurchasedFen, ExpectedToDate int64
				Percent                                *float64
			}
		}
		api.Must(`query ($o: ID!, $y: Int!) { canteenQuota(organizationId: $o, year: $y) { quotaFen purchasedFen percent expectedToDate } }`,
			apitest.Vars{"o": org, "y": year}, &q)
		c := q.CanteenQuota
		for f, w := range map[string]string{"quota": yuan(c.QuotaFen), "purchased": yuan(c.PurchasedFen), "percent": percent(c.Percent), "expected": yuan(c.ExpectedToDate)} {
			if got[f] != w {
				t.Errorf("canteen quota of %s, %s: shown %q, the API says %q", org, f, got[f], w)
			}
		}
	}

	// The leaderboard (organizations by points, the page's default).
	var lb struct {
		Leaderboard struct {
			Edges []struct {
				Node struct {
					Rank  int
					Name  string
					Value int64
				}
			}
		}
	}
	api.Must(`query ($y: Int!) { leaderboard(scope: ORGANIZATION, year: $y, metric: POINTS, first: 10) { edges { node { rank name value } } } }`,
		apitest.Vars{"y": year}, &lb)
	if len(page.Leaders) != len(lb.Leaderboard.Edges) {
		t.Errorf("%d leaderboard rows shown, the API has %d", len(page.Leaders), len(lb.Leaderboard.Edges))
	}
	for i, e := range lb.Leaderboard.Edges {
		if i >= len(page.Leaders) {
			break
		}
		want := [3]string{strconv.Itoa(e.Node.Rank), e.Node.Name, grouped(e.Node.Value)}
		if page.Leaders[i] != want {
			t.Errorf("leaderboard row %d: shown %q, the API says %q", i+1, page.Leaders[i], want)
		}
	}

	// Everything came from the server, and nothing went wrong, except that a
	// server without the subscription refuses the websocket: then the page
	// must say it is polling.
	if foreign := browsertest.SameOrigin(srv.URL, b.ResourceURLs()); len(foreign) > 0 {
		t.Errorf("loaded from elsewhere: %v", foreign)
	}
	for _, e := range b.ConsoleErrors() {
		if page.Mode == "polling" && strings.Contains(e, "WebSocket") {
			continue
		}
		t.Errorf("page error: %s", e)
	}
	t.Logf("badge: %s; %d agreements, %d targets, %d quotas, %d leaderboard rows", page.Mode, len(page.Agreements), len(page.Targets), len(page.Quotas), len(page.Leaders))

	// Sign out (logout), and in again as the auditor, who has no agreement
	// scope and sees every active agreement: many, so the order matters.
	b.Click("#sign-out")
	b.WaitFor(`!document.getElementById('sign-in-panel').hidden && document.getElementById('board').hidden`, 10*time.Second)
	b.Type("#email", "auditor@bangfu.example")
	b.Type("#password", demo.Password)
	b.Click("#sign-in button[type=submit]")
	b.WaitFor(`document.getElementById('who').textContent.includes('审计') &&
		document.querySelectorAll('#agreements tbody tr').length > 1 &&
		[...document.querySelectorAll('#agreements tbody tr')].every((tr) => tr.dataset.behind !== undefined) &&
		document.querySelectorAll('#targets tbody tr').length > 0`, 60*time.Second)
	var all shown
	b.EvalInto(&all, readPage)
	b.Screenshot("auditor")
	var active struct {
		Agreements struct{ TotalCount int }
	}
	api.Must(`{ agreements(first: 1, where: {status: ACTIVE}) { totalCount } }`, nil, &active)
	if len(all.Agreements) != min(active.Agreements.TotalCount, 50) {
		t.Errorf("the auditor sees %d agreements, %d are active", len(all.Agreements), active.Agreements.TotalCount)
	}
	behindSeen, onTrackSeen := behindFirst(all.Agreements)
	t.Logf("auditor: %d agreements (some behind: %v, some on track: %v)", len(all.Agreements), behindSeen, onTrackSeen)

	// Live: the demo buyer buys the demo supplier's certified product and
	// settles; the agreement it counts toward moves on the page well before
	// the next poll (30 s) when the badge says live.
	if all.Mode != "live" {
		t.Logf("badge %q: the server offers no subscription; live update not checked", all.Mode)
		return
	}
	sys := storetest.AsSystem()
	supplierOrg := *srv.DB.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleSUPPLIER),
		membership.HasUserWith(user.Email("supplier@bangfu.example"))).OnlyX(sys).OrganizationID
	prod := srv.DB.Client.Product.Query().Where(product.SupplierID(supplierOrg), product.StatusEQ(product.StatusLISTED),
		product.CertificationStatusEQ(product.CertificationStatusCERTIFIED)).FirstX(sys)
	buyer, supplier := srv.SignIn("buyer@bangfu.example"), srv.SignIn("supplier@bangfu.example")
	orders := buyer.PlaceOrder(apitest.Cart{Key: "dashboard-live-1",
		Items: []apitest.Item{{ProductID: apitest.GlobalID(t, "Product", prod.ID), Quantity: 3}}}).Must(t)
	o := orders[0]
	for _, st := range []struct {
		by   *apitest.Client
		step apitest.Step
	}{{supplier, apitest.Confirm}, {supplier, apitest.Ship}, {supplier, apitest.Deliver}, {buyer, apitest.Accept}} {
		st.by.Step(o.ID, st.step).Must(t)
	}
	// The agreement the purchase counts toward, from the ledger. The page
	// has not fetched its progress since it was loaded (selecting a row
	// draws what the page holds), so a new figure can only have come
	// through the subscription: polling is off while live.
	buyer.Step(o.ID, apitest.Settle).Must(t)
	entry := srv.DB.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.IndicatorEQ(ledgerentry.IndicatorDIRECT_PURCHASE),
		ledgerentry.HasOrderLineWith(orderline.OrderID(apitest.RawID(t, o.ID)))).OnlyX(sys)
	agID := apitest.GlobalID(t, "Agreement", *entry.AgreementID)
	var want string
	for _, tg := range progress(agID) {
		if tg.Indicator == "DIRECT_PURCHASE" {
			want = value(tg.Indicator, tg.Actual)
		}
	}
	start := time.Now()
	b.Click(`#agreements tr[data-agreement-id="` + agID + `"] button`)
	b.WaitFor(`document.querySelector('#targets tr[data-indicator="DIRECT_PURCHASE"] [data-field="actual"]').textContent === `+strconv.Quote(want), 20*time.Second)
	t.Logf("purchase shown after %v", time.Since(start))
}
