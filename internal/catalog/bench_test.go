package catalog_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"bangfu/internal/apitest"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"

	"entgo.io/contrib/entgql"
)

// BenchmarkCatalogSearch measures catalog requests through the real HTTP
// handler on a large catalog. It needs a seeded database, e.g. with one
// million products:
//
//	createdb -h 127.0.0.1 -U postgres bangfu_bench
//	DATABASE_URL='postgres://postgres@127.0.0.1:5432/bangfu_bench?sslmode=disable' \
//	  go run ./seed --reset --scale 1 --products 1000000 --households 10000 --lines 100000
//	BANGFU_BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/bangfu_bench?sslmode=disable' \
//	  go test -run '^$' -bench CatalogSearch -benchtime 50x ./internal/catalog/
func BenchmarkCatalogSearch(b *testing.B) {
	url := os.Getenv("BANGFU_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("set BANGFU_BENCH_DATABASE_URL to a seeded database")
	}
	ctx := storetest.AsSystem()
	db, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	n, _ := db.Client.Product.Query().Count(ctx)
	b.Logf("catalog of %d products", n)
	srv := apitest.Serve(b, db)

	const page = `edges { node { id name priceFen unitsSold supplier { name } originCounty { name } } } pageInfo { hasNextPage endCursor }`
	cases := []struct{ name, args string }{
		{"text common term, relevance", `query: "核桃"`},
		{"text common term, relevance, page 30", `query: "核桃", after: "` + offsetCursor(580) + `"`},
		{"text two words, relevance", `query: "高山草果"`},
		{"text, price ascending", `query: "普洱茶", sort: PRICE_ASC`},
		{"filters, best-selling", `filter: {categories: [TEA_BEVERAGE], certifiedOnly: true, inStock: true, maxPriceFen: 5000}, sort: BEST_SELLING`},
		{"key counties and kinds, newest", `filter: {keyAssistanceCounty: true, supplierKinds: [COOPERATIVE]}, sort: NEWEST`},
		{"no filter, best-selling", `sort: BEST_SELLING`},
	}
	for _, c := range cases {
		for _, withTotal := range []bool{false, true} {
			sel := page
			name := c.name
			if withTotal {
				sel, name = "totalCount "+page, c.name+", with totalCount"
			}
			body, _ := json.Marshal(map[string]string{"query": "{ catalog(first: 20, " + c.args + ") { " + sel + " } }"})
			b.Run(name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					res, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					out, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
						b.Fatalf("%d %s", res.StatusCode, out)
					}
				}
			})
		}
	}
}

// offsetCursor is the catalog cursor after the first n matches.
func offsetCursor(n int) string {
	var b strings.Builder
	entgql.Cursor[int]{Value: n}.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}
