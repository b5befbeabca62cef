package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/orderline"
	"bangfu/internal/apitest"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// linkHouseholds gives the supplier n approved benefit links of equal
// share to new households of a village in its county, ending its others.
func linkHouseholds(t testing.TB, db *store.DB, supplier, n int) {
	t.Helper()
	c := db.Client
	village := c.Household.Query().Where(household.HasBenefitLinksWith(benefitlink.SupplierID(supplier))).
		FirstX(sysCtx).VillageID
	c.BenefitLink.Update().Where(benefitlink.SupplierID(supplier)).SetStatus(benefitlink.StatusENDED).ExecX(sysCtx)
	stamp := time.Now().UnixNano()
	var hs []*ent.HouseholdCreate
	for i := range n {
		hs = append(hs, c.Household.Create().SetNumber(fmt.Sprintf("T%d-%04d", stamp%1e9, i)).SetVillageID(village).
			SetMainCause(household.MainCauseILLNESS))
	}
	var created []*ent.Household
	for chunk := 0; chunk < len(hs); chunk += 500 {
		created = append(created, c.Household.CreateBulk(hs[chunk:min(chunk+500, len(hs))]...).SaveX(sysCtx)...)
	}
	var links []*ent.BenefitLinkCreate
	for _, h := range created {
		links = append(links, c.BenefitLink.Create().SetSupplierID(supplier).SetHouseholdID(h.ID).
			SetMechanism(benefitlink.MechanismWAGE).SetShareBp(10_000/n).SetValidFrom(time.Now().AddDate(0, -1, 0)).
			SetStatus(benefitlink.StatusAPPROVED))
	}
	for chunk := 0; chunk < len(links); chunk += 500 {
		c.BenefitLink.CreateBulk(links[chunk:min(chunk+500, len(links))]...).ExecX(sysCtx)
	}
}

// TestWriteStatements bounds the SQL statements of the write path, as the
// database sees them (BEGIN, COMMIT and loading the viewer included):
// placing a one-line order takes 2 on PostgreSQL (9 on SQLite), 1 once the
// viewer is cached (auth's viewer cache); settling an order takes the
// same number whether the supplier benefits 5 households or 200, and
// writes each household's income in one multi-row statement.
func TestWriteStatements(t *testing.T) {
	const warmKey = "statements-0000"
	t.Parallel()
	db := storetest.OpenDemo(t)
	srv, counter := apitest.ServeCounted(t, db)
	f := fixture(t, db)
	buyer, supplier := srv.SignIn("buyer@bangfu.example"), srv.SignIn("supplier@bangfu.example")
	supplierOrg := orgOf(t, db, "supplier@bangfu.example", membership.RoleSUPPLIER)

	place := func(key string) apitest.Order {
		t.Helper()
		counter.Reset()
		// Only the order's id back: what else a client selects is its own
		// reads, not the placement's.
		var out struct{ PlaceOrder []apitest.Order }
		buyer.Must(`mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`,
			apitest.Vars{"in": map[string]any{"idempotencyKey": key, "items": []any{item(t, f.own[0], 1)}}}, &out)
		orders := out.PlaceOrder
		// On PostgreSQL the viewer and the placement, one statement
		// (internal/market/placement.go); SQLite, in process, has no round
		// trips to save and places through ent's builders in a transaction.
		limit := int64(1) // the viewer is cached since the first
		if key == warmKey {
			limit = 2
		}
		if db.Client.Dialect() == dialect.SQLite {
			limit = 9
		}
		if n := counter.N(); n > limit {
			t.Errorf("placeOrder of one line: %d statements, want at most %d:\n%s", n, limit, strings.Join(counter.Statements(), "\n"))
		} else {
			t.Logf("placeOrder of one line: %d statements", n)
		}
		return orders[0]
	}
	settle := func(o apitest.Order) int64 {
		t.Helper()
		for _, s := range []struct {
			by   *apitest.Client
			step apitest.Step
		}{{supplier, apitest.Confirm}, {supplier, apitest.Ship}, {supplier, apitest.Deliver}, {buyer, apitest.Accept}} {
			s.by.Step(o.ID, s.step).Must(t)
		}
		counter.Reset()
		buyer.Step(o.ID, apitest.Settle).Must(t)
		return counter.N()
	}
	place(warmKey) // warm caches (prepared plans, loaded world, the viewer) alike for both
	var counts []int64
	for _, n := range []int{5, 200} {
		linkHouseholds(t, db, supplierOrg, n)
		o := place(fmt.Sprintf("statements-%04d", n))
		counts = append(counts, settle(o))
		incomes := db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME),
			ledgerentry.HasOrderLineWith(orderline.OrderID(apitest.RawID(t, o.ID)))).CountX(sysCtx)
		if incomes != n {
			t.Fatalf("settling credited %d households, want %d", incomes, n)
		}
		if n == 200 {
			t.Logf("settleOrder statements:\n%s", strings.Join(counter.Statements(), "\n"))
		}
	}
	t.Logf("settleOrder: %d statements with 5 linked households, %d with 200", counts[0], counts[1])
	if counts[0] != counts[1] {
		t.Errorf("settleOrder's statements grow with the households: %d for 5, %d for 200", counts[0], counts[1])
	}
}
