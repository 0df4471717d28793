package dataset_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"kexie/internal/app"
	"kexie/internal/dataset"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// The test tree: province P; cities C1 (counties K11, K12) and C2
// (county K21); a society S1 under P, which does not report.
var reporting = []string{"C1", "C2", "K11", "K12", "K21"}

func setup(t *testing.T, db *store.DB) (*app.App, map[string]unit.Unit) {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Units.SaveGroup(ctx, unit.Group{Code: "pilot", NameZH: "试点"}); err != nil {
		t.Fatal(err)
	}
	units := map[string]unit.Unit{}
	for _, c := range []unit.Create{
		{Code: "P", Type: "province", NameZH: "省"},
		{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
		{Code: "C2", Parent: "P", Type: "city", NameZH: "二市"},
		{Code: "K11", Parent: "C1", Type: "county", NameZH: "一一县"},
		{Code: "K12", Parent: "C1", Type: "county", NameZH: "一二县"},
		{Code: "K21", Parent: "C2", Type: "county", NameZH: "二一县"},
		{Code: "S1", Parent: "P", Type: "society", NameZH: "学会"},
	} {
		u, err := a.Units.Create(ctx, unit.System(), c)
		if err != nil {
			t.Fatal(err)
		}
		units[u.Code] = u
	}
	if _, err := a.Datasets.Define(ctx, halfYear()); err != nil {
		t.Fatalf("define: %v", err)
	}
	return a, units
}

// halfYear is a half-year report of the cities and counties.
func halfYear() dataset.Def {
	return dataset.Def{Code: "hy", NameZH: "半年报", NameEN: "Half-year report", PeriodType: "half",
		UnitTypes: []string{"city", "county"},
		Metrics: []dataset.Item{
			{Code: "events", NameZH: "活动场次", Unit: "场次", Aggregation: "flow", ValueType: "integer", Required: true},
			{Code: "people", NameZH: "参与人次", Unit: "人次", Aggregation: "flow", ValueType: "integer",
				Categories: []register.Option{{Code: "online", NameZH: "线上"}, {Code: "offline", NameZH: "线下"}}},
			{Code: "volunteers", NameZH: "注册志愿者", Unit: "人", Aggregation: "stock", ValueType: "integer"},
			{Code: "funds", NameZH: "经费", Unit: "元", Aggregation: "flow", ValueType: "money"},
			{Code: "score", NameZH: "满意度评分", Aggregation: "average", ValueType: "decimal", Scale: 1},
		},
		Rules: []dataset.Rule{
			{Code: "people_ge_events", Left: "people", Op: ">=", Right: "events", Severity: "error", MessageZH: "参与人次不应少于活动场次", MessageEN: "Participants should not be fewer than events"},
			{Code: "funds_nonneg", Left: "funds", Op: ">=", Right: "0", Severity: "error", MessageZH: "经费不能为负"},
			{Code: "online_share", Left: "cats.people.online", Op: "<=", Right: "people * 0.9", Severity: "warning", MessageZH: "线上人次占比过高"},
		},
	}
}

// entryOf is the access of a data-entry user at unit u.
func entryOf(u unit.Unit) dataset.Access {
	s := unit.Subtrees(u.Path)
	return dataset.Access{Read: s, Enter: s}
}

// approverOf is the access of an approver at unit u.
func approverOf(u unit.Unit) dataset.Access {
	s := unit.Subtrees(u.Path)
	return dataset.Access{Read: s, Approve: s}
}

func vals(pairs ...any) []dataset.ValueInput {
	var out []dataset.ValueInput
	for i := 0; i+1 < len(pairs); i += 2 {
		m, c := pairs[i].(string), ""
		if j := indexByte(m, '.'); j >= 0 {
			m, c = m[:j], m[j+1:]
		}
		out = append(out, dataset.ValueInput{Metric: m, Category: c, Value: pairs[i+1]})
	}
	return out
}

func indexByte(s string, b byte) int {
	for i := range len(s) {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func figure(t *testing.T, a *app.App, code, unitCode, periodID string) *float64 {
	t.Helper()
	f, err := a.Metrics.Value(context.Background(), unit.Everything(), code, unitCode, periodID)
	if err != nil {
		t.Fatalf("value %s %s %s: %v", code, unitCode, periodID, err)
	}
	return f.Value
}

func wantFigure(t *testing.T, a *app.App, code, unitCode, periodID string, want float64) {
	t.Helper()
	got := figure(t, a, code, unitCode, periodID)
	if got == nil || *got != want {
		t.Errorf("%s %s %s = %v, want %v", code, unitCode, periodID, deref(got), want)
	}
}

func deref(f *float64) any {
	if f == nil {
		return "—"
	}
	return *f
}

func verify(t *testing.T, a *app.App) {
	t.Helper()
	diffs, err := a.Metrics.Verify(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("%d facts differ from a recomputation, first %+v", len(diffs), diffs[0])
	}
}

// fieldsOf lists field:key of a validation error.
func fieldsOf(err error) []string {
	var out []string
	for _, f := range fault.FieldsOf(err) {
		out = append(out, f.Field+":"+f.Key)
	}
	return out
}

func hasField(err error, field, key string) bool {
	return slices.Contains(fieldsOf(err), field+":"+key)
}

// TestEntryUpdatesFacts: a saved value is in its metric's figures for
// the unit and every ancestor as soon as Save returns; reads of a period
// finer than the data set's have no figure; stock takes the latest value.
func TestEntryUpdatesFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, u := setup(t, db)
		f, err := a.Datasets.Save(ctx, entryOf(u["K11"]), "hy", "K11", "2024S1",
			vals("events", 3, "people.online", 10, "people.offline", "5", "volunteers", 40, "funds", "1,234.50", "score", "8.5"))
		if err != nil {
			t.Fatal(err)
		}
		if f.State != dataset.StateDraft || f.Text("funds", "") != "1234.50" || f.Text("people", "online") != "10" {
			t.Fatalf("form after save: %+v", f)
		}
		for _, unitCode := range []string{"K11", "C1", "P"} {
			wantFigure(t, a, "events", unitCode, "2024S1", 3)
			wantFigure(t, a, "people", unitCode, "2024S1", 15)
			wantFigure(t, a, "funds", unitCode, "2024S1", 1234.5)
			wantFigure(t, a, "events", unitCode, "2024", 3)
			wantFigure(t, a, "events", unitCode, "2024-01-01..2024-12-31", 3)
		}
		wantFigure(t, a, "events", "C2", "2024S1", 0)
		// a quarter or a month of a half-year figure has no value, not a part
		for _, p := range []string{"2024Q1", "2024Q2", "202403", "2024W10", "2024-01-01..2024-03-31"} {
			if v := figure(t, a, "events", "K11", p); v != nil {
				t.Errorf("events K11 %s = %v, want no figure", p, *v)
			}
		}
		if _, err := a.Datasets.Save(ctx, entryOf(u["K12"]), "hy", "K12", "2024S1", vals("events", 2, "people.online", 2, "score", "9.5")); err != nil {
			t.Fatal(err)
		}
		wantFigure(t, a, "events", "C1", "2024S1", 5)
		wantFigure(t, a, "score", "C1", "2024S1", 9)
		wantFigure(t, a, "score", "K12", "2024", 9.5)
		// stock: each unit's latest value up to the period's end, summed
		if _, err := a.Datasets.Save(ctx, entryOf(u["K11"]), "hy", "K11", "2024S2", vals("events", 1, "people.online", 1, "volunteers", 50)); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Datasets.Save(ctx, entryOf(u["K12"]), "hy", "K12", "2024S2", vals("volunteers", 10)); err != nil {
			t.Fatal(err)
		}
		wantFigure(t, a, "volunteers", "K11", "2024S1", 40)
		wantFigure(t, a, "volunteers", "K11", "2024", 50)
		wantFigure(t, a, "volunteers", "C1", "2024", 60)
		wantFigure(t, a, "volunteers", "C1", "2025S1", 60)
		wantFigure(t, a, "volunteers", "C1", "2024S1", 40)
		wantFigure(t, a, "events", "C1", "2024", 6)
		// clearing a stock value falls back to the unit's previous one
		if _, err := a.Datasets.Save(ctx, entryOf(u["K11"]), "hy", "K11", "2024S2", vals("volunteers", nil)); err != nil {
			t.Fatal(err)
		}
		wantFigure(t, a, "volunteers", "C1", "2024", 50)
		// changing an earlier value of a series moves the later steps too
		if _, err := a.Datasets.Save(ctx, entryOf(u["K12"]), "hy", "K12", "2024S1", vals("volunteers", 7)); err != nil {
			t.Fatal(err)
		}
		wantFigure(t, a, "volunteers", "K12", "2024S1", 7)
		wantFigure(t, a, "volunteers", "K12", "2024S2", 10)
		verify(t, a)
		// the category figures
		f2, err := a.Metrics.Value(ctx, unit.Everything(), "people", "C1", "2024S1")
		if err != nil || f2.Value == nil || *f2.Value != 17 {
			t.Fatalf("people C1: %v %v", f2.Value, err)
		}
		// the saves are in the form's history and the audit log
		form, err := a.Datasets.Form(ctx, entryOf(u["K11"]), "hy", "K11", "2024S2")
		if err != nil {
			t.Fatal(err)
		}
		if len(form.History) != 2 || form.History[0].Action != "save" {
			t.Errorf("history: %+v", form.History)
		}
		if len(form.Missing) != 0 {
			t.Errorf("missing: %v", form.Missing)
		}
	})
}

// TestBadInput: every refused save says which field and why, and writes
// nothing.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, u := setup(t, db)
		k11 := entryOf(u["K11"])
		if _, err := a.Datasets.Save(ctx, k11, "hy", "K11", "2024S1", vals("events", 3, "people.online", 4, "funds", "10")); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name         string
			acc          dataset.Access
			unit, period string
			in           []dataset.ValueInput
			kind         error
			field, key   string
		}{
			{"text for an integer", k11, "K11", "2024S1", vals("events", "三"), fault.ErrInvalid, "events", "register.value.integer"},
			{"a fraction for an integer", k11, "K11", "2024S1", vals("events", "1.5"), fault.ErrInvalid, "events", "register.value.integer"},
			{"a boolean", k11, "K11", "2024S1", vals("events", true), fault.ErrInvalid, "events", "register.value.type"},
			{"too many decimals of money", k11, "K11", "2024S1", vals("funds", "1.234"), fault.ErrInvalid, "funds", "register.value.number"},
			{"negative where a rule forbids", k11, "K11", "2024S1", vals("funds", "-5"), fault.ErrInvalid, "rules.funds_nonneg", "dataset.rule.failed"},
			{"fewer people than events", k11, "K11", "2024S1", vals("events", 9), fault.ErrInvalid, "rules.people_ge_events", "dataset.rule.failed"},
			{"an unknown metric", k11, "K11", "2024S1", vals("nope", 1), fault.ErrInvalid, "values[0].metric", "dataset.metric.unknown"},
			{"an unknown category", k11, "K11", "2024S1", vals("people.kids", 1), fault.ErrInvalid, "values[0].category", "dataset.category.unknown"},
			{"a category where there is none", k11, "K11", "2024S1", vals("events.online", 1), fault.ErrInvalid, "values[0].category", "dataset.category.unknown"},
			{"a cell twice", k11, "K11", "2024S1", vals("events", 3, "events", 4), fault.ErrInvalid, "events", "dataset.value.duplicate"},
			{"a quarter in a half-year data set", k11, "K11", "2024Q1", vals("events", 1), fault.ErrInvalid, "period", "dataset.period.kind"},
			{"not a period", k11, "K11", "2024S3", vals("events", 1), fault.ErrInvalid, "period", "dataset.period.invalid"},
			{"no period", k11, "K11", "", vals("events", 1), fault.ErrInvalid, "period", "error.required"},
			{"a unit that does not report", dataset.System(), "S1", "2024S1", vals("events", 1), fault.ErrInvalid, "unit", "dataset.unit.not_assigned"},
			{"another county", k11, "K12", "2024S1", vals("events", 1), fault.ErrNotFound, "", ""},
			{"another city's county", entryOf(u["C1"]), "K21", "2024S1", vals("events", 1), fault.ErrNotFound, "", ""},
			{"a unit read but not entered", approverOf(u["C1"]), "K11", "2024S1", vals("events", 1), fault.ErrForbidden, "unit", "dataset.enter.forbidden"},
		}
		for _, c := range cases {
			_, err := a.Datasets.Save(ctx, c.acc, "hy", c.unit, c.period, c.in)
			if !errors.Is(err, c.kind) {
				t.Errorf("%s: %v, want %v", c.name, err, c.kind)
				continue
			}
			if c.field != "" && !hasField(err, c.field, c.key) {
				t.Errorf("%s: %v, want %s:%s", c.name, fieldsOf(err), c.field, c.key)
			}
		}
		// nothing was written: the values, the figures and the history are as before
		f, err := a.Datasets.Form(ctx, k11, "hy", "K11", "2024S1")
		if err != nil {
			t.Fatal(err)
		}
		if f.Text("events", "") != "3" || f.Text("funds", "") != "10.00" || len(f.History) != 1 {
			t.Errorf("after refusals: events %q funds %q history %d", f.Text("events", ""), f.Text("funds", ""), len(f.History))
		}
		wantFigure(t, a, "events", "P", "2024S1", 3)
		wantFigure(t, a, "funds", "P", "2024S1", 10)
		verify(t, a)
		// a failed warning saves and is reported
		f, err = a.Datasets.Save(ctx, k11, "hy", "K11", "2024S1", vals("people.online", 40, "people.offline", 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Warnings) != 1 || f.Warnings[0].Rule != "online_share" {
			t.Errorf("warnings: %+v", f.Warnings)
		}
		// workflow steps that the state or the role does not allow
		for _, c := range []struct {
			name       string
			acc        dataset.Access
			action     dataset.Action
			reason     string
			kind       error
			field, key string
		}{
			{"approve a draft", approverOf(u["C1"]), dataset.ActApprove, "", fault.ErrConflict, "state", "dataset.transition"},
			{"withdraw a draft", approverOf(u["C1"]), dataset.ActWithdraw, "", fault.ErrConflict, "state", "dataset.transition"},
			{"return without a reason", approverOf(u["C1"]), dataset.ActReturn, " ", fault.ErrInvalid, "reason", "error.required"},
			{"an unknown step", k11, "publish", "", fault.ErrInvalid, "action", "error.option"},
			{"submit without the role", approverOf(u["C1"]), dataset.ActSubmit, "", fault.ErrForbidden, "unit", "dataset.enter.forbidden"},
		} {
			_, err := a.Datasets.Act(ctx, c.acc, "hy", "K11", "2024S1", c.action, c.reason)
			if !errors.Is(err, c.kind) || !hasField(err, c.field, c.key) {
				t.Errorf("%s: %v %v, want %v %s:%s", c.name, err, fieldsOf(err), c.kind, c.field, c.key)
			}
		}
		// a required value is missing: no submission
		if _, err := a.Datasets.Save(ctx, entryOf(u["K12"]), "hy", "K12", "2024S1", vals("funds", 1)); err != nil {
			t.Fatal(err)
		}
		_, err = a.Datasets.Act(ctx, entryOf(u["K12"]), "hy", "K12", "2024S1", dataset.ActSubmit, "")
		if !hasField(err, "events", "dataset.value.required") {
			t.Errorf("submit without a required value: %v", err)
		}
	})
}

// TestDefinitionErrors: a data set that would not work, or that would
// change the meaning of values entered, is refused.
func TestDefinitionErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, u := setup(t, db)
		if _, err := a.Datasets.Save(ctx, entryOf(u["K11"]), "hy", "K11", "2024S1", vals("events", 3, "people.online", 4)); err != nil {
			t.Fatal(err)
		}
		edit := func(f func(*dataset.Def)) dataset.Def {
			d := halfYear()
			f(&d)
			return d
		}
		cases := []struct {
			name       string
			def        dataset.Def
			kind       error
			field, key string
		}{
			{"bad code", edit(func(d *dataset.Def) { d.Code = "Half Year" }), fault.ErrInvalid, "code", "register.code.invalid"},
			{"weekly", edit(func(d *dataset.Def) { d.Code, d.PeriodType = "wk", "week" }), fault.ErrInvalid, "period_type", "error.option"},
			{"no units", edit(func(d *dataset.Def) { d.Code, d.UnitTypes = "x1", nil }), fault.ErrInvalid, "unit_types", "dataset.assignment.required"},
			{"unknown type", edit(func(d *dataset.Def) { d.Code, d.UnitTypes = "x2", []string{"planet"} }), fault.ErrInvalid, "unit_types[0]", "unit.type.unknown"},
			{"unknown group", edit(func(d *dataset.Def) { d.Code, d.Groups = "x3", []string{"nope"} }), fault.ErrInvalid, "groups[0]", "unit.group.unknown"},
			{"a distinct count", edit(func(d *dataset.Def) {
				d.Code = "x4"
				d.Metrics = []dataset.Item{{Code: "z1", NameZH: "z", Aggregation: "distinct", ValueType: "integer"}}
			}), fault.ErrInvalid, "metrics[0].aggregation", "metric.entered.aggregation"},
			{"a text value", edit(func(d *dataset.Def) {
				d.Code = "x5"
				d.Metrics = []dataset.Item{{Code: "z2", NameZH: "z", Aggregation: "flow", ValueType: "text"}}
			}), fault.ErrInvalid, "metrics[0].value_type", "error.option"},
			{"a rule over nothing", edit(func(d *dataset.Def) { d.Code = "x6"; d.Metrics = d.Metrics[:0]; d.Rules = nil }), fault.ErrInvalid, "metrics", "error.required"},
			{"a rule naming no metric", edit(func(d *dataset.Def) {
				d.Code, d.Metrics = "x7", []dataset.Item{{Code: "z3", NameZH: "z", Aggregation: "flow", ValueType: "integer"}}
				d.Rules = []dataset.Rule{{Code: "r", Left: "nope", Op: ">", Right: "0", Severity: "error", MessageZH: "m"}}
			}), fault.ErrInvalid, "rules[0].left", "dataset.rule.expr"},
			{"a bad operator", edit(func(d *dataset.Def) { d.Code = "x8"; d.Metrics = nil; d.Rules[0].Op = "=<" }), fault.ErrInvalid, "rules[0].op", "error.option"},
			{"a window of another period type", edit(func(d *dataset.Def) {
				d.Windows = []dataset.Window{{Period: "2024Q1", Opens: "2024-04-01", Closes: "2024-04-15"}}
			}), fault.ErrInvalid, "windows[0].period", "dataset.period.kind"},
			{"a window closing before it opens", edit(func(d *dataset.Def) {
				d.Windows = []dataset.Window{{Period: "2024S1", Opens: "2024-07-15", Closes: "2024-07-01"}}
			}), fault.ErrInvalid, "windows[0].closes", "dataset.window.order"},
			{"a metric of another data set", edit(func(d *dataset.Def) { d.Code = "x9" }), fault.ErrConflict, "metrics[0].code", "dataset.metric.other_dataset"},
			{"dropping a metric with values", edit(func(d *dataset.Def) { d.Metrics = d.Metrics[2:]; d.Rules = nil }), fault.ErrConflict, "metrics", "dataset.metric.has_values"},
			{"changing a metric's type", edit(func(d *dataset.Def) { d.Metrics[0].ValueType = "decimal" }), fault.ErrConflict, "metrics[0].value_type", "dataset.metric.type_fixed"},
			{"dropping a category with values", edit(func(d *dataset.Def) { d.Metrics[1].Categories = d.Metrics[1].Categories[1:]; d.Rules = d.Rules[:2] }), fault.ErrConflict, "metrics[1].categories", "dataset.metric.category_used"},
			{"changing the period type", edit(func(d *dataset.Def) { d.PeriodType = "year" }), fault.ErrConflict, "period_type", "dataset.period_type.fixed"},
		}
		for _, c := range cases {
			_, err := a.Datasets.Define(ctx, c.def)
			if !errors.Is(err, c.kind) || !hasField(err, c.field, c.key) {
				t.Errorf("%s: %v %v, want %v %s:%s", c.name, err, fieldsOf(err), c.kind, c.field, c.key)
			}
		}
		// a metric of another source cannot be taken over
		if _, err := a.Metrics.Define(ctx, metric.Def{Code: "twice", NameZH: "两倍", Aggregation: metric.Flow, Source: metric.FromFormula, Formula: "events * 2"}); err != nil {
			t.Fatal(err)
		}
		taken := halfYear()
		taken.Code, taken.Metrics, taken.Rules = "x10", []dataset.Item{{Code: "twice", NameZH: "z", Aggregation: "flow", ValueType: "integer"}}, nil
		if _, err := a.Datasets.Define(ctx, taken); !errors.Is(err, fault.ErrConflict) || !hasField(err, "metrics[0].code", "dataset.metric.taken") {
			t.Errorf("taking a formula metric: %v", err)
		}
		wantFigure(t, a, "twice", "P", "2024S1", 6)
		// what is allowed: renaming, a new metric, a new rule; facts survive
		d := halfYear()
		d.NameZH = "半年报表"
		d.Metrics[0].NameZH = "举办活动场次"
		d.Metrics = append(d.Metrics, dataset.Item{Code: "talks", NameZH: "报告会", Aggregation: "flow", ValueType: "integer"})
		if _, err := a.Datasets.Define(ctx, d); err != nil {
			t.Fatalf("allowed change: %v", err)
		}
		wantFigure(t, a, "events", "P", "2024S1", 3)
		verify(t, a)
		got, err := a.Datasets.Get(ctx, "hy")
		if err != nil || got.Version != 2 || len(got.Metrics) != 6 {
			t.Fatalf("after the change: %+v %v", got, err)
		}
		// a data set with values is not deleted; an unused one is
		if err := a.Datasets.Delete(ctx, "hy"); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("delete in use: %v", err)
		}
		spare := dataset.Def{Code: "spare", NameZH: "备用", PeriodType: "year", UnitTypes: []string{"city"},
			Metrics: []dataset.Item{{Code: "spare_n", NameZH: "数", Aggregation: "flow", ValueType: "integer"}}}
		if _, err := a.Datasets.Define(ctx, spare); err != nil {
			t.Fatal(err)
		}
		if err := a.Datasets.Delete(ctx, "spare"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Datasets.Get(ctx, "spare"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("deleted data set: %v", err)
		}
	})
}

// TestLoadDemo: the demo report loads over the cities, with accepted,
// submitted and draft forms, figures that match their values, and a
// second load that changes nothing.
func TestLoadDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := setup(t, db)
		for range 2 {
			if err := dataset.LoadDemo(ctx, a.Datasets); err != nil {
				t.Fatal(err)
			}
		}
		d, err := a.Datasets.Get(ctx, dataset.DemoCode)
		if err != nil || d.Version != 1 {
			t.Fatalf("demo data set: %+v %v", d, err)
		}
		c, err := a.Datasets.Completeness(ctx, dataset.System(), dataset.DemoCode, "P", "2025S1")
		if err != nil || c.Total != 2 || c.Accepted != 2 {
			t.Fatalf("2025S1: %+v %v", c, err)
		}
		f, err := a.Datasets.Form(ctx, dataset.System(), dataset.DemoCode, "C1", "2025S2")
		if err != nil || len(f.Missing) != 0 || len(f.History) < 2 {
			t.Fatalf("C1 2025S2: %+v %v", f, err)
		}
		events, _ := strconv.ParseFloat(f.Text("hy_activities", ""), 64)
		wantFigure(t, a, "hy_activities", "C1", "2025S2", events)
		verify(t, a)
	})
}
