package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"

	"bangfu/internal/apperr"
	"bangfu/internal/households"
	"bangfu/internal/xlsx"
)

// MaxImportBytes bounds an uploaded household record (100,000 households
// with their members are about 40 MB of CSV).
const MaxImportBytes = 256 << 20

// records imports and exports the household registry in the national
// record's layout (households.Columns):
//
//	POST /imports/households[?dryRun=true][&incomeYear=YYYY][&format=csv]   body: the CSV or .xlsx file
//	GET  /exports/households.{csv,xlsx}[?incomeYear=YYYY]
type records struct {
	svc *households.Service
	log *slog.Logger
}

func (rc records) importFile(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dryRun := q.Get("dryRun") == "true" || q.Get("dryRun") == "1"
	incomeYear := 0
	if v := q.Get("incomeYear"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "BAD_USER_INPUT", "incomeYear must be a year such as 2025")
			return
		}
		incomeYear = y
	}
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if media != "text/csv" && media != xlsxType {
		writeProblem(w, http.StatusUnsupportedMediaType, "BAD_USER_INPUT",
			"send the file in the request body as text/csv (UTF-8) or as "+xlsxType)
		return
	}
	rep, err := rc.importBody(r.Context(), http.MaxBytesReader(w, r.Body, MaxImportBytes), media,
		households.ImportOptions{DryRun: dryRun, IncomeYear: incomeYear})
	if err != nil {
		fail(w, r, rc.log, err)
		return
	}
	status := http.StatusOK
	if len(rep.Problems) > 0 && !dryRun {
		status = http.StatusUnprocessableEntity // nothing was written
	}
	w.Header().Set("Cache-Control", "no-store")
	if q.Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv") {
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		cw := csv.NewWriter(&buf)
		_ = cw.Write([]string{"row", "column", "message"})
		for _, p := range rep.Problems {
			_ = cw.Write([]string{strconv.Itoa(p.Row), p.Column, p.Message})
		}
		cw.Flush()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(rep)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// importBody imports an uploaded file. The import reads the file twice
// (to check it, then to write it), so the upload is first spooled to a
// temporary file, never held in memory; its hash names it in the audit
// trail.
func (rc records) importBody(ctx context.Context, body io.Reader, media string, opts households.ImportOptions) (*households.ImportReport, error) {
	f, err := os.CreateTemp("", "bangfu-import-*")
	if err != nil {
		return nil, fmt.Errorf("spool the upload: %w", err)
	}
	defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }()
	hash := sha256.New()
	size, err := io.Copy(io.MultiWriter(f, hash), body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, apperr.BadInput("the file is larger than %d MB", MaxImportBytes>>20)
		}
		return nil, apperr.BadInput("the file could not be received: %v", err)
	}
	opts.FileSHA256 = hex.EncodeToString(hash.Sum(nil))
	open := func() (households.Rows, error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		cr := csv.NewReader(bufio.NewReader(f))
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		return csvRows{cr}, nil
	}
	if media == xlsxType {
		open = func() (households.Rows, error) {
			rows, err := xlsx.FirstSheet(f, size)
			if err != nil {
				return nil, apperr.BadInput("the file is not a readable .xlsx workbook: %v", err)
			}
			return &sheetRows{rows: rows}, nil
		}
	}
	return rc.svc.Import(ctx, open, opts)
}

// csvRows reads a CSV file's records.
type csvRows struct{ r *csv.Reader }

func (c csvRows) Next() ([]string, error) {
	rec, err := c.r.Read()
	if err == nil && len(rec) > 0 {
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
	}
	return rec, err
}

func (csvRows) Close() error { return nil }

// sheetRows reads a workbook's first sheet, its cells as text.
type sheetRows struct {
	rows *xlsx.Rows
	rec  []string
}

func (s *sheetRows) Next() ([]string, error) {
	vals, err := s.rows.Next()
	if err != nil {
		return nil, err
	}
	s.rec = s.rec[:0]
	for _, v := range vals {
		s.rec = append(s.rec, cellText(v))
	}
	return s.rec, nil
}

func (s *sheetRows) Close() error { return s.rows.Close() }

// cellText is a spreadsheet cell as the record's text. Numbers print in
// full (no exponent), so a 户编号 or 村代码 typed as a number reads back
// as its digits.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	}
	return fmt.Sprint(v)
}

// export writes the households the viewer may read, masked for the viewer.
func (rc records) export(w http.ResponseWriter, r *http.Request, format string) {
	incomeYear := 0
	if v := r.URL.Query().Get("incomeYear"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "BAD_USER_INPUT", "incomeYear must be a year such as 2025")
			return
		}
		incomeYear = y
	}
	var buf bytes.Buffer
	var rows [][]any
	var cw *csv.Writer
	if format == "csv" {
		buf.WriteString("\ufeff")
		cw = csv.NewWriter(&buf)
		_ = cw.Write(households.Columns)
	}
	err := rc.svc.Export(r.Context(), incomeYear, func(rec []string) error {
		if cw != nil {
			return cw.Write(safeCells(rec))
		}
		row := make([]any, len(rec))
		for i, c := range rec {
			row[i] = c
		}
		rows = append(rows, row)
		return nil
	})
	if err == nil && cw != nil {
		cw.Flush()
		err = cw.Error()
	}
	if err == nil && format == "xlsx" {
		err = xlsx.Write(&buf, xlsx.Sheet{Name: "建档立卡户", Header: households.Columns, Rows: rows})
	}
	if err != nil {
		fail(w, r, rc.log, err)
		return
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", xlsxType)
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="households.%s"`, format))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// safeCells quotes text a spreadsheet would run as a formula.
func safeCells(rec []string) []string {
	for i, v := range rec {
		if v != "" && strings.ContainsAny(v[:1], "=+-@") {
			rec[i] = "'" + v
		}
	}
	return rec
}
