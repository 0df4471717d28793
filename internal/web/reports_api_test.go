package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/register"
	"kexie/internal/report"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// reportSpecCalls exercises the report API against the document: templates
// saved (a bad one refused with its line and column), rendered in every
// format within scope, kept for the record and written again.
func reportSpecCalls(t *testing.T, c *specCheck) {
	t.Helper()
	c.call("GET", "/api/v1/report-templates", "leader", nil, 200)
	c.call("GET", "/api/v1/report-templates/half-year-review", "leader", nil, 200)
	c.call("GET", "/api/v1/report-templates/half-year-review?version=1", "leader", nil, 200)
	c.call("GET", "/api/v1/report-templates/half-year-review?version=x", "leader", nil, 422)
	c.call("GET", "/api/v1/report-templates/nosuch", "leader", nil, 404)
	body := map[string]any{"name": "城市", "source": "# {{ unit.name }}\n科技小院{{ fig(\"kexiao_new\") }}。\n\n{{ chart(\"bar\", \"kexiao_new\", \"city\") }}\n"}
	c.call("PUT", "/api/v1/report-templates/spec-cities", "nanjing", body, 403)
	c.call("PUT", "/api/v1/report-templates/spec-cities", "admin", body, 200)
	bad := c.call("PUT", "/api/v1/report-templates/spec-cities", "admin", map[string]any{"name": "x", "source": "\n  {{ fig(\"kexiao_nwe\") }}"}, 422)
	if !strings.Contains(bad.Body.String(), "kexiao_new") || !strings.Contains(bad.Body.String(), "第2行") {
		t.Errorf("a bad template: %s", bad.Body.String())
	}
	c.call("PUT", "/api/v1/report-templates/spec-cities", "admin", `{"name":`, 400)
	for _, f := range report.Formats {
		rec := c.call("GET", "/api/v1/reports/spec-cities?unit=320100&period=2021S1&format="+f, "nanjing", nil, 200)
		if rec.Body.Len() < 20 || rec.Header().Get("Content-Type") != report.ContentType(f) {
			t.Errorf("%s: %d bytes, %s", f, rec.Body.Len(), rec.Header().Get("Content-Type"))
		}
	}
	c.call("GET", "/api/v1/reports/spec-cities?unit=320300&period=2021S1", "nanjing", nil, 404)
	c.call("GET", "/api/v1/reports/spec-cities?unit=320100&period=2021S1&format=rtf", "nanjing", nil, 422)
	c.call("GET", "/api/v1/reports/spec-cities?unit=320100&period=2021X1", "nanjing", nil, 422)
	var sn report.Snapshot
	decodeBody(t, c.call("POST", "/api/v1/reports/spec-cities/snapshots", "nanjing", map[string]any{"unit": "320100", "period": "2021S1", "note": "报送"}, 201), &sn)
	c.call("POST", "/api/v1/reports/spec-cities/snapshots", "nanjing", map[string]any{"unit": "320300", "period": "2021S1"}, 404)
	c.call("POST", "/api/v1/reports/spec-cities/snapshots", "nanjing", `[`, 400)
	c.call("POST", "/api/v1/reports/spec-cities/snapshots", "nanjing", map[string]any{"unit": "320100", "period": "x"}, 422)
	c.call("GET", "/api/v1/report-snapshots?template=spec-cities", "nanjing", nil, 200)
	c.call("GET", fmt.Sprintf("/api/v1/report-snapshots/%d", sn.ID), "nanjing", nil, 200)
	c.call("GET", fmt.Sprintf("/api/v1/report-snapshots/%d", sn.ID), "xuzhou", nil, 404)
	c.call("GET", fmt.Sprintf("/api/v1/report-snapshots/%d/output?format=docx", sn.ID), "nanjing", nil, 200)
	c.call("GET", fmt.Sprintf("/api/v1/report-snapshots/%d/output?format=x", sn.ID), "nanjing", nil, 422)
	c.call("GET", "/api/v1/report-snapshots/999999/output", "nanjing", nil, 404)
	c.call("DELETE", "/api/v1/report-templates/spec-cities", "nanjing", nil, 403)
	c.call("DELETE", "/api/v1/report-templates/half-year-review", "admin", nil, 422)
	c.call("DELETE", "/api/v1/report-templates/spec-cities", "admin", nil, 204)
	c.call("DELETE", "/api/v1/report-templates/spec-cities", "admin", nil, 404)
}

// The report pages: the list, a report with its downloads, the editor
// with its preview fragment, saving (a bad text keeps the editor with
// the error), keeping for the record and the snapshot page.
func TestReportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		users := map[string]*session{}
		for _, a := range demo.Accounts {
			users[a.Name] = e.login(a.Name, demo.Password)
		}
		send := func(method, path, user string, form map[string]string) *httptest.ResponseRecorder {
			if method == "GET" {
				return users[user].get(path)
			}
			v := url.Values{}
			for k, x := range form {
				v.Set(k, x)
			}
			return users[user].post(path, v)
		}
		for _, tc := range []struct {
			method, path, user string
			form               map[string]string
			status             int
			want               []string
		}{
			{"GET", "/reports", "nanjing", nil, 200, []string{"半年工作总结", "工作计划进展", "还没有存档的报告"}},
			{"GET", "/reports/half-year-review?unit=320000&period=2021S1", "admin", nil, 200, []string{"江苏省科学技术协会2021年上半年工作总结", "format=docx", "format=pdf", "id=\"record-form\"", `<option value="320100">南京市科学技术协会</option>`, `<option value="2021S1">`}},
			// a report of a unit outside the caller's scope: a 404 that says so and offers the caller's own unit's
			{"GET", "/reports/half-year-review?unit=320300&period=2021S1", "nanjing", nil, 404, []string{`id="report-out-of-scope"`, "不在您的查看范围内", "320300",
				`href="/reports/half-year-review?period=2021S1&amp;unit=320100"`, "查看本单位（南京市科学技术协会）的“半年工作总结”"}},
			{"GET", "/reports/half-year-review?unit=320000&period=2021S1", "nanjing", nil, 404, []string{`id="report-out-of-scope"`, "“半年工作总结”的这一份属于单位 320000", `id="own-report"`}},
			{"GET", "/reports/half-year-review?unit=320000&period=2021S1&lang=en", "nanjing", nil, 404, []string{"This report is outside your scope", "See “", "for your own unit (Nanjing"}},
			{"GET", "/reports/half-year-review?unit=320000", "nanjing", nil, 404, []string{`href="/reports/half-year-review?unit=320100"`}},
			{"GET", "/reports/half-year-review?unit=999999&period=2021S1", "nanjing", nil, 200, []string{`id="report-problem"`}},
			// the city's own review: its figures, the other cities' the province's template names hidden
			{"GET", "/reports/half-year-review?unit=320100&period=2021S1", "nanjing", nil, 200, []string{"南京市科学技术协会2021年上半年工作总结", `<span class="fig hidden">—</span>`, `id="record-form"`}},
			{"GET", "/reports/half-year-review/edit", "nanjing", nil, 403, nil},
			{"GET", "/reports/half-year-review/edit?unit=320000&period=2021S1", "admin", nil, 200, []string{"template-source", "report-preview", "江苏省科学技术协会2021年上半年工作总结"}},
			{"POST", "/reports/preview", "admin", map[string]string{"source": "# 预览{{ unit.name }}", "unit": "320100", "period": "2021S1"}, 200, []string{"预览南京市科学技术协会"}},
			{"POST", "/reports/preview", "admin", map[string]string{"source": "x\n{{ fig(\"registerd_volunteers\") }}", "unit": "320100", "period": "2021S1"}, 200, []string{"第2行第8列", "registered_volunteers"}},
			{"POST", "/reports/mine/edit", "admin", map[string]string{"name": "我的", "source": "x {{ fig(\"nosuch\") }}", "unit": "320100", "period": "2021S1"}, 422, []string{"save-problem", "nosuch"}},
			{"POST", "/reports/mine/edit", "admin", map[string]string{"name": "我的", "source": "# 我的{{ unit.name }}", "unit": "320100", "period": "2021S1"}, 303, nil},
			{"GET", "/reports/mine/edit?unit=320100&period=2021S1&done=report_saved", "admin", nil, 200, []string{"模板已保存", "v1"}},
			{"POST", "/reports/mine/snapshots", "nanjing", map[string]string{"unit": "320100", "period": "2021S1"}, 303, nil},
		} {
			rec := send(tc.method, tc.path, tc.user, tc.form)
			if rec.Code != tc.status {
				t.Errorf("%s %s: %d, want %d: %.300s", tc.method, tc.path, rec.Code, tc.status, rec.Body.String())
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("%s %s lacks %q: %.2000s", tc.method, tc.path, w, rec.Body.String())
				}
			}
			if tc.path == "/reports/mine/snapshots" {
				loc := rec.Header().Get("Location")
				page := send("GET", loc, "nanjing", nil)
				if page.Code != 200 || !strings.Contains(page.Body.String(), "我的南京市科学技术协会") || !strings.Contains(page.Body.String(), "none-moved") {
					t.Errorf("%s: %d %.300s", loc, page.Code, page.Body.String())
				}
				if other := send("GET", loc, "xuzhou", nil); other.Code != 404 || !strings.Contains(other.Body.String(), "这份存档的“我的”属于您查看范围以外的单位") ||
					!strings.Contains(other.Body.String(), `href="/reports/mine?period=2021S1&amp;unit=320300"`) || strings.Contains(other.Body.String(), "南京") {
					t.Errorf("a snapshot out of scope: %d %.1500s", other.Code, other.Body.String())
				}
			}
		}
		// a kept report whose figure moved names the metric and the unit, in either language
		ctx := context.Background()
		if _, err := e.app.Reports.Save(ctx, "kexiao-page", report.SaveRequest{Name: "科技小院", Source: "新建科技小院{{ fig(\"kexiao_new\") }}。"}); err != nil {
			t.Fatal(err)
		}
		sn, err := e.app.Reports.Record(ctx, unit.Everything(), "kexiao-page", report.SnapshotRequest{Unit: "320100", Period: "2021S1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Registers.Create(ctx, register.System(), "bases", register.Input{Unit: "320115", Values: map[string]any{
			"kind": "kexiao", "level": "provincial", "recognised_on": "2021-05-01", "name": "测试科技小院", "host": "测试产业协会", "field": "农技服务"}}); err != nil {
			t.Fatal(err)
		}
		m, err := e.app.Metrics.Get(ctx, "kexiao_new")
		if err != nil {
			t.Fatal(err)
		}
		for lang, want := range map[string][]string{"": {`<td title="kexiao_new">` + m.NameZH + `</td>`, "<td>南京市科学技术协会</td>"},
			"en": {`<td title="kexiao_new">` + m.NameEN + `</td>`, "<td>Nanjing"}} {
			page := users["nanjing"].get(fmt.Sprintf("/report-snapshots/%d?lang=%s", sn.ID, lang))
			for _, w := range want {
				if page.Code != 200 || !strings.Contains(page.Body.String(), w) {
					t.Errorf("snapshot page (%q) lacks %q: %d %.3000s", lang, w, page.Code, page.Body.String())
				}
			}
			if strings.Contains(page.Body.String(), "<td>kexiao_new</td>") {
				t.Errorf("snapshot page (%q) shows the metric's code", lang)
			}
		}
	})
}
