package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/orderline"
	"bangfu/ent/product"
	"bangfu/internal/apitest"
	"bangfu/internal/evidence"
	"bangfu/internal/store/storetest"
	"bangfu/internal/translog"

	"golang.org/x/mod/sumdb/tlog"
)

// TestEvaluatorWorkflow walks the third-party evaluator's workflow of the
// README through the real handler: fetch the log's key, save a
// checkpoint, export an agreement's evidence, verify it offline and see
// it reproduce the reported figure; then see every kind of tampering
// fail: a changed, dropped or repeated entry, another key, a ledger entry
// edited in the database, and a log truncated and re-signed.
func TestEvaluatorWorkflow(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	sys := storetest.AsSystem()
	dir := t.TempDir()
	auditor := srv.SignIn("auditor@bangfu.example")
	buyer, supplier := srv.SignIn("buyer@bangfu.example"), srv.SignIn("supplier@bangfu.example")

	key := strings.TrimSpace(srv.Anonymous().Send("GET", "/log/key", "", "", nil).Raw)
	verify := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"verify", "--key", key}, args...), nil, &out, &out)
		return out.String(), err
	}
	// The server seals within moments; the test does not wait for its loop.
	seal := func() {
		t.Helper()
		if _, err := srv.Services.Log.SealThrough(sys); err != nil {
			t.Fatal(err)
		}
	}
	seal()
	saved := filepath.Join(dir, "checkpoint.txt")
	if out, err := verify("--url", srv.URL, "--save", saved); err != nil {
		t.Fatalf("saving the checkpoint: %v\n%s", err, out)
	}

	// A counted purchase, settled.
	var supplierOrg int
	for _, m := range db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleSUPPLIER)).WithUser().AllX(sys) {
		if m.Edges.User.Email == "supplier@bangfu.example" {
			supplierOrg = *m.OrganizationID
		}
	}
	prod := db.Client.Product.Query().Where(product.SupplierID(supplierOrg), product.StatusEQ(product.StatusLISTED),
		product.CertificationStatusEQ(product.CertificationStatusCERTIFIED)).FirstX(sys)
	orders := buyer.PlaceOrder(apitest.Cart{Key: "evaluator-0001",
		Items: []apitest.Item{{ProductID: apitest.GlobalID(t, "Product", prod.ID), Quantity: 3}}}).Must(t)
	for _, s := range []struct {
		by   *apitest.Client
		step apitest.Step
	}{{supplier, apitest.Confirm}, {supplier, apitest.Ship}, {supplier, apitest.Deliver}, {buyer, apitest.Accept}, {buyer, apitest.Settle}} {
		s.by.Step(orders[0].ID, s.step).Must(t)
	}
	credit := db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.IndicatorEQ(ledgerentry.IndicatorDIRECT_PURCHASE),
		ledgerentry.HasOrderLineWith(orderline.OrderID(apitest.RawID(t, orders[0].ID)))).FirstX(sys)
	agreementID, year := apitest.GlobalID(t, "Agreement", *credit.AgreementID), credit.Year
	reported := auditor.AgreementProgress(agreementID, year).Must(t).Target("DIRECT_PURCHASE").Actual

	export := func(c *apitest.Client) apitest.Response {
		return c.Send("GET", fmt.Sprintf("/exports/evidence?agreementId=%s&year=%d", agreementID, year), "", "", nil)
	}
	res := export(auditor)
	if res.Status != 200 {
		t.Fatalf("evidence export: %d %s", res.Status, res.Raw)
	}
	var bundle evidence.Bundle
	if err := json.Unmarshal([]byte(res.Raw), &bundle); err != nil {
		t.Fatal(err)
	}
	if bundle.Claimed["DIRECT_PURCHASE"] != reported {
		t.Fatalf("the bundle claims %d, agreementProgress reports %d", bundle.Claimed["DIRECT_PURCHASE"], reported)
	}
	write := func(name string, b evidence.Bundle) string {
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	honest := write("honest.json", bundle)
	out, err := verify(honest)
	if err != nil {
		t.Fatalf("an honest bundle failed: %v\n%s", err, out)
	}
	if want := yuan(reported); !strings.Contains(out, "DIRECT_PURCHASE  "+want+"  matches") {
		t.Fatalf("the verifier did not reproduce %s:\n%s", want, out)
	}
	// The log still extends the checkpoint saved before the purchase, and
	// the bundle's head too.
	if out, err := verify("--url", srv.URL, "--saved", saved, honest); err != nil {
		t.Fatalf("checking against the saved checkpoint: %v\n%s", err, out)
	}

	// Tampered bundles fail.
	inflate := func(data string) string {
		var m map[string]any
		head, body, _ := strings.Cut(data, "\n")
		_ = json.Unmarshal([]byte(body), &m)
		m["amount"] = m["amount"].(float64) * 10
		b, _ := json.Marshal(m)
		return head + "\n" + string(b)
	}
	for _, tc := range []struct {
		name   string
		change func(b *evidence.Bundle)
		want   string
	}{
		{"an inflated entry", func(b *evidence.Bundle) { b.Entries[0].Data = inflate(b.Entries[0].Data) }, "not in the signed log"},
		{"a dropped entry", func(b *evidence.Bundle) { b.Entries = b.Entries[1:] }, "does not reproduce"},
		{"an entry twice", func(b *evidence.Bundle) { b.Entries = append(b.Entries, b.Entries[0]) }, "twice"},
		{"an inflated claim", func(b *evidence.Bundle) { b.Claimed["DIRECT_PURCHASE"] += 100 }, "does not reproduce"},
		{"a forged head", func(b *evidence.Bundle) { b.Checkpoint = strings.Replace(b.Checkpoint, "\n", "\n1", 1) }, "signature"},
	} {
		b := bundle
		b.Entries = append([]evidence.Entry(nil), bundle.Entries...)
		b.Claimed = map[string]int64{}
		for k, v := range bundle.Claimed {
			b.Claimed[k] = v
		}
		tc.change(&b)
		if out, err := verify(write("tampered.json", b)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: verify said %v, want %q\n%s", tc.name, err, tc.want, out)
		}
	}
	_, other, _ := translog.GenerateKey(translog.DefaultName)
	var out2 bytes.Buffer
	if err := run(context.Background(), []string{"verify", "--key", other, honest}, nil, &out2, &out2); err == nil {
		t.Error("a bundle verified against another log's key")
	}

	// Who may export: auditors, coordinators in scope; not buyers.
	if r := export(buyer); r.Status != 403 {
		t.Errorf("a buyer exporting evidence: %d", r.Status)
	}
	if r := export(srv.Anonymous()); r.Status != 401 {
		t.Errorf("an anonymous evidence export: %d", r.Status)
	}

	// A credit edited behind the application's back: the next bundle does
	// not verify.
	if _, err := db.SQL.Exec(rebind(db.Dialect, "UPDATE ledger_entries SET amount = amount + 1000000 WHERE id = ?"), credit.ID); err != nil {
		t.Fatal(err)
	}
	res = export(auditor)
	if err := json.Unmarshal([]byte(res.Raw), &bundle); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(write("edited.json", bundle)); err == nil || !strings.Contains(err.Error(), "not in the signed log") {
		t.Errorf("an edited ledger entry passed: %v\n%s", err, out)
	}

	// Truncation: the newest leaves removed and the head re-signed with the
	// log's own key. A checkpoint saved before the cut catches it.
	seal()
	recent := filepath.Join(dir, "recent.txt")
	if out, err := verify("--url", srv.URL, "--save", recent); err != nil {
		t.Fatalf("saving the checkpoint: %v\n%s", err, out)
	}
	size, err := srv.Services.Log.Size(sys)
	if err != nil {
		t.Fatal(err)
	}
	cut := size - 2
	for _, q := range []string{"DELETE FROM log_leaves WHERE id >= ?", "DELETE FROM log_checkpoints WHERE id >= ?",
		fmt.Sprintf("DELETE FROM log_hashes WHERE id >= %d AND 0 < ?", tlog.StoredHashIndex(0, cut))} {
		if _, err := db.SQL.Exec(rebind(db.Dialect, q), cut); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Services.Log.Resign(sys); err != nil {
		t.Fatal(err)
	}
	if out, err := verify("--url", srv.URL, "--saved", recent); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("a truncated, re-signed log passed against the saved checkpoint: %v\n%s", err, out)
	}
}

func rebind(dialect, q string) string {
	if dialect == "postgres" {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}
