// Package demo builds bangfu's deterministic demo dataset: the real
// east–west pairings and designated-assistance assignments on real
// GB/T 2260 regions, with synthetic organizations, households (obviously
// fake identities), products, certifications and orders in every state.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/assessment"
	"bangfu/ent/benefitlink"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/incentiverule"
	"bangfu/ent/organization"
	"bangfu/ent/pairing"
	"bangfu/ent/progressreport"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/ent/target"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/monitoring"
	"bangfu/internal/store"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
)

// Reference is the demo's "today": all generated dates are relative to it,
// so the dataset is identical on every run.
var Reference = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// seed fixes the pseudo-random choices.
const seed = 20161202

// LoadIfEmpty loads the dataset unless the database already has regions.
func LoadIfEmpty(ctx context.Context, db *store.DB) (bool, error) {
	n, err := db.Client.Region.Query().Count(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	return true, Load(ctx, db)
}

// Load writes the whole dataset in one transaction, as the system (it is
// the server's own data load, not a user's change).
func Load(ctx context.Context, db *store.DB) error { return load(ctx, db, false) }

// LoadFramework writes only the framework a real deployment starts from:
// regions (with the demo villages), east–west pairings and their
// agreements. No organizations, people or households: those join through
// the API.
func LoadFramework(ctx context.Context, db *store.DB) error { return load(ctx, db, true) }

func load(ctx context.Context, db *store.DB, framework bool) error {
	client := db.Client
	// One summary audit event stands for the thousands of rows below.
	ctx = audit.WithoutEvents(viewer.AsSystem(ctx))
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	b := &builder{tx: tx, rnd: rand.New(rand.NewPCG(seed, seed)), regions: map[string]*ent.Region{},
		sold: map[int]int{}, facilitations: map[[2]int]bool{}, framework: framework}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"regions", b.loadRegions},
		{"villages", b.loadVillages},
		{"agreements", b.loadAgreements},
		{"buyers", b.loadBuyers},
		{"suppliers", b.loadSuppliers},
		{"households", b.loadHouseholds},
		{"products", b.loadProducts},
		{"incentive rules", b.loadIncentiveRules},
		{"orders", b.loadOrders},
		{"story", b.loadStory},
		{"integrity cases", b.loadIntegrityCases},
		{"stock", b.sellStock},
		{"users", b.loadUsers},
		{"progress", b.loadProgress},
		{"monitoring", b.loadMonitoring},
		{"integrity", b.loadIntegrity},
		{"evaluation", b.loadEvaluation},
	}
	if framework {
		steps = steps[:3]
	}
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("demo %s: %w", s.name, err)
		}
	}
	ev := audit.Event{OccurredAt: time.Now().UTC().Truncate(time.Microsecond), Action: "seed.demo", Job: "seed", EntityType: "Dataset",
		Changes: []map[string]any{{"type": "Dataset", "op": "load", "after": map[string]any{
			"regions": len(b.regions), "suppliers": len(b.suppliers), "products": len(b.demoProducts)}}}}
	if err := audit.Append(ctx, tx.Client(), ev); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Fresh statistics, so the planner sees the data just loaded.
	_, err = db.SQL.ExecContext(ctx, "ANALYZE")
	return err
}

type builder struct {
	tx      *ent.Tx
	rnd     *rand.Rand
	regions map[string]*ent.Region // by code
	// counties are the helped-side counties that get suppliers and households.
	counties  []*ent.Region
	villages  map[int][]*ent.Region // county id → villages
	buyers    []*ent.Organization
	helpers   []*ent.Organization // social organizations and agencies that facilitate sales
	suppliers []*ent.Organization
	credit    int
	// demoProducts remembers each product's certification state.
	demoProducts []demoProduct
	orders       int         // demo orders written so far
	sold         map[int]int // product id → units the demo orders took
	// facilitations already written, by facilitator and buyer id.
	facilitations map[[2]int]bool
	// storySupplier is supplier@'s cooperative; pendingOrg the registration
	// waiting for certifier@ (see story.go).
	storySupplier, pendingOrg *ent.Organization
	// framework loads regions, pairings and east–west agreements only.
	framework bool
}

func (b *builder) pick(n int) int { return b.rnd.IntN(n) }

// creditCode makes a valid, obviously sequential unified social credit code.
func (b *builder) creditCode(kindPrefix, regionCode string) string {
	b.credit++
	body := kindPrefix + regionCode + fmt.Sprintf("MA%07d", b.credit)
	c, err := validate.CreditCodeCheckChar(body)
	if err != nil {
		panic(err) // the body is built from the charset; a failure is a bug here
	}
	return body + string(c)
}

func (b *builder) loadRegions(ctx context.Context) error {
	for _, level := range []string{"PROVINCE", "CITY", "COUNTY"} {
		var creates []*ent.RegionCreate
		var seeds []RegionSeed
		for _, r := range Regions {
			if r.Level != level {
				continue
			}
			c := b.tx.Region.Create().
				SetCode(r.Code).SetName(r.Name).
				SetLevel(region.Level(r.Level)).SetSide(region.Side(r.Side)).
				SetPovertyCounty832(r.Poverty832).SetKeyAssistanceCounty(r.KeyAssistance)
			if r.ExitYear != 0 {
				c.SetExitYear(r.ExitYear)
			}
			if r.Parent != "" {
				c.SetParentID(b.regions[r.Parent].ID)
			}
			creates = append(creates, c)
			seeds = append(seeds, r)
		}
		saved, err := b.tx.Region.CreateBulk(creates...).Save(ctx)
		if err != nil {
			return err
		}
		for i, r := range saved {
			b.regions[seeds[i].Code] = r
			if seeds[i].Level == "COUNTY" && seeds[i].Poverty832 {
				b.counties = append(b.counties, r)
			}
		}
	}
	return nil
}

// loadVillages adds two synthetic townships with two villages each under
// every helped county. Codes follow GB/T 2260's 9/12-digit shape; names say
// 示范 so nobody mistakes them for real places.
func (b *builder) loadVillages(ctx context.Context) error {
	b.villages = map[int][]*ent.Region{}
	var towns []*ent.RegionCreate
	for _, c := range b.counties {
		for t := 1; t <= 2; t++ {
			towns = append(towns, b.tx.Region.Create().
				SetCode(fmt.Sprintf("%s%03d", c.Code, 100+t)).
				SetName(fmt.Sprintf("%s示范%s镇", shortName(c.Name), []string{"", "一", "二"}[t])).
				SetLevel(region.LevelTOWNSHIP).SetSide(c.Side).SetParentID(c.ID))
		}
	}
	savedTowns, err := b.tx.Region.CreateBulk(towns...).Save(ctx)
	if err != nil {
		return err
	}
	var villages []*ent.RegionCreate
	var countyOf []int
	for i, t := range savedTowns {
		county := b.counties[i/2]
		for v := 1; v <= 2; v++ {
			villages = append(villages, b.tx.Region.Create().
				SetCode(fmt.Sprintf("%s%03d", t.Code, 200+v)).
				SetName(fmt.Sprintf("示范%d村", (i%2)*2+v)).
				SetLevel(region.LevelVILLAGE).SetSide(t.Side).SetParentID(t.ID))
			countyOf = append(countyOf, county.ID)
		}
	}
	saved, err := b.tx.Region.CreateBulk(villages...).Save(ctx)
	if err != nil {
		return err
	}
	for i, v := range saved {
		b.villages[countyOf[i]] = append(b.villages[countyOf[i]], v)
	}
	return nil
}

// shortName drops the administrative suffix: 福贡县 → 福贡.
func shortName(name string) string {
	for _, suffix := range []string{"自治县", "县", "市", "区", "旗", "特区"} {
		if s, ok := strings.CutSuffix(name, suffix); ok && len([]rune(s)) >= 2 {
			if i := strings.Index(s, "族"); i > 0 && suffix == "自治县" {
				// 南涧彝族自治县 → 南涧
				r := []rune(s)
				return string(r[:2])
			}
			return s
		}
	}
	return name
}

func yearStart(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
func yearEnd(y int) time.Time   { return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC) }

// closedAt is when a closed demo agreement stopped being in force: the end
// of its last year, or the 2026 amendment that superseded it.
func closedAt(lastYear int) time.Time { return yearStart(min(lastYear+1, 2026)) }

func (b *builder) loadAgreements(ctx context.Context) error {
	for i, p := range EastWestPairings {
		helper, helped := b.regions[p.Helper], b.regions[p.Helped]
		pc := b.tx.Pairing.Create().SetKind(pairing.KindEAST_WEST).SetHelpingRegion(helper).SetHelpedRegion(helped).
			SetValidFrom(yearStart(p.From)).SetBasis(fmt.Sprintf("%d年东西部协作结对关系", p.From))
		if p.To < 2025 {
			pc.SetValidUntil(yearStart(p.To + 1)).SetEndReason("结对关系调整")
		}
		if err := pc.Exec(ctx); err != nil {
			return err
		}
		status := agreement.StatusCLOSED
		a, err := b.tx.Agreement.Create().
			SetKind(agreement.KindEAST_WEST).
			SetTitle(fmt.Sprintf("%s—%s东西部协作协议（%d—%d年）", helper.Name, helped.Name, p.From, p.To)).
			SetDocumentNumber(fmt.Sprintf("示例协〔%d〕%d号", p.From, i+1)).
			SetPeriodStart(yearStart(p.From)).SetPeriodEnd(yearEnd(p.To)).
			SetStatus(status).SetActivatedAt(yearStart(p.From)).SetClosedAt(closedAt(p.To)).
			SetHelpingRegion(helper).AddHelpedRegions(helped).
			Save(ctx)
		if err != nil {
			return err
		}
		if p.To < 2025 {
			continue
		}
		// The 2021 pairings continue: a 2026 amendment (new version) carries
		// this year's targets.
		cur, err := b.tx.Agreement.Create().
			SetKind(agreement.KindEAST_WEST).
			SetTitle(fmt.Sprintf("%s—%s东西部协作协议（2026年度）", helper.Name, helped.Name)).
			SetDocumentNumber(fmt.Sprintf("示例协〔2026〕%d号", i+1)).
			SetPeriodStart(yearStart(2026)).SetPeriodEnd(yearEnd(2026)).
			SetStatus(agreement.StatusACTIVE).SetVersion(2).SetSupersedes(a).SetOriginalID(a.ID).
			SetActivatedAt(yearStart(2026)).
			SetHelpingRegion(helper).AddHelpedRegions(helped).
			Save(ctx)
		if err != nil {
			return err
		}
		if err := b.targets(ctx, cur.ID, 2026); err != nil {
			return err
		}
	}
	if b.framework {
		return nil // designated assistance needs its central units: organizations
	}
	for _, d := range DesignatedUnits {
		seat := b.regions[designatedSeat[d.Unit]]
		unit, err := b.tx.Organization.Create().
			SetName(d.Unit).SetKind(organization.KindDESIGNATED_UNIT).SetRegion(seat).
			Save(ctx)
		if err != nil {
			return err
		}
		b.buyers = append(b.buyers, unit)
		for _, c := range d.Counties {
			if err := b.tx.Pairing.Create().SetKind(pairing.KindDESIGNATED).SetHelpingUnit(unit).SetHelpedRegion(b.regions[c]).
				SetValidFrom(yearStart(2015)).SetBasis("中央单位定点帮扶结对").Exec(ctx); err != nil {
				return err
			}
		}
		create := b.tx.Agreement.Create().
			SetKind(agreement.KindDESIGNATED).
			SetTitle(d.Unit + "定点帮扶责任书（2026年度）").
			SetDocumentNumber("示例责〔2026〕" + d.Counties[0] + "号").
			SetPeriodStart(yearStart(2026)).SetPeriodEnd(yearEnd(2026)).
			SetStatus(agreement.StatusACTIVE).SetActivatedAt(yearStart(2026)).SetHelpingUnit(unit)
		for _, c := range d.Counties {
			create.AddHelpedRegions(b.regions[c])
		}
		a, err := create.Save(ctx)
		if err != nil {
			return err
		}
		if err := b.targets(ctx, a.ID, 2026); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) targets(ctx context.Context, agreementID, year int) error {
	yuan := int64(10_000 * (50 + b.pick(200))) // ¥0.5–2.5 million in ¥10k steps
	values := map[target.Indicator]int64{
		target.IndicatorDIRECT_PURCHASE:     yuan * 100,
		target.IndicatorHELP_SELL:           yuan * 100 * 2,
		target.IndicatorFUNDS_INVESTED:      yuan * 100 * 3,
		target.IndicatorCADRES_TRAINED:      int64(50 + b.pick(150)),
		target.IndicatorTECHNICIANS_TRAINED: int64(100 + b.pick(300)),
		target.IndicatorLABOR_TRANSFERRED:   int64(200 + b.pick(800)),
	}
	var creates []*ent.TargetCreate
	for _, ind := range []target.Indicator{
		target.IndicatorDIRECT_PURCHASE, target.IndicatorHELP_SELL, target.IndicatorFUNDS_INVESTED,
		target.IndicatorCADRES_TRAINED, target.IndicatorTECHNICIANS_TRAINED, target.IndicatorLABOR_TRANSFERRED,
	} {
		creates = append(creates, b.tx.Target.Create().
			SetAgreementID(agreementID).SetIndicator(ind).SetYear(year).SetTargetValue(values[ind]))
	}
	return b.tx.Target.CreateBulk(creates...).Exec(ctx)
}

// loadBuyers creates, for every eastern helping region, one buyer of each
// kind; the union belongs to the budget unit so its purchases roll up.
func (b *builder) loadBuyers(ctx context.Context) error {
	seen := map[string]bool{}
	for _, p := range EastWestPairings {
		if seen[p.Helper] {
			continue
		}
		seen[p.Helper] = true
		r := b.regions[p.Helper]
		place := strings.TrimSuffix(strings.TrimSuffix(r.Name, "市"), "省")
		mk := func(name string, kind organization.Kind, prefix string) *ent.OrganizationCreate {
			return b.tx.Organization.Create().SetName(name).SetKind(kind).SetRegion(r).
				SetCreditCode(b.creditCode(prefix, r.Code))
		}
		agency, err := mk(place+"示范区机关事务服务中心", organization.KindAGENCY, "11").Save(ctx)
		if err != nil {
			return err
		}
		school, err := mk(place+"示范区第一中学", organization.KindBUDGET_UNIT, "12").Save(ctx)
		if err != nil {
			return err
		}
		union, err := mk(place+"示范区第一中学工会", organization.KindUNION, "81").SetParent(school).Save(ctx)
		if err != nil {
			return err
		}
		soe, err := mk(place+"示范能源集团有限公司", organization.KindSOE, "91").Save(ctx)
		if err != nil {
			return err
		}
		firm, err := mk(place+"示范科技有限公司", organization.KindENTERPRISE, "91").Save(ctx)
		if err != nil {
			return err
		}
		charity, err := mk(place+"示范慈善基金会", organization.KindSOCIAL_ORG, "53").Save(ctx)
		if err != nil {
			return err
		}
		for _, o := range []*ent.Organization{agency, school} {
			canteen := o.Kind == organization.KindBUDGET_UNIT
			c := b.tx.BuyerProfile.Create().SetOrganization(o).SetYear(2026).SetHasCanteen(canteen)
			if canteen {
				c.SetCanteenFoodBudgetFen(int64(100+b.pick(400)) * 10_000 * 100)
			}
			if err := c.Exec(ctx); err != nil {
				return err
			}
		}
		b.buyers = append(b.buyers, agency, school, union, soe, firm)
		b.helpers = append(b.helpers, charity, agency)
	}
	return nil
}

var supplierKinds = []struct {
	kind   organization.Kind
	suffix string
	prefix string
}{
	{organization.KindCOOPERATIVE, "特色种养殖农民专业合作社", "93"},
	{organization.KindENTERPRISE, "生态农业开发有限公司", "91"},
	{organization.KindFAMILY_FARM, "示范家庭农场", "92"},
	{organization.KindVILLAGE_COLLECTIVE, "示范村股份经济合作社", "N2"},
}

func (b *builder) loadSuppliers(ctx context.Context) error {
	for i, c := range b.counties {
		n := 1 + i%2
		for j := 0; j < n; j++ {
			k := supplierKinds[(i+j)%len(supplierKinds)]
			story := j == 0 && c.ID == b.storyCounty().ID
			if story {
				k = supplierKinds[0] // supplier@'s cooperative
			}
			org, err := b.tx.Organization.Create().
				SetName(shortName(c.Name) + k.suffix).SetKind(k.kind).SetRegion(c).
				SetCreditCode(b.creditCode(k.prefix, c.Code)).
				Save(ctx)
			if err != nil {
				return err
			}
			status := supplierprofile.StatusAPPROVED
			reason := ""
			switch {
			case story:
			case i == 3 && j == 0:
				status = supplierprofile.StatusAPPLIED
			case i == 7 && j == 0:
				status = supplierprofile.StatusRECOMMENDED
			case i == 11 && j == 0:
				status, reason = supplierprofile.StatusSUSPENDED, "抽检不合格，暂停销售（示例）"
			case i == 15 && j == 0:
				status, reason = supplierprofile.StatusREJECTED, "带贫益贫机制材料不全（示例）"
			}
			p := b.tx.SupplierProfile.Create().SetOrganization(org).SetStatus(status).
				SetBenefitMechanisms([]string{"WAGE", "BUSINESS", "ASSET"}[:1+b.pick(3)])
			if reason != "" {
				p.SetStatusReason(reason)
			}
			if status == supplierprofile.StatusAPPROVED {
				p.SetApprovedAt(Reference.AddDate(-1, -b.pick(12), 0))
			}
			if err := p.Exec(ctx); err != nil {
				return err
			}
			b.suppliers = append(b.suppliers, org)
			if story {
				b.storySupplier = org
			}
		}
	}
	return nil
}

func (b *builder) loadHouseholds(ctx context.Context) error {
	var seq int
	supplierOfCounty := map[int][]*ent.Organization{}
	for _, s := range b.suppliers {
		supplierOfCounty[s.RegionID] = append(supplierOfCounty[s.RegionID], s)
	}
	for _, c := range b.counties {
		var creates []*ent.HouseholdCreate
		var sizes []int
		for h := 0; h < 6; h++ {
			seq++
			village := b.villages[c.ID][h%len(b.villages[c.ID])]
			size := 1 + b.pick(5)
			status := []household.Status{household.StatusEXITED, household.StatusEXITED, household.StatusEXITED, household.StatusMONITORED, household.StatusPOOR}[b.pick(5)]
			hc := b.tx.Household.Create().
				SetNumber(fmt.Sprintf("%s%04d", village.Code, h+1)).
				SetVillage(village).
				SetAttribute([]household.Attribute{household.AttributeGENERAL, household.AttributeGENERAL, household.AttributeMINIMUM_LIVING, household.AttributeFIVE_GUARANTEES}[b.pick(4)]).
				SetMainCause(household.MainCause(causes[b.pick(len(causes))])).
				SetStatus(status).
				SetMemberCount(size).
				SetResponsibleCadre(fmt.Sprintf("虚拟干部%03d", seq))
			if b.pick(2) == 0 {
				hc.SetSecondaryCause(household.SecondaryCause(causes[b.pick(len(causes))]))
			}
			if status != household.StatusPOOR {
				hc.SetExitYear(2016 + b.pick(5))
			}
			creates = append(creates, hc)
			sizes = append(sizes, size)
		}
		saved, err := b.tx.Household.CreateBulk(creates...).Save(ctx)
		if err != nil {
			return err
		}
		var members []*ent.HouseholdMemberCreate
		var incomes []*ent.AnnualIncomeCreate
		var links []*ent.BenefitLinkCreate
		for i, h := range saved {
			for m := 0; m < sizes[i]; m++ {
				rel := householdmember.RelationHEAD
				if m > 0 {
					rel = []householdmember.Relation{householdmember.RelationSPOUSE, householdmember.RelationCHILD, householdmember.RelationPARENT, householdmember.RelationGRANDCHILD}[(m-1)%4]
				}
				members = append(members, b.tx.HouseholdMember.Create().
					SetHousehold(h).SetRelation(rel).
					// Synthetic identities: 虚拟 names, IDs under the
					// non-existent division 99, phones starting 000.
					SetName(fmt.Sprintf("虚拟%s%02d", surnames[b.pick(len(surnames))], m+1)).
					SetIDNumber(fmt.Sprintf("99%04d19%02d0101%03d%d", seq%10000, 50+b.pick(50), m, b.pick(10))).
					SetPhone(fmt.Sprintf("000%08d", b.pick(100_000_000))).
					SetAgeBand([]householdmember.AgeBand{householdmember.AgeBandAGE_36_59, householdmember.AgeBandAGE_16_35, householdmember.AgeBandUNDER_16, householdmember.AgeBandAGE_60_PLUS}[m%4]).
					SetHealth([]householdmember.Health{householdmember.HealthHEALTHY, householdmember.HealthHEALTHY, householdmember.HealthCHRONIC_ILLNESS, householdmember.HealthDISABLED}[b.pick(4)]).
					SetLaborAbility([]householdmember.LaborAbility{householdmember.LaborAbilityNORMAL, householdmember.LaborAbilityWEAK, householdmember.LaborAbilityNONE}[b.pick(3)]).
					SetSchooling([]householdmember.Schooling{householdmember.SchoolingPRIMARY, householdmember.SchoolingJUNIOR, householdmember.SchoolingSENIOR, householdmember.SchoolingNONE}[b.pick(4)]))
			}
			base := int64(6500+b.pick(9000)) * 100 // ¥6,500–15,500 per person
			for y, year := range []int{2024, 2025} {
				incomes = append(incomes, b.tx.AnnualIncome.Create().
					SetHousehold(h).SetYear(year).SetPerCapitaNetIncomeFen(base+int64(y*b.pick(1500))*100))
			}
			for _, s := range supplierOfCounty[c.ID] {
				links = append(links, b.tx.BenefitLink.Create().
					SetSupplierID(s.ID).SetHousehold(h).
					SetMechanism([]benefitlink.Mechanism{benefitlink.MechanismWAGE, benefitlink.MechanismASSET, benefitlink.MechanismBUSINESS}[b.pick(3)]).
					SetShareBp(100+b.pick(400)).
					SetValidFrom(Reference.AddDate(-2, 0, 0)))
			}
		}
		if err := b.tx.HouseholdMember.CreateBulk(members...).Exec(ctx); err != nil {
			return err
		}
		if err := b.tx.AnnualIncome.CreateBulk(incomes...).Exec(ctx); err != nil {
			return err
		}
		if len(links) > 0 {
			if err := b.tx.BenefitLink.CreateBulk(links...).Exec(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadProgress files reported indicators for the active agreements (one
// approved, one awaiting review) and grades the 2025 assessment of the
// agreements that closed then, so progress and assessments have content.
func (b *builder) loadProgress(ctx context.Context) error {
	active, err := b.tx.Agreement.Query().Where(agreement.StatusEQ(agreement.StatusACTIVE)).Order(ent.Asc(agreement.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	reviewed := Reference.AddDate(0, -2, 0)
	for _, a := range active {
		err := b.tx.ProgressReport.Create().SetAgreementID(a.ID).SetIndicator(progressreport.IndicatorFUNDS_INVESTED).
			SetYear(2026).SetValue(int64(100_000*(20+b.pick(80))) * 100).
			SetEvidenceRefs([]string{"资金拨付凭证（示例）", "项目验收报告（示例）"}).
			SetStatus(progressreport.StatusAPPROVED).SetReviewedAt(reviewed).SetReviewComment("材料齐全").Exec(ctx)
		if err != nil {
			return err
		}
		err = b.tx.ProgressReport.Create().SetAgreementID(a.ID).SetIndicator(progressreport.IndicatorCADRES_TRAINED).
			SetYear(2026).SetValue(int64(10 + b.pick(40))).SetEvidenceRefs([]string{"培训签到表（示例）"}).Exec(ctx)
		if err != nil {
			return err
		}
	}
	closed, err := b.tx.Agreement.Query().Where(agreement.StatusEQ(agreement.StatusCLOSED), agreement.PeriodEndGTE(yearStart(2025))).
		Order(ent.Asc(agreement.FieldID)).Limit(3).All(ctx)
	if err != nil {
		return err
	}
	grades := []assessment.Grade{assessment.GradeEXCELLENT, assessment.GradeGOOD, assessment.GradeFAIR}
	for i, a := range closed {
		err := b.tx.Assessment.Create().SetAgreementID(a.ID).SetYear(2025).
			SetSelfReport("2025年度协作任务完成情况自评（示例）。").SetCrossReview("交叉考核意见（示例）。").
			SetStatus(assessment.StatusGRADED).SetGrade(grades[i%len(grades)]).SetGradeComment("综合评价（示例）。").
			SetGradedAt(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// loadIncentiveRules publishes the demo's points rules before the orders
// settle, so settled orders earn points and the leaderboard fills: one
// point per yuan, ×1.5 for key assistance counties and ×1.2 for 832
// counties, and a harvest-season campaign doubling fruit and vegetables.
func (b *builder) loadIncentiveRules(ctx context.Context) error {
	base := b.tx.IncentiveRule.Create().SetName("消费帮扶积分（示例）").SetPointsPerYuanMilli(1000).
		SetKeyCountyMultiplierBp(15000).SetCounty832MultiplierBp(12000).SetEffectiveFrom(yearStart(2026))
	yearlyCap := int64(50_000)
	campaign := b.tx.IncentiveRule.Create().SetName("丰收节消费季（示例）").SetPointsPerYuanMilli(1000).
		SetMultiplierBp(20000).SetCategory(incentiverule.CategoryFRUIT_VEGETABLE).SetCapPerOrgPerYear(yearlyCap).
		SetEffectiveFrom(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)).SetEffectiveUntil(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	return b.tx.IncentiveRule.CreateBulk(base, campaign).Exec(ctx)
}

// loadMonitoring sets the western provinces' monitoring thresholds
// (Yunnan 2025: ¥8,700, the published figure; the others are examples),
// runs the early-warning scan as of the reference date, and takes a few
// of the cases it opens through the workflow.
func (b *builder) loadMonitoring(ctx context.Context) error {
	provinces, err := b.tx.Region.Query().Where(region.LevelEQ(region.LevelPROVINCE), region.SideEQ(region.SideWEST)).All(ctx)
	if err != nil {
		return err
	}
	var creates []*ent.MonitoringThresholdCreate
	for _, p := range provinces {
		for _, year := range []int{2025, 2026} {
			creates = append(creates, b.tx.MonitoringThreshold.Create().SetProvince(p).SetYear(year).SetPerCapitaIncomeFen(870_000))
		}
	}
	if err := b.tx.MonitoringThreshold.CreateBulk(creates...).Exec(ctx); err != nil {
		return err
	}
	svc := monitoring.New(b.tx.Client(), clock.At(Reference.AddDate(0, -1, 0)))
	rep, err := svc.Scan(ctx, 2026)
	if err != nil {
		return err
	}
	// Move the first few cases along, a month later, so the demo shows
	// each stage (and overdue cases among the untouched ones).
	later := monitoring.New(b.tx.Client(), clock.At(Reference))
	paths := [][]monitoring.Step{
		{monitoring.Visit},
		{monitoring.Visit, monitoring.Review},
		{monitoring.Visit, monitoring.Review, monitoring.Notice},
		{monitoring.Visit, monitoring.Review, monitoring.Notice},
		{monitoring.Visit, monitoring.Dismiss},
	}
	for i, id := range rep.CasesOpened {
		if i >= len(paths) {
			break
		}
		for _, step := range paths[i] {
			notes := ""
			if step == monitoring.Dismiss {
				notes = "入户核实收入达标（示例）"
			}
			if _, err := later.Move(ctx, id, step, notes); err != nil {
				return err
			}
		}
	}
	return nil
}
