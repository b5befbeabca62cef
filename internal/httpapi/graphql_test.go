package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bangfu/internal/apitest"
	"bangfu/internal/gid"
	"bangfu/internal/store"
)

func TestDemoCatalogQuery(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	var data struct {
		Products struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID       string
					Name     string
					PriceFen int64
					Supplier struct {
						Name   string
						Region struct{ Name string }
					}
				}
			}
		}
	}
	r := srv.Anonymous().Do(`{ products(first: 5) { totalCount edges { node { id name priceFen supplier { name region { name } } } } } }`, nil)
	if !strings.HasPrefix(r.ContentType, "application/graphql-response+json") {
		t.Errorf("content type %q", r.ContentType)
	}
	r.Must(t, &data)
	if data.Products.TotalCount < 100 || len(data.Products.Edges) != 5 {
		t.Fatalf("got totalCount %d with %d edges", data.Products.TotalCount, len(data.Products.Edges))
	}
	for _, e := range data.Products.Edges {
		n := e.Node
		if n.Name == "" || n.PriceFen <= 0 || n.Supplier.Name == "" || n.Supplier.Region.Name == "" {
			t.Errorf("incomplete node %+v", n)
		}
		if strings.Contains(n.ID, "Product") || strings.Trim(n.ID, "0123456789") == "" {
			t.Errorf("ID %q is not opaque", n.ID)
		}
	}
}

func TestNodeLookup(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	var list struct {
		Products struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
		Regions struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	srv.Anonymous().Do(`{ products(first: 1) { edges { node { id name } } } regions(first: 1, where: {code: "530000"}) { edges { node { id name } } } }`, nil).Must(t, &list)
	p, r := list.Products.Edges[0].Node, list.Regions.Edges[0].Node

	var one struct {
		Node struct {
			Typename string `json:"__typename"`
			Name     string
		}
	}
	srv.Anonymous().Do(`query($id: ID!) { node(id: $id) { __typename ... on Product { name } } }`, map[string]any{"id": p.ID}).Must(t, &one)
	if one.Node.Typename != "Product" || one.Node.Name != p.Name {
		t.Fatalf("node(%s) = %+v, want Product %s", p.ID, one.Node, p.Name)
	}

	var many struct {
		Nodes []struct {
			Typename string `json:"__typename"`
			ID       string
		}
	}
	srv.Anonymous().Do(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": []string{r.ID, p.ID}}).Must(t, &many)
	if len(many.Nodes) != 2 || many.Nodes[0].Typename != "Region" || many.Nodes[1].Typename != "Product" || many.Nodes[0].ID != r.ID {
		t.Fatalf("nodes = %+v", many.Nodes)
	}

	// A well-formed ID of a key that does not exist is null, per Relay.
	absent, err := gid.Encode(gid.Start("Product") + 999_999)
	if err != nil {
		t.Fatal(err)
	}
	var missing struct{ Node *struct{ ID string } }
	srv.Anonymous().Do(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": absent}).Must(t, &missing)
	if missing.Node != nil {
		t.Fatalf("missing node = %+v, want null", missing.Node)
	}
}

func TestRelayPagination(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	type page struct {
		Regions struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       *string
			}
			Edges []struct {
				Cursor string
				Node   struct{ Code string }
			}
		}
	}
	const q = `query($after: Cursor, $before: Cursor, $first: Int, $last: Int) {
	  regions(first: $first, after: $after, last: $last, before: $before, where: {level: PROVINCE}, orderBy: {field: CODE}) {
	    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	    edges { cursor node { code } } } }`
	var codes []string
	var after any
	for i := 0; ; i++ {
		var p page
		srv.Anonymous().Do(q, map[string]any{"first": 5, "after": after}).Must(t, &p)
		for _, e := range p.Regions.Edges {
			codes = append(codes, e.Node.Code)
		}
		if !p.Regions.PageInfo.HasNextPage {
			if len(codes) != p.Regions.TotalCount {
				t.Fatalf("paged %d codes, totalCount %d", len(codes), p.Regions.TotalCount)
			}
			break
		}
		after = *p.Regions.PageInfo.EndCursor
		if i > 20 {
			t.Fatal("pagination does not end")
		}
	}
	for i := 1; i < len(codes); i++ {
		if codes[i-1] >= codes[i] {
			t.Fatalf("codes not ordered: %v", codes)
		}
	}
	var back page
	srv.Anonymous().Do(q, map[string]any{"last": 3}).Must(t, &back)
	if got := len(back.Regions.Edges); got != 3 || back.Regions.Edges[2].Node.Code != codes[len(codes)-1] || !back.Regions.PageInfo.HasPreviousPage {
		t.Fatalf("last 3 = %+v", back.Regions)
	}
}

func TestFiltersAndOrdering(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	var data struct {
		Products struct {
			Edges []struct {
				Node struct {
					PriceFen int64
					Category string
				}
			}
		}
	}
	srv.Anonymous().Do(`{ products(first: 20, where: {priceFenGTE: 5000, category: MEAT_EGG_DAIRY}, orderBy: [{field: PRICE, direction: DESC}]) { edges { node { priceFen category } } } }`, nil).Must(t, &data)
	edges := data.Products.Edges
	if len(edges) == 0 {
		t.Fatal("no products matched")
	}
	for i, e := range edges {
		if e.Node.PriceFen < 5000 || e.Node.Category != "MEAT_EGG_DAIRY" {
			t.Errorf("filter let through %+v", e.Node)
		}
		if i > 0 && edges[i-1].Node.PriceFen < e.Node.PriceFen {
			t.Errorf("not sorted by price desc at %d", i)
		}
	}
}

// TestBadInput sends every kind of malformed request: each gets a clear
// error with a stable code, and none is a 500.
func TestBadInput(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	const gqlResp = "application/graphql-response+json"
	tests := []struct {
		name        string
		method      string
		contentType string
		accept      string
		body        string
		query       string // GET query string
		status      int
		code        string
	}{
		{"unknown field", "POST", "application/json", gqlResp, `{"query":"{ products(first: 1) { edges { node { nope } } } }"}`, "", 400, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown field, legacy json", "POST", "application/json", "application/json", `{"query":"{ nope }"}`, "", 200, "GRAPHQL_VALIDATION_FAILED"},
		{"syntax error", "POST", "application/json", gqlResp, `{"query":"{ products(first: 1) { "}`, "", 400, "GRAPHQL_PARSE_FAILED"},
		{"bad ID", "POST", "application/json", gqlResp, `{"query":"{ node(id: \"not-an-id\") { id } }"}`, "", 200, "BAD_USER_INPUT"},
		{"ID of unknown type block", "POST", "application/json", gqlResp, `{"query":"{ node(id: \"WHl6OjE\") { id } }"}`, "", 200, "BAD_USER_INPUT"},
		{"page too large", "POST", "application/json", gqlResp, `{"query":"{ products(first: 10000) { totalCount } }"}`, "", 400, "BAD_USER_INPUT"},
		{"negative page", "POST", "application/json", gqlResp, `{"query":"{ products(last: -1) { totalCount } }"}`, "", 400, "BAD_USER_INPUT"},
		{"nested page too large", "POST", "application/json", gqlResp, `{"query":"{ organizations(first: 1) { edges { node { products(first: 101) { totalCount } } } } }"}`, "", 400, "BAD_USER_INPUT"},
		{"page size via variable", "POST", "application/json", gqlResp, `{"query":"query($n: Int) { regions(first: $n) { totalCount } }","variables":{"n":500}}`, "", 400, "BAD_USER_INPUT"},
		{"unbounded connection", "POST", "application/json", gqlResp, `{"query":"{ regions { totalCount } }"}`, "", 400, "BAD_USER_INPUT"},
		{"float money", "POST", "application/json", gqlResp, `{"query":"query($p: Int64) { products(first: 1, where: {priceFenGT: $p}) { totalCount } }","variables":{"p":12.5}}`, "", 200, "BAD_USER_INPUT"},
		{"bad cursor", "POST", "application/json", gqlResp, `{"query":"{ products(first: 1, after: \"garbage\") { totalCount } }"}`, "", 200, "BAD_USER_INPUT"},
		{"bad time", "POST", "application/json", gqlResp, `{"query":"{ orders(first: 1, where: {placedAtGT: \"yesterday\"}) { totalCount } }"}`, "", 200, "BAD_USER_INPUT"},
		{"malformed JSON", "POST", "application/json", gqlResp, `{"query": "{ products`, "", 400, "BAD_REQUEST"},
		{"JSON array body", "POST", "application/json", gqlResp, `[1,2]`, "", 400, "BAD_REQUEST"},
		{"empty body", "POST", "application/json", gqlResp, ``, "", 400, "BAD_REQUEST"},
		{"missing query", "POST", "application/json", gqlResp, `{"variables":{}}`, "", 400, "BAD_REQUEST"},
		{"query not a string", "POST", "application/json", gqlResp, `{"query":{"a":1}}`, "", 400, "BAD_REQUEST"},
		{"variables not an object", "POST", "application/json", gqlResp, `{"query":"{ __typename }","variables":[1]}`, "", 400, "BAD_REQUEST"},
		{"wrong content type", "POST", "text/plain", gqlResp, `{"query":"{ __typename }"}`, "", 415, "BAD_REQUEST"},
		{"no content type", "POST", "", gqlResp, `{"query":"{ __typename }"}`, "", 415, "BAD_REQUEST"},
		{"wrong charset", "POST", "application/json; charset=latin1", gqlResp, `{"query":"{ __typename }"}`, "", 415, "BAD_REQUEST"},
		{"body too large", "POST", "application/json", gqlResp, `{"query":"{ __typename }` + strings.Repeat(" ", 2<<20) + `"}`, "", 413, "BAD_REQUEST"},
		{"GET bad variables", "GET", "", gqlResp, "", "query=" + url.QueryEscape("{ __typename }") + "&variables=%7Bnope", 400, "BAD_REQUEST"},
		{"GET without query", "GET", "", gqlResp, "", "", 400, "BAD_REQUEST"},
		{"PUT", "PUT", "application/json", gqlResp, `{"query":"{ __typename }"}`, "", 405, "BAD_REQUEST"},
		{"too complex", "POST", "application/json", gqlResp, `{"query":"{ organizations(first: 100) { edges { node { products(first: 100) { edges { node { certifications(first: 100) { totalCount } } } } } } } }"}`, "", 400, "COMPLEXITY_LIMIT_EXCEEDED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/graphql"
			if tt.query != "" {
				path += "?" + tt.query
			}
			r := srv.Anonymous().Send(tt.method, path, tt.contentType, tt.accept, []byte(tt.body))
			if r.Status != tt.status {
				t.Errorf("status %d, want %d (%s)", r.Status, tt.status, r.Raw)
			}
			if len(r.Errors) == 0 {
				t.Fatalf("no errors in %s", r.Raw)
			}
			for _, c := range r.Codes() {
				if c != tt.code {
					t.Errorf("code %q, want %q (%s)", c, tt.code, r.Raw)
				}
			}
			if strings.Contains(r.Raw, "goroutine") || strings.Contains(strings.ToLower(r.Raw), "sql") {
				t.Errorf("response leaks internals: %s", r.Raw)
			}
			if tt.status >= 400 && r.Data != nil {
				t.Errorf("request error carries data: %s", r.Raw)
			}
		})
	}
}

func TestGETQueriesOnly(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	q := url.Values{"query": {`query Q($n: Int) { regions(first: $n) { totalCount } }`}, "variables": {`{"n": 2}`}, "operationName": {"Q"}}
	r := srv.Anonymous().Send(http.MethodGet, "/graphql?"+q.Encode(), "", "", nil)
	var data struct{ Regions struct{ TotalCount int } }
	r.Must(t, &data)
	if data.Regions.TotalCount == 0 || !strings.HasPrefix(r.ContentType, "application/json") {
		t.Fatalf("GET = %d %q %s", r.Status, r.ContentType, r.Raw)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		if r := srv.Anonymous().Send(http.MethodGet, path, "", "", nil); r.Status != http.StatusOK {
			t.Errorf("%s = %d %s", path, r.Status, r.Raw)
		}
	}
	if r := srv.Anonymous().Send(http.MethodGet, "/", "", "", nil); r.Status != http.StatusOK || !strings.Contains(r.Raw, "graphiql") {
		t.Errorf("GraphiQL page = %d", r.Status)
	}
	if r := srv.Anonymous().Send(http.MethodGet, "/nope", "", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("/nope = %d", r.Status)
	}
	// A database that does not answer: TestDatabaseFaultsAre503.
}

func TestRequestIDEchoed(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "trace-abc_123")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("X-Request-Id"); got != "trace-abc_123" {
		t.Fatalf("X-Request-Id = %q", got)
	}
	req.Header.Set("X-Request-Id", "bad id with spaces")
	res, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Fatalf("generated X-Request-Id = %q", got)
	}
}

func TestPersistedQueries(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	const q = `{ regions(first: 1) { totalCount } }`
	sum := sha256.Sum256([]byte(q))
	ext := fmt.Sprintf(`"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))
	sendAPQ := func(body string) apitest.Response {
		return srv.Anonymous().Send(http.MethodPost, "/graphql", "application/json", "application/json", []byte(body))
	}
	if r := sendAPQ("{" + ext + "}"); len(r.Errors) == 0 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unregistered hash: %s", r.Raw)
	}
	var data struct{ Regions struct{ TotalCount int } }
	sendAPQ(fmt.Sprintf(`{"query":%q,%s}`, q, ext)).Must(t, &data)
	sendAPQ("{"+ext+"}").Must(t, &data)
	if data.Regions.TotalCount == 0 {
		t.Fatal("persisted query returned nothing")
	}
}

// TestDatabaseFaultsAre503: a database that refuses connections, or one
// that accepts them and never answers, makes every request a 503 with
// Retry-After, soon, and never a 401 that would make clients throw their
// tokens away; /readyz says so within its deadline.
func TestDatabaseFaultsAre503(t *testing.T) {
	t.Parallel()
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hole.Close() })
	go func() {
		var held []net.Conn // accepted, never answered
		for {
			c, err := hole.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()
	for _, tc := range []struct{ name, addr string }{
		{"refused", refused},
		{"hung", hole.Addr().String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, err := store.Open(context.Background(), store.Config{Lazy: true,
				URL: "postgres://bangfu@" + tc.addr + "/bangfu?sslmode=disable&connect_timeout=5"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			srv := apitest.Serve(t, db, func(s *apitest.Setup) { s.ProbeHealth = true })
			token, _, err := srv.Services.Auth.Tokens().Issue(1<<33, "some-sign-in")
			if err != nil {
				t.Fatal(err)
			}
			// The probe finds the database down within about a second;
			// from then on every request is turned away at once.
			time.Sleep(1500 * time.Millisecond)
			for i, step := range []struct {
				path, token string
				within      time.Duration
			}{
				{"/graphql", token, 500 * time.Millisecond},
				{"/graphql", "", 500 * time.Millisecond},
				{"/readyz", "", 2500 * time.Millisecond},
			} {
				start := time.Now()
				var r apitest.Response
				if step.path == "/readyz" {
					r = srv.Anonymous().Send(http.MethodGet, "/readyz", "", "", nil)
				} else {
					r = srv.As(step.token).Do(`{ me { email } }`, nil)
				}
				took := time.Since(start)
				if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
					t.Errorf("step %d %s: %d %v %s", i, step.path, r.Status, r.Header, r.Raw)
				}
				if step.path == "/graphql" && r.Code() != "UNAVAILABLE" {
					t.Errorf("step %d: code %s", i, r.Code())
				}
				if took > step.within {
					t.Errorf("step %d %s took %v, want under %v", i, step.path, took, step.within)
				}
			}
		})
	}
}
