package audit

import (
	"testing"
	"time"

	"bangfu/ent/assessment"
)

func TestValue(t *testing.T) {
	good := assessment.GradeGOOD
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		name string
		in   any
		want any
	}{
		{"unset enum pointer", (*assessment.Grade)(nil), nil},
		{"set enum pointer", &good, "GOOD"},
		{"enum", assessment.GradePOOR, "POOR"},
		{"time in UTC, microseconds", at, "2026-03-01T00:00:00.123456Z"},
		{"unset time pointer", (*time.Time)(nil), nil},
		{"number", int64(42), int64(42)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Value("Assessment", "grade", tc.in); got != tc.want {
				t.Fatalf("Value(%#v) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestValueRedactsPersonalData(t *testing.T) {
	if got := Value("HouseholdMember", "id_number", "110101199003070011"); got != Redacted {
		t.Fatalf("an ID number entered the trail as %#v", got)
	}
}
