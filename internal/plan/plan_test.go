package plan_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/plan"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// world is a province P with cities C1 and C2 (county K1 under C1) and
// an events register counted by the metric "events": two events in K1,
// one in C1, one in C2, one at the province, all in 2021.
type world struct {
	a            *app.App
	prov, c1, c2 plan.Caller
}

func scope(t *testing.T, a *app.App, code string) unit.Scope {
	u, err := a.Units.Get(context.Background(), unit.Everything(), code)
	if err != nil {
		t.Fatal(err)
	}
	return unit.Subtrees(u.Path)
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []unit.Create{
		{Code: "P", Type: "province", NameZH: "省"},
		{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
		{Code: "C2", Parent: "P", Type: "city", NameZH: "二市"},
		{Code: "K1", Parent: "C1", Type: "county", NameZH: "一县"},
	} {
		if _, err := a.Units.Create(ctx, unit.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	sc := register.Schema{Code: "events", NameZH: "活动", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
		}}
	if _, err := a.Registers.Define(ctx, sc, register.Migration{}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Metrics.Define(ctx, metric.Def{Code: "events", NameZH: "活动", Unit: "场", Aggregation: metric.Flow,
		Source: metric.FromRegister, Register: "events"}); err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{"K1", "K1", "C1", "C2", "P"} {
		if _, err := a.Registers.Create(ctx, register.System(), "events", register.Input{Unit: u, Values: map[string]any{
			"title": "活动" + string(rune('A'+i)), "day": "2021-0" + string(rune('1'+i)) + "-10"}}); err != nil {
			t.Fatal(err)
		}
	}
	a.Plans.Now = func() time.Time { return time.Date(2021, 7, 2, 9, 0, 0, 0, time.UTC) }
	w := world{a: a}
	p, c1, c2 := scope(t, a, "P"), scope(t, a, "C1"), scope(t, a, "C2")
	w.prov = plan.Caller{UserID: 1, Read: p, Report: p, Supervise: p}
	w.c1 = plan.Caller{UserID: 2, Read: c1, Report: c1, Supervise: c1}
	w.c2 = plan.Caller{UserID: 3, Read: c2, Report: c2, Supervise: c2}
	return w
}

func spec() plan.Spec {
	return plan.Spec{Title: "2021年重点工作", Period: "2021", Unit: "P", Sections: []plan.SectionSpec{{
		Title: "一、普及", Tasks: []plan.TaskSpec{{
			Title: "办好活动", Lead: "C1", Start: "2021-01-01", Due: "2021-12-31",
			Targets: []plan.TargetSpec{{Title: "活动 10 场", Metric: "events", Baseline: 0, Goal: 10,
				Allotments: []plan.AllotmentSpec{{Unit: "C1", Goal: 6}, {Unit: "C2", Goal: 3}, {Unit: "K1", Goal: 2}}}},
		}, {
			Title: "写好报告", Lead: "C2", Start: "2021-01-01", Due: "2021-06-30",
			Targets: []plan.TargetSpec{{Title: "报告成稿"}},
		}},
	}}}
}

func fields(err error) []string {
	var out []string
	for _, f := range fault.FieldsOf(err) {
		out = append(out, f.Field+" "+f.Key)
	}
	return out
}

func TestPlanProgressAndLights(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		id, err := w.a.Plans.Create(ctx, w.prov, spec())
		if err != nil {
			t.Fatal(fields(err), err)
		}
		p, err := w.a.Plans.Get(ctx, w.prov, id)
		if err != nil {
			t.Fatal(err)
		}
		t1 := p.Sections[0].Tasks[0]
		g := t1.Targets[0]
		if g.Current == nil || *g.Current != 5 || g.Progress != 0.5 || g.Light != plan.Green {
			t.Fatalf("target: %+v", g)
		}
		if c1 := g.Allotments[0]; c1.Unit != "C1" || !c1.BelowMismatch || c1.Below != 2 {
			t.Fatalf("C1 split below: %+v", c1)
		}
		if g.Allotted != 9 || !g.Mismatch {
			t.Fatalf("allotted %v mismatch %v", g.Allotted, g.Mismatch)
		}
		got := map[string]plan.Allotment{}
		for _, a := range g.Allotments {
			got[a.Unit] = a
		}
		if *got["C1"].Current != 3 || got["C1"].Light != plan.Green || *got["C2"].Current != 1 || got["C2"].Light != plan.Yellow ||
			*got["K1"].Current != 2 || got["K1"].Progress != 1 {
			t.Fatalf("allotments: %+v", got)
		}
		// the report task is overdue and not done: red
		if t2 := p.Sections[0].Tasks[1]; t2.Light != plan.Red {
			t.Fatalf("overdue task: %+v", t2)
		}
		if p.Counts.Red != 1 || p.Counts.Green != 1 {
			t.Fatalf("counts %+v", p.Counts)
		}
		// the second city sees only what concerns it: both tasks (one it
		// leads, one with its allotment), its own allotment, no province figure
		p2, err := w.a.Plans.Get(ctx, w.c2, id)
		if err != nil {
			t.Fatal(err)
		}
		g2 := p2.Sections[0].Tasks[0].Targets[0]
		if p2.Owner || g2.Current != nil || len(g2.Allotments) != 1 || g2.Allotments[0].Unit != "C2" || g2.Allotted != 9 {
			t.Fatalf("city view: %+v", g2)
		}
		ls, _ := w.a.Plans.List(ctx, plan.Caller{Read: unit.Subtrees("/nowhere/")})
		if len(ls) != 0 {
			t.Fatalf("a stranger sees %d plans", len(ls))
		}
	})
}

func TestPlanLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		ps := w.a.Plans
		id, err := ps.Create(ctx, w.prov, spec())
		if err != nil {
			t.Fatal(err)
		}
		p, _ := ps.Get(ctx, w.prov, id)
		task := p.Sections[0].Tasks[0].ID
		pc := func(n int) *int { return &n }
		conflict := func(err error, key string) {
			t.Helper()
			if !errors.Is(err, fault.ErrConflict) || !slices.Contains(fields(err), "action "+key) {
				t.Fatalf("want conflict %s, got %v %v", key, err, fields(err))
			}
		}
		// the owner cannot close what is not reported; another city cannot act
		_, err = ps.Act(ctx, w.prov, task, plan.Step{Action: plan.Close})
		conflict(err, "plan.task.transition")
		if _, err = ps.Act(ctx, w.c2, task, plan.Step{Action: plan.Acknowledge}); !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("another city acknowledges: %v", err)
		}
		steps := []struct {
			c    plan.Caller
			s    plan.Step
			want string
		}{
			{w.c1, plan.Step{Action: plan.Acknowledge}, plan.Acknowledged},
			{w.c1, plan.Step{Action: plan.Report, Note: "已办 3 场", Percent: pc(40)}, plan.InProgress},
			{w.c1, plan.Step{Action: plan.Complete, Note: "完成"}, plan.Reported},
			{w.prov, plan.Step{Action: plan.Return, Note: "还差 5 场"}, plan.InProgress},
			{w.c1, plan.Step{Action: plan.Complete}, plan.Reported},
			{w.prov, plan.Step{Action: plan.Close}, plan.Closed},
		}
		for i, st := range steps {
			if i == 3 {
				if _, err := ps.Act(ctx, w.prov, task, plan.Step{Action: plan.Return}); !slices.Contains(fields(err), "note plan.return.reason") {
					t.Fatalf("return without reason: %v", err)
				}
			}
			if i == 1 {
				if _, err := ps.Act(ctx, w.c1, task, plan.Step{Action: plan.Report, Note: "x", Percent: pc(140)}); !slices.Contains(fields(err), "percent plan.percent.range") {
					t.Fatalf("percent 140: %v", err)
				}
			}
			got, err := ps.Act(ctx, st.c, task, st.s)
			if err != nil || got.State != st.want {
				t.Fatalf("step %d %s: %v %v", i, st.s.Action, got.State, err)
			}
		}
		_, err = ps.Act(ctx, w.c1, task, plan.Step{Action: plan.Report, Note: "再报", Percent: pc(100)})
		conflict(err, "plan.task.closed")
		got, err := ps.Task(ctx, w.c1, task)
		if err != nil || len(got.Events) != 7 || got.Light != plan.Done || got.Events[4].Note != "还差 5 场" {
			t.Fatalf("history: %+v %v", got.Events, err)
		}
		var n int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'plan_task'`).Scan(&n); err != nil || n != 6 {
			t.Fatalf("audit entries %d %v", n, err)
		}
	})
}

func TestPlanBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		cases := []struct {
			name  string
			c     plan.Caller
			edit  func(*plan.Spec)
			field string
		}{
			{"deadline before start", w.prov, func(s *plan.Spec) { s.Sections[0].Tasks[0].Due = "2020-12-31" }, "sections[0].tasks[0].due plan.due.before_start"},
			{"bad date", w.prov, func(s *plan.Spec) { s.Sections[0].Tasks[0].Start = "2021-13-01" }, "sections[0].tasks[0].start plan.date.invalid"},
			{"unknown metric", w.prov, func(s *plan.Spec) { s.Sections[0].Tasks[0].Targets[0].Metric = "nope" }, "sections[0].tasks[0].targets[0].metric metric.unknown"},
			{"goal against comparison", w.prov, func(s *plan.Spec) { s.Sections[0].Tasks[0].Targets[0].Comparison = plan.AtMost }, "sections[0].tasks[0].targets[0].goal plan.target.direction"},
			{"allotment outside scope", w.c1, func(s *plan.Spec) {
				s.Unit = "C1"
				s.Sections[0].Tasks[1].Lead = "C1"
			}, "sections[0].tasks[0].targets[0].allotments[1].unit plan.unit.scope"},
			{"plan unit outside scope", w.c1, func(s *plan.Spec) {}, "unit plan.unit.scope"},
			{"bad period", w.prov, func(s *plan.Spec) { s.Period = "2021X" }, "period plan.period.invalid"},
			{"no title", w.prov, func(s *plan.Spec) { s.Title = " " }, "title error.required"},
		}
		for _, tc := range cases {
			sp := spec()
			tc.edit(&sp)
			_, err := w.a.Plans.Create(ctx, tc.c, sp)
			if !errors.Is(err, fault.ErrInvalid) || !slices.Contains(fields(err), tc.field) {
				t.Errorf("%s: want %s, got %v %v", tc.name, tc.field, err, fields(err))
			}
		}
		var n int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM plans`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("plans written: %d %v", n, err)
		}
	})
}

func TestProgress(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		cmp        string
		base, goal float64
		cur        *float64
		want       float64
	}{
		{plan.AtLeast, 0, 300, f(150), 0.5},
		{plan.AtLeast, 100, 300, f(50), 0},
		{plan.AtLeast, 0, 300, f(400), 1},
		{plan.AtLeast, 0, 300, nil, 0},
		{plan.AtMost, 10, 2, f(6), 0.5},
		{plan.AtMost, 10, 2, f(1), 1},
		{plan.Equal, 0, 3, f(3), 1},
		{plan.AtLeast, 5, 5, f(4), 0},
	} {
		if got := plan.Progress(c.cmp, c.base, c.goal, c.cur); got != c.want {
			t.Errorf("%+v: got %v", c, got)
		}
	}
	r := plan.Rules{YellowMargin: 0.1, RedMargin: 0.25, NearDays: 14}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, c := range []struct {
		p     float64
		today string
		want  string
	}{
		{0.5, "2021-07-01", plan.Green},
		{0.35, "2021-07-01", plan.Yellow},
		{0.2, "2021-07-01", plan.Red},
		{0.95, "2021-12-25", plan.Yellow}, // deadline near
		{0.99, "2022-01-01", plan.Red},    // overdue
		{1, "2022-01-01", plan.Green},     // met
	} {
		if got := r.Light(c.p, "2021-01-01", "2021-12-31", day(c.today)); got != c.want {
			t.Errorf("%+v: got %s", c, got)
		}
	}
}

func TestTodoAndReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		id, err := w.a.Plans.Create(ctx, w.prov, spec())
		if err != nil {
			t.Fatal(err)
		}
		// C2 leads the overdue report task: on its list; the province
		// sees it overdue below; C1 has its own (green) task only
		td, err := w.a.Plans.Todo(ctx, w.c2)
		if err != nil || len(td.Mine) != 1 || td.Mine[0].Title != "写好报告" || len(td.Overdue) != 0 {
			t.Fatalf("c2 to-do: %+v %v", td, err)
		}
		td, _ = w.a.Plans.Todo(ctx, plan.Caller{Read: w.prov.Read})
		if len(td.Mine) != 0 || len(td.Overdue) != 1 || td.Overdue[0].Lead != "C2" {
			t.Fatalf("province overdue: %+v", td)
		}
		if _, err := w.a.Plans.Remind(ctx, w.c1, id, plan.Remind{}); !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("a city reminds on the province's plan: %v", err)
		}
		if _, err := w.a.Plans.Remind(ctx, w.prov, id, plan.Remind{Lights: []string{"blue"}}); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("bad light: %v", err)
		}
		n, err := w.a.Plans.Remind(ctx, w.prov, id, plan.Remind{Note: "请抓紧"})
		if err != nil || n != 1 {
			t.Fatalf("reminders sent %d %v", n, err)
		}
		var unitCode, link string
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT u.code, m.link FROM inbox_messages m JOIN units u ON u.id = m.unit_id
			WHERE m.kind = 'plan_remind'`).Scan(&unitCode, &link); err != nil || unitCode != "C2" {
			t.Fatalf("reminder went to %s %s %v", unitCode, link, err)
		}
	})
}

// TestKeptAllotmentsFollowTheTree: a plan's allotments are kept after the
// first read, but a unit renamed or moved shows at once — its name, its
// place in the order of the tree, and the sums of the allotments above it.
func TestKeptAllotmentsFollowTheTree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		id, err := w.a.Plans.Create(ctx, w.prov, spec())
		if err != nil {
			t.Fatal(err)
		}
		read := func() []plan.Allotment {
			t.Helper()
			p, err := w.a.Plans.Get(ctx, w.prov, id)
			if err != nil {
				t.Fatal(err)
			}
			return p.Sections[0].Tasks[0].Targets[0].Allotments
		}
		codes := func(as []plan.Allotment) []string {
			var out []string
			for _, a := range as {
				out = append(out, a.Unit)
			}
			return out
		}
		if got := codes(read()); !slices.Equal(got, []string{"C1", "K1", "C2"}) {
			t.Fatalf("first read: %v", got)
		}
		// K1 moves from C1 to C2: C2 now holds it, and C1 no longer splits
		if _, err := w.a.Units.Move(ctx, unit.System(), "K1", unit.Move{Parent: "C2"}); err != nil {
			t.Fatal(err)
		}
		name := "一县（新）"
		if _, err := w.a.Units.Update(ctx, unit.System(), "K1", unit.Update{NameZH: &name}); err != nil {
			t.Fatal(err)
		}
		as := read()
		if got := codes(as); !slices.Equal(got, []string{"C1", "C2", "K1"}) {
			t.Fatalf("after the move: %v", got)
		}
		if as[0].BelowMismatch || !as[1].BelowMismatch || as[1].Below != 2 || as[2].UnitName != name {
			t.Fatalf("after the move: %+v", as)
		}
	})
}
