package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"bangfu/ent/ledgerentry"
	"bangfu/internal/apitest"
	"bangfu/internal/metrics"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// TestMetrics sends queries, a failing query, a refused document and the
// order lifecycle through the real handler, then scrapes /metrics as
// Prometheus would and finds each series with the value the requests
// imply; business counters agree with the rows the database gained.
func TestMetrics(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	m := metrics.New()
	m.WatchDB("bangfu", db.SQL)
	m.Instrument(db.Client)
	srv := apitest.Serve(t, db, func(s *apitest.Setup) { s.HTTP.Metrics, s.App.OrdersPlaced = m, m.OrdersPlaced })
	scrapeSrv := httptest.NewServer(m.Handler(nil))
	t.Cleanup(scrapeSrv.Close)
	f := fixture(t, db)
	ledgerBefore := ledgerByKind(t, db)

	buyer, supplier := srv.SignIn("buyer@bangfu.example"), srv.SignIn("supplier@bangfu.example")
	anon := srv.Anonymous()
	anon.Do(`{ __typename }`, nil).Must(t, nil)
	anon.Do(`query Typename { __typename }`, nil).Must(t, nil)
	// Without first or last: refused after validation, the name is known.
	broken := anon.Do(`query Broken { products { totalCount } }`, nil)
	brokenCode := broken.Code()
	if brokenCode == "" {
		t.Fatalf("query Broken succeeded: %+v", broken)
	}
	// Over the alias limit: refused before parsing.
	aliases := "query TooMany {"
	for i := range 31 {
		aliases += fmt.Sprintf(" a%d: __typename", i)
	}
	anon.Do(aliases+" }", nil).WantCode(t, "ALIAS_LIMIT_EXCEEDED")

	orders := buyer.PlaceOrder(apitest.Cart{Key: "cart-metrics-1", Items: []apitest.Item{line(t, f.own[0], 2)}}).Must(t)
	if len(orders) != 1 {
		t.Fatalf("placed %d orders", len(orders))
	}
	// More than the stock: nothing is placed, nothing counted.
	oversell := buyer.PlaceOrder(apitest.Cart{Key: "cart-metrics-2", Items: []apitest.Item{line(t, f.own[1], 51)}})
	oversellCode := oversell.Code()
	if oversellCode == "" {
		t.Fatal("an oversold cart was placed")
	}
	id := orders[0].ID
	supplier.Step(id, apitest.Confirm).Must(t)
	supplier.Step(id, apitest.Ship).Must(t)
	buyer.Step(id, apitest.Deliver).Must(t)
	buyer.Step(id, apitest.Accept).Must(t)
	buyer.Step(id, apitest.Settle).Must(t)
	supplier.Step(id, apitest.Refund).Must(t)
	supplier.Step(id, apitest.Refund).WantCode(t, "CONFLICT") // refunded already: not counted again
	posts := 2 /* sign-ins */ + 4 + 2 + 7
	refusedPosts := 2 // Broken and TooMany did not execute: 400 with the GraphQL response media type

	if res, err := http.Get(srv.URL + "/no/such/path/42"); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}

	fams := scrape(t, scrapeSrv.URL)
	want := []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"bangfu_http_requests_total", map[string]string{"route": "POST /graphql", "code": "200"}, float64(posts - refusedPosts)},
		{"bangfu_http_requests_total", map[string]string{"route": "POST /graphql", "code": "400"}, float64(refusedPosts)},
		{"bangfu_http_request_duration_seconds", map[string]string{"route": "POST /graphql", "code": "200"}, float64(posts - refusedPosts)},
		{"bangfu_http_requests_total", map[string]string{"route": "/", "code": "404"}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "anonymous", "code": "OK"}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "Typename", "code": "OK"}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "Login", "code": "OK"}, 2},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "Broken", "code": brokenCode}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "unknown", "code": "ALIAS_LIMIT_EXCEEDED"}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "PlaceOrder", "code": "OK"}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "PlaceOrder", "code": oversellCode}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "SettleOrder", "code": "OK"}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "RefundOrder", "code": "OK"}, 1},
		{"bangfu_graphql_operations_total", map[string]string{"operation": "RefundOrder", "code": "CONFLICT"}, 1},
		{"bangfu_graphql_operation_duration_seconds", map[string]string{"operation": "PlaceOrder", "code": "OK"}, 1},
		{"bangfu_graphql_refused_total", map[string]string{"limit": "alias"}, 1},
		{"bangfu_graphql_refused_total", map[string]string{"limit": "depth"}, 0},
		{"bangfu_orders_placed_total", nil, 1},
		{"bangfu_orders_settled_total", nil, 1},
		{"bangfu_orders_refunded_total", nil, 1},
	}
	for _, w := range want {
		if got, ok := value(fams, w.name, w.labels); !ok || got != w.value {
			t.Errorf("%s%v = %v (found %v), want %v", w.name, w.labels, got, ok, w.value)
		}
	}
	// Every POST to /graphql is one GraphQL operation.
	if got := sum(fams, "bangfu_graphql_operations_total"); got != float64(posts) {
		t.Errorf("operations in all = %v, want %d", got, posts)
	}
	// Ledger entries: as many as the database gained, by kind.
	after := ledgerByKind(t, db)
	booked := 0
	for _, kind := range metrics.LedgerKinds {
		k := string(kind)
		n := after[k] - ledgerBefore[k]
		booked += n
		if got, ok := value(fams, "bangfu_ledger_entries_booked_total", map[string]string{"kind": k}); !ok || got != float64(n) {
			t.Errorf("ledger entries %s = %v (found %v), want %d", k, got, ok, n)
		}
	}
	if booked == 0 {
		t.Error("settling and refunding booked no ledger entries; the ledger counters went untested")
	}
	// Raw paths never become labels.
	for _, mf := range fams {
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if strings.Contains(l.GetValue(), "/no/such") {
					t.Errorf("%s has a raw path label %s", mf.GetName(), l.GetValue())
				}
			}
		}
	}
	// The pool, the runtime and the process.
	for _, name := range []string{"go_sql_max_open_connections", "go_sql_open_connections", "go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if _, ok := value(fams, "go_sql_open_connections", map[string]string{"db_name": "bangfu"}); !ok {
		t.Error("go_sql_open_connections lacks db_name=bangfu")
	}
}

// TestMetricsOperationNameCap: client-chosen operation names get a series
// each only up to metrics.MaxOperationNames; later ones count as "other".
func TestMetricsOperationNameCap(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	srv := apitest.ServeClient(t, storetest.Open(t).Client, func(s *apitest.Setup) { s.HTTP.Metrics = m })
	c := srv.Anonymous()
	for i := range metrics.MaxOperationNames + 5 {
		c.Do(fmt.Sprintf("query Op%d { __typename }", i), nil).Must(t, nil)
	}
	c.Do("query Op0 { __typename }", nil).Must(t, nil)
	scrapeSrv := httptest.NewServer(m.Handler(nil))
	t.Cleanup(scrapeSrv.Close)
	fams := scrape(t, scrapeSrv.URL)
	if got, _ := value(fams, "bangfu_graphql_operations_total", map[string]string{"operation": "other", "code": "OK"}); got != 5 {
		t.Errorf("other = %v, want 5", got)
	}
	if got, _ := value(fams, "bangfu_graphql_operations_total", map[string]string{"operation": "Op0", "code": "OK"}); got != 2 {
		t.Errorf("Op0 = %v, want 2 (a known name stays known)", got)
	}
	if n := len(fams["bangfu_graphql_operations_total"].GetMetric()); n != metrics.MaxOperationNames+1 {
		t.Errorf("%d operation series, want %d", n, metrics.MaxOperationNames+1)
	}
}

func ledgerByKind(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range db.Client.LedgerEntry.Query().Select(ledgerentry.FieldKind).AllX(sysCtx) {
		out[string(e.Kind)]++
	}
	return out
}

// scrape fetches the text exposition at url and parses it.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value is the value of the series of name whose labels include labels:
// a counter's or gauge's value, a histogram's count.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	mf := fams[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

func sum(fams map[string]*dto.MetricFamily, name string) float64 {
	var s float64
	for _, m := range fams[name].GetMetric() {
		s += m.GetCounter().GetValue()
	}
	return s
}
