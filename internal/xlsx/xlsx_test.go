package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
)

func writeBytes(t *testing.T, sheets ...Sheet) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, sheets...); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func readBytes(t *testing.T, b []byte) []Sheet {
	t.Helper()
	got, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return got
}

// normalize maps written values to what Read returns: int-like to int64,
// trailing nils trimmed, nil rows to empty rows.
func normalize(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, row := range rows {
		r := []any{}
		for _, v := range row {
			switch x := v.(type) {
			case int:
				v = int64(x)
			case int32:
				v = int64(x)
			case uint8:
				v = int64(x)
			case bool, string, int64, float64, nil:
			default:
				panic(fmt.Sprintf("normalize: add %T", v))
			}
			r = append(r, v)
		}
		for len(r) > 0 && r[len(r)-1] == nil {
			r = r[:len(r)-1]
		}
		out[i] = r
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	wide := make([]any, 60) // past Z and AZ
	wideHeader := make([]string, 60)
	for i := range wide {
		wide[i] = int64(i * 1000)
		wideHeader[i] = cellRef(i, 1)
	}
	tests := []struct {
		name   string
		sheets []Sheet
		// want overrides the expected rows for sheet 0 when writing changes the type.
		want [][]any
	}{
		{
			name: "chinese",
			sheets: []Sheet{{
				Name:   "订单 明细",
				Header: []string{"商品", "数量", "备注"},
				Rows: [][]any{
					{"苹果🍎", 3, "产地：山东"},
					{"  leading and trailing  ", 0, "line1\nline2\r\nline3\ttab"},
				},
			}},
		},
		{
			name: "numbers",
			sheets: []Sheet{{
				Name:   "n",
				Header: []string{"v"},
				Rows: [][]any{
					{int64(1 << 53)}, {int64(-(1 << 53))}, {-42}, {int64(0)},
					{1.5}, {-0.125}, {1e-7}, {float64(3)}, {int32(7)}, {uint8(255)},
					{true}, {false},
				},
			}},
			want: [][]any{
				{int64(1 << 53)}, {int64(-(1 << 53))}, {int64(-42)}, {int64(0)},
				{1.5}, {-0.125}, {1e-7}, {int64(3)}, {int64(7)}, {int64(255)},
				{true}, {false},
			},
		},
		{
			name: "integers beyond 2^53 become text",
			sheets: []Sheet{{Name: "big", Header: []string{"id"}, Rows: [][]any{
				{int64(math.MaxInt64)}, {int64(math.MinInt64)}, {uint64(math.MaxUint64)}, {int64(1<<53 + 1)},
			}}},
			want: [][]any{{"9223372036854775807"}, {"-9223372036854775808"}, {"18446744073709551615"}, {"9007199254740993"}},
		},
		{
			name: "percent and float32",
			sheets: []Sheet{{Name: "p", Header: []string{"p"}, Rows: [][]any{
				{Percent(0.255)}, {Percent(1)}, {float32(0.1)},
			}}},
			want: [][]any{{0.255}, {int64(1)}, {0.1}},
		},
		{
			name: "empty cells and rows",
			sheets: []Sheet{{
				Name:   "gaps",
				Header: []string{"a", "", "c"},
				Rows: [][]any{
					{nil, "b", nil, nil},
					{},
					nil,
					{"", nil, 3},
					{"last"},
				},
			}},
		},
		{
			name: "formula-looking text stays text",
			sheets: []Sheet{{Name: "f", Header: []string{"x"}, Rows: [][]any{
				{"=1+1"}, {"+SUM(A1:A2)"}, {"-3"}, {"@cmd"}, {`=HYPERLINK("http://x","y")`},
			}}},
		},
		{
			name: "markup and excel escapes",
			sheets: []Sheet{{Name: "A&B <\"x\">", Header: []string{"<b>&amp;</b>"}, Rows: [][]any{
				{"_x0041_"}, {"a_x005F_b"}, {"_x12_"}, {"]]>"},
			}}},
		},
		{
			name:   "many columns",
			sheets: []Sheet{{Name: "wide", Header: wideHeader, Rows: [][]any{wide}}},
		},
		{
			name: "multiple sheets",
			sheets: []Sheet{
				{Name: "一", Header: []string{"k"}, Rows: [][]any{{"v1"}}},
				{Name: "Sheet_x0041_", Header: []string{"k", "n"}, Rows: [][]any{{"v2", 2}}},
				{Name: "no rows", Header: []string{"only", "header"}},
				{Name: strings.Repeat("长", 31)},
			},
		},
		{
			name: "no header",
			sheets: []Sheet{{Name: "raw", Rows: [][]any{
				{"h1", "h2"}, {1, 2},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readBytes(t, writeBytes(t, tt.sheets...))
			if len(got) != len(tt.sheets) {
				t.Fatalf("got %d sheets, want %d", len(got), len(tt.sheets))
			}
			for i, s := range tt.sheets {
				if got[i].Name != s.Name {
					t.Errorf("sheet %d name = %q, want %q", i, got[i].Name, s.Name)
				}
				wantHeader, wantRows := s.Header, s.Rows
				if i == 0 && tt.want != nil {
					wantRows = tt.want
				}
				if len(wantHeader) == 0 && len(wantRows) > 0 {
					// Read always promotes the first row to the header.
					wantHeader = nil
					for _, v := range wantRows[0] {
						wantHeader = append(wantHeader, fmt.Sprint(v))
					}
					wantRows = wantRows[1:]
				}
				if !reflect.DeepEqual(got[i].Header, wantHeader) {
					t.Errorf("sheet %q header = %q, want %q", s.Name, got[i].Header, wantHeader)
				}
				if g, w := normalize(got[i].Rows), normalize(wantRows); !reflect.DeepEqual(g, w) {
					t.Errorf("sheet %q rows:\n got  %#v\n want %#v", s.Name, g, w)
				}
			}
		})
	}
}

func TestBadSheetNames(t *testing.T) {
	tests := []struct {
		name   string
		sheets []Sheet
	}{
		{"no sheets", nil},
		{"empty", []Sheet{{Name: ""}}},
		{"32 chars", []Sheet{{Name: strings.Repeat("x", 32)}}},
		{"32 astral chars count double", []Sheet{{Name: strings.Repeat("😀", 16)}}},
		{"bracket", []Sheet{{Name: "a[1]"}}},
		{"colon", []Sheet{{Name: "a:b"}}},
		{"star", []Sheet{{Name: "a*"}}},
		{"question", []Sheet{{Name: "why?"}}},
		{"slash", []Sheet{{Name: "a/b"}}},
		{"backslash", []Sheet{{Name: `a\b`}}},
		{"leading apostrophe", []Sheet{{Name: "'a"}}},
		{"reserved", []Sheet{{Name: "history"}}},
		{"control char", []Sheet{{Name: "a\x01b"}}},
		{"newline", []Sheet{{Name: "a\nb"}}},
		{"invalid utf8", []Sheet{{Name: "a\xffb"}}},
		{"duplicate", []Sheet{{Name: "Data"}, {Name: "Data"}}},
		{"duplicate ignoring case", []Sheet{{Name: "Data"}, {Name: "dATA"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.sheets...); err == nil {
				t.Fatal("Write succeeded, want error")
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
	// Boundary: exactly 31 characters is fine.
	writeBytes(t, Sheet{Name: strings.Repeat("x", 31)})
}

func TestBadCells(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"NaN", math.NaN()},
		{"Inf", math.Inf(-1)},
		{"struct", struct{}{}},
		{"slice", []byte("x")},
		{"too long", strings.Repeat("a", maxCellChars+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, Sheet{Name: "s", Rows: [][]any{{"ok", tt.v}}})
			if err == nil || !strings.Contains(err.Error(), "B1") {
				t.Fatalf("err = %v, want an error naming cell B1", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
	writeBytes(t, Sheet{Name: "s", Rows: [][]any{{strings.Repeat("a", maxCellChars)}}})
}

func TestIllegalXMLCharsStripped(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\x00b", "ab"},
		{"bell\x07\x1b[0m", "bell[0m"},
		{"keep\ttab\nnl\rcr", "keep\ttab\nnl\rcr"},
		{"bad\xffutf8\xc3", "badutf8"},
		{"nonchar\uFFFE\uFFFF", "nonchar"},
		{"中文\x0b测试", "中文测试"},
		{"\x00\x01", ""},
	}
	rows := make([][]any, len(tests))
	for i, tt := range tests {
		rows[i] = []any{tt.in}
	}
	b := writeBytes(t, Sheet{Name: "s", Header: []string{"h\x00"}, Rows: rows})
	checkWellFormed(t, b)
	got := readBytes(t, b)[0]
	if got.Header[0] != "h" {
		t.Errorf("header = %q, want %q", got.Header[0], "h")
	}
	for i, tt := range tests {
		if g := got.Rows[i][0]; g != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, g, tt.want)
		}
	}
}

func TestCellRefs(t *testing.T) {
	for col, want := range map[int]string{0: "A1", 25: "Z1", 26: "AA1", 51: "AZ1", 52: "BA1", 701: "ZZ1", 702: "AAA1", maxCols - 1: "XFD1"} {
		if got := cellRef(col, 1); got != want {
			t.Errorf("cellRef(%d) = %s, want %s", col, got, want)
		}
		if back, err := parseCol(want); err != nil || back != col {
			t.Errorf("parseCol(%s) = %d, %v; want %d", want, back, err, col)
		}
	}
}

// checkWellFormed decodes every part in the package token by token.
func checkWellFormed(t *testing.T, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(rc)
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: not well-formed: %v", f.Name, err)
				break
			}
		}
		rc.Close()
	}
}

func TestPackageStructure(t *testing.T) {
	b := writeBytes(t,
		Sheet{Name: "订单", Header: []string{"a", "b"}, Rows: [][]any{{"x&y", 1}, {nil, Percent(0.5)}}},
		Sheet{Name: "Two"},
	)
	checkWellFormed(t, b)

	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	parts := map[string]string{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(body)
	}
	wantNames := []string{
		"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
		"xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
	}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("parts = %q, want %q", names, wantNames)
	}
	for part, fragments := range map[string][]string{
		"[Content_Types].xml":        {`PartName="/xl/worksheets/sheet2.xml"`, `PartName="/xl/styles.xml"`},
		"xl/workbook.xml":            {`<sheet name="订单" sheetId="1" r:id="rId1"/>`, `<sheet name="Two" sheetId="2" r:id="rId2"/>`},
		"xl/_rels/workbook.xml.rels": {`Id="rId3"`, `Target="styles.xml"`},
		"xl/worksheets/sheet1.xml": {
			`<dimension ref="A1:B3"/>`, `state="frozen"`,
			`<c r="A1" s="1" t="inlineStr">`, `<c r="B2"><v>1</v></c>`, `<c r="B3" s="2"><v>0.5</v></c>`,
			`x&amp;y`, `<row r="3"><c r="B3"`,
		},
		"xl/worksheets/sheet2.xml": {`<dimension ref="A1"/>`, `<sheetData></sheetData>`},
	} {
		for _, frag := range fragments {
			if !strings.Contains(parts[part], frag) {
				t.Errorf("%s lacks %s:\n%s", part, frag, parts[part])
			}
		}
	}
	if strings.Contains(parts["xl/worksheets/sheet2.xml"], "frozen") {
		t.Error("sheet without header should not freeze a row")
	}
}

func TestDeterministic(t *testing.T) {
	s := Sheet{Name: "s", Header: []string{"a"}, Rows: [][]any{{"x"}, {1}}}
	a, b := writeBytes(t, s), writeBytes(t, s)
	if !bytes.Equal(a, b) {
		t.Error("two writes of the same workbook differ")
	}
}

func TestReadRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("not a zip")} {
		if _, err := Read(bytes.NewReader(b), int64(len(b))); err == nil {
			t.Errorf("Read(%q) succeeded", b)
		}
	}
}

// Excel and LibreOffice store text in a shared string table, often as
// formatted runs; Read must cope so tests can also check re-saved files.
func TestReadSharedStrings(t *testing.T) {
	parts := map[string]string{
		"xl/workbook.xml": `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` +
			`<sheet name="S" sheetId="1" r:id="rId7"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId7" Type="x" Target="/xl/worksheets/other.xml"/></Relationships>`,
		"xl/sharedStrings.xml": `<sst xmlns="` + nsMain + `"><si><t>名称</t></si>` +
			`<si><r><rPr><b/></rPr><t>bold</t></r><r><t xml:space="preserve"> plain_x000D_</t></r></si></sst>`,
		"xl/worksheets/other.xml": `<worksheet xmlns="` + nsMain + `"><sheetData>` +
			`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" s="3"/></row>` +
			`<row r="3"><c r="B3" t="s"><v>1</v></c><c r="C3" t="str"><f>A1</f><v>x</v></c><c r="D3" t="e"><v>#N/A</v></c><c r="E3"><v>2.50</v></c></row>` +
			`</sheetData></worksheet>`,
	}
	got := readBytes(t, zipParts(t, parts))
	want := []Sheet{{Name: "S", Header: []string{"名称"}, Rows: [][]any{{}, {nil, "bold plain\r", "x", "#N/A", 2.5}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

// zipParts packs the given parts into a workbook file.
func zipParts(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		fw, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oneSheet is a workbook whose only sheet holds the given sheetData.
func oneSheet(t *testing.T, sheetData string) []byte {
	return zipParts(t, map[string]string{
		"xl/workbook.xml": `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` +
			`<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<worksheet xmlns="` + nsMain + `"><sheetData>` + sheetData + `</sheetData></worksheet>`,
	})
}

func streamAll(b []byte) ([][]any, error) {
	rs, err := FirstSheet(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var rows [][]any
	for {
		row, err := rs.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// FirstSheet streams what Read returns for the first sheet: the n-th row
// it yields is the sheet's row n, whether the file numbers its rows, skips
// some, or leaves the numbers out.
func TestFirstSheetStreamsRows(t *testing.T) {
	written := writeBytes(t, Sheet{Name: "a", Header: []string{"h1", "h2"}, Rows: [][]any{{"x", 1}, nil, {nil, true}}}, Sheet{Name: "b"})
	sheets := readBytes(t, written)
	got, err := streamAll(written)
	if err != nil {
		t.Fatal(err)
	}
	want := append([][]any{{"h1", "h2"}}, sheets[0].Rows...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("streamed %#v\nread     %#v", got, want)
	}
	tests := []struct {
		name, data string
		want       [][]any
		wantErr    bool
	}{
		{"gaps come back empty", `<row r="2"><c r="B2"><v>7</v></c></row><row r="4"><c r="A4" t="inlineStr"><is><t>z</t></is></c></row>`,
			[][]any{{}, {nil, int64(7)}, {}, {"z"}}, false},
		{"no numbers: one after another", `<row><c><v>1</v></c><c><v>2</v></c></row><row><c t="b"><v>1</v></c></row>`,
			[][]any{{int64(1), int64(2)}, {true}}, false},
		{"rows out of order", `<row r="3"/><row r="2"/>`, nil, true},
		{"cells out of order", `<row r="1"><c r="C1"><v>1</v></c><c r="A1"><v>1</v></c></row>`, nil, true},
		{"truncated", `<row r="1"><c r="A1"><v>1</v>`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := streamAll(oneSheet(t, tt.data))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}
