package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/agreement"
	"bangfu/ent/benefitlink"
	"bangfu/ent/certification"
	"bangfu/ent/facilitation"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/invitation"
	"bangfu/ent/membership"
	"bangfu/ent/monitoringcase"
	"bangfu/ent/monitoringthreshold"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/region"
	"bangfu/ent/supplierprofile"
	"bangfu/ent/user"
	"bangfu/ent/verificationsample"
	"bangfu/internal/apitest"
	"bangfu/internal/demo"
	"bangfu/internal/integrity"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
)

// tokensByRole signs every demo account in: role → access token ("" for
// ANONYMOUS).
func tokensByRole(t *testing.T, srv *apitest.Server) map[string]string {
	out := map[string]string{}
	for role, c := range srv.Roles() {
		out[role] = c.Token
	}
	return out
}

func denied(role string) string {
	if role == "ANONYMOUS" {
		return "UNAUTHENTICATED"
	}
	return "FORBIDDEN"
}

// TestMutationAuthorizationMatrix runs every mutation as every role and
// anonymous, and checks it is allowed or denied as the matrix says.
func TestMutationAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	tokens := tokensByRole(t, srv)
	sys := storetest.AsSystem()

	adminOnly := map[string]bool{"ADMIN": true}
	everyone := map[string]bool{}
	for _, a := range apitest.Accounts {
		everyone[a.Role] = true
	}
	type mutation struct {
		name    string
		allowed map[string]bool
		run     func(role, token string) apitest.Response
	}
	n := 0
	fresh := func() *ent.User { // a throwaway account per attempt
		n++
		u, err := db.Client.User.Create().SetEmail(fmt.Sprintf("target%d@bangfu.example", n)).SetDisplayName("target").Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	gidOf := func(typ string, id int) string { return apitest.GlobalID(t, typ, id) }
	mutations := []mutation{
		{"login", everyone, func(role, _ string) apitest.Response {
			email := "buyer@bangfu.example"
			for _, a := range apitest.Accounts {
				if a.Role == role && a.Email != "" {
					email = a.Email
				}
			}
			return srv.Anonymous().Do(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { email } } }`, map[string]any{"e": email, "p": demo.Password})
		}},
		{"refreshToken", everyone, func(_, token string) apitest.Response {
			refresh := refreshFor(t, srv, "auditor@bangfu.example")
			return srv.As(token).Do(`mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }`, map[string]any{"r": refresh})
		}},
		{"logout", everyone, func(_, token string) apitest.Response {
			refresh := refreshFor(t, srv, "auditor@bangfu.example")
			return srv.As(token).Do(`mutation($r: String!) { logout(refreshToken: $r) }`, map[string]any{"r": refresh})
		}},
		{"createUser", adminOnly, func(role, token string) apitest.Response {
			n++
			return srv.As(token).Do(`mutation($i: CreateUserInput!) { createUser(input: $i) { id email } }`, map[string]any{"i": map[string]any{"email": fmt.Sprintf("new%d@bangfu.example", n), "displayName": "新用户", "password": "a-long-password"}})
		}},
		{"grantRole", adminOnly, func(role, token string) apitest.Response {
			u := fresh()
			return srv.As(token).Do(`mutation($i: GrantRoleInput!) { grantRole(input: $i) { id role } }`, map[string]any{"i": map[string]any{"userId": gidOf("User", u.ID), "role": "AUDITOR"}})
		}},
		{"revokeRole", adminOnly, func(role, token string) apitest.Response {
			u := fresh()
			m := db.Client.Membership.Create().SetUser(u).SetRole("AUDITOR").SaveX(sys)
			return srv.As(token).Do(`mutation($id: ID!) { revokeRole(membershipId: $id) }`, map[string]any{"id": gidOf("Membership", m.ID)})
		}},
		{"setUserStatus", adminOnly, func(role, token string) apitest.Response {
			u := fresh()
			return srv.As(token).Do(`mutation($id: ID!) { setUserStatus(userId: $id, status: DISABLED) { status } }`, map[string]any{"id": gidOf("User", u.ID)})
		}},
	}
	// Marketplace mutations, each on a fresh order of the demo buyer and
	// supplier in the state the step starts from.
	buyerOrg := orgOf(t, db, "buyer@bangfu.example", membership.RoleBUYER)
	supplierOrg := orgOf(t, db, "supplier@bangfu.example", membership.RoleSUPPLIER)
	prod := db.Client.Product.Query().Where(product.SupplierID(supplierOrg), product.StatusEQ(product.StatusLISTED)).FirstX(sys)
	db.Client.Product.UpdateOne(prod).SetStock(10_000).ExecX(sys)
	orderIn := func(status order.Status) string {
		n++
		create := db.Client.Order.Create().SetBuyerID(buyerOrg).SetSupplierID(supplierOrg).SetStatus(status).
			SetIdempotencyKey(fmt.Sprintf("matrix-%05d", n)).SetTotalFen(prod.PriceFen)
		if status == order.StatusSETTLED {
			create.SetSettledAt(time.Now())
		}
		o := create.SaveX(sys)
		db.Client.OrderLine.Create().SetOrder(o).SetProduct(prod).SetQuantity(1).SetUnitPriceFen(prod.PriceFen).
			SetAmountFen(prod.PriceFen).SetOriginCountyID(prod.OriginCountyID).ExecX(sys)
		return gidOf("Order", o.ID)
	}
	roles := func(rs ...string) map[string]bool {
		m := map[string]bool{}
		for _, r := range rs {
			m[r] = true
		}
		return m
	}
	step := func(name string, from order.Status, allowed map[string]bool, query string) mutation {
		return mutation{name, allowed, func(_, token string) apitest.Response {
			return srv.As(token).Do(query, map[string]any{"id": orderIn(from)})
		}}
	}
	mutations = append(mutations,
		mutation{"placeOrder", roles("BUYER"), func(_, token string) apitest.Response {
			n++
			return srv.As(token).Do(`mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`, map[string]any{"in": map[string]any{
				"idempotencyKey": fmt.Sprintf("matrix-place-%04d", n), "items": []any{item(t, prod, 1)}}})
		}},
		step("confirmOrder", order.StatusPLACED, roles("SUPPLIER", "ADMIN"), `mutation($id: ID!) { confirmOrder(id: $id) { status } }`),
		step("shipOrder", order.StatusCONFIRMED, roles("SUPPLIER", "ADMIN"), `mutation($id: ID!) { shipOrder(id: $id, carrier: "c", trackingNumber: "t") { status } }`),
		step("markDelivered", order.StatusSHIPPED, roles("SUPPLIER", "BUYER", "ADMIN"), `mutation($id: ID!) { markDelivered(id: $id) { status } }`),
		step("acceptOrder", order.StatusDELIVERED, roles("BUYER", "ADMIN"), `mutation($id: ID!) { acceptOrder(id: $id, inspectionRef: "i", invoiceRef: "v") { status } }`),
		step("settleOrder", order.StatusACCEPTED, roles("BUYER", "ADMIN"), `mutation($id: ID!) { settleOrder(id: $id) { status } }`),
		step("cancelOrder", order.StatusPLACED, roles("BUYER", "SUPPLIER", "ADMIN"), `mutation($id: ID!) { cancelOrder(id: $id) { status } }`),
		step("refundOrder", order.StatusSETTLED, roles("SUPPLIER", "ADMIN"), `mutation($id: ID!) { refundOrder(id: $id) { status } }`),
		step("rateOrder", order.StatusACCEPTED, roles("BUYER", "ADMIN"), `mutation($id: ID!) { rateOrder(id: $id, rating: 5) { rating } }`),
	)

	// Catalog mutations: fresh rows in the certifier's county owned by the
	// demo supplier's organization.
	county := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleCERTIFIER)).QueryScopeRegions().OnlyX(sys)
	supplierUser := db.Client.User.Query().Where(user.Email("supplier@bangfu.example")).OnlyX(sys)
	freshProduct := func() *ent.Product {
		return db.Client.Product.Create().SetSupplierID(supplierOrg).SetOriginCounty(county).SetName("矩阵产品").
			SetCategory(product.CategoryOTHER).SetSpec("1件").SetUnit("件").SetPriceFen(100).SetStock(10).SaveX(sys)
	}
	freshOrg := func(withProfile bool) *ent.Organization {
		n++
		o := db.Client.Organization.Create().SetName(fmt.Sprintf("矩阵合作社%d", n)).SetKind(organization.KindCOOPERATIVE).
			SetRegion(county).SetCreditCode(creditCode(t, county.Code, n)).SaveX(sys)
		if withProfile {
			db.Client.SupplierProfile.Create().SetOrganization(o).SetBenefitMechanisms([]string{"WAGE"}).ExecX(sys)
		}
		return o
	}
	byID := func(query string, id func() string) func(string, string) apitest.Response {
		return func(_, token string) apitest.Response { return srv.As(token).Do(query, map[string]any{"id": id()}) }
	}
	productID := func() string { return gidOf("Product", freshProduct().ID) }
	appliedCert := func() string {
		return gidOf("Certification", db.Client.Certification.Create().SetProduct(freshProduct()).SaveX(sys).ID)
	}
	supplierOrAdmin, certifierOrAdmin := roles("SUPPLIER", "ADMIN"), roles("CERTIFIER", "ADMIN")
	mutations = append(mutations,
		mutation{"applySupplier", supplierOrAdmin, func(_, token string) apitest.Response {
			o := freshOrg(false)
			db.Client.Membership.Create().SetUser(supplierUser).SetRole(membership.RoleSUPPLIER).SetOrganization(o).ExecX(sys)
			return srv.As(token).Do(`mutation($id: ID!) { applySupplier(organizationId: $id, benefitMechanisms: ["WAGE"]) { status } }`, map[string]any{"id": gidOf("Organization", o.ID)})
		}},
		mutation{"decideSupplier", certifierOrAdmin, byID(`mutation($id: ID!) { decideSupplier(id: $id, decision: RECOMMEND) { status } }`, func() string {
			return gidOf("SupplierProfile", db.Client.SupplierProfile.Query().Where(supplierprofile.OrganizationID(freshOrg(true).ID)).OnlyIDX(sys))
		})},
		mutation{"createProduct", supplierOrAdmin, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: CreateProductInput!) { createProduct(input: $in) { id } }`, map[string]any{"in": map[string]any{
				"supplierId": gidOf("Organization", supplierOrg), "name": "新品", "category": "OTHER", "spec": "1件", "unit": "件",
				"priceFen": 100, "stock": 1, "originCountyId": gidOf("Region", county.ID)}})
		}},
		mutation{"updateProduct", supplierOrAdmin, byID(`mutation($id: ID!) { updateProduct(id: $id, input: {priceFen: 200}) { priceFen } }`, productID)},
		mutation{"adjustStock", supplierOrAdmin, byID(`mutation($id: ID!) { adjustStock(productId: $id, delta: 5, reason: "补货") { stockAfter } }`, productID)},
		mutation{"applyCertification", supplierOrAdmin, byID(`mutation($id: ID!) { applyCertification(productId: $id) { status } }`, productID)},
		mutation{"reviewCertification", certifierOrAdmin, byID(`mutation($id: ID!) { reviewCertification(id: $id) { status } }`, appliedCert)},
		mutation{"rejectCertification", certifierOrAdmin, byID(`mutation($id: ID!) { rejectCertification(id: $id, reason: "材料不全") { status } }`, appliedCert)},
		mutation{"publishCertificationNotice", certifierOrAdmin, byID(`mutation($id: ID!) { publishCertificationNotice(id: $id) { status } }`, func() string {
			return gidOf("Certification", db.Client.Certification.Create().SetProduct(freshProduct()).SetStatus(certification.StatusUNDER_REVIEW).SaveX(sys).ID)
		})},
		mutation{"objectToCertification", certifierOrAdmin, byID(`mutation($id: ID!) { objectToCertification(id: $id, reason: "异议") { status } }`, func() string {
			return gidOf("Certification", db.Client.Certification.Create().SetProduct(freshProduct()).SetStatus(certification.StatusPUBLIC_NOTICE).SaveX(sys).ID)
		})},
		mutation{"certifyProduct", certifierOrAdmin, byID(`mutation($id: ID!) { certifyProduct(id: $id) { status } }`, func() string {
			return gidOf("Certification", db.Client.Certification.Create().SetProduct(freshProduct()).SetStatus(certification.StatusPUBLIC_NOTICE).
				SetNoticeStart(time.Now().AddDate(0, 0, -8)).SetNoticeEnd(time.Now().AddDate(0, 0, -1)).SaveX(sys).ID)
		})},
		mutation{"revokeCertification", certifierOrAdmin, byID(`mutation($id: ID!) { revokeCertification(id: $id, reason: "撤销") { status } }`, func() string {
			return gidOf("Certification", db.Client.Certification.Create().SetProduct(freshProduct()).SetStatus(certification.StatusCERTIFIED).
				SetValidFrom(time.Now()).SetValidUntil(time.Now().AddDate(2, 0, 0)).SaveX(sys).ID)
		})},
	)

	// Agreement mutations: fresh versions in the demo coordinator's scope
	// (sharing the original of an agreement it coordinates), and one
	// agreement outside it for the cross review.
	scoped := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleCOORDINATOR)).QueryScopeAgreements().FirstX(sys)
	outside := db.Client.Agreement.Query().Where(agreement.StatusEQ(agreement.StatusACTIVE),
		agreement.Not(agreement.HasScopedMemberships()), agreement.OriginalIDIsNil()).FirstX(sys)
	shanghai := db.Client.Region.Query().Where(region.Code("310000")).OnlyX(sys)
	yunnan := db.Client.Region.Query().Where(region.Code("530000")).OnlyX(sys)
	version := func(status agreement.Status, original int) int {
		create := db.Client.Agreement.Create().SetKind(agreement.KindEAST_WEST).SetTitle("矩阵协议").
			SetPeriodStart(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).SetPeriodEnd(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)).
			SetHelpingRegion(shanghai).AddHelpedRegions(yunnan).SetStatus(status).SetOriginalID(original)
		if status != agreement.StatusDRAFT && status != agreement.StatusSIGNED {
			create.SetActivatedAt(time.Now())
		}
		return create.SaveX(sys).ID
	}
	inScope := func(status agreement.Status) string { return gidOf("Agreement", version(status, scoped.ID)) }
	otherUser := fresh()
	coordinatorOrAdmin := roles("COORDINATOR", "ADMIN")
	mutations = append(mutations,
		mutation{"createPairing", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: CreatePairingInput!) { createPairing(input: $in) { id } }`, map[string]any{"in": map[string]any{
				"kind": "EAST_WEST", "helpingRegionId": gidOf("Region", shanghai.ID), "helpedRegionId": gidOf("Region", yunnan.ID), "validFrom": "2021-01-01T00:00:00Z"}})
		}},
		mutation{"endPairing", adminOnly, byID(`mutation($id: ID!) { endPairing(id: $id, validUntil: "2026-01-01T00:00:00Z", reason: "调整") { validUntil } }`, func() string {
			return gidOf("Pairing", db.Client.Pairing.Create().SetKind("EAST_WEST").SetHelpingRegion(shanghai).SetHelpedRegion(yunnan).
				SetValidFrom(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)).SaveX(sys).ID)
		})},
		mutation{"createAgreement", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: CreateAgreementInput!) { createAgreement(input: $in) { id status } }`, map[string]any{"in": map[string]any{
				"kind": "EAST_WEST", "title": "新协议", "periodStart": "2027-01-01T00:00:00Z", "periodEnd": "2027-12-31T00:00:00Z",
				"helpingRegionId": gidOf("Region", shanghai.ID), "helpedRegionIds": []string{gidOf("Region", yunnan.ID)}}})
		}},
		mutation{"setAgreementTarget", coordinatorOrAdmin, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($id: ID!) { setAgreementTarget(agreementId: $id, target: {indicator: DIRECT_PURCHASE, year: 2026, targetValue: 100}) { id } }`, map[string]any{"id": inScope(agreement.StatusDRAFT)})
		}},
		mutation{"signAgreement", coordinatorOrAdmin, byID(`mutation($id: ID!) { signAgreement(id: $id) { status } }`, func() string { return inScope(agreement.StatusDRAFT) })},
		mutation{"activateAgreement", coordinatorOrAdmin, byID(`mutation($id: ID!) { activateAgreement(id: $id) { status } }`, func() string { return inScope(agreement.StatusSIGNED) })},
		mutation{"closeAgreement", coordinatorOrAdmin, byID(`mutation($id: ID!) { closeAgreement(id: $id) { status } }`, func() string { return inScope(agreement.StatusACTIVE) })},
		mutation{"amendAgreement", coordinatorOrAdmin, byID(`mutation($id: ID!) { amendAgreement(id: $id, input: {title: "修订"}) { version } }`, func() string { return inScope(agreement.StatusACTIVE) })},
		mutation{"submitProgressReport", coordinatorOrAdmin, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: SubmitProgressReportInput!) { submitProgressReport(input: $in) { status } }`, map[string]any{"in": map[string]any{
				"agreementId": inScope(agreement.StatusACTIVE), "indicator": "CADRES_TRAINED", "year": 2026, "value": 12, "evidenceRefs": []string{"培训签到表"}}})
		}},
		mutation{"reviewProgressReport", coordinatorOrAdmin, byID(`mutation($id: ID!) { reviewProgressReport(id: $id, approve: true) { status } }`, func() string {
			return gidOf("ProgressReport", db.Client.ProgressReport.Create().SetAgreementID(version(agreement.StatusACTIVE, scoped.ID)).
				SetIndicator("CADRES_TRAINED").SetYear(2026).SetValue(5).SetEvidenceRefs([]string{"x"}).SetSubmittedBy(otherUser).SaveX(sys).ID)
		})},
		mutation{"submitSelfAssessment", roles("COORDINATOR"), func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($id: ID!) { submitSelfAssessment(agreementId: $id, year: 2026, report: "自评") { status } }`, map[string]any{"id": inScope(agreement.StatusACTIVE)})
		}},
		mutation{"crossReviewAssessment", coordinatorOrAdmin, byID(`mutation($id: ID!) { crossReviewAssessment(id: $id, review: "交叉考核意见") { status } }`, func() string {
			return gidOf("Assessment", db.Client.Assessment.Create().SetAgreementID(version(agreement.StatusACTIVE, outside.ID)).
				SetYear(2026).SetSelfReport("自评").SaveX(sys).ID)
		})},
		mutation{"gradeAssessment", adminOnly, byID(`mutation($id: ID!) { gradeAssessment(id: $id, grade: GOOD, comment: "较好") { grade } }`, func() string {
			return gidOf("Assessment", db.Client.Assessment.Create().SetAgreementID(version(agreement.StatusACTIVE, outside.ID)).
				SetYear(2026).SetSelfReport("自评").SetCrossReview("意见").SetStatus("CROSS_REVIEWED").SaveX(sys).ID)
		})},
		mutation{"recomputeAttribution", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation { recomputeAttribution { consistent } }`, nil)
		}},
	)

	// Incentive and monitoring mutations: households in the certifier's
	// county; the coordinator (scope: Yunnan) may act only if it is there.
	village := db.Client.Region.Query().Where(region.LevelEQ(region.LevelVILLAGE), region.CodeHasPrefix(county.Code)).FirstX(sys)
	freshCase := func(status monitoringcase.Status) int {
		n++
		h := db.Client.Household.Create().SetNumber(fmt.Sprintf("MATRIX%06d", n)).SetVillage(village).
			SetMainCause(household.MainCauseILLNESS).SaveX(sys)
		if status == "" {
			return h.ID
		}
		return db.Client.MonitoringCase.Create().SetHousehold(h).SetType(monitoringcase.TypeMARGINAL).SetStatus(status).
			SetIdentificationDue(time.Now().AddDate(0, 1, 0)).SaveX(sys).ID
	}
	officials := roles("CERTIFIER", "ADMIN")
	if strings.HasPrefix(county.Code, "53") {
		officials["COORDINATOR"] = true
	}
	rule := map[string]any{"name": "矩阵规则", "pointsPerYuanMilli": 1000, "effectiveFrom": time.Now().Add(time.Hour).Format(time.RFC3339)}
	mutations = append(mutations,
		mutation{"createIncentiveRule", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: IncentiveRuleInput!) { createIncentiveRule(input: $in) { id } }`, map[string]any{"in": rule})
		}},
		mutation{"reviseIncentiveRule", adminOnly, func(_, token string) apitest.Response {
			r := db.Client.IncentiveRule.Create().SetName("矩阵旧规则").SetPointsPerYuanMilli(500).SetEffectiveFrom(time.Now()).SaveX(sys)
			revised := map[string]any{"name": "矩阵新规则", "pointsPerYuanMilli": 800, "effectiveFrom": time.Now().Add(time.Hour).Format(time.RFC3339)}
			return srv.As(token).Do(`mutation($id: ID!, $in: IncentiveRuleInput!) { reviseIncentiveRule(id: $id, input: $in) { id } }`, map[string]any{"id": gidOf("IncentiveRule", r.ID), "in": revised})
		}},
		mutation{"setMonitoringThreshold", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($id: ID!) { setMonitoringThreshold(provinceId: $id, year: 2027, perCapitaIncomeFen: 900000) { perCapitaIncomeFen } }`, map[string]any{"id": gidOf("Region", yunnan.ID)})
		}},
		mutation{"applyForMonitoring", officials, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: ApplyForMonitoringInput!) { applyForMonitoring(input: $in) { status } }`, map[string]any{"in": map[string]any{"householdId": gidOf("Household", freshCase("")), "type": "SUDDEN_HARDSHIP", "riskFlags": []string{"ILLNESS"}}})
		}},
		mutation{"moveMonitoringCase", officials, byID(`mutation($id: ID!) { moveMonitoringCase(id: $id, step: VISIT) { status } }`, func() string {
			return gidOf("MonitoringCase", freshCase(monitoringcase.StatusDETECTED))
		})},
		mutation{"runMonitoringScan", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation { runMonitoringScan(year: 2030) { householdsScanned } }`, nil)
		}},
	)

	// Household registry and benefit links: fresh households in the
	// certifier's county; links of supplier@'s cooperative, which is there.
	freshHousehold := func() *ent.Household {
		return db.Client.Household.GetX(sys, freshCase(""))
	}
	hhRef := func() string { return gidOf("Household", freshCase("")) }
	memberRef := func() string {
		m := db.Client.HouseholdMember.Create().SetHousehold(freshHousehold()).SetName("矩阵成员").
			SetRelation(householdmember.RelationCHILD).SetAgeBand(householdmember.AgeBandUNDER_16).SaveX(sys)
		return gidOf("HouseholdMember", m.ID)
	}
	if !db.Client.MonitoringThreshold.Query().Where(monitoringthreshold.ProvinceID(provinceOf(t, db, county)), monitoringthreshold.Year(2026)).ExistX(sys) {
		t.Fatal("the demo has no 2026 income line for the certifier's province")
	}
	yes := true
	freshLink := func(status benefitlink.Status) string {
		l := db.Client.BenefitLink.Create().SetSupplierID(supplierOrg).SetHousehold(freshHousehold()).
			SetMechanism(benefitlink.MechanismWAGE).SetShareBp(1).SetValidFrom(time.Now()).SetStatus(status).
			SetEvidence([]string{"劳务合同"}).SaveX(sys)
		return gidOf("BenefitLink", l.ID)
	}
	mutations = append(mutations,
		mutation{"createHousehold", officials, func(_, token string) apitest.Response {
			n++
			return srv.As(token).Do(`mutation($in: HouseholdInput!) { createHousehold(input: $in) { id } }`, map[string]any{"in": map[string]any{
				"number": fmt.Sprintf("%s%06d", village.Code, n), "villageId": gidOf("Region", village.ID), "mainCause": "ILLNESS"}})
		}},
		mutation{"updateHousehold", officials, byID(`mutation($id: ID!) { updateHousehold(id: $id, input: {mainCause: DISABILITY}) { mainCause } }`, hhRef)},
		mutation{"addHouseholdMember", officials, byID(`mutation($id: ID!) { addHouseholdMember(householdId: $id, input: {name: "新成员", relation: CHILD}) { id } }`, hhRef)},
		mutation{"updateHouseholdMember", officials, byID(`mutation($id: ID!) { updateHouseholdMember(id: $id, input: {health: HEALTHY}) { id } }`, memberRef)},
		mutation{"removeHouseholdMember", officials, byID(`mutation($id: ID!) { removeHouseholdMember(id: $id, reason: "分户") { id } }`, memberRef)},
		mutation{"recordAnnualIncome", officials, byID(`mutation($id: ID!) { recordAnnualIncome(input: {householdId: $id, year: 2026, perCapitaNetIncomeFen: 990000}) { year } }`, hhRef)},
		mutation{"exitHousehold", officials, byID(`mutation($id: ID!) { exitHousehold(id: $id, year: 2026) { status } }`, func() string {
			h := freshHousehold()
			db.Client.AnnualIncome.Create().SetHousehold(h).SetYear(2026).SetPerCapitaNetIncomeFen(990_000).
				SetFoodClothingOk(yes).SetSchoolingOk(yes).SetMedicalOk(yes).SetHousingOk(yes).ExecX(sys)
			return gidOf("Household", h.ID)
		})},
		mutation{"proposeBenefitLink", supplierOrAdmin, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: ProposeBenefitLinkInput!) { proposeBenefitLink(input: $in) { status } }`, map[string]any{"in": map[string]any{
				"supplierId": gidOf("Organization", supplierOrg), "householdId": hhRef(), "mechanism": "WAGE", "shareBp": 1,
				"validFrom": time.Now().Format(time.RFC3339), "evidence": []string{"劳务合同"}}})
		}},
		mutation{"decideBenefitLink", certifierOrAdmin, byID(`mutation($id: ID!) { decideBenefitLink(id: $id, decision: APPROVE) { status } }`, func() string {
			return freshLink(benefitlink.StatusPROPOSED)
		})},
		mutation{"endBenefitLink", roles("SUPPLIER", "CERTIFIER", "ADMIN"), byID(`mutation($id: ID!) { endBenefitLink(id: $id, reason: "合同到期") { status } }`, func() string {
			return freshLink(benefitlink.StatusAPPROVED)
		})},
	)

	// Registry: organizations, members, buyer profiles and facilitations.
	// manager@ manages buyer@'s organization. These come last: accepting
	// an invitation and registering an organization give every role a
	// membership, which must not change what the steps above see.
	beijing := db.Client.Organization.GetX(sys, buyerOrg).QueryRegion().OnlyX(sys)
	freshEastern := func(kind organization.Kind) *ent.Organization {
		n++
		return db.Client.Organization.Create().SetName(fmt.Sprintf("矩阵单位%d", n)).SetKind(kind).SetRegion(beijing).
			SetCreditCode(creditCode(t, beijing.Code, n)).SaveX(sys)
	}
	facilitationOf := func(status facilitation.Status) string {
		helper := freshEastern(organization.KindSOCIAL_ORG)
		f := db.Client.Facilitation.Create().SetFacilitator(helper).SetBuyerID(buyerOrg).SetProposedByOrgID(helper.ID).
			SetValidFrom(time.Now()).SetStatus(status).SaveX(sys)
		return gidOf("Facilitation", f.ID)
	}
	managerOrAdmin, buyerSide := roles("ORG_MANAGER", "ADMIN"), roles("ORG_MANAGER", "BUYER", "ADMIN")
	signedIn := map[string]bool{}
	for r := range everyone {
		signedIn[r] = r != "ANONYMOUS"
	}
	emailOf := map[string]string{}
	for _, a := range apitest.Accounts {
		emailOf[a.Role] = a.Email
	}
	adminCtx := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: db.Client.User.Query().
		Where(user.Email("admin@bangfu.example")).OnlyIDX(sys), Grants: []viewer.Grant{{Role: viewer.Admin}}})
	mutations = append(mutations,
		mutation{"signUp", everyone, func(_, token string) apitest.Response {
			n++
			return srv.As(token).Do(`mutation($e: String!) { signUp(email: $e, password: "a-long-password", displayName: "新人") }`, map[string]any{"e": fmt.Sprintf("signup%d@bangfu.example", n)})
		}},
		mutation{"decideOrganization", certifierOrAdmin, byID(`mutation($id: ID!) { decideOrganization(id: $id, decision: APPROVE) { status } }`, func() string {
			n++
			o := db.Client.Organization.Create().SetName(fmt.Sprintf("矩阵申请社%d", n)).SetKind(organization.KindCOOPERATIVE).
				SetRegion(county).SetCreditCode(creditCode(t, county.Code, n)).SetStatus(organization.StatusPENDING).SaveX(sys)
			return gidOf("Organization", o.ID)
		})},
		mutation{"inviteMember", managerOrAdmin, func(_, token string) apitest.Response {
			n++
			return srv.As(token).Do(`mutation($id: ID!, $e: String!) { inviteMember(organizationId: $id, email: $e, role: BUYER) { token } }`,
				map[string]any{"id": gidOf("Organization", buyerOrg), "e": fmt.Sprintf("invitee%d@bangfu.example", n)})
		}},
		mutation{"revokeInvitation", managerOrAdmin, byID(`mutation($id: ID!) { revokeInvitation(id: $id) { revokedAt } }`, func() string {
			n++
			inv, _, err := srv.Services.Accounts.Invite(adminCtx, buyerOrg, fmt.Sprintf("revoked%d@bangfu.example", n), invitation.RoleBUYER)
			if err != nil {
				t.Fatal(err)
			}
			return gidOf("Invitation", inv.ID)
		})},
		mutation{"removeMember", managerOrAdmin, byID(`mutation($id: ID!) { removeMember(membershipId: $id) }`, func() string {
			m := db.Client.Membership.Create().SetUser(fresh()).SetRole(membership.RoleBUYER).SetOrganizationID(buyerOrg).SaveX(sys)
			return gidOf("Membership", m.ID)
		})},
		mutation{"setBuyerProfile", managerOrAdmin, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($id: ID!) { setBuyerProfile(input: {organizationId: $id, year: 2027, hasCanteen: true, canteenFoodBudgetFen: 100000000, reservedShareBp: 1500}) { year } }`,
				map[string]any{"id": gidOf("Organization", buyerOrg)})
		}},
		mutation{"proposeFacilitation", buyerSide, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation($in: ProposeFacilitationInput!) { proposeFacilitation(input: $in) { status } }`, map[string]any{"in": map[string]any{
				"facilitatorId": gidOf("Organization", freshEastern(organization.KindSOCIAL_ORG).ID), "buyerId": gidOf("Organization", buyerOrg),
				"validFrom": time.Now().Format(time.RFC3339)}})
		}},
		mutation{"acceptFacilitation", buyerSide, byID(`mutation($id: ID!) { acceptFacilitation(id: $id) { status } }`, func() string {
			return facilitationOf(facilitation.StatusPROPOSED)
		})},
		mutation{"endFacilitation", buyerSide, byID(`mutation($id: ID!) { endFacilitation(id: $id) { status } }`, func() string {
			return facilitationOf(facilitation.StatusACCEPTED)
		})},
		mutation{"registerOrganization", signedIn, func(_, token string) apitest.Response {
			n++
			return srv.As(token).Do(`mutation($in: RegisterOrganizationInput!) { registerOrganization(input: $in) { status } }`, map[string]any{"in": map[string]any{
				"name": fmt.Sprintf("矩阵新社%d", n), "kind": "COOPERATIVE", "creditCode": creditCode(t, county.Code, n), "regionId": gidOf("Region", county.ID)}})
		}},
		mutation{"acceptInvitation", signedIn, func(role, token string) apitest.Response {
			email := emailOf[role]
			if email == "" {
				email = "nobody@bangfu.example"
			}
			_, secret, err := srv.Services.Accounts.Invite(adminCtx, freshEastern(organization.KindAGENCY).ID, email, invitation.RoleBUYER)
			if err != nil {
				t.Fatal(err)
			}
			return srv.As(token).Do(`mutation($t: String!) { acceptInvitation(token: $t) { role } }`, map[string]any{"t": secret})
		}},
	)

	// Integrity flags: auditors review (ADMIN too); admins scan and set
	// the indicators.
	freshFlag := func() string {
		n++
		f, _, err := integrity.Raise(sys, db.Client, integrity.Finding{Code: integrity.RoundTrip, SubjectType: integrity.SubjectOrganization,
			Subjects: []int{buyerOrg}, Period: fmt.Sprintf("matrix %d", n), Summary: "matrix"})
		if err != nil {
			t.Fatal(err)
		}
		return gidOf("Flag", f.ID)
	}
	mutations = append(mutations,
		mutation{"reviewFlag", roles("AUDITOR", "ADMIN"), byID(`mutation($id: ID!) { reviewFlag(id: $id, decision: DISMISS, reason: "checked") { status } }`, freshFlag)},
		mutation{"runIntegrityScan", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation { runIntegrityScan { raised } }`, nil)
		}},
		mutation{"setIntegrityIndicator", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation { setIntegrityIndicator(input: {code: "CONCENTRATION", params: [{name: "share", value: 0.6}]}) { code } }`, nil)
		}},
	)

	// Third-party evaluation: the demo evaluator's county; a fresh sample
	// (and a link of its household) or a fresh slack case per attempt.
	evalCounty := db.Client.Membership.Query().Where(membership.RoleEQ(membership.RoleEVALUATOR)).QueryScopeRegions().FirstX(sys)
	freshSample := func() (sample, link string) {
		n++
		smp, err := srv.Services.Evaluation.DrawSample(sys, evalCounty.ID, 2026, 1, fmt.Sprintf("matrix-%d", n))
		if err != nil {
			t.Fatal(err)
		}
		h := db.Client.VerificationSample.Query().Where(verificationsample.ID(smp.ID)).QueryHouseholds().OnlyX(sys)
		l := db.Client.BenefitLink.Query().Where(benefitlink.HouseholdID(h.ID), benefitlink.StatusEQ(benefitlink.StatusAPPROVED)).FirstX(sys)
		return gidOf("VerificationSample", smp.ID), gidOf("BenefitLink", l.ID)
	}
	slackCounty := db.Client.Region.Query().Where(region.Code(demo.SlackCounty)).OnlyX(sys)
	mutations = append(mutations,
		mutation{"drawVerificationSample", roles("EVALUATOR", "ADMIN"), func(_, token string) apitest.Response {
			n++
			return srv.As(token).Do(`mutation($c: ID!, $s: String!) { drawVerificationSample(countyId: $c, year: 2026, size: 3, seed: $s) { id } }`,
				map[string]any{"c": gidOf("Region", evalCounty.ID), "s": fmt.Sprintf("matrix-draw-%d", n)})
		}},
		mutation{"recordVerificationVisit", roles("EVALUATOR", "ADMIN"), func(_, token string) apitest.Response {
			sample, link := freshSample()
			return srv.As(token).Do(`mutation($i: VerificationVisitInput!) { recordVerificationVisit(input: $i) { id } }`,
				map[string]any{"i": map[string]any{"sampleId": sample, "benefitLinkId": link, "knowsSupplier": true,
					"confirmsMechanism": true, "reportedIncomeFen": 100, "satisfaction": 4}})
		}},
		mutation{"runExitSlackCheck", adminOnly, func(_, token string) apitest.Response {
			return srv.As(token).Do(`mutation { runExitSlackCheck { year } }`, nil)
		}},
		mutation{"recordReminderInterview", roles("COORDINATOR", "ADMIN"), byID(`mutation($id: ID!) {
			recordReminderInterview(caseId: $id, interviewedAt: "2026-06-01T00:00:00Z", outcome: "已约谈") { status } }`, func() string {
			n++
			c := db.Client.ExitSlackCase.Create().SetCountyID(slackCounty.ID).SetCountyCode(slackCounty.Code).SetYear(3000 + n).
				SetAsOf(time.Now()).SetPreviousPurchasesFen(100).SetCurrentPurchasesFen(10).SetPreviousFundsFen(0).
				SetCurrentFundsFen(0).SetThresholdBp(3000).SetReason("matrix").SaveX(sys)
			return gidOf("ExitSlackCase", c.ID)
		})},
	)

	// Every mutation in the schema is in the matrix.
	var schema struct {
		Schema struct {
			MutationType struct{ Fields []struct{ Name string } }
		} `json:"__schema"`
	}
	srv.Anonymous().Do(`{ __schema { mutationType { fields { name } } } }`, nil).Must(t, &schema)
	for _, f := range schema.Schema.MutationType.Fields {
		if !slices.ContainsFunc(mutations, func(m mutation) bool { return m.name == f.Name }) {
			t.Errorf("mutation %s is missing from the authorization matrix", f.Name)
		}
	}

	for _, m := range mutations {
		for _, a := range apitest.Accounts {
			t.Run(m.name+"/"+a.Role, func(t *testing.T) {
				got := m.run(a.Role, tokens[a.Role]).Code()
				if m.allowed[a.Role] {
					if got != "ok" {
						t.Errorf("%s as %s: %s, want ok", m.name, a.Role, got)
					}
					return
				}
				// Denied: FORBIDDEN, or NOT_FOUND where the row is invisible
				// to the role; UNAUTHENTICATED for anonymous callers.
				if got != denied(a.Role) && (a.Role == "ANONYMOUS" || got != "NOT_FOUND") {
					t.Errorf("%s as %s: %s, want %s", m.name, a.Role, got, denied(a.Role))
				}
			})
		}
	}
}

func refreshFor(t *testing.T, srv *apitest.Server, email string) string {
	var data struct{ Login struct{ RefreshToken string } }
	srv.Anonymous().Do(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { refreshToken } }`, map[string]any{"e": email, "p": demo.Password}).Must(t, &data)
	return data.Login.RefreshToken
}

// TestReadAccess checks row-level visibility per role: each sees exactly
// what the matrix allows, and cross-organization rows never leak.
func TestReadAccess(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	tokens := tokensByRole(t, srv)
	sys := storetest.AsSystem()
	totalOrders := db.Client.Order.Query().CountX(sys)
	totalHouseholds := db.Client.Household.Query().CountX(sys)

	count := func(role, field string) (int, string) {
		r := srv.As(tokens[role]).Do(fmt.Sprintf(`{ %s(first: 1) { totalCount } }`, field), nil)
		if len(r.Errors) > 0 {
			return 0, r.Code()
		}
		var data map[string]struct{ TotalCount int }
		r.Must(t, &data)
		return data[field].TotalCount, "ok"
	}
	tests := []struct {
		field, role string
		want        string // "all", "some", "one", or an error code
	}{
		{"products", "ANONYMOUS", "all"}, {"regions", "ANONYMOUS", "all"}, {"agreements", "ANONYMOUS", "all"},
		{"orders", "ANONYMOUS", "UNAUTHENTICATED"}, {"orders", "BUYER", "some"}, {"orders", "SUPPLIER", "some"},
		{"orders", "COORDINATOR", "all"}, {"orders", "AUDITOR", "all"}, {"orders", "ADMIN", "all"},
		{"households", "ANONYMOUS", "UNAUTHENTICATED"}, {"households", "BUYER", "FORBIDDEN"},
		{"households", "SUPPLIER", "some"}, {"households", "CERTIFIER", "all"}, {"households", "AUDITOR", "all"},
		{"auditEvents", "ANONYMOUS", "UNAUTHENTICATED"}, {"auditEvents", "BUYER", "FORBIDDEN"}, {"auditEvents", "COORDINATOR", "FORBIDDEN"},
		{"auditEvents", "AUDITOR", "some"}, {"auditEvents", "ADMIN", "some"},
	}
	totals := map[string]int{"orders": totalOrders, "households": totalHouseholds}
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.role, func(t *testing.T) {
			n, code := count(tt.role, tt.field)
			switch tt.want {
			case "all":
				if code != "ok" || n == 0 || (totals[tt.field] != 0 && n != totals[tt.field]) {
					t.Errorf("got %d (%s), want all %d", n, code, totals[tt.field])
				}
			case "some":
				if code != "ok" || n == 0 || (totals[tt.field] != 0 && n >= totals[tt.field]) {
					t.Errorf("got %d (%s), want a strict subset of %d", n, code, totals[tt.field])
				}
			default:
				if code != tt.want {
					t.Errorf("got %s, want %s", code, tt.want)
				}
			}
		})
	}

	// A buyer's orders are its own organization's (or ones it facilitated).
	var me struct {
		Me struct {
			Memberships struct {
				Edges []struct {
					Node struct{ Organization struct{ ID string } }
				}
			}
		}
	}
	srv.As(tokens["BUYER"]).Do(`{ me { memberships(first: 5) { edges { node { organization { id } } } } } }`, nil).Must(t, &me)
	own := me.Me.Memberships.Edges[0].Node.Organization.ID
	var orders struct {
		Orders struct {
			Edges []struct {
				Node struct {
					Buyer       struct{ ID string }
					Facilitator *struct{ ID string }
				}
			}
		}
	}
	srv.As(tokens["BUYER"]).Do(`{ orders(first: 100) { edges { node { buyer { id } facilitator { id } } } } }`, nil).Must(t, &orders)
	for _, e := range orders.Orders.Edges {
		if e.Node.Buyer.ID != own && (e.Node.Facilitator == nil || e.Node.Facilitator.ID != own) {
			t.Fatalf("buyer sees another organization's order (buyer %s)", e.Node.Buyer.ID)
		}
	}

	// Users see themselves only; auditors see everyone.
	adminID := apitest.GlobalID(t, "User", firstUserID(t, db))
	for role, visible := range map[string]bool{"BUYER": false, "AUDITOR": true, "ADMIN": true} {
		var data struct{ Node *struct{ Email string } }
		srv.As(tokens[role]).Do(`query($id: ID!) { node(id: $id) { ... on User { email } } }`, map[string]any{"id": adminID}).Must(t, &data)
		if (data.Node != nil) != visible {
			t.Errorf("%s reading the admin account: %+v, want visible=%v", role, data.Node, visible)
		}
	}
}

func firstUserID(t *testing.T, db *store.DB) int {
	return db.Client.User.Query().FirstIDX(storetest.AsSystem())
}

// TestSupplierEditsOnlyOwnProducts exercises the Product mutation policy
// directly through ent, as each role.
func TestSupplierEditsOnlyOwnProducts(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	c := db.Client
	mine := c.Product.Query().FirstX(sys)
	other := c.Product.Query().Where(product.SupplierIDNEQ(mine.SupplierID)).FirstX(sys)
	as := func(role string, org int) context.Context {
		return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 99, Grants: []viewer.Grant{{Role: role, OrganizationID: org}}})
	}
	buyerOrg := c.Organization.Query().Where(organization.KindEQ(organization.KindSOE)).FirstIDX(sys)
	tests := []struct {
		name string
		ctx  context.Context
		p    *ent.Product
		ok   bool
	}{
		{"supplier, own product", as(viewer.Supplier, mine.SupplierID), mine, true},
		{"supplier, another supplier's product", as(viewer.Supplier, mine.SupplierID), other, false},
		{"buyer", as(viewer.Buyer, buyerOrg), mine, false},
		{"certifier", as(viewer.Certifier, 0), mine, false},
		{"anonymous", context.Background(), mine, false},
		{"admin", as(viewer.Admin, 0), other, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := c.Tx(tt.ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback() //nolint:errcheck
			err = tx.Product.UpdateOneID(tt.p.ID).SetPriceFen(tt.p.PriceFen + 100).Exec(tt.ctx)
			if (err == nil) != tt.ok {
				t.Errorf("update allowed=%v, want %v (%v)", err == nil, tt.ok, err)
			}
			// Moving an own product to another supplier is refused too.
			if tt.ok && tt.name == "supplier, own product" {
				if err := tx.Product.UpdateOneID(tt.p.ID).SetSupplierID(other.SupplierID).Exec(tt.ctx); err == nil {
					t.Error("supplier moved its product to another organization")
				}
			}
		})
	}
}

func TestBadBearerTokenIsUnauthenticated(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	for _, h := range []string{"Bearer not-a-token", "Basic YWRtaW46YWRtaW4=", "Bearer "} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ me { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", h)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%q: status %d", h, res.StatusCode)
		}
	}
}

// creditCode makes a valid unified social credit code for test org n.
func creditCode(t *testing.T, regionCode string, n int) string {
	body := fmt.Sprintf("93%sMA%07d", regionCode, n)
	c, err := validate.CreditCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

// provinceOf is the id of the province a region lies in.
func provinceOf(t *testing.T, db *store.DB, r *ent.Region) int {
	t.Helper()
	return db.Client.Region.Query().Where(region.Code(r.Code[:2] + "0000")).OnlyIDX(sysCtx)
}
