package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/membership"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/apitest"
	"bangfu/internal/gid"
	"bangfu/internal/httpapi"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
	"bangfu/internal/translog"
)

// The write path's benchmarks run on PostgreSQL, through the real HTTP
// handler, with the log's sealer running as in the server. They take a
// while (tens of seconds); run them one at a time:
//
//	BANGFU_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	  go test -run '^$' -bench 'PlaceOrderVsPgbench|Interference' -benchtime 1x ./internal/httpapi/
//
// BENCH_SECONDS sets the length of each measured phase (default 10).

// writeBench is a demo database served through the real handler, with 20
// hot products in a run of consecutive ids and a signed-in buyer.
type writeBench struct {
	db          *store.DB
	srv         *apitest.Server
	buyer       *apitest.Client
	buyerOrg    int
	first, last int // the hot products' ids
	hot         []int
	phase       time.Duration
	stopSealer  context.CancelFunc
}

func newWriteBench(b *testing.B) *writeBench {
	b.Helper()
	if os.Getenv(storetest.EnvURL) == "" {
		b.Skip("the write-path benchmarks run on PostgreSQL: set " + storetest.EnvURL)
	}
	// As the server runs (its --gc-percent default).
	prev := debug.SetGCPercent(httpapi.DefaultGCPercent)
	b.Cleanup(func() { debug.SetGCPercent(prev) })
	db := storetest.OpenDemo(b)
	c := db.Client
	approved := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED),
		supplierprofile.HasOrganizationWith(organization.StatusEQ(organization.StatusACTIVE))).
		Select(supplierprofile.FieldOrganizationID).IntsX(sysCtx)
	ids := c.Product.Query().Where(product.StatusEQ(product.StatusLISTED), product.SupplierIDIn(approved...)).
		Order(ent.Asc(product.FieldID)).IDsX(sysCtx)
	w := &writeBench{db: db, phase: 10 * time.Second}
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		w.phase = time.Duration(s) * time.Second
	}
	// 20 consecutive ids, so that pgbench can draw them with random().
	for i := 0; i+19 < len(ids); i++ {
		if ids[i+19]-ids[i] == 19 {
			w.first, w.last, w.hot = ids[i], ids[i+19], ids[i:i+20]
			break
		}
	}
	if w.hot == nil {
		b.Fatal("the demo has no run of 20 consecutive listed products")
	}
	c.Product.Update().Where(product.IDIn(w.hot...)).SetStock(1 << 30).ExecX(sysCtx)
	if _, err := db.SQL.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	w.srv = apitest.Serve(b, db)
	w.buyer = w.srv.SignIn("buyer@bangfu.example")
	w.buyerOrg = orgOf(b, db, "buyer@bangfu.example", membership.RoleBUYER)
	// The log's sealer runs as in the server, and its work counts.
	ctx, cancel := context.WithCancel(context.Background())
	w.stopSealer = cancel
	b.Cleanup(cancel)
	go w.srv.Services.Log.Run(ctx, db.SQL, apitest.QuietLog(b), translog.RunOptions{})
	return w
}

// warm places orders for two seconds, to open the server's pooled
// connections and fill their caches, and then has PostgreSQL analyze the
// tables, as autovacuum does in a running system (once a table has grown
// by a tenth, checked every minute). The demo holds few orders, and each
// pooled connection plans its foreign-key checks once: planned while
// the orders table is a few pages, a line's check of its order is a
// sequential scan, and the connection keeps that plan until the table's
// statistics change, while the table grows by a thousand orders a second.
// pgbench, which connects afresh for each of its phases, would plan on the
// grown table. Measured: the check's mean went from 0.11–0.20 ms to
// 0.007 ms, and placeOrder's ratio from 0.33–0.44 to 0.41–0.53.
func (w *writeBench) warm(b *testing.B, clients int) {
	b.Helper()
	w.run(clients, 2*time.Second, w.buyer.Token, w.placeOrders("warm"))
	if _, err := w.db.SQL.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// load is the outcome of one phase of a load.
type load struct {
	ok, failed int
	latencies  []time.Duration
	elapsed    time.Duration
	firstError string
}

func (l *load) rate() float64 { return float64(l.ok) / l.elapsed.Seconds() }

func (l *load) p(q float64) time.Duration {
	if len(l.latencies) == 0 {
		return 0
	}
	slices.Sort(l.latencies)
	return l.latencies[int(q*float64(len(l.latencies)-1))]
}

// run sends requests from clients goroutines for d: each call of body
// makes one GraphQL request (query and variables) and reports success.
func (w *writeBench) run(clients int, d time.Duration, token string, body func(worker, i int) (string, map[string]any)) *load {
	tr := &http.Transport{MaxIdleConnsPerHost: clients + 4}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var mu sync.Mutex
	out := &load{}
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for worker := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			ok, failed, firstErr := 0, 0, ""
			for i := 0; time.Now().Before(deadline); i++ {
				q, vars := body(worker, i)
				raw, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
				req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/graphql", bytes.NewReader(raw))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				res, err := hc.Do(req)
				if err != nil {
					failed++
					firstErr = err.Error()
					continue
				}
				data, _ := io.ReadAll(res.Body)
				res.Body.Close()
				var r struct{ Errors []json.RawMessage }
				_ = json.Unmarshal(data, &r)
				if res.StatusCode != http.StatusOK || len(r.Errors) > 0 {
					failed++
					if firstErr == "" {
						firstErr = string(data)
					}
					continue
				}
				ok++
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			out.ok += ok
			out.failed += failed
			out.latencies = append(out.latencies, lat...)
			if out.firstError == "" {
				out.firstError = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

const placeOne = `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`

// placeOrders is one-line carts of random hot products.
func (w *writeBench) placeOrders(tag string) func(worker, i int) (string, map[string]any) {
	return func(worker, i int) (string, map[string]any) {
		p := w.hot[rand.IntN(len(w.hot))]
		return placeOne, map[string]any{"in": map[string]any{
			"idempotencyKey": fmt.Sprintf("%s-%d-%d-%d", tag, worker, i, rand.Int64()),
			"items":          []any{map[string]any{"productId": gid.Ref(p), "quantity": 1}},
		}}
	}
}

// pgbench runs bench/pgbench/place_order.sql on the same database and
// products and returns its transactions per second.
func (w *writeBench) pgbench(b *testing.B, clients int) float64 {
	b.Helper()
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Skip("pgbench is not installed (Debian: postgresql-client)")
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "bench", "pgbench", "place_order.sql")
	dsn, env := libpq(b, w.db.DSN())
	cmd := exec.Command("pgbench", "-n", "-f", script, "-c", strconv.Itoa(clients), "-j", "2",
		"-T", strconv.Itoa(int(w.phase.Seconds())),
		"-D", fmt.Sprintf("first=%d", w.first), "-D", fmt.Sprintf("last=%d", w.last), "-D", fmt.Sprintf("buyer=%d", w.buyerOrg),
		dsn)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("pgbench printed no tps:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return tps
}

// libpq turns the test database's URL into one libpq takes: run-time
// settings lib/pq accepts as URL parameters (the test databases'
// synchronous_commit) go to PGOPTIONS, so pgbench runs as the server does.
func libpq(b *testing.B, dsn string) (string, []string) {
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	var opts []string
	for _, k := range []string{"synchronous_commit"} {
		if v := q.Get(k); v != "" {
			opts = append(opts, "-c "+k+"="+v)
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), []string{"PGOPTIONS=" + strings.Join(opts, " ")}
}

// wrk runs bench/wrk/place_order.lua against the server: the load
// generator in a process of its own, as pgbench is, so that its work does
// not count against the server's. It returns requests per second and the
// latency line; ok is false when wrk is not installed.
func (w *writeBench) wrk(b *testing.B, clients int) (rate float64, latency string, ok bool) {
	b.Helper()
	if _, err := exec.LookPath("wrk"); err != nil {
		return 0, "", false
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "bench", "wrk", "place_order.lua")
	ids := make([]string, len(w.hot))
	for i, id := range w.hot {
		ids[i] = gid.Ref(id)
	}
	cmd := exec.Command("wrk", "-t2", "-c"+strconv.Itoa(clients), "-d"+strconv.Itoa(int(w.phase.Seconds()))+"s",
		"-s", script, w.srv.URL+"/graphql")
	cmd.Env = append(os.Environ(), "BANGFU_TOKEN="+w.buyer.Token, "BANGFU_PRODUCTS="+strings.Join(ids, ","))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindSubmatch(out)
	f := regexp.MustCompile(`failed (\d+)`).FindSubmatch(out)
	lat := regexp.MustCompile(`p50 .*`).Find(out)
	if m == nil || f == nil {
		b.Fatalf("wrk printed no rate:\n%s", out)
	}
	if string(f[1]) != "0" {
		b.Errorf("wrk: %s placements failed", f[1])
	}
	rate, _ = strconv.ParseFloat(string(m[1]), 64)
	return rate, string(lat), true
}

// BenchmarkPlaceOrderVsPgbench compares placeOrder through the HTTP
// handler with pgbench running the equivalent SQL transaction on the same
// 20 products, interleaved in one run, at 8 clients. The load comes from
// wrk (bench/wrk/place_order.lua) when it is installed (Debian: wrk), else
// from Go clients in this process. The target: bangfu at least half of
// pgbench.
func BenchmarkPlaceOrderVsPgbench(b *testing.B) {
	w := newWriteBench(b)
	const clients = 8
	w.warm(b, clients)
	var pg, bf []float64
	for round := range 2 {
		pg = append(pg, w.pgbench(b, clients))
		if rate, latency, ok := w.wrk(b, clients); ok {
			bf = append(bf, rate)
			b.Logf("round %d: pgbench %.0f tps; placeOrder %.0f orders/s (wrk; %s)", round+1, pg[round], rate, latency)
			continue
		}
		l := w.run(clients, w.phase, w.buyer.Token, w.placeOrders(fmt.Sprintf("round%d", round)))
		if l.failed > 0 {
			b.Errorf("%d placements failed: %s", l.failed, l.firstError)
		}
		bf = append(bf, l.rate())
		b.Logf("round %d: pgbench %.0f tps; placeOrder %.0f orders/s (Go clients; p50 %v, p99 %v)", round+1, pg[round], l.rate(), l.p(0.5), l.p(0.99))
	}
	pgMean, bfMean := (pg[0]+pg[1])/2, (bf[0]+bf[1])/2
	b.ReportMetric(bfMean, "orders/s")
	b.ReportMetric(pgMean, "pgbench-tps")
	b.ReportMetric(bfMean/pgMean, "ratio")
	if bfMean < pgMean/2 {
		b.Errorf("placeOrder at %d clients: %.0f orders/s, under half of pgbench's %.0f", clients, bfMean, pgMean)
	}
	w.reportSealing(b)
}

// reportSealing waits for the sealer to catch up and reports the largest
// delay between an audit event's commit and its sealing seen meanwhile.
func (w *writeBench) reportSealing(b *testing.B) {
	b.Helper()
	lag, err := sealingLag(w.db)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("sealing lag of the run's audit events: p50 %v, p99 %v, max %v", lag[0], lag[1], lag[2])
	b.ReportMetric(lag[1].Seconds(), "seal-lag-p99-s")
}

// sealingLag measures, after the fact, how long each audit event waited
// to be sealed: the sealer writes leaves in order, and each leaf row's
// insertion is stamped by the database (a round's leaves share its
// transaction's time).
func sealingLag(db *store.DB) ([3]time.Duration, error) {
	var out [3]time.Duration
	// Wait until everything committed is sealed.
	for range 100 {
		var unsealed int
		if err := db.SQL.QueryRow(`SELECT count(*) FROM audit_events e WHERE NOT EXISTS
			(SELECT 1 FROM log_leaves l WHERE l.kind = 'AUDIT_EVENT' AND l.ref_id = e.id)`).Scan(&unsealed); err != nil {
			return out, err
		}
		if unsealed == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	rows, err := db.SQL.Query(`SELECT EXTRACT(EPOCH FROM (l.sealed_at - e.occurred_at)) FROM log_leaves l
		JOIN audit_events e ON l.kind = 'AUDIT_EVENT' AND e.id = l.ref_id WHERE e.action = 'placeOrder'`)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var lags []time.Duration
	for rows.Next() {
		var s float64
		if err := rows.Scan(&s); err != nil {
			return out, err
		}
		lags = append(lags, time.Duration(s*float64(time.Second)))
	}
	if err := rows.Err(); err != nil || len(lags) == 0 {
		return out, err
	}
	slices.Sort(lags)
	return [3]time.Duration{lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1]}, nil
}

// BenchmarkPlaceOrderInterference measures other buyers' placeOrder
// throughput (8 clients) alone, then beside one client sending 100-item
// carts, then beside back-to-back settlements of orders of a supplier
// with 1,000 approved benefit links. The target: neither lowers it by
// more than 20%. It also reports the settlements' latency.
func BenchmarkPlaceOrderInterference(b *testing.B) {
	w := newWriteBench(b)
	const clients = 8
	c := w.db.Client

	// A supplier with 1,000 households, and orders of its ready to settle.
	big := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		QueryOrganization().Where(organization.StatusEQ(organization.StatusACTIVE), organization.HasProductsWith(
		product.StatusEQ(product.StatusLISTED), product.IDNotIn(w.hot...))).FirstX(sysCtx)
	linkHouseholds(b, w.db, big.ID, 1000)
	bigProduct := c.Product.Query().Where(product.SupplierID(big.ID), product.StatusEQ(product.StatusLISTED),
		product.IDNotIn(w.hot...)).FirstX(sysCtx)
	c.Product.UpdateOne(bigProduct).SetStock(1 << 30).ExecX(sysCtx)
	var toSettle []string
	for i := range 400 {
		var out struct{ PlaceOrder []apitest.Order }
		w.buyer.Must(placeOne, apitest.Vars{"in": map[string]any{"idempotencyKey": fmt.Sprintf("big-%04d", i),
			"items": []any{map[string]any{"productId": apitest.GlobalID(b, "Product", bigProduct.ID), "quantity": 1}}}}, &out)
		toSettle = append(toSettle, out.PlaceOrder[0].ID)
	}
	raw := make([]int, len(toSettle))
	for i, id := range toSettle {
		raw[i] = apitest.RawID(b, id)
	}
	now := time.Now().UTC()
	c.Order.Update().Where(order.IDIn(raw...)).SetStatus(order.StatusACCEPTED).SetConfirmedAt(now).SetShippedAt(now).
		SetDeliveredAt(now).SetAcceptedAt(now).SetCarrier("EMS").SetTrackingNumber("bench").SetInspectionRef("bench").
		SetInvoiceRef("bench").ExecX(sysCtx)
	// 100-item carts of products other than the hot ones.
	approved := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED),
		supplierprofile.HasOrganizationWith(organization.StatusEQ(organization.StatusACTIVE))).
		Select(supplierprofile.FieldOrganizationID).IntsX(sysCtx)
	var cartProducts []int
	for _, p := range c.Product.Query().Where(product.StatusEQ(product.StatusLISTED), product.IDNotIn(w.hot...),
		product.SupplierIDIn(approved...), product.IDNEQ(bigProduct.ID)).Order(ent.Asc(product.FieldID)).AllX(sysCtx) {
		cartProducts = append(cartProducts, p.ID)
	}
	c.Product.Update().Where(product.IDIn(cartProducts...)).SetStock(1 << 30).ExecX(sysCtx)

	w.warm(b, clients)
	next := atomic.Int64{}
	settle := func(worker, i int) (string, map[string]any) {
		n := next.Add(1) - 1
		if int(n) >= len(toSettle) {
			n = int64(len(toSettle) - 1) // out of orders: the rest fail as CONFLICT, and are not counted
		}
		return `mutation($id: ID!) { settleOrder(id: $id) { status } }`, map[string]any{"id": toSettle[n]}
	}
	// Settlements on their own first: their latency unloaded.
	alone1000 := w.run(1, w.phase/2, w.buyer.Token, settle)
	b.Logf("settling a 1,000-household supplier's order, alone: %.1f/s, p50 %v, p99 %v",
		alone1000.rate(), alone1000.p(0.5), alone1000.p(0.99))
	measure := func(name string, beside func(ctx context.Context)) float64 {
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); beside(ctx) }()
		l := w.run(clients, w.phase, w.buyer.Token, w.placeOrders(name))
		stop()
		<-done
		if l.failed > 0 {
			b.Errorf("%s: %d placements failed: %s", name, l.failed, l.firstError)
		}
		b.Logf("%-34s placeOrder %.0f orders/s (p50 %v, p99 %v)", name, l.rate(), l.p(0.5), l.p(0.99))
		return l.rate()
	}
	alone := measure("alone", func(context.Context) {})
	var cartRate float64
	carts := measure("beside 100-item carts", func(ctx context.Context) {
		l := w.run(1, w.phase, w.buyer.Token, func(worker, i int) (string, map[string]any) {
			items := make([]any, 0, 100)
			start := rand.IntN(len(cartProducts))
			for k := range 100 {
				p := cartProducts[(start+k)%len(cartProducts)]
				items = append(items, map[string]any{"productId": gid.Ref(p), "quantity": 1})
			}
			return placeOne, map[string]any{"in": map[string]any{"idempotencyKey": fmt.Sprintf("cart100-%d-%d", i, rand.Int64()), "items": items}}
		})
		cartRate = l.rate()
		if l.failed > 0 {
			b.Errorf("100-item carts: %d failed: %s", l.failed, l.firstError)
		}
	})
	var settled *load
	settling := measure("beside 1,000-household settlements", func(ctx context.Context) {
		settled = w.run(1, w.phase, w.buyer.Token, settle)
	})
	b.Logf("beside the buyers: 100-item carts %.1f/s; settlements of 1,000 households %.1f/s, p50 %v, p99 %v", cartRate,
		settled.rate(), settled.p(0.5), settled.p(0.99))
	b.ReportMetric(alone, "alone-orders/s")
	b.ReportMetric(carts/alone, "with-carts-ratio")
	b.ReportMetric(settling/alone, "with-settlements-ratio")
	b.ReportMetric(float64(alone1000.p(0.5).Milliseconds()), "settle-p50-ms")
	for name, r := range map[string]float64{"100-item carts": carts, "1,000-household settlements": settling} {
		if r < 0.8*alone {
			b.Errorf("beside %s other buyers' throughput fell to %.0f%% (%.0f of %.0f orders/s)", name, 100*r/alone, r, alone)
		}
	}
	if alone1000.p(0.5) > 100*time.Millisecond {
		b.Errorf("settling a 1,000-household supplier's order: p50 %v, want under 100 ms", alone1000.p(0.5))
	}
	w.reportSealing(b)
}
