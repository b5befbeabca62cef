package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/invitation"
	"bangfu/ent/membership"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/internal/accounts"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store/storetest"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// code is an error's stable code, or "" for success.
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "untyped: " + err.Error()
}

// creditCode makes a valid unified social credit code from a serial.
func creditCode(t *testing.T, region string, serial int) string {
	t.Helper()
	body := fmt.Sprintf("93%s%09d", region, serial) // 9 3: a farmers' cooperative
	c, err := validate.CreditCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

type fixture struct {
	svc                      *accounts.Service
	client                   *ent.Client
	sys                      context.Context
	county, province, street *ent.Region
	user                     context.Context // a signed-up person with no roles
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	f := &fixture{svc: accounts.New(db.Client, clock.Real, nil), client: db.Client, sys: sys}
	f.county = db.Client.Region.Query().Where(region.Code("152221")).OnlyX(sys)
	f.province = db.Client.Region.Query().Where(region.Code("150000")).OnlyX(sys)
	f.street = db.Client.Region.Query().Where(region.LevelEQ(region.LevelTOWNSHIP), region.CodeHasPrefix("152221")).FirstX(sys)
	u := db.Client.User.Create().SetEmail("new@example.org").SetDisplayName("新用户").SetPasswordHash("x").SaveX(sys)
	f.user = viewer.NewContext(context.Background(), &viewer.Viewer{UserID: u.ID})
	return f
}

// RegisterOrganization refuses what an official could not verify or what
// would corrupt the parent chain, each with a stable code, and writes
// nothing when it refuses.
func TestRegisterOrganizationRefuses(t *testing.T) {
	t.Parallel()
	f := setup(t)
	taken := creditCode(t, "152221", 1)
	if _, err := f.svc.RegisterOrganization(f.user, accounts.OrganizationInput{Name: "先到合作社", Kind: organization.KindCOOPERATIVE,
		CreditCode: taken, RegionID: f.county.ID}); err != nil {
		t.Fatal(err)
	}
	// Two organizations whose parents point at each other (data that no
	// API call can make, written here to show the walk ends).
	a := f.client.Organization.Create().SetName("甲").SetKind(organization.KindSOE).SetRegionID(f.province.ID).SaveX(f.sys)
	b := f.client.Organization.Create().SetName("乙").SetKind(organization.KindSOE).SetRegionID(f.province.ID).SetParentID(a.ID).SaveX(f.sys)
	f.client.Organization.UpdateOneID(a.ID).SetParentID(b.ID).ExecX(f.sys)
	missing := 1 << 40
	wrongCheck := creditCode(t, "152221", 2)
	wrongCheck = wrongCheck[:17] + map[bool]string{true: "1", false: "2"}[wrongCheck[17] != '1']

	tests := []struct {
		name string
		ctx  context.Context
		in   accounts.OrganizationInput
		want string
	}{
		{"anonymous", context.Background(), accounts.OrganizationInput{Name: "x", Kind: organization.KindCOOPERATIVE, CreditCode: creditCode(t, "152221", 3), RegionID: f.county.ID}, "UNAUTHENTICATED"},
		{"no name", f.user, accounts.OrganizationInput{Name: "  ", Kind: organization.KindCOOPERATIVE, CreditCode: creditCode(t, "152221", 4), RegionID: f.county.ID}, "BAD_USER_INPUT"},
		{"unknown kind", f.user, accounts.OrganizationInput{Name: "x", Kind: "BANK", CreditCode: creditCode(t, "152221", 5), RegionID: f.county.ID}, "BAD_USER_INPUT"},
		{"wrong check character", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindCOOPERATIVE, CreditCode: wrongCheck, RegionID: f.county.ID}, "BAD_USER_INPUT"},
		{"short code", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindCOOPERATIVE, CreditCode: "93152221", RegionID: f.county.ID}, "BAD_USER_INPUT"},
		{"code taken", f.user, accounts.OrganizationInput{Name: "后到合作社", Kind: organization.KindCOOPERATIVE, CreditCode: taken, RegionID: f.county.ID}, "CONFLICT"},
		{"code taken, lower case", f.user, accounts.OrganizationInput{Name: "后到合作社", Kind: organization.KindCOOPERATIVE, CreditCode: " " + strings.ToLower(taken) + " ", RegionID: f.county.ID}, "CONFLICT"},
		{"cooperative in a province", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindCOOPERATIVE, CreditCode: creditCode(t, "152221", 6), RegionID: f.province.ID}, "BAD_USER_INPUT"},
		{"family farm in a province", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindFAMILY_FARM, CreditCode: creditCode(t, "152221", 7), RegionID: f.province.ID}, "BAD_USER_INPUT"},
		{"anything in a township", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindENTERPRISE, CreditCode: creditCode(t, "152221", 8), RegionID: f.street.ID}, "BAD_USER_INPUT"},
		{"no such region", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindENTERPRISE, CreditCode: creditCode(t, "152221", 9), RegionID: missing}, "BAD_USER_INPUT"},
		{"no such parent", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindENTERPRISE, CreditCode: creditCode(t, "152221", 10), RegionID: f.province.ID, ParentID: &missing}, "BAD_USER_INPUT"},
		{"parent chain loops", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindENTERPRISE, CreditCode: creditCode(t, "152221", 11), RegionID: f.province.ID, ParentID: &a.ID}, "BAD_USER_INPUT"},
		{"bad phone", f.user, accounts.OrganizationInput{Name: "x", Kind: organization.KindENTERPRISE, CreditCode: creditCode(t, "152221", 12), RegionID: f.province.ID, ContactPhone: ptr("call me")}, "BAD_USER_INPUT"},
	}
	before := f.client.Organization.Query().CountX(f.sys)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := f.svc.RegisterOrganization(tt.ctx, tt.in)
			if got := code(err); got != tt.want {
				t.Fatalf("got %q (%v, %v), want %s", got, err, o, tt.want)
			}
		})
	}
	if after := f.client.Organization.Query().CountX(f.sys); after != before {
		t.Errorf("refused registrations wrote %d organizations", after-before)
	}
}

// A registration starts PENDING, its registrant its ORG_MANAGER; the
// official's steps follow the workflow, one reasoned, and a repeated
// step is a CONFLICT naming the status.
func TestRegistrationWorkflow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o, err := f.svc.RegisterOrganization(f.user, accounts.OrganizationInput{Name: "新合作社", Kind: organization.KindCOOPERATIVE,
		CreditCode: creditCode(t, "152221", 1), RegionID: f.county.ID, ContactPhone: ptr("0477-1234567")})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != organization.StatusPENDING {
		t.Fatalf("a new registration is %s", o.Status)
	}
	ms := f.client.Membership.Query().Where(membership.OrganizationID(o.ID)).AllX(f.sys)
	if len(ms) != 1 || ms[0].UserID != viewer.FromContext(f.user).UserID || ms[0].Role != membership.RoleORG_MANAGER {
		t.Fatalf("memberships of the new organization: %v", ms)
	}
	if err := accounts.Active(f.sys, f.client, o.ID, "supplier"); code(err) != "CONFLICT" {
		t.Fatalf("a pending organization counts as active: %v", err)
	}
	certifier := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1, Grants: []viewer.Grant{{Role: viewer.Certifier,
		RegionIDs: []int{f.county.ID}, RegionCodes: []string{f.county.Code}}}})
	steps := []struct {
		d      accounts.OrgDecision
		reason string
		want   string
		status organization.Status
	}{
		{accounts.Suspend, "x", "CONFLICT", organization.StatusPENDING},
		{accounts.Reject, "", "BAD_USER_INPUT", organization.StatusPENDING},
		{accounts.Approve, "", "", organization.StatusACTIVE},
		{accounts.Approve, "", "CONFLICT", organization.StatusACTIVE},
		{accounts.Suspend, "", "BAD_USER_INPUT", organization.StatusACTIVE},
		{accounts.Suspend, "账目不清", "", organization.StatusSUSPENDED},
		{accounts.Reinstate, "", "", organization.StatusACTIVE},
		{"DISSOLVE", "", "BAD_USER_INPUT", organization.StatusACTIVE},
	}
	for _, s := range steps {
		_, err := f.svc.DecideOrganization(certifier, o.ID, s.d, s.reason)
		if got := code(err); got != s.want {
			t.Fatalf("%s: got %q (%v), want %q", s.d, got, err, s.want)
		}
		if now := f.client.Organization.GetX(f.sys, o.ID).Status; now != s.status {
			t.Fatalf("after %s the organization is %s, want %s", s.d, now, s.status)
		}
	}
	if err := accounts.Active(f.sys, f.client, o.ID, "supplier"); err != nil {
		t.Fatalf("an approved organization is not active: %v", err)
	}
	if _, err := f.svc.DecideOrganization(certifier, 1<<40, accounts.Approve, ""); code(err) != "NOT_FOUND" {
		t.Fatalf("deciding a missing organization: %v", err)
	}
}

// The 2022 canteen rule: a unit with a canteen reserves at least 10% of
// its food budget; a profile is set once per year and replaced after.
func TestSetBuyerProfile(t *testing.T) {
	t.Parallel()
	f := setup(t)
	org := f.client.Organization.Create().SetName("预算单位").SetKind(organization.KindBUDGET_UNIT).SetRegionID(f.province.ID).
		SetStatus(organization.StatusACTIVE).SaveX(f.sys)
	tests := []struct {
		name string
		in   accounts.BuyerProfileInput
		want string
	}{
		{"below 10%", accounts.BuyerProfileInput{Year: 2026, HasCanteen: true, CanteenFoodBudgetFen: 1e8, ReservedShareBp: 999}, "BAD_USER_INPUT"},
		{"above 100%", accounts.BuyerProfileInput{Year: 2026, HasCanteen: true, CanteenFoodBudgetFen: 1e8, ReservedShareBp: 10_001}, "BAD_USER_INPUT"},
		{"negative budget", accounts.BuyerProfileInput{Year: 2026, HasCanteen: true, CanteenFoodBudgetFen: -1, ReservedShareBp: 1000}, "BAD_USER_INPUT"},
		{"budget without canteen", accounts.BuyerProfileInput{Year: 2026, CanteenFoodBudgetFen: 5}, "BAD_USER_INPUT"},
		{"negative share without canteen", accounts.BuyerProfileInput{Year: 2026, ReservedShareBp: -5}, "BAD_USER_INPUT"},
		{"year", accounts.BuyerProfileInput{Year: 1999, HasCanteen: true, CanteenFoodBudgetFen: 1e8, ReservedShareBp: 1000}, "BAD_USER_INPUT"},
		{"exactly 10%", accounts.BuyerProfileInput{Year: 2026, HasCanteen: true, CanteenFoodBudgetFen: 1e8, ReservedShareBp: 1000}, ""},
		{"replaced", accounts.BuyerProfileInput{Year: 2026, HasCanteen: true, CanteenFoodBudgetFen: 2e8, ReservedShareBp: 1500}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.OrganizationID = org.ID
			_, err := f.svc.SetBuyerProfile(f.sys, tt.in)
			if got := code(err); got != tt.want {
				t.Fatalf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	p := f.client.BuyerProfile.Query().AllX(f.sys)
	var mine []*ent.BuyerProfile
	for _, x := range p {
		if x.OrganizationID == org.ID {
			mine = append(mine, x)
		}
	}
	if len(mine) != 1 || mine[0].CanteenFoodBudgetFen != 2e8 || mine[0].ReservedShareBp != 1500 {
		t.Fatalf("profiles of the unit: %+v", mine)
	}
}

func ptr[T any](v T) *T { return &v }

// An invitation token works once, for its own email, within 7 days; two
// acceptances racing have exactly one winner.
func TestInvitationToken(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	var offset atomic.Int64
	now := func() time.Time { return time.Now().UTC().Add(time.Duration(offset.Load())) }
	svc := accounts.New(db.Client, now, nil)
	prov := db.Client.Region.Query().Where(region.Code("110000")).OnlyX(sys)
	org := db.Client.Organization.Create().SetName("单位").SetKind(organization.KindAGENCY).SetRegionID(prov.ID).
		SetStatus(organization.StatusACTIVE).SaveX(sys)
	person := func(email string) context.Context {
		u := db.Client.User.Create().SetEmail(email).SetDisplayName(email).SetPasswordHash("x").SaveX(sys)
		return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: u.ID})
	}
	manager := person("boss@example.org")
	db.Client.Membership.Create().SetUserID(viewer.FromContext(manager).UserID).SetOrganizationID(org.ID).
		SetRole(membership.RoleORG_MANAGER).ExecX(sys)
	manager = viewer.NewContext(context.Background(), &viewer.Viewer{UserID: viewer.FromContext(manager).UserID,
		Grants: []viewer.Grant{{Role: viewer.OrgManager, OrganizationID: org.ID, OrganizationRegionCode: prov.Code}}})
	invitee, stranger := person("colleague@example.org"), person("stranger@example.org")

	_, token, err := svc.Invite(manager, org.ID, "Colleague@Example.org", invitation.RoleBUYER)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AcceptInvitation(stranger, token); code(err) != "FORBIDDEN" {
		t.Fatalf("another person accepted: %v", err)
	}
	if _, err := svc.AcceptInvitation(context.Background(), token); code(err) != "UNAUTHENTICATED" {
		t.Fatalf("nobody accepted: %v", err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.AcceptInvitation(invitee, token)
			switch code(err) {
			case "":
				wins.Add(1)
			case "BAD_USER_INPUT", "CONFLICT":
			default:
				t.Errorf("a racing acceptance: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d acceptances won, want 1", wins.Load())
	}
	if n := db.Client.Membership.Query().Where(membership.OrganizationID(org.ID), membership.RoleEQ(membership.RoleBUYER)).CountX(sys); n != 1 {
		t.Fatalf("%d BUYER memberships, want 1", n)
	}

	_, late, err := svc.Invite(manager, org.ID, "colleague@example.org", invitation.RoleSUPPLIER)
	if err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(accounts.InvitationTTL + time.Minute))
	if _, err := svc.AcceptInvitation(invitee, late); code(err) != "BAD_USER_INPUT" {
		t.Fatalf("an expired invitation was accepted: %v", err)
	}
	if _, err := svc.AcceptInvitation(invitee, "not-a-token"); code(err) != "BAD_USER_INPUT" {
		t.Fatalf("an unknown token: %v", err)
	}
}
