package web

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// TestBrowserSchemaEditor is the province's administrator on a phone:
// from the register's records, open its schema, add a field of options
// with two options, save, and find the new field on the entry form and
// as a column of the list; then make it required over a record that
// lacks it, and add a cross-field rule. Screenshots at phone width on
// SQLite.
func TestBrowserSchemaEditor(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := e.app.Registers.Define(t.Context(), talksSchema(), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		created, err := e.app.Registers.Create(t.Context(), register.System(), "talks", register.Input{Unit: "320100",
			Values: map[string]any{"title": "人工智能与生活", "held_on": "2021-04-01", "mode": "online"}})
		if err != nil {
			t.Fatal(err)
		}
		first := created.ID
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		b := openTab(t, browser, srv.URL, 40*time.Second)
		b.run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		b.login("admin")
		b.run("open the register's records",
			chromedp.Navigate(srv.URL+"/registers/talks"),
			chromedp.WaitVisible(chromedp.CSS("#edit-schema")),
		)
		b.run("open its schema",
			chromedp.Click(chromedp.CSS("#edit-schema")),
			chromedp.WaitVisible(chromedp.CSS("#schema-fields")),
		)
		b.shoot("schema")
		b.run("add a text field and name it",
			chromedp.SetValue(chromedp.CSS("#new-type"), "text"),
			chromedp.Click(chromedp.CSS("#add-field-button")),
			chromedp.WaitVisible(chromedp.CSS(`#field-4 input[name="fields[4].code"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].code"]`), "level"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].name_zh"]`), "报告级别"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].name_en"]`), "Level"),
		)
		// changing the type redraws the field in place (htmx) with its options
		b.run("make it a field of options",
			chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('select[name="fields[4].type"]');
				s.value = "option"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`),
			chromedp.WaitVisible(chromedp.CSS(`#field-4 input[name="fields[4].options[0].code"]`)),
		)
		if got := b.value(`input[name="fields[4].name_zh"]`); got != "报告级别" {
			t.Fatalf("what was typed is lost when the type changes: %q", got)
		}
		b.run("name its first option",
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].options[0].code"]`), "city"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].options[0].name_zh"]`), "市级"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].options[0].name_en"]`), "City"),
		)
		b.run("add a second option",
			chromedp.Click(chromedp.CSS(`#field-4-options .add-option`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="fields[4].options[1].code"]`)),
		)
		if got := b.value(`input[name="fields[4].options[0].name_zh"]`); got != "市级" {
			t.Fatalf("what was typed is lost when an option is added: %q", got)
		}
		b.run("fill it",
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].options[1].code"]`), "county"),
			chromedp.SendKeys(chromedp.CSS(`input[name="fields[4].options[1].name_zh"]`), "县级"),
		)
		b.shoot("schema-new-field")
		b.run("save",
			chromedp.Click(chromedp.CSS("#schema-save-button")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := b.text("#schema-version"); got != "第 2 版" {
			t.Errorf("version after saving: %q", got)
		}
		if got := b.text("#schema-v2"); !strings.Contains(got, "新增字段：报告级别") || !strings.Contains(got, "系统管理员") {
			t.Errorf("history of version 2: %q", got)
		}
		b.run("open the entry form",
			chromedp.Click(chromedp.CSS("#schema-try")),
			chromedp.WaitVisible(chromedp.CSS("#fld-level")),
		)
		if labels := b.text("#fld-level"); !strings.Contains(labels, "市级") || !strings.Contains(labels, "县级") {
			t.Errorf("the new field's options on the form: %q", labels)
		}
		b.shoot("schema-entry-form")
		b.run("the list has the new column",
			chromedp.Navigate(srv.URL+"/registers/talks?columns=title,level"),
			chromedp.WaitVisible(chromedp.CSS("#records-results")),
		)
		if got := b.text("#records-results"); !strings.Contains(got, "报告级别") {
			t.Errorf("the list's columns: %q", got)
		}
		if !b.shots {
			return // the rest does not depend on the database
		}
		// making the field required is refused over the record that lacks
		// it, which the page links; a fill value answers it
		b.run("make the new field required",
			chromedp.Navigate(srv.URL+"/registers/talks/schema"),
			chromedp.WaitVisible(chromedp.CSS("#schema-fields")),
			chromedp.Click(chromedp.CSS(`input[name="fields[4].required"]`)),
			chromedp.Click(chromedp.CSS("#schema-save-button")),
			chromedp.WaitVisible(chromedp.CSS("#schema-conflicts")),
		)
		if got := b.text("#schema-conflicts"); !strings.Contains(got, "报告级别") || !strings.Contains(got, "#"+strconv.FormatInt(first, 10)) {
			t.Errorf("the refusal: %q", got)
		}
		b.shoot("schema-refused")
		b.run("fill it and save again",
			chromedp.SetValue(chromedp.CSS(`select[name="migration.fill.level"]`), "county"),
			chromedp.Click(chromedp.CSS("#schema-save-button")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		_, rec, err := e.app.Registers.GetRecord(t.Context(), unit.Everything(), "talks", first)
		if err != nil || rec.Values["level"] != "county" {
			t.Errorf("the record after the migration: %v %v", rec, err)
		}
		// a cross-field rule added on the phone, beside a field added and
		// left blank: the buttons that only redraw are not held back by
		// its empty inputs, which the browser would demand first
		b.run("add a field and leave it blank, then add a rule",
			chromedp.Click(chromedp.CSS("#add-field-button")),
			chromedp.WaitVisible(chromedp.CSS(`#field-5`)),
			chromedp.Click(chromedp.CSS("#add-rule-button")),
			chromedp.WaitVisible(chromedp.CSS(`textarea[name="rules[0].expr"]`)),
		)
		b.run("remove the blank field, and write the rule",
			chromedp.Click(chromedp.CSS(`#field-5 button[value="remove:5"]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#field-5`)),
			chromedp.SendKeys(chromedp.CSS(`textarea[name="rules[0].expr"]`), "audience <= 500"),
			chromedp.SetValue(chromedp.CSS(`select[name="rules[0].field"]`), "audience"),
			chromedp.SendKeys(chromedp.CSS(`input[name="rules[0].message_zh"]`), "听众不超过 500 人"),
			chromedp.Click(chromedp.CSS("#rules-guide > summary")),
		)
		b.shoot("schema-rule") // and it fits the phone
		b.run("save the rule",
			chromedp.Click(chromedp.CSS("#schema-save-button")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if reg, _ := e.app.Registers.Get(t.Context(), "talks"); len(reg.Schema.Rules) != 1 || reg.Schema.Rules[0].Expr != "audience <= 500" ||
			reg.Schema.Rules[0].Field != "audience" || len(reg.Schema.Fields) != 5 {
			t.Errorf("the schema after adding a rule: %+v", reg.Schema)
		}
	})
}
