package catalog_test

import (
	"slices"
	"testing"

	"bangfu/ent/product"
	"bangfu/internal/catalog"
	"bangfu/internal/clock"
	"bangfu/internal/store/storetest"

	"entgo.io/contrib/entgql"
)

// TestRelevancePagesAcrossCandidates pages through relevance results with
// a candidate set smaller than the matches, so pages cross from the
// re-ranked best sellers to the rest: every match must come exactly once,
// the first part must hold exactly the best sellers, and the count must
// stop at its cap.
func TestRelevancePagesAcrossCandidates(t *testing.T) {
	t.Parallel()
	ctx := storetest.AsSystem()
	db := storetest.OpenDemo(t)
	const query = "核桃"
	all, err := catalog.New(db.Client, clock.Real).Search(ctx, query, catalog.Filter{}, catalog.BestSelling, catalog.Page{First: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	var bySales []int
	for _, e := range all.Edges {
		bySales = append(bySales, e.Node.ID)
	}
	if len(bySales) < 12 || all.PageInfo.HasNextPage {
		t.Fatalf("want 12 to 100 matches for %q, got %d (more: %v)", query, len(bySales), all.PageInfo.HasNextPage)
	}
	if !all.TotalCountIsExact || all.TotalCount != len(bySales) {
		t.Fatalf("totalCount %d exact %v, want %d exact", all.TotalCount, all.TotalCountIsExact, len(bySales))
	}

	for _, tc := range []struct{ candidates, pageSize int }{{7, 3}, {6, 3}, {1, 5}, {1000, 4}} {
		s := catalog.New(db.Client, clock.Real).WithLimits(5, tc.candidates)
		var got []int
		var after *entgql.Cursor[int]
		for page := 0; ; page++ {
			conn, err := s.Search(ctx, query, catalog.Filter{}, catalog.Relevance, catalog.Page{First: ptr(tc.pageSize), After: after})
			if err != nil {
				t.Fatal(err)
			}
			if conn.TotalCount != 5 || conn.TotalCountIsExact {
				t.Fatalf("count capped at 5: got %d exact %v", conn.TotalCount, conn.TotalCountIsExact)
			}
			for _, e := range conn.Edges {
				got = append(got, e.Node.ID)
			}
			if !conn.PageInfo.HasNextPage {
				break
			}
			after = conn.PageInfo.EndCursor
			if page > 100 {
				t.Fatal("paging does not end")
			}
		}
		if len(got) != len(bySales) {
			t.Fatalf("%+v: paged %d matches, want %d", tc, len(got), len(bySales))
		}
		k := min(tc.candidates, len(bySales))
		head := slices.Clone(got[:k])
		slices.Sort(head)
		want := slices.Clone(bySales[:k])
		slices.Sort(want)
		if !slices.Equal(head, want) {
			t.Errorf("%+v: first %d results %v are not the %d best sellers %v", tc, k, head, k, want)
		}
		if !slices.Equal(got[k:], bySales[k:]) {
			t.Errorf("%+v: after the candidates, results must follow sales: got %v want %v", tc, got[k:], bySales[k:])
		}
	}
}

// TestBestSellingOrder checks the sales order the index serves.
func TestBestSellingOrder(t *testing.T) {
	t.Parallel()
	ctx := storetest.AsSystem()
	db := storetest.OpenDemo(t)
	conn, err := catalog.New(db.Client, clock.Real).Search(ctx, "", catalog.Filter{}, catalog.BestSelling, catalog.Page{First: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(conn.Edges); i++ {
		a, b := conn.Edges[i-1].Node, conn.Edges[i].Node
		sa, sb := a.Edges.Sales.UnitsSold, b.Edges.Sales.UnitsSold
		if sa < sb || sa == sb && a.ID < b.ID {
			t.Fatalf("not in (units sold, id) descending order at %d: %d/%d before %d/%d", i, sa, a.ID, sb, b.ID)
		}
		if a.Status != product.StatusLISTED {
			t.Fatalf("unlisted product %d in the catalog", a.ID)
		}
	}
}

func ptr[T any](v T) *T { return &v }
