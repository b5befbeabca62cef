package catalog

import (
	"context"
	"fmt"
	"strconv"

	"bangfu/ent"
	"bangfu/ent/predicate"
	"bangfu/ent/product"
	"bangfu/internal/search"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
)

// Connection is a catalog page. Counting every match of a broad search is
// the slowest part of it, so totalCount is exact only up to CountCap.
type Connection struct {
	Edges             []*ent.ProductEdge
	PageInfo          ent.PageInfo
	TotalCount        int
	TotalCountIsExact bool
}

// Default limits. Counting stops at DefaultCountCap: a shopper needs "more
// than 10,000", not the exact figure, and stopping keeps broad searches
// fast. Relevance re-ranks the DefaultRankedCandidates best-selling
// matches: scoring every match of a common word reads tens of thousands of
// rows, scoring the best sellers a few hundred; the rest follow by sales.
const (
	DefaultCountCap         = 10_000
	DefaultRankedCandidates = 500
)

// fetch reads n rows of the ordered result from offset.
type fetch func(ctx context.Context, offset, n int) ([]*ent.Product, error)

// page returns one page of matches. Catalog cursors carry the offset
// reached (a relevance score is no stored column to seek on), pages go
// forward only, and hasNextPage comes from reading one row more, so a page
// never has to count matches unless totalCount is asked for.
func (s *Searcher) page(ctx context.Context, preds []predicate.Product, page Page, rows fetch) (*Connection, error) {
	if page.Last != nil || page.Before != nil {
		return nil, &BadInput{"the catalog pages forward only: use first and after"}
	}
	offset := 0
	if page.After != nil {
		n, err := strconv.Atoi(fmt.Sprint(page.After.Value))
		if err != nil || n < 0 {
			return nil, &BadInput{"invalid catalog cursor"}
		}
		offset = n
	}
	limit := *page.First // limits.Extension guarantees first or last
	conn := &Connection{}
	if wantsTotal(ctx) {
		ids, err := s.client.Product.Query().Where(preds...).Limit(s.countCap + 1).IDs(ctx)
		if err != nil {
			return nil, err
		}
		conn.TotalCount, conn.TotalCountIsExact = min(len(ids), s.countCap), len(ids) <= s.countCap
	}
	all, err := rows(ctx, offset, limit+1)
	if err != nil {
		return nil, err
	}
	conn.PageInfo.HasPreviousPage = offset > 0
	if len(all) > limit {
		conn.PageInfo.HasNextPage = true
		all = all[:limit]
	}
	for i, p := range all {
		conn.Edges = append(conn.Edges, &ent.ProductEdge{Node: p, Cursor: entgql.Cursor[int]{ID: p.ID, Value: offset + i + 1}})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

// ordered reads rows matching preds in the given order.
func (s *Searcher) ordered(preds []predicate.Product, order func(*sql.Selector)) fetch {
	return func(ctx context.Context, offset, n int) ([]*ent.Product, error) {
		if joinable(ctx) {
			return s.joined(ctx, preds, order, offset, n)
		}
		q, err := s.query(ctx, preds...)
		if err != nil {
			return nil, err
		}
		return q.Order(func(sel *sql.Selector) {
			joinSales(sel)
			order(sel)
		}).Offset(offset).Limit(n).All(ctx)
	}
}

// ranked reads rows in relevance order: the candidateCount best-selling
// matches by score, then every other match by sales. Both parts are
// deterministic, so offsets page through one stable order.
func (s *Searcher) ranked(preds []predicate.Product, q search.Query) fetch {
	return func(ctx context.Context, offset, n int) ([]*ent.Product, error) {
		var out []*ent.Product
		if offset < s.candidateCount {
			byScore := func(sel *sql.Selector) {
				sel.OrderExpr(s.score(sel, q))
				bestSelling(sel)
			}
			top, err := s.ordered([]predicate.Product{s.candidates(preds)}, byScore)(ctx, offset, min(n, s.candidateCount-offset))
			if err != nil {
				return nil, err
			}
			out = top
			if len(out) == n || offset+len(out) < s.candidateCount {
				return out, nil // page full, or fewer matches than candidates
			}
		}
		rest, err := s.ordered(preds, bestSelling)(ctx, max(offset, s.candidateCount), n-len(out))
		return append(out, rest...), err
	}
}

// candidates keeps the candidateCount best-selling matches.
func (s *Searcher) candidates(preds []predicate.Product) predicate.Product {
	return func(sel *sql.Selector) {
		sub := sql.Dialect(s.dialect).Select(sql.Table(product.Table).C(product.FieldID)).From(sql.Table(product.Table))
		joinSales(sub)
		for _, p := range preds {
			p(sub)
		}
		bestSelling(sub)
		sel.Where(sql.In(sel.C(product.FieldID), sub.Limit(s.candidateCount)))
	}
}

// query starts a product query that eager-loads what the client selected
// under edges.node, as entgql's Paginate does.
func (s *Searcher) query(ctx context.Context, preds ...predicate.Product) (*ent.ProductQuery, error) {
	q := s.client.Product.Query().Where(preds...).WithSales()
	if nodeCtx, ok := nodeFieldContext(ctx); ok {
		return q.CollectFields(nodeCtx)
	}
	return q, nil
}

// score ranks matches: PostgreSQL's ts_rank; on SQLite, products whose name
// holds the whole query first. It is an ORDER BY term (descending).
func (s *Searcher) score(sel *sql.Selector, q search.Query) sql.Querier {
	if s.dialect == dialect.Postgres {
		return sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("ts_rank(").Ident(sel.C(product.FieldSearchDocument)).
				WriteString(", to_tsquery('simple', ").Arg(q.TSQuery()).WriteString(")) DESC")
		})
	}
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(CASE WHEN instr(lower(").Ident(sel.C(product.FieldName)).WriteString("), ").
			Arg(q.Raw).WriteString(") > 0 THEN 1 ELSE 0 END) DESC")
	})
}

// nodeFieldContext points the field context at the connection's edges.node
// selection, so CollectFields sees the product fields the client asked for.
func nodeFieldContext(ctx context.Context) (context.Context, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return ctx, false
	}
	oc := graphql.GetOperationContext(ctx)
	for _, edges := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(oc, edges.Selections, nil) {
			if node.Name == "node" {
				return graphql.WithFieldContext(ctx, &graphql.FieldContext{Parent: fc, Field: node}), true
			}
		}
	}
	return ctx, false
}

// wantsTotal reports whether the GraphQL selection includes totalCount
// (always true outside GraphQL).
func wantsTotal(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		if f.Name == "totalCount" {
			return true
		}
	}
	return false
}
