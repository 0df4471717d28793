package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kexie/internal/app"
	"kexie/internal/metric"
	"kexie/internal/scheme"
	"kexie/internal/unit"
)

// The speed targets of evaluation schemes.
const (
	targetSchemeRun = 2 * time.Second       // a 60-leaf scheme over 10,000 units
	targetScorecard = 50 * time.Millisecond // a unit's scorecard page
)

// benchScheme measures a run of a 60-leaf scheme over 10,000 units whose
// leaves read metrics (20 of them, kept as facts over a register's
// records), and the scorecard page of one unit through the HTTP handler.
func benchScheme(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench scheme")
	units := fs.Int("units", 10_000, "被评单位数 / units scored")
	records := fs.Int("records", 200_000, "记录数 / register records")
	runs := fs.Int("runs", 3, "评价次数 / runs (the median is reported)")
	pages := fs.Int("pages", 50, "计分卡页面请求数 / scorecard page requests")
	cpuprofile := fs.String("cpuprofile", "", "CPU 剖析文件 / write a CPU profile of the runs to FILE")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *units < 100 || *records < 1 || *runs < 1 || *pages < 1 {
		return errors.New("--units ≥ 100, --records ≥ 1, --runs ≥ 1, --pages ≥ 1")
	}
	out := e.stdout
	a, drop, err := openBenchApp(ctx, e, "scheme")
	if err != nil {
		return err
	}
	defer drop()
	t0 := time.Now()
	if err := schemeTree(ctx, a, *units); err != nil {
		return err
	}
	fmt.Fprintf(out, "建树 / build tree: %d societies below 100 counties in %s\n", *units, round(time.Since(t0)))
	t0 = time.Now()
	defs := schemeMetrics()
	if err := loadBenchEvents(ctx, a, *records, defs); err != nil {
		return err
	}
	fmt.Fprintf(out, "载入 / load: %d records and the facts of %d metrics in %s\n", *records, len(defs), round(time.Since(t0)))
	v := benchVersion(defs)
	if err := a.Schemes.Create(ctx, scheme.Scheme{Code: "bench", NameZH: "基准测试评价", UnitType: "society"}); err != nil {
		return err
	}
	n, err := a.Schemes.AddVersion(ctx, "bench", "60 leaves", v)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "评价体系 / scheme: %d leaves over %d metrics, %d nodes with the branches\n", len(v.Leaves()), len(defs), len(v.Nodes))

	var took timings
	var run scheme.Run
	cpu0 := cpuTime()
	stop, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	for range *runs {
		t0 := time.Now()
		run, err = a.Schemes.Start(ctx, unit.Everything(), "bench", n, benchRoot, "2021S1")
		if err != nil {
			return err
		}
		took = append(took, time.Since(t0))
	}
	cpuPerRun := (cpuTime() - cpu0) / time.Duration(*runs)
	stop()
	rows, err := a.Schemes.Rows(ctx, unit.Everything(), run.ID, false)
	if err != nil {
		return err
	}
	if len(rows) != *units {
		return fmt.Errorf("the run scored %d units, not %d", len(rows), *units)
	}
	med := took.sorted().quantile(0.5)
	fmt.Fprintf(out, "评价 / run (read %d metrics for %d units, score, rank, grade, TOPSIS, store): median %s, min %s over %d runs — target < %s: %s\n",
		len(defs), len(rows), ms(med), ms(took.sorted()[0]), *runs, targetSchemeRun, verdict(med < targetSchemeRun))
	fmt.Fprintf(out, "每次评价的 CPU 时间 / CPU per run (this process%s): %s\n", map[bool]string{true: ", without the PostgreSQL server's", false: ", SQLite included"}[a.DB.Dialect.Name == "postgres"], ms(cpuPerRun))

	// the share of the run that reads the metrics (as the run reads them)
	readTook, err := readMetrics(ctx, a, defs, *units)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "其中读取指标 / of which reading %d metrics for %d units: %s\n", len(defs), len(rows), ms(readTook))

	// the scorecard page of a unit in the middle of the table
	srv, err := newBenchServer(ctx, a)
	if err != nil {
		return err
	}
	path := fmt.Sprintf("/scheme-runs/%d/units/%s", run.ID, rows[len(rows)/2].Unit)
	var page timings
	for i := range *pages + 1 {
		t0 := time.Now()
		if _, err := srv.get(path); err != nil {
			return err
		}
		if i > 0 { // the first warms the caches
			page = append(page, time.Since(t0))
		}
	}
	ps := page.sorted()
	fmt.Fprintf(out, "计分卡页面 / scorecard page %s: median %s, p90 %s over %d requests — target < %s: %s\n",
		path, ms(ps.quantile(0.5)), ms(ps.quantile(0.9)), len(ps), targetScorecard, verdict(ps.quantile(0.5) < targetScorecard))
	return nil
}

// schemeTree builds the province, its cities and 100 counties, and n
// societies spread below the counties.
func schemeTree(ctx context.Context, a *app.App, n int) error {
	if _, err := buildTree(ctx, a, 114); err != nil {
		return err
	}
	root, rest := syntheticProvince(114)
	_ = root
	var counties []unit.Create
	for _, u := range rest {
		if u.Type == "county" {
			counties = append(counties, u)
		}
	}
	out := make([]unit.Create, n)
	for i := range out {
		p := counties[i%len(counties)]
		out[i] = unit.Create{Code: fmt.Sprintf("S%06d", i+1), Parent: p.Code, Type: "society", NameZH: fmt.Sprintf("第%d学会", i+1)}
	}
	_, err := a.Units.CreateMany(ctx, unit.System(), out)
	return err
}

// schemeMetrics are 20 metrics over bench_events, all kept as facts:
// counts and sums of people, in all and by kind, and counts by size.
// (A distinct count is recounted for every unit, one query each: see
// docs/performance.md.)
func schemeMetrics() []metric.Def {
	var out []metric.Def
	add := func(code, name, filter, field string, agg metric.Aggregation) {
		out = append(out, metric.Def{Code: code, NameZH: name, Unit: "个", Aggregation: agg, Source: metric.FromRegister,
			Register: "bench_events", Filter: filter, Field: field})
	}
	add("s_events", "活动", "", "", metric.Flow)
	add("s_people", "人次", "", "people", metric.Flow)
	for _, k := range benchKindsEv {
		add("s_"+k, k, fmt.Sprintf("kind == %q", k), "", metric.Flow)
		add("s_"+k+"_people", k+"人次", fmt.Sprintf("kind == %q", k), "people", metric.Flow)
		add("s_"+k+"_large", k+"（百人以上）", fmt.Sprintf("kind == %q && people >= 100", k), "", metric.Flow)
	}
	for _, size := range []int{100, 200, 300, 400} {
		add(fmt.Sprintf("s_over%d", size), "大型活动", fmt.Sprintf("people >= %d", size), "", metric.Flow)
	}
	add("s_over450_people", "特大活动人次", "people >= 450", "people", metric.Flow)
	add("s_small", "小型活动", "people < 50", "", metric.Flow)
	return out
}

// benchVersion is a three-level scheme: 5 areas × 4 groups × 3 leaves,
// the leaves reading the metrics in turn with every kind of rule, a
// bonus and a veto, graded by quota.
func benchVersion(defs []metric.Def) scheme.Version {
	v := scheme.Version{Mode: scheme.ByWeights, Total: 100,
		Grades: scheme.Grading{Method: scheme.ByQuota, Ties: scheme.TiesShare,
			Levels: []scheme.GradeLevel{{Name: "优秀", Share: 0.2}, {Name: "良好", Share: 0.3}, {Name: "合格"}}}}
	rules := []scheme.Rule{{Kind: scheme.Linear, Floor: 0, Target: 30}, {Kind: scheme.Ratio, Target: 20}, {Kind: scheme.Percentile},
		{Kind: scheme.Bands, Bands: []scheme.Band{{Min: 5, Share: 0.5}, {Min: 15, Share: 1}}}, {Kind: scheme.YesNo}}
	k := 0
	for a := range 5 {
		ac := fmt.Sprintf("A%d", a+1)
		v.Nodes = append(v.Nodes, scheme.Node{Code: ac, NameZH: "领域" + ac, Weight: 0.2})
		for g := range 4 {
			gc := fmt.Sprintf("%s%d", ac, g+1)
			v.Nodes = append(v.Nodes, scheme.Node{Code: gc, Parent: ac, NameZH: "分组" + gc, Weight: 0.25})
			for l := range 3 {
				d := defs[k%len(defs)]
				r := rules[k%len(rules)]
				if d.Aggregation == metric.Distinct && r.Kind == scheme.Ratio {
					r = rules[0]
				}
				w := 0.3
				if l == 2 {
					w = 0.4
				}
				v.Nodes = append(v.Nodes, scheme.Node{Code: fmt.Sprintf("%s%d", gc, l+1), Parent: gc, NameZH: d.NameZH, Weight: w, Metric: d.Code, Rule: &r})
				k++
			}
		}
	}
	v.Bonuses = []scheme.Adjust{{Code: "X1", NameZH: "特大活动加分", Metric: "s_over450_people", PerUnit: 0.001, Cap: 3}}
	v.Vetoes = []scheme.Veto{{Code: "V1", NameZH: "否决", Metric: "s_over400", AtLeast: 40}}
	return v
}

// readMetrics times reading every metric for every society below the
// root, in the chunks a run reads them in.
func readMetrics(ctx context.Context, a *app.App, defs []metric.Def, n int) (time.Duration, error) {
	root, err := a.Units.Get(ctx, unit.Everything(), benchRoot)
	if err != nil {
		return 0, err
	}
	var us []unit.Unit
	for p := 1; len(us) < n; p++ {
		page, err := a.Units.List(ctx, unit.Everything(), unit.Filter{Under: benchRoot, Type: "society", Page: p, PerPage: unit.MaxPerPage})
		if err != nil {
			return 0, err
		}
		if len(page.Items) == 0 {
			break
		}
		us = append(us, page.Items...)
	}
	codes := make([]string, len(defs))
	for i, d := range defs {
		codes[i] = d.Code
	}
	p, err := metric.ParsePeriod("2021S1")
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	chunk := max(1, 20000/len(codes))
	for i := 0; i < len(us); i += chunk {
		if _, err := a.Metrics.ChildBreakdowns(ctx, codes, root, us[i:min(i+chunk, len(us))], p); err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}
