package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

func TestUnitsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cases := []struct {
			name, method, path, user string
			body                     any
			status                   int
			fields                   []string
		}{
			{"anonymous", "GET", "/api/v1/units", "", nil, 401, nil},
			{"list", "GET", "/api/v1/units?parent=320000&type=city", "admin", nil, 200, nil},
			{"get county", "GET", "/api/v1/units/320102", "xuanwu", nil, 200, nil},
			{"other city is 404", "GET", "/api/v1/units/320300", "nanjing", nil, 404, nil},
			{"create", "POST", "/api/v1/units", "nanjing", map[string]any{"code": "ENT901", "type": "enterprise", "parent": "320102", "name_zh": "测试企业科协"}, 201, nil},
			{"duplicate code", "POST", "/api/v1/units", "nanjing", map[string]any{"code": "ENT901", "type": "enterprise", "parent": "320102", "name_zh": "重复"}, 409, []string{"code"}},
			{"parent out of scope", "POST", "/api/v1/units", "nanjing", map[string]any{"code": "ENT902", "type": "enterprise", "parent": "320300", "name_zh": "越权"}, 422, []string{"parent"}},
			{"unknown field", "POST", "/api/v1/units", "nanjing", `{"code":"ENT903","colour":"red"}`, 422, []string{"colour"}},
			{"wrong type", "POST", "/api/v1/units", "nanjing", `{"code":12}`, 422, []string{"code"}},
			{"malformed", "POST", "/api/v1/units", "nanjing", `{"code":`, 400, nil},
			{"trailing", "POST", "/api/v1/units", "nanjing", `{"code":"a"} {}`, 400, nil},
			{"invalid code and long name", "POST", "/api/v1/units", "admin", map[string]any{"code": "坏 代码", "type": "county", "parent": "320100", "name_zh": strings.Repeat("长", 101)}, 422, []string{"code", "name_zh"}},
			{"data entry may not create", "POST", "/api/v1/units", "xuanwu", map[string]any{"code": "ENT904", "type": "enterprise", "parent": "320102", "name_zh": "x"}, 403, nil},
			{"viewer may not update", "PATCH", "/api/v1/units/320102", "leader", map[string]any{"name_en": "x"}, 403, nil},
			{"update", "PATCH", "/api/v1/units/320102", "nanjing", map[string]any{"name_en": "Xuanwu District AST"}, 200, nil},
			{"stale version", "PATCH", "/api/v1/units/320102", "nanjing", map[string]any{"name_en": "x", "version": 1}, 409, []string{"version"}},
			{"move cycle", "POST", "/api/v1/units/320100/move", "admin", map[string]any{"parent": "320102"}, 422, []string{"parent"}},
			{"move out of scope", "POST", "/api/v1/units/ENT901/move", "nanjing", map[string]any{"parent": "320300"}, 422, []string{"parent"}},
			{"move", "POST", "/api/v1/units/ENT901/move", "nanjing", map[string]any{"parent": "320104"}, 200, nil},
			{"close with open children", "POST", "/api/v1/units/320104/close", "nanjing", map[string]any{"closed_on": "2021-07-01"}, 409, []string{"closed_on"}},
			{"close bad date", "POST", "/api/v1/units/ENT901/close", "nanjing", map[string]any{"closed_on": "2021-13-01"}, 422, []string{"closed_on"}},
			{"close", "POST", "/api/v1/units/ENT901/close", "nanjing", map[string]any{"closed_on": "2021-07-01"}, 200, nil},
			{"closed unit still readable", "GET", "/api/v1/units/ENT901", "nanjing", nil, 200, nil},
			{"bad paging", "GET", "/api/v1/units?page=x", "admin", nil, 422, []string{"page"}},
			{"children of other scope", "GET", "/api/v1/units/320300/children", "nanjing", nil, 404, nil},
			{"audit of unit", "GET", "/api/v1/units/320100/audit", "nanjing", nil, 200, nil},
		}
		for _, c := range cases {
			rec := e.do(c.method, c.path, c.user, c.body)
			if rec.Code != c.status {
				t.Errorf("%s: %s %s: status %d, want %d: %s", c.name, c.method, c.path, rec.Code, c.status, rec.Body.String())
				continue
			}
			if c.fields != nil {
				got := problemFields(t, rec)
				for _, f := range c.fields {
					if !slices.Contains(got, f) {
						t.Errorf("%s: fields %v lack %q", c.name, got, f)
					}
				}
			}
		}
		// the moved unit's path follows its new parent
		var u struct {
			Path     string `json:"path"`
			ClosedOn string `json:"closed_on"`
		}
		decodeBody(t, e.do("GET", "/api/v1/units/ENT901", "admin", nil), &u)
		if u.Path != "/320000/320100/320104/ENT901/" || u.ClosedOn != "2021-07-01" {
			t.Errorf("after move and close: %+v", u)
		}
		// a failed write leaves nothing behind
		if rec := e.do("GET", "/api/v1/units/ENT902", "admin", nil); rec.Code != http.StatusNotFound {
			t.Errorf("refused create was written: %d", rec.Code)
		}
		// lists never show what is outside scope
		var page struct {
			Items []struct{ Code, Path string }
			Total int
		}
		decodeBody(t, e.do("GET", "/api/v1/units?per_page=500&closed=true", "nanjing", nil), &page)
		for _, it := range page.Items {
			if len(it.Path) < 15 || it.Path[:15] != "/320000/320100/" {
				t.Errorf("nanjing sees %s at %s", it.Code, it.Path)
			}
		}
		if page.Total < 16 {
			t.Errorf("nanjing sees only %d units", page.Total)
		}
		var search struct{ Total int }
		decodeBody(t, e.do("GET", "/api/v1/units?q=%E7%8E%84%E6%AD%A6", "admin", nil), &search) // 玄武
		if search.Total != 1 {
			t.Errorf("search 玄武: %d results", search.Total)
		}
	})
}
