package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"kexie/internal/app"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// benchRollup measures the heart of kexie's figures: a province-wide
// figure and its breakdown by the 13 cities, read through the facts kept
// current on every write, against a plain GROUP BY over the raw records.
// It also measures record writes with and without rollup maintenance.
func benchRollup(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench rollup")
	records := fs.Int("records", 2_000_000, "记录数 / register records")
	units := fs.Int("units", 10_000, "单位数 / units in the synthetic tree")
	writes := fs.Int("writes", 5_000, "逐条写入的记录数 / records written one by one through the service")
	runs := fs.Int("runs", 5, "每种读取和批量导入的次数 / runs of each read and batch import (the median is reported)")
	cpuprofile := fs.String("cpuprofile", "", "CPU 剖析文件 / write a CPU profile of the whole run to FILE")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *records < 1 || *units < 200 || *runs < 1 {
		return errors.New("--records ≥ 1, --units ≥ 200, --runs ≥ 1")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	out := e.stdout
	a, drop, err := openBenchApp(ctx, e, "rollup")
	if err != nil {
		return err
	}
	defer drop()
	took, err := buildTree(ctx, a, *units)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "建树 / build tree: %d units in %s\n", *units, round(took))
	if _, err := a.Registers.Define(ctx, benchSchema("bench_events"), register.Migration{}, false); err != nil {
		return err
	}
	t0 := time.Now()
	if err := bulkRecords(ctx, a, *records); err != nil {
		return err
	}
	fmt.Fprintf(out, "载入记录 / load records: %d in %s (bulk SQL, for the bench only)\n", *records, round(time.Since(t0)))
	// writes through the service, one record at a time in one transaction,
	// into the same register before its metrics exist and after: the
	// difference is what keeping the rollups costs
	without, err := timeWrites(ctx, a, "bench_events", "无指标", *writes)
	if err != nil {
		return err
	}
	importWithout, err := medianImport(ctx, a, out, "bench_events", "无指标导入", *writes, *runs)
	if err != nil {
		return err
	}
	defs := benchMetrics()
	for _, d := range defs {
		t0 := time.Now()
		if _, err := a.Metrics.Define(ctx, d); err != nil {
			return err
		}
		fmt.Fprintf(out, "建立指标 / build facts of %-16s %s\n", d.Code, round(time.Since(t0)))
	}

	// reads: the province and each of the 13 cities, for every metric
	cities, err := a.Units.List(ctx, unit.Everything(), unit.Filter{Parent: benchRoot, Type: "city", PerPage: 100})
	if err != nil {
		return err
	}
	const period = "2021S1"
	// as a metric's page reads them: the province's figure, then its
	// breakdown by the cities in one read
	readFacts := func() (map[string]float64, error) {
		got := map[string]float64{}
		for _, d := range defs {
			f, err := a.Metrics.Value(ctx, unit.Everything(), d.Code, benchRoot, period)
			if err != nil {
				return nil, err
			}
			if f.Value != nil {
				got[d.Code+"/"+benchRoot] = *f.Value
			}
			b, err := a.Metrics.ByChildren(ctx, unit.Everything(), d.Code, benchRoot, period, "city")
			if err != nil {
				return nil, err
			}
			for _, p := range b.Parts {
				if p.Value != nil {
					got[d.Code+"/"+p.Key] = *p.Value
				}
			}
		}
		if len(got) < len(defs)*(1+len(cities.Items)) {
			return nil, fmt.Errorf("%d figures read, want %d", len(got), len(defs)*(1+len(cities.Items)))
		}
		return got, nil
	}
	readRaw := func() (map[string]float64, error) { return groupByRaw(ctx, a, period) }
	factsTime, factsVals, err := medianOf(*runs, readFacts)
	if err != nil {
		return err
	}
	rawTime, rawVals, err := medianOf(*runs, readRaw)
	if err != nil {
		return err
	}
	for k, v := range rawVals {
		if factsVals[k] != v {
			return fmt.Errorf("figures disagree: %s is %v through the facts and %v by GROUP BY", k, factsVals[k], v)
		}
	}
	fmt.Fprintf(out, "读取（事实表）/ read through facts: %d metrics × (province + 13 cities) in %s\n", len(defs), factsTime)
	fmt.Fprintf(out, "读取（原始记录 GROUP BY）/ read by GROUP BY over raw records: %s\n", rawTime)

	with, err := timeWrites(ctx, a, "bench_events", "含指标", *writes)
	if err != nil {
		return err
	}
	importWith, err := medianImport(ctx, a, out, "bench_events", "含指标导入", *writes, *runs)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "写入（含汇总维护）/ writes with rollups: %.0f records/s (%d records)\n", float64(*writes)/with.Seconds(), *writes)
	fmt.Fprintf(out, "写入（无指标）/ writes without rollups: %.0f records/s; rollups cost %.2f× per write\n",
		float64(*writes)/without.Seconds(), with.Seconds()/without.Seconds())
	fmt.Fprintf(out, "批量导入（CSV，含汇总维护，%d 次的中位数）/ batch import with rollups (median of %d): %.0f records/s; without: %.0f records/s; rollups cost %.2f× per record\n", *runs, *runs,
		float64(*writes)/importWith.Seconds(), float64(*writes)/importWithout.Seconds(), importWith.Seconds()/importWithout.Seconds())
	diffs, err := a.Metrics.Verify(ctx, "")
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%d facts differ from the records after the writes", len(diffs))
	}
	fmt.Fprintf(out, "rollup %.0fx faster than GROUP BY over raw records (%d records, %d units)\n",
		rawTime.Seconds()/factsTime.Seconds(), *records, *units)
	return nil
}

func benchSchema(code string) register.Schema {
	return register.Schema{Code: code, NameZH: "基准测试活动", NameEN: "Benchmark events", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "kind", Type: register.TypeOption, NameZH: "类别", Options: []register.Option{
				{Code: "lecture", NameZH: "讲座"}, {Code: "exhibit", NameZH: "展览"}, {Code: "training", NameZH: "培训"}, {Code: "outreach", NameZH: "基层行"}}},
			{Code: "people", Type: register.TypeInteger, NameZH: "参与人次"},
			{Code: "enterprise", Type: register.TypeText, NameZH: "服务企业"},
		}}
}

func benchMetrics() []metric.Def {
	return []metric.Def{
		{Code: "b_events", NameZH: "活动场次", Unit: "场次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "bench_events"},
		{Code: "b_people", NameZH: "参与人次", Unit: "人次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "bench_events", Field: "people", Breakdown: "kind"},
		{Code: "b_lectures", NameZH: "讲座场次", Unit: "场次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "bench_events", Filter: `kind == "lecture"`},
		{Code: "b_enterprises", NameZH: "服务企业数", Unit: "家", Aggregation: metric.Distinct, Source: metric.FromRegister, Register: "bench_events", Field: "enterprise"},
	}
}

var benchKindsEv = []string{"lecture", "exhibit", "training", "outreach"}

// bulkRecords fills bench_events with n records spread over every unit
// below the root and the days of 2021, in multi-row inserts. It bypasses
// the service (no validation, audit or facts: the metrics are defined
// afterwards and build their facts from the records).
func bulkRecords(ctx context.Context, a *app.App, n int) error {
	ids, err := benchUnitIDs(ctx, a)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2021, 6))
	now := time.Now().UTC()
	cols := []string{"unit_id", "date", "nkey", "status", "search", "created_at", "updated_at", "f_title", "f_day", "f_kind", "f_people", "f_enterprise"}
	return bulkInsert(ctx, a, register.Table("bench_events"), cols, n, 500, 400, func(i int) []any {
		day := time.Date(2021, 1, 1+rng.IntN(365), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		title := fmt.Sprintf("活动%07d", i)
		return []any{ids[rng.IntN(len(ids))], day, title + "\x1f" + day, "approved", "", now, now, title, day,
			benchKindsEv[rng.IntN(len(benchKindsEv))], int64(rng.IntN(500)), fmt.Sprintf("企业%03d", rng.IntN(500))}
	})
}

// groupByRaw computes the same figures as the metrics with plain GROUP BY
// queries over the raw records, joined to the units for the cities.
func groupByRaw(ctx context.Context, a *app.App, period string) (map[string]float64, error) {
	t := register.Table("bench_events")
	from, to := "2021-01-01", "2021-06-30"
	got := map[string]float64{}
	q := a.DB.Q(ctx)
	var events, people, lectures, firms float64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(f_people), 0), COALESCE(SUM(CASE WHEN f_kind = 'lecture' THEN 1 ELSE 0 END), 0),
		COUNT(DISTINCT f_enterprise) FROM `+t+` WHERE date >= $1 AND date <= $2`, from, to).Scan(&events, &people, &lectures, &firms); err != nil {
		return nil, err
	}
	got["b_events/"+benchRoot], got["b_people/"+benchRoot], got["b_lectures/"+benchRoot], got["b_enterprises/"+benchRoot] = events, people, lectures, firms
	rows, err := q.QueryContext(ctx, `SELECT substr(u.path, 9, 6), COUNT(*), COALESCE(SUM(r.f_people), 0),
		COALESCE(SUM(CASE WHEN r.f_kind = 'lecture' THEN 1 ELSE 0 END), 0), COUNT(DISTINCT r.f_enterprise)
		FROM `+t+` r JOIN units u ON u.id = r.unit_id WHERE r.date >= $1 AND r.date <= $2 GROUP BY substr(u.path, 9, 6)`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var city string
		var e, p, l, f float64
		if err := rows.Scan(&city, &e, &p, &l, &f); err != nil {
			return nil, err
		}
		got["b_events/"+city], got["b_people/"+city], got["b_lectures/"+city], got["b_enterprises/"+city] = e, p, l, f
	}
	_ = period
	return got, rows.Err()
}

// medianOf runs fn runs times and returns the median duration and the
// last result.
func medianOf(runs int, fn func() (map[string]float64, error)) (time.Duration, map[string]float64, error) {
	var ds []time.Duration
	var last map[string]float64
	for range runs {
		t0 := time.Now()
		v, err := fn()
		if err != nil {
			return 0, nil, err
		}
		ds = append(ds, time.Since(t0))
		last = v
	}
	slices.Sort(ds)
	return ds[len(ds)/2], last, nil
}

// timeWrites creates n records one at a time through the service in one
// transaction (a batch import) and returns how long it took.
func timeWrites(ctx context.Context, a *app.App, code, prefix string, n int) (time.Duration, error) {
	rng := rand.New(rand.NewPCG(7, 7))
	cities := []string{"320100", "320200", "320300", "320400", "320500"}
	t0 := time.Now()
	err := a.DB.WithTx(ctx, func(ctx context.Context) error {
		for i := range n {
			_, err := a.Registers.Create(ctx, register.System(), code, register.Input{Unit: cities[i%len(cities)], Values: map[string]any{
				"title": fmt.Sprintf("写入%s%06d", prefix, i), "day": fmt.Sprintf("2021-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)),
				"kind": benchKindsEv[rng.IntN(4)], "people": fmt.Sprint(rng.IntN(500)), "enterprise": fmt.Sprintf("企业%03d", rng.IntN(500))}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return time.Since(t0), err
}

// medianImport imports n new records runs times (timeImport) and returns
// the median time, printing each.
func medianImport(ctx context.Context, a *app.App, out io.Writer, code, prefix string, n, runs int) (time.Duration, error) {
	var ds []time.Duration
	for i := range runs {
		d, err := timeImport(ctx, a, code, fmt.Sprintf("%s%d-", prefix, i), n)
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	fmt.Fprintf(out, "导入 / import %s: %d records, %d times: %v\n", prefix, n, runs, ds)
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}

// timeImport imports n records as a CSV file through the register's
// import (parse, validation, natural keys, audit, and the rollups of the
// metrics defined) and returns how long it took.
func timeImport(ctx context.Context, a *app.App, code, prefix string, n int) (time.Duration, error) {
	rng := rand.New(rand.NewPCG(8, 8))
	cities := []string{"320100", "320200", "320300", "320400", "320500"}
	kinds := []string{"讲座", "展览", "培训", "基层行"}
	var b bytes.Buffer
	b.WriteString("单位代码,名称,日期,类别,参与人次,服务企业\n")
	for i := range n {
		fmt.Fprintf(&b, "%s,%s%06d,2021-%02d-%02d,%s,%d,企业%03d\n", cities[i%len(cities)], prefix, i, 1+rng.IntN(12), 1+rng.IntN(28),
			kinds[rng.IntN(len(kinds))], rng.IntN(500), rng.IntN(500))
	}
	t0 := time.Now()
	res, err := a.Registers.Import(ctx, register.System(), code, bytes.NewReader(b.Bytes()), int64(b.Len()),
		register.ImportOptions{FileName: "bench.csv", SpoolDir: os.TempDir()})
	took := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("import: %w", err)
	}
	if res.Created != n {
		return 0, fmt.Errorf("import created %d records of %d", res.Created, n)
	}
	return took, nil
}
