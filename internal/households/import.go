package households

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/annualincome"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/region"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// ImportOptions say how to import a file.
type ImportOptions struct {
	DryRun bool
	// IncomeYear is the year the file's 人均纯收入 is for.
	IncomeYear int
	// FileSHA256 identifies the file in the audit trail.
	FileSHA256 string
}

// Rows reads a household record file row by row, the header first; Next
// returns io.EOF after the last row.
type Rows interface {
	Next() ([]string, error)
	Close() error
}

// ImportReport says what an import did, or (dry run, or a file with
// problems) what it would have done. Nothing is written unless Problems is
// empty and DryRun is false.
type ImportReport struct {
	DryRun     bool      `json:"dryRun"`
	Written    bool      `json:"written"`
	Rows       int       `json:"rows"`
	Households int       `json:"households"`
	Created    int       `json:"created"`
	Updated    int       `json:"updated"`
	Unchanged  int       `json:"unchanged"`
	Changed    []string  `json:"changed"` // 户编号 of the updated households (at most 1,000)
	Problems   []Problem `json:"problems"`
	// ProblemsTruncated is set when more problems were found than listed.
	ProblemsTruncated bool `json:"problemsTruncated"`
}

// importBatch is how many households are compared and written at a time.
const importBatch = 1000

// errHasProblems rolls back a write that found a problem part way.
var errHasProblems = errors.New("the file has problems")

// Import reads a household record file (open starts reading it from its
// header; it is read twice) and writes it in one transaction, all rows or
// none. A household is matched by its 户编号: a new one is created, a
// known one whose record differs is updated (members absent from the file
// are recorded as removed), an identical one is left alone, so importing a
// file twice changes nothing. Every household must lie in a county the
// caller keeps the registry of (the Household policy's rule); the whole
// import is one audit event.
//
// It streams: the first reading checks every row and keeps only each
// household's own columns and the hashes of the ID numbers seen; the
// second compares and writes a thousand households at a time, so memory
// grows with the number of households, not of members.
func (s *Service) Import(ctx context.Context, open func() (Rows, error), opts ImportOptions) (*ImportReport, error) {
	v := viewer.FromContext(ctx)
	if !v.Authenticated() {
		return nil, apperr.Unauthenticated("sign in to import households")
	}
	if !v.Has(viewer.Admin, viewer.Certifier, viewer.Coordinator) {
		return nil, apperr.Forbidden("the household registry is kept by the officials whose scope covers the households' counties")
	}
	now := s.now()
	if opts.IncomeYear == 0 {
		opts.IncomeYear = now.Year() - 1
	}
	if opts.IncomeYear < 2014 || opts.IncomeYear > now.Year() {
		return nil, apperr.BadInput("incomeYear is a year from 2014 to this year")
	}
	rr, err := s.check(open, now)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{DryRun: opts.DryRun, Rows: rr.rows, Households: len(rr.households)}
	sys := viewer.AsSystem(ctx)
	villages, err := s.villages(sys, rr, v)
	if err != nil {
		return nil, err
	}
	// The rows were checked against the caller's scope above; the writes
	// go as the system, in bulk, under one audit event for the file.
	write := audit.WithoutEvents(sys)
	writing := len(rr.problems) == 0 && !opts.DryRun
	compare := func(tx *ent.Client) error {
		return s.compare(write, tx, open, rr, villages, opts.IncomeYear, rep, writing)
	}
	if !writing {
		err = compare(nil)
	} else {
		err = store.WithTx(write, s.client, func(tx *ent.Client) error {
			if err := compare(tx); err != nil {
				return err
			}
			if len(rr.problems) > 0 {
				return errHasProblems
			}
			return audit.Append(ctx, tx, audit.Event{OccurredAt: now.UTC(), Action: "households.import", EntityType: "Household",
				Changes: []map[string]any{{"type": "Household", "op": "import", "after": map[string]any{
					"file_sha256": opts.FileSHA256, "rows": rep.Rows, "households": rep.Households,
					"created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged, "income_year": opts.IncomeYear}}}})
		})
	}
	if err != nil && !errors.Is(err, errHasProblems) {
		return nil, err
	}
	rep.Written = writing && err == nil
	rep.Problems, rep.ProblemsTruncated = rr.problems, len(rr.problems) >= maxProblems
	slices.SortStableFunc(rep.Problems, func(a, b Problem) int { return a.Row - b.Row })
	return rep, nil
}

// check reads the whole file once and checks every row.
func (s *Service) check(open func() (Rows, error), now time.Time) (*rowReader, error) {
	rows, err := open()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	header, err := rows.Next()
	if errors.Is(err, io.EOF) {
		return nil, apperr.BadInput("the file is empty; the first row names the columns: %s", strings.Join(Columns, ", "))
	}
	if err != nil {
		return nil, apperr.BadInput("the file cannot be read: %v", err)
	}
	rr, err := newRowReader(header, now)
	if err != nil {
		return nil, apperr.BadInput("%v", err)
	}
	err = eachRow(rows, func(row int, rec []string) error {
		rr.read(row, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rr.finish()
	return rr, nil
}

// eachRow calls fn with each row after the header, numbered as a
// spreadsheet shows it; blank rows are skipped.
func eachRow(rows Rows, fn func(row int, rec []string) error) error {
	for row := 2; ; row++ {
		rec, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return apperr.BadInput("row %d cannot be read: %v", row, err)
		}
		if blank(rec) {
			continue
		}
		if err := fn(row, rec); err != nil {
			return err
		}
	}
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// compare reads the file again, a window of households at a time, compares
// each window with the registry and, when writing, writes it through tx.
// Problems it finds (a 户编号 of another county) join rr's; once there is
// one, nothing more is written (and the caller rolls back).
func (s *Service) compare(ctx context.Context, tx *ent.Client, open func() (Rows, error), rr *rowReader,
	villages map[string]*ent.Region, incomeYear int, rep *ImportReport, writing bool) error {
	rows, err := open()
	if err != nil {
		return err
	}
	defer rows.Close()
	if _, err := rows.Next(); err != nil { // the header, read before
		return apperr.BadInput("the file cannot be read again: %v", err)
	}
	win := rr.window()
	flush := func() error {
		read := s.client // a dry run reads outside any transaction
		if tx != nil {
			read = tx
		}
		p, err := s.plan(ctx, read, win, villages, incomeYear)
		if err != nil {
			return err
		}
		for _, pr := range p.problems {
			rr.problem(pr.Row, pr.Column, "%s", pr.Message)
		}
		rep.Created += len(p.create)
		rep.Updated += len(p.update)
		rep.Unchanged += len(win.households) - len(p.create) - len(p.update)
		for _, u := range p.update {
			if len(rep.Changed) < 1000 {
				rep.Changed = append(rep.Changed, u.rec.number)
			}
		}
		if writing && len(rr.problems) == 0 {
			if err := s.apply(ctx, tx, p, villages, incomeYear); err != nil {
				return err
			}
		}
		win = rr.window()
		return nil
	}
	err = eachRow(rows, func(row int, rec []string) error {
		if n := len(win.households); n >= importBatch && rr.number(rec) != win.households[n-1].number {
			if err := flush(); err != nil {
				return err
			}
		}
		win.read(row, rec)
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// villages resolves the file's village codes, and reports the unknown ones
// and those outside the caller's counties.
func (s *Service) villages(ctx context.Context, rr *rowReader, v *viewer.Viewer) (map[string]*ent.Region, error) {
	var codes []string
	seen := map[string]bool{}
	for _, h := range rr.households {
		if len(h.villageCode) == 12 && !seen[h.villageCode] {
			seen[h.villageCode] = true
			codes = append(codes, h.villageCode)
		}
	}
	out := map[string]*ent.Region{}
	for chunk := range slices.Chunk(codes, importBatch) {
		rs, err := s.client.Region.Query().Where(region.CodeIn(chunk...), region.LevelEQ(region.LevelVILLAGE)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			out[r.Code] = r
		}
	}
	for _, h := range rr.households {
		if len(h.villageCode) != 12 {
			continue
		}
		switch {
		case out[h.villageCode] == nil:
			rr.problem(h.row, colVillage, "村代码 is not a known village")
		case !v.Has(viewer.Admin) && !v.CoversRegion(h.villageCode):
			rr.problem(h.row, colVillage, "the village is outside the counties whose registry you keep")
		}
	}
	return out, nil
}

// importPlan is what an import writes.
type importPlan struct {
	create   []*recordHousehold
	update   []planned
	problems []Problem // found comparing with the registry
}

type planned struct {
	rec     *recordHousehold
	current *ent.Household
}

// plan compares the file with the registry, household by household.
func (s *Service) plan(ctx context.Context, c *ent.Client, rr *rowReader, villages map[string]*ent.Region, incomeYear int) (*importPlan, error) {
	p := &importPlan{}
	numbers := make([]string, 0, len(rr.households))
	for _, h := range rr.households {
		numbers = append(numbers, h.number)
	}
	for chunk := range slices.Chunk(numbers, importBatch) {
		current, err := c.Household.Query().Where(household.NumberIn(chunk...)).
			WithMembers(func(q *ent.HouseholdMemberQuery) {
				q.Where(householdmember.RemovedAtIsNil()).Order(ent.Asc(householdmember.FieldID))
			}).
			WithAnnualIncomes(func(q *ent.AnnualIncomeQuery) { q.Where(annualincome.Year(incomeYear)) }).
			All(ctx)
		if err != nil {
			return nil, err
		}
		byNumber := make(map[string]*ent.Household, len(current))
		for _, h := range current {
			byNumber[h.Number] = h
		}
		for _, number := range chunk {
			rec := rr.byNumber[number]
			cur := byNumber[number]
			switch {
			case cur == nil:
				p.create = append(p.create, rec)
			case villages[rec.villageCode] != nil && cur.CountyCode != rec.villageCode[:6]:
				p.problems = append(p.problems, Problem{Row: rec.row, Column: colNumber, Message: "户编号 belongs to a household of another county"})
			case differs(rec, cur, villages):
				p.update = append(p.update, planned{rec, cur})
			}
		}
	}
	return p, nil
}

// differs reports whether the file's record of a household differs from
// the registry's.
func differs(rec *recordHousehold, cur *ent.Household, villages map[string]*ent.Region) bool {
	if v := villages[rec.villageCode]; v == nil || cur.VillageID != v.ID || cur.MainCause != rec.mainCause ||
		cur.Attribute != rec.attribute || !eqPtr(cur.SecondaryCause, rec.secondaryCause) ||
		!eqPtr(cur.MonitoringType, rec.monitoringType) || !eqPtr(cur.ExitYear, rec.exitYear) || cur.Status != statusOf(rec) {
		return true
	}
	if rec.incomeFen != nil && (len(cur.Edges.AnnualIncomes) == 0 || cur.Edges.AnnualIncomes[0].PerCapitaNetIncomeFen != *rec.incomeFen) {
		return true
	}
	if len(cur.Edges.Members) != len(rec.members) {
		return true
	}
	for _, m := range rec.members {
		c := matchMember(m, cur.Edges.Members)
		if c == nil || c.Name != m.name || c.Relation != m.relation || c.Health != m.health || c.LaborAbility != m.labor ||
			c.Schooling != m.schooling || c.Phone != m.phone || c.BirthMonth != m.birthMonth || c.IDNumberHash != m.idHash {
			return true
		}
	}
	return false
}

// matchMember finds a member's registry row: by ID number, or by name
// among the members without one.
func matchMember(m recordMember, current []*ent.HouseholdMember) *ent.HouseholdMember {
	for _, c := range current {
		if m.idHash != "" && c.IDNumberHash == m.idHash || m.idHash == "" && c.IDNumberHash == "" && c.Name == m.name {
			return c
		}
	}
	return nil
}

func eqPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// statusOf is the registry status a record implies: in monitoring when it
// names a monitoring type, exited when it names an exit year.
func statusOf(rec *recordHousehold) household.Status {
	switch {
	case rec.monitoringType != nil:
		return household.StatusMONITORED
	case rec.exitYear != nil:
		return household.StatusEXITED
	}
	return household.StatusPOOR
}

// apply writes the plan: new households and their members in bulk, then
// the changed households one by one.
func (s *Service) apply(ctx context.Context, tx *ent.Client, p *importPlan, villages map[string]*ent.Region, incomeYear int) error {
	now := s.now()
	for chunk := range slices.Chunk(p.create, importBatch) {
		creates := make([]*ent.HouseholdCreate, len(chunk))
		for i, rec := range chunk {
			creates[i] = tx.Household.Create().SetNumber(rec.number).SetVillage(villages[rec.villageCode]).
				SetCountyCode(rec.villageCode[:6]).SetMainCause(rec.mainCause).SetNillableSecondaryCause(rec.secondaryCause).
				SetAttribute(rec.attribute).SetNillableMonitoringType(rec.monitoringType).SetNillableExitYear(rec.exitYear).
				SetStatus(statusOf(rec)).SetMemberCount(max(len(rec.members), 1))
		}
		saved, err := tx.Household.CreateBulk(creates...).Save(ctx)
		if err != nil {
			return fmt.Errorf("import households: %w", err)
		}
		var members []*ent.HouseholdMemberCreate
		var incomes []*ent.AnnualIncomeCreate
		for i, rec := range chunk {
			for _, m := range rec.members {
				members = append(members, memberCreate(tx, saved[i], m))
			}
			if rec.incomeFen != nil {
				incomes = append(incomes, tx.AnnualIncome.Create().SetHouseholdID(saved[i].ID).SetYear(incomeYear).
					SetPerCapitaNetIncomeFen(*rec.incomeFen))
			}
		}
		for mc := range slices.Chunk(members, importBatch) {
			if err := tx.HouseholdMember.CreateBulk(mc...).Exec(ctx); err != nil {
				return fmt.Errorf("import members: %w", err)
			}
		}
		if len(incomes) > 0 {
			if err := tx.AnnualIncome.CreateBulk(incomes...).Exec(ctx); err != nil {
				return fmt.Errorf("import incomes: %w", err)
			}
		}
	}
	for _, u := range p.update {
		if err := s.update(ctx, tx, u, villages, incomeYear, now); err != nil {
			return err
		}
	}
	return nil
}

func memberCreate(tx *ent.Client, h *ent.Household, m recordMember) *ent.HouseholdMemberCreate {
	c := tx.HouseholdMember.Create().SetHouseholdID(h.ID).SetCountyCode(h.CountyCode).SetName(m.name).
		SetRelation(m.relation).SetAgeBand(m.ageBand).SetHealth(m.health).SetLaborAbility(m.labor).SetSchooling(m.schooling)
	if m.idNumber != "" {
		c.SetIDNumber(m.idNumber)
	}
	if m.phone != "" {
		c.SetPhone(m.phone)
	}
	if m.birthMonth != "" {
		c.SetBirthMonth(m.birthMonth)
	}
	return c
}

// update rewrites a changed household from its record.
func (s *Service) update(ctx context.Context, tx *ent.Client, u planned, villages map[string]*ent.Region, incomeYear int, now time.Time) error {
	rec, cur := u.rec, u.current
	upd := tx.Household.UpdateOneID(cur.ID).SetVillage(villages[rec.villageCode]).SetMainCause(rec.mainCause).
		SetAttribute(rec.attribute).SetStatus(statusOf(rec)).SetMemberCount(max(len(rec.members), 1))
	if rec.secondaryCause != nil {
		upd.SetSecondaryCause(*rec.secondaryCause)
	} else {
		upd.ClearSecondaryCause()
	}
	if rec.monitoringType != nil {
		upd.SetMonitoringType(*rec.monitoringType)
	} else {
		upd.ClearMonitoringType()
	}
	if rec.exitYear != nil {
		upd.SetExitYear(*rec.exitYear)
	} else {
		upd.ClearExitYear()
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("import household: %w", err)
	}
	kept := map[int]bool{}
	for _, m := range rec.members {
		c := matchMember(m, cur.Edges.Members)
		if c == nil {
			if err := memberCreate(tx, cur, m).Exec(ctx); err != nil {
				return fmt.Errorf("import member: %w", err)
			}
			continue
		}
		kept[c.ID] = true
		mu := tx.HouseholdMember.UpdateOneID(c.ID).SetName(m.name).SetRelation(m.relation).SetAgeBand(m.ageBand).
			SetHealth(m.health).SetLaborAbility(m.labor).SetSchooling(m.schooling)
		for _, f := range []struct {
			v     string
			set   func(string) *ent.HouseholdMemberUpdateOne
			clear func() *ent.HouseholdMemberUpdateOne
		}{{m.phone, mu.SetPhone, mu.ClearPhone}, {m.birthMonth, mu.SetBirthMonth, mu.ClearBirthMonth}} {
			if f.v != "" {
				f.set(f.v)
			} else {
				f.clear()
			}
		}
		if err := mu.Exec(ctx); err != nil {
			return fmt.Errorf("import member: %w", err)
		}
	}
	for _, c := range cur.Edges.Members {
		if !kept[c.ID] {
			if err := tx.HouseholdMember.UpdateOneID(c.ID).SetRemovedAt(now).SetRemovedReason("导入的户信息中不再有此成员").Exec(ctx); err != nil {
				return fmt.Errorf("import member: %w", err)
			}
		}
	}
	if rec.incomeFen != nil {
		err := tx.AnnualIncome.Create().SetHouseholdID(cur.ID).SetYear(incomeYear).SetPerCapitaNetIncomeFen(*rec.incomeFen).
			OnConflictColumns(annualincome.FieldHouseholdID, annualincome.FieldYear).UpdatePerCapitaNetIncomeFen().UpdateUpdatedAt().Exec(ctx)
		if err != nil {
			return fmt.Errorf("import income: %w", err)
		}
	}
	return nil
}
