package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"bangfu/internal/agreements"
	"bangfu/internal/evaluation"
	"bangfu/internal/evidence"
	"bangfu/internal/gid"
	"bangfu/internal/integrity"
	"bangfu/internal/xlsx"
)

// Progress exports, for coordinators who work in Excel. Both need a bearer
// token and return the same figures as the GraphQL queries:
//
//	GET /exports/agreement-progress.{csv,xlsx}?agreementId=<ID>&year=<YYYY>
//	GET /exports/progress-rollup.{csv,xlsx}?scope=EAST_REGION|WEST_REGION|DESIGNATED_UNIT&id=<ID>&year=<YYYY>
type exports struct {
	svc       *agreements.Service
	integrity *integrity.Service
	evidence  *evidence.Builder
	records   records
	// evaluation serves GET /exports/verification-visits.{csv,xlsx}?year=<YYYY>[&countyId=<ID>]:
	// the visits the caller may read (auditors, and the evaluators and
	// officials of the county).
	evaluation *evaluation.Service
	log        *slog.Logger
}

func (e exports) register(mux *http.ServeMux) {
	tables := map[string]func(*http.Request, int) (agreements.Table, error){}
	tables["agreement-progress"] = func(r *http.Request, year int) (agreements.Table, error) {
		id, err := idParam(r, "agreementId", "Agreement")
		if err != nil {
			return agreements.Table{}, err
		}
		p, err := e.svc.Progress(r.Context(), id, year)
		if err != nil {
			return agreements.Table{}, err
		}
		return agreements.ProgressTable(p), nil
	}
	tables["progress-rollup"] = func(r *http.Request, year int) (agreements.Table, error) {
		scope := agreements.RollupScope(r.URL.Query().Get("scope"))
		typ := "Region"
		if scope == agreements.DesignatedUnit {
			typ = "Organization"
		}
		id, err := idParam(r, "id", typ)
		if err != nil {
			return agreements.Table{}, err
		}
		ru, err := e.svc.Rollup(r.Context(), scope, id, year)
		if err != nil {
			return agreements.Table{}, err
		}
		return agreements.RollupTable(ru), nil
	}
	tables["verification-visits"] = func(r *http.Request, year int) (agreements.Table, error) {
		county := 0
		if r.URL.Query().Get("countyId") != "" {
			id, err := idParam(r, "countyId", "Region")
			if err != nil {
				return agreements.Table{}, err
			}
			county = id
		}
		t, err := e.evaluation.VisitsTable(r.Context(), county, year)
		return agreements.Table{Title: "核查 Verification", Header: t.Header, Rows: t.Rows}, err
	}
	mux.HandleFunc("GET /exports/evidence", e.serveEvidence)
	mux.HandleFunc("GET /exports/{file}", func(w http.ResponseWriter, r *http.Request) {
		name, format, _ := strings.Cut(r.PathValue("file"), ".")
		if name == "households" && (format == "csv" || format == "xlsx") {
			e.records.export(w, r, format)
			return
		}
		if name == "flags" && (format == "csv" || format == "xlsx") {
			e.serveFlags(w, r, format)
			return
		}
		build, ok := tables[name]
		if !ok || format != "csv" && format != "xlsx" {
			writeProblem(w, http.StatusNotFound, "NOT_FOUND", "no such export; see the README for the export paths")
			return
		}
		e.serve(w, r, name, format, build)
	})
}

// serveEvidence answers GET /exports/evidence?agreementId=<ID>&year=<YYYY>:
// the bundle a third-party evaluator checks offline (internal/evidence,
// and 'server verify').
func (e exports) serveEvidence(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "agreementId", "Agreement")
	if err != nil {
		fail(w, r, e.log, err)
		return
	}
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil {
		fail(w, r, e.log, badParam{"year must be a number such as 2026"})
		return
	}
	b, err := e.evidence.Build(r.Context(), id, year)
	if err != nil {
		fail(w, r, e.log, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="evidence-%d.json"`, year))
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(b)
}

// serveFlags answers GET /exports/flags.{csv,xlsx}?status=OPEN&code=…:
// the integrity flags for auditors (AUDITOR, ADMIN, by the Flag policy).
func (e exports) serveFlags(w http.ResponseWriter, r *http.Request, format string) {
	rows, err := e.integrity.Export(r.Context(), r.URL.Query().Get("status"), r.URL.Query().Get("code"))
	if err != nil {
		fail(w, r, e.log, err)
		return
	}
	t := agreements.Table{Title: "疑点 Integrity flags", Header: integrity.ExportHeader, Rows: rows}
	e.sendTable(w, r, format, "flags."+format, "疑点 Flags", t)
}

// badParam is a query parameter that cannot be used.
type badParam struct{ msg string }

func (b badParam) Error() string     { return b.msg }
func (b badParam) ErrorCode() string { return "BAD_USER_INPUT" }

func idParam(r *http.Request, name, typ string) (int, error) {
	raw := r.URL.Query().Get(name)
	id, got, err := gid.Decode(raw)
	if err != nil || got != typ {
		return 0, badParam{fmt.Sprintf("%s must be the ID of a %s", name, typ)}
	}
	return id, nil
}

func (e exports) serve(w http.ResponseWriter, r *http.Request, name, format string, build func(*http.Request, int) (agreements.Table, error)) {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "BAD_USER_INPUT", "year must be a number such as 2026")
		return
	}
	t, err := build(r, year)
	if err != nil {
		fail(w, r, e.log, err)
		return
	}
	sheet := "进展 Progress"
	if name == "verification-visits" {
		sheet = t.Title
	}
	e.sendTable(w, r, format, fmt.Sprintf("%s-%d.%s", name, year, format), sheet, t)
}

// sendTable writes t as a CSV or XLSX (on the sheet named sheet) download
// called filename.
func (e exports) sendTable(w http.ResponseWriter, r *http.Request, format, filename, sheet string, t agreements.Table) {
	var buf bytes.Buffer
	var err error
	switch format {
	case "csv":
		err = writeCSV(&buf, t)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	case "xlsx":
		err = xlsx.Write(&buf, xlsx.Sheet{Name: sheet, Header: t.Header, Rows: t.Rows})
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	if err != nil {
		fail(w, r, e.log, err)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, filename))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// writeCSV writes the table with a UTF-8 byte order mark, which Excel
// needs to read Chinese headers correctly. Text cells that a spreadsheet
// would run as a formula are quoted with a leading apostrophe.
func writeCSV(buf *bytes.Buffer, t agreements.Table) error {
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(buf)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			switch v := c.(type) {
			case nil:
			case string:
				if strings.ContainsAny(v[:min(1, len(v))], "=+-@") {
					v = "'" + v
				}
				rec[i] = v
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
