// Package catalog answers catalog searches: listed products filtered by
// region, category, certification, county flags, supplier kind, price and
// stock, found by full-text search (PostgreSQL tsvector; token matching on
// SQLite) and sorted by relevance, price, newness or sales.
package catalog

import (
	"context"
	"strings"

	"bangfu/ent"
	"bangfu/ent/organization"
	"bangfu/ent/predicate"
	"bangfu/ent/product"
	"bangfu/ent/region"
	"bangfu/internal/clock"
	"bangfu/internal/search"
	"bangfu/internal/validate"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// Sort orders the catalog.
type Sort string

// Catalog sort orders.
const (
	Relevance   Sort = "RELEVANCE"
	PriceAsc    Sort = "PRICE_ASC"
	PriceDesc   Sort = "PRICE_DESC"
	Newest      Sort = "NEWEST"
	BestSelling Sort = "BEST_SELLING"
)

// Filter narrows the catalog; zero values do not filter.
type Filter struct {
	RegionID            *int
	Categories          []product.Category
	CertifiedOnly       bool
	KeyAssistanceCounty bool
	SupplierKinds       []organization.Kind
	MinPriceFen         *int64
	MaxPriceFen         *int64
	InStock             bool
}

// Searcher runs catalog queries.
type Searcher struct {
	client         *ent.Client
	dialect        string
	now            clock.Clock
	countCap       int // totalCount is exact up to here
	candidateCount int // relevance re-ranks this many best sellers
}

// New returns a searcher with the default limits.
func New(client *ent.Client, now clock.Clock) *Searcher {
	return &Searcher{client: client, dialect: client.Dialect(), now: now,
		countCap: DefaultCountCap, candidateCount: DefaultRankedCandidates}
}

// WithLimits returns a copy of s that counts up to countCap matches and
// ranks the candidates best-selling matches by relevance.
func (s *Searcher) WithLimits(countCap, candidates int) *Searcher {
	c := *s
	c.countCap, c.candidateCount = countCap, candidates
	return &c
}

// Page is a Relay page request.
type Page struct {
	After, Before *entgql.Cursor[int]
	First, Last   *int
}

// BadInput is returned for filters that cannot apply.
type BadInput struct{ msg string }

func (e *BadInput) Error() string { return e.msg }

// ErrorCode makes it a BAD_USER_INPUT.
func (e *BadInput) ErrorCode() string { return "BAD_USER_INPUT" }

// Search returns one page of the catalog. Relevance needs a query; without
// one it sorts by sales.
func (s *Searcher) Search(ctx context.Context, query string, f Filter, sort Sort, page Page) (*Connection, error) {
	preds := []predicate.Product{listed}
	q := search.ParseQuery(query)
	if strings.TrimSpace(query) != "" && q.Empty() {
		return nil, &BadInput{"the query has no searchable words"}
	}
	if len([]rune(query)) > 100 {
		return nil, &BadInput{"the query is longer than 100 characters"}
	}
	if !q.Empty() {
		preds = append(preds, s.matches(q))
	}
	more, err := s.filters(ctx, f)
	if err != nil {
		return nil, err
	}
	preds = append(preds, more...)
	if sort == Relevance && !q.Empty() {
		return s.page(ctx, preds, page, s.ranked(preds, q))
	}
	var order func(*sql.Selector)
	switch sort {
	case PriceAsc:
		order = by(sql.Asc, product.FieldPriceFen)
	case PriceDesc:
		order = by(sql.Desc, product.FieldPriceFen)
	case Newest:
		order = by(sql.Desc, product.FieldCreatedAt)
	case BestSelling, Relevance, "":
		order = bestSelling
	default:
		return nil, &BadInput{"unknown sort " + string(sort)}
	}
	return s.page(ctx, preds, page, s.ordered(preds, order))
}

// by orders by the given product column, then by id so pages are stable.
// Columns are qualified: the page's statement joins other tables.
func by(dir func(string) string, column string) func(*sql.Selector) {
	return func(sel *sql.Selector) {
		sel.OrderBy(dir(sel.C(column)), sql.Asc(sel.C(product.FieldID)))
	}
}

// matches is the full-text predicate: every query token present.
func (s *Searcher) matches(q search.Query) predicate.Product {
	if s.dialect == dialect.Postgres {
		return predicate.Product(func(sel *sql.Selector) {
			sel.Where(sql.P(func(b *sql.Builder) {
				b.Ident(sel.C(product.FieldSearchDocument)).WriteString(" @@ to_tsquery('simple', ").Arg(q.TSQuery()).WriteString(")")
			}))
		})
	}
	// SQLite: the same tokens, matched as whole words of the stored
	// document (tokens are letters, digits and CJK only: no LIKE escapes).
	return predicate.Product(func(sel *sql.Selector) {
		doc := "(' ' || " + sel.C(product.FieldSearchDocument) + " || ' ')"
		if q.Prefix != "" {
			sel.Where(sql.P(func(b *sql.Builder) { b.WriteString(doc + " LIKE ").Arg("% " + q.Prefix + "%") }))
			return
		}
		for _, t := range q.Terms {
			sel.Where(sql.P(func(b *sql.Builder) { b.WriteString(doc + " LIKE ").Arg("% " + t + " %") }))
		}
	})
}

func (s *Searcher) filters(ctx context.Context, f Filter) ([]predicate.Product, error) {
	var preds []predicate.Product
	if f.RegionID != nil {
		r, err := s.client.Region.Get(ctx, *f.RegionID)
		if ent.IsNotFound(err) {
			return nil, &BadInput{"no such region"}
		}
		if err != nil {
			return nil, err
		}
		if len(r.Code) != 6 {
			return nil, &BadInput{"filter by a province, city or county"}
		}
		preds = append(preds, product.HasOriginCountyWith(region.CodeHasPrefix(validate.RegionPrefix(r.Code))))
	}
	if len(f.Categories) > 0 {
		preds = append(preds, product.CategoryIn(f.Categories...))
	}
	if f.CertifiedOnly {
		preds = append(preds, product.CertifiedUntilGT(s.now()))
	}
	if f.KeyAssistanceCounty {
		preds = append(preds, product.HasOriginCountyWith(region.KeyAssistanceCounty(true)))
	}
	if len(f.SupplierKinds) > 0 {
		preds = append(preds, product.HasSupplierWith(organization.KindIn(f.SupplierKinds...)))
	}
	if f.MinPriceFen != nil {
		preds = append(preds, product.PriceFenGTE(*f.MinPriceFen))
	}
	if f.MaxPriceFen != nil {
		preds = append(preds, product.PriceFenLTE(*f.MaxPriceFen))
	}
	if f.MinPriceFen != nil && f.MaxPriceFen != nil && *f.MinPriceFen > *f.MaxPriceFen {
		return nil, &BadInput{"minPriceFen is above maxPriceFen"}
	}
	if f.InStock {
		preds = append(preds, product.StockGT(0))
	}
	return preds, nil
}

// Reindex fills the search document of products that lack one (rows
// written before search existed), in batches. It is idempotent.
func (s *Searcher) Reindex(ctx context.Context) (int, error) {
	done := 0
	for {
		batch, err := s.client.Product.Query().Where(product.SearchDocumentIsNil()).Limit(500).All(ctx)
		if err != nil || len(batch) == 0 {
			return done, err
		}
		for _, p := range batch {
			// Setting the name re-runs the hook that builds the document.
			if err := s.client.Product.UpdateOne(p).SetName(p.Name).Exec(ctx); err != nil {
				return done, err
			}
		}
		done += len(batch)
	}
}
