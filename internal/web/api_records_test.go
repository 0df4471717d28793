package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"kexie/internal/auth"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// defineEvents defines the test register as the root administrator.
func defineEvents(t testing.TB, e *testEnv) {
	t.Helper()
	if rec := e.do("PUT", "/api/v1/registers/test_events", "admin", map[string]any{"schema": eventsSchema()}); rec.Code != http.StatusOK {
		t.Fatalf("define test_events: %d %s", rec.Code, rec.Body.String())
	}
}

// recordState counts what a write could change: the records of a
// register, their versions and the audit log.
func (e *testEnv) recordState(register string) [3]int64 {
	e.t.Helper()
	ctx := context.Background()
	var s [3]int64
	if err := e.app.DB.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(version), 0) FROM rec_`+register).Scan(&s[0], &s[1]); err != nil {
		e.t.Fatal(err)
	}
	if err := e.app.DB.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&s[2]); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// createRecord creates a record as user and fails the test unless 201.
func createRecord(t *testing.T, e *testEnv, user, unitCode string, values map[string]any) apiRecord {
	t.Helper()
	rec := e.do("POST", "/api/v1/registers/test_events/records", user, map[string]any{"unit": unitCode, "values": values})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create at %s as %s: %d %s", unitCode, user, rec.Code, rec.Body.String())
	}
	var r apiRecord
	decodeBody(t, rec, &r)
	return r
}

// problemKeys maps each field named in a problem to its reason key.
func problemKeys(t testing.TB, rec *httptest.ResponseRecorder) map[string]string {
	t.Helper()
	var p Problem
	decodeBody(t, rec, &p)
	out := map[string]string{}
	for _, f := range p.Errors {
		out[f.Field] = f.Key
	}
	return out
}

// tinyPDF is a minimal PDF document.
const tinyPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func TestRegisterDefineAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		put := func(user string, schema map[string]any) *httptest.ResponseRecorder {
			return e.do("PUT", "/api/v1/registers/"+schema["code"].(string), user, map[string]any{"schema": schema})
		}
		// only an administrator at the root defines registers
		for _, user := range []string{"nanjing", "leader", "xuanwu", "inspector"} {
			if rec := put(user, eventsSchema()); rec.Code != http.StatusForbidden {
				t.Errorf("define as %s: %d, want 403", user, rec.Code)
			}
		}
		if rec := e.do("GET", "/api/v1/registers/test_events", "admin", nil); rec.Code != http.StatusNotFound {
			t.Fatalf("a refused definition was stored: %d", rec.Code)
		}
		rec := put("admin", eventsSchema())
		if rec.Code != http.StatusOK {
			t.Fatalf("define: %d %s", rec.Code, rec.Body.String())
		}
		var reg struct {
			Code    string
			Version int
			Schema  struct{ Fields []map[string]any }
		}
		decodeBody(t, rec, &reg)
		if reg.Code != "test_events" || reg.Version != 1 || len(reg.Schema.Fields) != 21 {
			t.Fatalf("defined: %+v", reg)
		}
		// the same definition again changes nothing
		decodeBody(t, put("admin", eventsSchema()), &reg)
		if reg.Version != 1 {
			t.Errorf("an identical definition made version %d", reg.Version)
		}
		var list struct {
			Items []struct {
				Code   string
				Fields int
			}
		}
		decodeBody(t, e.do("GET", "/api/v1/registers", "xuanwu", nil), &list)
		if !slices.ContainsFunc(list.Items, func(it struct {
			Code   string
			Fields int
		}) bool {
			return it.Code == "test_events" && it.Fields == 21
		}) {
			t.Errorf("list: %+v", list.Items)
		}

		// refused definitions name every field at fault, by its path in the request
		bad := func(edit func(s map[string]any)) map[string]any {
			s := eventsSchema()
			s["code"] = "test_bad"
			edit(s)
			return s
		}
		field := func(s map[string]any, i int) map[string]any { return s["fields"].([]map[string]any)[i] }
		cases := []struct {
			name   string
			schema map[string]any
			want   map[string]string
		}{
			{"many faults", bad(func(s map[string]any) {
				s["name_zh"] = ""
				s["date_field"] = "mode"
				s["natural_key"] = []string{"nothing"}
				field(s, 1)["type"] = "colour"
				field(s, 2)["options"] = []map[string]string{}
				field(s, 3)["code"] = "status"
				field(s, 4)["min"] = "many"
				field(s, 7)["scale"] = 9
			}), map[string]string{
				"schema.name_zh":           "error.required",
				"schema.date_field":        "register.date_field.invalid",
				"schema.natural_key":       "register.natural_key.unknown",
				"schema.fields[1].type":    "register.field.type_unknown",
				"schema.fields[2].options": "error.required",
				"schema.fields[3].code":    "register.field.code_invalid",
				"schema.fields[4].min":     "register.field.bound_invalid",
				"schema.fields[7].scale":   "register.field.scale",
			}},
			{"unknown type", bad(func(s map[string]any) { field(s, 5)["type"] = "currency" }),
				map[string]string{"schema.fields[5].type": "register.field.type_unknown"}},
			{"unknown register", bad(func(s map[string]any) { field(s, 17)["register"] = "no_such_register" }),
				map[string]string{"schema.fields[17].register": "register.field.register_unknown"}},
			{"bad expression", bad(func(s map[string]any) {
				field(s, 20)["compute"] = "budget / "
				s["rules"] = []map[string]any{{"expr": "participants + ", "field": "participants", "message_zh": "人次"},
					{"expr": "nosuchfield > 1", "message_zh": "无"}, {"expr": "participants >= 0", "field": "nosuchfield"}}
			}), map[string]string{"schema.fields[20].compute": "register.expr.invalid", "schema.rules[0].expr": "register.expr.invalid",
				"schema.rules[1].expr": "register.expr.unknown_name", "schema.rules[2].field": "register.natural_key.unknown",
				"schema.rules[2].message_zh": "error.required"}},
			{"expression beside other faults", bad(func(s map[string]any) {
				field(s, 0)["name_zh"] = ""
				field(s, 20)["compute"] = "budget +* 2"
			}), map[string]string{"schema.fields[0].name_zh": "error.required", "schema.fields[20].compute": "register.expr.invalid"}},
			{"code not the address", func() map[string]any { s := eventsSchema(); s["code"] = "other"; return s }(),
				map[string]string{"schema.code": "register.code.path"}},
		}
		for _, c := range cases {
			path := "/api/v1/registers/test_bad"
			if c.name == "code not the address" {
				path = "/api/v1/registers/test_events"
			}
			rec := e.do("PUT", path, "admin", map[string]any{"schema": c.schema})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422: %s", c.name, rec.Code, rec.Body.String())
				continue
			}
			if got := problemKeys(t, rec); !mapsEqual(got, c.want) {
				t.Errorf("%s: errors %v, want %v", c.name, got, c.want)
			}
		}
		if rec := e.do("GET", "/api/v1/registers/test_bad", "admin", nil); rec.Code != http.StatusNotFound {
			t.Errorf("a refused register exists: %d", rec.Code)
		}

		// a reference cycle between registers cannot be recreated from
		// scratch (each would need the other first), so it is refused
		a := map[string]any{"code": "test_a", "name_zh": "甲", "date_field": "on", "natural_key": []string{"on"},
			"fields": []map[string]any{{"code": "on", "type": "date", "name_zh": "日期"}, {"code": "self", "type": "record", "name_zh": "上级", "register": "test_a"}}}
		if rec := put("admin", a); rec.Code != http.StatusOK {
			t.Fatalf("a register referring to itself: %d %s", rec.Code, rec.Body.String())
		}
		b := map[string]any{"code": "test_b", "name_zh": "乙", "date_field": "on", "natural_key": []string{"on"},
			"fields": []map[string]any{{"code": "on", "type": "date", "name_zh": "日期"}, {"code": "a", "type": "record", "name_zh": "甲", "register": "test_a"}}}
		if rec := put("admin", b); rec.Code != http.StatusOK {
			t.Fatalf("test_b: %d %s", rec.Code, rec.Body.String())
		}
		a["fields"] = append(a["fields"].([]map[string]any), map[string]any{"code": "b", "type": "record", "name_zh": "乙", "register": "test_b"})
		rec = put("admin", a)
		if rec.Code != http.StatusUnprocessableEntity || problemKeys(t, rec)["schema.fields[2].register"] != "register.field.register_cycle" {
			t.Errorf("a cycle test_a → test_b → test_a: %d %s", rec.Code, rec.Body.String())
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// systemAccess is the access of the command line: everything.
func systemAccess() register.Access { return register.System() }

// personInput is a record of the built-in people register at a unit.
func personInput(unitCode string) register.Input {
	return register.Input{Unit: unitCode, Values: map[string]any{"name": "张三", "id_number": validIDCard, "registered_on": "2020-01-01"}}
}

func TestRecordsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		defineEvents(t, e)
		addUser(t, e, "approver", auth.RoleApprover, "320100")
		addUser(t, e, "xz.approver", auth.RoleApprover, "320300")

		// create: values come back in their exact form, sensitive ones masked
		rec := e.do("POST", recordsPath, "xuanwu", map[string]any{"unit": "320102", "values": goodEvent()})
		if rec.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		var r1 apiRecord
		decodeBody(t, rec, &r1)
		if loc := rec.Header().Get("Location"); loc != recordPath(r1.ID) {
			t.Errorf("Location %q", loc)
		}
		want := map[string]any{"title": "科技工作者日座谈会", "held_on": "2021-05-30", "mode": "offline", "topics": []any{"health", "ai"},
			"participants": float64(120), "budget": "1500.50", "coverage": "69.80", "score": "8.5", "live": false,
			"started_at": "2021-05-30T01:30:00Z", "host": "320102", "contact": "138****8000", "leader_id": "110***********002X",
			"org_code": validUSCC, "email": "kx@example.cn", "site": "https://www.jsast.org.cn/", "notes": "第一行\n第二行",
			"parent": nil, "speaker": nil, "photos": nil, "per_head": "12.50"}
		for k, v := range want {
			if got := r1.Values[k]; fmt.Sprint(got) != fmt.Sprint(v) {
				t.Errorf("created %s = %#v, want %#v", k, got, v)
			}
		}
		if len(r1.Values) != len(want) || r1.Unit != "320102" || r1.Date != "2021-05-30" || r1.Status != "draft" || r1.Version != 1 || r1.Register != "test_events" {
			t.Errorf("created: %+v", r1)
		}
		if strings.Contains(rec.Body.String(), "13800138000") || strings.Contains(rec.Body.String(), validIDCard) {
			t.Errorf("the answer holds a sensitive value in clear: %s", rec.Body.String())
		}

		// every bad input: 422 naming each field at fault, nothing written
		bad := []struct {
			name   string
			user   string
			unit   any
			values any
			want   map[string]string
		}{
			{"required", "xuanwu", "320102", with(goodEvent(), "title", nil, "held_on", nil), map[string]string{"title": "error.required", "held_on": "error.required"}},
			{"blank required", "xuanwu", "320102", with(goodEvent(), "title", "　 "), map[string]string{"title": "error.required"}},
			{"null values", "xuanwu", "320102", nil, map[string]string{"title": "error.required", "held_on": "error.required"}},
			{"wrong types", "xuanwu", "320102", with(goodEvent(), "participants", "很多", "live", "也许", "mode", json.Number("1"),
				"title", []string{"a"}, "budget", map[string]any{"yuan": 1}, "held_on", true),
				map[string]string{"participants": "register.value.integer", "live": "register.value.boolean", "mode": "register.value.type",
					"title": "register.value.type", "budget": "register.value.type", "held_on": "register.value.type"}},
			{"bad option", "xuanwu", "320102", with(goodEvent(), "mode", "广播", "topics", []string{"健康", "音乐"}),
				map[string]string{"mode": "register.value.option", "topics": "register.value.option"}},
			{"bad date", "xuanwu", "320102", with(goodEvent(), "held_on", "2021-02-30", "started_at", "2021-13-01 10:00"),
				map[string]string{"held_on": "register.value.date", "started_at": "register.value.datetime"}},
			{"below min", "xuanwu", "320102", with(goodEvent(), "participants", json.Number("-1"), "held_on", "2014-12-31", "score", "-0.1"),
				map[string]string{"participants": "register.value.min", "held_on": "register.value.min", "score": "register.value.min"}},
			{"above max", "xuanwu", "320102", with(goodEvent(), "participants", json.Number("1000001"), "coverage", "100.01%", "score", json.Number("10.5")),
				map[string]string{"participants": "register.value.max", "coverage": "register.value.max", "score": "register.value.max"}},
			{"too precise", "xuanwu", "320102", with(goodEvent(), "budget", "1.005", "score", json.Number("8.55"), "participants", json.Number("1.5")),
				map[string]string{"budget": "register.value.number", "score": "register.value.number", "participants": "register.value.integer"}},
			{"too long", "xuanwu", "320102", with(goodEvent(), "title", strings.Repeat("长", 51)), map[string]string{"title": "error.too_long"}},
			{"line break in text", "xuanwu", "320102", with(goodEvent(), "title", "第一行\n第二行"), map[string]string{"title": "error.bad_text"}},
			{"unknown field", "xuanwu", "320102", with(goodEvent(), "colour", "red"), map[string]string{"colour": "error.json.unknown_field"}},
			{"computed field given", "xuanwu", "320102", with(goodEvent(), "per_head", "1"), map[string]string{"per_head": "register.value.computed"}},
			{"bad ID number", "xuanwu", "320102", with(goodEvent(), "leader_id", "110105194912310021"), map[string]string{"leader_id": "register.value.idcard"}},
			{"bad credit code", "xuanwu", "320102", with(goodEvent(), "org_code", "91320100MA1N2Y3B49"), map[string]string{"org_code": "register.value.uscc"}},
			{"bad mobile", "xuanwu", "320102", with(goodEvent(), "contact", "1380013800"), map[string]string{"contact": "register.value.mobile"}},
			{"bad email", "xuanwu", "320102", with(goodEvent(), "email", "kx@"), map[string]string{"email": "register.value.email"}},
			{"bad URL", "xuanwu", "320102", with(goodEvent(), "site", "javascript:alert(1)"), map[string]string{"site": "register.value.url"}},
			{"rule", "xuanwu", "320102", with(goodEvent(), "live", "是"), map[string]string{"live": "register.rule.failed"}},
			{"references", "xuanwu", "320102", with(goodEvent(), "parent", json.Number("999999"), "speaker", "999999", "photos", []string{"999999"}, "host", "320300"),
				map[string]string{"parent": "register.value.reference", "speaker": "register.value.reference", "photos": "register.value.reference", "host": "register.value.unit"}},
			{"all at once", "xuanwu", "320102", map[string]any{"title": "", "held_on": "明天", "mode": "广播", "participants": "-5", "email": "x", "colour": 1},
				map[string]string{"title": "error.required", "held_on": "register.value.date", "mode": "register.value.option",
					"participants": "register.value.min", "email": "register.value.email", "colour": "error.json.unknown_field"}},
			{"no unit", "xuanwu", "", goodEvent(), map[string]string{"unit": "error.required"}},
			{"unknown unit", "xuanwu", "999999", goodEvent(), map[string]string{"unit": "unit.parent.unknown"}},
			{"unit out of scope", "xuanwu", "320104", goodEvent(), map[string]string{"unit": "unit.parent.unknown"}},
			{"unit of another city", "nanjing", "320302", goodEvent(), map[string]string{"unit": "unit.parent.unknown"}},
		}
		for _, c := range bad {
			before := e.recordState("test_events")
			rec := e.do("POST", recordsPath, c.user, map[string]any{"unit": c.unit, "values": c.values})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422: %s", c.name, rec.Code, rec.Body.String())
			} else if got := problemKeys(t, rec); !mapsEqual(got, c.want) {
				t.Errorf("%s: errors %v, want %v", c.name, got, c.want)
			}
			if after := e.recordState("test_events"); after != before {
				t.Errorf("%s: refused but wrote: %v → %v", c.name, before, after)
			}
		}
		// messages name a field by its name in the register, in the
		// request's language, not by a generic label for the same code
		for _, c := range []struct{ query, field, prefix string }{
			{"", "parent", "上级活动："}, {"", "title", "活动名称："}, {"?lang=en", "title", "Title "}, {"?lang=en", "parent", "上级活动 "},
		} {
			rec := e.do("POST", recordsPath+c.query, "xuanwu", map[string]any{"unit": "320102", "values": with(goodEvent(), "title", "", "parent", "999999")})
			var p Problem
			decodeBody(t, rec, &p)
			found := false
			for _, f := range p.Errors {
				if f.Field == c.field {
					found = true
					if !strings.HasPrefix(f.Message, c.prefix) {
						t.Errorf("%s%s: message %q, want it to start %q", c.field, c.query, f.Message, c.prefix)
					}
				}
			}
			if !found {
				t.Errorf("%s%s: not named in %s", c.field, c.query, rec.Body.String())
			}
		}
		if rec := e.do("GET", recordsPath+"?f.participants.gte=x", "xuanwu", nil); !strings.Contains(rec.Body.String(), "参与人次：") {
			t.Errorf("a refused filter does not name its field: %s", rec.Body.String())
		}

		// bodies that are not a record at all
		for _, body := range []string{`{"unit":"320102","values":[1]}`, `{"unit":320102,"values":{}}`, `{"unit":"320102","values":{},"status":"approved"}`} {
			if rec := e.do("POST", recordsPath, "xuanwu", body); rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("POST %s: %d, want 422", body, rec.Code)
			}
		}
		if rec := e.do("POST", recordsPath, "xuanwu", `{"unit":`); rec.Code != http.StatusBadRequest {
			t.Errorf("malformed JSON: %d, want 400", rec.Code)
		}
		if rec := e.do("POST", "/api/v1/registers/no_such/records", "xuanwu", map[string]any{"unit": "320102", "values": goodEvent()}); rec.Code != http.StatusNotFound {
			t.Errorf("unknown register: %d, want 404", rec.Code)
		}
		if rec := e.do("POST", recordsPath, "leader", map[string]any{"unit": "320102", "values": goodEvent()}); rec.Code != http.StatusForbidden {
			t.Errorf("create as a viewer: %d, want 403", rec.Code)
		}

		// the natural key is unique within a unit, not across units
		before := e.recordState("test_events")
		rec = e.do("POST", recordsPath, "xuanwu", map[string]any{"unit": "320102", "values": with(goodEvent(), "mode", "线上", "held_on", "2021-05-30")})
		if rec.Code != http.StatusConflict || problemKeys(t, rec)["title"] != "register.record.duplicate_key" {
			t.Errorf("duplicate natural key: %d %s", rec.Code, rec.Body.String())
		}
		if after := e.recordState("test_events"); after != before {
			t.Errorf("duplicate: refused but wrote: %v → %v", before, after)
		}
		r2 := createRecord(t, e, "nanjing", "320104", with(goodEvent(), "contact", nil, "leader_id", nil))

		// references: a record and a person the caller can read
		person, err := e.app.Registers.Create(context.Background(), systemAccess(), "people", personInput("320102"))
		if err != nil {
			t.Fatal(err)
		}
		child := createRecord(t, e, "xuanwu", "320102", with(goodEvent(), "title", "座谈会分会场", "parent", json.Number(fmt.Sprint(r1.ID)), "speaker", fmt.Sprint(person.ID)))
		if child.Values["parent"] != float64(r1.ID) || child.Values["speaker"] != float64(person.ID) {
			t.Errorf("references: %v %v", child.Values["parent"], child.Values["speaker"])
		}
		rec = e.do("POST", recordsPath, "xuzhou", map[string]any{"unit": "320302", "values": with(goodEvent(), "parent", json.Number(fmt.Sprint(r1.ID)))})
		if rec.Code != http.StatusUnprocessableEntity || problemKeys(t, rec)["parent"] != "register.value.reference" {
			t.Errorf("a reference to another city's record: %d %s", rec.Code, rec.Body.String())
		}

		// get, patch, delete within scope; another city's record does not exist
		for _, c := range []struct {
			method, user string
			id           int64
			body         any
			status       int
		}{
			{"GET", "xuanwu", r1.ID, nil, 200},
			{"GET", "nanjing", r1.ID, nil, 200},
			{"GET", "leader", r1.ID, nil, 200},
			{"GET", "inspector", r1.ID, nil, 200},
			{"GET", "xuzhou", r1.ID, nil, 404},
			{"GET", "xuanwu", r2.ID, nil, 404},
			{"GET", "xuanwu", 999999, nil, 404},
			{"PATCH", "leader", r1.ID, map[string]any{"values": map[string]any{"notes": "x"}}, 403},
			{"PATCH", "inspector", r1.ID, map[string]any{"values": map[string]any{"notes": "x"}}, 403},
			{"PATCH", "approver", r1.ID, map[string]any{"values": map[string]any{"notes": "x"}}, 403},
			{"PATCH", "xuzhou", r1.ID, map[string]any{"values": map[string]any{"notes": "x"}}, 404},
			{"PATCH", "xuanwu", r2.ID, map[string]any{"values": map[string]any{"notes": "x"}}, 404},
			{"PATCH", "xuanwu", r1.ID, map[string]any{"values": map[string]any{"title": nil}}, 422},
			{"PATCH", "xuanwu", r1.ID, map[string]any{"values": map[string]any{"participants": "-1", "colour": 1}}, 422},
			{"PATCH", "xuanwu", r1.ID, map[string]any{"values": map[string]any{"notes": "x"}, "version": 7}, 409},
			{"PATCH", "xuanwu", r1.ID, map[string]any{"values": map[string]any{"title": "座谈会分会场"}}, 409},
			{"DELETE", "leader", r1.ID, nil, 403},
			{"DELETE", "xuzhou", r1.ID, nil, 404},
			{"DELETE", "xuanwu", r2.ID, nil, 404},
			{"GET", "nanjing", 0, nil, 404},
		} {
			before := e.recordState("test_events")
			path := recordPath(c.id)
			if c.id == 0 {
				path = recordsPath + "/abc"
			}
			rec := e.do(c.method, path, c.user, c.body)
			if rec.Code != c.status {
				t.Errorf("%s %s as %s: %d, want %d: %s", c.method, path, c.user, rec.Code, c.status, rec.Body.String())
			}
			if c.status == http.StatusNotFound && strings.Contains(rec.Body.String(), "座谈") {
				t.Errorf("%s %s as %s: the 404 reveals the record", c.method, path, c.user)
			}
			if after := e.recordState("test_events"); c.status >= 300 && after != before {
				t.Errorf("%s %s as %s: refused but wrote: %v → %v", c.method, path, c.user, before, after)
			}
		}
		var patched apiRecord
		rec = e.do("PATCH", recordPath(r1.ID), "xuanwu", map[string]any{"version": 1,
			"values": map[string]any{"budget": "12,345,678,901,234.56", "participants": json.Number("1000"), "notes": nil}})
		if rec.Code != http.StatusOK {
			t.Fatalf("patch: %d %s", rec.Code, rec.Body.String())
		}
		decodeBody(t, rec, &patched)
		if patched.Version != 2 || patched.Values["budget"] != "12345678901234.56" || patched.Values["per_head"] != "12345678901.23" ||
			patched.Values["notes"] != nil || patched.Values["title"] != "科技工作者日座谈会" || patched.Values["contact"] != "138****8000" {
			t.Errorf("patched: %+v", patched)
		}

		// the workflow: submit locks, the approver approves, withdraws,
		// returns with a reason, and data entry edits again
		steps := []struct {
			user, method, path string
			body               any
			status             int
			after              string
		}{
			{"xuanwu", "POST", "/status", map[string]any{"action": "submit"}, 200, "submitted"},
			{"xuanwu", "PATCH", "", map[string]any{"values": map[string]any{"notes": "改一下"}}, 409, ""},
			{"xuanwu", "DELETE", "", nil, 409, ""},
			{"xuanwu", "POST", "/status", map[string]any{"action": "submit"}, 409, ""},
			{"xuanwu", "POST", "/status", map[string]any{"action": "approve"}, 403, ""},
			{"nanjing", "POST", "/status", map[string]any{"action": "approve"}, 403, ""},
			{"xz.approver", "POST", "/status", map[string]any{"action": "approve"}, 404, ""},
			{"approver", "POST", "/status", map[string]any{"action": "publish"}, 422, ""},
			{"approver", "POST", "/status", map[string]any{"action": "approve"}, 200, "approved"},
			{"approver", "POST", "/status", map[string]any{"action": "approve"}, 409, ""},
			{"xuanwu", "PATCH", "", map[string]any{"values": map[string]any{"notes": "改一下"}}, 409, ""},
			{"approver", "POST", "/status", map[string]any{"action": "return", "reason": "先撤回审核"}, 409, ""},
			{"approver", "POST", "/status", map[string]any{"action": "withdraw"}, 200, "submitted"},
			{"approver", "POST", "/status", map[string]any{"action": "return"}, 422, ""},
			{"approver", "POST", "/status", map[string]any{"action": "return", "reason": "  "}, 422, ""},
			{"approver", "POST", "/status", map[string]any{"action": "return", "reason": strings.Repeat("长", 501)}, 422, ""},
			{"approver", "POST", "/status", map[string]any{"action": "return", "reason": "经费数字有误，请核对"}, 200, "returned"},
			{"xuanwu", "PATCH", "", map[string]any{"values": map[string]any{"budget": "1500.50"}}, 200, "returned"},
			{"xuanwu", "POST", "/status", map[string]any{"action": "submit"}, 200, "submitted"},
			{"admin", "POST", "/status", map[string]any{"action": "approve"}, 200, "approved"},
		}
		for i, s := range steps {
			before := e.recordState("test_events")
			rec := e.do(s.method, recordPath(r1.ID)+s.path, s.user, s.body)
			if rec.Code != s.status {
				t.Errorf("step %d: %s %s as %s: %d, want %d: %s", i, s.method, s.path, s.user, rec.Code, s.status, rec.Body.String())
				continue
			}
			if s.status >= 300 {
				if after := e.recordState("test_events"); after != before {
					t.Errorf("step %d: refused but wrote: %v → %v", i, before, after)
				}
				continue
			}
			var got apiRecord
			decodeBody(t, rec, &got)
			if got.Status != s.after {
				t.Errorf("step %d: status %s, want %s", i, got.Status, s.after)
			}
			if s.after == "returned" && got.StatusReason != "经费数字有误，请核对" {
				t.Errorf("step %d: reason %q", i, got.StatusReason)
			}
		}

		// reveal: data entry and approvers at the unit see a sensitive value
		// in clear, audited; readers may not; plain fields need no reveal
		reveals := []struct {
			user, field string
			status      int
			value       any
		}{
			{"xuanwu", "contact", 200, "13800138000"},
			{"xuanwu", "leader_id", 200, validIDCard},
			{"approver", "contact", 200, "13800138000"},
			{"nanjing", "contact", 200, "13800138000"},
			{"leader", "contact", 403, nil},
			{"inspector", "contact", 403, nil},
			{"xuzhou", "contact", 404, nil},
			{"xuanwu", "title", 422, nil},
			{"xuanwu", "nothing", 422, nil},
		}
		for _, c := range reveals {
			before := e.recordState("test_events")
			rec := e.do("POST", recordPath(r1.ID)+"/reveal", c.user, map[string]any{"field": c.field})
			if rec.Code != c.status {
				t.Errorf("reveal %s as %s: %d, want %d: %s", c.field, c.user, rec.Code, c.status, rec.Body.String())
				continue
			}
			after := e.recordState("test_events")
			if c.status != http.StatusOK {
				if after != before {
					t.Errorf("reveal %s as %s: refused but wrote %v → %v", c.field, c.user, before, after)
				}
				if c.status == http.StatusUnprocessableEntity && problemFields(t, rec)[0] != "field" {
					t.Errorf("reveal %s: %s", c.field, rec.Body.String())
				}
				continue
			}
			var out struct {
				Field string
				Value any
			}
			decodeBody(t, rec, &out)
			if out.Field != c.field || out.Value != c.value {
				t.Errorf("reveal %s as %s: %+v", c.field, c.user, out)
			}
			if after[2] != before[2]+1 {
				t.Errorf("reveal %s as %s: %d audit entries", c.field, c.user, after[2]-before[2])
			}
		}
		var hist struct {
			Items []struct {
				Action, Actor, Entity string
				EntityID              string `json:"entity_id"`
				After                 map[string]any
			}
		}
		rec = e.do("GET", recordPath(r1.ID)+"/audit?limit=500", "nanjing", nil)
		decodeBody(t, rec, &hist)
		var actions []string
		for _, it := range hist.Items {
			actions = append(actions, it.Action)
			if it.Entity != "record:test_events" || it.EntityID != fmt.Sprint(r1.ID) {
				t.Errorf("history holds %s %s", it.Entity, it.EntityID)
			}
			if it.Action == "reveal" && (it.After["field"] == nil || it.Actor == "") {
				t.Errorf("reveal entry: %+v", it)
			}
		}
		slices.Reverse(actions)
		wantActions := []string{"create", "update", "submit", "approve", "withdraw", "return", "update", "submit", "approve", "reveal", "reveal", "reveal", "reveal"}
		if !slices.Equal(actions, wantActions) {
			t.Errorf("history %v, want %v", actions, wantActions)
		}
		if strings.Contains(rec.Body.String(), "13800138000") || strings.Contains(rec.Body.String(), validIDCard) {
			t.Error("the history holds a sensitive value in clear")
		}
		if rec := e.do("GET", recordPath(r1.ID)+"/audit", "xuzhou", nil); rec.Code != http.StatusNotFound {
			t.Errorf("another city's record history: %d", rec.Code)
		}
		if rec := e.do("GET", recordPath(r1.ID)+"/audit?limit=x", "nanjing", nil); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("bad limit: %d", rec.Code)
		}
		var n int
		if err := e.app.DB.Q(context.Background()).QueryRowContext(context.Background(),
			`SELECT COUNT(*) FROM audit_log WHERE before_json LIKE '%13800138000%' OR after_json LIKE '%13800138000%'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the audit log holds the mobile number in clear %d times (%v)", n, err)
		}

		// delete: a draft goes, with its audit entry
		rec = e.do("DELETE", recordPath(child.ID), "xuanwu", nil)
		if rec.Code != http.StatusNoContent {
			t.Errorf("delete: %d %s", rec.Code, rec.Body.String())
		}
		if rec := e.do("GET", recordPath(child.ID), "xuanwu", nil); rec.Code != http.StatusNotFound {
			t.Errorf("deleted record: %d", rec.Code)
		}
	})
}

func TestRecordListAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		defineEvents(t, e)
		ev := func(title, on, mode string, participants int, topics ...string) map[string]any {
			return map[string]any{"title": title, "held_on": on, "mode": mode, "participants": json.Number(fmt.Sprint(participants)),
				"topics": topics, "contact": "13900139000"}
		}
		ids := map[string]int64{}
		for _, c := range []struct {
			user, unit, key string
			values          map[string]any
		}{
			{"xuanwu", "320102", "seminar", with(ev("科技工作者日座谈会", "2021-05-30", "线下", 120, "health"), "notes", "学会秘书长参加")},
			{"nanjing", "320104", "lecture", ev("人工智能科普讲座", "2021-03-12", "online", 300, "ai")},
			{"nanjing", "320100", "camp", ev("青少年科学营", "2021-08-01", "Online", 80, "ai", "health")},
			{"xuzhou", "320302", "farming", ev("农技培训", "2021-04-01", "线下", 500, "farming")},
			{"xuanwu", "320102", "old", ev("往年科普活动", "2020-11-01", "线上", 50)},
		} {
			ids[c.key] = createRecord(t, e, c.user, c.unit, c.values).ID
		}
		list := func(user, query string) (int, []string, *httptest.ResponseRecorder) {
			t.Helper()
			rec := e.do("GET", recordsPath+"?"+query, user, nil)
			if rec.Code != http.StatusOK {
				return rec.Code, nil, rec
			}
			var page struct {
				Items []apiRecord
				Total int
			}
			decodeBody(t, rec, &page)
			var keys []string
			for _, it := range page.Items {
				for k, id := range ids {
					if id == it.ID {
						keys = append(keys, k)
					}
				}
				if it.Values["contact"] != "139****9000" {
					t.Errorf("list %s: contact %v", query, it.Values["contact"])
				}
			}
			return page.Total, keys, rec
		}
		cases := []struct {
			user, query string
			want        []string // in order; nil for a status
			status      int
		}{
			{"nanjing", "", []string{"camp", "seminar", "lecture", "old"}, 200},
			{"leader", "", []string{"camp", "seminar", "farming", "lecture", "old"}, 200},
			{"xuzhou", "", []string{"farming"}, 200},
			{"xuanwu", "", []string{"seminar", "old"}, 200},
			{"nanjing", "period=2021", []string{"camp", "seminar", "lecture"}, 200},
			{"nanjing", "period=2021S1", []string{"seminar", "lecture"}, 200},
			{"nanjing", "period=2021Q3", []string{"camp"}, 200},
			{"nanjing", "period=202105", []string{"seminar"}, 200},
			{"nanjing", "period=2021-03-01..2021-05-31", []string{"seminar", "lecture"}, 200},
			{"nanjing", "unit=320102", []string{"seminar", "old"}, 200},
			{"nanjing", "unit=320100", []string{"camp", "seminar", "lecture", "old"}, 200},
			{"leader", "unit=320300", []string{"farming"}, 200},
			{"nanjing", "f.mode=%E7%BA%BF%E4%B8%8A", []string{"camp", "lecture", "old"}, 200}, // 线上
			{"nanjing", "f.mode.ne=online", []string{"seminar"}, 200},
			{"nanjing", "f.participants.gte=100", []string{"seminar", "lecture"}, 200},
			{"nanjing", "f.participants.gt=120", []string{"lecture"}, 200},
			{"nanjing", "f.participants.lt=120&f.mode=online", []string{"camp", "old"}, 200},
			{"nanjing", "f.participants.lte=120&f.participants.gte=80", []string{"camp", "seminar"}, 200},
			{"nanjing", "f.held_on.lt=2021%E5%B9%B44%E6%9C%881%E6%97%A5", []string{"lecture", "old"}, 200},          // 2021年4月1日
			{"nanjing", "f.topics.contains=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD", []string{"camp", "lecture"}, 200}, // 人工智能
			{"nanjing", "f.title.contains=%E7%A7%91%E6%99%AE", []string{"lecture", "old"}, 200},                     // 科普
			{"nanjing", "f.notes.notempty=", []string{"seminar"}, 200},
			{"nanjing", "f.notes.empty=&period=2021", []string{"camp", "lecture"}, 200},
			{"nanjing", "f.contact.notempty=1", []string{"camp", "seminar", "lecture", "old"}, 200},
			{"nanjing", "q=%E5%BA%A7%E8%B0%88", []string{"seminar"}, 200},                            // 座谈
			{"nanjing", "q=%E7%A7%91%E6%99%AE", []string{"lecture", "old"}, 200},                     // 科普
			{"nanjing", "q=ONLINE", []string{"camp", "lecture", "old"}, 200},                         // an option's English label
			{"nanjing", "q=%E5%AD%A6%E4%BC%9A%E7%A7%98%E4%B9%A6%E9%95%BF", []string{"seminar"}, 200}, // 学会秘书长, in long text
			{"nanjing", "q=13900139000", []string{}, 200},                                            // sensitive values are not searched
			{"nanjing", "q=100%25", []string{}, 200},                                                 // % is a character, not a wildcard
			{"nanjing", "sort=participants", []string{"old", "camp", "seminar", "lecture"}, 200},
			{"nanjing", "sort=-participants", []string{"lecture", "seminar", "camp", "old"}, 200},
			{"nanjing", "sort=title&period=2021", []string{"lecture", "seminar", "camp"}, 200},
			{"nanjing", "sort=date", []string{"old", "lecture", "seminar", "camp"}, 200},
			{"nanjing", "sort=-id", []string{"old", "camp", "lecture", "seminar"}, 200},
			{"nanjing", "status=draft&per_page=2", []string{"camp", "seminar"}, 200},
			{"nanjing", "status=draft&per_page=2&page=2", []string{"lecture", "old"}, 200},
			{"nanjing", "status=approved", []string{}, 200},
			{"nanjing", "period=2021X9", nil, 422},
			{"nanjing", "f.nothing=1", nil, 422},
			{"nanjing", "f.participants.gte=%E5%BE%88%E5%A4%9A", nil, 422}, // 很多
			{"nanjing", "f.participants.between=1", nil, 422},
			{"nanjing", "f.participants.contains=1", nil, 422},
			{"nanjing", "f.live.contains=1", nil, 422},
			{"nanjing", "f.started_at.contains=2021", nil, 422},
			{"nanjing", "f.mode=%E5%B9%BF%E6%92%AD", nil, 422}, // 广播
			{"nanjing", "f.contact.eq=13900139000", nil, 422},
			{"nanjing", "f.contact.contains=139", nil, 422},
			{"nanjing", "sort=contact", nil, 422},
			{"nanjing", "sort=nothing", nil, 422},
			{"nanjing", "status=published", nil, 422},
			{"nanjing", "page=x", nil, 422},
			{"nanjing", "per_page=-1", nil, 422},
			{"nanjing", "q=" + strings.Repeat("%E9%95%BF", 101), nil, 422},
			{"nanjing", "unit=320300", nil, 404},
			{"xuanwu", "unit=320104", nil, 404},
		}
		for _, c := range cases {
			total, got, rec := list(c.user, c.query)
			if c.want == nil {
				if total != c.status {
					t.Errorf("%s as %s: %d, want %d: %s", c.query, c.user, total, c.status, rec.Body.String())
				}
				continue
			}
			if rec.Code != http.StatusOK {
				t.Errorf("%s as %s: %d: %s", c.query, c.user, rec.Code, rec.Body.String())
				continue
			}
			if got == nil {
				got = []string{}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s as %s: %v, want %v", c.query, c.user, got, c.want)
			}
			if strings.Contains(c.query, "per_page") {
				continue
			}
			if total != len(c.want) {
				t.Errorf("%s as %s: total %d, want %d", c.query, c.user, total, len(c.want))
			}
		}
		// a refused filter names the parameter at fault
		for query, field := range map[string]string{"period=2021X9": "period", "f.nothing=1": "f.nothing", "f.participants.contains=1": "f.participants",
			"sort=nothing": "sort", "status=x": "status", "page=x": "page", "f.contact.contains=1": "f.contact"} {
			rec := e.do("GET", recordsPath+"?"+query, "nanjing", nil)
			if got := problemFields(t, rec); !slices.Equal(got, []string{field}) {
				t.Errorf("%s: fields %v, want %s", query, got, field)
			}
		}
		if rec := e.do("GET", "/api/v1/registers/no_such/records", "nanjing", nil); rec.Code != http.StatusNotFound {
			t.Errorf("unknown register: %d", rec.Code)
		}
	})
}

// uploaded is a file as the upload answers it.
type uploaded struct {
	ID          int64  `json:"id"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

func TestRecordFilesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		defineEvents(t, e)
		pngBytes := tinyPNG(t)
		up := func(srv http.Handler, user, name string, data []byte, status int) uploaded {
			t.Helper()
			rec := e.upload(srv, "/api/v1/files", user, "file", name, data)
			if rec.Code != status {
				t.Fatalf("upload %s as %s: %d, want %d: %s", name, user, rec.Code, status, rec.Body.String())
			}
			var f uploaded
			if status == http.StatusCreated {
				decodeBody(t, rec, &f)
			} else if status == http.StatusUnprocessableEntity {
				if got := problemFields(t, rec); !slices.Equal(got, []string{"file"}) {
					t.Errorf("upload %s: fields %v", name, got)
				}
			}
			return f
		}
		countFiles := func() int {
			var n int
			if err := e.app.DB.Q(context.Background()).QueryRowContext(context.Background(), `SELECT COUNT(*) FROM files`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		photo := up(e.srv, "xuanwu", "活动照片.png", pngBytes, http.StatusCreated)
		if photo.Size != int64(len(pngBytes)) || photo.ContentType != "image/png" || photo.Name != "活动照片.png" || len(photo.SHA256) != 64 {
			t.Errorf("uploaded: %+v", photo)
		}
		report := up(e.srv, "xuanwu", "report.PDF", []byte(tinyPDF), http.StatusCreated)
		notes := up(e.srv, "xuanwu", "notes.txt", []byte("会议纪要"), http.StatusCreated)
		bigPDF := up(e.srv, "xuanwu", "big.pdf", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 150000)...), http.StatusCreated)
		files := countFiles()
		up(e.srv, "xuanwu", "fake.pdf", []byte("this is plain text, not a PDF"), http.StatusUnprocessableEntity)
		up(e.srv, "xuanwu", "page.txt", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), http.StatusUnprocessableEntity)
		up(e.srv, "xuanwu", "setup.exe", []byte("MZ\x90\x00"), http.StatusUnprocessableEntity)
		up(e.srv, "xuanwu", "empty.txt", nil, http.StatusUnprocessableEntity)
		up(e.srv, "xuanwu", "", pngBytes, http.StatusUnprocessableEntity)
		up(e.srv, "leader", "photo.png", pngBytes, http.StatusForbidden)
		up(e.srv, "", "photo.png", pngBytes, http.StatusUnauthorized)
		if rec := e.upload(e.srv, "/api/v1/files", "xuanwu", "", "", nil); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("a form without a file: %d", rec.Code)
		}
		// names no file of an office has, which PostgreSQL cannot store, and
		// forms that are not forms: refused, not a 500
		for _, name := range []string{"a\x00b.png", "\xff\xfe.png", "a\nb.png", "a\x1b.png"} {
			var body bytes.Buffer
			body.WriteString("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\nContent-Type: image/png\r\n\r\n")
			body.Write(pngBytes)
			body.WriteString("\r\n--XX--\r\n")
			req := httptest.NewRequest("POST", "/api/v1/files", &body)
			req.Header.Set("Content-Type", "multipart/form-data; boundary=XX")
			req.Header.Set("Authorization", "Bearer "+e.tokens["xuanwu"])
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("upload named %q: %d, want 422: %s", name, rec.Code, rec.Body.String())
			}
		}
		// over the upload limit: refused while it streams, nothing kept
		small, err := New(e.app, Options{Logger: e.srv.log, MaxUpload: 1024})
		if err != nil {
			t.Fatal(err)
		}
		up(small, "xuanwu", "big.png", append(pngBytes, make([]byte, 2048)...), http.StatusUnprocessableEntity)
		if rec := e.upload(small, "/api/v1/files", "xuanwu", "file", "huge.png", append(pngBytes, make([]byte, 2<<20)...)); rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("a body far over the limit: %d, want 422 or 413", rec.Code)
		}
		if n := countFiles(); n != files {
			t.Errorf("refused uploads left %d files", n-files)
		}

		// attachments: of the kinds and size the field accepts
		r := createRecord(t, e, "xuanwu", "320102", with(goodEvent(), "photos", []string{fmt.Sprint(photo.ID), fmt.Sprint(report.ID)}))
		if got := fmt.Sprint(r.Values["photos"]); got != fmt.Sprintf("[%d %d]", photo.ID, report.ID) {
			t.Errorf("photos: %s", got)
		}
		for name, c := range map[string]struct {
			id  int64
			key string
		}{"txt": {notes.ID, "register.file.type"}, "too large": {bigPDF.ID, "register.file.too_large"}, "unknown": {999999, "register.value.reference"}} {
			rec := e.do("POST", recordsPath, "xuanwu", map[string]any{"unit": "320102", "values": with(goodEvent(), "title", name, "photos", []string{fmt.Sprint(c.id)})})
			if rec.Code != http.StatusUnprocessableEntity || problemKeys(t, rec)["photos"] != c.key {
				t.Errorf("attach %s: %d %s", name, rec.Code, rec.Body.String())
			}
		}

		// download: the uploader, and whoever reads a record referring to it
		download := func(user string, id int64) *httptest.ResponseRecorder {
			t.Helper()
			return e.do("GET", fmt.Sprintf("/api/v1/files/%d", id), user, nil)
		}
		rec := download("xuanwu", photo.ID)
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), pngBytes) || rec.Header().Get("Content-Type") != "image/png" ||
			!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download by the uploader: %d %v", rec.Code, rec.Header())
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "%E6%B4%BB%E5%8A%A8") {
			t.Errorf("Content-Disposition %q does not name the file", cd)
		}
		for _, c := range []struct {
			user   string
			id     int64
			status int
		}{
			{"nanjing", photo.ID, 200}, // a record in Nanjing refers to it
			{"leader", report.ID, 200}, // the province reads every record
			{"xuzhou", photo.ID, 404},  // no record of Xuzhou refers to it
			{"nanjing", notes.ID, 404}, // uploaded by xuanwu, attached nowhere
			{"xuanwu", notes.ID, 200},  // its uploader
			{"xuanwu", 999999, 404},    // nothing
			{"xuzhou", bigPDF.ID, 404}, // attached nowhere
		} {
			if rec := download(c.user, c.id); rec.Code != c.status {
				t.Errorf("download %d as %s: %d, want %d", c.id, c.user, rec.Code, c.status)
			}
		}
		// a file one may not download cannot be attached to gain access to it
		before := e.recordState("test_events")
		rec = e.do("POST", recordsPath, "xuzhou", map[string]any{"unit": "320302", "values": with(goodEvent(), "host", "320302", "photos", []string{fmt.Sprint(photo.ID)})})
		if rec.Code != http.StatusUnprocessableEntity || problemKeys(t, rec)["photos"] != "register.value.reference" {
			t.Errorf("attaching another city's file: %d %s", rec.Code, rec.Body.String())
		}
		if after := e.recordState("test_events"); after != before {
			t.Errorf("refused attachment wrote: %v → %v", before, after)
		}
		if rec := download("xuzhou", photo.ID); rec.Code != http.StatusNotFound {
			t.Errorf("download after a refused attachment: %d", rec.Code)
		}
		// once the record is deleted, only the uploader may still download
		if rec := e.do("DELETE", recordPath(r.ID), "xuanwu", nil); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d", rec.Code)
		}
		if rec := download("nanjing", photo.ID); rec.Code != http.StatusNotFound {
			t.Errorf("download after the record went: %d", rec.Code)
		}
	})
}
