package metric_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

func schema() register.Schema {
	return register.Schema{Code: "acts", NameZH: "活动", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", Options: []register.Option{{Code: "online", NameZH: "线上"}, {Code: "offline", NameZH: "线下"}}},
			{Code: "people", Type: register.TypeInteger, NameZH: "人次"},
			{Code: "org", Type: register.TypeText, NameZH: "服务企业"},
		}}
}

func stockSchema() register.Schema {
	return register.Schema{Code: "vorgs", NameZH: "志愿组织", DateField: "reported_on", NaturalKey: []string{"name", "reported_on"},
		Fields: []register.Field{
			{Code: "name", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "reported_on", Type: register.TypeDate, NameZH: "填报日期", Required: true},
			{Code: "volunteers", Type: register.TypeInteger, NameZH: "注册志愿者"},
		}}
}

var units = []string{"P", "C1", "C2", "K11", "K12", "K21"}

func setup(t *testing.T, db *store.DB) *app.App {
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
		{Code: "K11", Parent: "C1", Type: "county", NameZH: "一一县"},
		{Code: "K12", Parent: "C1", Type: "county", NameZH: "一二县"},
		{Code: "K21", Parent: "C2", Type: "county", NameZH: "二一县"},
	} {
		if _, err := a.Units.Create(ctx, unit.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	for _, sc := range []register.Schema{schema(), stockSchema()} {
		if _, err := a.Registers.Define(ctx, sc, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []metric.Def{
		{Code: "acts_online", NameZH: "线上活动", Unit: "场次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "acts", Filter: `mode == "online"`},
		{Code: "acts_people", NameZH: "参与人次", Unit: "人次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "acts", Field: "people", Breakdown: "mode"},
		{Code: "acts_avg", NameZH: "场均人次", Aggregation: metric.Average, Source: metric.FromRegister, Register: "acts", Field: "people"},
		{Code: "acts_orgs", NameZH: "服务企业数", Aggregation: metric.Distinct, Source: metric.FromRegister, Register: "acts", Field: "org"},
		{Code: "acts_all", NameZH: "活动", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "acts"},
		{Code: "online_share", NameZH: "线上占比", Aggregation: metric.Ratio, Source: metric.FromFormula, Numerator: "acts_online", Denominator: "acts_all", Percent: true},
		{Code: "volunteers", NameZH: "注册志愿者", Unit: "人", Aggregation: metric.Stock, Source: metric.FromRegister, Register: "vorgs", Field: "volunteers"},
	} {
		if _, err := a.Metrics.Define(ctx, d); err != nil {
			t.Fatalf("define %s: %v", d.Code, err)
		}
	}
	return a
}

// TestFactsEqualRecomputation runs random sequences of writes — creates,
// updates that change day, unit-relevant values and categories, deletes,
// and unit moves — and checks after each batch that the maintained facts
// equal a recomputation from the records, on both databases.
func TestFactsEqualRecomputation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rng := rand.New(rand.NewPCG(7, 11))
		w := &writer{a: a, rng: rng}
		for step := 0; step < 240; step++ {
			w.write(t, step)
			if step%40 == 39 {
				diffs, err := a.Metrics.Verify(ctx, "")
				if err != nil {
					t.Fatal(err)
				}
				if len(diffs) > 0 {
					t.Fatalf("step %d: %d facts differ from a recomputation, first %+v", step, len(diffs), diffs[0])
				}
				checkFigures(t, a)
			}
		}
	})
}

// checkFigures compares figures read through the facts with counts made
// directly over the records, for every unit and a few periods.
func checkFigures(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	for _, u := range units {
		for _, p := range []string{"2021", "2021S1", "2021Q3", "202105"} {
			var online, all, people, orgsN float64
			orgs := map[string]bool{}
			uu, _ := a.Units.Get(ctx, unit.Everything(), u)
			err := a.Registers.EachRecord(ctx, unit.Subtrees(uu.Path), "acts", register.Filter{Period: p}, func(_ *register.Register, r *register.Record) error {
				all++
				if r.Values["mode"] == "online" {
					online++
				}
				if n, ok := r.Values["people"].(int64); ok {
					people += float64(n)
				}
				orgs[r.Values["org"].(string)] = true
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			orgsN = float64(len(orgs))
			for code, want := range map[string]float64{"acts_online": online, "acts_all": all, "acts_people": people, "acts_orgs": orgsN} {
				f, err := a.Metrics.Value(ctx, unit.Everything(), code, u, p)
				if err != nil {
					t.Fatal(err)
				}
				if f.Value == nil || *f.Value != want {
					t.Fatalf("%s %s %s = %v, want %v", code, u, p, f.Value, want)
				}
			}
			share, _ := a.Metrics.Value(ctx, unit.Everything(), "online_share", u, p)
			switch {
			case all == 0 && share.Value != nil:
				t.Fatalf("ratio over zero: %v", *share.Value)
			case all > 0 && (share.Value == nil || *share.Value != online/all*100):
				t.Fatalf("online_share %s %s = %v, want %v", u, p, share.Value, online/all*100)
			}
		}
	}
}

func TestDefinitionErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		cases := []struct {
			d     metric.Def
			field string
		}{
			{metric.Def{Code: "x1", NameZH: "x", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "nope"}, "register"},
			{metric.Def{Code: "x2", NameZH: "x", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "acts", Field: "title"}, "field"},
			{metric.Def{Code: "x3", NameZH: "x", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "acts", Filter: "mode =="}, "filter"},
			{metric.Def{Code: "x4", NameZH: "x", Aggregation: metric.Distinct, Source: metric.FromRegister, Register: "acts"}, "field"},
			{metric.Def{Code: "x5", NameZH: "x", Aggregation: metric.Ratio, Source: metric.FromFormula, Numerator: "acts_all", Denominator: "nope"}, "denominator"},
			{metric.Def{Code: "x6", NameZH: "x", Aggregation: "median", Source: metric.FromRegister, Register: "acts"}, "aggregation"},
			{metric.Def{Code: "x7", NameZH: "x", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "acts", Breakdown: "title"}, "breakdown"},
		}
		for _, c := range cases {
			_, err := a.Metrics.Define(ctx, c.d)
			found := false
			for _, f := range fault.FieldsOf(err) {
				found = found || f.Field == c.field
			}
			if !found {
				t.Errorf("%s: want an error on %s, got %v", c.d.Code, c.field, err)
			}
		}
		// formulas may not depend on themselves
		if _, err := a.Metrics.Define(ctx, metric.Def{Code: "f1", NameZH: "f1", Aggregation: metric.Flow, Source: metric.FromFormula, Formula: "acts_all * 2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Metrics.Define(ctx, metric.Def{Code: "f2", NameZH: "f2", Aggregation: metric.Flow, Source: metric.FromFormula, Formula: "f1 + 1"}); err != nil {
			t.Fatal(err)
		}
		_, err := a.Metrics.Define(ctx, metric.Def{Code: "f1", NameZH: "f1", Aggregation: metric.Flow, Source: metric.FromFormula, Formula: "f2 + 1"})
		if f := fault.FieldsOf(err); len(f) != 1 || f[0].Key != "metric.cycle" {
			t.Fatalf("cycle: %v", err)
		}
		if _, err := a.Metrics.Value(ctx, unit.Everything(), "acts_all", "P", "2021S3"); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("bad period: %v", err)
		}
	})
}

// TestManyChildren breaks figures down by 150 children, which PostgreSQL
// reads through a joined list of units rather than an IN list: each part
// must equal the child's own figure.
func TestManyChildren(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rng := rand.New(rand.NewPCG(3, 5))
		var kids []string
		for i := range 150 {
			code := fmt.Sprintf("K3%03d", i)
			if _, err := a.Units.Create(ctx, unit.System(), unit.Create{Code: code, Parent: "C2", Type: "county", NameZH: code}); err != nil {
				t.Fatal(err)
			}
			kids = append(kids, code)
		}
		err := db.WithTx(ctx, func(ctx context.Context) error {
			for i := range 600 {
				if _, err := a.Registers.Create(ctx, register.System(), "acts", register.Input{Unit: kids[rng.IntN(len(kids))], Values: map[string]any{
					"title": fmt.Sprintf("活动%d", i), "day": fmt.Sprintf("2021-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)),
					"mode": []string{"online", "offline"}[rng.IntN(2)], "people": fmt.Sprint(rng.IntN(500))}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"acts_all", "acts_people", "acts_online"} {
			for _, p := range []string{"2021S1", "2021", "202103", "2021-02-10..2021-08-20"} {
				b, err := a.Metrics.ByChildren(ctx, unit.Everything(), code, "C2", p)
				if err != nil {
					t.Fatal(err)
				}
				if len(b.Parts) != 151 {
					t.Fatalf("%d parts, want 151", len(b.Parts))
				}
				var some bool
				for _, part := range b.Parts {
					f, err := a.Metrics.Value(ctx, unit.Everything(), code, part.Key, p)
					if err != nil {
						t.Fatal(err)
					}
					if (f.Value == nil) != (part.Value == nil) || f.Value != nil && *f.Value != *part.Value {
						t.Fatalf("%s %s %s: breakdown %v, own figure %v", code, part.Key, p, part.Value, f.Value)
					}
					some = some || (part.Value != nil && *part.Value > 0)
				}
				if !some {
					t.Fatalf("%s %s: every part empty", code, p)
				}
			}
		}
	})
}
