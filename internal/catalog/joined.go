package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

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

// listed keeps the catalog to listed products: status = 'LISTED', the
// value in the statement's text (constEQ).
func listed(s *sql.Selector) {
	s.Where(constEQ(s.C(product.FieldStatus), product.StatusLISTED.String()))
}

// constEQ is col = 'value' with the value written into the statement's
// text instead of passed as a parameter. For bangfu's own constants (enum
// values), never for input: a page without filters then has no parameter
// at all, and PostgreSQL runs its prepared statement with one generic
// plan. With the statuses as parameters it compared the generic plan's
// cost, estimated for an unknown status, with the plans for 'LISTED' and
// 'CERTIFIED'; after an ANALYZE of the 1M-product database it chose to
// plan the five-table join anew at every execution (0 generic and 12
// custom plans in 12 runs), which cost more than running it: 2.5–3.4 ms
// of PostgreSQL's CPU per page instead of about 1.
func constEQ(col, value string) *sql.Predicate {
	for _, r := range value {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			panic("catalog: constEQ takes an enum constant, not " + strconv.Quote(value))
		}
	}
	return sql.P(func(b *sql.Builder) {
		b.Ident(col).WriteString(" = '" + value + "'")
	})
}

// The page's own statement reads each product with what a catalog page
// shows of it: supplier, origin county, sales counter and the
// certificate in force, joined. That is one statement per page, where
// eager loading takes one per edge and a nested certifications
// connection parses its arguments once per product. Like ent's field
// collection, it reads only the columns the client selected (all of
// them when it selected a field that is no column).
type joinedColumns struct{ product, org, region, cert, sales []string }

var allJoinedColumns = joinedColumns{
	product: without(product.Columns, product.FieldSearchDocument), // internal, never shown
	org:     organization.Columns, region: region.Columns, cert: certification.Columns, sales: productsales.Columns,
}

func without(cols []string, drop string) []string {
	var out []string
	for _, c := range cols {
		if c != drop {
			out = append(out, c)
		}
	}
	return out
}

// snake is the column of a GraphQL field: priceFen → price_fen,
// originCountyID → origin_county_id.
func snake(name string) string {
	name = strings.ReplaceAll(name, "ID", "Id")
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pick returns the columns of the selected fields: always the key (and
// the given foreign keys), the column of each field valid reports, and
// every column when a field is neither a column nor one of known.
func pick(fields []graphql.CollectedField, all []string, valid func(string) bool, known map[string]bool, keys ...string) []string {
	cols := append([]string{"id"}, keys...)
	for _, f := range fields {
		switch c := snake(f.Name); {
		case f.Name == "id" || f.Name == "__typename" || known[f.Name]:
		case valid(c):
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		default:
			return all
		}
	}
	return cols
}

// columnsFor reads the selection under edges.node.
func columnsFor(ctx context.Context) joinedColumns {
	nodeCtx, ok := nodeFieldContext(ctx)
	if !ok {
		return allJoinedColumns
	}
	oc := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFields(oc, graphql.GetFieldContext(nodeCtx).Field.Selections, nil)
	out := joinedColumns{sales: allJoinedColumns.sales,
		org: []string{organization.FieldID}, region: []string{region.FieldID}, cert: []string{certification.FieldID}}
	out.product = pick(fields, allJoinedColumns.product, func(c string) bool { return c != product.FieldSearchDocument && product.ValidColumn(c) },
		map[string]bool{"unitsSold": true, "supplier": true, "originCounty": true, "currentCertification": true},
		product.FieldSupplierID, product.FieldOriginCountyID)
	for _, f := range fields {
		sub := graphql.CollectFields(oc, f.Selections, nil)
		switch f.Name {
		case "supplier":
			out.org = pick(sub, organization.Columns, organization.ValidColumn, nil)
		case "originCounty":
			out.region = pick(sub, region.Columns, region.ValidColumn, nil)
		case "currentCertification":
			out.cert = pick(sub, certification.Columns, certification.ValidColumn, nil)
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
	jc := columnsFor(ctx)
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
			constEQ(c2.C(certification.FieldStatus), certification.StatusCERTIFIED.String()))).
		OrderBy(sql.Desc(c2.C(certification.FieldValidUntil)), sql.Desc(c2.C(certification.FieldID))).Limit(1)
	sel.LeftJoin(ct).OnP(sql.P(func(bd *sql.Builder) {
		bd.Ident(ct.C(certification.FieldID)).WriteString(" = (").Join(cur).WriteString(")")
	}))
	var cols []string
	for _, part := range []struct {
		t    *sql.SelectTable
		cols []string
	}{{pt, jc.product}, {ot, jc.org}, {rt, jc.region}, {ct, jc.cert}, {st, jc.sales}} {
		for _, c := range part.cols {
			cols = append(cols, part.t.C(c))
		}
	}
	sel.Select(cols...)
	for _, p := range preds {
		p(sel)
	}
	order(sel)
	query, args := sel.Query()
	// Page size and offset in the text, not as arguments: with either one
	// a parameter, PostgreSQL cannot cost a generic plan for the prepared
	// statement (it assumes a tenth of the rows), keeps planning it anew
	// at every execution, and planning this five-table join costs more
	// than running it (pgbench on the 1M-product database: 1,268 pages/s
	// with both as parameters, 2,387 with both in the text). They are
	// integers bangfu computed; a connection prepares a statement only
	// the second time it runs it (store's statement cache), so a
	// crawler's deep pages run unprepared.
	query += fmt.Sprintf(" LIMIT %d OFFSET %d", n, offset)
	rows, err := s.client.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ent.Product
	for rows.Next() {
		pv, pb, err := s.client.Product.ScanJoined(jc.product)
		if err != nil {
			return nil, err
		}
		ov, ob, err := s.client.Organization.ScanJoined(jc.org)
		if err != nil {
			return nil, err
		}
		rv, rb, err := s.client.Region.ScanJoined(jc.region)
		if err != nil {
			return nil, err
		}
		cv, cb, err := s.client.Certification.ScanJoined(jc.cert)
		if err != nil {
			return nil, err
		}
		sv, sb, err := s.client.ProductSales.ScanJoined(jc.sales)
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
