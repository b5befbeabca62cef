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

// page returns one page of matches. Catalog cursors carry the offset
// reached (a relevance score is no stored column to seek on), pages go
// forward only, and hasNextPage comes from reading one row more, so a page
// never has to count every match unless totalCount is asked for.
func (s *Searcher) page(ctx context.Context, preds []predicate.Product, order func(*sql.Selector), page Page) (*ent.ProductConnection, error) {
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
	limit := *page.First // PageSizeLimit guarantees first or last
	// Counting every match is the expensive part of a broad search; do it
	// only when the client asks for totalCount.
	total := -1
	if wantsTotal(ctx) {
		n, err := s.client.Product.Query().Where(preds...).Count(ctx)
		if err != nil {
			return nil, err
		}
		total = n
	}
	var err error
	query := s.client.Product.Query().Where(preds...).Order(order).Offset(offset).Limit(limit + 1)
	// Eager-load what the client selected under edges.node, as Paginate does.
	if nodeCtx, ok := nodeFieldContext(ctx); ok {
		if query, err = query.CollectFields(nodeCtx); err != nil {
			return nil, err
		}
	}
	all, err := query.All(ctx)
	if err != nil {
		return nil, err
	}
	conn := &ent.ProductConnection{TotalCount: max(total, 0)}
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
