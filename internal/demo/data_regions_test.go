package demo

import "testing"

func isSixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func TestRegionSeedData(t *testing.T) {
	index := make(map[string]int, len(Regions))
	for i, r := range Regions {
		if _, dup := index[r.Code]; !dup {
			index[r.Code] = i
		}
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"codes are 6 digits", func(t *testing.T) {
			for _, r := range Regions {
				if !isSixDigits(r.Code) {
					t.Errorf("region %q: code %q is not 6 digits", r.Name, r.Code)
				}
			}
		}},
		{"codes are unique", func(t *testing.T) {
			seen := map[string]bool{}
			for _, r := range Regions {
				if seen[r.Code] {
					t.Errorf("duplicate code %q (%s)", r.Code, r.Name)
				}
				seen[r.Code] = true
			}
		}},
		{"parents exist and precede children", func(t *testing.T) {
			for i, r := range Regions {
				if r.Parent == "" {
					continue
				}
				pi, ok := index[r.Parent]
				if !ok {
					t.Errorf("region %s %s: parent %q not found", r.Code, r.Name, r.Parent)
					continue
				}
				if pi >= i {
					t.Errorf("region %s %s: parent %q listed after child", r.Code, r.Name, r.Parent)
				}
			}
		}},
		{"counties have a parent", func(t *testing.T) {
			for _, r := range Regions {
				if r.Level == "COUNTY" && r.Parent == "" {
					t.Errorf("county %s %s has no parent", r.Code, r.Name)
				}
			}
		}},
		{"levels are valid", func(t *testing.T) {
			for _, r := range Regions {
				switch r.Level {
				case "PROVINCE", "CITY", "COUNTY":
				default:
					t.Errorf("region %s %s: invalid level %q", r.Code, r.Name, r.Level)
				}
			}
		}},
		{"sides are valid", func(t *testing.T) {
			for _, r := range Regions {
				switch r.Side {
				case "EAST", "CENTRAL", "WEST":
				default:
					t.Errorf("region %s %s: invalid side %q", r.Code, r.Name, r.Side)
				}
			}
		}},
		{"pairing codes exist", func(t *testing.T) {
			for _, p := range EastWestPairings {
				for _, c := range []string{p.Helper, p.Helped} {
					if _, ok := index[c]; !ok {
						t.Errorf("pairing %+v: code %q not in Regions", p, c)
					}
				}
				if p.From > p.To {
					t.Errorf("pairing %+v: From after To", p)
				}
			}
		}},
		{"designated county codes exist", func(t *testing.T) {
			for _, d := range DesignatedUnits {
				if len(d.Counties) == 0 {
					t.Errorf("unit %s has no counties", d.Unit)
				}
				for _, c := range d.Counties {
					i, ok := index[c]
					if !ok {
						t.Errorf("unit %s: county %q not in Regions", d.Unit, c)
						continue
					}
					if Regions[i].Level != "COUNTY" {
						t.Errorf("unit %s: %q is not a county", d.Unit, c)
					}
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}
