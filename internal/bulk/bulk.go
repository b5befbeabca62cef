// Package bulk generates large synthetic datasets for benchmarks on top of
// the demo dataset: suppliers, products, certifications, households with
// members and benefit links, and orders with lines. It writes with COPY on
// PostgreSQL and large multi-row INSERTs on SQLite, bypassing ent for speed,
// so every value it writes must already satisfy the ent schema's rules.
package bulk

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"bangfu/internal/gid"
	"bangfu/internal/store"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
)

// Plan says how many rows to generate.
type Plan struct {
	Households int // each with 1–5 members and one benefit link
	Products   int // one supplier per 10 products; 4 in 5 certified
	OrderLines int // 1–4 lines per order
	// AllSettled makes every order SETTLED (benchmarks of figures over
	// settled lines); otherwise statuses follow a realistic mix.
	AllSettled bool
}

// PlanForScale is n scale units: per unit 10k households, 10k products and
// 100k order lines, so scale 10 is the 100k households / 1M lines benchmark.
func PlanForScale(n int) Plan {
	return Plan{Households: 10_000 * n, Products: 10_000 * n, OrderLines: 100_000 * n}
}

// Report says what was written and how long each table took.
type Report struct {
	Rows  map[string]int
	Times map[string]time.Duration
	Total time.Duration
}

// Generate writes the planned rows. The database must already hold the
// demo dataset (regions and buyers come from it).
func Generate(ctx context.Context, db *store.DB, plan Plan, progress io.Writer) (*Report, error) {
	if plan.Households < 1 || plan.Products < 10 || plan.OrderLines < 1 {
		return nil, fmt.Errorf("plan needs at least 1 household, 10 products and 1 order line")
	}
	g := &gen{db: db, plan: plan, rnd: rand.New(rand.NewPCG(uint64(plan.OrderLines), 42)), now: time.Now().UTC(), progress: progress,
		report: &Report{Rows: map[string]int{}, Times: map[string]time.Duration{}}}
	start := time.Now()
	if err := g.loadBase(ctx); err != nil {
		return nil, err
	}
	steps := []func(context.Context) error{g.writeSuppliers, g.writeProducts, g.writeHouseholds, g.writeOrders}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	g.report.Total = time.Since(start)
	return g.report, nil
}

type gen struct {
	db       *store.DB
	plan     Plan
	rnd      *rand.Rand
	now      time.Time
	progress io.Writer
	report   *Report

	counties  []int          // helped-side county ids
	codeOf    map[int]string // county id → 6-digit code
	villages  map[int][]int  // county → village ids
	buyers    []int
	suppliers []int // generated supplier ids
	supCounty map[int]int
	products  []product
}

type product struct {
	id, supplier int
	price        int64
	certified    bool
}

func (g *gen) q(query string) string {
	if g.db.Dialect != dialect.Postgres {
		return query
	}
	n := 0
	var b strings.Builder
	for _, c := range query {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (g *gen) ints(ctx context.Context, query string, args ...any) ([]int, error) {
	rows, err := g.db.SQL.QueryContext(ctx, g.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (g *gen) loadBase(ctx context.Context) error {
	var err error
	if g.counties, err = g.ints(ctx, `SELECT id FROM regions WHERE level = 'COUNTY' AND poverty_county_832 = ? ORDER BY id`, true); err != nil {
		return err
	}
	if g.buyers, err = g.ints(ctx, `SELECT id FROM organizations WHERE kind IN ('AGENCY','BUDGET_UNIT','UNION','SOE','ENTERPRISE','DESIGNATED_UNIT') ORDER BY id`); err != nil {
		return err
	}
	if len(g.counties) == 0 || len(g.buyers) == 0 {
		return fmt.Errorf("load the demo dataset first: no counties or buyers found")
	}
	g.codeOf = map[int]string{}
	err = g.each(ctx, `SELECT id, code FROM regions WHERE level = 'COUNTY'`, func(rows *sql.Rows) error {
		var id int
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return err
		}
		g.codeOf[id] = code
		return nil
	})
	if err != nil {
		return err
	}
	g.villages = map[int][]int{}
	return g.each(ctx, `SELECT v.id, t.parent_id FROM regions v JOIN regions t ON v.parent_id = t.id WHERE v.level = 'VILLAGE'`, func(rows *sql.Rows) error {
		var v, county int
		if err := rows.Scan(&v, &county); err != nil {
			return err
		}
		g.villages[county] = append(g.villages[county], v)
		return nil
	})
}

// each runs query and calls scan for every row.
func (g *gen) each(ctx context.Context, query string, scan func(*sql.Rows) error) error {
	rows, err := g.db.SQL.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// nextID is the first free key in typ's block.
func (g *gen) nextID(ctx context.Context, table, typ string) (int, error) {
	var last sql.NullInt64
	if err := g.db.SQL.QueryRowContext(ctx, "SELECT MAX(id) FROM "+table).Scan(&last); err != nil {
		return 0, err
	}
	next := gid.Start(typ) + 1
	if last.Valid && int(last.Int64) >= next {
		next = int(last.Int64) + 1
	}
	return next, nil
}

// write inserts n rows into table; row(i, dst) fills row i's values.
func (g *gen) write(ctx context.Context, table string, cols []string, n int, row func(i int, dst []any)) error {
	start := time.Now()
	var err error
	if g.db.Dialect == dialect.Postgres {
		err = g.copyPG(ctx, table, cols, n, row)
	} else {
		err = g.insertSQLite(ctx, table, cols, n, row)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", table, err)
	}
	d := time.Since(start)
	g.report.Rows[table] += n
	g.report.Times[table] += d
	if g.progress != nil {
		fmt.Fprintf(g.progress, "%-18s %9d rows in %v\n", table, n, d.Round(time.Millisecond))
	}
	return nil
}

func (g *gen) copyPG(ctx context.Context, table string, cols []string, n int, row func(int, []any)) error {
	tx, err := g.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pq.QuoteIdentifier(c)
	}
	stmt, err := tx.PrepareContext(ctx, "COPY "+pq.QuoteIdentifier(table)+" ("+strings.Join(quoted, ", ")+") FROM STDIN")
	if err != nil {
		return err
	}
	defer stmt.Close()
	dst := make([]any, len(cols))
	for i := 0; i < n; i++ {
		row(i, dst)
		if _, err := stmt.ExecContext(ctx, dst...); err != nil {
			return err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	// Explicit keys bypass the identity sequence; move it past them.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))`, table, table)); err != nil {
		return err
	}
	return tx.Commit()
}

func (g *gen) insertSQLite(ctx context.Context, table string, cols []string, n int, row func(int, []any)) error {
	batch := 30_000 / len(cols) // stay under SQLite's bound-parameter limit
	tx, err := g.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	prefix := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES "
	var full *sql.Stmt
	args := make([]any, 0, batch*len(cols))
	dst := make([]any, len(cols))
	flush := func() error {
		rows := len(args) / len(cols)
		if rows == 0 {
			return nil
		}
		var err error
		if rows == batch {
			if full == nil {
				//nolint:sqlclosecheck // prepared on tx: its Commit or Rollback closes it
				if full, err = tx.PrepareContext(ctx, prefix+strings.TrimSuffix(strings.Repeat(one+",", batch), ",")); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, prefix+strings.TrimSuffix(strings.Repeat(one+",", rows), ","), args...)
		}
		args = args[:0]
		return err
	}
	for i := 0; i < n; i++ {
		row(i, dst)
		args = append(args, dst...)
		if len(args) == batch*len(cols) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if full != nil {
		full.Close()
	}
	return tx.Commit()
}
