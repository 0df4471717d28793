package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"

	"kexie/internal/app"
	"kexie/internal/register"
	"kexie/internal/sheet"
	"kexie/internal/unit"
)

// The speed targets of register imports and exports.
const (
	targetImportXLSX = 15 * time.Second // 100,000 rows × 12 columns, SQLite, end to end
	targetImportRSS  = 300 << 20        // peak RSS of a 1,000,000-row CSV import
	targetExportXLSX = 5 * time.Second  // 100,000 rows to XLSX
	benchRegister    = "bench_events"
)

// benchImport measures register imports and exports in a temporary
// database: a 100,000-row, 12-column workbook imported end to end (with a
// bare read of the same file by excelize's Rows() for the ratio), the same
// records exported to XLSX, and the peak memory of a child `kexie import`
// of a 1,000,000-row CSV file.
func benchImport(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench import")
	rows := fs.Int("rows", 100_000, "XLSX 行数 / rows of the workbook")
	csvRows := fs.Int("csv-rows", 1_000_000, "CSV 行数（0 不测） / rows of the CSV file for the memory figure (0 skips it)")
	cpuprofile := fs.String("cpuprofile", "", "导入和导出的 CPU 剖析文件 / write a CPU profile of the XLSX import and export to FILE")
	memprofile := fs.String("memprofile", "", "导入的内存分配剖析文件 / write an allocation profile of the XLSX import to FILE")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *rows < 1 || *csvRows < 0 {
		return errors.New("--rows ≥ 1, --csv-rows ≥ 0")
	}
	out := e.stdout
	tmp, err := openTempDB(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer tmp.drop()
	a, err := app.NewWithData(ctx, tmp.db, tmp.files)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "kexie bench import: %s (%s), %d CPUs, GOMAXPROCS %d, %s, load average %s\n",
		a.DB.Dialect.Name, tmp.where, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())
	units, err := benchRegisterSetup(ctx, a)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kexie-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// 1. a workbook of 100,000 rows: read bare, then imported
	book := filepath.Join(dir, "events.xlsx")
	start := time.Now()
	if err := writeBenchWorkbook(book, *rows, units); err != nil {
		return err
	}
	st, _ := os.Stat(book)
	fmt.Fprintf(out, "工作簿 / workbook: %d rows × 12 columns, %.1f MB, written in %s\n", *rows, float64(st.Size())/(1<<20), round(time.Since(start)))
	bare, err := bareRead(book)
	if err != nil {
		return err
	}
	own, err := ownRead(book)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "只读 / bare read: excelize Rows() %s; kexie's reader %s\n", round(bare), round(own))
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	f, err := os.Open(book)
	if err != nil {
		return err
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	start = time.Now()
	res, err := a.Registers.Import(ctx, register.System(), benchRegister, f, st.Size(), register.ImportOptions{FileName: "events.xlsx", SpoolDir: dir})
	took := time.Since(start)
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&ms1)
	f.Close()
	if *memprofile != "" {
		if err := writeHeapProfile(*memprofile); err != nil {
			return err
		}
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(out, "导入 / import XLSX: %d created in %s (%.0f rows/s), %.1f× the bare read; target %s: %s\n",
		res.Created, round(took), float64(*rows)/took.Seconds(), took.Seconds()/bare.Seconds(), targetImportXLSX, verdict(took < targetImportXLSX && res.Created == *rows))
	fmt.Fprintf(out, "        CPU %s (user + system, both cores); Go heap allocated during the import: %d MB in all\n", round(cpu), (ms1.TotalAlloc-ms0.TotalAlloc)>>20)
	start = time.Now()
	res, err = a.Registers.Import(ctx, register.System(), benchRegister, mustOpen(book), st.Size(), register.ImportOptions{FileName: "events.xlsx", SpoolDir: dir})
	if err != nil {
		return fmt.Errorf("import again: %w", err)
	}
	fmt.Fprintf(out, "再导入 / import again: %d unchanged in %s\n", res.Unchanged, round(time.Since(start)))

	// 2. the same records exported
	cpu0 = cpuTime()
	start = time.Now()
	n, err := a.Registers.Export(ctx, register.System(), benchRegister, register.Filter{Sort: "date"}, register.ExportOptions{Format: register.ExportXLSX}, io.Discard)
	took = time.Since(start)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(out, "导出 / export XLSX: %d records in %s (CPU %s); target %s: %s\n", n, round(took), round(cpuTime()-cpu0), targetExportXLSX, verdict(took < targetExportXLSX && n == *rows))
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}

	// 3. a CSV file of 1,000,000 rows imported by a child process, whose peak RSS is measured
	if *csvRows == 0 {
		return nil
	}
	csvFile := filepath.Join(dir, "events.csv")
	if err := writeBenchCSV(csvFile, *csvRows, units); err != nil {
		return err
	}
	st, _ = os.Stat(csvFile)
	fmt.Fprintf(out, "CSV: %d rows, %.0f MB\n", *csvRows, float64(st.Size())/(1<<20))
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dbFlag, err := childDB(e.cfg, tmp)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, self, dbFlag, "import", "--register", benchRegister, csvFile)
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	var childOut strings.Builder
	cmd.Stdout, cmd.Stderr = &childOut, &childOut
	start = time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("child import: %w", err)
	}
	hwm := watchHighWater(cmd.Process.Pid)
	err = cmd.Wait()
	took = time.Since(start)
	peak := hwm()
	if err != nil {
		return fmt.Errorf("child import: %w: %s", err, childOut.String())
	}
	fmt.Fprintf(out, "导入 / import CSV in a child process: %s in %s (%.0f rows/s, CPU %s)\n", strings.TrimSpace(finalLine(childOut.String())), round(took),
		float64(*csvRows)/took.Seconds(), round(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()))
	fmt.Fprintf(out, "        peak RSS %d MB; target %d MB: %s\n", peak>>20, targetImportRSS>>20, verdict(peak > 0 && peak < targetImportRSS))
	return nil
}

// watchHighWater follows the peak resident memory of process pid (its
// VmHWM) until the function it returns is called, which gives the last
// figure read. The kernel's rusage of a child is no measure of it: a child
// runs on its parent's memory from fork to exec, and its maximum RSS
// counts what the parent held then.
func watchHighWater(pid int) func() int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			if b, err := os.ReadFile(path); err == nil {
				if v := statusKiB(string(b), "VmHWM:"); v<<10 > peak.Load() {
					peak.Store(v << 10)
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

// statusKiB reads a "Name:   123 kB" line of /proc/PID/status.
func statusKiB(status, name string) int64 {
	for line := range strings.Lines(status) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			var v int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &v)
			return v
		}
	}
	return 0
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeHeapProfile writes the allocations made so far.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

// finalLine is the last line of a command's output.
func finalLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func mustOpen(path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	return f
}

// childDB is the --data or --db flag that opens the bench's database in a
// child process.
func childDB(cfg app.Config, tmp *tempDB) (string, error) {
	if strings.HasPrefix(cfg.DSN, "postgres://") || strings.HasPrefix(cfg.DSN, "postgresql://") {
		where, err := url.Parse(tmp.where)
		if err != nil {
			return "", err
		}
		u, err := url.Parse(cfg.DSN)
		if err != nil {
			return "", err
		}
		q := u.Query()
		q.Set("search_path", where.Query().Get("search_path"))
		u.RawQuery = q.Encode()
		return "--db=" + u.String(), nil
	}
	return "--db=" + tmp.where, nil
}

// benchRegisterSetup builds a small province and the bench register, and
// returns the codes of the units rows go to.
func benchRegisterSetup(ctx context.Context, a *app.App) ([]string, error) {
	if _, err := buildTree(ctx, a, 300); err != nil {
		return nil, err
	}
	page, err := a.Units.List(ctx, unit.Everything(), unit.Filter{Type: "county", PerPage: unit.MaxPerPage})
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, u := range page.Items {
		codes = append(codes, u.Code)
	}
	opts := func(pairs ...string) []register.Option {
		var out []register.Option
		for i := 0; i+2 < len(pairs)+1; i += 3 {
			out = append(out, register.Option{Code: pairs[i], NameZH: pairs[i+1], NameEN: pairs[i+2]})
		}
		return out
	}
	_, err = a.Registers.Define(ctx, register.Schema{Code: benchRegister, NameZH: "基准测试活动", NameEN: "Bench events",
		DateField: "held_on", NaturalKey: []string{"title", "held_on"}, Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "活动名称", NameEN: "Title", Required: true, MaxLength: 100},
			{Code: "held_on", Type: register.TypeDate, NameZH: "举办日期", NameEN: "Held on", Required: true},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", NameEN: "Mode", Options: opts("online", "线上", "Online", "offline", "线下", "Offline")},
			{Code: "participants", Type: register.TypeInteger, NameZH: "参与人次", NameEN: "Participants", Min: "0"},
			{Code: "budget", Type: register.TypeMoney, NameZH: "经费", NameEN: "Budget"},
			{Code: "coverage", Type: register.TypePercent, NameZH: "覆盖率", NameEN: "Coverage"},
			{Code: "live", Type: register.TypeBoolean, NameZH: "是否直播", NameEN: "Live"},
			{Code: "contact", Type: register.TypeMobile, NameZH: "联系电话", NameEN: "Contact", Sensitive: true},
			{Code: "topics", Type: register.TypeOptions, NameZH: "主题", NameEN: "Topics", Options: opts("health", "健康", "Health", "ai", "人工智能", "AI", "farming", "农业", "Farming")},
			{Code: "venue", Type: register.TypeText, NameZH: "地点", NameEN: "Venue"},
			{Code: "notes", Type: register.TypeLongText, NameZH: "备注", NameEN: "Notes"},
		}}, register.Migration{}, false)
	return codes, err
}

// benchRow is the i-th row of the bench's files: the unit code and the
// 11 fields.
func benchRow(i int, units []string) (string, string, time.Time, string, int, float64, float64, string, string, string, string, string) {
	day := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365)
	mode := []string{"线上", "线下"}[i%2]
	live := []string{"是", "否"}[i%3%2]
	topics := []string{"健康", "人工智能；农业", "健康；人工智能"}[i%3]
	return units[i%len(units)], fmt.Sprintf("科普活动第%07d场", i), day, mode, i % 5000, float64(i%1000000) / 100, float64(i%10000) / 10000,
		live, fmt.Sprintf("139%08d", i%100000000), topics, fmt.Sprintf("第%d报告厅", i%50), fmt.Sprintf("备注 %d：面向社区居民的科普讲座", i)
}

func writeBenchWorkbook(path string, n int, units []string) error {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	pct, _ := x.NewStyle(&excelize.Style{NumFmt: 10})
	head := []any{"单位代码 / Unit code", "活动名称 / Title", "举办日期 / Held on", "形式 / Mode", "参与人次 / Participants", "经费 / Budget",
		"覆盖率 / Coverage", "是否直播 / Live", "联系电话 / Contact", "主题 / Topics", "地点 / Venue", "备注 / Notes"}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i := range n {
		u, title, day, mode, people, budget, cov, live, contact, topics, venue, notes := benchRow(i, units)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{u, title, excelize.Cell{StyleID: dateStyle, Value: day}, mode, people, budget,
			excelize.Cell{StyleID: pct, Value: cov}, live, contact, topics, venue, notes}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.SaveAs(path)
}

func writeBenchCSV(path string, n int, units []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "单位代码,活动名称,举办日期,形式,参与人次,经费,覆盖率,是否直播,联系电话,主题,地点,备注")
	for i := range n {
		u, title, day, mode, people, budget, cov, live, contact, topics, venue, notes := benchRow(i, units)
		fmt.Fprintf(w, "%s,CSV%s,%s,%s,%d,%.2f,%.2f%%,%s,%s,%s,%s,%s\n", u, title, day.Format("2006/1/2"), mode, people, budget, cov*100,
			live, contact, topics, venue, notes)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// bareRead reads every cell of the workbook's first sheet with excelize's
// Rows() iterator and nothing else: the floor an import is compared with.
func bareRead(path string) (time.Duration, error) {
	start := time.Now()
	x, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return 0, err
	}
	defer x.Close()
	rows, err := x.Rows(x.GetSheetList()[0])
	if err != nil {
		return 0, err
	}
	cells := 0
	for rows.Next() {
		c, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return 0, err
		}
		cells += len(c)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// ownRead reads the workbook with the reader imports use.
func ownRead(path string) (time.Duration, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, _ := f.Stat()
	rd, p := sheet.Open(f, st.Size(), path, sheet.Limits{Bytes: 1 << 30, Unzip: 1 << 30})
	if p != nil {
		return 0, fmt.Errorf("read: %s", p.Key)
	}
	defer rd.Close()
	for rd.Next() {
	}
	if p := rd.Problem(); p != nil {
		return 0, fmt.Errorf("read: %s", p.Key)
	}
	return time.Since(start), nil
}
