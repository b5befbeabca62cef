// Package evaluation holds third-party evaluation (第三方评估, DOMAIN rule
// 14) and the check that exited counties do not slacken (摘帽不摘责任,
// DOMAIN rule 15): reproducible household samples, verification visits
// compared with the ledger, their roll-up and export, and the year-on-year
// assistance check that calls a county to a reminder interview (约谈).
//
// The rules themselves (how a sample is drawn, when a visit is a
// discrepancy, when a county has slackened) are the database-free
// functions of this file; the service applies them.
package evaluation

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
)

// Algorithm names the way samples are drawn; it is stored on each sample so
// that a later change of method never re-interprets an old sample.
const Algorithm = "sha256-rank-v1"

// Sample sizes an evaluator may ask for. A county sample beyond a thousand
// households is a census, not a visit plan.
const (
	MinSampleSize = 1
	MaxSampleSize = 1000
)

// Defaults of the configurable thresholds.
const (
	// DefaultDiscrepancyShareBP: a household that says it received less
	// than half of what the ledger booked to it is a discrepancy. Households
	// answer from memory, and wages or dividends paid in cash are easily
	// under-remembered by a fifth or a third; less than half is more than
	// recall error and suggests the income did not reach the household
	// (a paper benefit link).
	DefaultDiscrepancyShareBP = 5000
	// DefaultSlackFallBP: assistance to an exited county that falls by more
	// than 30% year on year calls for a reminder interview (the share the
	// issue asks for; administrators may set another).
	DefaultSlackFallBP = 3000
)

// Rank is a household's place in the draw for a seed: SHA-256 of the
// seed's UTF-8 bytes, a NUL byte, and the household number (户编号). Anyone
// with the seed and the county's household numbers can redraw a sample
// (printf '%s\0%s' "$seed" "$number" | sha256sum), without the database's
// internal ids.
func Rank(seed, number string) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(seed))
	h.Write([]byte{0})
	h.Write([]byte(number))
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out
}

// Draw returns the size household numbers of the population with the
// smallest ranks for the seed, in rank order; the whole population when it
// is smaller. The result depends only on the seed and the set of numbers,
// not on their order; a household joining the population displaces at
// most one of the drawn ones, so a redraw after a change of the registry
// stays close to the first.
func Draw(seed string, population []string, size int) []string {
	type ranked struct {
		number string
		rank   [sha256.Size]byte
	}
	rs := make([]ranked, 0, len(population))
	for _, n := range population {
		rs = append(rs, ranked{n, Rank(seed, n)})
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := bytes.Compare(a.rank[:], b.rank[:]); c != 0 {
			return c
		}
		return cmpString(a.number, b.number)
	})
	if size > len(rs) {
		size = len(rs)
	}
	out := make([]string, 0, size)
	for _, r := range rs[:size] {
		out = append(out, r.number)
	}
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Discrepant reports whether the income a household reports is far below
// the ledger's: below shareBP basis points of it. Nothing booked, nothing
// to contradict.
func Discrepant(reportedFen, ledgerFen int64, shareBP int) bool {
	return ledgerFen > 0 && reportedFen*10000 < ledgerFen*int64(shareBP)
}

// Fall is how far an assistance figure fell from the previous year, in
// basis points of the previous figure (negative when it grew); 0 when
// there was nothing the previous year.
func Fall(previous, current int64) int {
	if previous <= 0 {
		return 0
	}
	return int((previous - current) * 10000 / previous)
}

// Slackened reports whether a figure fell beyond thresholdBP basis points
// of the previous year's. A county that had no assistance of that kind
// the previous year has nothing to fall from.
func Slackened(previous, current int64, thresholdBP int) bool {
	return previous > 0 && (previous-current)*10000 > previous*int64(thresholdBP)
}

// Figures are what the slack check compares for one exited county.
type Figures struct {
	PreviousPurchasesFen, CurrentPurchasesFen int64
	PreviousFundsFen, CurrentFundsFen         int64
}

// SlackReason says which figures fell beyond the threshold, with the
// figures; empty when none did.
func SlackReason(f Figures, thresholdBP int) string {
	var parts []string
	if Slackened(f.PreviousPurchasesFen, f.CurrentPurchasesFen, thresholdBP) {
		parts = append(parts, fmt.Sprintf("credited purchases fell %s (%d fen → %d fen)",
			pct(Fall(f.PreviousPurchasesFen, f.CurrentPurchasesFen)), f.PreviousPurchasesFen, f.CurrentPurchasesFen))
	}
	if Slackened(f.PreviousFundsFen, f.CurrentFundsFen, thresholdBP) {
		parts = append(parts, fmt.Sprintf("approved reported funds fell %s (%d fen → %d fen)",
			pct(Fall(f.PreviousFundsFen, f.CurrentFundsFen)), f.PreviousFundsFen, f.CurrentFundsFen))
	}
	if len(parts) == 0 {
		return ""
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out += "; " + p
	}
	return fmt.Sprintf("%s, beyond the %s threshold, year on year at the same date", out, pct(thresholdBP))
}

// pct formats basis points as a percentage with two decimals.
func pct(bp int) string { return fmt.Sprintf("%d.%02d%%", bp/100, abs(bp%100)) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
