package households_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"bangfu/ent/region"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/households"
	"bangfu/internal/monitoring"
	"bangfu/internal/store/storetest"
	"bangfu/internal/validate"
	"bangfu/internal/viewer"
)

// BenchmarkImport imports a province's record: 100,000 households with
// 350,000 members (BANGFU_BENCH_HOUSEHOLDS changes the count) into a
// database that holds only the framework, then imports the same file again
// (every household unchanged). It reports the wall time of each and the
// process's peak resident memory during the first (VmHWM, reset before
// it). On PostgreSQL:
//
//	BANGFU_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	  go test -run '^$' -bench Import -benchtime 1x ./internal/households/
func BenchmarkImport(b *testing.B) {
	n := 100_000
	if v := os.Getenv("BANGFU_BENCH_HOUSEHOLDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.Open(b)
		sys := storetest.AsSystem()
		if err := demo.LoadFramework(sys, db); err != nil {
			b.Fatal(err)
		}
		codes := db.Client.Region.Query().Where(region.LevelEQ(region.LevelVILLAGE)).Order(region.ByCode()).
			Select(region.FieldCode).StringsX(sys)
		file, members := writeRecord(b, n, codes)
		svc := households.New(db.Client, clock.Real, monitoring.New(db.Client, clock.Real))
		admin := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1, Grants: []viewer.Grant{{Role: viewer.Admin}}})
		debug.FreeOSMemory()
		resetPeakRSS(b)
		b.StartTimer()

		start := time.Now()
		stop := sampleLiveHeap()
		rep := importFile(admin, b, svc, file)
		first := time.Since(start)
		live := stop()
		peak := peakRSS(b)
		if !rep.Written || rep.Created != n || rep.Rows != members {
			b.Fatalf("import: created %d of %d households, %d rows of %d, %d problems (first: %v)",
				rep.Created, n, rep.Rows, members, len(rep.Problems), rep.Problems[:min(len(rep.Problems), 3)])
		}
		start = time.Now()
		again := importFile(admin, b, svc, file)
		second := time.Since(start)
		if again.Unchanged != n || again.Created+again.Updated != 0 {
			b.Fatalf("importing the same file again: %+v", again)
		}
		b.ReportMetric(first.Seconds(), "s/import")
		b.ReportMetric(second.Seconds(), "s/reimport")
		b.ReportMetric(float64(peak)/(1<<20), "MB_peak_RSS")
		b.ReportMetric(float64(live)/(1<<20), "MB_peak_live_heap")
		b.Logf("%d households, %d members: import %v (peak RSS %d MB, live heap at most %d MB), the same file again %v",
			n, members, first.Round(time.Millisecond), peak>>20, live>>20, second.Round(time.Millisecond))
	}
}

// writeRecord writes a record of n households (1 to 6 members, 3.5 on
// average) spread over the villages, every member with a valid ID number.
func writeRecord(b *testing.B, n int, villages []string) (string, int) {
	path := filepath.Join(b.TempDir(), "record.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(bufio.NewWriter(f))
	col := map[string]int{}
	for i, c := range households.Columns {
		col[c] = i
	}
	_ = w.Write(households.Columns)
	rec := make([]string, len(households.Columns))
	relations := []string{"户主", "配偶", "之子", "之女", "之父", "之母"}
	members := 0
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for h := range n {
		village := villages[h%len(villages)]
		size := 1 + h%6 // 1..6: 3.5 on average
		for m := range size {
			clear(rec)
			day := birth.AddDate(0, 0, members/1000)
			body := fmt.Sprintf("%s%s%03d", village[:6], day.Format("20060102"), members%1000)
			check, err := validate.ResidentIDCheckChar(body)
			if err != nil {
				b.Fatal(err)
			}
			rec[col["户编号"]] = fmt.Sprintf("%s%08d", village, h)
			rec[col["村代码"]] = village
			rec[col["户主姓名"]] = fmt.Sprintf("户主%d", h)
			rec[col["成员姓名"]] = fmt.Sprintf("成员%d-%d", h, m)
			rec[col["身份证号"]] = body + string(check)
			rec[col["与户主关系"]] = relations[m]
			rec[col["健康状况"]] = "健康"
			rec[col["主要致贫原因"]] = []string{"因病", "因学", "缺技术", "缺劳力"}[h%4]
			rec[col["贫困户属性"]] = "一般贫困户"
			rec[col["人均纯收入"]] = fmt.Sprintf("%d.%02d", 5000+h%4000, h%100)
			if m == 0 {
				rec[col["联系电话"]] = fmt.Sprintf("138%08d", h)
			}
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
			members++
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, members
}

func importFile(ctx context.Context, b *testing.B, svc *households.Service, path string) *households.ImportReport {
	rep, err := svc.Import(ctx, func() (households.Rows, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(bufio.NewReader(f))
		r.ReuseRecord = true
		return fileRows{r, f}, nil
	}, households.ImportOptions{IncomeYear: 2025, FileSHA256: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

type fileRows struct {
	r *csv.Reader
	f *os.File
}

func (r fileRows) Next() ([]string, error) { return r.r.Read() }
func (r fileRows) Close() error            { return r.f.Close() }

// sampleLiveHeap samples the heap the last GC found live, every 20 ms,
// until the returned function is called; that returns the largest sample.
func sampleLiveHeap() func() uint64 {
	done := make(chan struct{})
	out := make(chan uint64)
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-out }
}

// resetPeakRSS resets the kernel's record of this process's peak resident
// memory (Linux: writing 5 to clear_refs).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak memory not reset (%v): it includes set-up", err)
	}
}

// peakRSS is the process's peak resident memory in bytes (VmHWM).
func peakRSS(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
