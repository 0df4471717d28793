package plan_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

func TestSheetRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		id, err := w.a.Plans.Create(ctx, w.prov, spec())
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.a.Plans.Export(ctx, w.prov, id, &buf); err != nil {
			t.Fatal(err)
		}
		secs, err := plan.ParseSheet(buf.Bytes(), "plan.xlsx")
		if err != nil {
			t.Fatal(fields(err), err)
		}
		want := spec().Sections
		// a qualitative target reads back with its implied goal
		want[0].Tasks[1].Targets[0].Goal = 100
		want[0].Tasks[1].Targets[0].Comparison = plan.AtLeast
		want[0].Tasks[0].Targets[0].Comparison = plan.AtLeast
		if len(secs) != 1 || len(secs[0].Tasks) != 2 {
			t.Fatalf("read back %+v", secs)
		}
		for i, tk := range secs[0].Tasks {
			w := want[0].Tasks[i]
			if tk.Title != w.Title || tk.Lead != w.Lead || tk.Start != w.Start || tk.Due != w.Due || len(tk.Targets) != len(w.Targets) {
				t.Fatalf("task %d: %+v want %+v", i, tk, w)
			}
			for j, g := range tk.Targets {
				wg := w.Targets[j]
				byUnit := func(a, b plan.AllotmentSpec) int { return strings.Compare(a.Unit, b.Unit) }
				slices.SortFunc(g.Allotments, byUnit)
				slices.SortFunc(wg.Allotments, byUnit)
				if g.Title != wg.Title || g.Metric != wg.Metric || g.Goal != wg.Goal || !slices.Equal(g.Allotments, wg.Allotments) {
					t.Fatalf("target %d.%d: %+v want %+v", i, j, g, wg)
				}
			}
		}
		id2, err := w.a.Plans.Import(ctx, w.prov, "导入的计划", "2021", "P", buf.Bytes(), "plan.xlsx")
		if err != nil || id2 == id {
			t.Fatalf("import: %v %v", fields(err), err)
		}
		// a sheet whose task has a bad date and whose allotment lies
		// outside the plan's unit: refused, nothing written
		bad := []byte("部分,任务,牵头单位,开始,期限,目标,指标,比较,基数,目标值,分解单位,分解值\n" +
			"一,任务甲,C1,2021-01-01,2020-01-01,活动,events,ge,0,10,C1,5\n" +
			",,,,,,,,,,C2,x\n")
		_, err = w.a.Plans.Import(ctx, w.c1, "坏计划", "2021", "C1", bad, "plan.csv")
		if !errors.Is(err, fault.ErrInvalid) || !slices.Contains(fields(err), "row 3 L plan.sheet.number") {
			t.Fatalf("bad sheet: %v", fields(err))
		}
		bad = bytes.Replace(bad, []byte(",C2,x"), []byte(",C2,5"), 1)
		_, err = w.a.Plans.Import(ctx, w.c1, "坏计划", "2021", "C1", bad, "plan.csv")
		if !slices.Contains(fields(err), "sections[0].tasks[0].due plan.due.before_start") ||
			!slices.Contains(fields(err), "sections[0].tasks[0].targets[0].allotments[1].unit plan.unit.scope") {
			t.Fatalf("bad sheet: %v", fields(err))
		}
		for _, b := range [][]byte{nil, []byte("x,y\n1,2\n"), []byte(",,,\n")} {
			if _, err := plan.ParseSheet(b, "p.csv"); !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("%q: %v", b, err)
			}
		}
		var n int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM plans`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("plans: %d %v", n, err)
		}
	})
}

// FuzzParseSheet: any bytes give sections or a refusal, never a panic.
func FuzzParseSheet(f *testing.F) {
	f.Add([]byte("部分,任务,牵头单位,开始,期限,目标,指标,比较,基数,目标值,分解单位,分解值\n一,甲,C1,2021-01-01,2021-12-31,活动,events,ge,0,10,C1,5\n"))
	f.Add([]byte("Section,Task,Lead,Start,Due,Target,Metric,Comparison,Baseline,Goal,Allotted to,Allotted\n,,,,,,,,,,C2,1e400\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("部分,任务,牵头单位,开始,期限,目标,指标,比较,基数,目标值,分解单位,分解值,节点,节点日期,催办灯色,催办间隔天数\n" +
		"一,甲,C1,2021-01-01,2021-12-31,,,,,,,,方案,2021-03-01,黄灯、红灯,7\n,,,,,,,,,,,,检查,45000,,\n"))
	f.Add([]byte("Section,Task,Lead,Start,Due,Target,Metric,Comparison,Baseline,Goal,Allotted to,Allotted,Milestone,Milestone due,Remind lights,Remind every days\n" +
		",,,,,,,,,,,,orphan,,purple;green,1e9\n一,甲,C1,x,y,,,,,,,,,,red,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		secs, err := plan.ParseSheet(data, "fuzz.csv")
		if err != nil && !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if err == nil && secs == nil && len(data) > 0 {
			_ = secs
		}
	})
}

// TestSheetMilestonesAndRule: the export writes each task's milestones
// and the plan's reminder rule, the import reads them back into a new
// plan; bad cells are each named with their reason and nothing is
// written; a sheet without the new columns still imports.
func TestSheetMilestonesAndRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		sp := spec()
		sp.Sections[0].Tasks[0].Milestones = []plan.MilestoneSpec{{Title: "方案印发", Due: "2021-03-31"}, {Title: "中期检查", Due: "2021-07-15"}}
		sp.Sections[0].Tasks[1].Milestones = []plan.MilestoneSpec{{Title: "初稿", Due: "2021-05-01"}}
		sp.RemindRule = &plan.RemindRule{Lights: []string{plan.Yellow, plan.Red}, EveryDays: 7}
		id, err := w.a.Plans.Create(ctx, w.prov, sp)
		if err != nil {
			t.Fatal(fields(err), err)
		}
		var buf bytes.Buffer
		if err := w.a.Plans.Export(ctx, w.prov, id, &buf); err != nil {
			t.Fatal(err)
		}
		got, err := plan.ParsePlan(buf.Bytes(), "plan.xlsx")
		if err != nil {
			t.Fatal(fields(err), err)
		}
		for i, tk := range got.Sections[0].Tasks {
			if !slices.Equal(tk.Milestones, sp.Sections[0].Tasks[i].Milestones) {
				t.Fatalf("task %d milestones: %+v", i, tk.Milestones)
			}
		}
		if got.RemindRule == nil || !slices.Equal(got.RemindRule.Lights, sp.RemindRule.Lights) || got.RemindRule.EveryDays != 7 {
			t.Fatalf("rule read back: %+v", got.RemindRule)
		}
		id2, err := w.a.Plans.Import(ctx, w.prov, "导入的计划", "2021", "P", buf.Bytes(), "plan.xlsx")
		if err != nil {
			t.Fatal(fields(err), err)
		}
		p2, err := w.a.Plans.Get(ctx, w.prov, id2)
		if err != nil {
			t.Fatal(err)
		}
		if ms := p2.Sections[0].Tasks[0].Milestones; len(ms) != 2 || ms[1].Title != "中期检查" || ms[1].Due != "2021-07-15" {
			t.Fatalf("imported milestones: %+v", ms)
		}
		if r := p2.RemindRule; r.EveryDays != 7 || !slices.Equal(r.Lights, []string{plan.Yellow, plan.Red}) {
			t.Fatalf("imported rule: %+v", r)
		}

		// bad cells, each with its place and reason; nothing written
		head := "部分,任务,牵头单位,开始,期限,目标,指标,比较,基数,目标值,分解单位,分解值,节点,节点日期,催办灯色,催办间隔天数\n"
		bad := head +
			",,,,,,,,,,,,无主节点,2021-03-01,,\n" +
			"一,任务甲,C1,2021-01-01,2021-12-31,活动,events,ge,0,10,,,方案,,紫灯,每周\n" +
			",,,,,,,,,,,,,2021-05-01,红灯,7\n"
		_, err = w.a.Plans.Import(ctx, w.prov, "坏计划", "2021", "P", []byte(bad), "plan.csv")
		for _, want := range []string{"row 2 M plan.sheet.milestone_no_task", "row 3 N error.required", "row 3 O plan.sheet.light",
			"row 3 P plan.sheet.integer", "row 4 M error.required", "row 4 O plan.sheet.rule_twice"} {
			if !slices.Contains(fields(err), want) {
				t.Errorf("want %s, got %v", want, fields(err))
			}
		}
		// read, then refused by the plan's own rules: a milestone after the
		// deadline, a rule every 400 days
		bad = head + "一,任务甲,C1,2021-01-01,2021-06-30,活动,events,ge,0,10,,,验收,2021-08-01,黄灯,400\n"
		_, err = w.a.Plans.Import(ctx, w.prov, "坏计划", "2021", "P", []byte(bad), "plan.csv")
		if !slices.Contains(fields(err), "sections[0].tasks[0].milestones[0].due plan.milestone.outside") ||
			!slices.Contains(fields(err), "remind_rule.every_days plan.remind.every_days") {
			t.Errorf("refused by the plan's rules: %v", fields(err))
		}
		var n int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM plans`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("plans: %d %v", n, err)
		}
		// the old layout (twelve columns) still imports, with no milestones or rule
		old := "部分,任务,牵头单位,开始,期限,目标,指标,比较,基数,目标值,分解单位,分解值,当前,进度\n一,任务甲,C1,2021-01-01,2021-12-31,活动,events,ge,0,10,C1,5,3,30%\n"
		sp3, err := plan.ParsePlan([]byte(old), "old.csv")
		if err != nil || sp3.RemindRule != nil || len(sp3.Sections[0].Tasks[0].Milestones) != 0 || sp3.Sections[0].Tasks[0].Targets[0].Allotments[0].Goal != 5 {
			t.Fatalf("old layout: %+v %v", sp3, fields(err))
		}
	})
}
