package register_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// TestSheetImportMatchesWrites imports a file of new, changed and
// unchanged rows into one register and makes the same changes one record
// at a time through Create and Update in its twin: both must hold the
// same records, the same audit entries and the same figures, facts
// exact. The import writes its new records in batches (one prepared
// statement a row on SQLite, statements of many rows on PostgreSQL).
func TestSheetImportMatchesWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := sheetApp(t, db)
		twin := activities()
		twin.Code = "sheet_twin"
		if _, err := a.Registers.Define(ctx, twin, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		for _, reg := range []string{"sheet_acts", "sheet_twin"} {
			for _, d := range []metric.Def{
				{Code: reg + "_n", NameZH: "场次", Unit: "场", Aggregation: metric.Flow, Source: metric.FromRegister, Register: reg, Breakdown: "mode"},
				{Code: reg + "_p", NameZH: "人次", Unit: "人次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: reg, Field: "participants"},
				{Code: reg + "_on", NameZH: "线上场次", Unit: "场", Aggregation: metric.Flow, Source: metric.FromRegister, Register: reg, Filter: `mode == "online"`},
				{Code: reg + "_m", NameZH: "形式数", Unit: "种", Aggregation: metric.Distinct, Source: metric.FromRegister, Register: reg, Field: "mode"},
			} {
				if _, err := a.Metrics.Define(ctx, d); err != nil {
					t.Fatal(err)
				}
			}
			// stored before: 活动0–活动3
			for i := range 4 {
				if _, err := a.Registers.Create(ctx, register.System(), reg, register.Input{Unit: []string{"320102", "320300"}[i%2],
					Values: map[string]any{"title": fmt.Sprintf("活动%d", i), "held_on": fmt.Sprintf("2021-0%d-10", 1+i), "mode": "offline", "participants": "10"}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// the file: 活动0 and 活动2 unchanged, 活动1 and 活动3 changed, 20 new
		// records over three units, days and modes
		var csv strings.Builder
		csv.WriteString("单位代码,活动名称,举办日期,形式,参与人次\n")
		csv.WriteString("320102,活动0,2021-01-10,线下,10\n320300,活动1,2021-02-10,线上,25\n320102,活动2,2021-03-10,线下,10\n320300,活动3,2021-04-10,线下,\n")
		modes := []string{"online", "offline", "hybrid"}
		names := map[string]string{"online": "线上", "offline": "线下", "hybrid": "混合（线上、线下）"}
		units := []string{"320102", "320104", "320300"}
		for i := range 20 {
			fmt.Fprintf(&csv, "%s,新活动%02d,2021-%02d-%02d,%s,%d\n", units[i%3], i, 1+i%12, 1+i%28, names[modes[i%3]], i*7)
		}
		res, err := importFile(a, register.System(), []byte(csv.String()), "mixed.csv", register.ImportOptions{})
		if err != nil || res.Created != 20 || res.Updated != 2 || res.Unchanged != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		// the same changes in the twin, one write each
		err = db.WithTx(ctx, func(ctx context.Context) error {
			_, page, err := a.Registers.ListRecords(ctx, unit.Everything(), "sheet_twin", register.Filter{Sort: "title"})
			if err != nil {
				return err
			}
			for _, r := range page.Items {
				var vals map[string]any
				switch r.Values["title"] {
				case "活动1":
					vals = map[string]any{"mode": "online", "participants": "25"}
				case "活动3":
					vals = map[string]any{"participants": nil}
				default:
					continue
				}
				if _, err := a.Registers.Update(ctx, register.System(), "sheet_twin", r.ID, register.Patch{Values: vals}); err != nil {
					return err
				}
			}
			for i := range 20 {
				if _, err := a.Registers.Create(ctx, register.System(), "sheet_twin", register.Input{Unit: units[i%3], Values: map[string]any{
					"title": fmt.Sprintf("新活动%02d", i), "held_on": fmt.Sprintf("2021-%02d-%02d", 1+i%12, 1+i%28), "mode": modes[i%3],
					"participants": fmt.Sprint(i * 7)}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// the same records
		recs := func(code string) []string {
			_, page, err := a.Registers.ListRecords(ctx, unit.Everything(), code, register.Filter{Sort: "title", PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range page.Items {
				out = append(out, fmt.Sprintf("%d %s %s %s v%d %v", r.ID, r.Unit, r.Date, r.Status, r.Version, r.Values))
			}
			return out
		}
		if got, want := recs("sheet_acts"), recs("sheet_twin"); len(got) != 24 || !slices.Equal(got, want) {
			t.Errorf("records differ:\nimport %q\nwrites %q", got, want)
		}
		// the same audit entries of records
		entries := func(code string) []string {
			es, err := a.Audit.List(ctx, func(string, *store.Args) string { return "1=1" }, audit.Filter{Entity: "record:" + code, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range es {
				out = append(out, e.Action+" "+e.EntityID+" "+e.UnitPath+" "+string(e.Before)+" → "+string(e.After))
			}
			slices.Sort(out)
			return out
		}
		if got, want := entries("sheet_acts"), entries("sheet_twin"); len(got) != 4+2+20 || !slices.Equal(got, want) {
			t.Errorf("audit differs:\nimport %q\nwrites %q", got, want)
		}
		// the same figures, and facts that agree with the records
		for _, m := range []string{"_n", "_p", "_on", "_m"} {
			for _, u := range []string{"320000", "320100", "320102", "320104", "320300"} {
				for _, period := range []string{"2021", "2021S1", "2021Q2", "202103"} {
					got, err1 := a.Metrics.Value(ctx, unit.Everything(), "sheet_acts"+m, u, period)
					want, err2 := a.Metrics.Value(ctx, unit.Everything(), "sheet_twin"+m, u, period)
					if err1 != nil || err2 != nil {
						t.Fatal(err1, err2)
					}
					if deref(got.Value) != deref(want.Value) {
						t.Errorf("%s at %s in %s: import %v, writes %v", m, u, period, deref(got.Value), deref(want.Value))
					}
				}
			}
		}
		diffs, err := a.Metrics.Verify(ctx, "")
		if err != nil || len(diffs) > 0 {
			t.Errorf("verify: %v %+v", err, diffs)
		}
		// a second import of the same file changes nothing
		res, err = importFile(a, register.System(), []byte(csv.String()), "mixed.csv", register.ImportOptions{})
		if err != nil || res.Unchanged != 24 || res.Created+res.Updated != 0 {
			t.Fatalf("again: %+v %v", res, err)
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
