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
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"kexie/internal/auth"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

// loadSpec parses the embedded OpenAPI document once.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(openAPIDoc)
	})
	if specErr != nil {
		t.Fatalf("openapi.json does not load: %v", specErr)
	}
	return specDoc
}

// TestOpenAPIMatchesRoutes holds the document and routes.go to each other:
// every API route is documented with the same method and path template,
// and every documented operation is routed.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadSpec(t)
	routed := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		if rt.Kind == kindAPI {
			routed[rt.Method+" "+rt.Pattern] = true
		}
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var undocumented, unrouted []string
	for k := range routed {
		if !documented[k] {
			undocumented = append(undocumented, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			unrouted = append(unrouted, k)
		}
	}
	slices.Sort(undocumented)
	slices.Sort(unrouted)
	for _, k := range undocumented {
		t.Errorf("routed but not in openapi.json: %s", k)
	}
	for _, k := range unrouted {
		t.Errorf("in openapi.json but not routed: %s", k)
	}
	if len(routed) < 30 {
		t.Errorf("only %d API routes found: is kindAPI still the kind of API routes?", len(routed))
	}
}

// TestOpenAPIValid validates the document with kin-openapi and checks the
// server hands out exactly the embedded document.
func TestOpenAPIValid(t *testing.T) {
	doc := loadSpec(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi.json declares %s, want 3.1", doc.OpenAPI)
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" || len(op.Tags) == 0 || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: needs an operationId, a tag, a summary and a description", where)
			}
			if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %s also used by %s", where, op.OperationID, prev)
			}
			ids[op.OperationID] = where
			if !hasHan(op.Description) || !hasLatinSentence(op.Description) {
				t.Errorf("%s: the description should be in Chinese, then English", where)
			}
			if op.Security == nil || (len(*op.Security) == 0 && path != "/api/v1/openapi.json" && !(path == "/api/v1/session" && method == http.MethodPost)) {
				t.Errorf("%s: declares no security", where)
			}
			if op.Responses.Status(http.StatusUnauthorized) == nil && len(*op.Security) > 0 {
				t.Errorf("%s: an authenticated operation should document 401", where)
			}
			if op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil {
				for _, st := range []int{400, 413, 422} {
					if op.Responses.Status(st) == nil {
						t.Errorf("%s: takes a JSON body but does not document %d", where, st)
					}
				}
				if s := op.RequestBody.Value.Content.Get("application/json").Schema.Value; s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
					t.Errorf("%s: the request schema should refuse unknown fields (additionalProperties: false)", where)
				}
			}
			if strings.Contains(path, "{") && method != http.MethodPut && op.Responses.Status(http.StatusNotFound) == nil { // PUT creates
				t.Errorf("%s: takes a path parameter but does not document 404", where)
			}
		}
	}
	e := newEnv(t, storetest.SQLite(t))
	rec := e.do("GET", "/api/v1/openapi.json", "", nil)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), openAPIDoc) {
		t.Fatalf("GET /api/v1/openapi.json: %d, %d bytes (want the embedded %d)", rec.Code, rec.Body.Len(), len(openAPIDoc))
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("openapi.json served as %q", ct)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func hasLatinSentence(s string) bool {
	words := 0
	for _, w := range strings.Fields(s) {
		if len(w) > 1 && w[0] >= 'A' && w[0] <= 'z' {
			words++
		}
	}
	return words >= 3
}

// findOperation finds the documented operation of a concrete request path,
// preferring literal segments to templated ones.
func findOperation(doc *openapi3.T, method, path string) (*routers.Route, map[string]string, error) {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	best, bestScore := "", -1
	var bestParams map[string]string
	for tmpl, item := range doc.Paths.Map() {
		if item.GetOperation(method) == nil {
			continue
		}
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		score, params := 0, map[string]string{}
		for i := range ts {
			switch {
			case ts[i] == segs[i]:
				score++
			case strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") && segs[i] != "":
				params[strings.Trim(ts[i], "{}")] = segs[i]
			default:
				score = -1
			}
			if score < 0 {
				break
			}
		}
		if score > bestScore {
			best, bestScore, bestParams = tmpl, score, params
		}
	}
	if best == "" {
		return nil, nil, fmt.Errorf("no documented operation for %s %s", method, path)
	}
	item := doc.Paths.Value(best)
	return &routers.Route{Spec: doc, Path: best, PathItem: item, Method: method, Operation: item.GetOperation(method)}, bestParams, nil
}

// specCheck sends requests through the test server and validates every
// response (and the request of every success) against the document.
type specCheck struct {
	t   *testing.T
	e   *testEnv
	doc *openapi3.T
	hit map[string]bool // documented operations answered
}

// call sends the request, checks the status, and validates the exchange.
func (c *specCheck) call(method, path, user string, body any, status int) *httptest.ResponseRecorder {
	c.t.Helper()
	raw := bodyBytes(c.t, body)
	var send any
	if raw != nil {
		send = raw
	}
	rec := c.e.do(method, path, user, send)
	if rec.Code != status {
		c.t.Errorf("%s %s as %q: status %d, want %d: %s", method, path, user, rec.Code, status, rec.Body.String())
	}
	c.validate(method, path, raw, rec)
	return rec
}

// validate checks a recorded exchange against the document.
func (c *specCheck) validate(method, path string, raw []byte, rec *httptest.ResponseRecorder) {
	c.t.Helper()
	route, params, err := findOperation(c.doc, method, path)
	if err != nil {
		c.t.Error(err)
		return
	}
	c.hit[method+" "+route.Path] = true
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	ctx := context.Background()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if rec.Code < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.t.Errorf("%s %s: the request the server accepted does not match the document: %v", method, path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: opts}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.t.Errorf("%s %s → %d: the response does not match the document: %v\nbody: %s", method, path, rec.Code, err, truncateBody(rec.Body.String()))
	}
}

func bodyBytes(t testing.TB, body any) []byte {
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	}
	j, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func truncateBody(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// TestOpenAPIResponses validates real responses of every documented
// operation against the document, so the two cannot drift apart.
func TestOpenAPIResponses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &specCheck{t: t, e: newEnv(t, db), doc: loadSpec(t), hit: map[string]bool{}}
		unitBody := map[string]any{"code": "ENT950", "type": "enterprise", "parent": "320102", "name_zh": "文档测试企业科协",
			"name_en": "Spec Test Enterprise AST", "opened_on": "2020-01-02", "groups": []string{}}

		c.call("GET", "/api/v1/openapi.json", "", nil, 200)
		c.call("GET", "/api/v1/units", "", nil, 401)
		c.call("GET", "/api/v1/units?parent=320000&type=city&per_page=5", "admin", nil, 200)
		c.call("GET", "/api/v1/units?under=320100&q=%E7%8E%84%E6%AD%A6&closed=true&page=1", "nanjing", nil, 200)
		c.call("GET", "/api/v1/units?page=x", "admin", nil, 422)
		c.call("GET", "/api/v1/units/320100", "admin", nil, 200)
		c.call("GET", "/api/v1/units/320000", "admin", nil, 200) // the root has no parent
		c.call("GET", "/api/v1/units/320300", "nanjing", nil, 404)
		c.call("POST", "/api/v1/units", "nanjing", unitBody, 201)
		c.call("POST", "/api/v1/units", "nanjing", unitBody, 409)
		c.call("POST", "/api/v1/units", "nanjing", map[string]any{"code": "坏", "type": "enterprise", "parent": "320300", "name_zh": ""}, 422)
		c.call("POST", "/api/v1/units", "nanjing", `{"code":`, 400)
		c.call("POST", "/api/v1/units", "xuanwu", map[string]any{"code": "ENT951", "type": "enterprise", "parent": "320102", "name_zh": "x"}, 403)
		c.call("POST", "/api/v1/units", "nanjing", `{"name_zh":"`+strings.Repeat("长", 1<<19)+`"}`, 413)
		c.call("PATCH", "/api/v1/units/ENT950", "nanjing", map[string]any{"name_en": "Spec Test", "groups": []string{"southern"}, "version": 1}, 200)
		c.call("PATCH", "/api/v1/units/ENT950", "nanjing", map[string]any{"version": 1}, 409)
		c.call("PATCH", "/api/v1/units/ENT950", "leader", map[string]any{"name_en": "x"}, 403)
		c.call("PATCH", "/api/v1/units/ENT950", "xuzhou", map[string]any{"name_en": "x"}, 404)
		c.call("GET", "/api/v1/units/320100/children?type=county", "nanjing", nil, 200)
		c.call("POST", "/api/v1/units/ENT950/move", "nanjing", map[string]any{"parent": "320104"}, 200)
		c.call("POST", "/api/v1/units/ENT950/move", "nanjing", map[string]any{"parent": "ENT950"}, 422)
		c.call("POST", "/api/v1/units/ENT950/close", "nanjing", map[string]any{"closed_on": "2021-07-01"}, 200)
		c.call("POST", "/api/v1/units/ENT950/close", "nanjing", map[string]any{"closed_on": "2021-07-02"}, 409)
		c.call("POST", "/api/v1/units/ENT950/reopen", "nanjing", nil, 200)
		c.call("POST", "/api/v1/units/ENT950/reopen", "nanjing", nil, 409)
		c.call("GET", "/api/v1/units/320100/audit?limit=2", "nanjing", nil, 200)
		c.call("GET", "/api/v1/units/320100/audit?limit=x", "nanjing", nil, 422)
		c.call("GET", "/api/v1/unit-types", "leader", nil, 200)
		c.call("PUT", "/api/v1/unit-types/lab", "admin", map[string]any{"name_zh": "实验室", "name_en": "Laboratory", "sort": 99}, 200)
		c.call("PUT", "/api/v1/unit-types/lab", "nanjing", map[string]any{"name_zh": "实验室"}, 403)
		c.call("GET", "/api/v1/unit-groups", "leader", nil, 200)
		c.call("PUT", "/api/v1/unit-groups/coastal", "admin", map[string]any{"name_zh": "沿海城市", "name_en": "Coastal cities"}, 200)

		c.call("GET", "/api/v1/users?q=a&per_page=3", "admin", nil, 200)
		c.call("POST", "/api/v1/users", "nanjing", map[string]any{"name": "spec.user", "display_name": "文档测试", "password": "correct horse", "role": "data_entry", "unit": "320104"}, 201)
		c.call("POST", "/api/v1/users", "nanjing", map[string]any{"name": "spec.user", "password": "correct horse", "role": "data_entry", "unit": "320104"}, 409)
		c.call("GET", "/api/v1/users/spec.user", "nanjing", nil, 200)
		c.call("GET", "/api/v1/users/spec.user", "xuzhou", nil, 404)
		c.call("PATCH", "/api/v1/users/spec.user", "nanjing", map[string]any{"display_name": "文档", "locale": "en", "disabled": false}, 200)
		c.call("POST", "/api/v1/users/spec.user/password", "nanjing", map[string]any{"password": ""}, 200)
		var u struct {
			Grants []struct {
				ID   int64
				Unit string
			}
		}
		decodeBody(t, c.call("POST", "/api/v1/users/spec.user/grants", "nanjing", map[string]any{"role": "viewer", "unit": "320100"}, 200), &u)
		var grant int64
		for _, g := range u.Grants {
			if g.Unit == "320100" {
				grant = g.ID
			}
		}
		c.call("DELETE", fmt.Sprintf("/api/v1/users/spec.user/grants/%d", grant), "nanjing", nil, 200)
		c.call("DELETE", "/api/v1/users/spec.user/grants/999999", "nanjing", nil, 404)
		c.call("GET", "/api/v1/users/spec.user/tokens", "nanjing", nil, 200)
		var tok struct{ ID int64 }
		decodeBody(t, c.call("POST", "/api/v1/users/spec.user/tokens", "nanjing", map[string]any{"name": "script"}, 201), &tok)
		c.call("GET", "/api/v1/users/spec.user/tokens", "nanjing", nil, 200) // now with a token
		c.call("DELETE", fmt.Sprintf("/api/v1/users/spec.user/tokens/%d", tok.ID), "nanjing", nil, 204)
		c.call("GET", "/api/v1/users/nanjing/audit", "nanjing", nil, 200)

		c.call("GET", "/api/v1/audit?unit=320100&limit=5", "nanjing", nil, 200)
		c.call("GET", "/api/v1/audit?actor=nanjing&entity=unit&action=create", "admin", nil, 200)
		c.call("GET", "/api/v1/audit?unit=320300", "nanjing", nil, 404)
		c.call("GET", "/api/v1/audit?before=-1", "admin", nil, 422)

		c.call("GET", "/api/v1/me", "xuanwu", nil, 200)
		c.call("POST", "/api/v1/me/password", "xuanwu", map[string]any{"old_password": "wrong password", "new_password": "another one"}, 422)
		c.call("POST", "/api/v1/session", "", map[string]any{"name": "leader", "password": "kexie-demo"}, 200)
		c.call("POST", "/api/v1/session", "", map[string]any{"name": "leader", "password": "not it"}, 401)
		c.call("POST", "/api/v1/session", "", map[string]any{"name": "leader"}, 422)
		c.call("DELETE", "/api/v1/session", "leader", nil, 204)
		c.call("POST", "/api/v1/me/password", "xuanwu", map[string]any{"old_password": "kexie-demo", "new_password": "a new secret"}, 204)

		// units as spreadsheets (upload is in api_unit_sheet_test.go)
		c.call("GET", "/api/v1/exports/units?under=320100&type=county", "nanjing", nil, 200)
		c.call("GET", "/api/v1/exports/units?closed=maybe", "nanjing", nil, 422)
		sheet := []byte("代码,上级代码,类型,中文名称\nSPEC1,320102,enterprise,文档测试企业\n")
		c.upload("/api/v1/imports/units?dry_run=1", "nanjing", "units.csv", sheet, 200)
		c.upload("/api/v1/imports/units", "xuanwu", "units.csv", sheet, 403)
		c.upload("/api/v1/imports/units", "nanjing", "bad.csv", []byte("代码,类型\nX9,town\n"), 422)

		// registers, their records and attachments (the rest in api_records_test.go)
		addUser(t, c.e, "approver", auth.RoleApprover, "320100")
		c.call("PUT", "/api/v1/registers/test_events", "admin", map[string]any{"schema": eventsSchema()}, 200)
		c.call("PUT", "/api/v1/registers/test_events", "nanjing", map[string]any{"schema": eventsSchema()}, 403)
		c.call("PUT", "/api/v1/registers/test_bad", "admin", map[string]any{"schema": map[string]any{"code": "test_bad", "fields": []any{}}}, 422)
		c.call("PUT", "/api/v1/registers/test_bad", "admin", `{"schema":`, 400)
		c.call("GET", "/api/v1/registers", "leader", nil, 200)
		c.call("GET", "/api/v1/registers/test_events", "leader", nil, 200)
		c.call("GET", "/api/v1/registers/people", "xuanwu", nil, 200)
		c.call("GET", "/api/v1/registers/no_such", "leader", nil, 404)
		var photo struct{ ID int64 }
		decodeBody(t, c.upload("/api/v1/files", "xuanwu", "活动照片.png", tinyPNG(t), 201), &photo)
		c.upload("/api/v1/files", "xuanwu", "fake.pdf", []byte("plain text, not a PDF"), 422)
		c.upload("/api/v1/files", "leader", "photo.png", tinyPNG(t), 403)
		var r apiRecord
		decodeBody(t, c.call("POST", recordsPath, "xuanwu", map[string]any{"unit": "320102",
			"values": with(goodEvent(), "photos", []string{fmt.Sprint(photo.ID)})}, 201), &r)
		c.call("POST", recordsPath, "xuanwu", map[string]any{"unit": "320102", "values": goodEvent()}, 409)
		c.call("POST", recordsPath, "xuanwu", map[string]any{"unit": "320104", "values": with(goodEvent(), "title", "", "colour", "red")}, 422)
		c.call("POST", recordsPath, "leader", map[string]any{"unit": "320102", "values": goodEvent()}, 403)
		c.call("POST", recordsPath, "xuanwu", `{"unit":`, 400)
		c.call("POST", "/api/v1/registers/no_such/records", "xuanwu", map[string]any{"unit": "320102", "values": goodEvent()}, 404)
		c.call("GET", recordsPath+"?period=2021&unit=320100&status=draft&q=%E5%BA%A7%E8%B0%88&sort=-participants&f.mode=%E7%BA%BF%E4%B8%8B&f.participants.gte=100&page=1&per_page=10", "nanjing", nil, 200)
		c.call("GET", recordsPath+"?period=2021X9&f.nothing=1", "nanjing", nil, 422)
		c.call("GET", recordsPath+"?unit=320300", "nanjing", nil, 404)
		c.call("GET", recordPath(r.ID), "leader", nil, 200)
		c.call("GET", recordPath(r.ID), "xuzhou", nil, 404)
		c.call("PATCH", recordPath(r.ID), "xuanwu", map[string]any{"values": map[string]any{"notes": nil, "budget": "2,000"}, "version": 1}, 200)
		c.call("PATCH", recordPath(r.ID), "xuanwu", map[string]any{"values": map[string]any{}, "version": 1}, 409)
		c.call("PATCH", recordPath(r.ID), "leader", map[string]any{"values": map[string]any{"notes": "x"}}, 403)
		c.call("PATCH", recordPath(r.ID), "xuanwu", map[string]any{"values": map[string]any{"participants": -1}}, 422)
		c.call("POST", recordPath(r.ID)+"/reveal", "xuanwu", map[string]any{"field": "contact"}, 200)
		c.call("POST", recordPath(r.ID)+"/reveal", "leader", map[string]any{"field": "contact"}, 403)
		c.call("POST", recordPath(r.ID)+"/reveal", "xuanwu", map[string]any{"field": "title"}, 422)
		c.call("POST", recordPath(r.ID)+"/status", "xuanwu", map[string]any{"action": "submit"}, 200)
		c.call("POST", recordPath(r.ID)+"/status", "xuanwu", map[string]any{"action": "submit"}, 409)
		c.call("POST", recordPath(r.ID)+"/status", "leader", map[string]any{"action": "approve"}, 403)
		c.call("POST", recordPath(r.ID)+"/status", "approver", map[string]any{"action": "return"}, 422)
		c.call("POST", recordPath(r.ID)+"/status", "approver", map[string]any{"action": "return", "reason": "请补充活动照片"}, 200)
		c.call("GET", recordPath(r.ID)+"/audit?limit=3", "nanjing", nil, 200)
		c.call("GET", recordPath(r.ID)+"/audit", "xuzhou", nil, 404)
		c.call("GET", fmt.Sprintf("/api/v1/files/%d", photo.ID), "nanjing", nil, 200)
		c.call("GET", fmt.Sprintf("/api/v1/files/%d", photo.ID), "xuzhou", nil, 404)
		c.call("DELETE", recordPath(r.ID), "leader", nil, 403)
		c.call("DELETE", recordPath(r.ID), "xuanwu", nil, 204)
		c.call("DELETE", recordPath(r.ID), "xuanwu", nil, 404)

		// register records as spreadsheets (the rest in api_register_sheet_test.go)
		c.call("GET", "/api/v1/registers/test_events/template", "xuanwu", nil, 200)
		c.call("GET", "/api/v1/registers/no_such/template", "xuanwu", nil, 404)
		c.call("GET", "/api/v1/registers/test_events/export?format=csv&unit=320100&period=2021&f.participants.gte=1&columns=mode", "nanjing", nil, 200)
		c.call("GET", "/api/v1/registers/test_events/export?unit=320100", "nanjing", nil, 200)
		c.call("GET", "/api/v1/registers/test_events/export?format=pdf", "nanjing", nil, 422)
		var imp struct{ ID int64 }
		events := []byte("单位代码,活动名称,举办日期\n320102,文档导入,2021-07-01\n")
		decodeBody(t, c.upload("/api/v1/registers/test_events/imports?wait=10", "xuanwu", "events.csv", events, 202), &imp)
		c.call("GET", fmt.Sprintf("/api/v1/imports/%d", imp.ID), "xuanwu", nil, 200)
		c.call("GET", fmt.Sprintf("/api/v1/imports/%d", imp.ID), "xuzhou", nil, 404)
		c.call("GET", fmt.Sprintf("/api/v1/imports/%d/annotated", imp.ID), "xuanwu", nil, 404)
		c.upload("/api/v1/registers/test_events/imports", "leader", "events.csv", events, 403)
		c.upload("/api/v1/registers/test_events/imports?wait=99", "xuanwu", "events.csv", events, 422)
		decodeBody(t, c.upload("/api/v1/registers/test_events/imports?wait=10", "xuanwu", "bad.xlsx", badEventsWorkbook(t), 202), &imp)
		c.call("GET", fmt.Sprintf("/api/v1/imports/%d", imp.ID), "xuanwu", nil, 200)
		c.call("GET", fmt.Sprintf("/api/v1/imports/%d/annotated", imp.ID), "xuanwu", nil, 200)

		figuresSpecCalls(c)

		// data sets, their forms and the inbox (datasets_api_test.go)
		datasetSpecCalls(t, c)

		// plans (plans_api_test.go)
		planSpecCalls(t, c)

		// evaluation schemes (schemes_api_test.go)
		schemeSpecCalls(t, c)
		// campaigns (campaigns_api_test.go)
		campaignSpecCalls(t, c)
		// reports (reports_api_test.go)
		reportSpecCalls(t, c)

		// every documented operation has had a response validated above
		for path, item := range c.doc.Paths.Map() {
			for method := range item.Operations() {
				if !c.hit[method+" "+path] {
					t.Errorf("%s %s: no response of it was validated against the document", method, path)
				}
			}
		}
	})
}
