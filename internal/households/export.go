package households

import (
	"context"
	"strconv"

	"bangfu/ent"
	"bangfu/ent/annualincome"
	"bangfu/ent/household"
	"bangfu/ent/householdmember"
	"bangfu/internal/apperr"
	"bangfu/internal/pii"
	"bangfu/internal/viewer"
)

// Masked is what a viewer sees of a member's personal value: the value
// itself where the viewer's scope covers the member's county, otherwise
// the mask of it. It is the one rule for every path that shows a member.
func Masked(ctx context.Context, countyCode, value string, mask func(string) string) string {
	if value == "" || viewer.FromContext(ctx).CoversRegion(countyCode) {
		return value
	}
	return mask(value)
}

// exportPage is how many households are read per query.
const exportPage = 500

// Export writes the households the viewer may read in the import's layout
// (Columns), one row per current member, personal values masked for the
// viewer, page by page in household order. incomeYear picks the 人均纯收入.
func (s *Service) Export(ctx context.Context, incomeYear int, row func([]string) error) error {
	if !viewer.FromContext(ctx).Authenticated() {
		return apperr.Unauthenticated("sign in to export households")
	}
	after := 0
	for {
		page, err := s.client.Household.Query().Where(household.IDGT(after)).Order(ent.Asc(household.FieldID)).Limit(exportPage).
			WithVillage().
			WithMembers(func(q *ent.HouseholdMemberQuery) {
				q.Where(householdmember.RemovedAtIsNil()).Order(ent.Asc(householdmember.FieldID))
			}).
			WithAnnualIncomes(func(q *ent.AnnualIncomeQuery) { q.Where(annualincome.Year(incomeYear)) }).
			All(ctx)
		if err != nil {
			return err
		}
		for _, h := range page {
			if err := exportHousehold(ctx, h, row); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

func exportHousehold(ctx context.Context, h *ent.Household, row func([]string) error) error {
	code := ""
	if h.Edges.Village != nil {
		code = h.Edges.Village.Code
	}
	pad := func(n int) string {
		if len(code) < n {
			return ""
		}
		out := code[:n]
		for len(out) < 6 {
			out += "0"
		}
		return out
	}
	head := ""
	for _, m := range h.Edges.Members {
		if m.Relation == householdmember.RelationHEAD {
			head = Masked(ctx, h.CountyCode, m.Name, pii.MaskName)
		}
	}
	secondary, monitoring, exit, income := "", "", "", ""
	if h.SecondaryCause != nil {
		secondary = labelOf(causeLabels, h.SecondaryCause.String())
	}
	if h.MonitoringType != nil {
		monitoring = labelOf(monitoringLabels, h.MonitoringType.String())
	}
	if h.ExitYear != nil {
		exit = strconv.Itoa(*h.ExitYear)
	}
	if len(h.Edges.AnnualIncomes) > 0 {
		income = fenToYuan(h.Edges.AnnualIncomes[0].PerCapitaNetIncomeFen)
	}
	for _, m := range h.Edges.Members {
		rec := map[string]string{
			colNumber: h.Number, colProvince: pad(2), colCity: pad(4), colCounty: pad(6), colTownship: pad(9), colVillage: code,
			colHead: head, colName: Masked(ctx, h.CountyCode, m.Name, pii.MaskName),
			colIDNumber: Masked(ctx, h.CountyCode, m.IDNumber, pii.MaskIDNumber),
			colRelation: labelOf(relationLabels, m.Relation.String()), colBirthMonth: m.BirthMonth,
			colHealth: labelOf(healthLabels, m.Health.String()), colLabor: labelOf(laborLabels, m.LaborAbility.String()),
			colSchooling: labelOf(schoolingLabels, m.Schooling.String()),
			colMainCause: labelOf(causeLabels, h.MainCause.String()), colSecondaryCause: secondary,
			colAttribute: labelOf(attributeLabels, h.Attribute.String()), colIncome: income, colExitYear: exit,
			colMonitoringType: monitoring, colPhone: Masked(ctx, h.CountyCode, m.Phone, pii.MaskPhone),
		}
		out := make([]string, len(Columns))
		for i, c := range Columns {
			out[i] = rec[c]
		}
		if err := row(out); err != nil {
			return err
		}
	}
	return nil
}
