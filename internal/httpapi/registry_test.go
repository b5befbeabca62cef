package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/auditevent"
	"bangfu/ent/household"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/region"
	"bangfu/internal/apitest"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/households"
	"bangfu/internal/store/storetest"
	"bangfu/internal/validate"
)

// residentID makes a valid resident ID number for a birth date.
func residentID(t *testing.T, area, birth string, seq int) string {
	body := fmt.Sprintf("%s%s%03d", area, birth, seq)
	c, err := validate.ResidentIDCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

// TestParticipantsJoinThroughTheAPI starts from what a new deployment
// holds (regions, pairings, agreements; no organizations, people or
// households) and walks everyone in through HTTP, up to a counted,
// facilitated purchase whose figures move by exactly its amount.
func TestParticipantsJoinThroughTheAPI(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	sys := storetest.AsSystem()
	if err := demo.LoadFramework(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	// A test clock: certification notices run for days.
	start := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	var offset atomic.Int64
	now := func() time.Time { return start.Add(time.Duration(offset.Load())) }
	srv := apitest.Serve(t, db, func(s *apitest.Setup) { s.App.Now, s.App.RefreshTTL = now, 30*24*time.Hour })
	must := func(c *apitest.Client, q string, vars apitest.Vars, out any) {
		t.Helper()
		c.Must(q, vars, out)
	}
	id := func(r *ent.Region) string { return apitest.GlobalID(t, "Region", r.ID) }

	// The first admin is made on the server (the create-admin command).
	hash, err := auth.HashPassword("admin-password-1")
	if err != nil {
		t.Fatal(err)
	}
	u := db.Client.User.Create().SetEmail("root@example.cn").SetDisplayName("管理员").SetPasswordHash(hash).SaveX(sys)
	db.Client.Membership.Create().SetUser(u).SetRole("ADMIN").ExecX(sys)
	admin := srv.Anonymous()
	admin.Token = admin.Login("root@example.cn", "admin-password-1").Must(t).AccessToken

	beijing := db.Client.Region.Query().Where(region.Code("110000")).OnlyX(sys)
	county := db.Client.Region.Query().Where(region.LevelEQ(region.LevelCOUNTY), region.CodeHasPrefix("15")).
		Order(ent.Asc(region.FieldCode)).FirstX(sys)
	villages := db.Client.Region.Query().Where(region.LevelEQ(region.LevelVILLAGE), region.CodeHasPrefix(county.Code)).
		Order(ent.Asc(region.FieldCode)).AllX(sys)
	deal := db.Client.Agreement.Query().Where(agreement.StatusEQ(agreement.StatusACTIVE),
		agreement.HasHelpingRegionWith(region.ID(beijing.ID)), agreement.HasHelpedRegionsWith(region.Code("150000"))).OnlyX(sys)

	// Officials: a coordinator for Beijing, a certifier for the county.
	official := func(email, role string, scope *ent.Region) *apitest.Client {
		var made struct{ CreateUser struct{ ID string } }
		must(admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`,
			apitest.Vars{"in": apitest.Vars{"email": email, "displayName": role, "password": "official-password"}}, &made)
		must(admin, `mutation($in: GrantRoleInput!) { grantRole(input: $in) { id } }`,
			apitest.Vars{"in": apitest.Vars{"userId": made.CreateUser.ID, "role": role, "regionIds": []string{id(scope)}}}, nil)
		c := srv.Anonymous()
		c.Token = c.Login(email, "official-password").Must(t).AccessToken
		return c
	}
	coordinator := official("coordinator@example.cn", "COORDINATOR", beijing)
	certifier := official("certifier@example.cn", "CERTIFIER", county)

	// People sign up, then register their organizations.
	person := func(email string) *apitest.Client {
		var ok struct{ SignUp bool }
		must(srv.Anonymous(), `mutation($e: String!) { signUp(email: $e, password: "a-long-password", displayName: "新用户") }`, apitest.Vars{"e": email}, &ok)
		c := srv.Anonymous()
		c.Token = c.Login(email, "a-long-password").Must(t).AccessToken
		return c
	}
	alice, bob, carol, dave := person("alice@example.cn"), person("bob@example.cn"), person("carol@example.cn"), person("dave@example.cn")
	n := 0
	register := func(c *apitest.Client, name, kind string, r *ent.Region) string {
		n++
		var out struct{ RegisterOrganization struct{ ID, Status string } }
		must(c, `mutation($in: RegisterOrganizationInput!) { registerOrganization(input: $in) { id status } }`, apitest.Vars{"in": apitest.Vars{
			"name": name, "kind": kind, "creditCode": creditCode(t, r.Code, 900+n), "regionId": id(r)}}, &out)
		if out.RegisterOrganization.Status != "PENDING" {
			t.Fatalf("%s starts %s", name, out.RegisterOrganization.Status)
		}
		return out.RegisterOrganization.ID
	}
	unit := register(alice, "北京市示例第一中学", "BUDGET_UNIT", beijing)
	coop := register(bob, "示例旗农牧民专业合作社", "COOPERATIVE", county)
	charity := register(carol, "北京示例慈善基金会", "SOCIAL_ORG", beijing)
	stranger := register(dave, "北京示例商会", "SOCIAL_ORG", beijing)
	decide := `mutation($id: ID!) { decideOrganization(id: $id, decision: APPROVE) { status } }`
	certifier.Do(decide, apitest.Vars{"id": unit}).WantCode(t, "FORBIDDEN") // an eastern unit is the coordinator's
	coordinator.Do(decide, apitest.Vars{"id": coop}).WantCode(t, "FORBIDDEN")
	for _, o := range []struct {
		by *apitest.Client
		id string
	}{{coordinator, unit}, {coordinator, charity}, {coordinator, stranger}, {certifier, coop}} {
		must(o.by, decide, apitest.Vars{"id": o.id}, nil)
	}

	// Managers give themselves working roles through invitations.
	join := func(c *apitest.Client, org, email, role string) {
		var inv struct{ InviteMember struct{ Token string } }
		must(c, `mutation($o: ID!, $e: String!, $r: InvitationRole!) { inviteMember(organizationId: $o, email: $e, role: $r) { token } }`,
			apitest.Vars{"o": org, "e": email, "r": role}, &inv)
		must(c, `mutation($t: String!) { acceptInvitation(token: $t) { role } }`, apitest.Vars{"t": inv.InviteMember.Token}, nil)
		c.Do(`mutation($t: String!) { acceptInvitation(token: $t) { role } }`, apitest.Vars{"t": inv.InviteMember.Token}).WantCode(t, "BAD_USER_INPUT")
	}
	join(alice, unit, "alice@example.cn", "BUYER")
	join(bob, coop, "bob@example.cn", "SUPPLIER")
	must(alice, `mutation($o: ID!) { setBuyerProfile(input: {organizationId: $o, year: 2026, hasCanteen: true, canteenFoodBudgetFen: 50000000, reservedShareBp: 3000}) { year } }`, apitest.Vars{"o": unit}, nil)

	// The cooperative becomes a supplier and gets a product certified.
	var applied struct{ ApplySupplier struct{ ID string } }
	must(bob, `mutation($o: ID!) { applySupplier(organizationId: $o, benefitMechanisms: ["WAGE"]) { id } }`, apitest.Vars{"o": coop}, &applied)
	must(certifier, `mutation($id: ID!) { decideSupplier(id: $id, decision: APPROVE) { status } }`, apitest.Vars{"id": applied.ApplySupplier.ID}, nil)
	var prod struct{ CreateProduct struct{ ID string } }
	must(bob, `mutation($in: CreateProductInput!) { createProduct(input: $in) { id } }`, apitest.Vars{"in": apitest.Vars{
		"supplierId": coop, "name": "示例牛肉干", "category": "MEAT_EGG_DAIRY", "spec": "500g", "unit": "袋", "priceFen": 6800, "stock": 100,
		"originCountyId": id(county)}}, &prod)
	must(bob, `mutation($id: ID!) { updateProduct(id: $id, input: {status: LISTED}) { status } }`, apitest.Vars{"id": prod.CreateProduct.ID}, nil)
	var cert struct{ ApplyCertification struct{ ID string } }
	must(bob, `mutation($id: ID!) { applyCertification(productId: $id) { id } }`, apitest.Vars{"id": prod.CreateProduct.ID}, &cert)
	certID := apitest.Vars{"id": cert.ApplyCertification.ID}
	must(certifier, `mutation($id: ID!) { reviewCertification(id: $id) { status } }`, certID, nil)
	must(certifier, `mutation($id: ID!) { publishCertificationNotice(id: $id, days: 7) { status } }`, certID, nil)
	certifier.Do(`mutation($id: ID!) { certifyProduct(id: $id) { status } }`, certID).WantCode(t, "CONFLICT") // notice still running
	offset.Store(int64(8 * 24 * time.Hour))
	must(certifier, `mutation($id: ID!) { certifyProduct(id: $id) { status } }`, certID, nil)

	// Households come in by CSV: a dry run of a bad file reports every
	// problem and writes nothing; the good file imports, twice alike.
	v1, v2 := villages[0].Code, villages[1].Code
	header := strings.Join(households.Columns, ",")
	row := func(number, village, head, name, idNumber, relation, cause string) string {
		cols := map[string]string{"户编号": number, "村代码": village, "户主姓名": head, "成员姓名": name, "身份证号": idNumber,
			"与户主关系": relation, "主要致贫原因": cause, "贫困户属性": "一般贫困户", "人均纯收入": "6200.50", "健康状况": "健康"}
		out := make([]string, len(households.Columns))
		for i, c := range households.Columns {
			out[i] = cols[c]
		}
		return strings.Join(out, ",")
	}
	good := strings.Join([]string{header,
		row("H001", v1, "张一", "张一", residentID(t, county.Code, "19700101", 11), "户主", "因病"),
		row("H001", v1, "张一", "李二", residentID(t, county.Code, "19720305", 22), "配偶", "因病"),
		row("H002", v2, "王三", "王三", residentID(t, county.Code, "19650709", 33), "户主", "缺技术"),
	}, "\n") + "\n"
	badID := residentID(t, county.Code, "19800101", 44)
	badID = badID[:17] + map[bool]string{true: "1", false: "2"}[badID[17] != '1']
	bad := strings.Join([]string{header,
		row("H101", v1, "赵四", "赵四", badID, "户主", "因病"),
		row("H102", "152221999999", "钱五", "钱五", "", "户主", "因病"),
		row("H103", v1, "孙六", "孙六", "", "户主", "因病"),
		row("H104", v1, "周七", "周七", "", "户主", "因病"),
		row("H103", v1, "孙六", "吴八", "", "之子", "因病"),
		row("H105", v1, "郑九", "郑九", "", "户主", ""),
	}, "\n") + "\n"
	importCSV := func(c *apitest.Client, query, body string) (households.ImportReport, int) {
		t.Helper()
		r := c.Send("POST", "/imports/households"+query, "text/csv", "application/json", []byte(body))
		var rep households.ImportReport
		if err := json.Unmarshal([]byte(r.Raw), &rep); err != nil {
			t.Fatalf("import answered %d: %s", r.Status, r.Raw)
		}
		return rep, r.Status
	}
	before := db.Client.Household.Query().CountX(sys)
	rep, status := importCSV(certifier, "?dryRun=true", bad)
	want := map[string]bool{"身份证号": false, "村代码": false, "户编号": false, "主要致贫原因": false}
	for _, p := range rep.Problems {
		if _, ok := want[p.Column]; ok {
			want[p.Column] = true
		}
		if strings.Contains(p.Message, badID) || strings.Contains(p.Message, "赵四") {
			t.Errorf("a problem quotes personal data: %+v", p)
		}
	}
	for col, found := range want {
		if !found {
			t.Errorf("the dry run reported no problem in %s: %+v", col, rep.Problems)
		}
	}
	if status != 200 || rep.Written || db.Client.Household.Query().CountX(sys) != before {
		t.Fatalf("the dry run wrote something (status %d, %+v)", status, rep)
	}
	if _, status := importCSV(certifier, "", bad); status != 422 || db.Client.Household.Query().CountX(sys) != before {
		t.Fatalf("a bad file was imported (status %d)", status)
	}
	importCSV(coordinator, "", good) // outside the coordinator's scope
	if db.Client.Household.Query().CountX(sys) != before {
		t.Fatal("a coordinator of Beijing imported households of Inner Mongolia")
	}
	if rep, status := importCSV(certifier, "?incomeYear=2025", good); status != 200 || rep.Created != 2 || !rep.Written {
		t.Fatalf("import: %d %+v", status, rep)
	}
	sum := sha256.Sum256([]byte(good))
	ev := db.Client.AuditEvent.Query().Where(auditevent.Action("households.import")).OnlyX(sys)
	if len(ev.Changes) != 1 || ev.Changes[0]["after"].(map[string]any)["file_sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("the import's audit event names file %v, not the file sent", ev.Changes)
	}
	if ev.ActorID == nil {
		t.Error("the import's audit event names nobody")
	}
	if rep, _ := importCSV(certifier, "?incomeYear=2025", good); rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 2 {
		t.Fatalf("importing the same file again: %+v", rep)
	}
	changed := strings.Replace(good, "因病", "因残", 2)
	if rep, _ := importCSV(certifier, "?incomeYear=2025", changed); rep.Updated != 1 || len(rep.Changed) != 1 || rep.Changed[0] != "H001" {
		t.Fatalf("importing a changed household: %+v", rep)
	}
	h1 := db.Client.Household.Query().Where(household.Number("H001")).WithMembers().OnlyX(sys)
	if h1.MainCause != household.MainCauseDISABILITY || len(h1.Edges.Members) != 2 || h1.MemberCount != 2 {
		t.Fatalf("H001 after import: %+v", h1)
	}

	// A benefit link, proposed with evidence and approved by the certifier.
	var link struct{ ProposeBenefitLink struct{ ID string } }
	must(bob, `mutation($in: ProposeBenefitLinkInput!) { proposeBenefitLink(input: $in) { id } }`, apitest.Vars{"in": apitest.Vars{
		"supplierId": coop, "householdId": apitest.GlobalID(t, "Household", h1.ID), "mechanism": "WAGE", "shareBp": 500,
		"validFrom": now().Format(time.RFC3339), "evidence": []string{"劳务用工合同 2026-001"}}}, &link)
	must(certifier, `mutation($id: ID!) { decideBenefitLink(id: $id, decision: APPROVE) { status } }`, apitest.Vars{"id": link.ProposeBenefitLink.ID}, nil)

	// The charity offers to help the school buy; the school accepts.
	var fac struct{ ProposeFacilitation struct{ ID string } }
	must(carol, `mutation($in: ProposeFacilitationInput!) { proposeFacilitation(input: $in) { id } }`, apitest.Vars{"in": apitest.Vars{
		"facilitatorId": charity, "buyerId": unit, "validFrom": now().Format(time.RFC3339)}}, &fac)
	carol.Do(`mutation($id: ID!) { acceptFacilitation(id: $id) { status } }`, apitest.Vars{"id": fac.ProposeFacilitation.ID}).WantCode(t, "FORBIDDEN")
	must(alice, `mutation($id: ID!) { acceptFacilitation(id: $id) { status } }`, apitest.Vars{"id": fac.ProposeFacilitation.ID}, nil)

	// The purchase, facilitated by a party that did not agree, is refused.
	item := []apitest.Item{{ProductID: prod.CreateProduct.ID, Quantity: 3}}
	r := alice.PlaceOrder(apitest.Cart{Key: "e2e-refused", Items: item, FacilitatedBy: &stranger})
	if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "facilitat") {
		t.Fatalf("a non-consenting facilitator: %s", r.Raw)
	}

	progress := func() (direct, help int64) {
		p := admin.AgreementProgress(apitest.GlobalID(t, "Agreement", deal.ID), 2026).Must(t)
		return p.Target("DIRECT_PURCHASE").Actual, p.Target("HELP_SELL").Actual
	}
	direct0, help0 := progress()
	orders := alice.PlaceOrder(apitest.Cart{Key: "e2e-order-0001", Items: item, FacilitatedBy: &charity}).Must(t)
	o := orders[0]
	for _, s := range []struct {
		by   *apitest.Client
		step apitest.Step
	}{{bob, apitest.Confirm}, {bob, apitest.Ship}, {bob, apitest.Deliver}, {alice, apitest.Accept}, {alice, apitest.Settle}} {
		s.by.Step(o.ID, s.step).Must(t)
	}
	direct1, help1 := progress()
	if o.TotalFen != 3*6800 || direct1-direct0 != o.TotalFen || help1-help0 != o.TotalFen {
		t.Errorf("an order of %d fen moved DIRECT_PURCHASE by %d and HELP_SELL by %d", o.TotalFen, direct1-direct0, help1-help0)
	}
	var income int64
	for _, e := range db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME)).AllX(sys) {
		if e.HouseholdID == nil || *e.HouseholdID != h1.ID {
			t.Errorf("income reached household %v, which has no approved link", e.HouseholdID)
		}
		income += e.Amount
	}
	if income != o.TotalFen*500/10_000 {
		t.Errorf("household income %d fen, want %d", income, o.TotalFen*500/10_000)
	}
}
