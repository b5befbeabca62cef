package monitoring_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/household"
	"bangfu/ent/monitoringcase"
	"bangfu/graph/gqlerr"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/monitoring"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

func TestWorkingDaysAfter(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cst) }
	for _, tc := range []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"Monday + 1", at(2026, 11, 23, 9), 1, at(2026, 11, 24, 9)},
		{"Friday + 1 skips the weekend", at(2026, 11, 27, 9), 1, at(2026, 11, 30, 9)},
		{"Saturday + 1 is Monday", at(2026, 11, 28, 9), 1, at(2026, 11, 30, 9)},
		{"Monday + 5 is next Monday", at(2026, 11, 23, 9), 5, at(2026, 11, 30, 9)},
		{"Monday + 20 is four weeks on", at(2026, 11, 23, 9), 20, at(2026, 12, 21, 9)},
		{"Wednesday + 20 crosses the year", at(2026, 12, 16, 9), 20, at(2027, 1, 13, 9)},
		{"Friday 20:00 UTC is Saturday in China", time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC), 1, time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := monitoring.WorkingDaysAfter(tc.from, tc.n); !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got.In(cst), tc.want.In(cst))
			}
		})
	}
}

func setup(t *testing.T) (context.Context, *ent.Client) {
	sys := storetest.AsSystem()
	db := storetest.OpenDemo(t)
	return sys, db.Client
}

func TestWorkflow(t *testing.T) {
	t.Parallel()
	sys, c := setup(t)
	h := c.Household.Query().Where(household.Not(household.HasMonitoringCases())).FirstX(sys)
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC) // a Monday in China
	svc := monitoring.New(c, func() time.Time { return now })
	mc, err := svc.Apply(sys, monitoring.CaseInput{HouseholdID: h.ID, Type: monitoringcase.TypeSUDDEN_HARDSHIP, RiskFlags: []string{"ILLNESS"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := monitoring.WorkingDaysAfter(now, 20); !mc.IdentificationDue.Equal(want) {
		t.Fatalf("due %v, want %v", mc.IdentificationDue, want)
	}
	if _, err := svc.Apply(sys, monitoring.CaseInput{HouseholdID: h.ID, Type: monitoringcase.TypeMARGINAL}); gqlerr.CodeOf(err) != "CONFLICT" {
		t.Fatalf("second case in hand: %v", err)
	}
	if _, err := svc.Apply(sys, monitoring.CaseInput{HouseholdID: h.ID, Type: monitoringcase.TypeMARGINAL, RiskFlags: []string{"BAD_LUCK"}}); gqlerr.CodeOf(err) != "BAD_USER_INPUT" {
		t.Fatalf("unknown flag: %v", err)
	}
	advance := func(d time.Duration) { now = now.Add(d) }
	for _, s := range []struct {
		step monitoring.Step
		wait time.Duration
		want string
	}{
		{monitoring.Review, 0, "CONFLICT"}, // no home visit yet
		{monitoring.Visit, time.Hour, "ok"},
		{monitoring.Visit, 0, "CONFLICT"},
		{monitoring.Review, 24 * time.Hour, "ok"},
		{monitoring.Monitor, 0, "CONFLICT"}, // skipping notice and decision
		{monitoring.Notice, time.Hour, "ok"},
		{monitoring.Decide, 4 * 24 * time.Hour, "CONFLICT"}, // notice shorter than 5 days
		{monitoring.Decide, 24 * time.Hour, "ok"},
		{monitoring.Monitor, time.Hour, "ok"},
		{monitoring.Dismiss, 0, "CONFLICT"}, // monitored cases are not dismissed
		{"REOPEN", 0, "BAD_USER_INPUT"},
	} {
		advance(s.wait)
		if _, err := svc.Move(sys, mc.ID, s.step, ""); gqlerr.CodeOf(err) != s.want {
			t.Fatalf("%s at %v: %v, want %s", s.step, now, err, s.want)
		}
	}
	if got := c.Household.GetX(sys, h.ID).Status; got != household.StatusMONITORED {
		t.Fatalf("household %s after monitoring, want MONITORED", got)
	}
	var e *apperr.Error
	if _, err := svc.Move(sys, mc.ID, monitoring.Visit, ""); !errors.As(err, &e) || e.ErrorDetails()["currentStatus"] != "MONITORED" {
		t.Fatalf("conflict without the current status: %v", err)
	}
	if _, err := svc.Move(sys, mc.ID, monitoring.Eliminate, "收入稳定"); err != nil {
		t.Fatal(err)
	}
	if got := c.Household.GetX(sys, h.ID).Status; got != household.StatusEXITED {
		t.Fatalf("household %s after elimination, want EXITED", got)
	}

	// Dismissal needs a reason; an untouched case goes overdue.
	h2 := c.Household.Query().Where(household.Not(household.HasMonitoringCases())).FirstX(sys)
	mc2, err := svc.Apply(sys, monitoring.CaseInput{HouseholdID: h2.ID, Type: monitoringcase.TypeMARGINAL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Move(sys, mc2.ID, monitoring.Dismiss, ""); gqlerr.CodeOf(err) != "BAD_USER_INPUT" {
		t.Fatalf("dismissal without a reason: %v", err)
	}
	if svc.IsOverdue(mc2) {
		t.Fatal("a fresh case is overdue")
	}
	late := monitoring.New(c, clock.At(mc2.IdentificationDue.Add(time.Minute)))
	if !late.IsOverdue(mc2) {
		t.Fatal("a case past its deadline is not overdue")
	}
}

func TestScanIsIdempotent(t *testing.T) {
	t.Parallel()
	sys, c := setup(t)
	now := demo.Reference.AddDate(0, 0, 10)
	svc := monitoring.New(c, clock.At(now))
	first, err := svc.Scan(sys, 2026)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Scan(sys, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.CasesOpened) != 0 {
		t.Fatalf("the second scan opened %d cases (the first opened %d)", len(again.CasesOpened), len(first.CasesOpened))
	}
	open := c.MonitoringCase.Query().Where(monitoringcase.StatusEQ(monitoringcase.StatusDETECTED)).CountX(sys)
	if open == 0 {
		t.Fatal("the demo has no detected cases")
	}

	// A household monitored for over a month without development
	// assistance is flagged, once.
	village := c.Household.Query().FirstX(sys).VillageID
	h := c.Household.Create().SetNumber("SCAN-TEST-1").SetVillageID(village).SetMainCause(household.MainCauseILLNESS).SaveX(sys)
	identified := now.AddDate(0, 0, -40)
	mc := c.MonitoringCase.Create().SetHouseholdID(h.ID).SetType(monitoringcase.TypeMARGINAL).SetStatus(monitoringcase.StatusMONITORED).
		SetOpenedAt(identified.AddDate(0, 0, -20)).SetIdentificationDue(identified).SetIdentifiedAt(identified).SaveX(sys)
	rep, err := svc.Scan(sys, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.MonitoringCase.GetX(sys, mc.ID).DataQualityIssue; got == "" || rep.DataQualityIssues < 1 {
		t.Fatalf("no data-quality flag: %q, %d", got, rep.DataQualityIssues)
	}
	before := c.MonitoringCase.GetX(sys, mc.ID).UpdatedAt
	rep2, err := svc.Scan(sys, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if rep2.DataQualityIssues != rep.DataQualityIssues || len(rep2.CasesOpened) != 0 || !c.MonitoringCase.GetX(sys, mc.ID).UpdatedAt.Equal(before) {
		t.Fatalf("the third scan changed things: %+v vs %+v", rep2, rep)
	}
	if _, err := svc.Scan(viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1, Grants: []viewer.Grant{{Role: viewer.Coordinator}}}), 2026); gqlerr.CodeOf(err) != "FORBIDDEN" {
		t.Fatalf("scan by a coordinator: %v", err)
	}
}
