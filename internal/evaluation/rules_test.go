package evaluation

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"

	"bangfu/ent"
)

func TestRankIsSHA256OfSeedNULNumber(t *testing.T) {
	// What an outsider computes: printf '%s\0%s' seed number | sha256sum.
	if got, want := Rank("2026-评估", "130627000001"), sha256.Sum256([]byte("2026-评估\x00130627000001")); got != want {
		t.Fatalf("rank %x, want %x", got, want)
	}
}

func TestDraw(t *testing.T) {
	population := make([]string, 50)
	for i := range population {
		population[i] = fmt.Sprintf("5333250%05d", i)
	}
	reversed := slices.Clone(population)
	slices.Reverse(reversed)
	base := Draw("seed-1", population, 5)
	tests := []struct {
		name  string
		seed  string
		pop   []string
		size  int
		check func(t *testing.T, got []string)
	}{
		{"same inputs, same sample", "seed-1", population, 5, func(t *testing.T, got []string) {
			if !slices.Equal(got, base) {
				t.Fatalf("%v, then %v", base, got)
			}
		}},
		{"the population's order does not matter", "seed-1", reversed, 5, func(t *testing.T, got []string) {
			if !slices.Equal(got, base) {
				t.Fatalf("%v, reversed population %v", base, got)
			}
		}},
		{"another seed, another sample", "seed-2", population, 5, func(t *testing.T, got []string) {
			if slices.Equal(got, base) {
				t.Fatalf("seeds 1 and 2 drew the same %v", got)
			}
		}},
		{"a larger size draws more, starting with the same", "seed-1", population, 8, func(t *testing.T, got []string) {
			if len(got) != 8 || !slices.Equal(got[:5], base) {
				t.Fatalf("%v does not extend %v", got, base)
			}
		}},
		{"a size beyond the population takes everyone", "seed-1", population[:3], 10, func(t *testing.T, got []string) {
			if len(got) != 3 || !slices.Equal(sorted(got), population[:3]) {
				t.Fatalf("%v", got)
			}
		}},
		{"an empty population draws nobody", "seed-1", nil, 5, func(t *testing.T, got []string) {
			if len(got) != 0 {
				t.Fatalf("%v", got)
			}
		}},
		{"a new household displaces at most one", "seed-1", append(slices.Clone(population), "533325099999"), 5, func(t *testing.T, got []string) {
			kept := 0
			for _, n := range got {
				if slices.Contains(base, n) {
					kept++
				}
			}
			if kept < 4 {
				t.Fatalf("%v keeps %d of %v", got, kept, base)
			}
		}},
		{"ranks decide: the drawn have the smallest hashes", "seed-1", population, 5, func(t *testing.T, got []string) {
			worst := Rank("seed-1", got[len(got)-1])
			for _, n := range population {
				if !slices.Contains(got, n) {
					if r := Rank("seed-1", n); string(r[:]) < string(worst[:]) {
						t.Fatalf("%s ranks before the drawn %s", n, got[len(got)-1])
					}
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, Draw(tt.seed, tt.pop, tt.size)) })
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestDiscrepant(t *testing.T) {
	tests := []struct {
		name             string
		reported, ledger int64
		shareBP          int
		want             bool
	}{
		{"nothing booked", 0, 0, DefaultDiscrepancyShareBP, false},
		{"reversed to nothing", 0, -100, DefaultDiscrepancyShareBP, false},
		{"as booked", 12_000, 12_000, DefaultDiscrepancyShareBP, false},
		{"more than booked", 20_000, 12_000, DefaultDiscrepancyShareBP, false},
		{"exactly half", 6_000, 12_000, DefaultDiscrepancyShareBP, false},
		{"a fen under half", 5_999, 12_000, DefaultDiscrepancyShareBP, true},
		{"nothing of it", 0, 12_000, DefaultDiscrepancyShareBP, true},
		{"stricter share: 80%", 9_000, 12_000, 8000, true},
		{"stricter share met", 9_600, 12_000, 8000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Discrepant(tt.reported, tt.ledger, tt.shareBP); got != tt.want {
				t.Fatalf("Discrepant(%d, %d, %d) = %v", tt.reported, tt.ledger, tt.shareBP, got)
			}
		})
	}
}

func TestSlackRule(t *testing.T) {
	tests := []struct {
		name      string
		f         Figures
		threshold int
		fall      int    // of purchases, bp
		reason    string // a part of the reason; "" when not slackened
	}{
		{"nothing last year", Figures{0, 500, 0, 0}, 3000, 0, ""},
		{"grew", Figures{1000, 1500, 0, 0}, 3000, -5000, ""},
		{"fell exactly 30%", Figures{1000, 700, 0, 0}, 3000, 3000, ""},
		{"fell 30.1%", Figures{1000, 699, 0, 0}, 3000, 3010, "credited purchases fell 30.10% (1000 fen → 699 fen)"},
		{"stopped", Figures{1000, 0, 0, 0}, 3000, 10000, "credited purchases fell 100.00%"},
		{"funds fell, purchases held", Figures{1000, 1000, 8000, 4000}, 3000, 0, "approved reported funds fell 50.00% (8000 fen → 4000 fen)"},
		{"both fell", Figures{1000, 100, 8000, 4000}, 3000, 9000, "credited purchases fell 90.00% (1000 fen → 100 fen); approved reported funds fell 50.00%"},
		{"a looser threshold", Figures{1000, 600, 0, 0}, 5000, 4000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fall(tt.f.PreviousPurchasesFen, tt.f.CurrentPurchasesFen); got != tt.fall {
				t.Errorf("fall %d bp, want %d", got, tt.fall)
			}
			reason := SlackReason(tt.f, tt.threshold)
			if tt.reason == "" && reason != "" || !strings.Contains(reason, tt.reason) {
				t.Fatalf("reason %q, want %q", reason, tt.reason)
			}
			if tt.reason != "" && !strings.Contains(reason, fmt.Sprintf("beyond the %s threshold", pct(tt.threshold))) {
				t.Fatalf("reason %q does not name the threshold", reason)
			}
		})
	}
}

func TestLowIncomeFinding(t *testing.T) {
	tests := []struct {
		reported, ledger int64
		score            float64
	}{
		{0, 10_000, 1},       // nothing of the 5,000 fen threshold
		{2_500, 10_000, 0.5}, // half of it
		{4_999, 10_000, 0.0002},
	}
	for _, tt := range tests {
		v := &ent.VerificationVisit{ID: 7, BenefitLinkID: 42, Year: 2026, ReportedIncomeFen: tt.reported,
			LedgerIncomeFen: tt.ledger, DiscrepancyShareBp: DefaultDiscrepancyShareBP, Discrepancy: true}
		f := LowIncomeFinding(v, []int{100, 101})
		if f.Code != LowReportedIncome || f.Key() != "BENEFIT_LINK:42@2026" || f.Score != tt.score ||
			!slices.Equal(f.Evidence, []int{7, 100, 101}) || f.Thresholds["thresholdFen"] != int64(5_000) {
			t.Fatalf("reported %d of %d: %+v", tt.reported, tt.ledger, f)
		}
	}
}
