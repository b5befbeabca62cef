package httpapi_test

import (
	"testing"
	"time"

	"bangfu/ent/certification"
	"bangfu/ent/membership"
	"bangfu/ent/organization"
	"bangfu/ent/region"
	"bangfu/internal/apitest"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/market"
	"bangfu/internal/validate"
)

// TestSupplierOnboardingProductsAndCertification walks a new cooperative
// from application to a certified product that a buyer orders, then
// revokes the certificate; and expires another by date.
func TestSupplierOnboardingProductsAndCertification(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	tokens := tokensByRole(t, srv)
	c := db.Client
	county := c.Membership.Query().Where(membership.RoleEQ(membership.RoleCERTIFIER)).QueryScopeRegions().OnlyX(sysCtx)
	coop := c.Organization.Create().SetName("新建示范合作社").SetKind(organization.KindCOOPERATIVE).SetRegion(county).SaveX(sysCtx)
	hash, _ := auth.HashPassword("cooperative-password")
	u := c.User.Create().SetEmail("coop@bangfu.example").SetDisplayName("合作社").SetPasswordHash(hash).SaveX(sysCtx)
	c.Membership.Create().SetUser(u).SetRole(membership.RoleSUPPLIER).SetOrganization(coop).ExecX(sysCtx)
	var li struct{ Login struct{ AccessToken string } }
	srv.Anonymous().Do(`mutation { login(email: "coop@bangfu.example", password: "cooperative-password") { accessToken } }`, nil).Must(t, &li)
	coopToken, certifier, buyer := li.Login.AccessToken, tokens["CERTIFIER"], tokens["BUYER"]

	expect := func(token, q string, vars map[string]any, want string) apitest.Response {
		t.Helper()
		r := srv.As(token).Do(q, vars)
		if got := r.Code(); got != want {
			t.Fatalf("%s: got %s, want %s: %s", q, got, want, r.Raw)
		}
		return r
	}
	body, _ := validate.CreditCodeCheckChar("93" + county.Code + "MA0000001")
	code := "93" + county.Code + "MA0000001" + string(body)
	orgID := apitest.GlobalID(t, "Organization", coop.ID)
	const apply = `mutation($org: ID!, $code: String) { applySupplier(organizationId: $org, creditCode: $code, benefitMechanisms: ["WAGE", "BUSINESS"]) { id status } }`
	expect(coopToken, apply, map[string]any{"org": orgID, "code": "91350100M000100Y44"}, "BAD_USER_INPUT")
	expect(tokens["SUPPLIER"], apply, map[string]any{"org": orgID, "code": code}, "FORBIDDEN")
	var applied struct{ ApplySupplier struct{ ID, Status string } }
	expect(coopToken, apply, map[string]any{"org": orgID, "code": code}, "ok").Must(t, &applied)
	expect(coopToken, apply, map[string]any{"org": orgID, "code": code}, "CONFLICT")

	const create = `mutation($in: CreateProductInput!) { createProduct(input: $in) { id status stock stockAdjustments(first: 5) { totalCount } } }`
	newProduct := func(status string) map[string]any {
		return map[string]any{"in": map[string]any{"name": "高山草果", "category": "SPICES_DRIED", "spec": "500g/袋", "unit": "袋",
			"priceFen": 3900, "stock": 20, "originCountyId": apitest.GlobalID(t, "Region", county.ID), "status": status,
			"imageUrls": []string{"https://img.example/caoguo.jpg"}}}
	}
	expect(coopToken, create, newProduct("LISTED"), "CONFLICT") // not approved yet
	var created struct {
		CreateProduct struct {
			ID               string
			Stock            int
			StockAdjustments struct{ TotalCount int }
		}
	}
	expect(coopToken, create, newProduct("DRAFT"), "ok").Must(t, &created)
	if created.CreateProduct.Stock != 20 || created.CreateProduct.StockAdjustments.TotalCount != 1 {
		t.Fatalf("created %+v", created.CreateProduct)
	}
	bad := newProduct("DRAFT")
	bad["in"].(map[string]any)["imageUrls"] = []string{"javascript:alert(1)"}
	expect(coopToken, create, bad, "BAD_USER_INPUT")
	bad = newProduct("DRAFT")
	bad["in"].(map[string]any)["originCountyId"] = apitest.GlobalID(t, "Region", c.Region.Query().Where(region.LevelEQ(region.LevelPROVINCE)).FirstIDX(sysCtx))
	expect(coopToken, create, bad, "BAD_USER_INPUT")

	const decide = `mutation($id: ID!, $d: SupplierDecision!, $r: String) { decideSupplier(id: $id, decision: $d, reason: $r) { status statusReason } }`
	profile := map[string]any{"id": applied.ApplySupplier.ID}
	expect(certifier, decide, map[string]any{"id": applied.ApplySupplier.ID, "d": "REJECT"}, "BAD_USER_INPUT")
	expect(tokens["COORDINATOR"], decide, map[string]any{"id": applied.ApplySupplier.ID, "d": "APPROVE"}, "FORBIDDEN")
	expect(certifier, decide, map[string]any{"id": profile["id"], "d": "SUSPEND", "r": "x"}, "CONFLICT")
	expect(certifier, decide, map[string]any{"id": profile["id"], "d": "RECOMMEND"}, "ok")
	expect(certifier, decide, map[string]any{"id": profile["id"], "d": "APPROVE"}, "ok")

	productVars := map[string]any{"id": created.CreateProduct.ID}
	expect(coopToken, `mutation($id: ID!) { updateProduct(id: $id, input: {status: LISTED, priceFen: 4200}) { status priceFen } }`, productVars, "ok")
	expect(tokens["SUPPLIER"], `mutation($id: ID!) { updateProduct(id: $id, input: {priceFen: 1}) { priceFen } }`, productVars, "FORBIDDEN")
	const adjust = `mutation($id: ID!, $d: Int!) { adjustStock(productId: $id, delta: $d, reason: "盘点") { delta stockAfter } }`
	expect(coopToken, adjust, map[string]any{"id": created.CreateProduct.ID, "d": -25}, "CONFLICT")
	var adj struct{ AdjustStock struct{ StockAfter int } }
	expect(coopToken, adjust, map[string]any{"id": created.CreateProduct.ID, "d": -5}, "ok").Must(t, &adj)
	if adj.AdjustStock.StockAfter != 15 {
		t.Fatalf("stock after adjustment %d", adj.AdjustStock.StockAfter)
	}

	// Certification: apply → review → notice → objection → notice → certify.
	var app struct{ ApplyCertification struct{ ID, Status string } }
	expect(coopToken, `mutation($id: ID!) { applyCertification(productId: $id) { id status } }`, productVars, "ok").Must(t, &app)
	expect(coopToken, `mutation($id: ID!) { applyCertification(productId: $id) { id } }`, productVars, "CONFLICT")
	cert := map[string]any{"id": app.ApplyCertification.ID}
	expect(coopToken, `mutation($id: ID!) { reviewCertification(id: $id) { status } }`, cert, "FORBIDDEN")
	expect(certifier, `mutation($id: ID!) { reviewCertification(id: $id) { status } }`, cert, "ok")
	expect(certifier, `mutation($id: ID!) { publishCertificationNotice(id: $id, days: 3) { status } }`, cert, "BAD_USER_INPUT")
	expect(certifier, `mutation($id: ID!) { publishCertificationNotice(id: $id, days: 5) { status } }`, cert, "ok")
	expect(certifier, `mutation($id: ID!) { certifyProduct(id: $id) { status } }`, cert, "CONFLICT") // notice still running
	expect(certifier, `mutation($id: ID!) { objectToCertification(id: $id, reason: "产地存疑") { status } }`, cert, "ok")
	expect(certifier, `mutation($id: ID!) { publishCertificationNotice(id: $id) { status } }`, cert, "ok")
	certID := apitest.RawID(t, app.ApplyCertification.ID)
	c.Certification.UpdateOneID(certID).SetNoticeEnd(time.Now().Add(-time.Minute)).ExecX(sysCtx) // the notice period passes
	var done struct {
		CertifyProduct struct {
			Status, CertificateNumber string
			ValidUntil                time.Time
		}
	}
	expect(certifier, `mutation($id: ID!) { certifyProduct(id: $id) { status certificateNumber validUntil } }`, cert, "ok").Must(t, &done)
	if done.CertifyProduct.CertificateNumber == "" || done.CertifyProduct.ValidUntil.Before(time.Now().AddDate(1, 11, 0)) {
		t.Fatalf("certified %+v", done.CertifyProduct)
	}
	var shown struct {
		Node struct {
			CertificationStatus string
			CertifiedUntil      *time.Time
		}
	}
	srv.Anonymous().Do(`query($id: ID!) { node(id: $id) { ... on Product { certificationStatus certifiedUntil } } }`, productVars).Must(t, &shown)
	if shown.Node.CertificationStatus != "CERTIFIED" || shown.Node.CertifiedUntil == nil {
		t.Fatalf("catalog shows %+v", shown.Node)
	}

	// A buyer's order now counts the line as certified.
	var order struct {
		PlaceOrder []struct {
			Lines struct {
				Edges []struct {
					Node struct{ CertifiedAtOrder bool }
				}
			}
		}
	}
	srv.As(buyer).Do(`mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { lines(first: 1) { edges { node { certifiedAtOrder } } } } }`, map[string]any{"in": map[string]any{"idempotencyKey": "certified-order-1", "items": []any{map[string]any{"productId": created.CreateProduct.ID, "quantity": 2}}}}).Must(t, &order)
	if !order.PlaceOrder[0].Lines.Edges[0].Node.CertifiedAtOrder {
		t.Error("line of a certified product not marked certified")
	}

	expect(certifier, `mutation($id: ID!) { revokeCertification(id: $id, reason: "抽检不合格") { status } }`, cert, "ok")
	srv.Anonymous().Do(`query($id: ID!) { node(id: $id) { ... on Product { certificationStatus certifiedUntil } } }`, productVars).Must(t, &shown)
	if shown.Node.CertificationStatus != "REVOKED" || shown.Node.CertifiedUntil != nil {
		t.Fatalf("after revocation the catalog shows %+v", shown.Node)
	}

	// Expiry by date.
	other := c.Certification.Query().Where(certification.StatusEQ(certification.StatusCERTIFIED)).FirstX(sysCtx)
	c.Certification.UpdateOne(other).SetValidUntil(time.Now().Add(-time.Hour)).ExecX(sysCtx)
	n, err := market.New(c, clock.Real, 0, nil).ExpireCertifications(sysCtx)
	if err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	if p := c.Product.GetX(sysCtx, other.ProductID); p.CertificationStatus == nil || *p.CertificationStatus != "EXPIRED" || p.CertifiedUntil != nil {
		t.Fatalf("expired product shows %v", p.CertificationStatus)
	}
}
