package metric_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// figuresApp builds a small province (P; cities C1, C2; counties K11,
// K12 under C1, K21 under C2) with an events register, an organisations
// register and a metric of every kind, and fills them with random records.
func figuresApp(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []unit.Create{
		{Code: "P", Type: "province", NameZH: "省", NameEN: "Province"},
		{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
		{Code: "C2", Parent: "P", Type: "city", NameZH: "二市"},
		{Code: "S1", Parent: "P", Type: "society", NameZH: "学会"},
		{Code: "K11", Parent: "C1", Type: "county", NameZH: "一一县"},
		{Code: "K12", Parent: "C1", Type: "county", NameZH: "一二县"},
		{Code: "K21", Parent: "C2", Type: "county", NameZH: "二一县"},
	} {
		if _, err := a.Units.Create(ctx, unit.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	events := register.Schema{Code: "events", NameZH: "活动", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", Options: []register.Option{
				{Code: "online", NameZH: "线上", NameEN: "Online"}, {Code: "offline", NameZH: "线下", NameEN: "On site"}}},
			{Code: "people", Type: register.TypeInteger, NameZH: "人次"},
			{Code: "cost", Type: register.TypeDecimal, NameZH: "经费"},
			{Code: "hybrid", Type: register.TypeBoolean, NameZH: "线上线下"},
			{Code: "org", Type: register.TypeText, NameZH: "服务企业"},
		}}
	orgs := register.Schema{Code: "orgs", NameZH: "组织", DateField: "reported_on", NaturalKey: []string{"name", "reported_on"},
		Fields: []register.Field{
			{Code: "name", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "reported_on", Type: register.TypeDate, NameZH: "填报日期", Required: true},
			{Code: "members", Type: register.TypeInteger, NameZH: "成员"},
		}}
	for _, sc := range []register.Schema{events, orgs} {
		if _, err := a.Registers.Define(ctx, sc, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []metric.Def{
		{Code: "ev_all", NameZH: "活动", Unit: "场次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events"},
		{Code: "ev_online", NameZH: "线上活动", Unit: "场次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events", Filter: `mode == "online"`},
		{Code: "ev_big", NameZH: "大型活动", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events", Filter: `people > 300 || hybrid`},
		{Code: "ev_hybrid", NameZH: "线上线下活动", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events", Filter: `hybrid and mode == "offline"`},
		{Code: "ev_people", NameZH: "参与人次", Unit: "人次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events", Field: "people", Breakdown: "mode"},
		{Code: "ev_cost", NameZH: "经费", Unit: "元", Decimals: 2, Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events", Field: "cost", Breakdown: "hybrid"},
		{Code: "ev_avg", NameZH: "场均人次", Aggregation: metric.Average, Source: metric.FromRegister, Register: "events", Field: "people"},
		{Code: "ev_orgs", NameZH: "服务企业", Aggregation: metric.Distinct, Source: metric.FromRegister, Register: "events", Field: "org"},
		{Code: "ev_max", NameZH: "最多人次", Aggregation: metric.Max, Source: metric.FromRegister, Register: "events", Field: "people"},
		{Code: "ev_share", NameZH: "线上占比", Aggregation: metric.Ratio, Source: metric.FromFormula, Numerator: "ev_online", Denominator: "ev_all", Percent: true, Decimals: 1},
		{Code: "ev_mix", NameZH: "综合", Aggregation: metric.Flow, Source: metric.FromFormula, Formula: "ev_all * 2 + ev_people / 100"},
		{Code: "members", NameZH: "成员", Unit: "人", Aggregation: metric.Stock, Source: metric.FromRegister, Register: "orgs", Field: "members"},
	} {
		if _, err := a.Metrics.Define(ctx, d); err != nil {
			t.Fatalf("define %s: %v", d.Code, err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 5))
	places := []string{"P", "C1", "C2", "S1", "K11", "K12", "K21"}
	modes := []any{"online", "offline", nil}
	sys := register.System()
	for i := 0; i < 260; i++ {
		vals := map[string]any{"title": fmt.Sprintf("活动%d", i), "day": fmt.Sprintf("2021-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)),
			"mode": modes[rng.IntN(3)], "hybrid": rng.IntN(4) == 0, "org": fmt.Sprintf("企业%d", rng.IntN(9))}
		if rng.IntN(5) > 0 {
			vals["people"] = fmt.Sprint(rng.IntN(500))
		}
		if rng.IntN(3) > 0 {
			vals["cost"] = fmt.Sprintf("%d.%02d", rng.IntN(1000), rng.IntN(100))
		}
		if _, err := a.Registers.Create(ctx, sys, "events", register.Input{Unit: places[rng.IntN(len(places))], Values: vals}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 60; i++ {
		_, err := a.Registers.Create(ctx, sys, "orgs", register.Input{Unit: places[rng.IntN(len(places))], Values: map[string]any{
			"name": fmt.Sprintf("组织%d", rng.IntN(6)), "reported_on": fmt.Sprintf("2021-%02d-01", 1+rng.IntN(12)), "members": fmt.Sprint(rng.IntN(300))}})
		if err != nil && !errors.Is(err, fault.ErrConflict) {
			t.Fatal(err)
		}
	}
	return a
}

var figureMetrics = []string{"ev_all", "ev_online", "ev_big", "ev_hybrid", "ev_people", "ev_cost", "ev_avg", "ev_orgs", "ev_max", "ev_share", "ev_mix", "members"}

func same(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9*math.Max(1, math.Abs(*b))
}

func show(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprint(*v)
}

// TestByChildrenEqualsValue: every part of a breakdown by child unit is
// the child's own figure, for every kind of metric.
func TestByChildrenEqualsValue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := figuresApp(t, db)
		all := unit.Everything()
		for _, code := range figureMetrics {
			for _, u := range []string{"P", "C1", "K11"} {
				for _, p := range []string{"2021", "2021S1", "202103", "2021-02-10..2021-08-20"} {
					b, err := a.Metrics.ByChildren(ctx, all, code, u, p)
					if err != nil {
						t.Fatalf("%s %s %s: %v", code, u, p, err)
					}
					want := map[string]int{"P": 3, "C1": 2, "K11": 0}[u]
					if len(b.Parts) != want {
						t.Fatalf("%s: %d children, want %d", u, len(b.Parts), want)
					}
					for _, part := range b.Parts {
						f, err := a.Metrics.Value(ctx, all, code, part.Key, p)
						if err != nil {
							t.Fatal(err)
						}
						if !same(part.Value, f.Value) || (part.Count != f.Count && f.Count != 0) {
							t.Errorf("%s %s %s: ByChildren %s = %s (%d), Value = %s (%d)", code, u, p, part.Key, show(part.Value), part.Count, show(f.Value), f.Count)
						}
					}
				}
			}
		}
		// only the cities
		b, err := a.Metrics.ByChildren(ctx, all, "ev_all", "P", "2021", "city")
		if err != nil || len(b.Parts) != 2 || b.Parts[0].Key != "C1" || b.Parts[1].Key != "C2" {
			t.Fatalf("cities: %+v %v", b, err)
		}
		// relative periods are resolved
		if b, err := a.Metrics.ByChildren(ctx, all, "ev_all", "P", "THIS_YEAR"); err != nil || len(b.Period) != 4 {
			t.Fatalf("THIS_YEAR: %+v %v", b, err)
		}
	})
}

func TestByPeriodAndMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := figuresApp(t, db)
		all := unit.Everything()
		y, _ := period.Parse("2021")
		var months []string
		for _, m := range period.Months(y) {
			months = append(months, m.ID)
		}
		periods := append(months, "2021S1", "2021Q4", "2020")
		for _, code := range figureMetrics {
			for _, u := range []string{"P", "C2"} {
				b, err := a.Metrics.ByPeriod(ctx, all, code, u, periods)
				if err != nil {
					t.Fatal(err)
				}
				if len(b.Parts) != len(periods) || b.Parts[0].NameZH != "2021年1月" {
					t.Fatalf("%s: parts %+v", code, b.Parts)
				}
				for i, p := range periods {
					f, err := a.Metrics.Value(ctx, all, code, u, p)
					if err != nil {
						t.Fatal(err)
					}
					if !same(b.Parts[i].Value, f.Value) {
						t.Errorf("%s %s %s: ByPeriod %s, Value %s", code, u, p, show(b.Parts[i].Value), show(f.Value))
					}
				}
			}
		}
		for _, p := range []string{"2021", "2021Q2", "202107"} {
			figs, err := a.Metrics.Many(ctx, all, figureMetrics, "C1", p)
			if err != nil {
				t.Fatal(err)
			}
			for i, code := range figureMetrics {
				f, _ := a.Metrics.Value(ctx, all, code, "C1", p)
				if figs[i].Metric != code || !same(figs[i].Value, f.Value) || figs[i].Count != f.Count || figs[i].Period != p {
					t.Errorf("Many %s %s = %+v, Value %+v", code, p, figs[i], f)
				}
			}
		}
		if _, err := a.Metrics.ByPeriod(ctx, all, "ev_all", "P", []string{"2021", "2021S3"}); !hasField(err, "periods") {
			t.Errorf("bad period in a list: %v", err)
		}
		if _, err := a.Metrics.Many(ctx, all, []string{"ev_all", "nope"}, "P", "2021"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("unknown metric in Many: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	for _, f := range fault.FieldsOf(err) {
		if f.Field == field {
			return true
		}
	}
	return false
}

// eachMatching calls fn for every events record of u's subtree in p.
func eachMatching(t *testing.T, a *app.App, u, p string, fn func(r *register.Record)) {
	t.Helper()
	err := a.Registers.EachRecord(context.Background(), unit.Everything(), "events", register.Filter{Under: u, Period: p}, func(_ *register.Register, r *register.Record) error {
		fn(r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestByCategory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := figuresApp(t, db)
		all := unit.Everything()
		for _, u := range []string{"P", "C1", "K21"} {
			b, err := a.Metrics.ByCategory(ctx, all, "ev_people", u, "2021S2")
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]float64{}
			eachMatching(t, a, u, "2021S2", func(r *register.Record) {
				if m, ok := r.Values["mode"].(string); ok {
					n, _ := r.Values["people"].(int64)
					want[m] += float64(n)
				}
			})
			if len(b.Parts) != 2 || b.Parts[0].Key != "online" || b.Parts[0].NameZH != "线上" || b.Parts[1].NameEN != "On site" {
				t.Fatalf("categories: %+v", b.Parts)
			}
			for _, p := range b.Parts {
				if p.Value == nil || *p.Value != want[p.Key] {
					t.Errorf("%s %s = %s, want %v", u, p.Key, show(p.Value), want[p.Key])
				}
			}
		}
		b, err := a.Metrics.ByCategory(ctx, all, "ev_cost", "P", "2021")
		if err != nil || len(b.Parts) != 2 || b.Parts[0].Key != "true" || b.Parts[0].NameZH != "是" {
			t.Fatalf("boolean categories: %+v %v", b, err)
		}
		var yes float64
		eachMatching(t, a, "P", "2021", func(r *register.Record) {
			if n, ok := r.Values["cost"].(int64); ok && r.Values["hybrid"] == true {
				yes += float64(n) / 100
			}
		})
		if b.Parts[0].Value == nil || math.Abs(*b.Parts[0].Value-yes) > 1e-6 {
			t.Errorf("cost of hybrid events %s, want %v", show(b.Parts[0].Value), yes)
		}
		if _, err := a.Metrics.ByCategory(ctx, all, "ev_all", "P", "2021"); !hasField(err, "metric") {
			t.Errorf("a metric without a breakdown: %v", err)
		}
	})
}

// TestRecords: the drill-down of a figure lists exactly the records the
// figure counts, whether its filter runs in SQL or over the records.
func TestRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := figuresApp(t, db)
		all := unit.Everything()
		matches := map[string]func(r *register.Record) bool{
			"ev_all":    func(r *register.Record) bool { return true },
			"ev_online": func(r *register.Record) bool { return r.Values["mode"] == "online" },
			"ev_big": func(r *register.Record) bool {
				n, _ := r.Values["people"].(int64)
				return n > 300 || r.Values["hybrid"] == true
			},
			"ev_hybrid": func(r *register.Record) bool { return r.Values["hybrid"] == true && r.Values["mode"] == "offline" },
			"ev_people": func(r *register.Record) bool { return true },
			"ev_avg":    func(r *register.Record) bool { return r.Values["people"] != nil },
			"ev_orgs":   func(r *register.Record) bool { return r.Values["org"] != nil },
			"ev_max":    func(r *register.Record) bool { return r.Values["people"] != nil },
		}
		for code, match := range matches {
			for _, u := range []string{"P", "C1", "K12"} {
				for _, p := range []string{"2021", "2021Q3"} {
					var want []int64
					eachMatching(t, a, u, p, func(r *register.Record) {
						if match(r) {
							want = append(want, r.ID)
						}
					})
					var got []int64
					total := -1
					for page := 1; ; page++ {
						reg, pg, err := a.Metrics.Records(ctx, all, code, u, p, page)
						if err != nil {
							t.Fatalf("%s: %v", code, err)
						}
						if reg.Code != "events" {
							t.Fatalf("register %s", reg.Code)
						}
						total = pg.Total
						for _, r := range pg.Items {
							got = append(got, r.ID)
						}
						if len(pg.Items) < metric.RecordsPerPage {
							break
						}
					}
					slices.Sort(want)
					slices.Sort(got)
					if !slices.Equal(got, want) || total != len(want) {
						t.Errorf("%s %s %s: drill-down has %d records (total %d), the figure counts %d", code, u, p, len(got), total, len(want))
					}
					f, _ := a.Metrics.Value(ctx, all, code, u, p)
					if f.Count != 0 && f.Count != int64(total) {
						t.Errorf("%s %s %s: figure counts %d records, drill-down %d", code, u, p, f.Count, total)
					}
				}
			}
		}
		// a stock's records are each series' latest report: they add up to the figure
		for _, p := range []string{"2021", "2021S1", "202103"} {
			_, pg, err := a.Metrics.Records(ctx, all, "members", "P", p, 1)
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, r := range pg.Items {
				n, _ := r.Values["members"].(int64)
				sum += float64(n)
			}
			f, _ := a.Metrics.Value(ctx, all, "members", "P", p)
			if f.Value == nil || *f.Value != sum {
				t.Errorf("members %s: records add up to %v, figure %s", p, sum, show(f.Value))
			}
		}
		if _, _, err := a.Metrics.Records(ctx, all, "ev_share", "P", "2021", 1); !hasField(err, "metric") {
			t.Errorf("records of a ratio: %v", err)
		}
	})
}

func TestReadErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := figuresApp(t, db)
		c1, _ := a.Units.Get(ctx, unit.Everything(), "C1")
		city := unit.Subtrees(c1.Path)
		if _, err := a.Metrics.ByChildren(ctx, city, "ev_all", "C2", "2021"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another city: %v", err)
		}
		if _, err := a.Metrics.ByChildren(ctx, city, "ev_all", "C1", "2021S3"); !hasField(err, "period") {
			t.Errorf("bad period: %v", err)
		}
		if _, err := a.Metrics.ByChildren(ctx, city, "nope", "C1", "2021"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("unknown metric: %v", err)
		}
		if _, _, err := a.Metrics.Records(ctx, city, "ev_all", "K21", "2021", 1); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("records of another city: %v", err)
		}
		if _, err := a.Metrics.Many(ctx, city, []string{"ev_all"}, "P", "2021"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("Many above the scope: %v", err)
		}
	})
}
