package translog

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a tree head: the log's origin (its name), size and root
// hash, and when it was signed. Its text is the C2SP tlog-checkpoint
// layout with one extension line:
//
//	<origin>
//	<size>
//	<base64 root hash>
//	time <RFC 3339 UTC>
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
}

// FormatCheckpoint is a checkpoint's text, before signing.
func FormatCheckpoint(c Checkpoint) string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]),
		c.Time.UTC().Format(time.RFC3339))
}

// ParseCheckpoint reads a checkpoint's text.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, errors.New("checkpoint: want origin, size and root hash lines")
	}
	var c Checkpoint
	c.Origin = lines[0]
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint: bad size %q", lines[1])
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint: bad root hash %q", lines[2])
	}
	copy(c.Root[:], root)
	for _, l := range lines[3:] {
		if v, ok := strings.CutPrefix(l, "time "); ok {
			if c.Time, err = time.Parse(time.RFC3339, v); err != nil {
				return Checkpoint{}, fmt.Errorf("checkpoint: bad time %q", v)
			}
		}
	}
	return c, nil
}

// OpenCheckpoint checks a signed checkpoint (a note) against the log's
// public verifier key and returns what it says.
func OpenCheckpoint(signed, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open([]byte(signed), note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("checkpoint of log %q, not %q", c.Origin, v.Name())
	}
	return c, nil
}

// publicFromPrivate turns a note signer key's parts into its verifier key.
func publicFromPrivate(name, hash, key string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return "", errors.New("log signing key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey)
	return name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...)), nil
}

// CheckExtends checks that the tree of head next extends the tree of an
// older head saved earlier: nothing sealed then was since removed,
// changed or reordered. prove fetches the tree proof (from the log, or
// over HTTP from /log/proof/tree).
func CheckExtends(saved, next Checkpoint, prove func(from, to int64) (tlog.TreeProof, error)) error {
	switch {
	case saved.Origin != next.Origin:
		return fmt.Errorf("the checkpoints are of different logs (%q, %q)", saved.Origin, next.Origin)
	case next.Size < saved.Size:
		return fmt.Errorf("the log was truncated: it holds %d leaves, a checkpoint saved earlier %d", next.Size, saved.Size)
	case next.Size == saved.Size:
		if next.Root != saved.Root {
			return fmt.Errorf("the log was rewritten: two roots for %d leaves", next.Size)
		}
		return nil
	case saved.Size == 0:
		return nil
	}
	p, err := prove(saved.Size, next.Size)
	if err != nil {
		return fmt.Errorf("tree proof %d→%d: %w", saved.Size, next.Size, err)
	}
	if err := tlog.CheckTree(p, next.Size, next.Root, saved.Size, saved.Root); err != nil {
		return fmt.Errorf("the log was rewritten: its %d leaves do not extend the %d of the saved checkpoint (%w)", next.Size, saved.Size, err)
	}
	return nil
}

// CheckKey checks that skey is a note signer key the log can sign with.
func CheckKey(skey string) error {
	if _, err := note.NewSigner(skey); err != nil {
		return err
	}
	_, err := verifierKey(skey)
	return err
}

// EncodeHash writes a tree hash as checkpoints do (standard base64).
func EncodeHash(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// DecodeHash reads a hash EncodeHash wrote.
func DecodeHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}
