package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/ent/agreement"
	"bangfu/ent/membership"
	"bangfu/internal/apitest"
	"bangfu/internal/store/storetest"
	"bangfu/internal/xlsx"
)

type flagNode struct {
	ID          string
	Code        string
	SubjectType string
	Subjects    []string
	Status      string
	Evidence    []string
	Thresholds  map[string]any
	Order       *struct{ ID string }
}

// TestIntegrityFlagsEndToEnd: an order bought in December and refunded in
// January, and an order between linked parties, are flagged as they
// happen; the scan raises nothing twice; an auditor's confirmation takes
// exactly the order's credits out of progress (and the line's explanation
// says why), dismissing puts them back, and a recompute finds no
// difference at any point.
func TestIntegrityFlagsEndToEnd(t *testing.T) {
	t.Parallel()
	var now atomic.Pointer[time.Time]
	set := func(s string) {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		now.Store(&tm)
	}
	set("2026-12-20T02:00:00Z") // 20 December, China Standard Time
	srv := apitest.ServeDemo(t, func(s *apitest.Setup) {
		s.App.Now = func() time.Time { return *now.Load() }
		s.App.RefreshTTL = 24 * 365 * time.Hour // sessions outlive the moved clock
	})
	db := srv.DB
	sys := storetest.AsSystem()
	tokens := tokensByRole(t, srv)
	admin, auditor := srv.As(tokens["ADMIN"]), srv.As(tokens["AUDITOR"])

	a := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleCOORDINATOR)).QueryScopeAgreements().
		Where(agreement.KindEQ(agreement.KindEAST_WEST)).FirstX(sys)
	aID := apitest.GlobalID(t, "Agreement", a.ID)
	direct := func() (actual, flagged int64) {
		t.Helper()
		var out struct {
			AgreementProgress struct {
				Targets []struct {
					Indicator      string
					Actual         int64
					UnderOpenFlags int64
				}
			}
		}
		admin.Must(`query($id: ID!) { agreementProgress(agreementId: $id, year: 2026) { targets { indicator actual underOpenFlags } } }`,
			apitest.Vars{"id": aID}, &out)
		for _, tp := range out.AgreementProgress.Targets {
			if tp.Indicator == "DIRECT_PURCHASE" {
				return tp.Actual, tp.UnderOpenFlags
			}
		}
		t.Fatal("no DIRECT_PURCHASE target")
		return 0, 0
	}
	consistent := func(when string) {
		t.Helper()
		var out struct {
			RecomputeAttribution struct {
				Consistent  bool
				Differences []struct {
					Kind, Key string
				}
			}
		}
		admin.Must(`mutation { recomputeAttribution { consistent differences { kind key } } }`, nil, &out)
		if !out.RecomputeAttribution.Consistent {
			t.Fatalf("%s: recompute differs: %+v", when, out.RecomputeAttribution.Differences)
		}
	}
	settle := func(id int) {
		t.Helper()
		admin.Must(`mutation($id: ID!) { settleOrder(id: $id) { status } }`, apitest.Vars{"id": apitest.GlobalID(t, "Order", id)}, &struct{}{})
	}
	flags := func(client *apitest.Client) []flagNode {
		t.Helper()
		var out struct {
			Flags struct{ Edges []struct{ Node flagNode } }
		}
		client.Must(`{ flags(first: 100, where: {status: OPEN}) { edges { node { id code subjectType subjects status evidence thresholds order { id } } } } }`, nil, &out)
		var fs []flagNode
		for _, e := range out.Flags.Edges {
			fs = append(fs, e.Node)
		}
		return fs
	}
	flagOn := func(fs []flagNode, code string, orderID int) *flagNode {
		for i := range fs {
			if fs[i].Code == code && fs[i].Order != nil && fs[i].Order.ID == apitest.GlobalID(t, "Order", orderID) {
				return &fs[i]
			}
		}
		return nil
	}

	actual0, flagged0 := direct()

	// A round trip: settled on 20 December…
	rt, _, rtProduct := creditableOrder(t, db, a, "integrity-round-trip")
	settle(rt.ID)
	// …and a sale between linked parties: the buyer shares the
	// supplier's contact phone.
	lk, lkLine, lkProduct := creditableOrder(t, db, a, "integrity-linked")
	supplier := db.Client.Organization.GetX(sys, lk.SupplierID)
	phone := supplier.ContactPhone
	if phone == "" {
		phone = "13800001234"
		db.Client.Organization.UpdateOne(supplier).SetContactPhone(phone).ExecX(sys)
	}
	db.Client.Organization.UpdateOneID(lk.BuyerID).SetContactPhone(phone).ExecX(sys)
	settle(lk.ID)
	lkCredits := 3 * lkProduct.PriceFen

	actual1, flagged1 := direct()
	if actual1 != actual0+3*rtProduct.PriceFen+lkCredits {
		t.Fatalf("settling both: %d → %d, want +%d", actual0, actual1, 3*rtProduct.PriceFen+lkCredits)
	}
	if flagged1 != flagged0+lkCredits {
		t.Errorf("under open flags: %d → %d, want +%d (the linked order's credits)", flagged0, flagged1, lkCredits)
	}
	linked := flagOn(flags(auditor), "LINKED_PARTIES", lk.ID)
	if linked == nil {
		t.Fatalf("the linked-party order was not flagged when it settled: %+v", flags(auditor))
	}
	if linked.SubjectType != "ORDER" || !strings.Contains(strings.Join(anyStrings(linked.Thresholds["ties"]), " "), "phone") {
		t.Errorf("linked-party flag: %+v", linked)
	}

	// Refunded on 5 January: the 2026 figures had closed.
	set("2027-01-05T02:00:00Z")
	admin.Must(`mutation($id: ID!) { refundOrder(id: $id) { status } }`, apitest.Vars{"id": apitest.GlobalID(t, "Order", rt.ID)}, &struct{}{})
	round := flagOn(flags(auditor), "ROUND_TRIP", rt.ID)
	if round == nil {
		t.Fatalf("the December/January round trip was not flagged: %+v", flags(auditor))
	}
	if round.Thresholds["settledPeriod"] != "2026-12" || round.Thresholds["refundedPeriod"] != "2027-01" || len(round.Evidence) < 2 {
		t.Errorf("round-trip flag: %+v", round)
	}
	actual2, _ := direct()
	if actual2 != actual1-3*rtProduct.PriceFen {
		t.Errorf("the refund took %d, want %d", actual1-actual2, 3*rtProduct.PriceFen)
	}
	consistent("after the refund")

	// The full scan raises neither again, and a second scan nothing at all.
	scan := func() int {
		var out struct{ RunIntegrityScan struct{ Raised int } }
		admin.Must(`mutation { runIntegrityScan { raised } }`, nil, &out)
		return out.RunIntegrityScan.Raised
	}
	scan()
	if n := scan(); n != 0 {
		t.Errorf("a second scan raised %d flags", n)
	}
	for _, code := range []string{"LINKED_PARTIES", "ROUND_TRIP"} {
		seen := 0
		for _, f := range flags(auditor) {
			if f.Code == code && f.Order != nil && (f.Order.ID == apitest.GlobalID(t, "Order", lk.ID) || f.Order.ID == apitest.GlobalID(t, "Order", rt.ID)) {
				seen++
			}
		}
		if seen != 1 {
			t.Errorf("%s: %d flags on the test orders after two scans, want 1", code, seen)
		}
	}

	explain := func() string {
		var out struct {
			Node struct{ AttributionExplanation []string }
		}
		auditor.Must(`query($id: ID!) { node(id: $id) { ... on OrderLine { attributionExplanation } } }`,
			apitest.Vars{"id": apitest.GlobalID(t, "OrderLine", lkLine.ID)}, &out)
		return strings.Join(out.Node.AttributionExplanation, "\n")
	}
	if e := explain(); !strings.Contains(e, "under review") || !strings.Contains(e, linked.ID) {
		t.Errorf("the explanation does not mention the open flag:\n%s", e)
	}

	// Only auditors review; a reason is required.
	review := func(c *apitest.Client, id, decision, reason string) apitest.Response {
		return c.Do(`mutation($id: ID!, $d: FlagDecision!, $r: String!) { reviewFlag(id: $id, decision: $d, reason: $r) { status reason } }`,
			apitest.Vars{"id": id, "d": decision, "r": reason})
	}
	review(srv.As(tokens["COORDINATOR"]), linked.ID, "CONFIRM", "looks bad").WantCode(t, "FORBIDDEN")
	review(auditor, linked.ID, "CONFIRM", " ").WantCode(t, "BAD_USER_INPUT")

	// Confirmed: progress drops by exactly the order's credits.
	review(auditor, linked.ID, "CONFIRM", "the buyer's purchasing officer runs the cooperative").Must(t, &struct{}{})
	actual3, flagged3 := direct()
	if actual3 != actual2-lkCredits {
		t.Errorf("confirming took %d from progress, want exactly the order's credits %d", actual2-actual3, lkCredits)
	}
	if flagged3 != flagged1-lkCredits {
		t.Errorf("under open flags after confirming: %d, want %d", flagged3, flagged1-lkCredits)
	}
	if e := explain(); strings.Contains(e, "under review") || !strings.Contains(e, "excluded from agreement progress") || !strings.Contains(e, linked.ID) ||
		!strings.Contains(e, "purchasing officer") {
		t.Errorf("the explanation does not say why the credits no longer count:\n%s", e)
	}
	consistent("after confirming")
	review(auditor, linked.ID, "CONFIRM", "again").WantCode(t, "CONFLICT")

	// Dismissed: the credits are booked again.
	review(auditor, linked.ID, "DISMISS", "the phone was the county's shared hotline").Must(t, &struct{}{})
	if actual4, _ := direct(); actual4 != actual2 {
		t.Errorf("dismissing restored progress to %d, want %d", actual4, actual2)
	}
	if e := explain(); !strings.Contains(e, "counted again") {
		t.Errorf("the explanation does not say the credits were re-booked:\n%s", e)
	}
	consistent("after dismissing")
	review(auditor, linked.ID, "DISMISS", "again").WantCode(t, "CONFLICT")

	// Buyers see no flags.
	srv.As(tokens["BUYER"]).Do(`{ flags(first: 5) { totalCount } }`, nil).WantCode(t, "FORBIDDEN")

	// Auditors take the flags away as CSV and XLSX.
	csv := string(download(t, srv, tokens["AUDITOR"], "/exports/flags.csv?status=DISMISSED", http.StatusOK))
	if !strings.HasPrefix(csv, "\ufeff") || !strings.Contains(csv, linked.ID) || !strings.Contains(csv, "shared hotline") ||
		strings.Contains(csv, round.ID) {
		t.Errorf("flags.csv of dismissed flags:\n%s", csv)
	}
	book := download(t, srv, tokens["AUDITOR"], "/exports/flags.xlsx", http.StatusOK)
	sheets, err := xlsx.Read(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[any]bool{}
	for _, row := range sheets[0].Rows {
		ids[row[0]] = true
	}
	if len(sheets) != 1 || !ids[linked.ID] || !ids[round.ID] {
		t.Errorf("flags.xlsx lacks the test's flags: %v", sheets[0].Rows)
	}
	download(t, srv, tokens["BUYER"], "/exports/flags.csv", http.StatusForbidden)
	download(t, srv, tokens["AUDITOR"], "/exports/flags.csv?status=MAYBE", http.StatusBadRequest)
}

func anyStrings(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
