package attribution

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/region"
)

// dbWorld reads matching facts from the database, loading agreements once
// and regions and organizations as they are first needed.
type dbWorld struct {
	ctx        context.Context
	client     *ent.Client
	agreements []*Agreement
	regions    map[int]*Region
	orgs       map[int]*Organization
}

var depthOf = map[region.Level]int{
	region.LevelPROVINCE: 1, region.LevelCITY: 2, region.LevelCOUNTY: 3,
	region.LevelTOWNSHIP: 4, region.LevelVILLAGE: 5,
}

// Parties is a world of regions and organizations only (no agreements),
// for callers that need parent chains and not matching.
func Parties(ctx context.Context, c *ent.Client) World {
	return &dbWorld{ctx: ctx, client: c, regions: map[int]*Region{}, orgs: map[int]*Organization{}}
}

// Load reads every agreement version that has ever been in force. The
// world answers for ctx's lifetime; it is not safe for concurrent use.
func Load(ctx context.Context, c *ent.Client) (World, error) {
	rows, err := c.Agreement.Query().Where(agreement.ActivatedAtNotNil()).
		WithHelpedRegions(func(q *ent.RegionQuery) { q.Select(region.FieldID) }).
		Order(ent.Asc(agreement.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	w := Parties(ctx, c).(*dbWorld)
	for _, a := range rows {
		m := &Agreement{ID: a.ID, Kind: a.Kind, Title: a.Title, PeriodStart: a.PeriodStart, PeriodEnd: a.PeriodEnd,
			ActivatedAt: *a.ActivatedAt, ClosedAt: a.ClosedAt}
		if a.HelpingRegionID != nil {
			m.HelpingRegionID = *a.HelpingRegionID
		}
		if a.HelpingUnitID != nil {
			m.HelpingUnitID = *a.HelpingUnitID
		}
		for _, r := range a.Edges.HelpedRegions {
			m.HelpedRegionIDs = append(m.HelpedRegionIDs, r.ID)
		}
		w.agreements = append(w.agreements, m)
	}
	return w, nil
}

func (w *dbWorld) Agreements() []*Agreement { return w.agreements }

func (w *dbWorld) Region(id int) (*Region, error) {
	if r, ok := w.regions[id]; ok {
		return r, nil
	}
	r, err := w.client.Region.Get(w.ctx, id)
	if err != nil {
		return nil, err
	}
	out := &Region{ID: r.ID, Depth: depthOf[r.Level], Name: r.Name}
	if r.ParentID != nil {
		out.ParentID = *r.ParentID
	}
	w.regions[id] = out
	return out, nil
}

func (w *dbWorld) Organization(id int) (*Organization, error) {
	if o, ok := w.orgs[id]; ok {
		return o, nil
	}
	o, err := w.client.Organization.Get(w.ctx, id)
	if err != nil {
		return nil, err
	}
	out := &Organization{ID: o.ID, RegionID: o.RegionID, Name: o.Name}
	if o.ParentID != nil {
		out.ParentID = *o.ParentID
	}
	w.orgs[id] = out
	return out, nil
}
