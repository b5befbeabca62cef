package attribution

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/credittotal"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/purchasetotal"

	entgo "entgo.io/ent"
)

// TotalsHook keeps the credit totals (and the organizations' points
// totals) in step with the ledger: every credit or points entry, and every
// reversal of one, is added to its total in the same transaction as the
// entry itself. Nothing else
// writes credit totals, so they cannot drift from the ledger unless the
// database is edited behind the application, which Recompute reports.
func TotalsHook(next entgo.Mutator) entgo.Mutator {
	return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		le, ok := m.(*ent.LedgerEntryMutation)
		if !ok || !le.Op().Is(entgo.OpCreate) {
			return v, nil
		}
		kind, _ := le.Kind()
		if kind == ledgerentry.KindINCENTIVE_POINTS {
			return v, addPoints(ctx, le)
		}
		agreementID, hasAgreement := le.AgreementID()
		if kind != ledgerentry.KindATTRIBUTION_CREDIT || !hasAgreement {
			return v, nil
		}
		amount, _ := le.Amount()
		indicator, _ := le.Indicator()
		year, _ := le.Year()
		month, _ := le.Month()
		county, _ := le.OriginCountyID()
		lines := 1
		if _, reversal := le.ReversesID(); reversal {
			lines = -1
		}
		err = le.Client().CreditTotal.Create().
			SetAgreementID(agreementID).SetIndicator(credittotal.Indicator(indicator)).
			SetYear(year).SetMonth(month).SetOriginCountyID(county).
			SetAmount(amount).SetLines(lines).
			OnConflictColumns(credittotal.FieldAgreementID, credittotal.FieldIndicator, credittotal.FieldYear,
				credittotal.FieldMonth, credittotal.FieldOriginCountyID).
			Update(func(u *ent.CreditTotalUpsert) { u.AddAmount(amount).AddLines(lines) }).
			Exec(ctx)
		return v, err
	})
}

// addPoints adds a points entry (or its reversal) to the organization's
// monthly total.
func addPoints(ctx context.Context, le *ent.LedgerEntryMutation) error {
	org, ok := le.OrganizationID()
	if !ok {
		return nil
	}
	amount, _ := le.Amount()
	year, _ := le.Year()
	month, _ := le.Month()
	return le.Client().PurchaseTotal.Create().
		SetOrganizationID(org).SetYear(year).SetMonth(month).SetPoints(amount).
		OnConflictColumns(purchasetotal.FieldOrganizationID, purchasetotal.FieldYear, purchasetotal.FieldMonth).
		Update(func(u *ent.PurchaseTotalUpsert) { u.AddPoints(amount) }).
		Exec(ctx)
}
