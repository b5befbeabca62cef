package httpapi_test

import (
	"strings"
	"testing"

	"bangfu/ent/membership"
	"bangfu/ent/user"
	"bangfu/internal/apitest"
	"bangfu/internal/demo"
	"bangfu/internal/store/storetest"
)

// TestChangesReachCachedViewers: the server keeps a client's viewer (its
// roles, provided its sign-in is live) between requests (auth's viewer
// cache). Each change to what a viewer is built from must show on the
// very next request all the same; across replicas, TestTwoReplicas.
func TestChangesReachCachedViewers(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	srv, counter := apitest.ServeCounted(t, db)
	viewerLoads := func() (n int) {
		for _, q := range counter.Statements() {
			if strings.Contains(q, "FROM users u") && strings.Contains(q, "LEFT JOIN memberships m") {
				n++
			}
		}
		return n
	}
	admin := srv.SignIn("admin@bangfu.example")
	userID := func(email string) string {
		t.Helper()
		return apitest.GlobalID(t, "User", db.Client.User.Query().Where(user.Email(email)).OnlyIDX(sysCtx))
	}
	const me, auditorOnly = `{ me { id } }`, `{ verifyAuditChain { ok } }`
	// Each step warms the cache with the request before it.
	for _, tc := range []struct {
		name   string
		email  string
		before string // the request, and its code before the change
		was    string
		change func(t *testing.T, refresh string)
		now    string // its code right after
	}{
		{"logout", "coordinator@bangfu.example", me, "ok", func(t *testing.T, refresh string) {
			srv.Anonymous().Do(`mutation($r: String!) { logout(refreshToken: $r) }`, apitest.Vars{"r": refresh}).Must(t, nil)
		}, "UNAUTHENTICATED"},
		{"account disabled", "evaluator@bangfu.example", me, "ok", func(t *testing.T, _ string) {
			admin.Do(`mutation($id: ID!) { setUserStatus(userId: $id, status: DISABLED) { status } }`,
				apitest.Vars{"id": userID("evaluator@bangfu.example")}).Must(t, nil)
		}, "UNAUTHENTICATED"},
		{"role granted", "certifier@bangfu.example", auditorOnly, "FORBIDDEN", func(t *testing.T, _ string) {
			admin.Do(`mutation($i: GrantRoleInput!) { grantRole(input: $i) { id } }`,
				apitest.Vars{"i": map[string]any{"userId": userID("certifier@bangfu.example"), "role": "AUDITOR"}}).Must(t, nil)
		}, "ok"},
		{"role revoked", "auditor@bangfu.example", auditorOnly, "ok", func(t *testing.T, _ string) {
			m := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleAUDITOR),
				membership.HasUserWith(user.Email("auditor@bangfu.example"))).OnlyX(sysCtx)
			admin.Do(`mutation($id: ID!) { revokeRole(membershipId: $id) }`,
				apitest.Vars{"id": apitest.GlobalID(t, "Membership", m.ID)}).Must(t, nil)
		}, "FORBIDDEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var login struct{ Login authPayload }
			srv.Anonymous().Do(loginMutation, apitest.Vars{"e": tc.email, "p": demo.Password}).Must(t, &login)
			as := srv.As(login.Login.AccessToken)
			as.Do(tc.before, nil).WantCode(t, tc.was)
			counter.Reset()
			as.Do(tc.before, nil).WantCode(t, tc.was)
			if n := viewerLoads(); n != 0 {
				t.Fatalf("the viewer was loaded again (%d) instead of cached", n)
			}
			tc.change(t, login.Login.RefreshToken)
			as.Do(tc.before, nil).WantCode(t, tc.now)
		})
	}
}
