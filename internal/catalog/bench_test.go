package catalog_test

import (
	"context"
	"os"
	"testing"

	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/internal/catalog"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// BenchmarkCatalogSearch measures catalog latency on a large catalog. It
// needs a database seeded with many products, e.g. one million:
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
	ctx := viewer.NewContext(context.Background(), viewer.System())
	db, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	n, _ := db.Client.Product.Query().Count(ctx)
	b.Logf("catalog of %d products", n)
	s := catalog.New(db.Client, db.Dialect)
	first := 20
	max := int64(5000)
	cases := []struct {
		name  string
		query string
		f     catalog.Filter
		sort  catalog.Sort
	}{
		{"text common term, relevance", "核桃", catalog.Filter{}, catalog.Relevance},
		{"text two words, relevance", "高山草果", catalog.Filter{}, catalog.Relevance},
		{"text, price ascending", "普洱茶", catalog.Filter{}, catalog.PriceAsc},
		{"filters, best-selling", "", catalog.Filter{Categories: []product.Category{product.CategoryTEA_BEVERAGE}, CertifiedOnly: true, InStock: true, MaxPriceFen: &max}, catalog.BestSelling},
		{"key counties and kinds, newest", "", catalog.Filter{KeyAssistanceCounty: true, SupplierKinds: []organization.Kind{organization.KindCOOPERATIVE}}, catalog.Newest},
		{"no filter, best-selling", "", catalog.Filter{}, catalog.BestSelling},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				conn, err := s.Search(ctx, c.query, c.f, c.sort, catalog.Page{First: &first})
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					b.ReportMetric(float64(conn.TotalCount), "matches")
				}
			}
		})
	}
}
