package validate

import (
	"strings"
	"testing"
	"time"
)

func TestCreditCode(t *testing.T) {
	tests := []struct {
		name string
		code string
		ok   bool
	}{
		{"valid published example", "91350100M000100Y43", true},
		{"wrong check character", "91350100M000100Y44", false},
		{"too short", "91350100M000100Y4", false},
		{"forbidden letter I", "91350100I000100Y43", false},
		{"lower case", "91350100m000100Y43", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CreditCode(tt.code)
			if (err == nil) != tt.ok {
				t.Fatalf("CreditCode(%q) = %v, want ok=%v", tt.code, err, tt.ok)
			}
		})
	}
}

func TestCreditCodeCheckCharRoundTrip(t *testing.T) {
	body := "91110000MA01ABCDE"
	c, err := CreditCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := CreditCode(body + string(c)); err != nil {
		t.Fatalf("generated code rejected: %v", err)
	}
}

func TestRegionCode(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"530000", true},
		{"533323", true},
		{"533323101", true},
		{"533323101201", true},
		{"53332", false},
		{"5333231", false},
		{"53332a", false},
		{"000000", false},
	}
	for _, tt := range tests {
		if err := RegionCode(tt.code); (err == nil) != tt.ok {
			t.Errorf("RegionCode(%q) = %v, want ok=%v", tt.code, err, tt.ok)
		}
	}
}

func TestRegionPrefix(t *testing.T) {
	for code, want := range map[string]string{
		"530000": "53", "533300": "5333", "533323": "533323", "110100": "1101",
		"533323101": "533323101", "": "",
	} {
		if got := RegionPrefix(code); got != want {
			t.Errorf("RegionPrefix(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestResidentID(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	body := "99010119800101123"
	check, err := ResidentIDCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	good := body + string(check)
	wrong := body + string("10X98765432"[(strings.IndexByte("10X98765432", check)+1)%11])
	for _, tc := range []struct {
		name, id string
		ok       bool
	}{
		{"valid", good, true},
		{"valid, lower-case x", "11010519491231002x", true}, // the standard's own example
		{"wrong check digit", wrong, false},
		{"17 characters", body, false},
		{"letters", "99010119800101A23X", false},
		{"no such date", "990101198002301234", false},
		{"born in the future", "990101203001011234", false},
	} {
		if err := ResidentID(tc.id, today); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err := ResidentID(tc.id, today); err != nil && strings.Contains(err.Error(), tc.id) {
			t.Errorf("%s: the error repeats the number", tc.name)
		}
	}
}

func TestPhone(t *testing.T) {
	for p, ok := range map[string]bool{"13800001234": true, "+86-871-6512345": true, "1234": false, "138 0000 1234": false, "1+3800": false} {
		if err := Phone(p); (err == nil) != ok {
			t.Errorf("%q: %v", p, err)
		}
	}
}
