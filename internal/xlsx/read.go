package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
)

// Read parses a workbook written by Write (or a plain one saved by Excel or
// LibreOffice) and returns its sheets in order. The first row of each sheet
// becomes Header (non-text cells via fmt.Sprint), the rest Rows. Numbers come
// back as int64 when integral and within ±2^53, else float64; text as
// string; booleans as bool; empty cells as nil, with a row's trailing empty
// cells dropped. Styles are ignored: dates read as serial numbers.
func Read(r io.ReaderAt, size int64) ([]Sheet, error) {
	b, err := openBook(r, size)
	if err != nil {
		return nil, err
	}
	sheets := make([]Sheet, 0, len(b.sheets))
	for _, ws := range b.sheets {
		s := Sheet{Name: ws.name}
		grid, err := b.readGrid(ws)
		if err != nil {
			return nil, fmt.Errorf("xlsx: sheet %q: %w", s.Name, err)
		}
		if len(grid) > 0 {
			s.Header, s.Rows = make([]string, len(grid[0])), grid[1:]
			for i, v := range grid[0] {
				if v != nil {
					s.Header[i] = fmt.Sprint(v)
				}
			}
		}
		sheets = append(sheets, s)
	}
	return sheets, nil
}

// Rows streams the rows of a workbook's first sheet, one at a time, so a
// sheet of a million rows is never held whole (only its shared strings
// are). Values are as Read returns them; a row the sheet skips comes back
// empty, so the n-th call returns the sheet's row n.
type Rows struct {
	part    io.ReadCloser
	dec     *xml.Decoder
	shared  []string
	n       int   // rows returned so far
	pending []any // a row read ahead, past a gap
	at      int   // pending's row number
}

// FirstSheet opens the first sheet of a workbook for streaming. Close it.
func FirstSheet(r io.ReaderAt, size int64) (*Rows, error) {
	b, err := openBook(r, size)
	if err != nil {
		return nil, err
	}
	if len(b.sheets) == 0 {
		return nil, errors.New("xlsx: the workbook has no sheet")
	}
	return b.open(b.sheets[0])
}

// Next returns the next row, or io.EOF after the last.
func (rs *Rows) Next() ([]any, error) {
	if rs.pending == nil {
		num, vals, err := rs.readRow()
		if err != nil {
			return nil, err
		}
		rs.pending, rs.at = vals, num
	}
	rs.n++
	if rs.n < rs.at {
		return []any{}, nil
	}
	vals := rs.pending
	rs.pending = nil
	return vals, nil
}

// Close releases the sheet's part.
func (rs *Rows) Close() error { return rs.part.Close() }

// readRow decodes the next <row> element.
func (rs *Rows) readRow() (int, []any, error) {
	for {
		tok, err := rs.dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, nil, io.EOF
			}
			return 0, nil, fmt.Errorf("xlsx: %w", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "row" {
			continue
		}
		var row struct {
			Num   int       `xml:"r,attr"`
			Cells []xmlCell `xml:"c"`
		}
		if err := rs.dec.DecodeElement(&row, &start); err != nil {
			return 0, nil, fmt.Errorf("xlsx: %w", err)
		}
		if row.Num == 0 { // r is optional: the row after the last
			row.Num = rs.n + 1
		}
		if row.Num <= rs.n || row.Num > maxRows {
			return 0, nil, fmt.Errorf("xlsx: row number %d out of order or too large", row.Num)
		}
		vals := []any{}
		for _, c := range row.Cells {
			col := len(vals)
			if c.Ref != "" {
				if col, err = parseCol(c.Ref); err != nil || col < len(vals) {
					return 0, nil, fmt.Errorf("xlsx: cell reference %q invalid or out of order", c.Ref)
				}
			}
			v, err := cellValue(c, rs.shared)
			if err != nil {
				return 0, nil, fmt.Errorf("xlsx: cell %s: %w", c.Ref, err)
			}
			for len(vals) < col {
				vals = append(vals, nil)
			}
			vals = append(vals, v)
		}
		for len(vals) > 0 && vals[len(vals)-1] == nil {
			vals = vals[:len(vals)-1]
		}
		return row.Num, vals, nil
	}
}

// book is a workbook's index: its sheets and shared strings.
type book struct {
	zr     *zip.Reader
	sheets []sheetRef
	shared []string
}

type sheetRef struct{ name, part string }

func openBook(r io.ReaderAt, size int64) (*book, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	var sst struct {
		Items []richText `xml:"si"`
	}
	if err := decodePart(zr, "xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	if err := decodePart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	// Write uses inline strings only, but Excel always writes this table.
	if err := decodePart(zr, "xl/sharedStrings.xml", &sst); err != nil && !isNotExist(err) {
		return nil, err
	}
	b := &book{zr: zr, shared: make([]string, len(sst.Items))}
	for i, it := range sst.Items {
		b.shared[i] = it.String()
	}
	targets := make(map[string]string, len(rels.Rels))
	for _, rel := range rels.Rels {
		// Targets are relative to xl/ unless absolute within the package.
		if t, ok := strings.CutPrefix(rel.Target, "/"); ok {
			targets[rel.ID] = t
		} else {
			targets[rel.ID] = path.Join("xl", rel.Target)
		}
	}
	for _, ws := range wb.Sheets {
		b.sheets = append(b.sheets, sheetRef{name: unescapeX(ws.Name), part: targets[ws.RID]})
	}
	return b, nil
}

func (b *book) open(ws sheetRef) (*Rows, error) {
	f, err := b.zr.Open(ws.part)
	if err != nil {
		return nil, fmt.Errorf("xlsx: sheet %q: %w", ws.name, err)
	}
	return &Rows{part: f, dec: xml.NewDecoder(io.LimitReader(f, maxPartSize)), shared: b.shared}, nil
}

func (b *book) readGrid(ws sheetRef) ([][]any, error) {
	rs, err := b.open(ws)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var grid [][]any
	for {
		vals, err := rs.Next()
		if errors.Is(err, io.EOF) {
			return grid, nil
		}
		if err != nil {
			return nil, err
		}
		grid = append(grid, vals)
	}
}

// richText is an inline string (<is>) or a shared one (<si>): either a plain
// <t> or formatted runs of <r><t>.
type richText struct {
	T    string `xml:"t"`
	Runs []struct {
		T string `xml:"t"`
	} `xml:"r"`
}

func (rt richText) String() string {
	s := rt.T
	for _, r := range rt.Runs {
		s += r.T
	}
	return unescapeX(s)
}

type xmlCell struct {
	Ref    string    `xml:"r,attr"`
	Type   string    `xml:"t,attr"`
	Value  string    `xml:"v"`
	Inline *richText `xml:"is"`
}

func cellValue(c xmlCell, shared []string) (any, error) {
	switch c.Type {
	case "inlineStr":
		if c.Inline == nil {
			return "", nil
		}
		return c.Inline.String(), nil
	case "s":
		i, err := strconv.Atoi(c.Value)
		if err != nil || i < 0 || i >= len(shared) {
			return nil, fmt.Errorf("bad shared string index %q", c.Value)
		}
		return shared[i], nil
	case "str", "e": // cached text result of a formula, or an error such as #N/A
		return unescapeX(c.Value), nil
	case "b":
		return c.Value == "1", nil
	case "", "n":
		if c.Value == "" {
			return nil, nil
		}
		if i, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(c.Value, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", c.Value)
		}
		if f == math.Trunc(f) && math.Abs(f) <= maxExactInt {
			return int64(f), nil
		}
		return f, nil
	}
	return nil, fmt.Errorf("unsupported cell type %q", c.Type)
}

// parseCol returns the 0-based column of an A1-style reference.
func parseCol(ref string) (int, error) {
	col, i := 0, 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' && col <= maxCols; i++ {
		col = col*26 + int(ref[i]-'A'+1)
	}
	if i == 0 || col > maxCols {
		return 0, fmt.Errorf("bad cell reference %q", ref)
	}
	return col - 1, nil
}

// unescapeX reverses Excel's _xHHHH_ character escapes (see appendText).
// Scanning bytes is safe: '_' never occurs inside a multi-byte sequence.
func unescapeX(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isXEscape(s[i:]) {
			n, _ := strconv.ParseUint(s[i+2:i+6], 16, 16)
			b.WriteRune(rune(n)) // a lone surrogate becomes U+FFFD
			i += 6
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// maxPartSize caps how far one XML part may decompress, so a zip bomb fails
// fast instead of exhausting memory.
const maxPartSize = 256 << 20

func decodePart(zr *zip.Reader, name string, v any) error {
	f, err := zr.Open(name)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	defer f.Close()
	if err := xml.NewDecoder(io.LimitReader(f, maxPartSize)).Decode(v); err != nil {
		return fmt.Errorf("xlsx: %s: %w", name, err)
	}
	return nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
