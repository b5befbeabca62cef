package httpapi_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"bangfu/ent/household"
	"bangfu/ent/region"
	"bangfu/internal/apitest"
	"bangfu/internal/households"
	"bangfu/internal/store/storetest"
	"bangfu/internal/xlsx"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// A county's registry is kept in spreadsheets: an .xlsx workbook imports
// as its CSV would, whether its codes and incomes were typed as text or
// as numbers, and an ID number that a spreadsheet turned into a number
// (and so lost its last digits) is reported, not imported.
func TestHouseholdImportFromXLSX(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	sys := storetest.AsSystem()
	certifier := srv.SignIn("certifier@bangfu.example")
	village := srv.DB.Client.Region.Query().Where(region.LevelEQ(region.LevelVILLAGE), region.CodeHasPrefix("152221")).
		FirstX(sys)
	county := village.Code[:6]
	row := func(cells map[string]any) []any {
		out := make([]any, len(households.Columns))
		for i, c := range households.Columns {
			out[i] = cells[c]
		}
		return out
	}
	member := func(number int, head, name, id, relation string) []any {
		return row(map[string]any{"户编号": number, "村代码": mustInt(t, village.Code), "户主姓名": head, "成员姓名": name,
			"身份证号": id, "与户主关系": relation, "主要致贫原因": "因病", "人均纯收入": 6200.5})
	}
	book := func(rows ...[]any) []byte {
		var buf bytes.Buffer
		if err := xlsx.Write(&buf, xlsx.Sheet{Name: "建档立卡户", Header: households.Columns, Rows: rows}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	send := func(query string, file []byte) (households.ImportReport, int) {
		t.Helper()
		r := certifier.Send("POST", "/imports/households"+query, xlsxType, "application/json", file)
		var rep households.ImportReport
		if err := json.Unmarshal([]byte(r.Raw), &rep); err != nil {
			t.Fatalf("import answered %d: %s", r.Status, r.Raw)
		}
		return rep, r.Status
	}

	good := book(
		member(990001, "韩一", "韩一", residentID(t, county, "19700101", 11), "户主"),
		member(990001, "韩一", "韩二", residentID(t, county, "19720305", 22), "配偶"),
		nil, // a blank row between households
		member(990002, "韩三", "韩三", "", "户主"),
	)
	rep, status := send("?incomeYear=2025", good)
	if status != 200 || !rep.Written || rep.Created != 2 || rep.Rows != 3 {
		t.Fatalf("import: %d %+v", status, rep)
	}
	h := srv.DB.Client.Household.Query().Where(household.Number("990001")).WithMembers().WithAnnualIncomes().OnlyX(sys)
	if h.CountyCode != county || len(h.Edges.Members) != 2 || len(h.Edges.AnnualIncomes) != 1 ||
		h.Edges.AnnualIncomes[0].PerCapitaNetIncomeFen != 620050 {
		t.Fatalf("household 990001 after import: %+v, incomes %+v", h, h.Edges.AnnualIncomes)
	}
	if rep, _ := send("?incomeYear=2025", good); rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
		t.Fatalf("importing the same workbook again: %+v", rep)
	}

	// An 18-digit ID number stored as a number keeps 15 significant digits.
	id := residentID(t, county, "19800101", 33)
	mangled := member(990003, "韩四", "韩四", "", "户主")
	mangled[slices.Index(households.Columns, "身份证号")] = float64(mustInt(t, id))
	rep, status = send("", book(mangled))
	if status != 422 || rep.Written || len(rep.Problems) != 1 || rep.Problems[0].Column != "身份证号" || rep.Problems[0].Row != 2 {
		t.Fatalf("an ID number typed as a number: %d %+v", status, rep)
	}
	if strings.Contains(rep.Problems[0].Message, id[:10]) {
		t.Errorf("the problem quotes the ID number: %+v", rep.Problems[0])
	}

	for name, body := range map[string][]byte{"not a zip": []byte("户编号,村代码\n"), "empty": nil} {
		r := certifier.Send("POST", "/imports/households", xlsxType, "application/json", body)
		if r.Status != 400 || !strings.Contains(r.Raw, "BAD_USER_INPUT") {
			t.Errorf("%s: answered %d %s", name, r.Status, r.Raw)
		}
	}
}

func mustInt(t *testing.T, digits string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
