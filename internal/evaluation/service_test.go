package evaluation_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/membership"
	"bangfu/ent/privacy"
	"bangfu/ent/progressreport"
	"bangfu/ent/region"
	"bangfu/ent/user"
	"bangfu/ent/verificationsample"
	"bangfu/internal/demo"
	"bangfu/internal/evaluation"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

// TestMain drops the package's template databases after its tests.
func TestMain(m *testing.M) { storetest.Main(m) }

// evaluatorOf is the context of an EVALUATOR scoped to the region codes
// (the person is the demo's evaluator@; only the grant differs).
func evaluatorOf(c *ent.Client, codes ...string) context.Context {
	id := c.User.Query().Where(user.Email("evaluator@bangfu.example")).OnlyIDX(storetest.AsSystem())
	return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: id,
		Grants: []viewer.Grant{{Role: viewer.Evaluator, RegionCodes: codes}}})
}

func code(err error) string {
	var coded interface{ ErrorCode() string }
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &coded):
		return coded.ErrorCode()
	case errors.Is(err, privacy.Deny):
		return "FORBIDDEN"
	}
	return err.Error()
}

// TestDrawSample: the draw's bounds, its county scope, and that the same
// arguments give the same stored sample: the one Draw computes from the
// county's household numbers.
func TestDrawSample(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	svc := evaluation.New(db.Client, time.Now, evaluation.Config{})
	county := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleEVALUATOR)).QueryScopeRegions().FirstX(sys)
	province := db.Client.Region.Query().Where(region.Code(county.Code[:2] + "0000")).OnlyX(sys)
	other := db.Client.Region.Query().Where(region.LevelEQ(region.LevelCOUNTY), region.CodeNEQ(county.Code)).FirstX(sys)
	inCounty := evaluatorOf(db.Client, county.Code)
	inProvince := evaluatorOf(db.Client, province.Code) // a province scope covers its counties
	elsewhere := evaluatorOf(db.Client, other.Code)
	var population []string
	for _, h := range db.Client.Household.Query().Where(household.CountyCode(county.Code),
		household.HasBenefitLinksWith(benefitlink.StatusEQ(benefitlink.StatusAPPROVED))).AllX(sys) {
		population = append(population, h.Number)
	}
	if len(population) < 3 {
		t.Fatalf("the demo county has %d households with links", len(population))
	}
	tests := []struct {
		name     string
		ctx      context.Context
		county   int
		year     int
		size     int
		seed     string
		want     string
		drawnLen int
	}{
		{"size 0", inCounty, county.ID, 2026, 0, "s", "BAD_USER_INPUT", 0},
		{"size above the bound", inCounty, county.ID, 2026, evaluation.MaxSampleSize + 1, "s", "BAD_USER_INPUT", 0},
		{"no seed", inCounty, county.ID, 2026, 3, "  ", "BAD_USER_INPUT", 0},
		{"a seed too long", inCounty, county.ID, 2026, 3, string(make([]byte, 65)), "BAD_USER_INPUT", 0},
		{"a year out of range", inCounty, county.ID, 1999, 3, "s", "BAD_USER_INPUT", 0},
		{"a province is not a county", inProvince, province.ID, 2026, 3, "s", "BAD_USER_INPUT", 0},
		{"no such county", inCounty, 1, 2026, 3, "s", "NOT_FOUND", 0},
		{"an evaluator of another county", elsewhere, county.ID, 2026, 3, "s", "FORBIDDEN", 0},
		{"a coordinator is no evaluator", viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 2,
			Grants: []viewer.Grant{{Role: viewer.Coordinator, RegionCodes: []string{county.Code}}}}), county.ID, 2026, 3, "s", "FORBIDDEN", 0},
		{"the smallest sample", inCounty, county.ID, 2026, evaluation.MinSampleSize, "s", "ok", 1},
		{"three", inCounty, county.ID, 2026, 3, "s", "ok", 3},
		{"through a province scope", inProvince, county.ID, 2026, 2, "s", "ok", 2},
		{"more than the population", inCounty, county.ID, 2026, evaluation.MaxSampleSize, "s", "ok", len(population)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := svc.DrawSample(tt.ctx, tt.county, tt.year, tt.size, tt.seed)
			if got := code(err); got != tt.want {
				t.Fatalf("%s, want %s (%v)", got, tt.want, err)
			}
			if err != nil {
				return
			}
			got := sampleNumbers(db.Client, s.ID)
			want := evaluation.Draw(tt.seed, population, tt.size)
			slices.Sort(want)
			if len(got) != tt.drawnLen || !slices.Equal(got, want) || s.Population != len(population) {
				t.Fatalf("drew %v of %d, want %v of %d", got, s.Population, want, len(population))
			}
			again, err := svc.DrawSample(tt.ctx, tt.county, tt.year, tt.size, tt.seed)
			if err != nil || again.ID != s.ID {
				t.Fatalf("drawing again: %v, sample %d then %d", err, s.ID, again.ID)
			}
		})
	}
}

// sampleNumbers are the household numbers of a sample, sorted.
func sampleNumbers(c *ent.Client, sampleID int) []string {
	var out []string
	for _, h := range c.VerificationSample.Query().Where(verificationsample.ID(sampleID)).QueryHouseholds().AllX(storetest.AsSystem()) {
		out = append(out, h.Number)
	}
	slices.Sort(out)
	return out
}

// TestDrawRace: evaluators drawing the same sample at once store one, and
// every one of them gets it.
func TestDrawRace(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	svc := evaluation.New(db.Client, time.Now, evaluation.Config{})
	county := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleEVALUATOR)).QueryScopeRegions().FirstX(sys)
	const racers = 8
	ids := make([]int, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			s, err := svc.DrawSample(evaluatorOf(db.Client, county.Code), county.ID, 2026, 4, "race")
			errs[i] = err
			if err == nil {
				ids[i] = s.ID
			}
		})
	}
	wg.Wait()
	for i := range racers {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("racer %d: %v, sample %d (first: %d)", i, errs[i], ids[i], ids[0])
		}
	}
	if n := db.Client.VerificationSample.Query().Where(verificationsample.Seed("race")).CountX(sys); n != 1 {
		t.Fatalf("%d samples stored", n)
	}
}

// TestSlackCheckComparesTheFigures: the check's figures for the demo's
// slackening county are the sums it says it compared, recomputed here from
// the reports; a stricter configuration flags more, never differently; the
// county that did not slacken is compared and left alone.
func TestSlackCheckComparesTheFigures(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	asOf := demo.Reference
	svc := evaluation.New(db.Client, func() time.Time { return asOf }, evaluation.Config{})
	rep, err := svc.CheckSlack(sys, asOf)
	if err != nil {
		t.Fatal(err)
	}
	funds := func(year int, by time.Time) int64 {
		var sum int64
		for _, r := range db.Client.ProgressReport.Query().Where(progressreport.StatusEQ(progressreport.StatusAPPROVED), progressreport.Year(year),
			progressreport.IndicatorIn(progressreport.IndicatorFUNDS_INVESTED, progressreport.IndicatorFUNDS_INTRODUCED),
			progressreport.ReviewedAtLTE(by),
			progressreport.HasAgreementWith(agreement.HasHelpedRegionsWith(region.CodeIn(demo.SlackCounty, demo.SlackCounty[:4]+"00", demo.SlackCounty[:2]+"0000")))).AllX(sys) {
			sum += r.Value
		}
		return sum
	}
	tests := []struct {
		name   string
		county string
		check  func(t *testing.T, c *evaluation.SlackComparison)
	}{
		{"the slackening county", demo.SlackCounty, func(t *testing.T, c *evaluation.SlackComparison) {
			prev, cur := funds(2025, asOf.AddDate(-1, 0, 0)), funds(2026, asOf)
			if !c.Slackened || c.PreviousFundsFen != prev || c.CurrentFundsFen != cur || prev == 0 ||
				evaluation.Fall(prev, cur) <= evaluation.DefaultSlackFallBP {
				t.Fatalf("%+v; recomputed funds %d → %d", c, prev, cur)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := slices.IndexFunc(rep.Compared, func(c *evaluation.SlackComparison) bool { return c.County.Code == tt.county })
			if i < 0 {
				t.Fatalf("%s was not compared", tt.county)
			}
			tt.check(t, rep.Compared[i])
		})
	}
	for _, c := range rep.Compared {
		if c.County.ExitYear == nil || *c.County.ExitYear >= 2026 {
			t.Errorf("%s (exit %v) is no exited county", c.County.Name, c.County.ExitYear)
		}
		if c.Slackened != (c.Reason != "") || c.Slackened && c.County.Code != demo.SlackCounty {
			t.Errorf("%s: slackened %v (%s)", c.County.Name, c.Slackened, c.Reason)
		}
	}
	if len(rep.CasesOpened) != 0 || rep.ThresholdBP != evaluation.DefaultSlackFallBP {
		t.Fatalf("the demo's check ran already: %d opened, threshold %d", len(rep.CasesOpened), rep.ThresholdBP)
	}
	// Not as anyone else: a whole-ledger job.
	if _, err := svc.CheckSlack(evaluatorOf(db.Client, demo.SlackCounty), asOf); code(err) != "FORBIDDEN" {
		t.Fatalf("an evaluator ran the check: %v", err)
	}
}
