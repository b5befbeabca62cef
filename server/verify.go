package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"bangfu/internal/evidence"
	"bangfu/internal/translog"
)

// logKeyCommand prints a new signing key for the transparency log and its
// public key.
//
//	server log-key [--name bangfu.example.cn/log]
func logKeyCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("log-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", translog.DefaultName, "the log's name: the first line of every checkpoint (a host/path you control)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	skey, vkey, err := translog.GenerateKey(*name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# Keep secret; give the server: \nBANGFU_LOG_KEY=%s\n# Publish; evaluators verify with it:\n%s\n", skey, vkey)
	return nil
}

// verifyCommand is the third-party evaluator's check: nothing in it trusts
// the server beyond the log's public key, obtained out of band.
//
//	server verify --key KEY evidence.json                 check a bundle, recompute its figures
//	server verify --key KEY --url URL --saved cp.txt      check the log still extends a saved checkpoint
//	server verify --key KEY --url URL --save cp.txt       save the current checkpoint (verified) for later
//
// The flags combine: with --saved and a bundle, the bundle's checkpoint
// must extend the saved one too.
func verifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", "", "the log's public key (note verifier key, as GET /log/key prints it), or @file")
	base := fs.String("url", "", "the server's address, e.g. https://bangfu.example.cn (for --saved and --save)")
	saved := fs.String("saved", "", "a checkpoint saved earlier: the log must still extend it")
	save := fs.String("save", "", "write the checked current checkpoint to this file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: server verify --key KEY [--url URL] [--saved FILE] [--save FILE] [evidence.json]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	vkey, err := readArg(*key)
	if err != nil || vkey == "" {
		return errors.New("--key is required: the log's public key, as GET /log/key prints it")
	}
	if fs.NArg() > 1 || fs.NArg() == 0 && *saved == "" && *save == "" {
		fs.Usage()
		return errors.New("give an evidence bundle, or --saved / --save with --url")
	}
	c := logClient{base: strings.TrimRight(*base, "/"), http: &http.Client{Timeout: 30 * time.Second}}
	if (*saved != "" || *save != "") && c.base == "" {
		return errors.New("--saved and --save need --url")
	}

	var bundleHead *translog.Checkpoint
	if fs.NArg() == 1 {
		head, err := checkBundle(fs.Arg(0), vkey, stdout)
		if err != nil {
			return err
		}
		bundleHead = &head
	}
	var current translog.Checkpoint
	if c.base != "" {
		text, err := c.get(ctx, "/log/checkpoint")
		if err != nil {
			return err
		}
		if current, err = translog.OpenCheckpoint(text, vkey); err != nil {
			return fmt.Errorf("the server's checkpoint: %w", err)
		}
		fmt.Fprintf(stdout, "current checkpoint: %d leaves, signed %s\n", current.Size, current.Time.Format(time.RFC3339))
		if bundleHead != nil {
			if err := translog.CheckExtends(*bundleHead, current, c.treeProof(ctx)); err != nil {
				return fmt.Errorf("the bundle's checkpoint and the server's log disagree: %w", err)
			}
			fmt.Fprintln(stdout, "ok: the server's log extends the bundle's checkpoint")
		}
		if *save != "" {
			if err := os.WriteFile(*save, []byte(text), 0o600); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "saved the checkpoint to %s\n", *save)
		}
	}
	if *saved != "" {
		text, err := os.ReadFile(filepath.Clean(*saved))
		if err != nil {
			return err
		}
		old, err := translog.OpenCheckpoint(string(text), vkey)
		if err != nil {
			return fmt.Errorf("the saved checkpoint: %w", err)
		}
		for _, next := range []*translog.Checkpoint{bundleHead, &current} {
			if next == nil {
				continue
			}
			if err := translog.CheckExtends(old, *next, c.treeProof(ctx)); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "ok: nothing of the %d leaves of the saved checkpoint (signed %s) was removed, changed or reordered\n",
			old.Size, old.Time.Format(time.RFC3339))
	}
	return nil
}

// checkBundle checks an evidence bundle and prints its figures.
func checkBundle(path, vkey string, stdout io.Writer) (translog.Checkpoint, error) {
	raw, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return translog.Checkpoint{}, err
	}
	var b evidence.Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		return translog.Checkpoint{}, fmt.Errorf("%s: %w", path, err)
	}
	res, err := evidence.Check(&b, vkey)
	if err != nil {
		return translog.Checkpoint{}, fmt.Errorf("the bundle fails verification: %w", err)
	}
	fmt.Fprintf(stdout, "checkpoint: log %s, %d leaves, signed %s (signature ok)\n",
		res.Checkpoint.Origin, res.Checkpoint.Size, res.Checkpoint.Time.Format(time.RFC3339))
	fmt.Fprintf(stdout, "agreement %s (%s), year %d: %d ledger entries, each proven in the signed log\n",
		b.Agreement, b.DocumentNumber, b.Year, res.Entries)
	names := make([]string, 0, len(b.Claimed))
	for ind := range b.Claimed {
		names = append(names, ind)
	}
	slices.Sort(names)
	for _, ind := range names {
		got := res.Figures[ind]
		verdict := "matches the figure the server reports"
		if got != b.Claimed[ind] {
			verdict = fmt.Sprintf("DOES NOT MATCH the figure the server reports (%s)", yuan(b.Claimed[ind]))
		}
		fmt.Fprintf(stdout, "  %-16s %s  %s\n", ind, yuan(got), verdict)
		m := res.Monthly[ind]
		var months []string
		for i := 1; i <= 12; i++ {
			if m[i] != 0 {
				months = append(months, fmt.Sprintf("%d月 %s", i, yuan(m[i])))
			}
		}
		if len(months) > 0 {
			fmt.Fprintf(stdout, "  %-16s %s\n", "", strings.Join(months, ", "))
		}
	}
	if len(res.Mismatches) > 0 {
		return res.Checkpoint, fmt.Errorf("the ledger does not reproduce the reported figures for %s", strings.Join(res.Mismatches, ", "))
	}
	return res.Checkpoint, nil
}

// yuan writes fen as yuan with two decimals.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, fen/100, fen%100)
}

// readArg reads @file arguments.
func readArg(s string) (string, error) {
	if name, ok := strings.CutPrefix(s, "@"); ok {
		b, err := os.ReadFile(filepath.Clean(name))
		return strings.TrimSpace(string(b)), err
	}
	return strings.TrimSpace(s), nil
}

// logClient reads a server's public log endpoints.
type logClient struct {
	base string
	http *http.Client
}

func (c logClient) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

func (c logClient) treeProof(ctx context.Context) func(from, to int64) (tlog.TreeProof, error) {
	return func(from, to int64) (tlog.TreeProof, error) {
		body, err := c.get(ctx, fmt.Sprintf("/log/proof/tree?from=%d&to=%d", from, to))
		if err != nil {
			return nil, err
		}
		var out struct{ Proof []string }
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			return nil, err
		}
		p := make(tlog.TreeProof, len(out.Proof))
		for i, s := range out.Proof {
			if p[i], err = translog.DecodeHash(s); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
}
