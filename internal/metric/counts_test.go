package metric_test

import (
	"context"
	"testing"

	"kexie/internal/app"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// staffSchema is a register of people joining societies: things that,
// once recorded, stay.
func staffSchema() register.Schema {
	return register.Schema{Code: "staff", NameZH: "工作人员", DateField: "joined_on", NaturalKey: []string{"name", "joined_on"},
		Fields: []register.Field{
			{Code: "name", Type: register.TypeText, NameZH: "姓名", Required: true},
			{Code: "joined_on", Type: register.TypeDate, NameZH: "入职日期", Required: true},
			{Code: "head", Type: register.TypeBoolean, NameZH: "秘书长"},
		}}
}

// A stock without a field counts the records dated up to the period's
// end; a cumulative distinct count over the records' units counts the
// units holding any by then; both follow every write, their facts equal
// a recomputation, and the records behind them are those counted.
func TestStockCountAndCumulativeDistinct(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		sys := unit.System()
		for _, c := range []unit.Create{
			{Code: "P", Type: "province", NameZH: "省"},
			{Code: "S1", Parent: "P", Type: "society", NameZH: "甲学会"},
			{Code: "S2", Parent: "P", Type: "society", NameZH: "乙学会"},
			{Code: "S3", Parent: "P", Type: "society", NameZH: "丙学会"},
		} {
			if _, err := a.Units.Create(ctx, sys, c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Registers.Define(ctx, staffSchema(), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		for _, d := range []metric.Def{
			{Code: "t_staff", NameZH: "工作人员", Unit: "人", Aggregation: metric.Stock, Source: metric.FromRegister, Register: "staff"},
			{Code: "t_heads", NameZH: "秘书长", Unit: "人", Aggregation: metric.Stock, Source: metric.FromRegister, Register: "staff", Filter: "head"},
			{Code: "t_societies", NameZH: "有工作人员的学会", Unit: "个", Aggregation: metric.Distinct, Source: metric.FromRegister,
				Register: "staff", Field: metric.UnitField, Cumulative: true},
			{Code: "t_societies_new", NameZH: "新进人员的学会", Unit: "个", Aggregation: metric.Distinct, Source: metric.FromRegister,
				Register: "staff", Field: metric.UnitField},
		} {
			if _, err := a.Metrics.Define(ctx, d); err != nil {
				t.Fatalf("define %s: %v", d.Code, err)
			}
		}
		rs := register.System()
		add := func(at, name, on string, head bool) *register.Record {
			t.Helper()
			r, err := a.Registers.Create(ctx, rs, "staff", register.Input{Unit: at, Values: map[string]any{"name": name, "joined_on": on, "head": head}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		add("S1", "甲", "2019-05-01", true)
		add("S1", "乙", "2020-09-01", false)
		add("S2", "丙", "2021-02-01", false)
		late := add("S3", "丁", "2021-08-01", true)
		check := func(step, code, at, p string, want float64) {
			t.Helper()
			fig, err := a.Metrics.Value(ctx, unit.Everything(), code, at, p)
			if err != nil {
				t.Fatal(err)
			}
			if fig.Value == nil || *fig.Value != want {
				t.Errorf("%s: %s at %s over %s is %s, want %v", step, code, at, p, showValue(fig.Value), want)
			}
		}
		for _, p := range []string{"2021S1", "2021-03-10..2021-06-30"} { // whole months, and not
			check("created", "t_staff", "P", p, 3)
			check("created", "t_heads", "P", p, 1)
			check("created", "t_societies", "P", p, 2)
		}
		check("created", "t_societies_new", "P", "2021S1", 1) // only S2 took someone on in the half
		check("created", "t_societies_new", "P", "2021-03-10..2021-06-30", 0)
		check("created", "t_staff", "P", "2021", 4)
		check("created", "t_staff", "S1", "2021S2", 2)
		check("created", "t_societies", "P", "2021S2", 3)
		check("created", "t_heads", "P", "2021S2", 2)

		// the late arrival's date moves into the first half; then the record goes
		if _, err := a.Registers.Update(ctx, rs, "staff", late.ID, register.Patch{Values: map[string]any{"joined_on": "2021-03-01"}}); err != nil {
			t.Fatal(err)
		}
		check("moved in time", "t_staff", "P", "2021S1", 4)
		check("moved in time", "t_societies", "P", "2021S1", 3)
		_, page, err := a.Metrics.Records(ctx, unit.Everything(), "t_staff", "P", "2021S1", 1)
		if err != nil || page.Total != 4 {
			t.Errorf("records behind the stock: %d, %v", page.Total, err)
		}
		_, page, err = a.Metrics.Records(ctx, unit.Everything(), "t_societies", "P", "2021S1", 1)
		if err != nil || page.Total != 4 {
			t.Errorf("records behind the cumulative count: %d, %v", page.Total, err)
		}
		if err := a.Registers.Delete(ctx, rs, "staff", late.ID); err != nil {
			t.Fatal(err)
		}
		check("deleted", "t_staff", "P", "2021S2", 3)
		check("deleted", "t_societies", "P", "2021S2", 2)
		diffs, err := a.Metrics.Verify(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(diffs) > 0 {
			t.Errorf("%d facts differ from a recomputation, first %+v", len(diffs), diffs[0])
		}

		// what cannot be defined
		for _, c := range []struct {
			def  metric.Def
			want string
		}{
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "staff", Cumulative: true}, "cumulative metric.cumulative.distinct"},
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "staff", Field: metric.UnitField}, "field register.natural_key.unknown"},
			{metric.Def{Code: "t_bad", NameZH: "错", Aggregation: metric.Average, Source: metric.FromRegister, Register: "staff"}, "field error.required"},
		} {
			_, err := a.Metrics.Define(ctx, c.def)
			if keys := faultKeys(err); !keys[c.want] {
				t.Errorf("%+v: %v, want %s", c.def, err, c.want)
			}
		}
	})
}
