package market

import (
	"time"

	"bangfu/ent/certification"
	"bangfu/ent/facilitation"
	"bangfu/ent/organization"
	"bangfu/ent/supplierprofile"
)

// The rules a placement checks, as SQL conditions with their arguments (?
// placeholders), for the two statements that place: takeStockStatement
// (placeIn's, through ent) and placementStatement (one statement, on
// PostgreSQL). whyNot explains a refusal by the same rules, through ent.

// supplierMaySell: the product's supplier is approved and active. A scalar
// subquery per row, not EXISTS: the planner could turn an EXISTS into a
// join that starts from every approved supplier; this way the products are
// always found by id first, whatever the statistics say.
func supplierMaySell(product string) (string, []any) {
	return `(SELECT sp.status = ? AND so.status = ? FROM supplier_profiles sp JOIN organizations so ON so.id = sp.organization_id
		WHERE sp.organization_id = ` + product + `.supplier_id)`,
		[]any{supplierprofile.StatusAPPROVED.String(), organization.StatusACTIVE.String()}
}

// certifiedAt: the product has a certificate in force at now.
func certifiedAt(product string, now time.Time) (string, []any) {
	return `EXISTS (SELECT 1 FROM certifications c WHERE c.product_id = ` + product + `.id AND c.status = ? AND c.valid_from <= ? AND c.valid_until > ?)`,
		[]any{certification.StatusCERTIFIED.String(), now.UTC(), now.UTC()}
}

// buyerActive: only active organizations buy (DOMAIN rule 12).
func buyerActive(buyer int) (string, []any) {
	return `(SELECT bo.status FROM organizations bo WHERE bo.id = ?) = ?`, []any{buyer, organization.StatusACTIVE.String()}
}

// facilitationAgreed: the facilitator is active and has agreed to help the
// buyer at now (rule 10).
func facilitationAgreed(facilitator, buyer int, now time.Time) (string, []any) {
	return `EXISTS (SELECT 1 FROM facilitations f JOIN organizations fo ON fo.id = f.facilitator_id
		WHERE f.facilitator_id = ? AND f.buyer_id = ? AND f.status = ? AND fo.status = ?
		AND f.valid_from <= ? AND (f.valid_until IS NULL OR f.valid_until > ?))`,
		[]any{facilitator, buyer, facilitation.StatusACCEPTED.String(), organization.StatusACTIVE.String(), now.UTC(), now.UTC()}
}
