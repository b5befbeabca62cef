package catalog_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/certification"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/productsales"
	"bangfu/ent/region"
	"bangfu/internal/apitest"
	"bangfu/internal/httpapi"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// pageQuery is the catalog page the load benchmark serves: 50 products,
// best-selling first, with supplier name, origin county and the
// certificate in force.
const pageQuery = `{ catalog(first: 50, sort: BEST_SELLING) { edges { node { id name priceFen unitsSold
  supplier { name } originCounty { name }
  currentCertification { certificateNumber validUntil } } } pageInfo { hasNextPage endCursor } } }`

// oldPageQuery is the same page asking for the certificate through the
// certifications connection, as clients did before currentCertification.
const oldPageQuery = `{ catalog(first: 50, sort: BEST_SELLING) { edges { node { id name priceFen unitsSold
  supplier { name } originCounty { name }
  certifications(first: 1, where: {status: CERTIFIED}) { edges { node { certificateNumber validUntil } } } } }
  pageInfo { hasNextPage endCursor } } }`

// pageFixture lists n products of n/3 suppliers in two counties, every
// second one certified (with an expired certificate before the current
// one), with distinct units sold.
func pageFixture(t testing.TB, db *store.DB, n int) {
	t.Helper()
	ctx := storetest.AsSystem()
	c := db.Client
	stamp := time.Now().UnixNano() % 1e6
	var counties []*ent.Region
	for i, name := range []string{"福贡县", "泸水市"} {
		counties = append(counties, c.Region.Create().SetCode(fmt.Sprintf("5333%02d", 50+i)).SetName(name).
			SetLevel(region.LevelCOUNTY).SetSide(region.SideWEST).SaveX(ctx))
	}
	var orgs []*ent.Organization
	for i := 0; i < max(1, n/3); i++ {
		orgs = append(orgs, c.Organization.Create().SetName(fmt.Sprintf("页面合作社%02d", i)).
			SetKind(organization.KindCOOPERATIVE).SetRegion(counties[i%2]).SaveX(ctx))
	}
	for i := 0; i < n; i++ {
		p := c.Product.Create().SetSupplier(orgs[i%len(orgs)]).SetOriginCounty(counties[i%2]).
			SetName(fmt.Sprintf("页面草果%03d", i)).SetCategory(product.CategorySPICES_DRIED).SetSpec("500g/袋").
			SetUnit("袋").SetPriceFen(int64(1000 + i)).SetStatus(product.StatusLISTED).SaveX(ctx)
		c.ProductSales.Update().Where(productsales.ProductID(p.ID)).SetUnitsSold(1000 + i).ExecX(ctx)
		if i%2 == 0 {
			c.Certification.Create().SetProduct(p).SetStatus(certification.StatusEXPIRED).
				SetCertificateNumber(fmt.Sprintf("OLD-%d-%03d", stamp, i)).
				SetValidFrom(time.Now().AddDate(-3, 0, 0)).SetValidUntil(time.Now().AddDate(-1, 0, 0)).ExecX(ctx)
			c.Certification.Create().SetProduct(p).SetStatus(certification.StatusCERTIFIED).
				SetCertificateNumber(fmt.Sprintf("CUR-%d-%03d", stamp, i)).
				SetValidFrom(time.Now().AddDate(-1, 0, 0)).SetValidUntil(time.Now().AddDate(1, 0, 0)).ExecX(ctx)
		}
	}
}

// BenchmarkCatalogPage measures the catalog page through the real HTTP
// handler (anonymous, as shoppers browse), on a database of its own
// (SQLite, or PostgreSQL with BANGFU_TEST_DATABASE_URL). For the CPU
// profile of one page:
//
//	go test -run '^$' -bench CatalogPage -benchtime 2000x -cpuprofile cpu.out ./internal/catalog/
//	go tool pprof -top -cum catalog.test cpu.out
func BenchmarkCatalogPage(b *testing.B) {
	// As the server runs (its --gc-percent default).
	prev := debug.SetGCPercent(httpapi.DefaultGCPercent)
	b.Cleanup(func() { debug.SetGCPercent(prev) })
	db := storetest.Open(b)
	pageFixture(b, db, 120)
	srv := apitest.Serve(b, db)
	for _, c := range []struct{ name, query string }{{"currentCertification", pageQuery}, {"certifications connection", oldPageQuery}} {
		body, _ := json.Marshal(map[string]string{"query": c.query})
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
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

// TestCatalogPageStatements bounds the statements of one catalog page:
// the page with supplier, origin county, current certificate and units
// sold is one statement (two with a region filter, which looks the region
// up), however many products it shows; and what it shows is right.
func TestCatalogPageStatements(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	pageFixture(t, db, 60)
	srv, counter := apitest.ServeCounted(t, db)

	type node struct {
		Name         string
		UnitsSold    int
		Supplier     struct{ Name string }
		OriginCounty struct{ Name string }
		Current      *struct{ CertificateNumber string } `json:"currentCertification"`
	}
	var data struct {
		Catalog struct {
			Edges    []struct{ Node node }
			PageInfo struct{ HasNextPage bool }
		}
	}
	counter.Reset()
	srv.Anonymous().Do(pageQuery, nil).Must(t, &data)
	if n := counter.N(); n > 1 {
		t.Errorf("catalog page: %d statements, want 1:\n%s", n, strings.Join(counter.Statements(), "\n"))
	}
	// Without filters the page's statement has no parameter, so PostgreSQL
	// keeps one generic plan for it instead of planning each execution.
	for _, q := range counter.Statements() {
		if strings.Contains(q, "$1") || strings.Contains(q, "?") {
			t.Errorf("catalog page statement has parameters: %s", q)
		}
	}
	edges := data.Catalog.Edges
	if len(edges) != 50 || !data.Catalog.PageInfo.HasNextPage {
		t.Fatalf("got %d products (more: %v), want 50 and more", len(edges), data.Catalog.PageInfo.HasNextPage)
	}
	for i, e := range edges {
		// Best-selling first: product 59 sold most.
		k := 59 - i
		if want := fmt.Sprintf("页面草果%03d", k); e.Node.Name != want || e.Node.UnitsSold != 1000+k {
			t.Fatalf("row %d: %s (%d sold), want %s (%d)", i, e.Node.Name, e.Node.UnitsSold, want, 1000+k)
		}
		if want := fmt.Sprintf("页面合作社%02d", k%20); e.Node.Supplier.Name != want {
			t.Errorf("row %d: supplier %q, want %q", i, e.Node.Supplier.Name, want)
		}
		if want := []string{"福贡县", "泸水市"}[k%2]; e.Node.OriginCounty.Name != want {
			t.Errorf("row %d: county %q, want %q", i, e.Node.OriginCounty.Name, want)
		}
		switch {
		case k%2 == 1 && e.Node.Current != nil:
			t.Errorf("row %d: uncertified product has certificate %+v", i, e.Node.Current)
		case k%2 == 0 && (e.Node.Current == nil || !strings.HasPrefix(e.Node.Current.CertificateNumber, "CUR-")):
			t.Errorf("row %d: current certificate %+v, want the CUR- one", i, e.Node.Current)
		}
	}

	// A region filter adds the region's lookup, nothing per product.
	county := db.Client.Region.Query().Where(region.Name("福贡县")).OnlyX(storetest.AsSystem())
	counter.Reset()
	var filtered struct {
		Catalog struct{ Edges []struct{ Node node } }
	}
	srv.Anonymous().Do(strings.Replace(pageQuery, "sort: BEST_SELLING", fmt.Sprintf("sort: BEST_SELLING, filter: {regionId: %q}",
		apitest.GlobalID(t, "Region", county.ID)), 1), nil).Must(t, &filtered)
	if n := counter.N(); n > 2 {
		t.Errorf("catalog page with a region filter: %d statements, want at most 2:\n%s", n, strings.Join(counter.Statements(), "\n"))
	}
	if len(filtered.Catalog.Edges) != 30 {
		t.Errorf("region filter: %d products, want 30", len(filtered.Catalog.Edges))
	}
	for _, e := range filtered.Catalog.Edges {
		if e.Node.OriginCounty.Name != "福贡县" {
			t.Errorf("region filter let through a product of %s", e.Node.OriginCounty.Name)
		}
	}

	// The products connection loads the counters with its page too.
	counter.Reset()
	var listed struct {
		Products struct {
			Edges []struct{ Node struct{ UnitsSold int } }
		}
	}
	srv.Anonymous().Do(`{ products(first: 50) { edges { node { name unitsSold } } } }`, nil).Must(t, &listed)
	if n := counter.N(); n > 2 {
		t.Errorf("products page with unitsSold: %d statements, want at most 2:\n%s", n, strings.Join(counter.Statements(), "\n"))
	}
	if len(listed.Products.Edges) != 50 {
		t.Errorf("products: %d, want 50", len(listed.Products.Edges))
	}

	// The old connection field still answers, and agrees.
	var old struct {
		Catalog struct {
			Edges []struct {
				Node struct {
					Name           string
					Certifications struct {
						Edges []struct {
							Node struct{ CertificateNumber string }
						}
					}
				}
			}
		}
	}
	srv.Anonymous().Do(oldPageQuery, nil).Must(t, &old)
	for i, e := range old.Catalog.Edges {
		certs := e.Node.Certifications.Edges
		cur := edges[i].Node.Current
		if (cur == nil) != (len(certs) == 0) || (cur != nil && certs[0].Node.CertificateNumber != cur.CertificateNumber) {
			t.Errorf("%s: certifications(first: 1, CERTIFIED) %+v disagrees with currentCertification %+v", e.Node.Name, certs, cur)
		}
	}
}

// TestViewerLoadIsOneStatement bounds what a signed-in request costs
// before its resolvers run: loading the viewer (user, sign-in,
// memberships and their scopes) is one statement, for every role.
func TestViewerLoadIsOneStatement(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	srv, counter := apitest.ServeCounted(t, db)
	for role, client := range srv.Roles() {
		if role == "ANONYMOUS" {
			continue
		}
		counter.Reset()
		// __typename reads nothing: every statement is the viewer's.
		client.Do(`{ __typename }`, nil).Must(t, nil)
		if n := counter.N(); n != 1 {
			t.Errorf("%s: loading the viewer took %d statements, want 1:\n%s", role, n, strings.Join(counter.Statements(), "\n"))
		}
	}
}
