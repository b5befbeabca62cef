package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"bangfu/ent/householdmember"
	"bangfu/ent/membership"
	"bangfu/internal/apitest"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

// memberFields selects the personal fields wherever a member appears.
const memberFields = `members(first: 10) { edges { node { id name idNumber phone } } }`

// TestPersonalDataSweep asks for household members through every path
// that reaches them, as viewers whose scope does not cover the household's
// county, and checks that no name, ID number or phone comes back in clear.
func TestPersonalDataSweep(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	tokens := tokensByRole(t, srv)
	sys := storetest.AsSystem()

	// The coordinator's scope is Yunnan (53) and the certifier's one county;
	// every other member's values must only ever come back masked. (Names
	// repeat across households, so values also held by an in-scope member
	// cannot be told apart and are left out.)
	members := db.Client.HouseholdMember.Query().AllX(sys)
	certifierCounty := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleCERTIFIER)).QueryScopeRegions().FirstX(sys).Code
	inScope := map[string]func(code string) bool{
		"COORDINATOR": func(code string) bool { return strings.HasPrefix(code, "53") },
		"CERTIFIER":   func(code string) bool { return code == certifierCounty },
	}
	secretsFor := func(role string) []string {
		covered := inScope[role]
		visible := map[string]bool{}
		for _, m := range members {
			if covered != nil && covered(m.CountyCode) {
				visible[m.Name], visible[m.IDNumber], visible[m.Phone] = true, true, true
			}
		}
		var out []string
		for _, m := range members {
			for _, v := range []string{m.Name, m.IDNumber, m.Phone} {
				if v != "" && !visible[v] {
					out = append(out, v)
				}
			}
		}
		return out
	}

	var ids []string
	for _, m := range members[:5] {
		ids = append(ids, apitest.GlobalID(t, "HouseholdMember", m.ID))
	}
	idsJSON, _ := json.Marshal(ids)
	queries := []string{
		`{ households(first: 100) { edges { node { ` + memberFields + ` } } } }`,
		`{ households(last: 100) { edges { node { ` + memberFields + ` } } } }`,
		`{ regions(first: 100, where: {level: VILLAGE}) { edges { node { households(first: 20) { edges { node { ` + memberFields + ` } } } } } } }`,
		`{ organizations(first: 100, where: {hasBenefitLinks: true}) { edges { node { benefitLinks(first: 20) { edges { node { household { ` + memberFields + ` } } } } } } } }`,
		`{ nodes(ids: ` + string(idsJSON) + `) { ... on HouseholdMember { name idNumber phone household { ` + memberFields + ` } } } }`,
		`{ node(id: ` + fmt.Sprintf("%q", ids[0]) + `) { ... on HouseholdMember { name idNumber phone } } }`,
		`{ auditEvents(first: 100) { edges { node { action before after } } } }`,
		`{ verificationSamples(first: 10) { edges { node { households(first: 20) { edges { node { ` + memberFields + ` } } } } } } }`,
		`{ verificationVisits(first: 20) { edges { node { household { ` + memberFields + ` } } } } }`,
	}
	for _, m := range members[:5] {
		queries = append(queries, fmt.Sprintf(`{ householdMemberByIdNumber(idNumber: %q) { name idNumber phone } }`, m.IDNumber))
	}

	for _, role := range []string{"SUPPLIER", "AUDITOR", "COORDINATOR", "CERTIFIER", "BUYER", "EVALUATOR", "ANONYMOUS"} {
		secrets := secretsFor(role)
		sawMember := false
		for _, q := range queries {
			r := srv.As(tokens[role]).Do(q, nil)
			for _, s := range secrets {
				if s != "" && strings.Contains(r.Raw, s) {
					t.Fatalf("%s sees %q in clear via %s", role, s, q)
				}
			}
			if strings.Contains(r.Raw, `"idNumber":"99`) {
				sawMember = true
			}
		}
		if (role == "SUPPLIER" || role == "AUDITOR") && !sawMember {
			t.Errorf("%s got no members at all: the sweep proved nothing", role)
		}
	}

	// Scoped viewers do see clear values for their own counties.
	var scoped struct {
		HouseholdMemberByIDNumber *struct{ Name, IDNumber string }
	}
	var yunnan = db.Client.HouseholdMember.Query().Where(householdmember.CountyCodeHasPrefix("53")).FirstX(sys)
	srv.As(tokens["COORDINATOR"]).Do(`query($n: String!) { householdMemberByIdNumber(idNumber: $n) { name idNumber } }`, map[string]any{"n": yunnan.IDNumber}).Must(t, &scoped)
	if scoped.HouseholdMemberByIDNumber == nil || scoped.HouseholdMemberByIDNumber.IDNumber != yunnan.IDNumber || scoped.HouseholdMemberByIDNumber.Name != yunnan.Name {
		t.Errorf("coordinator scoped to Yunnan got %+v, want clear %s", scoped.HouseholdMemberByIDNumber, yunnan.IDNumber)
	}
	srv.As(tokens["AUDITOR"]).Do(`query($n: String!) { householdMemberByIdNumber(idNumber: $n) { name idNumber } }`, map[string]any{"n": yunnan.IDNumber}).Must(t, &scoped)
	if m := scoped.HouseholdMemberByIDNumber; m == nil || !strings.Contains(m.IDNumber, "**********") || !strings.HasSuffix(m.Name, "*") {
		t.Errorf("auditor got %+v, want masked values", m)
	}
}

// TestEveryPathToMembersIsSwept fails when the schema grows a new way to
// reach household members that TestPersonalDataSweep does not query.
func TestEveryPathToMembersIsSwept(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	var data struct {
		Schema struct {
			Types []struct {
				Name   string
				Fields []struct {
					Name string
					Type struct {
						Name   *string
						OfType *struct {
							Name   *string
							OfType *struct{ Name *string }
						}
					}
				}
			}
		} `json:"__schema"`
	}
	srv.Anonymous().Do(`{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }`, nil).Must(t, &data)
	var paths []string
	for _, typ := range data.Schema.Types {
		for _, f := range typ.Fields {
			name := ""
			switch tt := f.Type; {
			case tt.Name != nil:
				name = *tt.Name
			case tt.OfType != nil && tt.OfType.Name != nil:
				name = *tt.OfType.Name
			case tt.OfType != nil && tt.OfType.OfType != nil && tt.OfType.OfType.Name != nil:
				name = *tt.OfType.OfType.Name
			}
			if name == "HouseholdMember" || name == "HouseholdMemberConnection" || name == "Household" || name == "HouseholdConnection" {
				paths = append(paths, typ.Name+"."+f.Name)
			}
		}
	}
	sort.Strings(paths)
	want := []string{
		"AnnualIncome.household", "BenefitLink.household", "HouseholdMember.household", "HouseholdMemberEdge.node",
		"Household.members", "HouseholdEdge.node", "LedgerEntry.household", "MonitoringCase.household",
		"Query.householdMemberByIdNumber", "Query.households", "Region.households",
		// Verification samples and visits (TestPersonalDataSweep reads through them).
		"VerificationSample.households", "VerificationVisit.household",
		// The registry's mutations answer only officials whose scope covers
		// the household (TestMutationAuthorizationMatrix), through the same
		// masking field resolvers.
		"Mutation.addHouseholdMember", "Mutation.createHousehold", "Mutation.exitHousehold",
		"Mutation.removeHouseholdMember", "Mutation.updateHousehold", "Mutation.updateHouseholdMember",
	}
	sort.Strings(want)
	if strings.Join(paths, ",") != strings.Join(want, ",") {
		t.Errorf("paths to households and members changed; extend TestPersonalDataSweep.\n got %v\nwant %v", paths, want)
	}
}

// TestAuditTrail checks that mutations leave chained events and that
// editing or deleting a stored event is detected.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	tokens := tokensByRole(t, srv)
	var created struct{ CreateUser struct{ ID string } }
	srv.As(tokens["ADMIN"]).Do(`mutation { createUser(input: {email: "audited@bangfu.example", displayName: "审计对象", password: "long-enough-pw"}) { id } }`, nil).Must(t, &created)
	srv.As(tokens["ADMIN"]).Do(`mutation($id: ID!) { setUserStatus(userId: $id, status: DISABLED) { status } }`, map[string]any{"id": created.CreateUser.ID}).Must(t, &struct{}{})

	var events struct {
		AuditEvents struct {
			Edges []struct {
				Node struct {
					Action, RequestID string
					ActorID           *int
					Changes           []map[string]any
				}
			}
		}
	}
	srv.As(tokens["AUDITOR"]).Do(`{ auditEvents(last: 20, where: {entityType: "User"}) { edges { node { action requestID actorID changes } } } }`, nil).Must(t, &events)
	var update map[string]any
	for _, e := range events.AuditEvents.Edges {
		if e.Node.ActorID == nil {
			t.Errorf("event %s names nobody", e.Node.Action)
		}
		for _, c := range e.Node.Changes {
			after, _ := c["after"].(map[string]any)
			if e.Node.Action == "setUserStatus" && c["type"] == "User" && after["status"] == "DISABLED" {
				update, _ = c["before"].(map[string]any)
				if e.Node.RequestID == "" {
					t.Error("event has no request id")
				}
			}
			if after["password_hash"] != nil && after["password_hash"] != "[redacted]" {
				t.Errorf("password hash in the trail: %v", after)
			}
		}
	}
	if update["status"] != "ACTIVE" {
		t.Fatalf("no setUserStatus event with the user's status before and after; got %+v", events)
	}

	verify := func() (ok bool, broken *string) {
		var data struct {
			VerifyAuditChain struct {
				Ok            bool
				Checked       int
				FirstBrokenID *string
				Reason        *string
			}
		}
		srv.As(tokens["AUDITOR"]).Do(`{ verifyAuditChain { ok checked firstBrokenId reason } }`, nil).Must(t, &data)
		if data.VerifyAuditChain.Ok && data.VerifyAuditChain.Checked < 3 {
			t.Fatalf("checked only %d leaves", data.VerifyAuditChain.Checked)
		}
		return data.VerifyAuditChain.Ok, data.VerifyAuditChain.FirstBrokenID
	}
	if ok, _ := verify(); !ok {
		t.Fatal("fresh chain reported broken")
	}
	if r := srv.As(tokens["COORDINATOR"]).Do(`{ verifyAuditChain { ok } }`, nil); r.Code() != "FORBIDDEN" {
		t.Errorf("coordinator verifying the chain: %s", r.Code())
	}

	// Nobody edits or deletes events through the application, admins included.
	admin := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1, Grants: []viewer.Grant{{Role: viewer.Admin}}})
	sys := storetest.AsSystem()
	ids := db.Client.AuditEvent.Query().IDsX(sys)
	if err := db.Client.AuditEvent.DeleteOneID(ids[1]).Exec(admin); err == nil {
		t.Fatal("admin deleted an audit event")
	}

	// Editing a row behind the application's back is detected.
	victim := ids[len(ids)/2]
	if _, err := db.SQL.Exec(rebind(db.Dialect, `UPDATE audit_events SET action = 'User.create' WHERE id = ?`), victim); err != nil {
		t.Fatal(err)
	}
	ok, broken := verify()
	if ok || broken == nil || *broken != apitest.GlobalID(t, "AuditEvent", victim) {
		t.Fatalf("edited event %d not reported: ok=%v broken=%v", victim, ok, broken)
	}
}

func rebind(dialect, q string) string {
	if dialect == "postgres" {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}

func TestAuditDeletionDetected(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	tokens := tokensByRole(t, srv)
	for i := 0; i < 3; i++ {
		srv.As(tokens["ADMIN"]).Do(fmt.Sprintf(`mutation { createUser(input: {email: "d%d@bangfu.example", displayName: "x", password: "long-enough-pw"}) { id } }`, i), nil).Must(t, &struct{}{})
	}
	sys := storetest.AsSystem()
	// The server seals committed events into the log within moments.
	if _, err := srv.Services.Log.SealThrough(sys); err != nil {
		t.Fatal(err)
	}
	ids := db.Client.AuditEvent.Query().IDsX(sys)
	sort.Ints(ids)
	if _, err := db.SQL.Exec(rebind(db.Dialect, `DELETE FROM audit_events WHERE id = ?`), ids[2]); err != nil {
		t.Fatal(err)
	}
	var data struct {
		VerifyAuditChain struct {
			Ok     bool
			Reason *string
		}
	}
	srv.As(tokens["AUDITOR"]).Do(`{ verifyAuditChain { ok reason } }`, nil).Must(t, &data)
	if data.VerifyAuditChain.Ok {
		t.Fatal("deleted event not detected")
	}
}
