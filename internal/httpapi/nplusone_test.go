package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/internal/apitest"
	"bangfu/internal/store/storetest"
)

// TestNestedQueriesAreBatched proves there is no N+1: a three-level query
// (organizations → products → certifications, plus each product's supplier
// region) issues the same small number of statements for 5 parents as for 50.
func TestNestedQueriesAreBatched(t *testing.T) {
	t.Parallel()
	ctx := storetest.AsSystem()
	db := storetest.Open(t)
	c := db.Client
	county := c.Region.Create().SetCode("533323").SetName("福贡县").SetLevel(region.LevelCOUNTY).SetSide(region.SideWEST).SaveX(ctx)
	for i := 0; i < 50; i++ {
		org := c.Organization.Create().SetName(fmt.Sprintf("合作社%02d", i)).SetKind(organization.KindCOOPERATIVE).SetRegion(county).SaveX(ctx)
		for j := 0; j < 3; j++ {
			p := c.Product.Create().SetSupplier(org).SetOriginCounty(county).SetName(fmt.Sprintf("草果%d", j)).
				SetCategory("SPICES_DRIED").SetSpec("500g/袋").SetUnit("袋").SetPriceFen(3900).SaveX(ctx)
			for k := 0; k < 2; k++ {
				c.Certification.Create().SetProduct(p).SetValidUntil(time.Now().AddDate(1, 0, 0)).ExecX(ctx)
			}
		}
	}

	counter, counted := storetest.NewCounter(db)
	srv := apitest.ServeClient(t, counted)

	const q = `query($n: Int!) { organizations(first: $n) { edges { node { name region { name }
	  products(first: 10) { edges { node { name originCounty { code }
	    certifications(first: 5) { edges { node { status validUntil } } } } } } } } } }`
	statements := func(n int) int64 {
		counter.Reset()
		var data struct {
			Organizations struct {
				Edges []struct {
					Node struct {
						Products struct {
							Edges []struct {
								Node struct {
									Certifications struct{ Edges []struct{} }
								}
							}
						}
					}
				}
			}
		}
		srv.Anonymous().Do(q, map[string]any{"n": n}).Must(t, &data)
		orgs := data.Organizations.Edges
		if len(orgs) != n || len(orgs[n-1].Node.Products.Edges) != 3 || len(orgs[n-1].Node.Products.Edges[2].Node.Certifications.Edges) != 2 {
			t.Fatalf("incomplete result for n=%d", n)
		}
		return counter.N()
	}
	small, large := statements(5), statements(50)
	t.Logf("SQL statements: %d for 5 parents, %d for 50 parents", small, large)
	if large != small {
		t.Errorf("statement count grows with page size: %d for 5, %d for 50", small, large)
	}
	if large > 6 {
		t.Errorf("%d statements for a 3-level query; want at most 6", large)
	}
}
