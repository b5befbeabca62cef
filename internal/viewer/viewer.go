// Package viewer describes who is making a request: the signed-in user and
// the roles they hold, each with its organization and scope. Privacy rules
// (ent/schema) and personal-data masking decide from it; nothing here
// touches the database.
package viewer

import (
	"context"
	"slices"
	"strings"

	"bangfu/internal/validate"
)

// Roles, matching ent's membership.Role values.
const (
	Admin       = "ADMIN"
	Coordinator = "COORDINATOR"
	Certifier   = "CERTIFIER"
	Buyer       = "BUYER"
	Supplier    = "SUPPLIER"
	Auditor     = "AUDITOR"
	OrgManager  = "ORG_MANAGER"
	// Evaluator is a third-party evaluator (第三方评估): read-only on
	// figures, it samples and visits households in the counties of its scope.
	Evaluator = "EVALUATOR"
)

// Grant is one role held by the viewer.
type Grant struct {
	Role           string
	OrganizationID int // 0 when the role is not tied to an organization
	// OrganizationRegionCode is the code of the division the organization
	// is registered in (a supplier's county, say).
	OrganizationRegionCode string
	RegionIDs              []int    // scope regions (coordinators, certifiers)
	RegionCodes            []string // their GB/T 2260 codes
	AgreementIDs           []int    // scope agreements (coordinators)
}

// Viewer is the requesting party. The zero value is anonymous. A viewer
// is never changed once built: one signed-in viewer serves that sign-in's
// concurrent requests (auth caches it).
type Viewer struct {
	UserID int
	Grants []Grant
	system bool
	// behalfOf is the person the system acts for (see AsSystem).
	behalfOf int
}

// AsSystem returns ctx acting as the server itself: it passes every
// privacy rule. It is the one way to act as the system, for the server's
// own work (sign-in bookkeeping, audit writing, settlement bookkeeping,
// scheduled jobs, data loads) and for reads whose result the caller may
// see although the rows behind it are not theirs (aggregated progress).
// Keep its uses few and say at each why the system acts.
//
// The person ctx spoke for stays known (Person): the audit trail names
// them for what the server does on their behalf.
func AsSystem(ctx context.Context) context.Context {
	return NewContext(ctx, &Viewer{system: true, behalfOf: FromContext(ctx).Person()})
}

// Person is the person acting: the signed-in user, or the user the system
// acts for; 0 for anonymous callers and for the server's own jobs.
func (v *Viewer) Person() int {
	if v == nil {
		return 0
	}
	if v.system {
		return v.behalfOf
	}
	return v.UserID
}

// IsSystem reports whether v is the server itself.
func (v *Viewer) IsSystem() bool { return v != nil && v.system }

// Authenticated reports whether a user signed in.
func (v *Viewer) Authenticated() bool { return v != nil && (v.UserID != 0 || v.system) }

// Has reports whether the viewer holds any of the roles.
func (v *Viewer) Has(roles ...string) bool {
	if v == nil {
		return false
	}
	for _, g := range v.Grants {
		if slices.Contains(roles, g.Role) {
			return true
		}
	}
	return false
}

// OrgIDs lists the organizations the viewer acts for in any of the roles.
func (v *Viewer) OrgIDs(roles ...string) []int {
	var out []int
	if v == nil {
		return nil
	}
	for _, g := range v.Grants {
		if g.OrganizationID != 0 && slices.Contains(roles, g.Role) && !slices.Contains(out, g.OrganizationID) {
			out = append(out, g.OrganizationID)
		}
	}
	return out
}

// OrgRegionCodes lists the region codes of the organizations the viewer
// acts for in any of the roles.
func (v *Viewer) OrgRegionCodes(roles ...string) []string {
	var out []string
	if v == nil {
		return nil
	}
	for _, g := range v.Grants {
		if g.OrganizationRegionCode != "" && slices.Contains(roles, g.Role) && !slices.Contains(out, g.OrganizationRegionCode) {
			out = append(out, g.OrganizationRegionCode)
		}
	}
	return out
}

// AgreementIDs lists the agreements in the viewer's coordinator scope.
func (v *Viewer) AgreementIDs() []int {
	var out []int
	if v == nil {
		return nil
	}
	for _, g := range v.Grants {
		if g.Role == Coordinator {
			out = append(out, g.AgreementIDs...)
		}
	}
	return out
}

// CoversRegion reports whether the viewer's region scope (as a coordinator
// or certifier) includes the division with the given code (a province,
// city or county code of 6 digits, or a township or village code). A
// province or city scope covers every division below it; GB/T 2260 codes
// nest, so this is a prefix test on the significant digits.
func (v *Viewer) CoversRegion(code string) bool {
	return v.covers(code, Coordinator, Certifier)
}

// CoversRegionAs is CoversRegion for the scope of one role only.
func (v *Viewer) CoversRegionAs(role, code string) bool { return v.covers(code, role) }

func (v *Viewer) covers(countyCode string, roles ...string) bool {
	if v == nil || countyCode == "" {
		return false
	}
	if v.system || v.Has(Admin) {
		return true
	}
	for _, g := range v.Grants {
		if !slices.Contains(roles, g.Role) {
			continue
		}
		for _, code := range g.RegionCodes {
			if strings.HasPrefix(countyCode, significant(code)) {
				return true
			}
		}
	}
	return false
}

// ScopePrefixes lists the significant prefixes of the region scope the
// viewer holds in any of the roles (533323 → 533323, 530000 → 53): a county
// code starting with one of them is covered. Queries filter on them where
// CoversRegionAs decides one row.
func (v *Viewer) ScopePrefixes(roles ...string) []string {
	var out []string
	if v == nil {
		return nil
	}
	for _, g := range v.Grants {
		if !slices.Contains(roles, g.Role) {
			continue
		}
		for _, code := range g.RegionCodes {
			if p := significant(code); p != "\x00" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// significant drops the trailing zero pairs of a 6-digit code: 530000 → 53,
// 533300 → 5333, 533323 → 533323. Longer (township, village) codes are
// narrower than a county and cover none.
func significant(code string) string {
	if len(code) != 6 {
		return "\x00" // matches no county code
	}
	return validate.RegionPrefix(code)
}

type key struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, key{}, v)
}

// FromContext returns the viewer in ctx; anonymous when there is none.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(key{}).(*Viewer)
	if v == nil {
		return &Viewer{}
	}
	return v
}
