package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/fault"
	"kexie/internal/i18n"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// The schema editor's cross-field rules: one added with the help's
// example is saved and refuses the records that break it; a rule the
// service refuses comes back at its inputs, nothing saved; an unchanged
// form with rules is no new version; a rule removed is gone.
func TestSchemaEditorRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		sc, reg := defineTalks(t, e, register.Field{Code: "end_on", Type: register.TypeDate, NameZH: "结束日期", NameEN: "Ends on"})
		// a record saved before the rule, which breaks it
		early, err := e.app.Registers.Create(ctx, register.System(), "talks", register.Input{Unit: "320102",
			Values: map[string]any{"title": "早先的报告", "held_on": "2021-04-02", "end_on": "2021-04-01"}})
		if err != nil {
			t.Fatal(err)
		}
		admin := e.login("admin", demo.Password)
		xuanwu := e.login("xuanwu", demo.Password)
		example := e.srv.msgs.T(i18n.ZH, "schema.rules.example", nil)

		body := admin.get("/registers/talks/schema").Body.String()
		mustContain(t, "editor", body, `id="schema-rules"`, "怎样写条件", `id="rules-example"`, `id="add-rule-button"`)
		mustNotContain(t, "editor", body, `name="rules[0].expr"`)

		// "add a rule" draws a blank rule, unsaved, its message placed at a
		// field of the draft or at the top of the form
		form := schemaForm(sc, &reg.Schema, 1)
		form.Set("op", "add_rule")
		body = admin.post("/registers/talks/schema", form).Body.String()
		mustContain(t, "rule added", body, `id="rule-0"`, `name="rules[0].expr"`, `<option value="" selected>表单顶部（不指定字段）</option>`,
			`<option value="end_on">结束日期 (end_on)</option>`, `id="schema-unsaved"`)
		if r, _ := e.app.Registers.Get(ctx, "talks"); r.Version != 1 {
			t.Fatalf("drawing a rule saved the schema")
		}

		// the help's example, on two lines, saves as a rule
		ruled := sc
		ruled.Rules = []register.Rule{{Expr: strings.Replace(example, " or ", "\n  or ", 1), Field: "end_on", MessageZH: "结束日期不能早于举办日期",
			MessageEN: "A talk cannot end before it starts"}}
		rec := admin.post("/registers/talks/schema", schemaForm(ruled, &reg.Schema, 1))
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("a rule saved: %d %s", rec.Code, rec.Body.String())
		}
		saved, _ := e.app.Registers.Get(ctx, "talks")
		if saved.Version != 2 || !slices.Equal(saved.Schema.Rules, ruled.Rules) {
			t.Fatalf("stored rules (version %d): %+v", saved.Version, saved.Schema.Rules)
		}
		mustContain(t, "saved", admin.get("/registers/talks/schema").Body.String(), `name="rules[0].message_zh" value="结束日期不能早于举办日期"`,
			`<option value="end_on" selected>`, "修改校验规则")

		// a record that breaks it is refused with its message at the field
		before := recordsIn(t, e, "talks")
		rec = xuanwu.post("/registers/talks/new", url.Values{"unit": {"320102"}, "v.title": {"倒着的报告"}, "v.held_on": {"2021-05-02"},
			"v.end_on": {"2021-05-01"}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a record breaking the rule: %d", rec.Code)
		}
		mustContain(t, "record refused", rec.Body.String(), "结束日期：结束日期不能早于举办日期")
		if recordsIn(t, e, "talks") != before {
			t.Fatalf("the record breaking the rule was saved")
		}
		if rec := xuanwu.post("/registers/talks/new", url.Values{"unit": {"320102"}, "v.title": {"顺着的报告"}, "v.held_on": {"2021-05-02"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("a record keeping the rule: %d", rec.Code)
		}
		// the record saved before stays, and is checked when next changed
		_, err = e.app.Registers.Update(ctx, register.System(), "talks", early.ID, register.Patch{Values: map[string]any{"title": "早先的报告（修订）"}})
		if fs := fault.FieldsOf(err); len(fs) != 1 || fs[0].Field != "end_on" || fs[0].Key != "register.rule.failed" {
			t.Fatalf("changing a record saved before the rule: %v", err)
		}

		// the form as drawn, line ends of the browser and all, is no new version
		rec = admin.post("/registers/talks/schema", schemaForm(ruled, &saved.Schema, 2))
		if r, _ := e.app.Registers.Get(ctx, "talks"); rec.Code != http.StatusSeeOther || r.Version != 2 {
			t.Fatalf("an unchanged form with a rule saved: %d, version %d", rec.Code, r.Version)
		}

		// rules the service refuses come back at their inputs, nothing saved
		bad := ruled
		bad.Rules = []register.Rule{
			{Expr: "end_on >=", MessageZH: "未写完"},
			{Expr: `mode == online`, Field: "mode", MessageZH: "忘了引号"},
			{Expr: "audience <= 500", Field: "audience"},
		}
		rec = admin.post("/registers/talks/schema", schemaForm(bad, &saved.Schema, 2))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad rules: %d", rec.Code)
		}
		mustContain(t, "bad rules", rec.Body.String(),
			`<textarea id="rules[0].expr" name="rules[0].expr"`, "表达式有误：unexpected token EOF",
			"没有字段 online：字段要写它的代码", `name="rules[2].message_zh" value="" maxlength="200" aria-invalid="true"`, "必须填写")
		mustNotContain(t, "bad rules", rec.Body.String(), `id="schema-problems"`)
		if r, _ := e.app.Registers.Get(ctx, "talks"); r.Version != 2 || len(r.Schema.Rules) != 1 {
			t.Fatalf("refused rules saved: version %d", r.Version)
		}

		// "remove" takes the rule off the form; saving that removes it
		form = schemaForm(ruled, &saved.Schema, 2)
		form.Set("op", "remove_rule:0")
		body = admin.post("/registers/talks/schema", form).Body.String()
		mustNotContain(t, "rule removed", body, `name="rules[0].expr"`)
		rec = admin.post("/registers/talks/schema", schemaForm(sc, &saved.Schema, 2))
		if r, _ := e.app.Registers.Get(ctx, "talks"); rec.Code != http.StatusSeeOther || r.Version != 3 || len(r.Schema.Rules) != 0 {
			t.Fatalf("rule removed: %d, version %d, %d rules", rec.Code, r.Version, len(r.Schema.Rules))
		}
		if rec := xuanwu.post("/registers/talks/new", url.Values{"unit": {"320102"}, "v.title": {"倒着的报告"}, "v.held_on": {"2021-05-02"},
			"v.end_on": {"2021-05-01"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("the record once refused, after the rule is gone: %d", rec.Code)
		}
	})
}
