package httpapi_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/exitslackcase"
	"bangfu/ent/household"
	"bangfu/ent/membership"
	"bangfu/ent/region"
	"bangfu/ent/user"
	"bangfu/ent/verificationsample"
	"bangfu/internal/apitest"
	"bangfu/internal/demo"
	"bangfu/internal/evaluation"
	"bangfu/internal/store/storetest"
	"bangfu/internal/xlsx"
)

// TestEvaluatorWalksAVerification: the demo evaluator draws a sample of
// its county through HTTP (twice: the same sample), records visits (one a
// discrepancy against the ledger, one twice: CONFLICT), reads the roll-up
// and exports it; an evaluator of another county can neither draw there
// nor see or visit the sample.
func TestEvaluatorWalksAVerification(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db, sys := srv.DB, storetest.AsSystem()
	evaluator := srv.SignIn("evaluator@bangfu.example")
	county := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleEVALUATOR),
		membership.HasUserWith(user.Email("evaluator@bangfu.example"))).QueryScopeRegions().OnlyX(sys)
	countyID := apitest.GlobalID(t, "Region", county.ID)

	const draw = `mutation($c: ID!, $s: String!) { drawVerificationSample(countyId: $c, year: 2026, size: 6, seed: $s) {
		id size seed algorithm population households(first: 20) { edges { node { id number
			benefitLinks(first: 5, where: {status: APPROVED}) { edges { node { id supplier { id name } } } } } } } } }`
	type sampled struct {
		DrawVerificationSample struct {
			ID, Seed, Algorithm string
			Size, Population    int
			Households          struct {
				Edges []struct {
					Node struct {
						ID, Number   string
						BenefitLinks struct {
							Edges []struct {
								Node struct {
									ID       string
									Supplier struct{ ID, Name string }
								}
							}
						}
					}
				}
			}
		}
	}
	var first, again sampled
	evaluator.Must(draw, apitest.Vars{"c": countyID, "s": "e2e-seed"}, &first)
	evaluator.Must(draw, apitest.Vars{"c": countyID, "s": "e2e-seed"}, &again)
	s := first.DrawVerificationSample
	if again.DrawVerificationSample.ID != s.ID {
		t.Fatalf("the same draw made two samples: %s, %s", s.ID, again.DrawVerificationSample.ID)
	}
	// The sample is what anyone can redraw from the seed and the county's
	// household numbers.
	var population []string
	for _, h := range db.Client.Household.Query().Where(household.CountyCode(county.Code),
		household.HasBenefitLinksWith(benefitlink.Or(benefitlink.StatusEQ(benefitlink.StatusAPPROVED),
			benefitlink.And(benefitlink.StatusEQ(benefitlink.StatusENDED), benefitlink.DecidedAtNotNil())))).AllX(sys) {
		population = append(population, h.Number)
	}
	want := evaluation.Draw("e2e-seed", population, 6)
	var got []string
	for _, e := range s.Households.Edges {
		got = append(got, e.Node.Number)
	}
	if s.Population != len(population) || s.Algorithm != evaluation.Algorithm || len(got) != min(6, len(population)) ||
		strings.Join(sortedCopy(got), ",") != strings.Join(sortedCopy(want), ",") {
		t.Fatalf("sample %v of %d (%s), want %v of %d", got, s.Population, s.Algorithm, want, len(population))
	}

	// Visits: an honest report and a household that says it got nothing of
	// what the ledger booked.
	const visit = `mutation($i: VerificationVisitInput!) { recordVerificationVisit(input: $i) {
		id reportedIncomeFen ledgerIncomeFen discrepancy discrepancyShareBp satisfaction } }`
	type visited struct {
		RecordVerificationVisit struct {
			ReportedIncomeFen, LedgerIncomeFen int64
			Discrepancy                        bool
			DiscrepancyShareBp, Satisfaction   int
		}
	}
	svc := srv.Services.Evaluation
	var links []string
	var ledgers []int64
	for _, e := range s.Households.Edges {
		for _, l := range e.Node.BenefitLinks.Edges {
			link := db.Client.BenefitLink.GetX(sys, apitest.RawID(t, l.Node.ID))
			ledger, _, err := svc.LedgerIncome(sys, link.HouseholdID, link.SupplierID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if ledger > 0 && len(links) < 2 {
				links, ledgers = append(links, l.Node.ID), append(ledgers, ledger)
			}
		}
	}
	if len(links) < 2 {
		t.Fatalf("the sample has %d links with ledger income; the demo should give it two", len(links))
	}
	var honest, short visited
	evaluator.Must(visit, apitest.Vars{"i": apitest.Vars{"sampleId": s.ID, "benefitLinkId": links[0], "knowsSupplier": true,
		"confirmsMechanism": true, "reportedIncomeFen": ledgers[0] * 6 / 10, "satisfaction": 5}}, &honest)
	evaluator.Must(visit, apitest.Vars{"i": apitest.Vars{"sampleId": s.ID, "benefitLinkId": links[1], "knowsSupplier": false,
		"confirmsMechanism": false, "reportedIncomeFen": ledgers[1]*5/10 - 1, "satisfaction": 2, "notes": "不认识该合作社"}}, &short)
	if v := honest.RecordVerificationVisit; v.Discrepancy || v.LedgerIncomeFen != ledgers[0] || v.DiscrepancyShareBp != evaluation.DefaultDiscrepancyShareBP {
		t.Fatalf("60%% of the ledger is no discrepancy: %+v", v)
	}
	if v := short.RecordVerificationVisit; !v.Discrepancy || v.LedgerIncomeFen != ledgers[1] {
		t.Fatalf("just under half of the ledger is a discrepancy: %+v", v)
	}
	// The discrepancy is an integrity flag on the link for auditors, with
	// the visit and the ledger entries as evidence and the figures compared.
	var flags struct {
		Flags struct {
			Edges []struct {
				Node struct {
					SubjectType, Status string
					Subjects, Evidence  []string
					Thresholds          map[string]any
				}
			}
		}
	}
	srv.SignIn("auditor@bangfu.example").Must(`{ flags(first: 50, where: {code: "LOW_REPORTED_INCOME"}) { edges { node {
		subjectType status subjects evidence thresholds } } } }`, nil, &flags)
	found := false
	for _, e := range flags.Flags.Edges {
		if slices.Contains(e.Node.Subjects, links[1]) {
			found = e.Node.SubjectType == "BENEFIT_LINK" && e.Node.Status == "OPEN" && len(e.Node.Evidence) > 1 &&
				e.Node.Thresholds["ledgerIncomeFen"] == float64(ledgers[1]) && e.Node.Thresholds["shareBp"] == float64(5000)
		}
		if slices.Contains(e.Node.Subjects, links[0]) {
			t.Fatalf("the honest visit raised a flag: %+v", e.Node)
		}
	}
	if !found {
		t.Fatalf("no LOW_REPORTED_INCOME flag on %s: %+v", links[1], flags)
	}
	evaluator.Do(visit, apitest.Vars{"i": apitest.Vars{"sampleId": s.ID, "benefitLinkId": links[0], "knowsSupplier": true,
		"confirmsMechanism": true, "reportedIncomeFen": 1, "satisfaction": 5}}).WantCode(t, "CONFLICT")
	evaluator.Do(visit, apitest.Vars{"i": apitest.Vars{"sampleId": s.ID, "benefitLinkId": links[1], "knowsSupplier": true,
		"confirmsMechanism": true, "reportedIncomeFen": 1, "satisfaction": 6}}).WantCode(t, "BAD_USER_INPUT")

	// The roll-up counts the demo's three visits and these two.
	var ru struct {
		VerificationRollup struct {
			Counties, Suppliers, Agreements []struct {
				Subject                                          struct{ ID string }
				Name                                             string
				Visits, Households, KnowsSupplier, Discrepancies int
				ReportedIncomeFen, LedgerIncomeFen               int64
				AverageSatisfaction                              float64
			}
		}
	}
	evaluator.Must(`query($c: ID) { verificationRollup(countyId: $c, year: 2026) {
		counties { subject { id } name visits households knowsSupplier discrepancies reportedIncomeFen ledgerIncomeFen averageSatisfaction }
		suppliers { subject { id } name visits households knowsSupplier discrepancies reportedIncomeFen ledgerIncomeFen averageSatisfaction }
		agreements { subject { id } name visits households knowsSupplier discrepancies reportedIncomeFen ledgerIncomeFen averageSatisfaction } } }`,
		apitest.Vars{"c": countyID}, &ru)
	visits := db.Client.VerificationVisit.Query().AllX(sys)
	var reported, ledger int64
	discrepancies, satisfaction := 0, 0
	for _, v := range visits {
		reported, ledger, satisfaction = reported+v.ReportedIncomeFen, ledger+v.LedgerIncomeFen, satisfaction+v.Satisfaction
		if v.Discrepancy {
			discrepancies++
		}
	}
	if len(visits) != 5 || discrepancies != 2 {
		t.Fatalf("%d visits, %d discrepancies; want the demo's 3 (1) and these 2 (1)", len(visits), discrepancies)
	}
	c := ru.VerificationRollup.Counties
	if len(c) != 1 || c[0].Subject.ID != countyID || c[0].Visits != 5 || c[0].Discrepancies != 2 ||
		c[0].ReportedIncomeFen != reported || c[0].LedgerIncomeFen != ledger || c[0].AverageSatisfaction != float64(satisfaction)/5 {
		t.Fatalf("county roll-up %+v; want 5 visits, 2 discrepancies, %d/%d fen", c, reported, ledger)
	}
	supplierVisits := 0
	for _, r := range ru.VerificationRollup.Suppliers {
		supplierVisits += r.Visits
	}
	if supplierVisits != 5 || len(ru.VerificationRollup.Agreements) == 0 {
		t.Fatalf("supplier rows count %d visits, %d agreement rows", supplierVisits, len(ru.VerificationRollup.Agreements))
	}

	// Exports: the same visits as CSV and XLSX.
	csv := evaluator.Send("GET", "/exports/verification-visits.csv?year=2026&countyId="+countyID, "", "", nil)
	if csv.Status != 200 || !strings.HasPrefix(csv.Raw, "\ufeff") || strings.Count(csv.Raw, "\n") != 6 ||
		!strings.Contains(csv.Raw, "不认识该合作社") {
		t.Fatalf("CSV export: %d %q", csv.Status, csv.Raw)
	}
	book := evaluator.Send("GET", "/exports/verification-visits.xlsx?year=2026", "", "", nil)
	sheets, err := xlsx.Read(bytes.NewReader([]byte(book.Raw)), int64(len(book.Raw)))
	if err != nil || len(sheets) != 1 || len(sheets[0].Rows) != 5 {
		t.Fatalf("XLSX export: %v, %+v", err, sheets)
	}
	srv.Anonymous().Send("GET", "/exports/verification-visits.csv?year=2026", "", "", nil).WantCode(t, "UNAUTHENTICATED")

	// An evaluator of another county.
	other := db.Client.Region.Query().Where(region.LevelEQ(region.LevelCOUNTY), region.CodeNEQ(county.Code)).
		Order(ent.Asc(region.FieldCode)).FirstX(sys)
	outsider := officialOf(t, srv, "outsider@bangfu.example", "EVALUATOR", other)
	outsider.Do(draw, apitest.Vars{"c": countyID, "s": "e2e-seed"}).WantCode(t, "FORBIDDEN")
	outsider.Do(draw, apitest.Vars{"c": countyID, "s": "another"}).WantCode(t, "FORBIDDEN")
	var hidden struct{ Node *struct{ ID string } }
	outsider.Must(`query($id: ID!) { node(id: $id) { id } }`, apitest.Vars{"id": s.ID}, &hidden)
	if hidden.Node != nil {
		t.Fatalf("an outsider reads the sample: %+v", hidden.Node)
	}
	outsider.Do(visit, apitest.Vars{"i": apitest.Vars{"sampleId": s.ID, "benefitLinkId": links[0], "knowsSupplier": true,
		"confirmsMechanism": true, "reportedIncomeFen": 1, "satisfaction": 5}}).WantCode(t, "NOT_FOUND")
	var none struct {
		VerificationRollup struct{ Counties []struct{ Visits int } }
	}
	outsider.Must(`query($c: ID) { verificationRollup(countyId: $c, year: 2026) { counties { visits } } }`, apitest.Vars{"c": countyID}, &none)
	if len(none.VerificationRollup.Counties) != 0 {
		t.Fatalf("an outsider's roll-up shows %+v", none)
	}
	// The county's own coordinator reads the sample but records no visit:
	// evaluators are independent of the officials whose figures they check.
	official := officialOf(t, srv, "county-coordinator@bangfu.example", "COORDINATOR", county)
	official.Must(`query($id: ID!) { node(id: $id) { id } }`, apitest.Vars{"id": s.ID}, &hidden)
	if hidden.Node == nil {
		t.Fatal("the county's coordinator does not see the sample")
	}
	official.Do(visit, apitest.Vars{"i": apitest.Vars{"sampleId": s.ID, "benefitLinkId": links[0],
		"knowsSupplier": true, "confirmsMechanism": true, "reportedIncomeFen": 1, "satisfaction": 5}}).WantCode(t, "FORBIDDEN")
	if n := db.Client.VerificationSample.Query().Where(verificationsample.Seed("another")).CountX(sys); n != 0 {
		t.Fatalf("a refused draw stored %d samples", n)
	}
}

// officialOf makes an account with the role scoped to the county through
// the admin's grantRole, and signs it in.
func officialOf(t *testing.T, srv *apitest.Server, email, role string, county *ent.Region) *apitest.Client {
	t.Helper()
	admin := srv.SignIn("admin@bangfu.example")
	var made struct{ CreateUser struct{ ID string } }
	admin.Must(`mutation($e: String!) { createUser(input: {email: $e, displayName: "评估员", password: "evaluator-pass-1"}) { id } }`,
		apitest.Vars{"e": email}, &made)
	admin.Must(`mutation($u: ID!, $role: MembershipRole!, $r: [ID!]) { grantRole(input: {userId: $u, role: $role, regionIds: $r}) { id } }`,
		apitest.Vars{"u": made.CreateUser.ID, "role": role, "r": []string{apitest.GlobalID(t, "Region", county.ID)}}, nil)
	c := srv.Anonymous()
	c.Token = c.Login(email, "evaluator-pass-1").Must(t).AccessToken
	return c
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestCoordinatorHoldsTheReminderInterview: the demo's slack check opened
// a case for 兰坪 (exited 2020) with the figures it compared; running the
// check again opens nothing; a coordinator of Yunnan records the
// interview (once), a certifier cannot, and the auditor reads it.
func TestCoordinatorHoldsTheReminderInterview(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db, sys := srv.DB, storetest.AsSystem()
	cases := db.Client.ExitSlackCase.Query().WithCounty().WithAgreements().AllX(sys)
	if len(cases) != 1 || cases[0].Edges.County.Code != demo.SlackCounty || len(cases[0].Edges.Agreements) == 0 ||
		!evaluation.Slackened(cases[0].PreviousFundsFen, cases[0].CurrentFundsFen, cases[0].ThresholdBp) ||
		cases[0].ThresholdBp != evaluation.DefaultSlackFallBP || !strings.Contains(cases[0].Reason, "funds fell") {
		t.Fatalf("the demo's slack cases: %+v", cases)
	}
	id := apitest.GlobalID(t, "ExitSlackCase", cases[0].ID)
	var report struct {
		RunExitSlackCheck struct {
			ThresholdBp int
			Compared    []struct {
				County    struct{ Name string }
				Slackened bool
			}
			CasesOpened []struct{ ID string }
		}
	}
	admin := srv.SignIn("admin@bangfu.example")
	admin.Must(`mutation { runExitSlackCheck { thresholdBp compared { county { name } slackened } casesOpened { id } } }`, nil, &report)
	if r := report.RunExitSlackCheck; len(r.CasesOpened) != 0 || len(r.Compared) == 0 || r.ThresholdBp != 3000 {
		t.Fatalf("a second check: %+v", r)
	}
	srv.SignIn("coordinator@bangfu.example").Do(`mutation { runExitSlackCheck { year } }`, nil).WantCode(t, "FORBIDDEN")

	const interview = `mutation($id: ID!, $at: Time!) { recordReminderInterview(caseId: $id, interviewedAt: $at, outcome: "县委书记约谈，承诺一季度内恢复帮扶资金投入") {
		status interviewedAt interviewOutcome } }`
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	srv.SignIn("certifier@bangfu.example").Do(interview, apitest.Vars{"id": id, "at": at}).WantCode(t, "FORBIDDEN")
	coordinator := srv.SignIn("coordinator@bangfu.example")
	var seen struct {
		ExitSlackCases struct{ TotalCount int }
	}
	coordinator.Must(`{ exitSlackCases(first: 10, where: {status: OPEN}) { totalCount } }`, nil, &seen)
	if seen.ExitSlackCases.TotalCount != 1 {
		t.Fatalf("the coordinator sees %d open cases", seen.ExitSlackCases.TotalCount)
	}
	coordinator.Do(interview, apitest.Vars{"id": id, "at": time.Now().Add(time.Hour).Format(time.RFC3339)}).WantCode(t, "BAD_USER_INPUT")
	var done struct {
		RecordReminderInterview struct{ Status, InterviewOutcome string }
	}
	coordinator.Must(interview, apitest.Vars{"id": id, "at": at}, &done)
	if done.RecordReminderInterview.Status != "INTERVIEWED" {
		t.Fatalf("after the interview: %+v", done)
	}
	coordinator.Do(interview, apitest.Vars{"id": id, "at": at}).WantCode(t, "CONFLICT")
	c := db.Client.ExitSlackCase.Query().Where(exitslackcase.ID(cases[0].ID)).OnlyX(sys)
	if c.InterviewedByID == nil || c.InterviewedAt == nil {
		t.Fatalf("the interview names nobody: %+v", c)
	}
	var audited struct {
		ExitSlackCases struct {
			Edges []struct{ Node struct{ Status string } }
		}
	}
	srv.SignIn("auditor@bangfu.example").Must(`{ exitSlackCases(first: 5) { edges { node { status } } } }`, nil, &audited)
	if len(audited.ExitSlackCases.Edges) != 1 || audited.ExitSlackCases.Edges[0].Node.Status != "INTERVIEWED" {
		t.Fatalf("the auditor reads %+v", audited)
	}
}
