package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestSchemaEditorRefusesMetricField removes a field and an option that
// metrics read, on the editor and through the API: both are refused at
// the field, naming the metrics (422), and nothing is saved.
func TestSchemaEditorRefusesMetricField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		reg, err := e.app.Registers.Define(ctx, talksSchema(), register.Migration{}, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []metric.Def{
			{Code: "talk_audience", NameZH: "报告听众", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "talks", Field: "audience"},
			{Code: "talks_online", NameZH: "线上报告", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "talks", Filter: `mode == "online"`},
		} {
			if _, err := e.app.Metrics.Define(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		admin := e.login("admin", demo.Password)

		// the editor: audience removed, option online removed
		next := talksSchema()
		next.Fields = next.Fields[:3]
		next.Fields[2].Options = next.Fields[2].Options[1:]
		rec := admin.post("/registers/talks/schema", schemaForm(next, &reg.Schema, 1))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("removing what metrics read: %d", rec.Code)
		}
		page := rec.Body.String()
		removed := `<p class="field-error" role="alert">指标 报告听众 (talk_audience) 用到字段 audience，不能删除它`
		option := `<p class="field-error" role="alert">指标 线上报告 (talks_online) 的筛选条件用到字段 mode 的选项 online，不能删除它`
		mustContain(t, "refusal", page, removed, option)
		// the option's refusal is drawn at that field's options
		if at, opt := strings.Index(page, `id="field-2-options"`), strings.Index(page, option); at < 0 || opt < at {
			t.Errorf("the option's refusal is not at the field's options")
		}
		if r, _ := e.app.Registers.Get(ctx, "talks"); r.Version != 1 {
			t.Fatalf("refused change saved: version %d", r.Version)
		}

		// the API: the same refusal, at the field's path in the body
		body := map[string]any{"schema": next}
		rec = e.do("PUT", "/api/v1/registers/talks", "admin", body)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("API: %d %s", rec.Code, rec.Body.String())
		}
		want := map[string]string{"schema.fields": "metric.schema.field_removed", "schema.fields[2].options": "metric.schema.option_removed"}
		if got := problemKeys(t, rec); !mapsEqual(got, want) {
			t.Errorf("API faults %v, want %v", got, want)
		}

		// an unrelated change goes through
		renamed := talksSchema()
		renamed.Fields = slices.Clone(renamed.Fields)
		renamed.Fields[0].NameZH = "报告题目"
		if rec := e.do("PUT", "/api/v1/registers/talks", "admin", map[string]any{"schema": renamed}); rec.Code != http.StatusOK {
			t.Fatalf("unrelated change: %d %s", rec.Code, rec.Body.String())
		}
	})
}
