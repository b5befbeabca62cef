package catalog

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/certification"
	"bangfu/ent/organization"
	"bangfu/ent/predicate"
	"bangfu/ent/product"
	"bangfu/ent/productsales"
	"bangfu/ent/region"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
)

// salesAlias names the sales counters joined to every catalog query.
const salesAlias = "ps"

// joinSales joins each product's sales counter (every product has one).
func joinSales(sel *sql.Selector) {
	t := sql.Table(productsales.Table).As(salesAlias)
	sel.Join(t).On(sel.C(product.FieldID), t.C(productsales.FieldProductID))
}

// bestSelling orders by units sold, then newest id first: the order of
// the counters' (units_sold DESC, product_id DESC) index, so a broad
// query reads that index in order, finds each product by its key, and
// stops after one page instead of sorting every match. The counters live
// in their own table (see ent/schema/productsales.go) so that placing an
// order does not touch the product table's indexes; the price is a join
// per row read, which costs a key lookup, and the order stays exact.
func bestSelling(sel *sql.Selector) {
	t := sql.Table(productsales.Table).As(salesAlias)
	sel.OrderBy(sql.Desc(t.C(productsales.FieldUnitsSold)), sql.Desc(t.C(productsales.FieldProductID)))
}

// The page's own statement reads each product with what a catalog page
// shows of it: supplier, origin county, sales counter and the
// certificate in force, joined. That is one statement per page, where
// eager loading takes one per edge and a nested certifications
// connection parses its arguments once per product.
var (
	joinedProduct = without(product.Columns, product.FieldSearchDocument) // internal, never shown
	joinedOrg     = organization.Columns
	joinedRegion  = region.Columns
	joinedCert    = certification.Columns
	joinedSales   = productsales.Columns
)

func without(cols []string, drop string) []string {
	var out []string
	for _, c := range cols {
		if c != drop {
			out = append(out, c)
		}
	}
	return out
}

// joinedFields are the product fields the joined statement answers with
// sub-selections; any other field with a sub-selection (a connection, a
// supplier's region) needs ent's eager loading instead.
var joinedFields = map[string]bool{"supplier": true, "originCounty": true, "currentCertification": true}

// joinable reports whether the page's selection under edges.node is
// answered by the joined statement alone: product fields, and supplier,
// origin county and current certificate with only their own fields.
func joinable(ctx context.Context) bool {
	nodeCtx, ok := nodeFieldContext(ctx)
	if !ok {
		return false
	}
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(oc, graphql.GetFieldContext(nodeCtx).Field.Selections, nil) {
		if len(f.Selections) == 0 {
			continue
		}
		if !joinedFields[f.Name] {
			return false
		}
		for _, sub := range graphql.CollectFields(oc, f.Selections, nil) {
			if len(sub.Selections) > 0 {
				return false
			}
		}
	}
	return true
}

// checkJoinedPolicies runs the read policy of each table the joined
// statement reads, as a query of each would.
func (s *Searcher) checkJoinedPolicies(ctx context.Context) error {
	c := s.client
	for _, check := range []func(context.Context) error{c.Product.CheckQuery, c.Organization.CheckQuery,
		c.Region.CheckQuery, c.Certification.CheckQuery, c.ProductSales.CheckQuery} {
		if err := check(ctx); err != nil {
			return err
		}
	}
	return nil
}

// joined reads n products matching preds in order from offset, each with
// its supplier, origin county, sales counter and current certificate, in
// one statement.
func (s *Searcher) joined(ctx context.Context, preds []predicate.Product, order func(*sql.Selector), offset, n int) ([]*ent.Product, error) {
	if err := s.checkJoinedPolicies(ctx); err != nil {
		return nil, err
	}
	b := sql.Dialect(s.dialect)
	pt := b.Table(product.Table)
	sel := b.Select().From(pt)
	joinSales(sel)
	ot := b.Table(organization.Table).As("o")
	rt := b.Table(region.Table).As("r")
	ct := b.Table(certification.Table).As("c")
	st := b.Table(productsales.Table).As(salesAlias)
	sel.Join(ot).On(pt.C(product.FieldSupplierID), ot.C(organization.FieldID))
	sel.Join(rt).On(pt.C(product.FieldOriginCountyID), rt.C(region.FieldID))
	// The certificate in force: the CERTIFIED one valid longest, found
	// through the (product_id, status, valid_until) index per row.
	c2 := b.Table(certification.Table).As("c2")
	cur := b.Select(c2.C(certification.FieldID)).From(c2).
		Where(sql.And(sql.ColumnsEQ(c2.C(certification.FieldProductID), pt.C(product.FieldID)),
			sql.EQ(c2.C(certification.FieldStatus), certification.StatusCERTIFIED.String()))).
		OrderBy(sql.Desc(c2.C(certification.FieldValidUntil)), sql.Desc(c2.C(certification.FieldID))).Limit(1)
	sel.LeftJoin(ct).OnP(sql.P(func(bd *sql.Builder) {
		bd.Ident(ct.C(certification.FieldID)).WriteString(" = (").Join(cur).WriteString(")")
	}))
	var cols []string
	for _, part := range []struct {
		t    *sql.SelectTable
		cols []string
	}{{pt, joinedProduct}, {ot, joinedOrg}, {rt, joinedRegion}, {ct, joinedCert}, {st, joinedSales}} {
		for _, c := range part.cols {
			cols = append(cols, part.t.C(c))
		}
	}
	sel.Select(cols...)
	for _, p := range preds {
		p(sel)
	}
	order(sel)
	sel.Offset(offset).Limit(n)
	query, args := sel.Query()
	rows, err := s.client.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ent.Product
	for rows.Next() {
		pv, pb, err := s.client.Product.ScanJoined(joinedProduct)
		if err != nil {
			return nil, err
		}
		ov, ob, err := s.client.Organization.ScanJoined(joinedOrg)
		if err != nil {
			return nil, err
		}
		rv, rb, err := s.client.Region.ScanJoined(joinedRegion)
		if err != nil {
			return nil, err
		}
		cv, cb, err := s.client.Certification.ScanJoined(joinedCert)
		if err != nil {
			return nil, err
		}
		sv, sb, err := s.client.ProductSales.ScanJoined(joinedSales)
		if err != nil {
			return nil, err
		}
		dest := make([]any, 0, len(cols))
		for _, v := range [][]any{pv, ov, rv, cv, sv} {
			dest = append(dest, v...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		p, err := pb()
		if err != nil {
			return nil, err
		}
		o, err := ob()
		if err != nil {
			return nil, err
		}
		r, err := rb()
		if err != nil {
			return nil, err
		}
		c, err := cb()
		if err != nil {
			return nil, err
		}
		sales, err := sb()
		if err != nil {
			return nil, err
		}
		p.SetSupplierJoined(o)
		p.SetOriginCountyJoined(r)
		p.SetSalesJoined(sales)
		if c.ID == 0 { // no certificate in force: the left join's columns are null
			c = nil
		}
		p.SetCurrentCertificationJoined(c)
		out = append(out, p)
	}
	return out, rows.Err()
}

// UnitsSold is the product's units sold: read with it (the catalog) or
// looked up.
func (s *Searcher) UnitsSold(ctx context.Context, p *ent.Product) (int, error) {
	sales, err := p.Edges.SalesOrErr()
	if ent.IsNotLoaded(err) {
		sales, err = s.client.ProductSales.Query().Where(productsales.ProductID(p.ID)).Only(ctx)
	}
	if err != nil {
		return 0, err
	}
	return sales.UnitsSold, nil
}

// CurrentCertification is the product's certificate in force (the
// CERTIFIED certification valid longest), nil when there is none: read
// with it (the catalog) or looked up.
func (s *Searcher) CurrentCertification(ctx context.Context, p *ent.Product) (*ent.Certification, error) {
	if c, ok := p.CurrentCertificationJoined(); ok {
		return c, nil
	}
	c, err := s.client.Certification.Query().
		Where(certification.ProductID(p.ID), certification.StatusEQ(certification.StatusCERTIFIED)).
		Order(certification.ByValidUntil(sql.OrderDesc()), certification.ByID(sql.OrderDesc())).
		First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return c, err
}

// ListProducts starts the products connection's query: it loads the
// sales counters with the page (one statement) when the client selected
// unitsSold under edges.node, instead of one lookup per product.
func (s *Searcher) ListProducts(ctx context.Context) *ent.ProductQuery {
	q := s.client.Product.Query()
	nodeCtx, ok := nodeFieldContext(ctx)
	if !ok {
		return q
	}
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(oc, graphql.GetFieldContext(nodeCtx).Field.Selections, nil) {
		if f.Name == "unitsSold" {
			return q.WithSales()
		}
	}
	return q
}
