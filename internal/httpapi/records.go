package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"bangfu/internal/households"
	"bangfu/internal/xlsx"
)

// MaxImportBytes bounds an uploaded household record (100,000 households
// with their members are about 40 MB of CSV).
const MaxImportBytes = 256 << 20

// records imports and exports the household registry in the national
// record's layout (households.Columns):
//
//	POST /imports/households[?dryRun=true][&incomeYear=YYYY][&format=csv]   body: the CSV file
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
	if media != "text/csv" {
		writeProblem(w, http.StatusUnsupportedMediaType, "BAD_USER_INPUT", "send the file as text/csv (UTF-8) in the request body")
		return
	}
	// The file is read once, as it arrives; its hash names it in the audit trail.
	hash := sha256.New()
	body := io.TeeReader(http.MaxBytesReader(w, r.Body, MaxImportBytes), hash)
	cr := csv.NewReader(body)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rep, err := rc.svc.Import(r.Context(), func() ([]string, error) {
		rec, err := cr.Read()
		if err == nil && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		return rec, err
	}, households.ImportOptions{DryRun: dryRun, IncomeYear: incomeYear, FileSHA256: func() string { return hex.EncodeToString(hash.Sum(nil)) }})
	if err != nil {
		exports{log: rc.log}.fail(w, r, err)
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
		exports{log: rc.log}.fail(w, r, err)
		return
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
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
