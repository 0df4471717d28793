package metric_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestSchemaChangeGuardedByMetrics changes the schema of a register that
// metrics read: removing a field a metric sums, retyping it, or removing
// an option a metric's filter compares with is refused at the field,
// naming the metrics; an unrelated change goes through, and so does the
// refused one once the metric no longer uses the field, on both databases.
func TestSchemaChangeGuardedByMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		define := func(sc register.Schema) error {
			_, err := a.Registers.Define(ctx, sc, register.Migration{}, false)
			return err
		}
		version := func() int {
			r, err := a.Registers.Get(ctx, "acts")
			if err != nil {
				t.Fatal(err)
			}
			return r.Version
		}
		// refused asserts that err refuses at path with key, naming the metrics
		refused := func(what string, err error, path, key string, metrics ...string) {
			t.Helper()
			if !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("%s: %v, want a refusal", what, err)
			}
			fs := fault.FieldsOf(err)
			i := slices.IndexFunc(fs, func(f fault.Field) bool { return f.Field == path && f.Key == key })
			if i < 0 {
				t.Fatalf("%s: faults %+v, want %s at %s", what, fs, key, path)
			}
			named, _ := fs[i].Args["metrics"].(string)
			for _, m := range metrics {
				if !strings.Contains(named, "("+m+")") {
					t.Errorf("%s: names %q, want %s", what, named, m)
				}
			}
		}
		without := func(code string) register.Schema {
			sc := schema()
			sc.Fields = slices.DeleteFunc(sc.Fields, func(f register.Field) bool { return f.Code == code })
			return sc
		}
		v := version()

		// people is summed by acts_people and averaged by acts_avg
		refused("remove people", define(without("people")), "fields", "metric.schema.field_removed", "acts_people", "acts_avg")
		retyped := schema()
		retyped.Fields[3].Type = register.TypeText
		refused("people as text", define(retyped), "fields[3].type", "metric.schema.field_changed", "acts_people", "acts_avg")
		// acts_online counts mode == "online"; acts_people breaks down by mode,
		// which a text field cannot
		noOnline := schema()
		noOnline.Fields[2].Options = noOnline.Fields[2].Options[1:]
		refused("remove option online", define(noOnline), "fields[2].options", "metric.schema.option_removed", "acts_online")
		refused("mode as text", define(func() register.Schema {
			sc := schema()
			sc.Fields[2].Type, sc.Fields[2].Options = register.TypeText, nil
			return sc
		}()), "fields[2].type", "metric.schema.field_changed", "acts_people")
		if got := version(); got != v {
			t.Fatalf("after the refusals the register is at version %d, want %d", got, v)
		}

		// unrelated: a field added, a name changed, then the new field removed
		more := schema()
		more.Fields[4].NameZH = "服务的企业"
		more.Fields = append(more.Fields, register.Field{Code: "venue", Type: register.TypeText, NameZH: "地点"})
		if err := define(more); err != nil {
			t.Fatalf("unrelated change: %v", err)
		}
		more.Fields = more.Fields[:len(more.Fields)-1]
		more.Fields[1].NameZH = "举办日期"
		if err := define(more); err != nil {
			t.Fatalf("removing a field no metric uses: %v", err)
		}

		// org is counted distinct by acts_orgs alone; once it counts titles,
		// org goes
		noOrg := more
		noOrg.Fields = slices.DeleteFunc(slices.Clone(more.Fields), func(f register.Field) bool { return f.Code == "org" })
		refused("remove org", define(noOrg), "fields", "metric.schema.field_removed", "acts_orgs")
		redefine := func(code string, change func(d *metric.Def)) {
			t.Helper()
			m, err := a.Metrics.Get(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			d := m.Def
			change(&d)
			if _, err := a.Metrics.Define(ctx, d); err != nil {
				t.Fatalf("redefine %s: %v", code, err)
			}
			a.Metrics.WaitBuilds()
		}
		redefine("acts_orgs", func(d *metric.Def) { d.Field = "title" })
		if err := define(noOrg); err != nil {
			t.Fatalf("remove org no metric uses: %v", err)
		}
		// and option online, once acts_online counts offline activities
		redefine("acts_online", func(d *metric.Def) { d.Filter = `mode == "offline"` })
		noOnline = noOrg
		noOnline.Fields = slices.Clone(noOrg.Fields)
		noOnline.Fields[2].Options = noOnline.Fields[2].Options[1:]
		if err := define(noOnline); err != nil {
			t.Fatalf("remove option online no metric uses: %v", err)
		}
		// the metrics still load and read
		if _, err := a.Metrics.List(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFilterOptionChecked refuses a metric whose filter compares an
// option field with a code the field does not offer.
func TestFilterOptionChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		for _, filter := range []string{`mode == "onlin"`, `"lecture" != mode`, `mode in ["online", "hybrid"]`} {
			_, err := a.Metrics.Define(ctx, metric.Def{Code: "acts_x", NameZH: "活动", Aggregation: metric.Flow,
				Source: metric.FromRegister, Register: "acts", Filter: filter})
			fs := fault.FieldsOf(err)
			if len(fs) != 1 || fs[0].Field != "filter" || fs[0].Key != "register.filter.option" {
				t.Errorf("filter %s: %v, want register.filter.option at filter", filter, err)
			}
		}
		if _, err := a.Metrics.Define(ctx, metric.Def{Code: "acts_x", NameZH: "活动", Aggregation: metric.Flow,
			Source: metric.FromRegister, Register: "acts", Filter: `mode in ["online", "offline"] && org != "x"`}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMetricSaveMeetsSchemaChange lets a schema change that removes a
// field commit between a metric's check and its save: the save sees the
// change and refuses the metric at its field, on both databases, so no
// metric is left reading a field that is gone.
func TestMetricSaveMeetsSchemaChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		more := schema()
		more.Fields = append(more.Fields, register.Field{Code: "hours", Type: register.TypeInteger, NameZH: "时长"})
		if _, err := a.Registers.Define(ctx, more, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		a.Metrics.AfterCheck(func() {
			// the check passed against the schema with hours; it goes now
			if _, err := a.Registers.Define(ctx, schema(), register.Migration{}, false); err != nil {
				t.Errorf("remove hours: %v", err)
			}
		})
		defer a.Metrics.AfterCheck(nil)
		_, err := a.Metrics.Define(ctx, metric.Def{Code: "acts_hours", NameZH: "时长", Unit: "小时", Aggregation: metric.Flow,
			Source: metric.FromRegister, Register: "acts", Field: "hours"})
		if !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("saved over a removed field: %v", err)
		}
		if _, err := a.Metrics.Get(ctx, "acts_hours"); err == nil {
			t.Error("the metric was stored")
		}
	})
}
