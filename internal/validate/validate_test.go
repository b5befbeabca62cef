package validate

import "testing"

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
