package httpapi_test

import (
	"strings"
	"testing"

	"bangfu/internal/apitest"
)

type catalogPage struct {
	Catalog struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Node struct {
				Name, Description, Category string
				PriceFen                    int64
				Stock, UnitsSold            int
				CertifiedUntil              *string
				OriginCounty                struct {
					Code                string
					KeyAssistanceCounty bool
				}
				Supplier struct{ Kind string }
			}
		}
	}
}

const catalogQuery = `query($q: String, $f: CatalogFilter, $s: CatalogSort, $after: Cursor) {
  catalog(query: $q, filter: $f, sort: $s, first: 20, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { name description category priceFen stock unitsSold certifiedUntil
      originCounty { code keyAssistanceCounty } supplier { kind } } } } }`

func TestCatalogSearch(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	search := func(vars map[string]any) catalogPage {
		t.Helper()
		var p catalogPage
		srv.Anonymous().Do(catalogQuery, vars).Must(t, &p)
		return p
	}
	all := search(map[string]any{"s": "NEWEST"})
	if all.Catalog.TotalCount < 100 {
		t.Fatalf("catalog has %d listed products", all.Catalog.TotalCount)
	}

	for _, q := range []string{"普洱", "普洱生茶", "腊肉"} {
		p := search(map[string]any{"q": q})
		if p.Catalog.TotalCount == 0 || p.Catalog.TotalCount >= all.Catalog.TotalCount {
			t.Fatalf("%q matched %d of %d", q, p.Catalog.TotalCount, all.Catalog.TotalCount)
		}
		for _, e := range p.Catalog.Edges {
			if !strings.Contains(e.Node.Name+e.Node.Description, q) {
				t.Errorf("%q matched %q", q, e.Node.Name)
			}
		}
	}
	if p := search(map[string]any{"q": "不存在的东西"}); p.Catalog.TotalCount != 0 {
		t.Errorf("nonsense query matched %d", p.Catalog.TotalCount)
	}
	if p := search(map[string]any{"q": "茶"}); p.Catalog.TotalCount == 0 {
		t.Error("single-character query matched nothing")
	}

	// Filters.
	yunnan := search(map[string]any{"f": map[string]any{"categories": []string{"TEA_BEVERAGE"}, "certifiedOnly": true,
		"minPriceFen": 5000, "maxPriceFen": 20000, "inStock": true, "supplierKinds": []string{"COOPERATIVE", "ENTERPRISE"}}, "s": "PRICE_ASC"})
	if yunnan.Catalog.TotalCount == 0 {
		t.Fatal("combined filters matched nothing")
	}
	var last int64
	for _, e := range yunnan.Catalog.Edges {
		n := e.Node
		if n.Category != "TEA_BEVERAGE" || n.CertifiedUntil == nil || n.PriceFen < 5000 || n.PriceFen > 20000 || n.Stock == 0 ||
			(n.Supplier.Kind != "COOPERATIVE" && n.Supplier.Kind != "ENTERPRISE") {
			t.Errorf("filter let through %+v", n)
		}
		if n.PriceFen < last {
			t.Error("not sorted by price")
		}
		last = n.PriceFen
	}
	key := search(map[string]any{"f": map[string]any{"keyAssistanceCounty": true}})
	for _, e := range key.Catalog.Edges {
		if !e.Node.OriginCounty.KeyAssistanceCounty {
			t.Errorf("%s is not from a key assistance county", e.Node.Name)
		}
	}

	// Best-selling order.
	best := search(map[string]any{"s": "BEST_SELLING"})
	for i := 1; i < len(best.Catalog.Edges); i++ {
		if best.Catalog.Edges[i-1].Node.UnitsSold < best.Catalog.Edges[i].Node.UnitsSold {
			t.Fatal("not sorted by units sold")
		}
	}

	// Relevance pages forward through every match exactly once.
	seen := map[string]bool{}
	var after any
	for i := 0; ; i++ {
		p := search(map[string]any{"q": "茶", "after": after})
		for _, e := range p.Catalog.Edges {
			if seen[e.Node.Name+e.Node.Description] {
				t.Fatalf("%s returned twice", e.Node.Name)
			}
			seen[e.Node.Name+e.Node.Description] = true
		}
		if !p.Catalog.PageInfo.HasNextPage {
			break
		}
		after = *p.Catalog.PageInfo.EndCursor
		if i > 50 {
			t.Fatal("relevance paging does not end")
		}
	}

	for _, bad := range []map[string]any{
		{"q": "!!!"},
		{"f": map[string]any{"minPriceFen": 500, "maxPriceFen": 100}},
		{"q": strings.Repeat("茶", 101)},
	} {
		if r := srv.Anonymous().Do(catalogQuery, bad); r.Code() != "BAD_USER_INPUT" {
			t.Errorf("%v: %s", bad, r.Raw)
		}
	}
}
