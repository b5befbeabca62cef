// Package xlsx writes minimal Office Open XML workbooks (.xlsx) with only the
// standard library, and reads them back (mainly so tests can check exports).
//
// It covers what tabular exports need — named sheets, a bold frozen header
// row, text, numbers, booleans and percentages — and deliberately nothing
// more: no formulas, dates, merged cells or column widths.
package xlsx

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sheet is one worksheet. Header, when non-empty, becomes a bold, frozen
// first row. Rows may be ragged; a nil value leaves its cell empty.
//
// Cell values may be nil, string, bool, any integer or float kind (named
// types such as `type Cents int64` included) or Percent.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]any
}

// Percent is a fraction (0.25 means 25%) displayed with Excel's built-in
// "0.00%" format. Only the display changes, so Read returns the fraction.
type Percent float64

const (
	maxRows      = 1 << 20 // Excel's hard limits: it refuses or truncates beyond them
	maxCols      = 1 << 14
	maxCellChars = 32767 // counted in UTF-16 units, as Excel does
	maxSheetName = 31
	// Spreadsheets hold numbers as float64, so larger integers would be
	// silently rounded; they are written as text instead. Excel and
	// LibreOffice also show (and on re-save keep) only 15 significant digits,
	// so identifiers are better passed as strings.
	maxExactInt = 1 << 53
)

// Indexes into cellXfs in stylesXML.
const (
	styleHeader  = 1
	stylePercent = 2
)

// A fixed timestamp makes the output byte-for-byte reproducible; 1980-01-01
// is the earliest date the MS-DOS fields of a zip header can hold.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"
	ctPrefix  = "application/vnd.openxmlformats-officedocument.spreadsheetml."
)

const stylesXML = xmlHeader + `<styleSheet xmlns="` + nsMain + `">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
	`<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	// Excel insists on these two fills coming first even though none is used.
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

// Write encodes sheets as an .xlsx workbook and streams it to w.
//
// Every sheet and cell is validated before the first byte is written, so any
// error not coming from w itself leaves w untouched — handy for HTTP handlers
// that have not sent their response headers yet.
func Write(w io.Writer, sheets ...Sheet) error {
	if err := validate(sheets); err != nil {
		return err
	}
	var ct, wb, rels strings.Builder
	ct.WriteString(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="` + ctPrefix + `sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="` + ctPrefix + `styles+xml"/>`)
	wb.WriteString(xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
		`<bookViews><workbookView/></bookViews><sheets>`)
	rels.WriteString(xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">`)
	for i, s := range sheets {
		fmt.Fprintf(&ct, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="%sworksheet+xml"/>`, i+1, ctPrefix)
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d" r:id="rId%[2]d"/>`, appendText(nil, s.Name), i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%[1]d.xml"/>`, i+1, nsRel)
	}
	ct.WriteString(`</Types>`)
	wb.WriteString(`</sheets></workbook>`)
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/></Relationships>`, len(sheets)+1, nsRel)

	zw := zip.NewWriter(w)
	create := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
	}
	// [Content_Types].xml goes first: some consumers sniff the package by it.
	for _, p := range [][2]string{
		{"[Content_Types].xml", ct.String()},
		{"_rels/.rels", xmlHeader + `<Relationships xmlns="` + nsPkgRel + `"><Relationship Id="rId1" Type="` +
			nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", wb.String()},
		{"xl/_rels/workbook.xml.rels", rels.String()},
		{"xl/styles.xml", stylesXML},
	} {
		fw, err := create(p[0])
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, p[1]); err != nil {
			return err
		}
	}
	for i, s := range sheets {
		fw, err := create(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1))
		if err != nil {
			return err
		}
		if err := writeSheet(fw, s); err != nil {
			return err
		}
	}
	return zw.Close()
}

func validate(sheets []Sheet) error {
	if len(sheets) == 0 {
		return errors.New("xlsx: a workbook needs at least one sheet")
	}
	seen := make(map[string]bool, len(sheets))
	for _, s := range sheets {
		if err := checkSheetName(s.Name); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		// Excel compares sheet names case-insensitively.
		key := strings.ToUpper(s.Name)
		if seen[key] {
			return fmt.Errorf("xlsx: duplicate sheet name %q", s.Name)
		}
		seen[key] = true
		first := 1 // row number of s.Rows[0]
		if len(s.Header) > 0 {
			first = 2
		}
		if n := len(s.Rows) + first - 1; n > maxRows {
			return fmt.Errorf("xlsx: sheet %q: %d rows exceed Excel's limit of %d", s.Name, n, maxRows)
		}
		for j, h := range s.Header {
			if err := checkCell(s.Name, j, 1, h); err != nil {
				return err
			}
		}
		for i, row := range s.Rows {
			for j, v := range row {
				if err := checkCell(s.Name, j, i+first, v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkCell(sheet string, col, row int, v any) error {
	if col >= maxCols {
		return fmt.Errorf("xlsx: sheet %q row %d: more than %d columns", sheet, row, maxCols)
	}
	if _, err := classify(v); err != nil {
		return fmt.Errorf("xlsx: sheet %q cell %s: %w", sheet, cellRef(col, row), err)
	}
	return nil
}

func checkSheetName(name string) error {
	switch {
	case name == "":
		return errors.New("empty sheet name")
	case utf16Len(name) > maxSheetName:
		return fmt.Errorf("sheet name %q is longer than %d characters", name, maxSheetName)
	case strings.ContainsAny(name, `[]:*?/\`):
		return fmt.Errorf(`sheet name %q contains one of []:*?/\`, name)
	case name[0] == '\'' || name[len(name)-1] == '\'':
		return fmt.Errorf("sheet name %q starts or ends with an apostrophe", name)
	case strings.EqualFold(name, "History"):
		return errors.New(`sheet name "History" is reserved by Excel`)
	case !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || !isXMLChar(r) }) >= 0:
		// Control characters are legal in neither XML attributes nor Excel's tabs.
		return fmt.Errorf("sheet name %q contains an invalid character", name)
	}
	return nil
}

// cell is a value as the worksheet stores it.
type cell struct {
	typ   string // "" for an empty cell, else the t attribute: "n", "b" or "inlineStr"
	val   string // number literal, "0"/"1", or XML-legal (not yet escaped) text
	style int
}

// classify is the one place that decides which values are acceptable and how
// they are stored; Write calls it once to validate and again to encode.
func classify(v any) (cell, error) {
	if p, ok := v.(Percent); ok {
		c, err := floatCell(float64(p), 64)
		c.style = stylePercent
		return c, err
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Invalid: // nil
		return cell{}, nil
	case reflect.String:
		s := sanitize(rv.String())
		if n := utf16Len(s); n > maxCellChars {
			return cell{}, fmt.Errorf("text of %d characters exceeds Excel's limit of %d", n, maxCellChars)
		}
		return cell{typ: "inlineStr", val: s}, nil
	case reflect.Bool:
		if rv.Bool() {
			return cell{typ: "b", val: "1"}, nil
		}
		return cell{typ: "b", val: "0"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i := rv.Int()
		return intCell(strconv.FormatInt(i, 10), i >= -maxExactInt && i <= maxExactInt), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return intCell(strconv.FormatUint(rv.Uint(), 10), rv.Uint() <= maxExactInt), nil
	case reflect.Float32, reflect.Float64:
		return floatCell(rv.Float(), rv.Type().Bits())
	}
	return cell{}, fmt.Errorf("unsupported cell type %T", v)
}

func intCell(s string, exact bool) cell {
	if exact {
		return cell{typ: "n", val: s}
	}
	return cell{typ: "inlineStr", val: s}
}

func floatCell(f float64, bits int) (cell, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return cell{}, fmt.Errorf("%v cannot be stored in a spreadsheet cell", f)
	}
	// Shortest form that round-trips at the source precision, so float32(0.1)
	// is written as 0.1 rather than 0.100000001490116.
	return cell{typ: "n", val: strconv.FormatFloat(f, 'G', -1, bits)}, nil
}

func writeSheet(w io.Writer, s Sheet) error {
	bw := bufio.NewWriter(w) // bounds memory however large the sheet; errors are sticky
	first, width := 0, len(s.Header)
	if len(s.Header) > 0 {
		first = -1 // iteration -1 is the header row
	}
	for _, row := range s.Rows {
		width = max(width, len(row))
	}
	height := len(s.Rows) - first
	dim := "A1"
	if width > 0 && height > 0 {
		dim += ":" + cellRef(width-1, height)
	}
	fmt.Fprintf(bw, `%s<worksheet xmlns="%s"><dimension ref="%s"/><sheetViews><sheetView workbookViewId="0">`, xmlHeader, nsMain, dim)
	if len(s.Header) > 0 {
		bw.WriteString(`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>`)
	}
	bw.WriteString(`</sheetView></sheetViews><sheetData>`)

	header := make([]any, len(s.Header))
	for j, h := range s.Header {
		header[j] = h
	}
	var scratch []byte
	for i := first; i < len(s.Rows); i++ {
		row, style, rowNum := header, styleHeader, i-first+1
		if i >= 0 {
			row, style = s.Rows[i], 0
		}
		// Rows without cells are written too, so later rows keep their numbers.
		fmt.Fprintf(bw, `<row r="%d">`, rowNum)
		for j, v := range row {
			c, _ := classify(v) // already validated
			if c.typ == "" {
				continue // sparse: empty cells are simply omitted
			}
			if c.style == 0 {
				c.style = style
			}
			fmt.Fprintf(bw, `<c r="%s"`, cellRef(j, rowNum))
			if c.style != 0 {
				fmt.Fprintf(bw, ` s="%d"`, c.style)
			}
			switch c.typ {
			case "n":
				fmt.Fprintf(bw, `><v>%s</v></c>`, c.val)
			case "b":
				fmt.Fprintf(bw, ` t="b"><v>%s</v></c>`, c.val)
			default:
				// Inline strings are never parsed as formulas, so text such as
				// "=HYPERLINK(...)" or "+1" stays inert (until a user re-saves
				// the sheet as CSV and opens that). xml:space keeps
				// leading/trailing blanks, which Excel would otherwise trim.
				scratch = appendText(scratch[:0], c.val)
				fmt.Fprintf(bw, ` t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, scratch)
			}
		}
		bw.WriteString(`</row>`)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	return bw.Flush()
}

// cellRef returns an A1-style reference; col is 0-based, row 1-based.
func cellRef(col, row int) string {
	var letters [3]byte // enough up to XFD, the last column
	i := len(letters)
	for n := col + 1; n > 0; n = (n - 1) / 26 {
		i--
		letters[i] = byte('A' + (n-1)%26)
	}
	return string(letters[i:]) + strconv.Itoa(row)
}

// sanitize drops what XML 1.0 cannot carry at all (most control characters,
// U+FFFE/U+FFFF, invalid UTF-8): no escaping can save those, and a single
// one makes Excel reject the whole file.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if isXMLChar(r) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, ""))
}

func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// appendText escapes s for element content and attribute values alike.
func appendText(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '&':
			buf = append(buf, "&amp;"...)
		case c == '<':
			buf = append(buf, "&lt;"...)
		case c == '>':
			buf = append(buf, "&gt;"...)
		case c == '"':
			buf = append(buf, "&quot;"...)
		case c == '\r': // a literal CR would be normalised away by XML parsers
			buf = append(buf, "&#13;"...)
		case isXEscape(s[i:]):
			// Excel decodes _xHHHH_ in text as an escaped character, so a
			// literal one needs its underscore escaped as _x005F_.
			buf = append(buf, "_x005F_"...)
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

func isXEscape(s string) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return false
	}
	_, err := strconv.ParseUint(s[2:6], 16, 16)
	return err == nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 { // needs a surrogate pair
			n++
		}
	}
	return n
}
