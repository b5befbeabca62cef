package bulk

import (
	"context"
	"fmt"

	"time"

	"bangfu/internal/attribution"

	"bangfu/internal/pii"
	"bangfu/internal/search"

	"entgo.io/ent/dialect"
)

var (
	categories = []string{"GRAIN_OIL", "MEAT_EGG_DAIRY", "FRUIT_VEGETABLE", "TEA_BEVERAGE", "AQUATIC", "FUNGI_NUTS", "SPICES_DRIED", "PROCESSED_FOOD", "HANDICRAFT", "OTHER"}
	nouns      = []string{"草果", "核桃", "普洱茶", "苦荞", "枸杞", "牦牛肉", "马铃薯", "木耳", "腊肉", "大米", "小米", "刺梨", "百香果", "当归", "茶油", "香菇", "蜂蜜", "红糖", "花椒", "土鸡蛋"}
	adjectives = []string{"高山", "有机", "生态", "富硒", "原生态", "手工", "农家", "精选", "野生", "古法"}
	channels   = []string{"ONLINE", "ONLINE", "COUNTER", "HALL", "ZONE"}
	causes     = []string{"ILLNESS", "DISABILITY", "SCHOOLING", "DISASTER", "LACK_OF_LAND", "LACK_OF_WATER", "LACK_OF_SKILLS", "LACK_OF_LABOR", "LACK_OF_FUNDS", "POOR_TRANSPORT", "LACK_OF_MOTIVATION", "OTHER"}
	statuses   = []string{"SETTLED", "SETTLED", "SETTLED", "SETTLED", "ACCEPTED", "DELIVERED", "SHIPPED", "CONFIRMED", "PLACED", "CANCELLED", "REFUNDED"}
)

func (g *gen) writeSuppliers(ctx context.Context) error {
	n := g.plan.Products / 10
	first, err := g.nextID(ctx, "organizations", "Organization")
	if err != nil {
		return err
	}
	g.supCounty = map[int]int{}
	kinds := []string{"COOPERATIVE", "ENTERPRISE", "FAMILY_FARM", "VILLAGE_COLLECTIVE"}
	err = g.write(ctx, "organizations", []string{"id", "created_at", "updated_at", "name", "kind", "region_id"}, n, func(i int, d []any) {
		id, county := first+i, g.counties[i%len(g.counties)]
		g.suppliers = append(g.suppliers, id)
		g.supCounty[id] = county
		d[0], d[1], d[2], d[3], d[4], d[5] = id, g.now, g.now, fmt.Sprintf("规模测试供应商%06d", i+1), kinds[i%len(kinds)], county
	})
	if err != nil {
		return err
	}
	firstProfile, err := g.nextID(ctx, "supplier_profiles", "SupplierProfile")
	if err != nil {
		return err
	}
	return g.write(ctx, "supplier_profiles", []string{"id", "created_at", "updated_at", "status", "approved_at", "organization_id"}, n, func(i int, d []any) {
		d[0], d[1], d[2], d[3], d[4], d[5] = firstProfile+i, g.now, g.now, "APPROVED", g.now, g.suppliers[i]
	})
}

func (g *gen) writeProducts(ctx context.Context) error {
	n := g.plan.Products
	first, err := g.nextID(ctx, "products", "Product")
	if err != nil {
		return err
	}
	g.products = make([]product, n)
	certFrom := make([]time.Time, n)
	err = g.write(ctx, "products", []string{"id", "created_at", "updated_at", "name", "description", "category", "spec", "unit", "price_fen", "stock", "channel", "status", "supplier_id", "origin_county_id", "certification_status", "certified_until", "search_document"}, n, func(i int, d []any) {
		sup := g.suppliers[i%len(g.suppliers)]
		noun, adj := nouns[g.rnd.IntN(len(nouns))], adjectives[g.rnd.IntN(len(adjectives))]
		p := product{id: first + i, supplier: sup, price: int64(500 + g.rnd.IntN(30_000)), certified: i%5 != 0}
		g.products[i] = p
		created := g.now.Add(-time.Duration(g.rnd.IntN(700*24)) * time.Hour)
		d[0], d[1], d[2] = p.id, created, created
		d[3] = fmt.Sprintf("%s%s %d号", adj, noun, i+1)
		d[4] = fmt.Sprintf("%s产地直供的%s%s，合作社统一收购，带动建档立卡户增收。", adj, adj, noun)
		d[5], d[6], d[7] = categories[g.rnd.IntN(len(categories))], "500g/袋", "袋"
		d[8], d[9], d[10], d[11], d[12], d[13] = p.price, g.rnd.IntN(1000), channels[g.rnd.IntN(len(channels))], "LISTED", sup, g.supCounty[sup]
		d[14], d[15], d[16] = nil, nil, search.Document(d[3].(string), d[4].(string))
		if p.certified {
			certFrom[i] = g.now.AddDate(-1, 0, -g.rnd.IntN(300))
			d[14], d[15] = "CERTIFIED", certFrom[i].AddDate(2, 0, 0)
		}
	})
	if err != nil {
		return err
	}
	// Every product has its sales counter (set once the orders are in).
	firstSales, err := g.nextID(ctx, "product_sales", "ProductSales")
	if err != nil {
		return err
	}
	err = g.write(ctx, "product_sales", []string{"id", "product_id", "units_sold"}, n, func(i int, d []any) {
		d[0], d[1], d[2] = firstSales+i, g.products[i].id, 0
	})
	if err != nil {
		return err
	}
	var certified []product
	var from []time.Time
	for i, p := range g.products {
		if p.certified {
			certified = append(certified, p)
			from = append(from, certFrom[i])
		}
	}
	firstCert, err := g.nextID(ctx, "certifications", "Certification")
	if err != nil {
		return err
	}
	return g.write(ctx, "certifications", []string{"id", "created_at", "updated_at", "status", "certificate_number", "valid_from", "valid_until", "product_id"}, len(certified), func(i int, d []any) {
		d[0], d[1], d[2], d[3] = firstCert+i, g.now, g.now, "CERTIFIED"
		d[4], d[5], d[6], d[7] = fmt.Sprintf("GM%09d", firstCert+i-gidBase(firstCert)), from[i], from[i].AddDate(2, 0, 0), certified[i].id
	})
}

// gidBase is the start of the key block holding id.
func gidBase(id int) int { return id >> 32 << 32 }

func (g *gen) writeHouseholds(ctx context.Context) error {
	n := g.plan.Households
	first, err := g.nextID(ctx, "households", "Household")
	if err != nil {
		return err
	}
	sizes := make([]int, n)
	villageOf := make([]int, n)
	countyOf := make([]int, n)
	err = g.write(ctx, "households", []string{"id", "created_at", "updated_at", "number", "attribute", "main_cause", "status", "member_count", "village_id", "county_code"}, n, func(i int, d []any) {
		county := g.counties[i%len(g.counties)]
		vs := g.villages[county]
		village := vs[i%len(vs)]
		sizes[i], villageOf[i], countyOf[i] = 1+g.rnd.IntN(5), village, county
		d[0], d[1], d[2] = first+i, g.now, g.now
		d[3] = fmt.Sprintf("GM%010d", first+i-gidBase(first)) // synthetic numbering, never a real 户编号
		d[4], d[5] = []string{"GENERAL", "GENERAL", "MINIMUM_LIVING", "FIVE_GUARANTEES"}[g.rnd.IntN(4)], causes[g.rnd.IntN(len(causes))]
		d[6], d[7], d[8] = []string{"EXITED", "EXITED", "EXITED", "MONITORED", "POOR"}[g.rnd.IntN(5)], sizes[i], village
		d[9] = g.codeOf[county]
	})
	if err != nil {
		return err
	}
	total := 0
	for _, s := range sizes {
		total += s
	}
	firstMember, err := g.nextID(ctx, "household_members", "HouseholdMember")
	if err != nil {
		return err
	}
	h, m := 0, 0
	relations := []string{"SPOUSE", "CHILD", "PARENT", "GRANDCHILD"}
	ages := []string{"AGE_36_59", "AGE_16_35", "UNDER_16", "AGE_60_PLUS"}
	// The ent hooks that derive county_code and id_number_hash do not run
	// for raw inserts, so the same derivations happen here.
	err = g.write(ctx, "household_members", []string{"id", "created_at", "updated_at", "name", "id_number", "id_number_hash", "county_code", "relation", "age_band", "household_id"}, total, func(i int, d []any) {
		if m == sizes[h] {
			h, m = h+1, 0
		}
		rel := "HEAD"
		if m > 0 {
			rel = relations[(m-1)%len(relations)]
		}
		d[0], d[1], d[2] = firstMember+i, g.now, g.now
		idNumber := fmt.Sprintf("99%016d", i+1) // division 99 does not exist
		d[3], d[4], d[5], d[6] = fmt.Sprintf("虚拟成员%07d", i+1), idNumber, pii.HashIDNumber(idNumber), g.codeOf[countyOf[h]]
		d[7], d[8], d[9] = rel, ages[m%len(ages)], first+h
		m++
	})
	if err != nil {
		return err
	}
	// Each household is linked to one supplier of its county.
	byCounty := map[int][]int{}
	for _, s := range g.suppliers {
		byCounty[g.supCounty[s]] = append(byCounty[g.supCounty[s]], s)
	}
	firstLink, err := g.nextID(ctx, "benefit_links", "BenefitLink")
	if err != nil {
		return err
	}
	return g.write(ctx, "benefit_links", []string{"id", "created_at", "updated_at", "mechanism", "share_bp", "valid_from", "household_id", "supplier_id"}, n, func(i int, d []any) {
		sups := byCounty[countyOf[i]]
		if len(sups) == 0 { // small plans leave some counties without suppliers
			sups = g.suppliers
		}
		d[0], d[1], d[2] = firstLink+i, g.now, g.now
		d[3], d[4], d[5] = []string{"WAGE", "ASSET", "BUSINESS"}[i%3], 100+g.rnd.IntN(400), g.now.AddDate(-2, 0, 0)
		d[6], d[7] = first+i, sups[i%len(sups)]
	})
}

func (g *gen) writeOrders(ctx context.Context) error {
	lines := g.plan.OrderLines
	// Orders get 1–4 lines (2.5 on average) from one supplier's products.
	bySupplier := map[int][]product{}
	for _, p := range g.products {
		bySupplier[p.supplier] = append(bySupplier[p.supplier], p)
	}
	type ord struct {
		supplier, buyer, lines int
		status                 string
		placed                 time.Time
		total                  int64
	}
	var orders []ord
	for left := lines; left > 0; {
		k := min(1+g.rnd.IntN(4), left)
		left -= k
		orders = append(orders, ord{
			supplier: g.suppliers[g.rnd.IntN(len(g.suppliers))], buyer: g.buyers[g.rnd.IntN(len(g.buyers))], lines: k,
			status: g.status(),
			placed: g.now.Add(-time.Duration(g.rnd.IntN(700*24*60)) * time.Minute),
		})
	}
	firstOrder, err := g.nextID(ctx, "orders", "Order")
	if err != nil {
		return err
	}
	firstLine, err := g.nextID(ctx, "order_lines", "OrderLine")
	if err != nil {
		return err
	}
	// Lines are planned first because they fix each order's total; orders
	// are written before lines so foreign keys hold at every commit.
	type line struct {
		order, product, qty int
		price               int64
		certified           bool
	}
	all := make([]line, 0, lines)
	for i := range orders {
		o := &orders[i]
		ps := bySupplier[o.supplier]
		for l := 0; l < o.lines; l++ {
			p := ps[(i+l)%len(ps)]
			q := 1 + g.rnd.IntN(20)
			o.total += int64(q) * p.price
			all = append(all, line{order: firstOrder + i, product: p.id, qty: q, price: p.price, certified: p.certified})
		}
	}
	err = g.write(ctx, "orders", []string{"id", "created_at", "updated_at", "idempotency_key", "status", "total_fen", "placed_at", "settled_at", "refunded_at", "cancelled_at", "buyer_id", "supplier_id"}, len(orders), func(i int, d []any) {
		o := orders[i]
		var settled, refunded, cancelled any
		switch o.status {
		case "SETTLED":
			settled = settledAt(o.placed)
		case "REFUNDED":
			settled, refunded = settledAt(o.placed), refundedAt(o.placed)
		case "CANCELLED":
			cancelled = o.placed.Add(time.Hour)
		}
		d[0], d[1], d[2], d[3], d[4], d[5] = firstOrder+i, o.placed, o.placed, fmt.Sprintf("scale-%d", firstOrder+i), o.status, o.total
		d[6], d[7], d[8], d[9], d[10], d[11] = o.placed, settled, refunded, cancelled, o.buyer, o.supplier
	})
	if err != nil {
		return err
	}
	// Each order's key is claimed, as placement claims it.
	firstRequest, err := g.nextID(ctx, "order_requests", "OrderRequest")
	if err != nil {
		return err
	}
	err = g.write(ctx, "order_requests", []string{"id", "created_at", "idempotency_key", "request_hash", "buyer_id"}, len(orders), func(i int, d []any) {
		o := orders[i]
		d[0], d[1], d[2], d[3], d[4] = firstRequest+i, o.placed, fmt.Sprintf("scale-%d", firstOrder+i), "", o.buyer
	})
	if err != nil {
		return err
	}
	err = g.write(ctx, "order_lines", []string{"id", "created_at", "updated_at", "quantity", "unit_price_fen", "amount_fen", "certified_at_order", "order_id", "product_id", "origin_county_id"}, len(all), func(i int, d []any) {
		l := all[i]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8] = firstLine+i, g.now, g.now, l.qty, l.price, int64(l.qty)*l.price, l.certified, l.order, l.product
		d[9] = g.supCounty[orders[l.order-firstOrder].supplier]
	})
	if err != nil {
		return err
	}
	var settled []booked
	for i, l := range all {
		o := orders[l.order-firstOrder]
		if o.status != "SETTLED" && o.status != "REFUNDED" {
			continue
		}
		settled = append(settled, booked{Line: attribution.Line{ID: firstLine + i, AmountFen: int64(l.qty) * l.price,
			Certified: l.certified, OriginCountyID: g.supCounty[o.supplier], BuyerID: o.buyer, SupplierID: o.supplier,
			SettledAt: settledAt(o.placed)}, refunded: o.status == "REFUNDED", refundedAt: refundedAt(o.placed)})
	}
	if err := g.book(ctx, settled); err != nil {
		return err
	}
	// Best-selling order needs each product's units sold: one set-based
	// update (a correlated subquery per product is far slower on fresh,
	// unanalyzed tables).
	if g.db.Dialect == dialect.Postgres {
		if _, err := g.db.SQL.ExecContext(ctx, `ANALYZE products, product_sales, orders, order_lines`); err != nil {
			return err
		}
	}
	_, err = g.db.SQL.ExecContext(ctx, `UPDATE product_sales SET units_sold = sold.units
		FROM (SELECT l.product_id AS id, SUM(l.quantity) AS units FROM order_lines l JOIN orders o ON o.id = l.order_id
		      WHERE o.status <> 'CANCELLED' GROUP BY l.product_id) AS sold
		WHERE product_sales.product_id = sold.id`)
	return err
}

func (g *gen) status() string {
	if g.plan.AllSettled {
		return "SETTLED"
	}
	return statuses[g.rnd.IntN(len(statuses))]
}
