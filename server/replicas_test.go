package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"bangfu/internal/apitest"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
	"bangfu/internal/translog"
)

// replica is a server process of the test's own.
type replica struct {
	name string
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
}

func (r *replica) leads() bool {
	return strings.Count(r.logs.String(), `"msg":"this replica seals the log"`) > strings.Count(r.logs.String(), `"msg":"lost the log sealer's lock"`)
}

// gql sends one GraphQL request and decodes its data.
func (r *replica) gql(t *testing.T, token, query string, vars map[string]any, out any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, r.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "NETWORK"
	}
	defer res.Body.Close()
	var resp struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Errors) > 0 {
		code, _ := resp.Errors[0].Extensions["code"].(string)
		return code
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return "ok"
}

// TestTwoReplicas runs two server processes on one PostgreSQL database,
// as a deployment with replicas does: concurrent orders through both
// never oversell; one of them seals the log, and when it is killed the
// other takes over; a subscriber on one replica sees a change made through
// the other; the log verifies afterwards; and the daily monitoring scan ran
// once, not once per replica.
func TestTwoReplicas(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.EnvURL) == "" {
		t.Skip("replicas share a PostgreSQL database: set " + storetest.EnvURL)
	}
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the server: %v\n%s", err, out)
	}
	cfg := storetest.Config(t)
	logKey, vkey, err := translog.GenerateKey("replicas.bangfu.example/log")
	if err != nil {
		t.Fatal(err)
	}
	start := func(name string, args ...string) *replica {
		t.Helper()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		r := &replica{name: name, url: "http://" + addr, logs: &syncBuffer{}}
		r.cmd = exec.Command(bin, append([]string{"--addr", addr}, args...)...)
		r.cmd.Env = append(os.Environ(), "DATABASE_URL="+cfg.URL, "BANGFU_INSTANCE="+name,
			"BANGFU_JWT_KEY="+strings.Repeat("j", 40), "BANGFU_PII_KEY="+strings.Repeat("p", 40), "BANGFU_LOG_KEY="+logKey)
		r.cmd.Stderr = r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.cmd.Process.Kill(); _ = r.cmd.Wait() })
		for deadline := time.Now().Add(90 * time.Second); ; {
			res, err := http.Get(r.url + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return r
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s not ready:\n%s", name, r.logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	a := start("replica-a", "--demo")
	b := start("replica-b")
	replicas := []*replica{a, b}

	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec1 := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}

	var login struct{ Login struct{ AccessToken string } }
	signIn := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`
	if code := a.gql(t, "", signIn, map[string]any{"e": "buyer@bangfu.example", "p": "bangfu-demo-2026"}, &login); code != "ok" {
		t.Fatalf("sign-in: %s", code)
	}
	buyer := login.Login.AccessToken
	if code := b.gql(t, "", signIn, map[string]any{"e": "auditor@bangfu.example", "p": "bangfu-demo-2026"}, &login); code != "ok" {
		t.Fatalf("sign-in: %s", code)
	}
	auditor := login.Login.AccessToken

	// Four products of approved suppliers with 5 units each.
	var ids []int64
	for i := range 4 {
		var id int64
		if err := db.SQL.QueryRow(`SELECT p.id FROM products p JOIN supplier_profiles sp ON sp.organization_id = p.supplier_id
			JOIN organizations o ON o.id = p.supplier_id
			WHERE p.status = 'LISTED' AND sp.status = 'APPROVED' AND o.status = 'ACTIVE' ORDER BY p.id OFFSET $1 LIMIT 1`, i).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		exec1("UPDATE products SET stock = 5 WHERE id = $1", id)
	}
	var soldBefore int64
	_ = db.SQL.QueryRow("SELECT COALESCE(SUM(units_sold), 0) FROM product_sales WHERE product_id = ANY($1)", "{"+join(ids)+"}").Scan(&soldBefore)

	// Concurrent orders through both replicas: 60 one- or two-line carts
	// for 20 units.
	var accepted, units atomic.Int64
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := replicas[i%2]
			items := []any{map[string]any{"productId": globalID(ids[i%4]), "quantity": 1}}
			n := int64(1)
			if i%3 == 0 {
				items = append(items, map[string]any{"productId": globalID(ids[(i+1)%4]), "quantity": 1})
				n = 2
			}
			code := r.gql(t, buyer, `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"idempotencyKey": fmt.Sprintf("replicas-%03d", i), "items": items}}, nil)
			switch code {
			case "ok":
				accepted.Add(1)
				units.Add(n)
			case "CONFLICT":
			default:
				t.Errorf("placement %d through %s: %s", i, r.name, code)
			}
		}()
	}
	wg.Wait()
	var stockLeft, soldAfter int64
	_ = db.SQL.QueryRow("SELECT SUM(stock), (SELECT SUM(units_sold) FROM product_sales WHERE product_id = ANY($1)) FROM products WHERE id = ANY($1)",
		"{"+join(ids)+"}").Scan(&stockLeft, &soldAfter)
	t.Logf("%d placements accepted (%d units) through two replicas; %d units left", accepted.Load(), units.Load(), stockLeft)
	if accepted.Load() == 0 || stockLeft < 0 || units.Load() > 20 || soldAfter-soldBefore != units.Load() || stockLeft != 20-units.Load() {
		t.Fatalf("oversold or lost: %d units taken, %d sold, %d left of 20", units.Load(), soldAfter-soldBefore, stockLeft)
	}

	// Live updates cross replicas (LISTEN/NOTIFY): the buyer watches an
	// order on b while it is cancelled through a.
	exec1("UPDATE products SET stock = stock + 1 WHERE id = $1", ids[1])
	var placed struct{ PlaceOrder []struct{ ID string } }
	if code := a.gql(t, buyer, `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"idempotencyKey": "replicas-live",
			"items": []any{map[string]any{"productId": globalID(ids[1]), "quantity": 1}}}}, &placed); code != "ok" {
		t.Fatalf("placing the watched order: %s", code)
	}
	orderID := placed.PlaceOrder[0].ID
	ws := apitest.DialLive(t, b.url, buyer)
	ws.Ack()
	ws.Subscribe("1", `subscription($id: ID!) { orderUpdated(orderId: $id) { status } }`, map[string]any{"id": orderID})
	var watched struct{ OrderUpdated struct{ Status string } }
	ws.Data("1", 10*time.Second, &watched)
	if code := a.gql(t, buyer, `mutation($id: ID!) { cancelOrder(id: $id) { status } }`, map[string]any{"id": orderID}, nil); code != "ok" {
		t.Fatalf("cancelling through %s: %s", a.name, code)
	}
	cancelled := time.Now()
	// Well within the subscribers' 30 s resync: the notification carried it.
	ws.Data("1", 5*time.Second, &watched)
	if watched.OrderUpdated.Status != "CANCELLED" {
		t.Fatalf("the watcher on %s saw %q, want CANCELLED", b.name, watched.OrderUpdated.Status)
	}
	t.Logf("a change through %s reached a subscriber on %s in %s", a.name, b.name, time.Since(cancelled).Round(time.Millisecond))
	ws.Close()

	// A sign-out through one replica ends the sign-in on the other at once,
	// although the other has its viewer cached (auth's viewer cache, which
	// the change's notification empties; its 5 s lifetime is only the
	// backstop).
	var ended struct {
		Login struct{ AccessToken, RefreshToken string }
	}
	if code := b.gql(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`,
		map[string]any{"e": "buyer@bangfu.example", "p": "bangfu-demo-2026"}, &ended); code != "ok" {
		t.Fatalf("sign-in: %s", code)
	}
	for _, r := range replicas { // cached on both
		if code := r.gql(t, ended.Login.AccessToken, `{ me { id } }`, nil, nil); code != "ok" {
			t.Fatalf("me through %s: %s", r.name, code)
		}
	}
	if code := a.gql(t, "", `mutation($r: String!) { logout(refreshToken: $r) }`, map[string]any{"r": ended.Login.RefreshToken}, nil); code != "ok" {
		t.Fatalf("logout through %s: %s", a.name, code)
	}
	loggedOut := time.Now()
	if code := a.gql(t, ended.Login.AccessToken, `{ me { id } }`, nil, nil); code != "UNAUTHENTICATED" {
		t.Fatalf("the signed-out token through %s, at once: %s, want UNAUTHENTICATED", a.name, code)
	}
	for code := ""; code != "UNAUTHENTICATED"; time.Sleep(5 * time.Millisecond) {
		if code = b.gql(t, ended.Login.AccessToken, `{ me { id } }`, nil, nil); code != "ok" && code != "UNAUTHENTICATED" {
			t.Fatalf("the signed-out token through %s: %s", b.name, code)
		}
		if time.Since(loggedOut) > time.Second {
			t.Fatalf("the signed-out token still works through %s after %v", b.name, time.Since(loggedOut))
		}
	}
	t.Logf("a sign-out through %s ended the sign-in on %s within %s", a.name, b.name, time.Since(loggedOut).Round(time.Millisecond))
	if code := b.gql(t, buyer, `{ me { id } }`, nil, nil); code != "ok" {
		t.Fatalf("the buyer's other sign-in after the sign-out: %s", code)
	}

	// Exactly one replica seals; kill it, and the other takes over.
	var leader, other *replica
	for deadline := time.Now().Add(10 * time.Second); leader == nil; time.Sleep(100 * time.Millisecond) {
		switch {
		case a.leads() && b.leads():
			t.Fatal("both replicas seal the log")
		case a.leads():
			leader, other = a, b
		case b.leads():
			leader, other = b, a
		case time.Now().After(deadline):
			t.Fatalf("no replica seals the log:\n%s\n%s", a.logs.String(), b.logs.String())
		}
	}
	sizeOf := func() int64 {
		res, err := http.Get(other.url + "/log/checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var text bytes.Buffer
		_, _ = text.ReadFrom(res.Body)
		c, err := translog.OpenCheckpoint(text.String(), vkey)
		if err != nil {
			t.Fatalf("checkpoint: %v\n%s", err, text.String())
		}
		return c.Size
	}
	before := sizeOf()
	if err := leader.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = leader.cmd.Wait()
	exec1("UPDATE products SET stock = 100 WHERE id = $1", ids[0])
	for i := range 5 { // more orders, through the survivor
		if code := other.gql(t, buyer, `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"idempotencyKey": fmt.Sprintf("after-kill-%d", i),
				"items": []any{map[string]any{"productId": globalID(ids[0]), "quantity": 1}}}}, nil); code != "ok" {
			t.Fatalf("placing through %s after the kill: %s", other.name, code)
		}
	}
	for deadline := time.Now().Add(15 * time.Second); !other.leads() || sizeOf() <= before; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not take over sealing (size %d):\n%s", other.name, sizeOf(), other.logs.String())
		}
	}
	t.Logf("%s sealed; killed; %s took over (log %d → %d leaves)", leader.name, other.name, before, sizeOf())

	var verified struct {
		VerifyAuditChain struct {
			Ok      bool
			Checked int
			Reason  *string
		}
	}
	if code := other.gql(t, auditor, `{ verifyAuditChain { ok checked reason } }`, nil, &verified); code != "ok" || !verified.VerifyAuditChain.Ok {
		t.Fatalf("the log after the takeover: %s %+v", code, verified.VerifyAuditChain)
	}

	// The daily scan: both replicas started, one ran it.
	var runs int
	_ = db.SQL.QueryRow("SELECT count(*) FROM job_runs WHERE job = 'monitoring-scan'").Scan(&runs)
	ran := strings.Count(a.logs.String()+b.logs.String(), `"msg":"job ran","job":"monitoring-scan"`)
	if runs != 1 || ran != 1 {
		t.Fatalf("the monitoring scan ran %d times (claims: %d), want once across both replicas", ran, runs)
	}
}

func join(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

func globalID(id int64) string { return gid.Ref(int(id)) }
