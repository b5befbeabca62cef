package integrity

import (
	"context"
	"slices"
	"sort"
	"time"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/buyerprofile"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/organization"
	"bangfu/ent/predicate"
	"bangfu/ent/product"
	"bangfu/ent/purchasetotal"
	"bangfu/internal/access"
	"bangfu/internal/audit"
	"bangfu/internal/period"
	"bangfu/internal/store"
)

// ScanReport is what a full scan raised, per indicator.
type ScanReport struct {
	Raised      int
	ByIndicator []IndicatorCount
}

// IndicatorCount is one indicator's part of a scan.
type IndicatorCount struct {
	Code    string
	Enabled bool
	// Findings the indicator made; Raised of them were new.
	Findings, Raised int
	// Took is how long the indicator ran (finding and raising).
	Took time.Duration
}

// JobName names the scan in the audit trail and job_runs.
const JobName = "integrity-scan"

// Scan runs every enabled indicator over the whole database and raises
// the flags that do not exist yet (ADMIN, or the server's nightly run).
// Running it twice raises nothing new. The indicators read outside any
// transaction; each one's new flags are raised in one transaction.
func (s *Service) Scan(ctx context.Context) (*ScanReport, error) {
	sys, err := access.As(audit.WithinJob(ctx, JobName), access.RunLedgerJob)
	if err != nil {
		return nil, err
	}
	settings, err := SettingsOf(sys, s.client)
	if err != nil {
		return nil, err
	}
	rep := &ScanReport{}
	for _, code := range Codes {
		st := settings[code]
		ic := IndicatorCount{Code: code, Enabled: st.Enabled}
		if st.Enabled {
			start := time.Now()
			fs, err := s.find(sys, code, st)
			if err != nil {
				return nil, err
			}
			ic.Findings = len(fs)
			if len(fs) > 0 {
				err = store.WithTx(sys, s.client, func(tx *ent.Client) error {
					raised, err := raiseAll(sys, tx, code, fs)
					ic.Raised = len(raised)
					return err
				})
			}
			if err != nil {
				return nil, err
			}
			ic.Took = time.Since(start)
		}
		rep.Raised += ic.Raised
		rep.ByIndicator = append(rep.ByIndicator, ic)
	}
	return rep, nil
}

// find runs one indicator.
func (s *Service) find(ctx context.Context, code string, st Settings) ([]Finding, error) {
	switch code {
	case PriceOutlier:
		return s.findPrices(ctx, st)
	case RoundTrip:
		return s.findRoundTrips(ctx, st)
	case LinkedParties:
		return s.findLinked(ctx)
	case YearEndSurge:
		return s.findSurges(ctx, st)
	case Concentration:
		return s.findConcentration(ctx, st)
	case PaperBenefitLinks:
		return s.findPaperLinks(ctx, st)
	}
	return nil, nil
}

// lineBatch is how many order lines the price indicator reads at a time.
const lineBatch = 20_000

func (s *Service) findPrices(ctx context.Context, st Settings) ([]Finding, error) {
	var rows []struct {
		ID       int    `json:"id"`
		Category string `json:"category"`
		Unit     string `json:"unit"`
		PriceFen int64  `json:"price_fen"`
		Status   string `json:"status"`
	}
	err := s.client.Product.Query().Order(ent.Asc(product.FieldID)).
		Select(product.FieldID, product.FieldCategory, product.FieldUnit, product.FieldPriceFen, product.FieldStatus).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	group := make(map[int][2]string, len(rows))
	var listed []Product
	for _, r := range rows {
		group[r.ID] = [2]string{r.Category, r.Unit}
		if r.Status == product.StatusLISTED.String() {
			listed = append(listed, Product{ID: r.ID, Category: r.Category, Unit: r.Unit, PriceFen: r.PriceFen})
		}
	}
	fences := PriceFences(listed, st)
	var high []PricedLine
	last := 0
	for {
		var ls []struct {
			ID        int   `json:"id"`
			OrderID   int   `json:"order_id"`
			ProductID int   `json:"product_id"`
			Unit      int64 `json:"unit_price_fen"`
		}
		err := s.client.OrderLine.Query().Where(orderline.IDGT(last)).Order(ent.Asc(orderline.FieldID)).Limit(lineBatch).
			Select(orderline.FieldID, orderline.FieldOrderID, orderline.FieldProductID, orderline.FieldUnitPriceFen).
			Scan(ctx, &ls)
		if err != nil {
			return nil, err
		}
		if len(ls) == 0 {
			break
		}
		last = ls[len(ls)-1].ID
		for _, l := range ls {
			g := group[l.ProductID]
			f, ok := fences[priceGroup(g[0], g[1])]
			if ok && float64(l.Unit) > f.Upper {
				high = append(high, PricedLine{ID: l.ID, OrderID: l.OrderID, ProductID: l.ProductID,
					Category: g[0], Unit: g[1], UnitPriceFen: l.Unit})
			}
		}
	}
	out := PriceOutliers(fences, listed, high)
	sortFindings(out)
	return out, nil
}

// refunded loads the refunded orders (those matching where).
func refunded(ctx context.Context, c *ent.Client, where ...predicate.Order) ([]RefundedOrder, error) {
	q := c.Order.Query().Where(order.StatusEQ(order.StatusREFUNDED), order.SettledAtNotNil(), order.RefundedAtNotNil())
	q.Where(where...)
	os, err := q.Order(ent.Asc(order.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RefundedOrder, 0, len(os))
	for _, o := range os {
		out = append(out, RefundedOrder{ID: o.ID, BuyerID: o.BuyerID, SupplierID: o.SupplierID,
			SettledAt: *o.SettledAt, RefundedAt: *o.RefundedAt})
	}
	return out, nil
}

// withCredits fills in each order's original credits, for all of them in
// one query per thousand orders.
func withCredits(ctx context.Context, c *ent.Client, orders ...*RefundedOrder) error {
	const chunk = 1000
	for len(orders) > 0 {
		batch := orders[:min(chunk, len(orders))]
		orders = orders[len(batch):]
		byID := make(map[int]*RefundedOrder, len(batch))
		ids := make([]int, len(batch))
		for i, o := range batch {
			byID[o.ID], ids[i] = o, o.ID
		}
		entries, err := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
			ledgerentry.ReversesIDIsNil(), ledgerentry.FlagIDIsNil(),
			ledgerentry.HasOrderLineWith(orderline.OrderIDIn(ids...))).
			WithOrderLine(func(q *ent.OrderLineQuery) { q.Select(orderline.FieldOrderID) }).
			Order(ent.Asc(ledgerentry.FieldID)).All(ctx)
		if err != nil {
			return err
		}
		for _, e := range entries {
			o := byID[e.Edges.OrderLine.OrderID]
			o.Credits = append(o.Credits, e.ID)
			o.CreditFen += e.Amount
		}
	}
	return nil
}

func (s *Service) findRoundTrips(ctx context.Context, st Settings) ([]Finding, error) {
	orders, err := refunded(ctx, s.client)
	if err != nil {
		return nil, err
	}
	var late []*RefundedOrder
	for i := range orders {
		if _, ok := LateRefund(orders[i]); ok {
			late = append(late, &orders[i])
		}
	}
	if err := withCredits(ctx, s.client, late...); err != nil {
		return nil, err
	}
	var out []Finding
	for _, o := range late {
		f, _ := LateRefund(*o)
		out = append(out, f)
	}
	return append(out, RepeatedRefunds(orders, st)...), nil
}

// loadParties loads the organizations' parents, people and phones: all of
// them (orgs nil) or those named and their ancestors.
func loadParties(ctx context.Context, c *ent.Client, orgs []int) (Parties, error) {
	p := Parties{Parent: map[int]int{}, Members: map[int][]int{}, Phone: map[int]string{}}
	var all []int
	for todo := orgs; orgs == nil || len(todo) > 0; {
		q := c.Organization.Query()
		if orgs != nil {
			q.Where(organization.IDIn(todo...))
		}
		rows, err := q.Select(organization.FieldID, organization.FieldParentID, organization.FieldContactPhone).All(ctx)
		if err != nil {
			return p, err
		}
		todo = nil
		for _, r := range rows {
			all = append(all, r.ID)
			p.Phone[r.ID] = r.ContactPhone
			if r.ParentID != nil {
				p.Parent[r.ID] = *r.ParentID
				if _, seen := p.Phone[*r.ParentID]; !seen && orgs != nil {
					todo = append(todo, *r.ParentID)
				}
			}
		}
		if orgs == nil {
			break
		}
	}
	q := c.Membership.Query().Where(membership.OrganizationIDNotNil())
	if orgs != nil {
		q.Where(membership.OrganizationIDIn(all...))
	}
	ms, err := q.Select(membership.FieldUserID, membership.FieldOrganizationID).All(ctx)
	if err != nil {
		return p, err
	}
	for _, m := range ms {
		p.Members[*m.OrganizationID] = append(p.Members[*m.OrganizationID], m.UserID)
	}
	return p, nil
}

func (s *Service) findLinked(ctx context.Context) ([]Finding, error) {
	parties, err := loadParties(ctx, s.client, nil)
	if err != nil {
		return nil, err
	}
	var trios []struct {
		BuyerID       int  `json:"buyer_id"`
		SupplierID    int  `json:"supplier_id"`
		FacilitatorID *int `json:"facilitator_id"`
	}
	err = s.client.Order.Query().Where(order.StatusEQ(order.StatusSETTLED)).
		GroupBy(order.FieldBuyerID, order.FieldSupplierID, order.FieldFacilitatorID).Scan(ctx, &trios)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, t := range trios {
		po := PartyOrder{BuyerID: t.BuyerID, SupplierID: t.SupplierID}
		q := s.client.Order.Query().Where(order.StatusEQ(order.StatusSETTLED), order.BuyerID(t.BuyerID), order.SupplierID(t.SupplierID))
		if t.FacilitatorID != nil {
			po.FacilitatorID = *t.FacilitatorID
			q.Where(order.FacilitatorID(*t.FacilitatorID))
		} else {
			q.Where(order.FacilitatorIDIsNil())
		}
		if _, linked := Linked(parties, po); !linked {
			continue
		}
		ids, err := q.Order(ent.Asc(order.FieldID)).IDs(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			po.ID = id
			f, _ := Linked(parties, po)
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out, nil
}

func (s *Service) findSurges(ctx context.Context, st Settings) ([]Finding, error) {
	rows, err := s.client.PurchaseTotal.Query().
		Select(purchasetotal.FieldOrganizationID, purchasetotal.FieldYear, purchasetotal.FieldMonth,
			purchasetotal.FieldSettledFen, purchasetotal.FieldCountedFen).
		All(ctx)
	if err != nil {
		return nil, err
	}
	type key struct{ org, year int }
	months := map[key]*[13]int64{}
	counted := map[key]int64{}
	for _, r := range rows {
		k := key{r.OrganizationID, r.Year}
		if months[k] == nil {
			months[k] = &[13]int64{}
		}
		months[k][r.Month] += r.SettledFen
		counted[k] += r.CountedFen
	}
	var out []Finding
	for k, m := range months {
		if f, ok := Surge(k.org, k.year, *m, st); ok {
			out = append(out, f)
		}
	}
	// Canteen quotas met in the last days of the year: the budget units
	// with a canteen, their quota and what counted before those days.
	profiles, err := s.client.BuyerProfile.Query().Where(buyerprofile.HasCanteen(true), buyerprofile.CanteenFoodBudgetFenGT(0)).All(ctx)
	if err != nil {
		return nil, err
	}
	days := int(st.Param("lastDays"))
	for _, bp := range profiles {
		k := key{bp.OrganizationID, bp.Year}
		quota := bp.CanteenFoodBudgetFen * int64(bp.ReservedShareBp) / 10_000
		if counted[k] < quota || quota <= 0 {
			continue
		}
		end := period.YearStart(bp.Year + 1)
		late, err := s.client.OrderLine.Query().Where(orderline.CertifiedAtOrder(true), orderline.HasOrderWith(
			order.BuyerID(bp.OrganizationID), order.StatusEQ(order.StatusSETTLED),
			order.SettledAtGTE(end.AddDate(0, 0, -days)), order.SettledAtLT(end))).
			Select(orderline.FieldOrderID, orderline.FieldAmountFen).All(ctx)
		if err != nil {
			return nil, err
		}
		var lateFen int64
		var orders []int
		for _, l := range late {
			lateFen += l.AmountFen
			if !slices.Contains(orders, l.OrderID) {
				orders = append(orders, l.OrderID)
			}
		}
		sort.Ints(orders)
		if f, ok := CanteenRush(bp.OrganizationID, bp.Year, quota, counted[k]-lateFen, counted[k], orders, st); ok {
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out, nil
}

// pairTotalsQuery sums each buyer–supplier pair's direct-purchase credits
// (reversals included) per agreement version and year, in the database.
const pairTotalsQuery = `SELECT le.agreement_id, le.year, le.organization_id, o.supplier_id, SUM(le.amount)
FROM ledger_entries le JOIN order_lines ol ON ol.id = le.order_line_id JOIN orders o ON o.id = ol.order_id
WHERE le.kind = 'ATTRIBUTION_CREDIT' AND le.indicator = 'DIRECT_PURCHASE' AND le.agreement_id IS NOT NULL
AND le.organization_id IS NOT NULL
GROUP BY le.agreement_id, le.year, le.organization_id, o.supplier_id`

func (s *Service) findConcentration(ctx context.Context, st Settings) ([]Finding, error) {
	rows, err := s.client.QueryContext(ctx, pairTotalsQuery)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var credits []PairCredit
	for rows.Next() {
		var c PairCredit
		if err := rows.Scan(&c.AgreementID, &c.Year, &c.BuyerID, &c.SupplierID, &c.AmountFen); err != nil {
			return nil, err
		}
		credits = append(credits, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return Concentrations(credits, st), nil
}

func (s *Service) findPaperLinks(ctx context.Context, st Settings) ([]Finding, error) {
	now := s.now().UTC()
	rows, err := s.client.BenefitLink.Query().Where(benefitlink.StatusEQ(benefitlink.StatusAPPROVED)).
		Order(ent.Asc(benefitlink.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	var inForce, decided []Link
	for _, r := range rows {
		l := Link{ID: r.ID, SupplierID: r.SupplierID, HouseholdID: r.HouseholdID}
		if r.DecidedAt != nil {
			l.DecidedAt = *r.DecidedAt
			decided = append(decided, l)
		}
		if !r.ValidFrom.After(now) && (r.ValidUntil == nil || r.ValidUntil.After(now)) {
			inForce = append(inForce, l)
		}
	}
	out := CrowdedHouseholds(inForce, st)
	if len(decided) > 0 {
		os, err := s.client.Order.Query().Where(order.StatusEQ(order.StatusSETTLED),
			order.TotalFenGTE(int64(st.Param("largeSettlementFen")))).
			Select(order.FieldID, order.FieldSupplierID, order.FieldSettledAt, order.FieldTotalFen).All(ctx)
		if err != nil {
			return nil, err
		}
		var big []Settlement
		for _, o := range os {
			if o.SettledAt != nil {
				big = append(big, Settlement{OrderID: o.ID, SupplierID: o.SupplierID, SettledAt: *o.SettledAt, TotalFen: o.TotalFen})
			}
		}
		out = append(out, LinksBeforeSettlements(decided, big, st)...)
	}
	ghosts, err := s.ghostIncome(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, ghosts...), nil
}

func (s *Service) ghostIncome(ctx context.Context) ([]Finding, error) {
	// Members removed from households that have no member left.
	ms, err := s.client.HouseholdMember.Query().Where(householdmember.RemovedAtNotNil(),
		householdmember.Not(householdmember.HasHouseholdWith(household.HasMembersWith(householdmember.RemovedAtIsNil())))).
		Select(householdmember.FieldHouseholdID, householdmember.FieldRemovedAt).All(ctx)
	if err != nil {
		return nil, err
	}
	last := map[int]time.Time{}
	var hs []int
	for _, m := range ms {
		if _, seen := last[m.HouseholdID]; !seen {
			hs = append(hs, m.HouseholdID)
		}
		if m.RemovedAt.After(last[m.HouseholdID]) {
			last[m.HouseholdID] = *m.RemovedAt
		}
	}
	sort.Ints(hs)
	var out []Finding
	for _, h := range hs {
		es, err := s.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME),
			ledgerentry.HouseholdID(h), ledgerentry.OccurredAtGT(last[h]), ledgerentry.ReversesIDIsNil()).
			Order(ent.Asc(ledgerentry.FieldID)).All(ctx)
		if err != nil {
			return nil, err
		}
		var ids []int
		var sum int64
		for _, e := range es {
			ids = append(ids, e.ID)
			sum += e.Amount
		}
		if f, ok := GhostIncome(h, last[h], ids, sum); ok {
			out = append(out, f)
		}
	}
	return out, nil
}
