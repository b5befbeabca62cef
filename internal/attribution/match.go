// Package attribution decides what each settled order line counts toward
// (DOMAIN rules 1–3) and keeps the running totals that progress reads.
//
// The rules, in one place:
//   - Only lines whose product was certified and valid on the order date
//     count; others may be sold but are never credited.
//   - A line is a DIRECT_PURCHASE for the buyer's side and, when a
//     facilitating organization is named, a HELP_SELL for it. The two are
//     separate measures, never added; a facilitator whose organization
//     chain shares any organization with the buyer's (the buyer itself,
//     its parent, its union) earns no HELP_SELL: both credits would land
//     on the same unit, which is self-dealing.
//   - EAST_WEST: an organization in the party's chain (the party and its
//     parents: unions and subsidiaries count toward their parent) is
//     registered in the agreement's helping region or below it, and the
//     product's origin county is one of the helped regions or below one.
//   - DESIGNATED: the agreement's designated unit is in the party's chain,
//     and the origin county is one of its assigned regions or below one.
//   - The agreement version must be in force when the line settles
//     (activated, not yet closed or superseded), and the settlement day
//     must lie within its period. The period is the settlement's year
//     and month in China Standard Time.
//   - Where several agreements of one kind match, the most specific
//     pairing wins: the deeper helped region first (county before city
//     before province), then the deeper helping region (EAST_WEST) or the
//     nearer unit in the chain (DESIGNATED), then the earlier activated
//     version, then the lower id. So a line is credited at most once per
//     agreement kind and indicator.
package attribution

import (
	"fmt"
	"slices"
	"time"

	"bangfu/ent/agreement"
	"bangfu/ent/ledgerentry"
	"bangfu/internal/period"
)

// Line is what attribution needs to know about a settled order line.
type Line struct {
	ID              int
	AmountFen       int64
	Certified       bool // certified and valid on the order date
	OriginCountyID  int
	BuyerID         int
	FacilitatorID   int // 0 when no organization helped sell
	SettledAt       time.Time
	SupplierID      int
	ProductCategory string
}

// Credit is one attribution of a line: the ledger entry it becomes.
type Credit struct {
	LineID         int
	AgreementID    int
	Kind           agreement.Kind
	Indicator      ledgerentry.Indicator
	OrganizationID int // the organization the credit counts toward
	AmountFen      int64
	Year, Month    int
	OriginCountyID int
	Reason         string
}

// maxReason is the longest reason a ledger note holds (runes).
const maxReason = 500

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Agreement is an agreement version as matching sees it.
type Agreement struct {
	ID              int
	Kind            agreement.Kind
	Title           string
	HelpingRegionID int
	HelpingUnitID   int
	HelpedRegionIDs []int
	PeriodStart     time.Time
	PeriodEnd       time.Time
	ActivatedAt     time.Time
	ClosedAt        *time.Time
}

// inForce reports whether the version applies to a line settled at t.
func (a *Agreement) inForce(t time.Time) bool {
	if t.Before(a.ActivatedAt) || a.ClosedAt != nil && !t.Before(*a.ClosedAt) {
		return false
	}
	day := period.DayOf(t)
	return period.StoredDay(a.PeriodStart) <= day && day <= period.StoredDay(a.PeriodEnd)
}

// Region is a division as matching sees it.
type Region struct {
	ID       int
	ParentID int
	Depth    int // 1 province, 2 city, 3 county, 4 township, 5 village
	Name     string
}

// Organization is a party as matching sees it.
type Organization struct {
	ID       int
	ParentID int
	RegionID int
	Name     string
}

// World answers the lookups matching needs. Implementations cache; the
// database one loads lazily (see Load).
type World interface {
	Agreements() []*Agreement
	Region(id int) (*Region, error)
	Organization(id int) (*Organization, error)
}

// Attribute returns the credits a settled line earns, and for lines that
// earn fewer than they could, why (for explanations).
func Attribute(w World, l Line) ([]Credit, []string, error) {
	if !l.Certified {
		return nil, []string{"not counted: the product was not certified and valid on the order date"}, nil
	}
	if l.AmountFen <= 0 {
		return nil, []string{"not counted: nothing was paid"}, nil
	}
	origin, err := ancestors(w, l.OriginCountyID)
	if err != nil {
		return nil, nil, err
	}
	buyers, err := chain(w, l.BuyerID)
	if err != nil {
		return nil, nil, err
	}
	parties := []struct {
		indicator ledgerentry.Indicator
		chain     []*Organization
	}{{ledgerentry.IndicatorDIRECT_PURCHASE, buyers}}
	var notes []string
	if l.FacilitatorID != 0 {
		helpers, err := chain(w, l.FacilitatorID)
		if err != nil {
			return nil, nil, err
		}
		if shareOrg(helpers, buyers) {
			notes = append(notes, "no HELP_SELL: the facilitator belongs to the buyer's own organization chain")
		} else {
			parties = append(parties, struct {
				indicator ledgerentry.Indicator
				chain     []*Organization
			}{ledgerentry.IndicatorHELP_SELL, helpers})
		}
	}
	year, month := period.Of(l.SettledAt)
	var credits []Credit
	for _, p := range parties {
		for _, kind := range []agreement.Kind{agreement.KindEAST_WEST, agreement.KindDESIGNATED} {
			best, why, err := bestMatch(w, kind, p.chain, origin, l.SettledAt)
			if err != nil {
				return nil, nil, err
			}
			if best == nil {
				notes = append(notes, fmt.Sprintf("no %s %s: %s", kind, p.indicator, why))
				continue
			}
			credits = append(credits, Credit{
				LineID: l.ID, AgreementID: best.agreement.ID, Kind: kind, Indicator: p.indicator,
				OrganizationID: best.creditedOrg, AmountFen: l.AmountFen, Year: year, Month: month,
				OriginCountyID: l.OriginCountyID, Reason: truncate(best.reason, maxReason),
			})
		}
	}
	return credits, notes, nil
}

// match is one agreement that applies to a line, with how specifically.
type match struct {
	agreement     *Agreement
	helpedDepth   int // depth of the helped region matched (deeper is more specific)
	helpingDepth  int // EAST_WEST: depth of the helping region matched
	chainDistance int // DESIGNATED: 0 when the unit itself bought, 1 for its direct child...
	creditedOrg   int
	reason        string
}

func (m *match) beats(o *match) bool {
	if m.helpedDepth != o.helpedDepth {
		return m.helpedDepth > o.helpedDepth
	}
	if m.helpingDepth != o.helpingDepth {
		return m.helpingDepth > o.helpingDepth
	}
	if m.chainDistance != o.chainDistance {
		return m.chainDistance < o.chainDistance
	}
	if !m.agreement.ActivatedAt.Equal(o.agreement.ActivatedAt) {
		return m.agreement.ActivatedAt.Before(o.agreement.ActivatedAt)
	}
	return m.agreement.ID < o.agreement.ID
}

func bestMatch(w World, kind agreement.Kind, party []*Organization, origin []*Region, at time.Time) (*match, string, error) {
	var best *match
	matched := 0
	for _, a := range w.Agreements() {
		if a.Kind != kind || !a.inForce(at) {
			continue
		}
		helped := deepestIn(origin, a.HelpedRegionIDs)
		if helped == nil {
			continue
		}
		m := &match{agreement: a, helpedDepth: helped.Depth, creditedOrg: party[len(party)-1].ID}
		switch kind {
		case agreement.KindEAST_WEST:
			via, depth, err := helpingRegionMatch(w, party, a.HelpingRegionID)
			if err != nil {
				return nil, "", err
			}
			if via == nil {
				continue
			}
			m.helpingDepth = depth
			m.reason = fmt.Sprintf("东西部协作 %q (version %d): %s is registered within the helping region; the origin county is within helped region %s",
				a.Title, a.ID, via.Name, helped.Name)
		case agreement.KindDESIGNATED:
			i := slices.IndexFunc(party, func(o *Organization) bool { return o.ID == a.HelpingUnitID })
			if i < 0 {
				continue
			}
			m.chainDistance, m.creditedOrg = i, party[i].ID
			m.reason = fmt.Sprintf("定点帮扶 %q (version %d): designated unit %s; the origin county is within assigned region %s",
				a.Title, a.ID, party[i].Name, helped.Name)
		}
		matched++
		if best == nil || m.beats(best) {
			best = m
		}
	}
	if best == nil {
		return nil, "no agreement in force pairs this party with the origin county on the settlement day", nil
	}
	if matched > 1 {
		best.reason += fmt.Sprintf("; most specific of %d matching agreements", matched)
	}
	if len(party) > 1 && kind == agreement.KindEAST_WEST {
		best.reason += "; counted toward " + party[len(party)-1].Name
	}
	return best, "", nil
}

// helpingRegionMatch finds the first organization of the chain registered
// within the helping region, and the helping region's depth (what the
// agreement names, so the same whichever organization matched).
func helpingRegionMatch(w World, party []*Organization, helpingRegionID int) (*Organization, int, error) {
	if helpingRegionID == 0 {
		return nil, 0, nil
	}
	for _, o := range party {
		up, err := ancestors(w, o.RegionID)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range up {
			if r.ID == helpingRegionID {
				return o, r.Depth, nil
			}
		}
	}
	return nil, 0, nil
}

// deepestIn returns the deepest region of the ancestor list (deepest
// first) that is one of ids.
func deepestIn(up []*Region, ids []int) *Region {
	for _, r := range up {
		if slices.Contains(ids, r.ID) {
			return r
		}
	}
	return nil
}

// ancestors lists a region and its parents, deepest first.
func ancestors(w World, id int) ([]*Region, error) {
	var out []*Region
	for id != 0 && len(out) < 8 {
		r, err := w.Region(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		id = r.ParentID
	}
	return out, nil
}

// chain lists an organization and its parents, the organization first.
func chain(w World, id int) ([]*Organization, error) {
	var out []*Organization
	for id != 0 && len(out) < 8 {
		o, err := w.Organization(id)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(p *Organization) bool { return p.ID == o.ID }) {
			break // a cycle in the data; stop rather than loop
		}
		out = append(out, o)
		id = o.ParentID
	}
	return out, nil
}

func shareOrg(a, b []*Organization) bool {
	for _, x := range a {
		for _, y := range b {
			if x.ID == y.ID {
				return true
			}
		}
	}
	return false
}

// CountsToward returns the organization an organization's purchases count
// toward: the top of its parent chain (unions and subsidiaries count
// toward their parent unit).
func CountsToward(w World, orgID int) (int, error) {
	c, err := chain(w, orgID)
	if err != nil || len(c) == 0 {
		return 0, err
	}
	return c[len(c)-1].ID, nil
}
