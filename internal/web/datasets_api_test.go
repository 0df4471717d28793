package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kexie/internal/auth"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// testDatasetBody is the half-year report of the cities and counties the
// web tests define through the API.
func testDatasetBody() map[string]any {
	return map[string]any{
		"name_zh": "科普工作半年报（测试）", "name_en": "Outreach half-year report (test)", "period_type": "half",
		"unit_types": []string{"city", "county"}, "groups": []string{}, "lock_after_days": 0,
		"metrics": []map[string]any{
			{"code": "t_events", "name_zh": "科普活动", "unit": "场次", "aggregation": "flow", "value_type": "integer", "required": true},
			{"code": "t_people", "name_zh": "参与人次", "unit": "人次", "aggregation": "flow", "value_type": "integer",
				"categories": []map[string]any{{"code": "online", "name_zh": "线上", "name_en": "Online"}, {"code": "offline", "name_zh": "线下", "name_en": "On site"}}},
			{"code": "t_funds", "name_zh": "科普经费", "unit": "元", "aggregation": "flow", "value_type": "money"},
			{"code": "t_volunteers", "name_zh": "注册科技志愿者", "unit": "人", "aggregation": "stock", "value_type": "integer"},
		},
		"rules": []map[string]any{
			{"code": "people_ge_events", "left": "t_people", "op": ">=", "right": "t_events", "severity": "error",
				"message_zh": "参与人次不应少于活动场次", "message_en": "Participants should not be fewer than events"},
			{"code": "funds_nonneg", "left": "t_funds", "op": ">=", "right": "0", "severity": "error", "message_zh": "经费不能为负", "message_en": "Funds cannot be negative"},
		},
	}
}

const dsPath = "/api/v1/datasets/t_report"

// datasetEnv is the demo province with the test report and approvers at
// Nanjing, Xuzhou and the province, and a clerk at Qinhuai (320104).
func datasetEnv(t testing.TB, db *store.DB) *testEnv {
	t.Helper()
	e := newEnv(t, db)
	if rec := e.do("PUT", dsPath, "admin", testDatasetBody()); rec.Code != http.StatusOK {
		t.Fatalf("define the test report: %d %s", rec.Code, rec.Body.String())
	}
	for _, u := range []struct {
		name string
		role auth.Role
		unit string
	}{{"nj_approver", auth.RoleApprover, "320100"}, {"xz_approver", auth.RoleApprover, "320300"},
		{"js_approver", auth.RoleApprover, "320000"}, {"qinhuai", auth.RoleDataEntry, "320104"}} {
		addDatasetUser(t, e, u.name, u.role, u.unit)
	}
	return e
}

// dsPassword is the password of the users the data set tests add.
const dsPassword = "dataset-test-pw"

// addDatasetUser adds a user with one role and an API token.
func addDatasetUser(t testing.TB, e *testEnv, name string, role auth.Role, unitCode string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.app.Auth.CreateUser(ctx, nil, auth.NewUser{Name: name, DisplayName: name, Password: dsPassword, Role: role, Unit: unitCode}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := e.app.Auth.CreateToken(ctx, nil, name, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.tokens[name] = secret
}

// apiForm is the part of a form the tests read.
type apiForm struct {
	State    string   `json:"state"`
	Level    string   `json:"level"`
	Editable bool     `json:"editable"`
	Actions  []string `json:"actions"`
	Values   []struct {
		Metric   string `json:"metric"`
		Category string `json:"category"`
		Value    any    `json:"value"`
	} `json:"values"`
	Warnings []struct{ Rule string } `json:"warnings"`
}

func (f apiForm) value(metric, cat string) string {
	for _, v := range f.Values {
		if v.Metric == metric && v.Category == cat && v.Value != nil {
			return fmt.Sprint(v.Value)
		}
	}
	return ""
}

func valuesPath(unitCode, periodID string) string {
	return dsPath + "/values?unit=" + unitCode + "&period=" + periodID
}

func step(unitCode, periodID, reason string) map[string]any {
	return map[string]any{"unit": unitCode, "period": periodID, "reason": reason}
}

// figureOf reads a metric's figure as every page and API does.
func figureOf(t testing.TB, e *testEnv, code, unitCode, periodID string) any {
	t.Helper()
	f, err := e.app.Metrics.Value(context.Background(), unit.Everything(), code, unitCode, periodID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Value == nil {
		return nil
	}
	return *f.Value
}

// TestDatasetAPI: a county enters and submits, Nanjing approves, the
// province accepts; figures follow every save at once; bad input and
// steps without the role are refused with nothing written.
func TestDatasetAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := datasetEnv(t, db)
		good := map[string]any{"values": []map[string]any{
			{"metric": "t_events", "value": 3}, {"metric": "t_people", "category": "online", "value": "120"},
			{"metric": "t_people", "category": "offline", "value": 30}, {"metric": "t_funds", "value": "1,200.50"}}}
		// only the root's administrator defines
		if rec := e.do("PUT", dsPath, "nanjing", testDatasetBody()); rec.Code != http.StatusForbidden {
			t.Errorf("a city defines: %d", rec.Code)
		}
		rec := e.do("PUT", valuesPath("320102", "2024S1"), "xuanwu", good)
		if rec.Code != http.StatusOK {
			t.Fatalf("save: %d %s", rec.Code, rec.Body.String())
		}
		var f apiForm
		decodeBody(t, rec, &f)
		if f.State != "draft" || !f.Editable || f.value("t_funds", "") != "1200.50" || f.value("t_people", "online") != "120" {
			t.Fatalf("saved form: %+v", f)
		}
		// the figures are current: the county, Nanjing and the province
		for _, u := range []string{"320102", "320100", "320000"} {
			if got := figureOf(t, e, "t_people", u, "2024S1"); got != 150.0 {
				t.Errorf("t_people %s = %v, want 150", u, got)
			}
			if got := figureOf(t, e, "t_funds", u, "2024"); got != 1200.5 {
				t.Errorf("t_funds %s 2024 = %v, want 1200.5", u, got)
			}
		}
		if got := figureOf(t, e, "t_events", "320100", "2024Q1"); got != nil {
			t.Errorf("a quarter of a half-year figure: %v", got)
		}
		// refused: nothing written
		bad := []struct {
			name, user, path string
			body             any
			status           int
			field            string
		}{
			{"text for an integer", "xuanwu", valuesPath("320102", "2024S1"), map[string]any{"values": []map[string]any{{"metric": "t_events", "value": "三场"}}}, 422, "t_events"},
			{"a boolean", "xuanwu", valuesPath("320102", "2024S1"), map[string]any{"values": []map[string]any{{"metric": "t_events", "value": true}}}, 422, "t_events"},
			{"negative funds", "xuanwu", valuesPath("320102", "2024S1"), map[string]any{"values": []map[string]any{{"metric": "t_funds", "value": -5}}}, 422, "rules.funds_nonneg"},
			{"more events than people", "xuanwu", valuesPath("320102", "2024S1"), map[string]any{"values": []map[string]any{{"metric": "t_events", "value": 500}}}, 422, "rules.people_ge_events"},
			{"a quarter", "xuanwu", valuesPath("320102", "2024Q1"), good, 422, "period"},
			{"no period", "xuanwu", dsPath + "/values?unit=320102", good, 422, "period"},
			{"a unit that does not report", "admin", valuesPath("SOC001", "2024S1"), good, 422, "unit"},
			{"another county of the city", "xuanwu", valuesPath("320104", "2024S1"), good, 404, ""},
			{"another city's county", "nanjing", valuesPath("320302", "2024S1"), good, 404, ""},
			{"a viewer", "leader", valuesPath("320102", "2024S1"), good, 403, "unit"},
			{"an unknown field", "xuanwu", valuesPath("320102", "2024S1"), map[string]any{"values": []map[string]any{{"metric": "t_events", "value": 1, "colour": "red"}}}, 422, "colour"},
			{"an unknown data set", "xuanwu", "/api/v1/datasets/nope/values?unit=320102&period=2024S1", good, 404, ""},
		}
		for _, c := range bad {
			rec := e.do("PUT", c.path, c.user, c.body)
			if rec.Code != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, rec.Code, c.status, rec.Body.String())
				continue
			}
			if c.field != "" && !slices.Contains(problemFields(t, rec), c.field) {
				t.Errorf("%s: fields %v, want %s", c.name, problemFields(t, rec), c.field)
			}
		}
		decodeBody(t, e.do("GET", valuesPath("320102", "2024S1"), "nanjing", nil), &f)
		if f.value("t_events", "") != "3" || f.value("t_funds", "") != "1200.50" {
			t.Errorf("after the refusals: %+v", f.Values)
		}
		if got := figureOf(t, e, "t_events", "320000", "2024S1"); got != 3.0 {
			t.Errorf("t_events after the refusals: %v", got)
		}
		// the messages name the field and say why, in the caller's language
		rec = e.do("PUT", valuesPath("320102", "2024S1")+"&lang=en", "xuanwu", map[string]any{"values": []map[string]any{{"metric": "t_funds", "value": -5}}})
		var p Problem
		decodeBody(t, rec, &p)
		if len(p.Errors) != 1 || p.Errors[0].Message == "" || p.Errors[0].Key != "dataset.rule.failed" {
			t.Errorf("problem: %+v", p)
		}
		rec = e.do("PUT", valuesPath("320102", "2024S1"), "xuanwu", map[string]any{"values": []map[string]any{{"metric": "t_people", "category": "online", "value": "很多"}}})
		decodeBody(t, rec, &p)
		if len(p.Errors) != 1 || p.Errors[0].Field != "t_people.online" || !strings.HasPrefix(p.Errors[0].Message, "参与人次（线上）：") {
			t.Errorf("a cell named by its metric and category: %+v", p.Errors)
		}
		// approval up the tree
		chain := []struct {
			name, user, action string
			status             int
			state              string
		}{
			{"the county submits", "xuanwu", "submit", 200, "submitted"},
			{"submitting twice", "xuanwu", "submit", 409, ""},
			{"the county approves itself", "xuanwu", "approve", 403, ""},
			{"another city approves", "xz_approver", "approve", 404, ""},
			{"a viewer approves", "leader", "approve", 403, ""},
			{"the province skips the city", "js_approver", "approve", 200, "approved"},
			{"the province accepts", "js_approver", "approve", 200, "accepted"},
			{"Nanjing withdraws the province's acceptance", "nj_approver", "withdraw", 403, ""},
			{"the clerk withdraws", "xuanwu", "withdraw", 403, ""},
			{"the province withdraws", "js_approver", "withdraw", 200, "approved"},
			{"Nanjing withdraws its level", "nj_approver", "withdraw", 200, "submitted"},
			{"Nanjing returns without a reason", "nj_approver", "return", 422, ""},
		}
		for _, c := range chain {
			rec := e.do("POST", dsPath+"/"+c.action, c.user, step("320102", "2024S1", ""))
			if rec.Code != c.status {
				t.Fatalf("%s: %d, want %d: %s", c.name, rec.Code, c.status, rec.Body.String())
			}
			if c.state != "" {
				decodeBody(t, rec, &f)
				if f.State != c.state {
					t.Fatalf("%s: state %s, want %s", c.name, f.State, c.state)
				}
			}
		}
		if rec := e.do("PUT", valuesPath("320102", "2024S1"), "xuanwu", good); rec.Code != http.StatusConflict {
			t.Errorf("save while submitted: %d", rec.Code)
		}
		rec = e.do("POST", dsPath+"/return", "nj_approver", step("320102", "2024S1", "经费与台账不符"))
		if rec.Code != 200 {
			t.Fatalf("return: %d %s", rec.Code, rec.Body.String())
		}
		// the county is told; another unit does not see it
		var box struct {
			Items []struct {
				ID   int64
				Kind string
				Body string
			}
			Unread int
		}
		decodeBody(t, e.do("GET", "/api/v1/inbox", "xuanwu", nil), &box)
		if len(box.Items) != 1 || box.Items[0].Kind != "returned" || box.Items[0].Body != "经费与台账不符" || box.Unread != 1 {
			t.Fatalf("the county's inbox: %+v", box)
		}
		if rec := e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/read", box.Items[0].ID), "qinhuai", nil); rec.Code != 404 {
			t.Errorf("another unit reads the message: %d", rec.Code)
		}
		if rec := e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/read", box.Items[0].ID), "xuanwu", nil); rec.Code != 200 {
			t.Errorf("read: %d", rec.Code)
		}
		// fixed, submitted, approved by Nanjing, accepted by the province
		if rec := e.do("PUT", valuesPath("320102", "2024S1"), "xuanwu", map[string]any{"values": []map[string]any{{"metric": "t_funds", "value": "1000"}}}); rec.Code != 200 {
			t.Fatalf("fix: %d %s", rec.Code, rec.Body.String())
		}
		for _, c := range []struct{ user, action, state string }{{"xuanwu", "submit", "submitted"}, {"nj_approver", "approve", "approved"}, {"js_approver", "approve", "accepted"}} {
			decodeBody(t, e.do("POST", dsPath+"/"+c.action, c.user, step("320102", "2024S1", "")), &f)
			if f.State != c.state {
				t.Fatalf("%s %s: %s", c.user, c.action, f.State)
			}
		}
		if got := figureOf(t, e, "t_funds", "320000", "2024S1"); got != 1000.0 {
			t.Errorf("t_funds after the fix: %v", got)
		}
		// withdrawals are audited
		var audit struct{ Items []map[string]any }
		decodeBody(t, e.do("GET", "/api/v1/audit?entity=dataset_form&action=form_withdraw", "admin", nil), &audit)
		if len(audit.Items) != 2 {
			t.Errorf("withdrawals in the audit log: %d", len(audit.Items))
		}
		// completeness below Nanjing, and reminders to the late counties
		var c struct {
			Total, Submitted, Late int
			Units                  []struct{ Unit, State string }
		}
		decodeBody(t, e.do("GET", dsPath+"/completeness?unit=320100&period=2024S1", "nj_approver", nil), &c)
		if c.Total != 12 || c.Submitted != 1 || c.Late != 11 {
			t.Errorf("Nanjing's completeness: %+v", c)
		}
		if rec := e.do("GET", dsPath+"/completeness?unit=320300&period=2024S1", "nj_approver", nil); rec.Code != 404 {
			t.Errorf("another city's completeness: %d", rec.Code)
		}
		if rec := e.do("POST", dsPath+"/remind", "xuanwu", map[string]any{"unit": "320102", "period": "2024S1"}); rec.Code != 403 {
			t.Errorf("a clerk reminds: %d", rec.Code)
		}
		var reminded struct{ Reminded []string }
		decodeBody(t, e.do("POST", dsPath+"/remind", "nj_approver", map[string]any{"unit": "320100", "period": "2024S1", "note": "请于周五前报送"}), &reminded)
		if len(reminded.Reminded) != 10 || slices.Contains(reminded.Reminded, "320102") || slices.Contains(reminded.Reminded, "320100") {
			t.Errorf("reminded: %v", reminded.Reminded)
		}
		decodeBody(t, e.do("GET", "/api/v1/inbox?unread=true", "qinhuai", nil), &box)
		if len(box.Items) != 1 || box.Items[0].Kind != "remind" || box.Items[0].Body != "请于周五前报送" {
			t.Errorf("Qinhuai's inbox: %+v", box)
		}
		if rec := e.do("GET", "/api/v1/inbox?unread=maybe", "qinhuai", nil); rec.Code != 422 {
			t.Errorf("a bad filter: %d", rec.Code)
		}
	})
}

// datasetSpecCalls validates real responses of every data set and inbox
// operation against openapi.json (called from TestOpenAPIResponses).
func datasetSpecCalls(t *testing.T, c *specCheck) {
	t.Helper()
	e := c.e
	addDatasetUser(t, e, "ds_nj_approver", auth.RoleApprover, "320100")
	body := testDatasetBody()
	c.call("PUT", "/api/v1/datasets/spec_report", "admin", body, 200)
	c.call("PUT", "/api/v1/datasets/spec_report", "nanjing", body, 403)
	c.call("PUT", "/api/v1/datasets/spec_other", "admin", body, 409) // its metrics belong to spec_report
	c.call("PUT", "/api/v1/datasets/spec_bad", "admin", map[string]any{"name_zh": "", "period_type": "week", "metrics": []any{}}, 422)
	c.call("PUT", "/api/v1/datasets/spec_bad", "admin", `{"name_zh":`, 400)
	c.call("GET", "/api/v1/datasets", "leader", nil, 200)
	c.call("GET", "/api/v1/datasets/spec_report", "xuanwu", nil, 200)
	c.call("GET", "/api/v1/datasets/nope", "xuanwu", nil, 404)
	vals := "/api/v1/datasets/spec_report/values?unit=320102&period=2024S1"
	c.call("GET", vals, "xuanwu", nil, 200)
	c.call("PUT", vals, "xuanwu", map[string]any{"values": []map[string]any{{"metric": "t_events", "value": 2},
		{"metric": "t_people", "category": "online", "value": "8"}, {"metric": "t_funds", "value": "99.5"}, {"metric": "t_volunteers", "value": nil}}}, 200)
	c.call("PUT", vals, "xuanwu", map[string]any{"values": []map[string]any{{"metric": "t_events", "value": "x"}}}, 422)
	c.call("PUT", vals, "xuanwu", `{"values":`, 400)
	c.call("PUT", vals, "leader", map[string]any{"values": []map[string]any{}}, 403)
	c.call("GET", "/api/v1/datasets/spec_report/values?unit=320302&period=2024S1", "xuanwu", nil, 404)
	c.call("GET", "/api/v1/datasets/spec_report/values?unit=SOC001&period=2024S1", "admin", nil, 422)
	c.call("POST", "/api/v1/datasets/spec_report/submit", "xuanwu", step("320102", "2024S1", ""), 200)
	c.call("PUT", vals, "xuanwu", map[string]any{"values": []map[string]any{{"metric": "t_events", "value": 1}}}, 409)
	c.call("POST", "/api/v1/datasets/spec_report/submit", "xuanwu", step("320102", "2024S1", ""), 409)
	c.call("POST", "/api/v1/datasets/spec_report/approve", "xuanwu", step("320102", "2024S1", ""), 403)
	c.call("POST", "/api/v1/datasets/spec_report/approve", "xuzhou", step("320102", "2024S1", ""), 404)
	c.call("POST", "/api/v1/datasets/spec_report/approve", "ds_nj_approver", step("320102", "2024S1", ""), 200)
	c.call("POST", "/api/v1/datasets/spec_report/withdraw", "xuanwu", step("320102", "2024S1", ""), 403)
	c.call("POST", "/api/v1/datasets/spec_report/withdraw", "ds_nj_approver", step("320102", "2024S1", ""), 200)
	c.call("POST", "/api/v1/datasets/spec_report/return", "ds_nj_approver", step("320102", "2024S1", ""), 422)
	c.call("POST", "/api/v1/datasets/spec_report/return", "ds_nj_approver", step("320102", "2024S1", "请补充线下人次"), 200)
	c.call("POST", "/api/v1/datasets/spec_report/return", "ds_nj_approver", `{"unit":`, 400)
	c.call("GET", "/api/v1/datasets/spec_report/completeness?unit=320100&period=2024S1", "nanjing", nil, 200)
	c.call("GET", "/api/v1/datasets/spec_report/completeness?unit=320100&period=2024Q1", "nanjing", nil, 422)
	c.call("GET", "/api/v1/datasets/spec_report/completeness?unit=320300&period=2024S1", "nanjing", nil, 404)
	c.call("POST", "/api/v1/datasets/spec_report/remind", "nanjing", map[string]any{"unit": "320100", "period": "2024S1", "note": "请尽快报送"}, 200)
	c.call("POST", "/api/v1/datasets/spec_report/remind", "xuanwu", map[string]any{"unit": "320102", "period": "2024S1"}, 403)
	c.call("PUT", "/api/v1/datasets/spec_report/exceptions", "nanjing", map[string]any{"unit": "320104", "period": "2024S1", "until": "2099-12-31"}, 200)
	c.call("PUT", "/api/v1/datasets/spec_report/exceptions", "xuanwu", map[string]any{"unit": "320102", "period": "2024S1", "until": "2099-12-31"}, 403)
	c.call("PUT", "/api/v1/datasets/spec_report/exceptions", "nanjing", map[string]any{"unit": "320104", "period": "2024S1", "until": "soon"}, 422)
	var box struct{ Items []struct{ ID int64 } }
	decodeBody(t, c.call("GET", "/api/v1/inbox?limit=5", "xuanwu", nil, 200), &box)
	c.call("GET", "/api/v1/inbox?unread=true&before=999999", "nanjing", nil, 200)
	c.call("GET", "/api/v1/inbox?limit=x", "xuanwu", nil, 422)
	if len(box.Items) == 0 {
		t.Fatal("no message in the county's inbox")
	}
	c.call("POST", fmt.Sprintf("/api/v1/inbox/%d/read", box.Items[0].ID), "xuanwu", nil, 200)
	c.call("POST", fmt.Sprintf("/api/v1/inbox/%d/read", box.Items[0].ID), "xuzhou", nil, 404)
	c.call("DELETE", "/api/v1/datasets/spec_report", "nanjing", nil, 403)
	c.call("DELETE", "/api/v1/datasets/spec_report", "admin", nil, 409)
	c.call("PUT", "/api/v1/datasets/spec_empty", "admin", map[string]any{"name_zh": "空报表", "period_type": "year", "unit_types": []string{"city"},
		"metrics": []map[string]any{{"code": "spec_n", "name_zh": "数", "aggregation": "flow", "value_type": "integer"}}}, 200)
	c.call("DELETE", "/api/v1/datasets/spec_empty", "admin", nil, 204)
	c.call("DELETE", "/api/v1/datasets/spec_empty", "admin", nil, 404)
}
