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
	shared := make([]string, len(sst.Items))
	for i, it := range sst.Items {
		shared[i] = it.String()
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

	sheets := make([]Sheet, 0, len(wb.Sheets))
	for _, ws := range wb.Sheets {
		s := Sheet{Name: unescapeX(ws.Name)}
		grid, err := readGrid(zr, targets[ws.RID], shared)
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

func readGrid(zr *zip.Reader, name string, shared []string) ([][]any, error) {
	var ws struct {
		Rows []struct {
			Num   int       `xml:"r,attr"`
			Cells []xmlCell `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := decodePart(zr, name, &ws); err != nil {
		return nil, err
	}
	var grid [][]any
	for _, row := range ws.Rows {
		if row.Num <= len(grid) || row.Num > maxRows {
			return nil, fmt.Errorf("row number %d missing, out of order or too large", row.Num)
		}
		for len(grid) < row.Num-1 {
			grid = append(grid, []any{})
		}
		vals := []any{}
		for _, c := range row.Cells {
			col, err := parseCol(c.Ref)
			if err != nil || col < len(vals) {
				return nil, fmt.Errorf("cell reference %q invalid or out of order", c.Ref)
			}
			v, err := cellValue(c, shared)
			if err != nil {
				return nil, fmt.Errorf("cell %s: %w", c.Ref, err)
			}
			for len(vals) < col {
				vals = append(vals, nil)
			}
			vals = append(vals, v)
		}
		for len(vals) > 0 && vals[len(vals)-1] == nil {
			vals = vals[:len(vals)-1]
		}
		grid = append(grid, vals)
	}
	return grid, nil
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
