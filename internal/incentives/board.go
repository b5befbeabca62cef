package incentives

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"bangfu/ent"
	"bangfu/ent/award"
	"bangfu/ent/organization"
	"bangfu/ent/purchasetotal"
	"bangfu/ent/region"
	"bangfu/internal/access"
	"bangfu/internal/apperr"
	"bangfu/internal/attribution"

	"entgo.io/contrib/entgql"
)

// Scope is what a leaderboard ranks.
type Scope string

// Leaderboard scopes.
const (
	Organizations   Scope = "ORGANIZATION"    // organizations, unions and subsidiaries counted in their parent
	EastRegions     Scope = "EAST_REGION"     // eastern provinces, by the organizations registered in them
	DesignatedUnits Scope = "DESIGNATED_UNIT" // central designated units
)

// Metric is what a leaderboard ranks by.
type Metric string

// Leaderboard metrics.
const (
	Purchases    Metric = "PURCHASES" // settled purchases that count (certified and valid), fen
	PointsMetric Metric = "POINTS"    // net incentive points
)

// Entry is one place on a leaderboard.
type Entry struct {
	Rank           int
	Value          int64
	Name           string
	OrganizationID int // 0 for regions
	RegionID       int // 0 for organizations
}

// Board is one page of a leaderboard.
type Board struct {
	Edges      []*BoardEdge
	PageInfo   ent.PageInfo
	TotalCount int
}

// BoardEdge is an entry with its cursor.
type BoardEdge struct {
	Node   *Entry
	Cursor entgql.Cursor[int]
}

// Ranking ranks a year by the metric, highest first. Ties share a rank
// (1, 2, 2, 4) and are listed oldest participant first (lowest id), so
// the order is stable from one request to the next. Entries with nothing
// to show are left out. It reads the monthly totals, never the ledger.
func (s *Service) Ranking(ctx context.Context, scope Scope, metric Metric, year int) ([]Entry, error) {
	if year < 2000 || year > 2100 {
		return nil, apperr.BadInput("year must be 2000–2100")
	}
	if metric != Purchases && metric != PointsMetric {
		return nil, apperr.BadInput("unknown metric %q", metric)
	}
	sys, err := access.As(ctx, access.PublishedFigures)
	if err != nil {
		return nil, err
	}
	t, err := s.totals(sys, year)
	if err != nil {
		return nil, err
	}
	if metric == Purchases {
		return s.rank(sys, t.w, t.purchases, scope)
	}
	return s.rank(sys, t.w, t.points, scope)
}

// yearTotals are a year's points and counted purchases per organization
// its members count toward.
type yearTotals struct {
	points, purchases map[int]int64
	w                 attribution.World
}

func (s *Service) totals(sys context.Context, year int) (*yearTotals, error) {
	rows, err := s.client.PurchaseTotal.Query().Where(purchasetotal.Year(year)).All(sys)
	if err != nil {
		return nil, err
	}
	t := &yearTotals{points: map[int]int64{}, purchases: map[int]int64{}, w: attribution.Parties(sys, s.client)}
	for _, r := range rows {
		if r.Points == 0 && r.CountedFen == 0 {
			continue
		}
		root, err := attribution.CountsToward(t.w, r.OrganizationID)
		if err != nil {
			return nil, err
		}
		if r.Points != 0 {
			t.points[root] += r.Points
		}
		if r.CountedFen != 0 {
			t.purchases[root] += r.CountedFen
		}
	}
	return t, nil
}

// rank orders per-organization values into the scope's entries.
func (s *Service) rank(sys context.Context, w attribution.World, byOrg map[int]int64, scope Scope) ([]Entry, error) {
	ids := make([]int, 0, len(byOrg))
	for id := range byOrg {
		ids = append(ids, id)
	}
	orgs, err := s.client.Organization.Query().Where(organization.IDIn(ids...)).All(sys)
	if err != nil {
		return nil, err
	}
	var out []Entry
	switch scope {
	case Organizations, DesignatedUnits:
		for _, o := range orgs {
			if scope == DesignatedUnits && o.Kind != organization.KindDESIGNATED_UNIT {
				continue
			}
			out = append(out, Entry{Value: byOrg[o.ID], Name: o.Name, OrganizationID: o.ID})
		}
	case EastRegions:
		byProvince := map[int]int64{}
		for _, o := range orgs {
			v := byOrg[o.ID]
			p, err := province(w, o.RegionID)
			if err != nil {
				return nil, err
			}
			byProvince[p] += v
		}
		for id, v := range byProvince {
			r, err := s.client.Region.Get(sys, id)
			if err != nil {
				return nil, err
			}
			if r.Side != region.SideEAST {
				continue
			}
			out = append(out, Entry{Value: v, Name: r.Name, RegionID: id})
		}
	default:
		return nil, apperr.BadInput("unknown scope %q", scope)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if a.Value != b.Value {
			if a.Value > b.Value {
				return -1
			}
			return 1
		}
		return (a.OrganizationID + a.RegionID) - (b.OrganizationID + b.RegionID)
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Value == out[i-1].Value {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out, nil
}

func province(w attribution.World, regionID int) (int, error) {
	for id := regionID; ; {
		r, err := w.Region(id)
		if err != nil {
			return 0, err
		}
		if r.ParentID == 0 {
			return r.ID, nil
		}
		id = r.ParentID
	}
}

// Leaderboard pages through a ranking. Cursors carry the offset reached.
func (s *Service) Leaderboard(ctx context.Context, scope Scope, metric Metric, year int, first *int, after *entgql.Cursor[int]) (*Board, error) {
	all, err := s.Ranking(ctx, scope, metric, year)
	if err != nil {
		return nil, err
	}
	offset := 0
	if after != nil {
		n, err := strconv.Atoi(fmt.Sprint(after.Value))
		if err != nil || n < 0 {
			return nil, apperr.BadInput("invalid leaderboard cursor")
		}
		offset = min(n, len(all))
	}
	limit := 20
	if first != nil {
		limit = *first
	}
	b := &Board{TotalCount: len(all)}
	end := min(offset+limit, len(all))
	for i := offset; i < end; i++ {
		e := all[i]
		b.Edges = append(b.Edges, &BoardEdge{Node: &e, Cursor: entgql.Cursor[int]{ID: e.OrganizationID + e.RegionID, Value: i + 1}})
	}
	b.PageInfo.HasPreviousPage = offset > 0
	b.PageInfo.HasNextPage = end < len(all)
	if n := len(b.Edges); n > 0 {
		b.PageInfo.StartCursor, b.PageInfo.EndCursor = &b.Edges[0].Cursor, &b.Edges[n-1].Cursor
	}
	return b, nil
}

// Summary is an organization's own standing for a year.
type Summary struct {
	OrganizationID    int
	Year              int
	Points            int64
	PurchasesFen      int64
	Rank              *int
	Level             *Level
	NextLevel         *Level
	PointsToNextLevel *int64
	Awards            []*ent.Award
}

// Summarize returns an organization's points, counted purchases, rank
// among organizations by points, level and awards for the year. Its
// unions' and subsidiaries' purchases count in it.
func (s *Service) Summarize(ctx context.Context, orgID, year int) (*Summary, error) {
	sys, err := access.As(ctx, access.ReadFigures)
	if err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.BadInput("year must be 2000–2100")
	}
	if _, err := s.client.Organization.Get(sys, orgID); ent.IsNotFound(err) {
		return nil, apperr.NotFound("organization not found")
	} else if err != nil {
		return nil, err
	}
	t, err := s.totals(sys, year)
	if err != nil {
		return nil, err
	}
	ranking, err := s.rank(sys, t.w, t.points, Organizations)
	if err != nil {
		return nil, err
	}
	sum := &Summary{OrganizationID: orgID, Year: year, PurchasesFen: t.purchases[orgID]}
	for _, e := range ranking {
		if e.OrganizationID == orgID {
			sum.Points, sum.Rank = e.Value, &e.Rank
		}
	}
	for i := range Levels {
		if sum.Points >= Levels[i].Points {
			sum.Level = &Levels[i]
		} else if sum.NextLevel == nil {
			sum.NextLevel = &Levels[i]
			left := Levels[i].Points - sum.Points
			sum.PointsToNextLevel = &left
		}
	}
	sum.Awards, err = s.client.Award.Query().Where(award.OrganizationID(orgID), award.Year(year), award.RevokedAtIsNil()).
		Order(ent.Asc(award.FieldThreshold)).All(sys)
	return sum, err
}
