package viewer

import "testing"

func TestCoversRegion(t *testing.T) {
	coordinator := &Viewer{UserID: 1, Grants: []Grant{{Role: Coordinator, RegionCodes: []string{"530000"}}}}
	cityCertifier := &Viewer{UserID: 2, Grants: []Grant{{Role: Certifier, RegionCodes: []string{"533300"}}}}
	countyCertifier := &Viewer{UserID: 3, Grants: []Grant{{Role: Certifier, RegionCodes: []string{"533323"}}}}
	buyer := &Viewer{UserID: 4, Grants: []Grant{{Role: Buyer, OrganizationID: 9, RegionCodes: []string{"530000"}}}}
	villageScope := &Viewer{UserID: 5, Grants: []Grant{{Role: Certifier, RegionCodes: []string{"533323101201"}}}}
	tests := []struct {
		name   string
		v      *Viewer
		county string
		want   bool
	}{
		{"province covers its county", coordinator, "533323", true},
		{"province does not cover another province", coordinator, "520623", false},
		{"city covers its county", cityCertifier, "533325", true},
		{"city does not cover a sibling city's county", cityCertifier, "532926", false},
		{"county covers itself", countyCertifier, "533323", true},
		{"county does not cover its neighbour", countyCertifier, "533324", false},
		{"buyers never get personal data", buyer, "533323", false},
		{"a village scope covers no county", villageScope, "533323", false},
		{"admin covers all", &Viewer{UserID: 6, Grants: []Grant{{Role: Admin}}}, "110101", true},
		{"anonymous covers nothing", &Viewer{}, "533323", false},
		{"empty code", coordinator, "", false},
	}
	for _, tt := range tests {
		if got := tt.v.CoversRegion(tt.county); got != tt.want {
			t.Errorf("%s: CoversRegion(%s) = %v", tt.name, tt.county, got)
		}
	}
}

func TestAnonymousAndSystem(t *testing.T) {
	if FromContext(t.Context()).Authenticated() {
		t.Error("empty context is authenticated")
	}
	s := FromContext(AsSystem(t.Context()))
	if !s.IsSystem() || !s.Authenticated() || !s.CoversRegion("533323") {
		t.Error("system viewer is not all-powerful")
	}
	v := &Viewer{UserID: 1, Grants: []Grant{{Role: Buyer, OrganizationID: 7}, {Role: Supplier, OrganizationID: 8}, {Role: Buyer, OrganizationID: 7}}}
	if got := v.OrgIDs(Buyer); len(got) != 1 || got[0] != 7 {
		t.Errorf("OrgIDs(Buyer) = %v", got)
	}
	if got := v.OrgIDs(Buyer, Supplier); len(got) != 2 {
		t.Errorf("OrgIDs(Buyer, Supplier) = %v", got)
	}
}
