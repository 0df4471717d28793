package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// planBody is a plan of the province: a task led by Nanjing with a target
// allotted to Xuanwu and Xuzhou, and one led by a Xuzhou county.
func planBody() map[string]any {
	return map[string]any{"title": "矩阵计划", "period": "2021S2", "unit": "320000", "sections": []any{
		map[string]any{"title": "一、测试", "tasks": []any{
			map[string]any{"title": "南京牵头的任务", "lead": "320100", "start": "2021-07-01", "due": "2021-12-31",
				"targets": []any{map[string]any{"title": "新建企业科协 30 家", "metric": "enterprise_associations_new", "goal": 30,
					"allotments": []any{map[string]any{"unit": "320102", "goal": 10}, map[string]any{"unit": "320300", "goal": 10}}}}},
			map[string]any{"title": "县里牵头的任务", "lead": "320302", "start": "2021-07-01", "due": "2021-12-31",
				"targets": []any{map[string]any{"title": "写好报告"}}},
		}},
	}}
}

func TestPlanAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rec := e.do("POST", "/api/v1/plans", "admin", planBody())
		if rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		var p plan.Plan
		decodeBody(t, rec, &p)
		g := p.Sections[0].Tasks[0].Targets[0]
		if len(p.Sections[0].Tasks) != 2 || len(g.Allotments) != 2 || !g.Mismatch || g.Allotted != 20 {
			t.Fatalf("created: %+v", p)
		}
		task := p.Sections[0].Tasks[0].ID
		// bad input: each answers 422 with the field, and writes nothing
		for _, c := range []struct {
			edit  func(b map[string]any)
			field string
		}{
			{func(b map[string]any) { taskOf(b)["due"] = "2021-06-01" }, "sections[0].tasks[0].due"},
			{func(b map[string]any) { taskOf(b)["lead"] = "NOPE" }, "sections[0].tasks[0].lead"},
			{func(b map[string]any) {
				g := taskOf(b)["targets"].([]any)[0].(map[string]any)
				g["metric"], g["goal"] = "rural_city_coverage", 150
			}, "sections[0].tasks[0].targets[0].goal"},
		} {
			b := planBody()
			c.edit(b)
			rec := e.do("POST", "/api/v1/plans", "admin", b)
			if rec.Code != http.StatusUnprocessableEntity || !slices.Contains(problemFields(t, rec), c.field) {
				t.Errorf("want 422 on %s: %d %s", c.field, rec.Code, rec.Body.String())
			}
		}
		// a city without the inspect permission cannot make a plan
		if rec := e.do("POST", "/api/v1/plans", "nanjing", planBody()); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("nanjing creates a plan: %d", rec.Code)
		}
		var ps struct{ Items []plan.Plan }
		decodeBody(t, e.do("GET", "/api/v1/plans", "admin", nil), &ps)
		if len(ps.Items) != 1 {
			t.Fatalf("plans written: %d", len(ps.Items))
		}
		// the lifecycle through the API
		step := func(user string, body map[string]any, want int) plan.Task {
			t.Helper()
			rec := e.do("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task), user, body)
			if rec.Code != want {
				t.Fatalf("%s %v: %d %s", user, body, rec.Code, rec.Body.String())
			}
			var tk plan.Task
			if want == http.StatusOK {
				decodeBody(t, rec, &tk)
			}
			return tk
		}
		step("nanjing", map[string]any{"action": "close"}, http.StatusForbidden)
		step("admin", map[string]any{"action": "close"}, http.StatusConflict)
		step("nanjing", map[string]any{"action": "acknowledge"}, http.StatusOK)
		step("nanjing", map[string]any{"action": "report", "percent": 30}, http.StatusUnprocessableEntity)
		step("nanjing", map[string]any{"action": "report", "percent": 30, "note": "已新建 3 家"}, http.StatusOK)
		step("nanjing", map[string]any{"action": "complete", "note": "完成"}, http.StatusOK)
		step("inspector", map[string]any{"action": "close"}, http.StatusOK)
		tk := step("nanjing", map[string]any{"action": "report", "percent": 100, "note": "再报"}, http.StatusConflict)
		_ = tk
		var got plan.Task
		decodeBody(t, e.do("GET", fmt.Sprintf("/api/v1/plan-tasks/%d", task), "nanjing", nil), &got)
		if got.State != plan.Closed || len(got.Events) != 5 {
			t.Fatalf("task after close: %+v", got)
		}
		if rec := e.do("GET", fmt.Sprintf("/api/v1/plan-tasks/%d", task+1000), "admin", nil); rec.Code != http.StatusNotFound {
			t.Fatalf("unknown task: %d", rec.Code)
		}
	})
}

func taskOf(b map[string]any) map[string]any {
	return b["sections"].([]any)[0].(map[string]any)["tasks"].([]any)[0].(map[string]any)
}

func TestPlanPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if err := demo.LoadPlan(context.Background(), e.app.Plans); err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadPlan(context.Background(), e.app.Plans); err != nil { // a second load adds nothing
			t.Fatal(err)
		}
		admin := e.login("admin", demo.Password)
		rec := admin.get("/plans")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), demo.PlanTitle) || strings.Count(rec.Body.String(), `<li><a href="/plans/`) != 1 {
			t.Fatalf("/plans: %d %.500s", rec.Code, rec.Body.String())
		}
		ps, _ := e.app.Plans.List(context.Background(), plan.Caller{Read: unit.Everything()})
		p, err := e.app.Plans.Get(context.Background(), plan.Caller{Read: unit.Everything()}, ps[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		page := admin.get(fmt.Sprintf("/plans/%d", p.ID)).Body.String()
		for _, want := range []string{"新建企业科协 300 家", "院士专家基层行 200 场", "市级农技协覆盖面达 75%", "网络安全考核位列群团组织前 3 名",
			"南京市科学技术协会", `class="light light-`} {
			if !strings.Contains(page, want) {
				t.Errorf("plan page lacks %q", want)
			}
		}
		// a task not yet reported done: the lead (the province) reports progress through the form
		var open plan.Task
		for _, s := range p.Sections {
			for _, tk := range s.Tasks {
				if tk.State == plan.InProgress && open.ID == 0 {
					open = tk
				}
			}
		}
		path := fmt.Sprintf("/plan-tasks/%d", open.ID)
		if body := admin.get(path).Body.String(); !strings.Contains(body, `id="step-report"`) {
			t.Fatalf("task page offers no report: %.800s", body)
		}
		runForms(t, map[string]*session{"admin": admin}, []formCase{
			{"percent out of range", "admin", path + "/steps", url.Values{"action": {"report"}, "percent": {"140"}, "note": {"x"}}, 422, []string{"0 到 100"}},
			{"report", "admin", path + "/steps", url.Values{"action": {"report"}, "percent": {"80"}, "note": {"基本完成"}}, 303, []string{"done=plan_step"}},
			{"close before completion", "admin", path + "/steps", url.Values{"action": {"close"}}, 409, nil},
		})
		if body := admin.get(path).Body.String(); !strings.Contains(body, "基本完成") {
			t.Fatalf("history lacks the report")
		}
		// the matrix, the to-do list, reminders into the inbox
		if body := admin.get(fmt.Sprintf("/plans/%d/matrix", p.ID)).Body.String(); !strings.Contains(body, `data-unit="320500"`) ||
			!strings.Contains(body, "dot light-") {
			t.Fatalf("matrix: %.600s", body)
		}
		if rec := admin.get("/plans/todo"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `class="plan-task"`) {
			t.Fatalf("to-do: %d", rec.Code)
		}
		runForms(t, map[string]*session{"admin": admin}, []formCase{
			{"remind", "admin", fmt.Sprintf("/plans/%d/remind", p.ID), url.Values{}, 303, []string{"done=plan_reminded"}},
		})
		if body := admin.get("/inbox").Body.String(); !strings.Contains(body, "催办") {
			t.Fatalf("inbox lacks the reminder")
		}
		// a city sees its own allotment, not another's
		nj := e.login("nanjing", demo.Password)
		body := nj.get(fmt.Sprintf("/plans/%d", p.ID)).Body.String()
		if !strings.Contains(body, `data-unit="320100"`) || strings.Contains(body, `data-unit="320300"`) {
			t.Fatalf("nanjing's plan page shows the wrong allotments")
		}
	})
}

// planSpecCalls checks the plan endpoints' answers against the document.
func planSpecCalls(t *testing.T, c *specCheck) {
	t.Helper()
	var p plan.Plan
	decodeBody(t, c.call("POST", "/api/v1/plans", "admin", planBody(), 201), &p)
	c.call("POST", "/api/v1/plans", "admin", map[string]any{"title": ""}, 422)
	c.call("GET", "/api/v1/plans", "nanjing", nil, 200)
	c.call("GET", fmt.Sprintf("/api/v1/plans/%d", p.ID), "xuanwu", nil, 200)
	c.call("GET", "/api/v1/plans/999999", "admin", nil, 404)
	task := p.Sections[0].Tasks[0].ID
	c.call("GET", fmt.Sprintf("/api/v1/plan-tasks/%d", task), "nanjing", nil, 200)
	c.call("GET", "/api/v1/plan-tasks/999999", "nanjing", nil, 404)
	c.call("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task), "nanjing", map[string]any{"action": "acknowledge"}, 200)
	c.call("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task), "nanjing", map[string]any{"action": "close"}, 403)
	c.call("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task), "admin", map[string]any{"action": "close"}, 409)
	c.call("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task), "nanjing", map[string]any{"action": "report", "percent": 500, "note": "x"}, 422)
	c.call("GET", "/api/v1/plan-todo", "nanjing", nil, 200)
	// the county's qualitative task: its report counts once the province accepts it
	qual := p.Sections[0].Tasks[1].ID
	steps := fmt.Sprintf("/api/v1/plan-tasks/%d/steps", qual)
	c.call("POST", steps, "xuzhou", map[string]any{"action": "acknowledge"}, 200)
	var tk plan.Task
	decodeBody(t, c.call("POST", steps, "xuzhou", map[string]any{"action": "report", "percent": 40, "note": "初稿"}, 200), &tk)
	if *tk.Targets[0].Current != 0 || tk.Events[len(tk.Events)-1].Review != plan.Pending {
		t.Fatalf("a pending report: %+v", tk)
	}
	review := fmt.Sprintf("/api/v1/plan-tasks/%d/reports/%d", qual, tk.Events[len(tk.Events)-1].ID)
	c.call("POST", review, "xuzhou", map[string]any{"decision": "accept"}, 403)
	c.call("POST", review, "nanjing", map[string]any{"decision": "accept"}, 404)
	c.call("POST", review, "admin", map[string]any{"decision": "return"}, 422)
	c.call("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/reports/999999", qual), "admin", map[string]any{"decision": "accept"}, 404)
	decodeBody(t, c.call("POST", review, "admin", map[string]any{"decision": "accept"}, 200), &tk)
	if tk.Accepted != 40 || *tk.Targets[0].Current != 40 {
		t.Fatalf("an accepted report: %+v", tk)
	}
	c.call("POST", review, "admin", map[string]any{"decision": "return", "note": "再议"}, 409)
	planEvidenceSpecCalls(t, c, p)
	xlsx := c.call("GET", fmt.Sprintf("/api/v1/plans/%d/export", p.ID), "admin", nil, 200).Body.Bytes()
	c.call("GET", "/api/v1/plans/999999/export", "admin", nil, 404)
	c.upload("/api/v1/imports/plans?title=%E5%AF%BC%E5%85%A5&period=2021S2&unit=320000", "admin", "plan.xlsx", xlsx, 201)
	c.upload("/api/v1/imports/plans?title=%E5%AF%BC%E5%85%A5&period=2021S2&unit=320000", "admin", "plan.csv", []byte("x,y\n"), 422)
	c.call("POST", fmt.Sprintf("/api/v1/plans/%d/reminders", p.ID), "admin", map[string]any{"lights": []string{"red"}}, 200)
	c.call("POST", fmt.Sprintf("/api/v1/plans/%d/reminders", p.ID), "nanjing", map[string]any{}, 403)
	c.call("POST", fmt.Sprintf("/api/v1/plans/%d/reminders", p.ID), "admin", map[string]any{"lights": []string{"blue"}}, 422)
}
