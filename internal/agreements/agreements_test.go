package agreements_test

import (
	"context"
	"testing"
	"time"

	"bangfu/ent/agreement"
	"bangfu/ent/assessment"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/ent/target"
	"bangfu/graph/gqlerr"
	"bangfu/internal/agreements"
	"bangfu/internal/clock"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAgreementRules(t *testing.T) {
	t.Parallel()
	sys := storetest.AsSystem()
	db := storetest.OpenDemo(t)
	c := db.Client
	shanghai := c.Region.Query().Where(region.Code("310000")).OnlyIDX(sys)
	yunnan := c.Region.Query().Where(region.Code("530000")).OnlyIDX(sys)
	unit := c.Organization.Query().Where(organization.KindEQ(organization.KindDESIGNATED_UNIT)).FirstIDX(sys)
	buyer := c.Organization.Query().Where(organization.KindEQ(organization.KindENTERPRISE)).FirstIDX(sys)
	svc := agreements.New(c, clock.Real)
	valid := func() agreements.AgreementInput {
		return agreements.AgreementInput{Kind: agreement.KindEAST_WEST, Title: "测试协议", PeriodStart: day(2026, 1, 1), PeriodEnd: day(2027, 12, 31),
			HelpingRegionID: &shanghai, HelpedRegionIDs: []int{yunnan},
			Targets: []agreements.TargetInput{{Indicator: target.IndicatorDIRECT_PURCHASE, Year: 2026, Value: 1000}}}
	}

	t.Run("bad agreements", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			edit func(*agreements.AgreementInput)
		}{
			{"empty title", func(in *agreements.AgreementInput) { in.Title = " " }},
			{"period reversed", func(in *agreements.AgreementInput) { in.PeriodEnd = day(2025, 1, 1) }},
			{"western helping region", func(in *agreements.AgreementInput) { in.HelpingRegionID = &yunnan }},
			{"eastern helped region", func(in *agreements.AgreementInput) { in.HelpedRegionIDs = []int{shanghai} }},
			{"no helped region", func(in *agreements.AgreementInput) { in.HelpedRegionIDs = nil }},
			{"unit on an east–west agreement", func(in *agreements.AgreementInput) { in.HelpingUnitID = &unit }},
			{"designated without a unit", func(in *agreements.AgreementInput) { in.Kind = agreement.KindDESIGNATED }},
			{"designated by a non-designated unit", func(in *agreements.AgreementInput) {
				in.Kind, in.HelpingRegionID, in.HelpingUnitID = agreement.KindDESIGNATED, nil, &buyer
			}},
			{"target outside the period", func(in *agreements.AgreementInput) { in.Targets[0].Year = 2030 }},
			{"negative target", func(in *agreements.AgreementInput) { in.Targets[0].Value = -1 }},
			{"duplicate target", func(in *agreements.AgreementInput) { in.Targets = append(in.Targets, in.Targets[0]) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := valid()
				tc.edit(&in)
				if _, err := svc.CreateAgreement(sys, in); gqlerr.CodeOf(err) != "BAD_USER_INPUT" {
					t.Fatalf("got %s, want BAD_USER_INPUT", gqlerr.CodeOf(err))
				}
			})
		}
	})

	t.Run("lifecycle and amendments", func(t *testing.T) {
		a, err := svc.CreateAgreement(sys, valid())
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			do   func() error
			want string
		}{
			{"activate a draft", func() error { _, err := svc.Move(sys, a.ID, agreements.Activate); return err }, "CONFLICT"},
			{"amend a draft", func() error { _, err := svc.AmendAgreement(sys, a.ID, agreements.Amendment{}); return err }, "CONFLICT"},
			{"set a draft's target", func() error {
				_, err := svc.SetTarget(sys, a.ID, agreements.TargetInput{Indicator: target.IndicatorHELP_SELL, Year: 2027, Value: 5})
				return err
			}, "ok"},
			{"sign", func() error { _, err := svc.Move(sys, a.ID, agreements.Sign); return err }, "ok"},
			{"sign again", func() error { _, err := svc.Move(sys, a.ID, agreements.Sign); return err }, "CONFLICT"},
			{"set a signed target", func() error {
				_, err := svc.SetTarget(sys, a.ID, agreements.TargetInput{Indicator: target.IndicatorHELP_SELL, Year: 2027, Value: 9})
				return err
			}, "CONFLICT"},
			{"activate", func() error { _, err := svc.Move(sys, a.ID, agreements.Activate); return err }, "ok"},
			{"unknown step", func() error { _, err := svc.Move(sys, a.ID, "reopen"); return err }, "BAD_USER_INPUT"},
		}
		for _, s := range steps {
			if got := gqlerr.CodeOf(s.do()); got != s.want {
				t.Fatalf("%s: %s, want %s", s.name, got, s.want)
			}
		}
		v2, err := svc.AmendAgreement(sys, a.ID, agreements.Amendment{
			Targets: []agreements.TargetInput{{Indicator: target.IndicatorDIRECT_PURCHASE, Year: 2026, Value: 2000}}})
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.OriginalID == nil || *v2.OriginalID != a.ID || v2.Status != agreement.StatusDRAFT {
			t.Fatalf("amendment: %+v", v2)
		}
		if _, err := svc.AmendAgreement(sys, a.ID, agreements.Amendment{}); gqlerr.CodeOf(err) != "CONFLICT" {
			t.Fatalf("second amendment of the same version: %v", err)
		}
		got := map[target.Indicator]int64{}
		for _, tg := range c.Target.Query().Where(target.AgreementID(v2.ID)).AllX(sys) {
			got[tg.Indicator] = tg.TargetValue
		}
		if got[target.IndicatorDIRECT_PURCHASE] != 2000 || got[target.IndicatorHELP_SELL] != 5 {
			t.Fatalf("amended targets %v: the change applies and the rest carries over", got)
		}
		if old := c.Target.Query().Where(target.AgreementID(a.ID), target.IndicatorEQ(target.IndicatorDIRECT_PURCHASE)).OnlyX(sys); old.TargetValue != 1000 {
			t.Fatalf("the amended version's target changed to %d", old.TargetValue)
		}
		for _, step := range []agreements.Transition{agreements.Sign, agreements.Activate} {
			if _, err := svc.Move(sys, v2.ID, step); err != nil {
				t.Fatal(err)
			}
		}
		if v1 := c.Agreement.GetX(sys, a.ID); v1.Status != agreement.StatusCLOSED || v1.ClosedAt == nil {
			t.Fatalf("activating the amendment left v1 %s", v1.Status)
		}
	})

	t.Run("assessment workflow", func(t *testing.T) {
		a := c.Agreement.Query().Where(agreement.StatusEQ(agreement.StatusACTIVE)).FirstX(sys)
		users := c.User.Query().Limit(3).IDsX(sys)
		own := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: users[0], Grants: []viewer.Grant{{Role: viewer.Coordinator, AgreementIDs: []int{a.ID}}}})
		other := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: users[1], Grants: []viewer.Grant{{Role: viewer.Coordinator}}})
		admin := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: users[2], Grants: []viewer.Grant{{Role: viewer.Admin}}})
		if _, err := svc.SelfAssess(other, a.ID, 2026, "自评"); gqlerr.CodeOf(err) != "FORBIDDEN" {
			t.Fatalf("self-report by an outsider: %v", err)
		}
		as, err := svc.SelfAssess(own, a.ID, 2026, "自评")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			name string
			do   func() error
			want string
		}{
			{"second self-report", func() error { _, err := svc.SelfAssess(own, a.ID, 2026, "再次"); return err }, "CONFLICT"},
			{"grade before review", func() error { _, err := svc.Grade(admin, as.ID, assessment.GradeGOOD, "较好"); return err }, "CONFLICT"},
			{"review own agreement", func() error { _, err := svc.CrossReview(own, as.ID, "意见"); return err }, "FORBIDDEN"},
			{"cross review", func() error { _, err := svc.CrossReview(other, as.ID, "意见"); return err }, "ok"},
			{"review twice", func() error { _, err := svc.CrossReview(other, as.ID, "意见"); return err }, "CONFLICT"},
			{"coordinator grades", func() error { _, err := svc.Grade(other, as.ID, assessment.GradeGOOD, "较好"); return err }, "FORBIDDEN"},
			{"unknown grade", func() error { _, err := svc.Grade(admin, as.ID, "SUPERB", "好"); return err }, "BAD_USER_INPUT"},
			{"grade", func() error { _, err := svc.Grade(admin, as.ID, assessment.GradeEXCELLENT, "好"); return err }, "ok"},
			{"grade twice", func() error { _, err := svc.Grade(admin, as.ID, assessment.GradePOOR, "差"); return err }, "CONFLICT"},
		} {
			if got := gqlerr.CodeOf(s.do()); got != s.want {
				t.Fatalf("%s: %s, want %s", s.name, got, s.want)
			}
		}
	})
}
