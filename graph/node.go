package graph

import (
	"context"
	"fmt"

	"bangfu/ent/agreement"
	"bangfu/ent/annualincome"
	"bangfu/ent/assessment"
	"bangfu/ent/auditevent"
	"bangfu/ent/award"
	"bangfu/ent/benefitlink"
	"bangfu/ent/buyerprofile"
	"bangfu/ent/certification"
	"bangfu/ent/credittotal"
	"bangfu/ent/exitslackcase"
	"bangfu/ent/facilitation"
	"bangfu/ent/flag"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/ent/incentiverule"
	"bangfu/ent/indicatorsetting"
	"bangfu/ent/invitation"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/monitoringcase"
	"bangfu/ent/monitoringthreshold"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/orderrequest"
	"bangfu/ent/organization"
	"bangfu/ent/pairing"
	"bangfu/ent/product"
	"bangfu/ent/productsales"
	"bangfu/ent/progressreport"
	"bangfu/ent/purchasetotal"
	"bangfu/ent/region"
	"bangfu/ent/session"
	"bangfu/ent/signinthrottle"
	"bangfu/ent/stockadjustment"
	"bangfu/ent/supplierprofile"
	"bangfu/ent/target"
	"bangfu/ent/user"
	"bangfu/ent/verificationsample"
	"bangfu/ent/verificationvisit"
	"bangfu/internal/gid"
)

// tableOfType maps each global-ID type to its ent table.
var tableOfType = map[string]string{
	"Region":              region.Table,
	"Organization":        organization.Table,
	"SupplierProfile":     supplierprofile.Table,
	"BuyerProfile":        buyerprofile.Table,
	"Agreement":           agreement.Table,
	"Target":              target.Table,
	"Household":           household.Table,
	"HouseholdMember":     householdmember.Table,
	"AnnualIncome":        annualincome.Table,
	"BenefitLink":         benefitlink.Table,
	"Product":             product.Table,
	"Certification":       certification.Table,
	"Order":               order.Table,
	"OrderLine":           orderline.Table,
	"LedgerEntry":         ledgerentry.Table,
	"IncentiveRule":       incentiverule.Table,
	"Award":               award.Table,
	"MonitoringCase":      monitoringcase.Table,
	"ProgressReport":      progressreport.Table,
	"User":                user.Table,
	"Membership":          membership.Table,
	"AuditEvent":          auditevent.Table,
	"Session":             session.Table,
	"StockAdjustment":     stockadjustment.Table,
	"Pairing":             pairing.Table,
	"Assessment":          assessment.Table,
	"CreditTotal":         credittotal.Table,
	"PurchaseTotal":       purchasetotal.Table,
	"MonitoringThreshold": monitoringthreshold.Table,
	"SignInThrottle":      signinthrottle.Table,
	"OrderRequest":        orderrequest.Table,
	"Invitation":          invitation.Table,
	"Facilitation":        facilitation.Table,
	"Flag":                flag.Table,
	"IndicatorSetting":    indicatorsetting.Table,
	"ProductSales":        productsales.Table,
	"VerificationSample":  verificationsample.Table,
	"VerificationVisit":   verificationvisit.Table,
	"ExitSlackCase":       exitslackcase.Table,
}

// nodeTable resolves a key to its table from the key's type block, so node
// lookups need no extra query.
func nodeTable(_ context.Context, id int) (string, error) {
	typ, ok := gid.TypeOf(id)
	if !ok {
		return "", fmt.Errorf("%w: key %d", gid.ErrInvalid, id)
	}
	t, ok := tableOfType[typ]
	if !ok {
		return "", fmt.Errorf("no table for node type %s", typ)
	}
	return t, nil
}
