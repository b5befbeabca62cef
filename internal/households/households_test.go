package households_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/households"
	"bangfu/internal/monitoring"
	"bangfu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// code is an error's stable code, or "" for success.
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "untyped: " + err.Error()
}

type fixture struct {
	svc    *households.Service
	client *ent.Client
	sys    context.Context
	// A village in the story county (152221) and one in another county.
	village, elsewhere *ent.Region
	n                  int
}

// The rules are the service's; the policies have tests of their own, so
// these calls act as the system.
func setup(t *testing.T) *fixture {
	t.Helper()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	f := &fixture{client: db.Client, sys: sys,
		svc: households.New(db.Client, clock.Real, monitoring.New(db.Client, clock.Real))}
	f.village = db.Client.Region.Query().Where(region.LevelEQ(region.LevelVILLAGE), region.CodeHasPrefix("152221")).FirstX(sys)
	f.elsewhere = db.Client.Region.Query().Where(region.LevelEQ(region.LevelVILLAGE), region.Not(region.CodeHasPrefix("152221"))).FirstX(sys)
	return f
}

func (f *fixture) household(t *testing.T, village *ent.Region) *ent.Household {
	t.Helper()
	f.n++
	number, cause := fmt.Sprintf("T%06d", f.n), household.MainCauseILLNESS
	h, err := f.svc.CreateHousehold(f.sys, households.HouseholdInput{Number: &number, VillageID: &village.ID, MainCause: &cause})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A household exits (脱贫) only with the year's income above its
// province's line and 两不愁三保障 recorded as met; a refusal changes
// nothing.
func TestExitRules(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := f.household(t, f.village) // Inner Mongolia: the demo line is 870,000 fen in 2025 and 2026
	yes, no := true, false
	income := func(fen int64, housing *bool) {
		t.Helper()
		_, err := f.svc.RecordAnnualIncome(f.sys, households.IncomeInput{HouseholdID: h.ID, Year: 2025, PerCapitaFen: fen,
			FoodClothingOK: &yes, SchoolingOK: &yes, MedicalOK: &yes, HousingOK: housing})
		if err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name   string
		before func()
		year   int
		want   string
	}{
		{"no income recorded", func() {}, 2025, "CONFLICT"},
		{"housing not safe", func() { income(900_000, &no) }, 2025, "CONFLICT"},
		{"housing not checked", func() { income(900_000, nil) }, 2025, "CONFLICT"},
		{"below the line", func() { income(800_000, &yes) }, 2025, "CONFLICT"},
		{"on the line", func() { income(870_000, &yes) }, 2025, "CONFLICT"},
		{"no line that year", func() {
			_, err := f.svc.RecordAnnualIncome(f.sys, households.IncomeInput{HouseholdID: h.ID, Year: 2024, PerCapitaFen: 1_000_000,
				FoodClothingOK: &yes, SchoolingOK: &yes, MedicalOK: &yes, HousingOK: &yes})
			if err != nil {
				t.Fatal(err)
			}
		}, 2024, "CONFLICT"},
		{"above the line", func() { income(870_001, &yes) }, 2025, ""},
		{"exited already", func() {}, 2025, "CONFLICT"},
	}
	for _, s := range steps {
		s.before()
		_, err := f.svc.Exit(f.sys, h.ID, s.year)
		if got := code(err); got != s.want {
			t.Fatalf("%s: got %q (%v), want %q", s.name, got, err, s.want)
		}
		now := f.client.Household.GetX(f.sys, h.ID)
		if exited := now.Status == household.StatusEXITED; exited != (s.want == "" || s.name == "exited already") {
			t.Fatalf("%s: the household is %s", s.name, now.Status)
		}
	}
	if got := f.client.Household.GetX(f.sys, h.ID); got.ExitYear == nil || *got.ExitYear != 2025 {
		t.Fatalf("exit year: %v", got.ExitYear)
	}
	if _, err := f.svc.Exit(f.sys, 1<<40, 2025); code(err) != "NOT_FOUND" {
		t.Fatalf("exiting a missing household: %v", err)
	}
}

// A benefit link names evidence; a household outside the supplier's
// county needs a reason; a supplier's links in force share at most the
// whole sale (10,000 bp), and an ended link frees its share.
func TestBenefitLinkRules(t *testing.T) {
	t.Parallel()
	f := setup(t)
	county := f.client.Region.Query().Where(region.Code("152221")).OnlyX(f.sys)
	coop := func(status organization.Status) int {
		return f.client.Organization.Create().SetName("联农合作社").SetKind(organization.KindCOOPERATIVE).SetRegionID(county.ID).
			SetStatus(status).SaveX(f.sys).ID
	}
	supplier, pending := coop(organization.StatusACTIVE), coop(organization.StatusPENDING)
	from := time.Now().UTC().Add(-time.Hour)
	propose := func(supplierID int, h *ent.Household, share int, reason string, evidence ...string) (*ent.BenefitLink, error) {
		return f.svc.ProposeLink(f.sys, households.LinkInput{SupplierID: supplierID, HouseholdID: h.ID,
			Mechanism: benefitlink.MechanismWAGE, ShareBp: share, ValidFrom: from, Evidence: evidence, CrossCountyReason: reason})
	}
	steps := []struct {
		name     string
		supplier int
		village  *ent.Region
		share    int
		reason   string
		evidence []string
		want     string
	}{
		{"no evidence", supplier, f.village, 100, "", []string{" "}, "BAD_USER_INPUT"},
		{"no share", supplier, f.village, 0, "", []string{"合同"}, "BAD_USER_INPUT"},
		{"more than the sale", supplier, f.village, 10_001, "", []string{"合同"}, "BAD_USER_INPUT"},
		{"pending supplier", pending, f.village, 100, "", []string{"合同"}, "CONFLICT"},
		{"another county, no reason", supplier, f.elsewhere, 3000, "", []string{"合同"}, "BAD_USER_INPUT"},
		{"another county, with reason", supplier, f.elsewhere, 3000, "易地扶贫搬迁安置点务工", []string{"合同"}, ""},
		{"in the county", supplier, f.village, 6000, "", []string{"合同", "工资表"}, ""},
		{"over the total", supplier, f.village, 1001, "", []string{"分红协议"}, "CONFLICT"},
		{"up to the total", supplier, f.village, 1000, "", []string{"分红协议"}, ""},
	}
	var links []*ent.BenefitLink
	for _, s := range steps {
		l, err := propose(s.supplier, f.household(t, s.village), s.share, s.reason, s.evidence...)
		if got := code(err); got != s.want {
			t.Fatalf("%s: got %q (%v), want %q", s.name, got, err, s.want)
		}
		if l != nil {
			links = append(links, l)
		}
	}
	if n := f.client.BenefitLink.Query().Where(benefitlink.SupplierIDIn(supplier, pending)).CountX(f.sys); n != len(links) {
		t.Fatalf("%d links stored, want the %d accepted", n, len(links))
	}
	// Ending the cross-county link frees its 3,000 bp.
	if _, err := f.svc.DecideLink(f.sys, links[0].ID, households.EndLink, "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := propose(supplier, f.household(t, f.village), 3000, "", "合同"); err != nil {
		t.Fatalf("the ended link's share was not freed: %v", err)
	}
	// Approval follows the workflow: an ended link is not approved.
	if _, err := f.svc.DecideLink(f.sys, links[0].ID, households.ApproveLink, "", nil); code(err) != "CONFLICT" {
		t.Fatalf("approving an ended link: %v", err)
	}
	if _, err := f.svc.DecideLink(f.sys, links[1].ID, households.RejectLink, "", nil); code(err) != "BAD_USER_INPUT" {
		t.Fatalf("rejecting without a reason: %v", err)
	}
	if _, err := f.svc.DecideLink(f.sys, links[1].ID, households.ApproveLink, "", nil); err != nil {
		t.Fatal(err)
	}
}
