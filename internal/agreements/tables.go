package agreements

import (
	"fmt"
	"strconv"
)

// Table is a progress table as coordinators download it (CSV or XLSX):
// the same figures agreementProgress and progressRollup return. Amounts
// stay integers (fen for money, counts otherwise), so a spreadsheet sum
// reproduces the API's figures exactly.
type Table struct {
	Title  string
	Header []string
	Rows   [][]any
}

var monthHeaders = func() []string {
	var h []string
	for m := 1; m <= 12; m++ {
		h = append(h, fmt.Sprintf("%d月 (Month %d)", m, m))
	}
	return h
}()

// ProgressTable lays an agreement's progress out one indicator per row,
// with the monthly series in the last twelve columns.
func ProgressTable(p *AgreementProgress) Table {
	t := Table{
		Title: fmt.Sprintf("%s %d", p.Agreement.Title, p.Year),
		Header: append([]string{"指标 Indicator", "单位 Unit", "来源 Source", "目标 Target", "完成 Actual", "完成率% Percent",
			"序时进度 Expected to date", "滞后 Behind schedule"}, monthHeaders...),
	}
	for _, tp := range p.Targets {
		row := []any{string(tp.Indicator), unitOf(string(tp.Indicator)), tp.Source, tp.TargetValue, tp.Actual,
			percentCell(tp.Percent), tp.ExpectedToDate, yesNo(tp.BehindSchedule)}
		for _, m := range tp.Monthly {
			row = append(row, m.Amount)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// RollupTable lays a roll-up out one agreement kind and indicator per row.
func RollupTable(r *Rollup) Table {
	t := Table{
		Title:  fmt.Sprintf("%s %s %d", r.Name, r.Scope, r.Year),
		Header: []string{"协议类型 Agreement kind", "指标 Indicator", "单位 Unit", "目标 Target", "完成 Actual", "完成率% Percent"},
	}
	for _, row := range r.Rows {
		t.Rows = append(t.Rows, []any{string(row.Kind), string(row.Indicator), unitOf(string(row.Indicator)),
			row.TargetValue, row.Actual, percentCell(row.Percent)})
	}
	return t
}

// unitOf names the unit an indicator's figures are in.
func unitOf(indicator string) string {
	switch indicator {
	case "DIRECT_PURCHASE", "HELP_SELL", "FUNDS_INVESTED", "FUNDS_INTRODUCED":
		return "分 fen"
	case "LABOR_TRANSFERRED":
		return "人次 jobs"
	}
	return "人次 people"
}

// percentCell is the percentage as text with two decimals ("" without a
// target), so CSV and XLSX show the same characters as the API's number.
func percentCell(p *float64) any {
	if p == nil {
		return nil
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

func yesNo(b bool) string {
	if b {
		return "是 yes"
	}
	return "否 no"
}
