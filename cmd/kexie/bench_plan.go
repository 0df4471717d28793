package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kexie/internal/app"
	"kexie/internal/metric"
	"kexie/internal/plan"
	"kexie/internal/unit"
)

// The speed target of plans: the plan page and the units × tasks matrix
// of a plan of 200 tasks allotted to 120 units, each in under 100 ms of
// server time with live progress.
const targetPlanPage = 100 * time.Millisecond

// benchPlan measures the plan page and the matrix on a synthetic
// province whose register feeds the metrics the targets read, in a
// temporary database: the pages through the real handler (session-less,
// with an API token, no network), and the service's read alone.
func benchPlan(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench plan")
	tasks := fs.Int("tasks", 200, "任务数 / tasks in the plan")
	allotted := fs.Int("allotted", 120, "分解到的单位数 / units every target is allotted to (13 cities, then counties, then units below)")
	units := fs.Int("units", 2000, "单位数 / units in the synthetic tree")
	records := fs.Int("records", 100_000, "记录数 / register records the metrics count")
	runs := fs.Int("runs", 20, "每页测量次数 / runs of each page (median and max reported)")
	cpuprofile := fs.String("cpuprofile", "", "测量期间的 CPU 剖析文件 / write a CPU profile of the measured reads to FILE")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *tasks < 1 || *tasks > plan.MaxTasks || *allotted < 13 || *units < *allotted+1 || *runs < 1 {
		return fmt.Errorf("--tasks 1–%d, --allotted ≥ 13, --units > --allotted, --runs ≥ 1", plan.MaxTasks)
	}
	out := e.stdout
	a, drop, err := openBenchApp(ctx, e, "plan")
	if err != nil {
		return err
	}
	defer drop()
	took, err := buildTree(ctx, a, *units)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "建树 / build tree: %d units in %s\n", *units, round(took))
	defs := benchMetrics()
	if err := loadBenchEvents(ctx, a, *records, defs); err != nil {
		return err
	}
	fmt.Fprintf(out, "记录与指标 / records and metrics: %d records, %d metrics\n", *records, len(defs))
	sp, err := benchPlanSpec(ctx, a, *tasks, *allotted, defs)
	if err != nil {
		return err
	}
	t0 := time.Now()
	sys := plan.Caller{Read: unit.Everything(), Report: unit.Everything(), Supervise: unit.Everything()}
	id, err := a.Plans.Create(ctx, sys, sp)
	if err != nil {
		return fmt.Errorf("create plan: %s", describe(err))
	}
	fmt.Fprintf(out, "建计划 / create plan: %d tasks × %d allotments in %s\n", *tasks, *allotted, round(time.Since(t0)))
	// half the tasks acknowledged, a quarter with a progress report
	p, err := a.Plans.Get(ctx, sys, id)
	if err != nil {
		return err
	}
	n := 0
	for _, sec := range p.Sections {
		for _, t := range sec.Tasks {
			if n++; n%2 == 0 {
				if _, err := a.Plans.Act(ctx, sys, t.ID, plan.Step{Action: plan.Acknowledge}); err != nil {
					return err
				}
				if n%4 == 0 {
					pc := 30 + n%60
					if _, err := a.Plans.Act(ctx, sys, t.ID, plan.Step{Action: plan.Report, Percent: &pc, Note: "进展"}); err != nil {
						return err
					}
				}
			}
		}
	}
	if err := settle(ctx, a); err != nil {
		return err
	}
	srv, err := newBenchServer(ctx, a)
	if err != nil {
		return err
	}
	// the plan as the clock of a plan half gone
	a.Plans.Now = func() time.Time { return time.Date(2021, 10, 1, 9, 0, 0, 0, time.UTC) }
	page := func(path string) func() (int, error) { return func() (int, error) { return srv.get(path) } }
	service := func() (int, error) {
		p, err := a.Plans.Get(ctx, sys, id)
		if err != nil {
			return 0, err
		}
		return len(p.Sections), nil
	}
	stop, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	ok := true
	for _, m := range []struct {
		name   string
		fn     func() (int, error)
		target time.Duration
	}{
		{"计划读取（服务）/ plan read, service", service, 0},
		{"计划页 / plan page GET /plans/{id}", page(fmt.Sprintf("/plans/%d", id)), targetPlanPage},
		{"单位×任务 / matrix GET /plans/{id}/matrix", page(fmt.Sprintf("/plans/%d/matrix", id)), targetPlanPage},
		{"计划 API / GET /api/v1/plans/{id}", page(fmt.Sprintf("/api/v1/plans/%d", id)), 0},
	} {
		var ts timings
		size := 0
		for range 3 { // warm-up: templates, caches, the planner
			if _, err := m.fn(); err != nil {
				return err
			}
		}
		cpu0 := processCPU()
		db0, dbOK := backendCPU(ctx, a)
		for range *runs {
			t0 := time.Now()
			n, err := m.fn()
			if err != nil {
				return err
			}
			ts = append(ts, time.Since(t0))
			size = n
		}
		cpu := (processCPU() - cpu0) / time.Duration(*runs)
		s := ts.sorted()
		line := fmt.Sprintf("%-44s median %s, max %s, CPU %s", m.name, ms(s.quantile(0.5)), ms(s[len(s)-1]), ms(cpu))
		if db1, ok := backendCPU(ctx, a); ok && dbOK {
			line += fmt.Sprintf(" + PostgreSQL %s", ms((db1-db0)/time.Duration(*runs)))
		}
		if m.name != "计划读取（服务）/ plan read, service" {
			line += fmt.Sprintf(", %d KB", size/1024)
		}
		if m.target > 0 {
			met := s.quantile(0.5) < m.target
			ok = ok && met
			line += fmt.Sprintf("  (target < %s: %s)", m.target, verdict(met))
		}
		fmt.Fprintln(out, line)
	}
	if !ok {
		return errors.New("a plan page missed its target")
	}
	return nil
}

// benchPlanSpec is a plan of n tasks in five sections, led by the cities
// in turn, each with a target on one of the bench metrics allotted to
// the 13 cities, then counties and units below them up to k units; the
// cities' parts add up to the goal, the counties' to a part of their
// city's.
func benchPlanSpec(ctx context.Context, a *app.App, n, k int, defs []metric.Def) (plan.Spec, error) {
	var chosen []unit.Unit
	for _, typ := range []string{"city", "county", ""} {
		for page := 1; len(chosen) < k; page++ {
			f := unit.Filter{Under: benchRoot, Type: typ, Page: page, PerPage: 500}
			got, err := a.Units.List(ctx, unit.Everything(), f)
			if err != nil {
				return plan.Spec{}, err
			}
			for _, u := range got.Items {
				if len(chosen) < k && (typ != "" || u.Type != "city" && u.Type != "county") {
					chosen = append(chosen, u)
				}
			}
			if len(got.Items) < 500 {
				break
			}
		}
	}
	if len(chosen) < k {
		return plan.Spec{}, fmt.Errorf("the tree holds %d units to allot to, not %d", len(chosen), k)
	}
	sp := plan.Spec{Title: "基准测试计划", Period: "2021S2", Unit: benchRoot}
	for s := range 5 {
		sp.Sections = append(sp.Sections, plan.SectionSpec{Title: fmt.Sprintf("第%d部分", s+1)})
	}
	for i := range n {
		d := defs[i%len(defs)]
		goal := float64(13 * (10 + i%7))
		var as []plan.AllotmentSpec
		for _, u := range chosen {
			g := goal / 13
			if u.Type != "city" {
				g = 1
			}
			as = append(as, plan.AllotmentSpec{Unit: u.Code, Goal: g})
		}
		t := plan.TaskSpec{Title: fmt.Sprintf("任务%03d：%s", i+1, d.NameZH), Lead: benchCityCode(i), Start: "2021-07-01", Due: "2021-12-31",
			Targets:    []plan.TargetSpec{{Title: fmt.Sprintf("%s 达到 %.0f", d.NameZH, goal), Metric: d.Code, Goal: goal, Allotments: as}},
			Milestones: []plan.MilestoneSpec{{Title: "中期", Due: "2021-09-30"}}}
		sec := &sp.Sections[i%5]
		sec.Tasks = append(sec.Tasks, t)
	}
	return sp, nil
}

func benchCityCode(i int) string { return fmt.Sprintf("32%02d00", i%13+1) }
