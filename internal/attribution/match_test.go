package attribution

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/ent/agreement"
	"bangfu/ent/ledgerentry"
)

// The fixture: a small map of divisions and parties, shared by every case.
// Depth follows world.go: 1 province, 2 city, 3 county.
const (
	fxShanghai     = 10 // 上海市 (province level)
	fxShanghaiCity = 11 // 上海市市辖区
	fxPudong       = 12 // 浦东新区 (district, county level)

	fxJiangsu = 20 // 江苏省
	fxSuzhou  = 21 // 苏州市
	fxKunshan = 22 // 昆山市 (county level)

	fxYunnan    = 30 // 云南省 (western)
	fxPuer      = 31 // 普洱市
	fxLancang   = 32 // 澜沧县
	fxXimeng    = 33 // 西盟县
	fxZhaotong  = 34 // 昭通市
	fxZhenxiong = 35 // 镇雄县

	fxGuizhou     = 40 // 贵州省 (western, never helped by the fixture's agreements unless a case says so)
	fxQiandongnan = 41 // 黔东南州
	fxLeishan     = 42 // 雷山县

	fxBeijing     = 50 // 北京市
	fxBeijingCity = 51 // 北京市市辖区
	fxDongcheng   = 52 // 东城区
)

const (
	fxShanghaiCo   = 100 // a Shanghai company (浦东)
	fxSuzhouUnit   = 110 // a budget unit of 苏州市
	fxSuzhouUnion  = 111 // its trade union, registered in 昆山市 (within 江苏)
	fxSuzhouUnion2 = 112 // another union of the unit, registered in 浦东 (outside 江苏)
	fxCentral      = 120 // a designated central unit (北京 东城)
	fxCentralSub   = 121 // its subsidiary, also in 东城
	fxCentralSubSH = 122 // its subsidiary registered in 浦东
	fxFacilitator  = 130 // a Shanghai facilitating organization (浦东)
	fxUnrelated    = 140 // an unrelated Beijing buyer
)

type fxWorld struct {
	regions    map[int]*Region
	orgs       map[int]*Organization
	agreements []*Agreement
}

func (w *fxWorld) Agreements() []*Agreement { return w.agreements }

func (w *fxWorld) Region(id int) (*Region, error) {
	if r, ok := w.regions[id]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("region %d not found", id)
}

func (w *fxWorld) Organization(id int) (*Organization, error) {
	if o, ok := w.orgs[id]; ok {
		return o, nil
	}
	return nil, fmt.Errorf("organization %d not found", id)
}

func fxNewWorld(agreements ...*Agreement) *fxWorld {
	w := &fxWorld{regions: map[int]*Region{}, orgs: map[int]*Organization{}, agreements: agreements}
	for _, r := range []Region{
		{ID: fxShanghai, Depth: 1, Name: "上海市"},
		{ID: fxShanghaiCity, ParentID: fxShanghai, Depth: 2, Name: "上海市市辖区"},
		{ID: fxPudong, ParentID: fxShanghaiCity, Depth: 3, Name: "浦东新区"},
		{ID: fxJiangsu, Depth: 1, Name: "江苏省"},
		{ID: fxSuzhou, ParentID: fxJiangsu, Depth: 2, Name: "苏州市"},
		{ID: fxKunshan, ParentID: fxSuzhou, Depth: 3, Name: "昆山市"},
		{ID: fxYunnan, Depth: 1, Name: "云南省"},
		{ID: fxPuer, ParentID: fxYunnan, Depth: 2, Name: "普洱市"},
		{ID: fxLancang, ParentID: fxPuer, Depth: 3, Name: "澜沧县"},
		{ID: fxXimeng, ParentID: fxPuer, Depth: 3, Name: "西盟县"},
		{ID: fxZhaotong, ParentID: fxYunnan, Depth: 2, Name: "昭通市"},
		{ID: fxZhenxiong, ParentID: fxZhaotong, Depth: 3, Name: "镇雄县"},
		{ID: fxGuizhou, Depth: 1, Name: "贵州省"},
		{ID: fxQiandongnan, ParentID: fxGuizhou, Depth: 2, Name: "黔东南州"},
		{ID: fxLeishan, ParentID: fxQiandongnan, Depth: 3, Name: "雷山县"},
		{ID: fxBeijing, Depth: 1, Name: "北京市"},
		{ID: fxBeijingCity, ParentID: fxBeijing, Depth: 2, Name: "北京市市辖区"},
		{ID: fxDongcheng, ParentID: fxBeijingCity, Depth: 3, Name: "东城区"},
	} {
		w.regions[r.ID] = &r
	}
	for _, o := range []Organization{
		{ID: fxShanghaiCo, RegionID: fxPudong, Name: "上海某食品公司"},
		{ID: fxSuzhouUnit, RegionID: fxSuzhou, Name: "苏州市某局"},
		{ID: fxSuzhouUnion, ParentID: fxSuzhouUnit, RegionID: fxKunshan, Name: "苏州市某局工会"},
		{ID: fxSuzhouUnion2, ParentID: fxSuzhouUnit, RegionID: fxPudong, Name: "苏州市某局驻沪办工会"},
		{ID: fxCentral, RegionID: fxDongcheng, Name: "某中央单位"},
		{ID: fxCentralSub, ParentID: fxCentral, RegionID: fxDongcheng, Name: "某中央单位下属公司"},
		{ID: fxCentralSubSH, ParentID: fxCentral, RegionID: fxPudong, Name: "某中央单位上海公司"},
		{ID: fxFacilitator, RegionID: fxPudong, Name: "上海消费帮扶中心"},
		{ID: fxUnrelated, RegionID: fxDongcheng, Name: "北京某无关公司"},
	} {
		w.orgs[o.ID] = &o
	}
	return w
}

// fxDay is a date-only field as stored: midnight UTC of the day.
func fxDay(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func fxAt(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fxActivated is when the fixture's agreements come into force unless a case
// says otherwise: before the 2026 period begins.
var fxActivated = fxAt("2025-12-15T02:00:00Z")

func fxEW(id, helping int, helped ...int) *Agreement {
	return &Agreement{ID: id, Kind: agreement.KindEAST_WEST, Title: fmt.Sprintf("东西部协作 %d", id),
		HelpingRegionID: helping, HelpedRegionIDs: helped,
		PeriodStart: fxDay(2026, 1, 1), PeriodEnd: fxDay(2026, 12, 31), ActivatedAt: fxActivated}
}

func fxDes(id, unit int, helped ...int) *Agreement {
	return &Agreement{ID: id, Kind: agreement.KindDESIGNATED, Title: fmt.Sprintf("定点帮扶 %d", id),
		HelpingUnitID: unit, HelpedRegionIDs: helped,
		PeriodStart: fxDay(2026, 1, 1), PeriodEnd: fxDay(2026, 12, 31), ActivatedAt: fxActivated}
}

func fxActivatedAt(a *Agreement, t time.Time) *Agreement { a.ActivatedAt = t; return a }

func fxClosedAt(a *Agreement, t time.Time) *Agreement { a.ClosedAt = &t; return a }

func fxPeriod(a *Agreement, start, end time.Time) *Agreement {
	a.PeriodStart, a.PeriodEnd = start, end
	return a
}

const fxAmount = 12345

// fxLine is the default line: certified, 2026-06-15 in CST, from 澜沧县,
// bought by the Shanghai company with no facilitator.
func fxLine() Line {
	return Line{ID: 7, AmountFen: fxAmount, Certified: true, OriginCountyID: fxLancang,
		BuyerID: fxShanghaiCo, SettledAt: fxAt("2026-06-15T04:00:00Z"), SupplierID: 900, ProductCategory: "茶叶"}
}

// fxCredit is the comparable part of a credit (Reason is checked apart).
type fxCredit struct {
	Agreement      int
	Kind           agreement.Kind
	Indicator      ledgerentry.Indicator
	Org            int
	Year, Month    int
	AmountFen      int64
	LineID         int
	OriginCountyID int
}

func (c fxCredit) String() string {
	return fmt.Sprintf("{ag %d %s %s org %d %d-%02d %d fen line %d county %d}",
		c.Agreement, c.Kind, c.Indicator, c.Org, c.Year, c.Month, c.AmountFen, c.LineID, c.OriginCountyID)
}

type fxWant struct {
	ag          int
	kind        agreement.Kind
	ind         ledgerentry.Indicator
	org         int
	year, month int
}

const (
	kEW  = agreement.KindEAST_WEST
	kDES = agreement.KindDESIGNATED
	iDP  = ledgerentry.IndicatorDIRECT_PURCHASE
	iHS  = ledgerentry.IndicatorHELP_SELL
)

func fxSorted(cs []fxCredit) []fxCredit {
	slices.SortFunc(cs, func(a, b fxCredit) int { return strings.Compare(a.String(), b.String()) })
	return cs
}

// fxCheck compares the credits with want exactly (as a set), checks every
// credit has a reason, and that each of noteHas occurs in some note.
func fxCheck(t *testing.T, l Line, got []Credit, notes []string, want []fxWant, noteHas []string) {
	t.Helper()
	var g, w []fxCredit
	for _, c := range got {
		if strings.TrimSpace(c.Reason) == "" {
			t.Errorf("credit %+v has an empty reason", c)
		}
		g = append(g, fxCredit{c.AgreementID, c.Kind, c.Indicator, c.OrganizationID, c.Year, c.Month, c.AmountFen, c.LineID, c.OriginCountyID})
	}
	for _, x := range want {
		w = append(w, fxCredit{x.ag, x.kind, x.ind, x.org, x.year, x.month, l.AmountFen, l.ID, l.OriginCountyID})
	}
	g, w = fxSorted(g), fxSorted(w)
	if !slices.Equal(g, w) {
		t.Errorf("credits:\n got  %v\n want %v\n notes %q", g, w, notes)
	}
	if len(w) == 0 && len(notes) == 0 {
		t.Errorf("no credits and no note saying why")
	}
	for _, s := range noteHas {
		if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, s) }) {
			t.Errorf("no note contains %q; notes %q", s, notes)
		}
	}
}

type fxCase struct {
	name       string
	agreements []*Agreement
	line       func(*Line) // changes to the default line; nil keeps it
	want       []fxWant
	noteHas    []string
}

func fxRun(t *testing.T, cases []fxCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := fxLine()
			if tc.line != nil {
				tc.line(&l)
			}
			got, notes, err := Attribute(fxNewWorld(tc.agreements...), l)
			if err != nil {
				t.Fatalf("Attribute: %v", err)
			}
			fxCheck(t, l, got, notes, tc.want, tc.noteHas)
		})
	}
}

func fxBuyer(id int) func(*Line) { return func(l *Line) { l.BuyerID = id } }

func fxOrigin(id int) func(*Line) { return func(l *Line) { l.OriginCountyID = id } }

func fxSettled(s string) func(*Line) { return func(l *Line) { l.SettledAt = fxAt(s) } }

func fxReversed(as []*Agreement) []*Agreement { slices.Reverse(as); return as }

func fxLineWith(fs ...func(*Line)) func(*Line) {
	return func(l *Line) {
		for _, f := range fs {
			f(l)
		}
	}
}

func TestAttributeNotCounted(t *testing.T) {
	t.Parallel()
	ags := func() []*Agreement {
		return []*Agreement{fxEW(1, fxShanghai, fxYunnan), fxDes(2, fxShanghaiCo, fxLancang)}
	}
	fxRun(t, []fxCase{
		{name: "uncertified line earns nothing even where agreements match", agreements: ags(),
			line:    func(l *Line) { l.Certified = false },
			noteHas: []string{"not certified"}},
		{name: "uncertified with a facilitator earns no HELP_SELL either", agreements: ags(),
			line:    func(l *Line) { l.Certified = false; l.FacilitatorID = fxFacilitator },
			noteHas: []string{"not certified"}},
		{name: "zero amount earns nothing", agreements: ags(),
			line:    func(l *Line) { l.AmountFen = 0 },
			noteHas: []string{"nothing was paid"}},
		{name: "negative amount earns nothing", agreements: ags(),
			line:    func(l *Line) { l.AmountFen = -100 },
			noteHas: []string{"nothing was paid"}},
		{name: "certified baseline with the same agreements does earn", agreements: ags(),
			want: []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}, {2, kDES, iDP, fxShanghaiCo, 2026, 6}}},
	})
}

func TestAttributeEastWestMatch(t *testing.T) {
	t.Parallel()
	fxRun(t, []fxCase{
		{name: "province to province matches a county below",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan)},
			want:       []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}},
			noteHas:    []string{"no DESIGNATED DIRECT_PURCHASE"}},
		{name: "helped region named as the county itself",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxLancang)},
			want:       []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}}},
		{name: "buyer registered at the helping region's own level (city buyer, province helping)",
			agreements: []*Agreement{fxEW(1, fxJiangsu, fxYunnan)},
			line:       fxBuyer(fxSuzhouUnit),
			want:       []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "buyer outside the helping region",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan)},
			line:       fxBuyer(fxUnrelated),
			noteHas:    []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "buyer in a sibling region of the helping region",
			agreements: []*Agreement{fxEW(1, fxJiangsu, fxYunnan)},
			line:       fxBuyer(fxShanghaiCo),
			noteHas:    []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "helping region below the buyer's region does not match (city agreement, province-level buyer chain)",
			agreements: []*Agreement{fxEW(1, fxKunshan, fxYunnan)},
			line:       fxBuyer(fxSuzhouUnit),
			noteHas:    []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "origin county outside the helped regions",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan)},
			line:       fxOrigin(fxLeishan),
			noteHas:    []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "origin county is a sibling of the helped county",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxLancang)},
			line:       fxOrigin(fxXimeng)},
		{name: "several helped regions: any one covers the line",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxLeishan, fxZhaotong)},
			line:       fxOrigin(fxZhenxiong),
			want:       []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}}},
		{name: "an agreement without a helping region never matches",
			agreements: []*Agreement{fxEW(1, 0, fxYunnan)}},
		{name: "a DESIGNATED agreement does not stand in for EAST_WEST",
			agreements: []*Agreement{fxDes(1, fxCentral, fxYunnan)},
			noteHas:    []string{"no EAST_WEST DIRECT_PURCHASE", "no DESIGNATED DIRECT_PURCHASE"}},
	})
}

func TestAttributeMostSpecificWins(t *testing.T) {
	t.Parallel()
	// Agreements with 江苏/苏州 helping; the buyer is the 苏州 budget unit.
	overlap := func() []*Agreement {
		return []*Agreement{
			fxEW(1, fxJiangsu, fxYunnan), // province → province
			fxEW(2, fxJiangsu, fxPuer),   // province → city
			fxEW(3, fxSuzhou, fxLancang), // city → county
		}
	}
	u := fxBuyer(fxSuzhouUnit)
	fxRun(t, []fxCase{
		{name: "city to county beats province to city and province to province",
			agreements: overlap(), line: u,
			want: []fxWant{{3, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "without the county agreement the city one wins",
			agreements: overlap()[:2], line: u,
			want: []fxWant{{2, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "county not helped by the county agreement falls to the city one",
			agreements: overlap(), line: fxLineWith(u, fxOrigin(fxXimeng)),
			want: []fxWant{{2, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "county outside the helped city falls to the province one",
			agreements: overlap(), line: fxLineWith(u, fxOrigin(fxZhenxiong)),
			want: []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "listed in reverse order the same agreement wins",
			agreements: fxReversed(overlap()), line: u,
			want: []fxWant{{3, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "deeper helped region beats deeper helping region",
			agreements: []*Agreement{
				fxEW(1, fxJiangsu, fxPuer),  // province → city
				fxEW(2, fxSuzhou, fxYunnan), // city → province
			}, line: u,
			want: []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "deepest of an agreement's helped regions is what counts",
			agreements: []*Agreement{
				fxEW(1, fxJiangsu, fxPuer),              // province → city
				fxEW(2, fxJiangsu, fxYunnan, fxLancang), // province → {province, county}
			}, line: u,
			want: []fxWant{{2, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "equal helped depth: deeper helping region wins over earlier and lower id",
			agreements: []*Agreement{
				fxEW(1, fxJiangsu, fxPuer),
				fxActivatedAt(fxEW(2, fxSuzhou, fxPuer), fxAt("2026-02-01T00:00:00Z")),
			}, line: u,
			want: []fxWant{{2, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "exact tie: earlier activated wins over lower id",
			agreements: []*Agreement{
				fxActivatedAt(fxEW(1, fxJiangsu, fxPuer), fxAt("2026-01-20T00:00:00Z")),
				fxActivatedAt(fxEW(2, fxJiangsu, fxPuer), fxAt("2026-01-10T00:00:00Z")),
			}, line: u,
			want: []fxWant{{2, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "exact tie, same activation: lower id wins",
			agreements: []*Agreement{
				fxEW(5, fxJiangsu, fxPuer),
				fxEW(4, fxJiangsu, fxPuer),
				fxEW(6, fxJiangsu, fxPuer),
			}, line: u,
			want: []fxWant{{4, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "same instant in different zones is a tie on activation",
			agreements: []*Agreement{
				fxActivatedAt(fxEW(5, fxJiangsu, fxPuer), fxAt("2026-01-10T08:00:00+08:00")),
				fxActivatedAt(fxEW(4, fxJiangsu, fxPuer), fxAt("2026-01-10T00:00:00Z")),
			}, line: u,
			want: []fxWant{{4, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "a more specific agreement not in force does not win",
			agreements: []*Agreement{
				fxEW(1, fxJiangsu, fxYunnan),
				fxActivatedAt(fxEW(2, fxSuzhou, fxLancang), fxAt("2026-07-01T00:00:00Z")),
			}, line: u,
			want: []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
	})
}

func TestAttributeOncePerKindAndIndicator(t *testing.T) {
	t.Parallel()
	fxRun(t, []fxCase{
		{name: "two EAST_WEST agreements match: one credit",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan), fxEW(2, fxShanghai, fxPuer)},
			want:       []fxWant{{2, kEW, iDP, fxShanghaiCo, 2026, 6}}},
		{name: "EAST_WEST and DESIGNATED both credit the same line",
			agreements: []*Agreement{
				fxEW(1, fxShanghai, fxYunnan),
				fxEW(2, fxShanghai, fxPuer),
				fxDes(3, fxCentral, fxLancang),
				fxDes(4, fxCentral, fxYunnan),
			},
			// The central unit's Shanghai subsidiary: registered in 上海 for
			// EAST_WEST, in the designated unit's chain for DESIGNATED.
			line: fxBuyer(fxCentralSubSH),
			want: []fxWant{{2, kEW, iDP, fxCentral, 2026, 6}, {3, kDES, iDP, fxCentral, 2026, 6}}},
		{name: "buyer and facilitator credits are separate measures",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan), fxDes(2, fxCentral, fxYunnan)},
			line:       func(l *Line) { l.BuyerID = fxCentralSubSH; l.FacilitatorID = fxFacilitator },
			want: []fxWant{
				{1, kEW, iDP, fxCentral, 2026, 6},
				{2, kDES, iDP, fxCentral, 2026, 6},
				{1, kEW, iHS, fxFacilitator, 2026, 6},
			},
			noteHas: []string{"no DESIGNATED HELP_SELL"}},
	})
}

func TestAttributeDesignated(t *testing.T) {
	t.Parallel()
	assigned := func() []*Agreement { return []*Agreement{fxDes(1, fxCentral, fxLancang, fxXimeng)} }
	fxRun(t, []fxCase{
		{name: "designated unit buys directly", agreements: assigned(), line: fxBuyer(fxCentral),
			want: []fxWant{{1, kDES, iDP, fxCentral, 2026, 6}}},
		{name: "the unit's subsidiary buys: counts toward the unit", agreements: assigned(), line: fxBuyer(fxCentralSub),
			want: []fxWant{{1, kDES, iDP, fxCentral, 2026, 6}}},
		{name: "unrelated buyer does not count", agreements: assigned(), line: fxBuyer(fxUnrelated),
			noteHas: []string{"no DESIGNATED DIRECT_PURCHASE"}},
		{name: "the unit's parent buying does not count (chain goes upward only)",
			agreements: []*Agreement{fxDes(1, fxCentralSub, fxLancang)}, line: fxBuyer(fxCentral),
			noteHas: []string{"no DESIGNATED DIRECT_PURCHASE"}},
		{name: "a sibling of the unit buying does not count",
			agreements: []*Agreement{fxDes(1, fxCentralSub, fxLancang)}, line: fxBuyer(fxCentralSubSH),
			noteHas: []string{"no DESIGNATED DIRECT_PURCHASE"}},
		{name: "origin county not among the assigned regions", agreements: assigned(),
			line:    fxLineWith(fxBuyer(fxCentral), fxOrigin(fxZhenxiong)),
			noteHas: []string{"no DESIGNATED DIRECT_PURCHASE"}},
		{name: "origin county below an assigned city",
			agreements: []*Agreement{fxDes(1, fxCentral, fxPuer)},
			line:       fxLineWith(fxBuyer(fxCentral), fxOrigin(fxXimeng)),
			want:       []fxWant{{1, kDES, iDP, fxCentral, 2026, 6}}},
		{name: "the buyer's region is irrelevant for DESIGNATED",
			agreements: []*Agreement{fxDes(1, fxCentral, fxLancang)}, line: fxBuyer(fxCentralSubSH),
			want: []fxWant{{1, kDES, iDP, fxCentral, 2026, 6}}},
		{name: "nearer unit in the chain wins over earlier and lower id",
			agreements: []*Agreement{
				fxDes(1, fxCentral, fxLancang),
				fxActivatedAt(fxDes(2, fxCentralSub, fxLancang), fxAt("2026-03-01T00:00:00Z")),
			}, line: fxBuyer(fxCentralSub),
			want: []fxWant{{2, kDES, iDP, fxCentralSub, 2026, 6}}},
		{name: "deeper assigned region wins over nearer unit",
			agreements: []*Agreement{
				fxDes(1, fxCentral, fxLancang),
				fxDes(2, fxCentralSub, fxYunnan),
			}, line: fxBuyer(fxCentralSub),
			want: []fxWant{{1, kDES, iDP, fxCentral, 2026, 6}}},
		{name: "exact tie: earlier activated, then lower id",
			agreements: []*Agreement{
				fxDes(3, fxCentral, fxPuer),
				fxActivatedAt(fxDes(1, fxCentral, fxPuer), fxAt("2026-01-05T00:00:00Z")),
				fxDes(2, fxCentral, fxPuer),
			}, line: fxBuyer(fxCentral),
			want: []fxWant{{2, kDES, iDP, fxCentral, 2026, 6}}},
		{name: "designated agreement with no unit never matches",
			agreements: []*Agreement{fxDes(1, 0, fxYunnan)}, line: fxBuyer(fxCentral),
			noteHas: []string{"no DESIGNATED DIRECT_PURCHASE"}},
	})
}

func TestAttributeUnions(t *testing.T) {
	t.Parallel()
	fxRun(t, []fxCase{
		{name: "union buying counts toward its budget unit",
			agreements: []*Agreement{fxEW(1, fxJiangsu, fxYunnan)}, line: fxBuyer(fxSuzhouUnion),
			want: []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "union registered outside the helping region matches through its parent",
			agreements: []*Agreement{fxEW(1, fxSuzhou, fxYunnan)}, line: fxBuyer(fxSuzhouUnion2),
			want: []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "union matches through its own region while the parent does not",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan)}, line: fxBuyer(fxSuzhouUnion2),
			want: []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "union matching through its own county-level region",
			agreements: []*Agreement{fxEW(1, fxKunshan, fxYunnan)}, line: fxBuyer(fxSuzhouUnion),
			want: []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "neither the union nor its parent within the helping region",
			agreements: []*Agreement{fxEW(1, fxBeijing, fxYunnan)}, line: fxBuyer(fxSuzhouUnion2),
			noteHas: []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "union's own region and parent's region both covered by different agreements: deeper helping wins",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan), fxEW(2, fxSuzhou, fxYunnan)},
			line:       fxBuyer(fxSuzhouUnion2),
			want:       []fxWant{{2, kEW, iDP, fxSuzhouUnit, 2026, 6}}},
		{name: "subsidiary in Shanghai counts toward the central unit for EAST_WEST",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan)}, line: fxBuyer(fxCentralSubSH),
			want: []fxWant{{1, kEW, iDP, fxCentral, 2026, 6}}},
	})
}

func TestAttributeFacilitator(t *testing.T) {
	t.Parallel()
	sh := func() []*Agreement { return []*Agreement{fxEW(1, fxShanghai, fxYunnan)} }
	fac := func(buyerID, facID int) func(*Line) {
		return func(l *Line) { l.BuyerID, l.FacilitatorID = buyerID, facID }
	}
	fxRun(t, []fxCase{
		{name: "HELP_SELL for the facilitator besides DIRECT_PURCHASE for the buyer",
			agreements: sh(), line: fac(fxShanghaiCo, fxFacilitator),
			want: []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}, {1, kEW, iHS, fxFacilitator, 2026, 6}}},
		{name: "facilitator credited even when the buyer is not",
			agreements: sh(), line: fac(fxUnrelated, fxFacilitator),
			want:    []fxWant{{1, kEW, iHS, fxFacilitator, 2026, 6}},
			noteHas: []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "buyer credited even when the facilitator is not",
			agreements: sh(), line: fac(fxShanghaiCo, fxUnrelated),
			want:    []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}},
			noteHas: []string{"no EAST_WEST HELP_SELL"}},
		{name: "facilitator and buyer matched by different agreements",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan), fxEW(2, fxJiangsu, fxPuer)},
			line:       fac(fxSuzhouUnit, fxFacilitator),
			want:       []fxWant{{2, kEW, iDP, fxSuzhouUnit, 2026, 6}, {1, kEW, iHS, fxFacilitator, 2026, 6}}},
		{name: "facilitator that is the buyer itself: no HELP_SELL",
			agreements: sh(), line: fac(fxShanghaiCo, fxShanghaiCo),
			want:    []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}},
			noteHas: []string{"no HELP_SELL", "buyer's own organization chain"}},
		{name: "facilitator that is the buyer's parent: no HELP_SELL",
			agreements: []*Agreement{fxEW(1, fxJiangsu, fxYunnan)}, line: fac(fxSuzhouUnion, fxSuzhouUnit),
			want:    []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}},
			noteHas: []string{"no HELP_SELL"}},
		// NOTE (ambiguity, not a documented contradiction): the package doc
		// defines a chain as "the party and its parents", so a child of the
		// buyer or a sibling is not literally "in the buyer's own chain".
		// The implementation refuses HELP_SELL whenever the two chains share
		// any organization; here the HELP_SELL would count toward the very
		// same root (the budget unit) as the DIRECT_PURCHASE, i.e. self-dealing.
		{name: "facilitator that is the buyer's union (child): no HELP_SELL",
			agreements: []*Agreement{fxEW(1, fxJiangsu, fxYunnan)}, line: fac(fxSuzhouUnit, fxSuzhouUnion),
			want:    []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}},
			noteHas: []string{"no HELP_SELL"}},
		{name: "facilitator that is a sibling union: no HELP_SELL",
			agreements: []*Agreement{fxEW(1, fxJiangsu, fxYunnan)}, line: fac(fxSuzhouUnion, fxSuzhouUnion2),
			want:    []fxWant{{1, kEW, iDP, fxSuzhouUnit, 2026, 6}},
			noteHas: []string{"no HELP_SELL"}},
		{name: "DESIGNATED HELP_SELL: the unit's subsidiary facilitates, credited to the unit",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan), fxDes(2, fxCentral, fxLancang)},
			line:       fac(fxShanghaiCo, fxCentralSub),
			want:       []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}, {2, kDES, iHS, fxCentral, 2026, 6}}},
		{name: "facilitator in Shanghai and in a designated chain earns both HELP_SELL kinds",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan), fxDes(2, fxCentral, fxLancang)},
			line:       fac(fxUnrelated, fxCentralSubSH),
			want:       []fxWant{{1, kEW, iHS, fxCentral, 2026, 6}, {2, kDES, iHS, fxCentral, 2026, 6}}},
	})
}

func TestAttributeInForce(t *testing.T) {
	t.Parallel()
	activated := fxAt("2026-03-01T00:00:00Z")
	closed := fxAt("2026-05-01T02:00:00Z")
	amended := func() []*Agreement {
		return []*Agreement{
			fxClosedAt(fxEW(1, fxShanghai, fxYunnan), closed),
			fxActivatedAt(fxEW(2, fxShanghai, fxYunnan), closed),
		}
	}
	fxRun(t, []fxCase{
		{name: "settled before activation",
			agreements: []*Agreement{fxActivatedAt(fxEW(1, fxShanghai, fxYunnan), activated)},
			line:       fxSettled("2026-02-28T23:59:59Z"),
			noteHas:    []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "settled at the activation instant",
			agreements: []*Agreement{fxActivatedAt(fxEW(1, fxShanghai, fxYunnan), activated)},
			line:       fxSettled("2026-03-01T00:00:00Z"),
			want:       []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 3}}},
		{name: "settled at the closing instant (superseded version)",
			agreements: []*Agreement{fxClosedAt(fxEW(1, fxShanghai, fxYunnan), closed)},
			line:       fxSettled("2026-05-01T02:00:00Z"),
			noteHas:    []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "settled after closing",
			agreements: []*Agreement{fxClosedAt(fxEW(1, fxShanghai, fxYunnan), closed)},
			line:       fxSettled("2026-09-01T00:00:00Z")},
		{name: "settled just before closing",
			agreements: []*Agreement{fxClosedAt(fxEW(1, fxShanghai, fxYunnan), closed)},
			line:       fxSettled("2026-05-01T01:59:59.999999999Z"),
			want:       []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 5}}},
		{name: "amendment: a line at the switch goes to the new version",
			agreements: amended(), line: fxSettled("2026-05-01T02:00:00Z"),
			want: []fxWant{{2, kEW, iDP, fxShanghaiCo, 2026, 5}}},
		{name: "amendment: a line just before the switch goes to the old version",
			agreements: amended(), line: fxSettled("2026-05-01T01:59:59Z"),
			want: []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 5}}},
		{name: "amendment: a line long after goes to the new version",
			agreements: amended(), line: fxSettled("2026-11-11T11:11:11Z"),
			want: []fxWant{{2, kEW, iDP, fxShanghaiCo, 2026, 11}}},
		{name: "amendment narrowing to a county: superseded broader version no longer applies to other counties",
			agreements: []*Agreement{
				fxClosedAt(fxEW(1, fxShanghai, fxYunnan), closed),
				fxActivatedAt(fxEW(2, fxShanghai, fxLancang), closed),
			},
			line:    fxLineWith(fxSettled("2026-06-01T00:00:00Z"), fxOrigin(fxZhenxiong)),
			noteHas: []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "amendment widening: closed county version does not outrank the in-force province one",
			agreements: []*Agreement{
				fxClosedAt(fxEW(1, fxShanghai, fxLancang), closed),
				fxActivatedAt(fxEW(2, fxShanghai, fxYunnan), closed),
			},
			line: fxSettled("2026-06-01T00:00:00Z"),
			want: []fxWant{{2, kEW, iDP, fxShanghaiCo, 2026, 6}}},
		{name: "DESIGNATED version closed",
			agreements: []*Agreement{fxClosedAt(fxDes(1, fxCentral, fxLancang), closed)},
			line:       fxLineWith(fxBuyer(fxCentral), fxSettled("2026-06-01T00:00:00Z")),
			noteHas:    []string{"no DESIGNATED DIRECT_PURCHASE"}},
		{name: "in force but settled after the period",
			agreements: []*Agreement{fxEW(1, fxShanghai, fxYunnan)},
			line:       fxSettled("2027-02-01T00:00:00Z")},
		{name: "in force but settled before the period",
			agreements: []*Agreement{fxActivatedAt(fxEW(1, fxShanghai, fxYunnan), fxAt("2025-01-01T00:00:00Z"))},
			line:       fxSettled("2025-11-01T00:00:00Z")},
	})
}

func TestAttributePeriodBoundaries(t *testing.T) {
	t.Parallel()
	y2026 := func() *Agreement { return fxEW(26, fxShanghai, fxYunnan) }
	y2027 := func() *Agreement {
		return fxActivatedAt(fxPeriod(fxEW(27, fxShanghai, fxYunnan), fxDay(2027, 1, 1), fxDay(2027, 12, 31)),
			fxAt("2026-12-01T00:00:00Z"))
	}
	fxRun(t, []fxCase{
		{name: "16:30Z on 31 Dec is 1 Jan in CST: next year's agreement, year 2027 month 1",
			agreements: []*Agreement{y2026(), y2027()}, line: fxSettled("2026-12-31T16:30:00Z"),
			want: []fxWant{{27, kEW, iDP, fxShanghaiCo, 2027, 1}}},
		{name: "16:30Z on 31 Dec is not covered by a period ending 31 Dec",
			agreements: []*Agreement{y2026()}, line: fxSettled("2026-12-31T16:30:00Z"),
			noteHas: []string{"no EAST_WEST DIRECT_PURCHASE"}},
		{name: "16:00Z on 31 Dec is exactly midnight CST: next year",
			agreements: []*Agreement{y2026(), y2027()}, line: fxSettled("2026-12-31T16:00:00Z"),
			want: []fxWant{{27, kEW, iDP, fxShanghaiCo, 2027, 1}}},
		{name: "15:59Z on 31 Dec is still 2026-12 in CST: this year's agreement",
			agreements: []*Agreement{y2026(), y2027()}, line: fxSettled("2026-12-31T15:59:00Z"),
			want: []fxWant{{26, kEW, iDP, fxShanghaiCo, 2026, 12}}},
		{name: "15:59Z on 31 Dec is not covered by a period starting 1 Jan",
			agreements: []*Agreement{y2027()}, line: fxSettled("2026-12-31T15:59:00Z")},
		{name: "the same instant written in CST",
			agreements: []*Agreement{y2026(), y2027()}, line: fxSettled("2027-01-01T00:30:00+08:00"),
			want: []fxWant{{27, kEW, iDP, fxShanghaiCo, 2027, 1}}},
		{name: "first CST moment of the period start day is covered",
			agreements: []*Agreement{y2026()}, line: fxSettled("2025-12-31T16:00:00Z"),
			want: []fxWant{{26, kEW, iDP, fxShanghaiCo, 2026, 1}}},
		{name: "last CST moment before the period start day is not",
			agreements: []*Agreement{y2026()}, line: fxSettled("2025-12-31T15:59:59Z")},
		{name: "month boundary in CST: 30 Jun 16:00Z is July",
			agreements: []*Agreement{y2026()}, line: fxSettled("2026-06-30T16:00:00Z"),
			want: []fxWant{{26, kEW, iDP, fxShanghaiCo, 2026, 7}}},
		{name: "month boundary in CST: 30 Jun 15:59:59Z is June",
			agreements: []*Agreement{y2026()}, line: fxSettled("2026-06-30T15:59:59Z"),
			want: []fxWant{{26, kEW, iDP, fxShanghaiCo, 2026, 6}}},
		{name: "mid-year period end: last CST day covered, the next not",
			agreements: []*Agreement{fxPeriod(fxEW(1, fxShanghai, fxYunnan), fxDay(2026, 1, 1), fxDay(2026, 6, 30))},
			line:       fxSettled("2026-06-30T15:59:59Z"),
			want:       []fxWant{{1, kEW, iDP, fxShanghaiCo, 2026, 6}}},
		{name: "mid-year period end: the day after in CST is not covered",
			agreements: []*Agreement{fxPeriod(fxEW(1, fxShanghai, fxYunnan), fxDay(2026, 1, 1), fxDay(2026, 6, 30))},
			line:       fxSettled("2026-06-30T16:00:00Z")},
		{name: "DESIGNATED follows the same CST period rule",
			agreements: []*Agreement{
				fxDes(26, fxCentral, fxLancang),
				fxActivatedAt(fxPeriod(fxDes(27, fxCentral, fxLancang), fxDay(2027, 1, 1), fxDay(2027, 12, 31)), fxAt("2026-12-01T00:00:00Z")),
			},
			line: fxLineWith(fxBuyer(fxCentral), fxSettled("2026-12-31T16:30:00Z")),
			want: []fxWant{{27, kDES, iDP, fxCentral, 2027, 1}}},
	})
}

func TestAttributeErrors(t *testing.T) {
	t.Parallel()
	w := fxNewWorld(fxEW(1, fxShanghai, fxYunnan))
	for _, tc := range []struct {
		name string
		line func(*Line)
	}{
		{"unknown origin county", fxOrigin(999)},
		{"unknown buyer", fxBuyer(999)},
		{"unknown facilitator", func(l *Line) { l.FacilitatorID = 999 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := fxLine()
			tc.line(&l)
			if got, _, err := Attribute(w, l); err == nil {
				t.Fatalf("want an error, got credits %+v", got)
			}
		})
	}
}

// TestAttributeDeterministic shuffles the order World.Agreements returns
// and expects the same credits, reasons and notes every time.
func TestAttributeDeterministic(t *testing.T) {
	t.Parallel()
	all := func() []*Agreement {
		return []*Agreement{
			fxEW(1, fxJiangsu, fxYunnan),
			fxEW(2, fxJiangsu, fxPuer),
			fxEW(3, fxSuzhou, fxLancang),
			fxEW(4, fxSuzhou, fxPuer),
			fxEW(5, fxShanghai, fxYunnan),
			fxEW(6, fxShanghai, fxYunnan), // tie with 5 except id
			fxActivatedAt(fxEW(7, fxShanghai, fxYunnan), fxAt("2025-12-01T00:00:00Z")), // tie with 5, 6 but earlier
			fxEW(8, fxShanghai, fxPuer),
			fxClosedAt(fxEW(9, fxShanghai, fxLancang), fxAt("2026-05-01T00:00:00Z")),
			fxActivatedAt(fxEW(10, fxShanghai, fxLancang), fxAt("2026-05-01T00:00:00Z")),
			fxDes(11, fxCentral, fxYunnan),
			fxDes(12, fxCentral, fxLancang),
			fxDes(13, fxCentralSub, fxLancang),
			fxDes(14, fxCentral, fxPuer),
			fxActivatedAt(fxDes(15, fxCentral, fxLancang), fxAt("2025-11-01T00:00:00Z")),
			fxActivatedAt(fxPeriod(fxEW(16, fxShanghai, fxYunnan), fxDay(2027, 1, 1), fxDay(2027, 12, 31)), fxAt("2026-12-01T00:00:00Z")),
		}
	}
	var lines []Line
	for _, b := range []int{fxShanghaiCo, fxSuzhouUnit, fxSuzhouUnion, fxSuzhouUnion2, fxCentral, fxCentralSub, fxCentralSubSH, fxUnrelated} {
		for _, f := range []int{0, fxFacilitator, fxCentralSubSH, fxSuzhouUnion} {
			for _, o := range []int{fxLancang, fxXimeng, fxZhenxiong, fxLeishan} {
				for _, at := range []string{"2026-04-30T23:59:59Z", "2026-05-01T00:00:00Z", "2026-12-31T16:30:00Z"} {
					l := fxLine()
					l.ID = len(lines) + 1
					l.BuyerID, l.FacilitatorID, l.OriginCountyID, l.SettledAt = b, f, o, fxAt(at)
					lines = append(lines, l)
				}
			}
		}
	}
	type result struct {
		credits []Credit
		notes   []string
	}
	base := fxNewWorld(all()...)
	want := make([]result, len(lines))
	credited := 0
	for i, l := range lines {
		c, n, err := Attribute(base, l)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = result{c, n}
		credited += len(c)
	}
	if credited == 0 {
		t.Fatal("the determinism fixture credits nothing")
	}
	// Spot-check the fixture exercises the tie-breaks.
	spot, _, _ := Attribute(base, Line{ID: 1, AmountFen: 1, Certified: true, OriginCountyID: fxZhenxiong,
		BuyerID: fxShanghaiCo, SettledAt: fxAt("2026-06-01T00:00:00Z")})
	if len(spot) != 1 || spot[0].AgreementID != 7 {
		t.Fatalf("spot check: want agreement 7 (earliest of an exact tie), got %+v", spot)
	}
	rng := rand.New(rand.NewPCG(2026, 1231))
	for round := range 50 {
		w := fxNewWorld(all()...)
		rng.Shuffle(len(w.agreements), func(i, j int) { w.agreements[i], w.agreements[j] = w.agreements[j], w.agreements[i] })
		for i, l := range lines {
			c, n, err := Attribute(w, l)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(result{c, n}, want[i]) {
				order := make([]int, len(w.agreements))
				for k, a := range w.agreements {
					order[k] = a.ID
				}
				t.Fatalf("round %d, agreements in order %v, line %+v:\n got  %+v %q\n want %+v %q",
					round, order, l, c, n, want[i].credits, want[i].notes)
			}
		}
	}
}
