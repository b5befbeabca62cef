// Package evidence gives a third-party evaluator what it needs to check an
// agreement's marketplace figures without trusting the operator: every
// ledger entry behind them, each with its proof of inclusion in the
// transparency log (internal/translog), and the log's signed head. Build
// makes a bundle on the server; Check verifies one offline, with nothing
// but the log's public key, and recomputes the figures.
package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/logleaf"
	"bangfu/internal/agreements"
	"bangfu/internal/apperr"
	"bangfu/internal/gid"
	"bangfu/internal/scope"
	"bangfu/internal/translog"
	"bangfu/internal/viewer"
)

// Format names the bundle layout.
const Format = "bangfu-evidence/v1"

// Bundle is the evidence behind one agreement's figures for one year.
type Bundle struct {
	Format string `json:"format"`
	// Agreement is the agreement's global ID and document number; Versions
	// are the database ids of its versions, as ledger entries name them.
	Agreement      string `json:"agreement"`
	DocumentNumber string `json:"documentNumber"`
	Versions       []int  `json:"versions"`
	Year           int    `json:"year"`
	// Claimed is what the server's progress reports for each marketplace
	// indicator (fen): the figure the evaluator checks.
	Claimed map[string]int64 `json:"claimed"`
	// Checkpoint is the signed tree head every proof is against.
	Checkpoint string `json:"checkpoint"`
	// Entries are the ledger entries behind the figures.
	Entries []Entry `json:"entries"`
	// Created is when the bundle was made (information only).
	Created time.Time `json:"created"`
}

// Entry is one leaf of the log with its record proof.
type Entry struct {
	Index int64 `json:"index"`
	// Data is the leaf's bytes (translog's ledger_entry encoding).
	Data  string   `json:"data"`
	Proof []string `json:"proof"`
}

// Builder makes bundles.
type Builder struct {
	client     *ent.Client
	log        *translog.Log
	agreements *agreements.Service
}

// New returns a builder.
func New(client *ent.Client, log *translog.Log, a *agreements.Service) *Builder {
	return &Builder{client: client, log: log, agreements: a}
}

// indicators are the figures the ledger makes.
var indicators = []string{"DIRECT_PURCHASE", "HELP_SELL"}

// Build makes the bundle of an agreement's year, for an AUDITOR (or
// ADMIN), or a COORDINATOR whose scope holds the agreement.
func (b *Builder) Build(ctx context.Context, agreementID, year int) (*Bundle, error) {
	if err := b.allowed(ctx, agreementID); err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.BadInput("year must be 2000–2100")
	}
	sys := viewer.AsSystem(ctx) // the figures sum rows the caller may not read one by one
	a, err := b.client.Agreement.Get(sys, agreementID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("agreement %s not found", gid.Ref(agreementID))
	}
	if err != nil {
		return nil, err
	}
	versions, err := b.agreements.Versions(sys, agreementID)
	if err != nil {
		return nil, err
	}
	slices.Sort(versions)
	// A settlement may land between sealing and reading the figures: then
	// the sealed entries and the figure differ, and one more round takes
	// it in.
	var bundle *Bundle
	for range 3 {
		if bundle, err = b.build(ctx, sys, a, versions, year); err != nil || bundle.balanced() {
			return bundle, err
		}
	}
	return bundle, nil // the evaluator sees the difference
}

func (b *Builder) build(ctx, sys context.Context, a *ent.Agreement, versions []int, year int) (*Bundle, error) {
	// Seal what has committed; what is not sealed in time is not in the
	// bundle (it is in the next one).
	if err := b.log.CatchUp(ctx); err != nil {
		return nil, err
	}
	signed, err := b.log.Latest(sys)
	if err != nil {
		return nil, err
	}
	if signed == "" {
		return nil, apperr.Conflict("nothing has been sealed into the log yet")
	}
	head, err := b.log.OpenCheckpoint(signed)
	if err != nil {
		return nil, err
	}
	progress, err := b.agreements.Progress(ctx, a.ID, year)
	if err != nil {
		return nil, err
	}
	bundle := &Bundle{Format: Format, Agreement: gid.Ref(a.ID), DocumentNumber: a.DocumentNumber,
		Versions: versions, Year: year, Checkpoint: signed, Claimed: map[string]int64{}, Created: time.Now().UTC()}
	for _, ind := range indicators {
		bundle.Claimed[ind] = 0
	}
	for _, t := range progress.Targets {
		if slices.Contains(indicators, string(t.Indicator)) {
			bundle.Claimed[string(t.Indicator)] = t.Actual
		}
	}
	credits, err := b.client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.AgreementIDIn(versions...), ledgerentry.Year(year)).Order(ent.Asc(ledgerentry.FieldID)).All(sys)
	if err != nil {
		return nil, err
	}
	leaves, err := b.leafIndexes(sys, credits, head.Size)
	if err != nil {
		return nil, err
	}
	for _, c := range credits {
		index, sealed := leaves[c.ID]
		if !sealed {
			continue // committed after the head: the next bundle has it
		}
		data, err := translog.LedgerLeaf(c)
		if err != nil {
			return nil, err
		}
		proof, err := b.log.ProveRecord(sys, index, head.Size)
		if err != nil {
			return nil, err
		}
		e := Entry{Index: index, Data: string(data)}
		for _, h := range proof {
			e.Proof = append(e.Proof, translog.EncodeHash(h))
		}
		bundle.Entries = append(bundle.Entries, e)
	}
	return bundle, nil
}

// leafIndexes maps ledger entry ids to their leaf index, for leaves in a
// tree of size leaves.
func (b *Builder) leafIndexes(ctx context.Context, credits []*ent.LedgerEntry, size int64) (map[int]int64, error) {
	out := make(map[int]int64, len(credits))
	ids := make([]int, len(credits))
	for i, c := range credits {
		ids[i] = c.ID
	}
	for chunk := range slices.Chunk(ids, 5000) {
		leaves, err := b.client.LogLeaf.Query().Where(logleaf.KindEQ(logleaf.KindLEDGER_ENTRY), logleaf.RefIDIn(chunk...),
			logleaf.IDLT(size)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range leaves {
			out[l.RefID] = l.ID
		}
	}
	return out, nil
}

// balanced reports whether the entries add up to the claimed figures.
func (b *Bundle) balanced() bool {
	sums := map[string]int64{}
	for _, e := range b.Entries {
		var l leaf
		if json.Unmarshal([]byte(strings.TrimPrefix(e.Data, translog.LedgerPrefix)), &l) == nil {
			sums[l.Indicator] += l.Amount
		}
	}
	for ind, want := range b.Claimed {
		if sums[ind] != want {
			return false
		}
	}
	return true
}

// allowed lets auditors and admins have any agreement's evidence, and
// coordinators those of agreements in their scope.
func (b *Builder) allowed(ctx context.Context, agreementID int) error {
	v := viewer.FromContext(ctx)
	switch {
	case !v.Authenticated():
		return apperr.Unauthenticated("sign in to export evidence")
	case v.IsSystem() || v.Has(viewer.Auditor, viewer.Admin):
		return nil
	case v.Has(viewer.Coordinator):
		n, err := b.client.Agreement.Query().Where(agreement.ID(agreementID), scope.Agreements(v.AgreementIDs())).
			Count(viewer.AsSystem(ctx))
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		return apperr.Forbidden("the agreement is outside your scope")
	}
	return apperr.Forbidden("evidence is exported by auditors and by the agreement's coordinators")
}

// leaf is what Check reads of a ledger leaf.
type leaf struct {
	ID          int    `json:"id"`
	Kind        string `json:"kind"`
	Indicator   string `json:"indicator"`
	Amount      int64  `json:"amount"`
	Year        int    `json:"year"`
	Month       int    `json:"month"`
	AgreementID int    `json:"agreement_id"`
}

// Result is what Check found.
type Result struct {
	Checkpoint translog.Checkpoint
	Entries    int
	// Figures are the recomputed figures by indicator, with their monthly
	// series (index 1–12).
	Figures map[string]int64
	Monthly map[string][13]int64
	// Mismatches lists the indicators whose recomputed figure differs
	// from the claimed one.
	Mismatches []string
}

// Check verifies a bundle against the log's public key: the signed head,
// every entry's record proof, that every entry is a credit of the
// agreement's versions in the year, and no entry twice; then recomputes
// the figures and compares them with the claimed ones. An error means the
// bundle cannot be trusted at all; Mismatches that its figures are wrong.
func Check(b *Bundle, vkey string) (*Result, error) {
	if b.Format != Format {
		return nil, fmt.Errorf("not a %s bundle (format %q)", Format, b.Format)
	}
	head, err := translog.OpenCheckpoint(b.Checkpoint, vkey)
	if err != nil {
		return nil, err
	}
	res := &Result{Checkpoint: head, Figures: map[string]int64{}, Monthly: map[string][13]int64{}}
	seen := map[int64]bool{}
	for i, e := range b.Entries {
		if e.Index < 0 || e.Index >= head.Size {
			return nil, fmt.Errorf("entry %d: leaf %d is outside the signed tree of %d leaves", i, e.Index, head.Size)
		}
		if seen[e.Index] {
			return nil, fmt.Errorf("entry %d: leaf %d is in the bundle twice", i, e.Index)
		}
		seen[e.Index] = true
		proof := make(tlog.RecordProof, len(e.Proof))
		for j, s := range e.Proof {
			if proof[j], err = translog.DecodeHash(s); err != nil {
				return nil, fmt.Errorf("entry %d: %w", i, err)
			}
		}
		if err := tlog.CheckRecord(proof, head.Size, head.Root, e.Index, tlog.RecordHash([]byte(e.Data))); err != nil {
			return nil, fmt.Errorf("entry %d (leaf %d) is not in the signed log: %w", i, e.Index, err)
		}
		body, ok := strings.CutPrefix(e.Data, translog.LedgerPrefix)
		if !ok {
			return nil, fmt.Errorf("entry %d (leaf %d) is not a ledger entry", i, e.Index)
		}
		var l leaf
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			return nil, fmt.Errorf("entry %d (leaf %d): %w", i, e.Index, err)
		}
		switch {
		case l.Kind != "ATTRIBUTION_CREDIT":
			return nil, fmt.Errorf("entry %d (leaf %d) is a %s entry, not a credit", i, e.Index, l.Kind)
		case !slices.Contains(b.Versions, l.AgreementID):
			return nil, fmt.Errorf("entry %d (leaf %d) credits agreement %d, not a version of this one", i, e.Index, l.AgreementID)
		case l.Year != b.Year:
			return nil, fmt.Errorf("entry %d (leaf %d) counts toward %d, not %d", i, e.Index, l.Year, b.Year)
		case l.Month < 1 || l.Month > 12:
			return nil, fmt.Errorf("entry %d (leaf %d) has no month", i, e.Index)
		}
		res.Figures[l.Indicator] += l.Amount
		m := res.Monthly[l.Indicator]
		m[l.Month] += l.Amount
		res.Monthly[l.Indicator] = m
		res.Entries++
	}
	names := make([]string, 0, len(b.Claimed))
	for ind := range b.Claimed {
		names = append(names, ind)
	}
	for ind := range res.Figures {
		if _, ok := b.Claimed[ind]; !ok {
			names = append(names, ind)
		}
	}
	slices.Sort(names)
	for _, ind := range names {
		if res.Figures[ind] != b.Claimed[ind] {
			res.Mismatches = append(res.Mismatches, ind)
		}
	}
	return res, nil
}
