package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kexie/internal/demo"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// figuresFixture defines a register of activities, four metrics over it
// and six records in Nanjing (Xuanwu 320102, Qinhuai 320104) and Xuzhou
// (Gulou 320302), all in 2021.
func figuresFixture(t testing.TB, e *testEnv) {
	t.Helper()
	ctx := context.Background()
	sc := register.Schema{Code: "fig_acts", NameZH: "活动台账", NameEN: "Activities", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", NameEN: "Title", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", Options: []register.Option{
				{Code: "online", NameZH: "线上", NameEN: "Online"}, {Code: "offline", NameZH: "线下", NameEN: "On site"}}},
			{Code: "people", Type: register.TypeInteger, NameZH: "人次"},
		}}
	if _, err := e.app.Registers.Define(ctx, sc, register.Migration{}, false); err != nil {
		t.Fatal(err)
	}
	for _, d := range []metric.Def{
		{Code: "acts_all", NameZH: "活动场次", NameEN: "Events", Unit: "场", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "fig_acts"},
		{Code: "acts_people", NameZH: "参与人次", NameEN: "Participants", Unit: "人次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "fig_acts", Field: "people", Breakdown: "mode"},
		{Code: "acts_online", NameZH: "线上活动", Unit: "场", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "fig_acts", Filter: `mode == "online"`},
		{Code: "acts_share", NameZH: "线上占比", Aggregation: metric.Ratio, Source: metric.FromFormula, Numerator: "acts_online", Denominator: "acts_all", Percent: true, Decimals: 1},
	} {
		if _, err := e.app.Metrics.Define(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range []struct{ unit, day, mode, people string }{
		{"320102", "2021-02-10", "online", "100"}, {"320102", "2021-05-05", "offline", "20000"}, {"320102", "2021-08-01", "online", "300"},
		{"320104", "2021-03-03", "online", "50"}, {"320104", "2021-07-07", "offline", "70"}, {"320302", "2021-04-04", "online", "10"},
	} {
		if _, err := e.app.Registers.Create(ctx, register.System(), "fig_acts", register.Input{Unit: r.unit, Values: map[string]any{
			"title": fmt.Sprintf("活动%d", i), "day": r.day, "mode": r.mode, "people": r.people}}); err != nil {
			t.Fatal(err)
		}
	}
}

// figuresSpecCalls validates a response of every metrics and dashboards
// operation against the OpenAPI document (TestOpenAPIResponses runs it).
func figuresSpecCalls(c *specCheck) {
	figuresFixture(c.t, c.e)
	c.call("GET", "/api/v1/metrics", "leader", nil, 200)
	c.call("GET", "/api/v1/metrics/acts_people", "leader", nil, 200)
	c.call("GET", "/api/v1/metrics/nope", "leader", nil, 404)
	def := map[string]any{"name_zh": "线下活动", "unit": "场", "aggregation": "flow", "source": "register", "register": "fig_acts", "filter": `mode == "offline"`}
	c.call("PUT", "/api/v1/metrics/acts_offline", "admin", def, 200)
	c.call("PUT", "/api/v1/metrics/acts_offline", "leader", def, 403)
	c.call("PUT", "/api/v1/metrics/bad", "admin", map[string]any{"name_zh": "", "aggregation": "median", "source": "register", "register": "nope"}, 422)
	c.call("PUT", "/api/v1/metrics/bad", "admin", `{"name_zh":`, 400)
	c.call("GET", "/api/v1/metrics/acts_all/value?unit=320100&period=2021", "nanjing", nil, 200)
	c.call("GET", "/api/v1/metrics/acts_all/value?unit=320300", "nanjing", nil, 404)
	c.call("GET", "/api/v1/metrics/acts_all/value?period=2021S3", "nanjing", nil, 422)
	c.call("GET", "/api/v1/metrics/acts_all/children?unit=320000&period=THIS_YEAR&type=city", "admin", nil, 200)
	c.call("GET", "/api/v1/metrics/acts_all/children?unit=320300", "nanjing", nil, 404)
	c.call("GET", "/api/v1/metrics/acts_all/periods?unit=320100&months_of=2021", "nanjing", nil, 200)
	c.call("GET", "/api/v1/metrics/acts_all/periods?periods=2021S1,x", "nanjing", nil, 422)
	c.call("GET", "/api/v1/metrics/acts_people/categories?unit=320100&period=2021", "nanjing", nil, 200)
	c.call("GET", "/api/v1/metrics/acts_all/categories?period=2021", "nanjing", nil, 422)
	c.call("GET", "/api/v1/metrics/acts_online/records?unit=320100&period=2021&page=1", "nanjing", nil, 200)
	c.call("GET", "/api/v1/metrics/acts_share/records?period=2021", "nanjing", nil, 422)
	c.call("GET", "/api/v1/metrics/acts_all/verify", "admin", nil, 200)
	c.call("GET", "/api/v1/metrics/acts_all/verify", "nanjing", nil, 403)
	c.call("GET", "/api/v1/metrics/nope/verify", "admin", nil, 404)
	c.call("GET", "/api/v1/figures?metrics=acts_all,acts_share&unit=320100&period=2021", "nanjing", nil, 200)
	c.call("GET", "/api/v1/figures?metrics=acts_all,nope", "nanjing", nil, 404)
	c.call("GET", "/api/v1/figures", "nanjing", nil, 422)
	var d struct{ ID int64 }
	body := map[string]any{"name": "南京看板", "unit": "320100", "shared": true, "widgets": []map[string]any{
		{"type": "figure", "metric": "acts_all", "period": "2021S1"},
		{"type": "bar", "metric": "acts_people", "period": "2021"},
		{"type": "line", "metric": "acts_all", "period": "2021", "unit": "320102"},
		{"type": "table", "metric": "acts_all", "metrics": []string{"acts_share"}, "period": "THIS_YEAR"}}}
	decodeBody(c.t, c.call("POST", "/api/v1/dashboards", "nanjing", body, 201), &d)
	c.call("POST", "/api/v1/dashboards", "nanjing", map[string]any{"name": "x", "unit": "320300"}, 422)
	c.call("POST", "/api/v1/dashboards", "nanjing", `[`, 400)
	c.call("GET", "/api/v1/dashboards", "admin", nil, 200)
	path := fmt.Sprintf("/api/v1/dashboards/%d", d.ID)
	c.call("GET", path, "admin", nil, 200)
	c.call("GET", path, "xuzhou", nil, 404)
	c.call("GET", path+"/data", "nanjing", nil, 200)
	c.call("GET", path+"/data", "xuzhou", nil, 404)
	c.call("PATCH", path, "admin", map[string]any{"name": "改"}, 403)
	c.call("PATCH", path, "nanjing", map[string]any{"name": "南京", "version": 1}, 200)
	c.call("PATCH", path, "nanjing", map[string]any{"name": "南京", "version": 1}, 409)
	c.call("PATCH", path, "nanjing", map[string]any{"widgets": []map[string]any{{"type": "pie", "metric": "acts_all", "period": "2021"}}}, 422)
	c.call("DELETE", path, "admin", nil, 403)
	c.call("DELETE", path, "nanjing", nil, 204)
	c.call("DELETE", path, "nanjing", nil, 404)
}

// TestFiguresAPI checks the figures themselves, scope and bad input.
func TestFiguresAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		figuresFixture(t, e)
		get := func(path, user string, status int, v any) {
			t.Helper()
			rec := e.do("GET", path, user, nil)
			if rec.Code != status {
				t.Fatalf("GET %s as %s: %d, want %d: %s", path, user, rec.Code, status, rec.Body.String())
			}
			if v != nil {
				decodeBody(t, rec, v)
			}
		}
		var f figureJSON
		get("/api/v1/metrics/acts_people/value?unit=320100&period=2021", "nanjing", 200, &f)
		if f.Value == nil || *f.Value != 20520 || f.Display != "2.05万人次" || f.Count != 5 {
			t.Errorf("Nanjing's participants: %+v", f)
		}
		get("/api/v1/metrics/acts_people/value?unit=320100&period=2021&lang=en", "nanjing", 200, &f)
		if f.Display != "20,520 person-times" {
			t.Errorf("in English: %q", f.Display)
		}
		get("/api/v1/metrics/acts_share/value?unit=320000&period=2021", "leader", 200, &f)
		if f.Display != "66.7%" {
			t.Errorf("share: %+v", f)
		}
		// the caller's top unit by default
		get("/api/v1/metrics/acts_all/value?period=2021", "xuzhou", 200, &f)
		if f.Unit != "320300" || *f.Value != 1 {
			t.Errorf("Xuzhou by default: %+v", f)
		}
		var b breakdownJSON
		get("/api/v1/metrics/acts_all/children?unit=320000&period=2021&type=city", "admin", 200, &b)
		if len(b.Items) != 13 || b.Items[0].Key != "320100" || *b.Items[0].Value != 5 || *b.Items[1].Value != 0 || *b.Items[2].Value != 1 {
			t.Errorf("by city: %+v", b.Items[:3])
		}
		get("/api/v1/metrics/acts_all/children?unit=320100&period=2021S1", "nanjing", 200, &b)
		if b.Items[0].Key != "320102" || *b.Items[0].Value != 2 || *b.Items[1].Value != 1 {
			t.Errorf("Nanjing's counties: %+v", b.Items[:2])
		}
		get("/api/v1/metrics/acts_all/periods?unit=320100&months_of=2021S1", "nanjing", 200, &b)
		if len(b.Items) != 6 || *b.Items[1].Value != 1 || b.Items[1].Name != "2021年2月" {
			t.Errorf("by month: %+v", b.Items)
		}
		get("/api/v1/metrics/acts_people/categories?unit=320100&period=2021", "nanjing", 200, &b)
		if len(b.Items) != 2 || *b.Items[0].Value != 450 || *b.Items[1].Value != 20070 {
			t.Errorf("by category: %+v", b.Items)
		}
		var pg recordPageJSON
		get("/api/v1/metrics/acts_online/records?unit=320100&period=2021", "nanjing", 200, &pg)
		if pg.Total != 3 || len(pg.Items) != 3 || pg.Items[0].Date != "2021-08-01" {
			t.Errorf("drill-down: %+v", pg)
		}
		var many struct{ Items []figureJSON }
		get("/api/v1/figures?metrics=acts_all,acts_people&unit=320102&period=THIS_YEAR", "xuanwu", 200, &many)
		if len(many.Items) != 2 || many.Items[1].Metric != "acts_people" {
			t.Errorf("many: %+v", many)
		}
		// scope and bad input
		for _, c := range []struct {
			path, user string
			status     int
			field      string
		}{
			{"/api/v1/metrics/acts_all/value?unit=320300&period=2021", "nanjing", 404, ""},
			{"/api/v1/metrics/acts_all/children?unit=320300", "xuanwu", 404, ""},
			{"/api/v1/metrics/acts_all/records?unit=320302&period=2021", "nanjing", 404, ""},
			{"/api/v1/metrics/acts_all/value?unit=nope", "admin", 404, ""},
			{"/api/v1/metrics/nope/value?unit=320100", "nanjing", 404, ""},
			{"/api/v1/metrics/acts_all/value?unit=320100&period=2021S3", "nanjing", 422, "period"},
			{"/api/v1/metrics/acts_all/children?period=LAST_DECADE", "nanjing", 422, "period"},
			{"/api/v1/metrics/acts_all/periods?months_of=x", "nanjing", 422, "months_of"},
			{"/api/v1/metrics/acts_all/records?page=x", "nanjing", 422, "page"},
			{"/api/v1/figures?metrics=", "nanjing", 422, "metrics"},
			{"/api/v1/metrics/acts_all/verify", "leader", 403, ""},
		} {
			rec := e.do("GET", c.path, c.user, nil)
			if rec.Code != c.status {
				t.Errorf("GET %s as %s: %d, want %d", c.path, c.user, rec.Code, c.status)
				continue
			}
			if c.field != "" {
				if fs := problemFields(t, rec); len(fs) != 1 || fs[0] != c.field {
					t.Errorf("GET %s: fields %v, want %s", c.path, fs, c.field)
				}
			}
		}
		if rec := e.do("PUT", "/api/v1/metrics/x1", "leader", map[string]any{"name_zh": "x", "aggregation": "flow", "source": "register", "register": "fig_acts"}); rec.Code != 403 {
			t.Errorf("a viewer defines a metric: %d", rec.Code)
		}
		rec := e.do("PUT", "/api/v1/metrics/x1", "admin", map[string]any{"name_zh": "x", "aggregation": "flow", "source": "register", "register": "fig_acts", "field": "title"})
		if fs := problemFields(t, rec); rec.Code != 422 || len(fs) != 1 || fs[0] != "field" {
			t.Errorf("a sum of a text field: %d %v", rec.Code, fs)
		}
	})
}

var rawKeyRE = regexp.MustCompile(`\b(metrics|dashboards|pivot|period)\.[a-z_]+(\.[a-z_]+)?\b`)

func TestFiguresPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		figuresFixture(t, e)
		users := map[string]*session{}
		for _, a := range demo.Accounts {
			users[a.Name] = e.login(a.Name, demo.Password)
		}
		cases := []struct {
			name, user, path string
			status           int
			want, wantNot    []string
		}{
			{"catalogue", "nanjing", "/metrics/", 200, []string{"活动场次", "参与人次", "0场", "累计：期间内求和", "台账“活动台账”", "南京市科学技术协会", `href="/metrics/acts_all?`}, nil},
			{"catalogue in English", "nanjing", "/metrics/?lang=en", 200, []string{"Events", "Flow: summed"}, nil},
			{"metric page", "nanjing", "/metrics/acts_people?unit=320100&period=2021", 200,
				[]string{"2.05万人次", "玄武区科学技术协会", `data-chart="bar"`, "2021年2月", "线上", "/metrics/acts_people/records?period=2021&amp;unit=320102", "echarts-6.1.0.min.js"}, nil},
			{"metric page of a relative period", "xuzhou", "/metrics/acts_all?period=THIS_YEAR", 200, []string{"徐州市科学技术协会"}, nil},
			{"metric page out of scope", "nanjing", "/metrics/acts_all?unit=320300", 422, []string{"320300"}, []string{"徐州市科学技术协会"}},
			{"metric page bad period", "nanjing", "/metrics/acts_all?period=2021S3", 422, []string{"2021S3"}, nil},
			{"unknown metric", "nanjing", "/metrics/nope", 404, nil, nil},
			{"drill-down", "nanjing", "/metrics/acts_online/records?unit=320100&period=2021", 200,
				[]string{"共 3 条", "/registers/fig_acts/records/", "2021-08-01"}, []string{"2021-05-05"}},
			{"drill-down of a ratio lists its parts", "nanjing", "/metrics/acts_share/records?unit=320100&period=2021", 200,
				[]string{"/metrics/acts_online/records?", "/metrics/acts_all/records?"}, nil},
			{"drill-down out of scope", "nanjing", "/metrics/acts_all/records?unit=320302&period=2021", 404, nil, nil},
			{"pivot form", "leader", "/pivot", 200, []string{"请至少选择一个指标"}, nil},
			{"pivot", "leader", "/pivot?metrics=acts_all&metrics=acts_people&unit=320000&periods=2021S1,2021S2&rows=unit&cols=period", 200,
				[]string{"南京市科学技术协会", "2021年上半年", "江苏省科学技术协会", "/pivot/export?", "指标 / 组织"}, nil},
			{"pivot same dims", "leader", "/pivot?metrics=acts_all&rows=unit&cols=unit", 422, []string{"行和列不能相同"}, nil},
			{"dashboards", "nanjing", "/dashboards", 200, []string{"还没有看板", `action="/dashboards"`}, nil},
		}
		for _, c := range cases {
			rec := users[c.user].get(c.path)
			body := rec.Body.String()
			if rec.Code != c.status {
				t.Errorf("%s: GET %s: %d, want %d", c.name, c.path, rec.Code, c.status)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: GET %s lacks %q", c.name, c.path, w)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("%s: GET %s has %q", c.name, c.path, w)
				}
			}
			if k := rawKeyRE.FindString(body); k != "" && rec.Code == 200 {
				t.Errorf("%s: a message key shows untranslated: %s", c.name, k)
			}
		}
		// the pivot table as a workbook
		rec := users["leader"].get("/pivot/export?metrics=acts_all&unit=320000&periods=2021&rows=unit&cols=metric")
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		x, err := excelize.OpenReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := x.GetCellValue(x.GetSheetName(0), "B2"); v != "5" {
			t.Errorf("Nanjing's events in the workbook: %q", v)
		}
		// a dashboard made with the forms: created, a bar added, seen by the province, not by Xuzhou
		nj := users["nanjing"]
		rec = nj.post("/dashboards", url.Values{"name": {"南京看板"}, "unit": {"320100"}, "shared": {"1"}})
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/dashboards/") {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		page := strings.SplitN(loc, "?", 2)[0]
		runForms(t, users, []formCase{
			{"add a bar", "nanjing", page + "/widgets", url.Values{"type": {"bar"}, "metric": {"acts_people"}, "period": {"THIS_YEAR"}}, 303, []string{"done=widget_added"}},
			{"add a figure", "nanjing", page + "/widgets", url.Values{"type": {"figure"}, "metric": {"acts_all"}, "period": {"LAST_HALF"}}, 303, nil},
			{"add a widget of another city", "nanjing", page + "/widgets", url.Values{"type": {"bar"}, "metric": {"acts_all"}, "period": {"THIS_YEAR"}, "unit": {"320300"}}, 422, []string{"320300"}},
			{"another's dashboard", "leader", page + "/widgets", url.Values{"type": {"bar"}, "metric": {"acts_all"}, "period": {"THIS_YEAR"}}, 403, nil},
			{"rename refused", "nanjing", page + "/edit", url.Values{"name": {""}, "unit": {"320100"}}, 422, []string{"必须填写"}},
			{"bad create", "nanjing", "/dashboards", url.Values{"name": {"x"}, "unit": {"320300"}}, 422, []string{"320300"}},
		})
		rec = nj.get(page)
		if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, `data-chart="bar"`) || !strings.Contains(body, "widget-data") || !strings.Contains(body, "添加组件") {
			t.Errorf("dashboard page: %d %.300s", rec.Code, body)
		}
		if rec := users["leader"].get(page); rec.Code != 200 || strings.Contains(rec.Body.String(), "添加组件") {
			t.Errorf("the province sees the shared dashboard without the editor: %d", rec.Code)
		}
		if rec := users["xuzhou"].get(page); rec.Code != 404 {
			t.Errorf("Xuzhou sees Nanjing's dashboard: %d", rec.Code)
		}
		runForms(t, users, []formCase{
			{"remove a widget", "nanjing", page + "/widgets/0/delete", url.Values{}, 303, []string{"done=widget_removed"}},
			{"delete", "nanjing", page + "/delete", url.Values{}, 303, []string{"/dashboards?done=dashboard_deleted"}},
		})
	})
}

// TestMetricBuildPage changes what a metric counts: the API and the
// metric's page say its figures are being recomputed, show the progress
// and keep the old figure until the build ends.
func TestMetricBuildPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		figuresFixture(t, e)
		held := ""
		e.app.Metrics.RunBuildsWith(1, func(code string) { held = code })
		old := e.login("nanjing", demo.Password).get("/metrics/acts_all?unit=320100&period=2021").Body.String()
		rec := e.do("GET", "/api/v1/metrics/acts_all", "admin", nil)
		var m map[string]any
		decodeBody(t, rec, &m)
		m["filter"] = `title != ""`
		delete(m, "state")
		delete(m, "progress")
		delete(m, "version")
		delete(m, "builtin")
		if rec := e.do("PUT", "/api/v1/metrics/acts_all", "admin", m); rec.Code != 200 || held != "acts_all" {
			t.Fatalf("change: %d %s (build %q)", rec.Code, rec.Body.String(), held)
		}
		rec = e.do("GET", "/api/v1/metrics/acts_all", "admin", nil)
		m = map[string]any{}
		decodeBody(t, rec, &m)
		if m["state"] != "building" || m["pending"] == nil || m["filter"] != nil {
			t.Errorf("API during the build: %v", m)
		}
		page := e.login("nanjing", demo.Password).get("/metrics/acts_all?unit=320100&period=2021").Body.String()
		if !strings.Contains(page, `id="metric-build"`) || !strings.Contains(page, "正在按新定义重新计算（已完成 0%）") {
			t.Errorf("page during the build lacks the notice")
		}
		figure := regexp.MustCompile(`id="metric-value"[^>]*>([^<]*)<`)
		if a, b := figure.FindStringSubmatch(old), figure.FindStringSubmatch(page); a == nil || b == nil || a[1] != b[1] {
			t.Errorf("figure during the build %v, before %v", b, a)
		}
		if err := e.app.Metrics.Build(t.Context(), "acts_all"); err != nil {
			t.Fatal(err)
		}
		page = e.login("nanjing", demo.Password).get("/metrics/acts_all?unit=320100&period=2021").Body.String()
		if strings.Contains(page, `id="metric-build"`) {
			t.Errorf("page after the build still shows the notice")
		}
	})
}
