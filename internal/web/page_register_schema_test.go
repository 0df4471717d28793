package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// talksSchema is the register the schema editor's tests change.
func talksSchema() register.Schema {
	return register.Schema{Code: "talks", NameZH: "科普报告", NameEN: "Talks", UnitTypes: []string{"city", "county"}, DateField: "held_on",
		NaturalKey: []string{"title", "held_on"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "题目", NameEN: "Title", Required: true},
			{Code: "held_on", Type: register.TypeDate, NameZH: "日期", NameEN: "Date", Required: true},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", NameEN: "Mode", Options: []register.Option{
				{Code: "online", NameZH: "线上", NameEN: "Online"}, {Code: "offline", NameZH: "线下", NameEN: "Offline"}}},
			{Code: "audience", Type: register.TypeInteger, NameZH: "听众人数", Min: "0"},
		}}
}

// defineTalks defines the talks register with extra fields after its own.
func defineTalks(t *testing.T, e *testEnv, extra ...register.Field) (register.Schema, *register.Register) {
	t.Helper()
	sc := talksSchema()
	sc.Fields = append(sc.Fields, extra...)
	reg, err := e.app.Registers.Define(t.Context(), sc, register.Migration{}, false)
	if err != nil {
		t.Fatal(err)
	}
	return sc, reg
}

// schemaForm is the editor's form holding sc, as the page draws it for
// a register whose stored schema is stored (nil for a new register).
func schemaForm(sc register.Schema, stored *register.Schema, version int) url.Values {
	v := url.Values{"op": {"save"}, "name_zh": {sc.NameZH}, "name_en": {sc.NameEN}, "description_zh": {sc.DescriptionZH},
		"date_field": {sc.DateField}, "unit_types": sc.UnitTypes, "natural_key": sc.NaturalKey}
	if stored == nil {
		v.Set("code", sc.Code)
	} else {
		v.Set("version", strconv.Itoa(version))
	}
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	for i, f := range sc.Fields {
		p := fmt.Sprintf("fields[%d].", i)
		if stored != nil {
			if _, ok := stored.Field(f.Code); ok {
				v.Set(p+"orig", f.Code)
			}
		}
		v.Set(p+"code", f.Code)
		v.Set(p+"type", string(f.Type))
		v.Set(p+"name_zh", f.NameZH)
		v.Set(p+"name_en", f.NameEN)
		v.Set(p+"required", flag(f.Required))
		v.Set(p+"unique", flag(f.Unique))
		v.Set(p+"min", f.Min)
		v.Set(p+"max", f.Max)
		v.Set(p+"default", f.Default)
		v.Set(p+"register", f.Register)
		if f.Type == register.TypeAttachment {
			v.Set(p+"max_size", sizeInput(f.MaxSize))
			v.Set(p+"accept", acceptInput(f.Accept))
		}
		for j, o := range f.Options {
			q := fmt.Sprintf("%soptions[%d].", p, j)
			v.Set(q+"code", o.Code)
			v.Set(q+"name_zh", o.NameZH)
			v.Set(q+"name_en", o.NameEN)
		}
	}
	for i, r := range sc.Rules {
		p := fmt.Sprintf("rules[%d].", i)
		v.Set(p+"expr", strings.ReplaceAll(r.Expr, "\n", "\r\n")) // as a browser sends a text area
		v.Set(p+"field", r.Field)
		v.Set(p+"message_zh", r.MessageZH)
		v.Set(p+"message_en", r.MessageEN)
	}
	return v
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: %q missing", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s: %q present", what, w)
		}
	}
}

func TestSchemaEditor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		reg, err := e.app.Registers.Define(ctx, talksSchema(), register.Migration{}, false)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i, mode := range []string{"online", "offline", "offline"} {
			rec, err := e.app.Registers.Create(ctx, register.System(), "talks", register.Input{Unit: "320100",
				Values: map[string]any{"title": fmt.Sprintf("报告%d", i), "held_on": "2021-04-01", "mode": mode}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, rec.ID)
		}
		admin := e.login("admin", demo.Password)
		nanjing := e.login("nanjing", demo.Password)

		// the links and the page are for root administrators only
		mustContain(t, "registers page", admin.get("/registers").Body.String(), `href="/registers/talks/schema"`, `href="/register-schema/new"`)
		mustNotContain(t, "registers page of a city", nanjing.get("/registers").Body.String(), `/schema"`, "/register-schema/new")
		mustContain(t, "records page", admin.get("/registers/talks").Body.String(), `id="edit-schema"`)
		mustNotContain(t, "records page of a city", nanjing.get("/registers/talks").Body.String(), `id="edit-schema"`)
		if rec := nanjing.get("/registers/talks/schema"); rec.Code != http.StatusForbidden {
			t.Errorf("city admin opens the editor: %d", rec.Code)
		}
		if rec := nanjing.post("/registers/talks/schema", schemaForm(talksSchema(), &reg.Schema, 1)); rec.Code != http.StatusForbidden {
			t.Errorf("city admin saves a schema: %d", rec.Code)
		}
		page := admin.get("/registers/talks/schema")
		if page.Code != http.StatusOK {
			t.Fatalf("editor: %d %s", page.Code, page.Body.String())
		}
		mustContain(t, "editor", page.Body.String(), `name="fields[2].options[1].code" value="offline"`, `name="fields[0].orig" value="title"`,
			`name="version" value="1"`, "版本记录", "系统")

		// saving the form as drawn makes no new version
		rec0 := admin.post("/registers/talks/schema", schemaForm(talksSchema(), &reg.Schema, 1))
		if r, _ := e.app.Registers.Get(ctx, "talks"); rec0.Code != http.StatusSeeOther || r.Version != 1 {
			t.Fatalf("an unchanged form saved: %d, version %d", rec0.Code, r.Version)
		}
		// adding a field of options draws it with a first option to fill, unsaved
		form := schemaForm(talksSchema(), &reg.Schema, 1)
		form.Set("op", "add_field")
		form.Set("new_type", "options")
		rec := admin.post("/registers/talks/schema", form)
		mustContain(t, "field added", rec.Body.String(), `name="fields[4].type"`, `name="fields[4].options[0].code"`, `id="schema-unsaved"`)
		if r, _ := e.app.Registers.Get(ctx, "talks"); r.Version != 1 {
			t.Fatalf("drawing a field saved the schema")
		}
		// a field whose type now takes options is redrawn with a first one
		form.Set("op", "refresh")
		form.Set("fields[3].type", "option")
		mustContain(t, "type changed", admin.post("/registers/talks/schema", form).Body.String(), `name="fields[3].options[0].code"`)
		form.Set("fields[3].type", "integer")
		// moving and removing redraw without saving either
		form.Set("op", "down:0")
		mustContain(t, "moved down", admin.post("/registers/talks/schema", form).Body.String(), `name="fields[1].code" value="title"`)
		form.Set("op", "remove_option:2:0")
		body := admin.post("/registers/talks/schema", form).Body.String()
		mustNotContain(t, "option removed", body, `value="online"`)
		// a blank option row stays while the form is redrawn, so the
		// button beside the row below it removes that row
		blank := schemaForm(talksSchema(), &reg.Schema, 1)
		blank.Set("fields[2].options[1].code", "")
		blank.Set("fields[2].options[1].name_zh", "")
		blank.Set("fields[2].options[1].name_en", "")
		blank.Set("fields[2].options[2].code", "hybrid")
		blank.Set("fields[2].options[2].name_zh", "混合")
		blank.Set("op", "remove_option:2:2")
		body = admin.post("/registers/talks/schema", blank).Body.String()
		mustContain(t, "option below a blank row removed", body, `value="online"`, `name="fields[2].options[1].code" value=""`)
		mustNotContain(t, "option below a blank row removed", body, `value="hybrid"`)

		// a bad field code is refused at its input, nothing saved
		bad := talksSchema()
		bad.Fields = append(bad.Fields, register.Field{Code: "Bad Code", Type: register.TypeText, NameZH: "坏"})
		rec = admin.post("/registers/talks/schema", schemaForm(bad, &reg.Schema, 1))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad code: %d", rec.Code)
		}
		mustContain(t, "bad code", rec.Body.String(), `id="fields[4].code" name="fields[4].code" value="Bad Code"`, "字段代码 Bad Code 不可用")

		// a new required field and a removed option in use are refused
		// with the records in the way and the rules that answer them
		next := talksSchema()
		next.Fields = append(next.Fields, register.Field{Code: "level", Type: register.TypeOption, NameZH: "级别", Required: true,
			Options: []register.Option{{Code: "city", NameZH: "市级"}, {Code: "county", NameZH: "县级"}}})
		next.Fields[2].Options = next.Fields[2].Options[:1]
		next.Fields[2].Options[0].NameZH = "网络"
		rec = admin.post("/registers/talks/schema", schemaForm(next, &reg.Schema, 1))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("conflicting change: %d %s", rec.Code, rec.Body.String())
		}
		body = rec.Body.String()
		mustContain(t, "refusal", body, `id="schema-conflicts"`, "已有的 3 条记录需要补填值", "选项 offline 仍被这些记录使用",
			fmt.Sprintf(`href="/registers/talks/records/%d"`, ids[1]), fmt.Sprintf(`href="/registers/talks/records/%d"`, ids[2]),
			`name="migration.fill.level"`, `name="migration.map_options.mode.offline"`, `<option value="city">市级</option>`)
		mustNotContain(t, "refusal", body, fmt.Sprintf(`href="/registers/talks/records/%d"`, ids[0]))
		if r, _ := e.app.Registers.Get(ctx, "talks"); r.Version != 1 {
			t.Fatalf("refused change saved")
		}
		// a fill that is not an option is refused at its rule
		retry := schemaForm(next, &reg.Schema, 1)
		retry.Set("migration.fill.level", "省级")
		retry.Set("migration.map_options.mode.offline", "online")
		rec = admin.post("/registers/talks/schema", retry)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad fill: %d", rec.Code)
		}
		mustContain(t, "bad fill", rec.Body.String(), `id="migration.fill.level" name="migration.fill.level" aria-invalid="true"`, "补填值不符合字段类型")
		// with the rules, it saves (an option row added and left empty is no option)
		retry.Set("migration.fill.level", "city")
		retry.Set("fields[4].options[2].code", "")
		retry.Set("fields[4].options[2].name_zh", " ")
		rec = admin.post("/registers/talks/schema", retry)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/registers/talks/schema?done=schema_saved" {
			t.Fatalf("migrated change: %d %s", rec.Code, rec.Body.String())
		}
		_, page2, err := e.app.Registers.ListRecords(ctx, unit.Everything(), "talks", register.Filter{Conds: []register.Cond{
			{Field: "level", Op: "eq", Value: "city"}, {Field: "mode", Op: "eq", Value: "online"}}})
		if err != nil || page2.Total != 3 {
			t.Fatalf("after migration %d records match (%v)", page2.Total, err)
		}
		// the relabelled option is what a search finds
		_, page2, _ = e.app.Registers.ListRecords(ctx, unit.Everything(), "talks", register.Filter{Q: "网络"})
		if page2.Total != 3 {
			t.Fatalf("search by the new label finds %d", page2.Total)
		}
		body = admin.get("/registers/talks/schema?done=schema_saved").Body.String()
		mustContain(t, "saved", body, "表结构已保存为新版本", `name="version" value="2"`, `id="schema-v2"`, "系统管理员", "新增字段：级别", "修改字段：形式")
		// the entry form has the new field
		mustContain(t, "new-record page", admin.get("/registers/talks/new").Body.String(), `name="v.level"`, "市级")

		// saving a form drawn before another save is refused
		rec = admin.post("/registers/talks/schema", schemaForm(next, &reg.Schema, 1))
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "数据已被他人修改") {
			t.Fatalf("stale form: %d", rec.Code)
		}
		// and stays refused when saved again as it came back
		mustContain(t, "stale form", rec.Body.String(), `name="version" value="1"`)

		// past register.MaxConflicts records, the page says the list is cut
		for i := range register.MaxConflicts {
			if _, err := e.app.Registers.Create(ctx, register.System(), "talks", register.Input{Unit: "320102",
				Values: map[string]any{"title": fmt.Sprintf("讲座%d", i), "held_on": "2021-05-01", "level": "city"}}); err != nil {
				t.Fatal(err)
			}
		}
		many := next
		many.Fields = append([]register.Field{}, next.Fields...)
		many.Fields[3].Required = true // audience: no record has it
		saved, _ := e.app.Registers.Get(ctx, "talks")
		rec = admin.post("/registers/talks/schema", schemaForm(many, &saved.Schema, saved.Version))
		mustContain(t, "many conflicts", rec.Body.String(), "（只列出前 50 条）", `<a href="/registers/talks">查看全部记录</a>`)
		// a register made from scratch
		mustContain(t, "new register page", admin.get("/register-schema/new").Body.String(), `name="code"`, `name="fields[0].code" value="title"`)
		fresh := register.Schema{Code: "visits", NameZH: "参观接待", NameEN: "Visits", DateField: "held_on", NaturalKey: []string{"title", "held_on"},
			Fields: []register.Field{
				{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
				{Code: "held_on", Type: register.TypeDate, NameZH: "日期", Required: true},
				{Code: "talk", Type: register.TypeRecord, NameZH: "相关报告", Register: "talks"},
			}}
		missing := fresh
		missing.NameZH = ""
		rec = admin.post("/register-schema/new", schemaForm(missing, nil, 0))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("nameless register: %d", rec.Code)
		}
		mustContain(t, "nameless register", rec.Body.String(), `id="schema-name-zh" name="name_zh" value="" required maxlength="100" aria-invalid="true"`)
		rec = admin.post("/register-schema/new", schemaForm(fresh, nil, 0))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/registers/visits/schema?done=register_created" {
			t.Fatalf("new register: %d %s", rec.Code, rec.Body.String())
		}
		got, err := e.app.Registers.Get(ctx, "visits")
		if err != nil || len(got.Schema.Fields) != 3 || got.Schema.Fields[2].Register != "talks" {
			t.Fatalf("new register stored: %+v %v", got, err)
		}
		rec = admin.post("/registers/visits/schema", schemaForm(fresh, &got.Schema, 1))
		if again, _ := e.app.Registers.Get(ctx, "visits"); rec.Code != http.StatusSeeOther || again.Version != 1 {
			t.Errorf("an unchanged form of a register for every unit saved: %d, version %d", rec.Code, again.Version)
		}
		// a second register of the same code is not made over the first
		rec = admin.post("/register-schema/new", schemaForm(fresh, nil, 0))
		if rec.Code == http.StatusSeeOther {
			t.Fatalf("a new register replaced an existing one")
		}
	})
}
