package metric_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// faultKeys lists "field key" of every fault in a validation error.
func faultKeys(err error) map[string]bool {
	out := map[string]bool{}
	for _, f := range fault.FieldsOf(err) {
		out[f.Field+" "+f.Key] = true
	}
	return out
}

// showValue prints a figure, "—" when it has none.
func showValue(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprint(*v)
}

// A count of units counts the open units of a type in the subtree at the
// period's end; with having, those holding an open unit of another type;
// a coverage is the ratio of the two. Opening and closing dates, groups
// and moves are seen at once, on both databases.
func TestUnitsSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Units.SaveGroup(ctx, unit.Group{Code: "pilot", NameZH: "试点"}); err != nil {
			t.Fatal(err)
		}
		sys := unit.System()
		for _, c := range []unit.Create{
			{Code: "P", Type: "province", NameZH: "省"},
			{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
			{Code: "C2", Parent: "P", Type: "city", NameZH: "二市", Groups: []string{"pilot"}},
			{Code: "C3", Parent: "P", Type: "city", NameZH: "三市", OpenedOn: "2021-07-01"},
			{Code: "K11", Parent: "C1", Type: "county", NameZH: "一一县"},
			{Code: "K21", Parent: "C2", Type: "county", NameZH: "二一县"},
			{Code: "R1", Parent: "K11", Type: "rural", NameZH: "一农技协", OpenedOn: "2021-03-01"},
			{Code: "R2", Parent: "K21", Type: "rural", NameZH: "二农技协", OpenedOn: "2020-01-01"},
		} {
			if _, err := a.Units.Create(ctx, sys, c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Units.Close(ctx, sys, "R2", unit.CloseReq{ClosedOn: "2021-05-01"}); err != nil {
			t.Fatal(err)
		}
		for _, d := range []metric.Def{
			{Code: "t_cities", NameZH: "市", Unit: "个", Aggregation: metric.Stock, Source: metric.FromUnits, UnitType: "city"},
			{Code: "t_pilot_cities", NameZH: "试点市", Unit: "个", Aggregation: metric.Stock, Source: metric.FromUnits, UnitType: "city", UnitGroup: "pilot"},
			{Code: "t_cities_rural", NameZH: "有农技协的市", Unit: "个", Aggregation: metric.Stock, Source: metric.FromUnits, UnitType: "city", Having: "rural"},
			{Code: "t_coverage", NameZH: "覆盖面", Unit: "%", Aggregation: metric.Ratio, Source: metric.FromFormula,
				Numerator: "t_cities_rural", Denominator: "t_cities", Percent: true},
		} {
			if _, err := a.Metrics.Define(ctx, d); err != nil {
				t.Fatalf("define %s: %v", d.Code, err)
			}
		}
		check := func(step, code, at, p string, want float64) {
			t.Helper()
			fig, err := a.Metrics.Value(ctx, unit.Everything(), code, at, p)
			if err != nil {
				t.Fatal(err)
			}
			if fig.Value == nil || math.Abs(*fig.Value-want) > 1e-9 {
				t.Errorf("%s: %s at %s over %s is %s, want %v", step, code, at, p, showValue(fig.Value), want)
			}
		}
		// C3 opens in July; R1 opens in March; R2 closes in May
		check("open", "t_cities", "P", "2021S1", 2)
		check("open", "t_cities", "P", "2021S2", 3)
		check("open", "t_cities", "C1", "2021S1", 1) // the unit itself counts
		check("open", "t_pilot_cities", "P", "2021S1", 1)
		check("open", "t_cities_rural", "P", "202102", 1)  // R2 only
		check("open", "t_cities_rural", "P", "2021Q1", 2)  // R1 and R2
		check("open", "t_cities_rural", "P", "2021S1", 1)  // R1 only
		check("open", "t_coverage", "P", "2021Q1", 100)    // 2 of 2
		check("open", "t_coverage", "P", "2021S2", 100/3.) // 1 of 3
		check("open", "t_cities_rural", "C2", "2021Q1", 1)
		check("open", "t_cities_rural", "K21", "2021Q1", 0) // a county is not a city

		// a county moves, with its rural association, from C2 to C1
		if _, err := a.Units.Move(ctx, sys, "K21", unit.Move{Parent: "C1"}); err != nil {
			t.Fatal(err)
		}
		check("moved", "t_cities_rural", "P", "2021Q1", 1)
		check("moved", "t_cities_rural", "C1", "2021Q1", 1)
		check("moved", "t_cities_rural", "C2", "2021Q1", 0)
		// the breakdown by child unit reads the same figures
		br, err := a.Metrics.ByChildren(ctx, unit.Everything(), "t_cities_rural", "P", "2021Q1")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, p := range br.Parts {
			if p.Value != nil {
				got[p.Key] = *p.Value
			}
		}
		if got["C1"] != 1 || got["C2"] != 0 || got["C3"] != 0 {
			t.Errorf("by children: %v", got)
		}

		// a count of units has no records behind it
		if _, _, err := a.Metrics.Records(ctx, unit.Everything(), "t_cities", "P", "2021S1", 1); !faultKeys(err)["metric metrics.records.units"] {
			t.Errorf("records behind a count of units: %v", err)
		}

		// refusals: unknown types and groups, a count of units that is not a stock
		for _, c := range []struct {
			def  metric.Def
			want string
		}{
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Stock, Source: metric.FromUnits, UnitType: "town"}, "unit_type metric.units.type_unknown"},
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Stock, Source: metric.FromUnits, UnitType: "city", Having: "farm"}, "having metric.units.type_unknown"},
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Stock, Source: metric.FromUnits, UnitType: "city", UnitGroup: "nogroup"}, "unit_group metric.units.group_unknown"},
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Flow, Source: metric.FromUnits, UnitType: "city"}, "aggregation metric.units.stock"},
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Stock, Source: metric.FromUnits}, "unit_type error.required"},
		} {
			_, err := a.Metrics.Define(ctx, c.def)
			if keys := faultKeys(err); !keys[c.want] {
				t.Errorf("%+v: %v, want %s", c.def, err, c.want)
			}
		}
	})
}

// A count of units reads only the subtree asked for: a unit whose code
// begins with another's code is not below it.
func TestOpenPathsScope(t *testing.T) {
	ctx := context.Background()
	a, err := app.New(ctx, storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	sys := unit.System()
	for _, c := range []unit.Create{
		{Code: "P", Type: "province", NameZH: "省"},
		{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
		{Code: "C10", Parent: "P", Type: "city", NameZH: "十市"},
		{Code: "K1", Parent: "C1", Type: "county", NameZH: "县"},
	} {
		if _, err := a.Units.Create(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	c1, err := a.Units.Get(ctx, unit.Everything(), "C1")
	if err != nil {
		t.Fatal(err)
	}
	// C10's path starts with C1's code but it is not in C1's subtree
	paths, err := a.Units.OpenPaths(ctx, unit.Subtrees(c1.Path), "city", "", "2021-06-30")
	if err != nil || len(paths) != 1 || paths[0] != c1.Path {
		t.Errorf("cities under C1: %v, %v", paths, err)
	}
}
