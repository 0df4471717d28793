package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestTextTheDatabaseRefuses: NUL characters and bytes that are not UTF-8
// reached PostgreSQL's queries and failed the request with a 500 (SQLite
// took them). They are refused where they come in, on both databases.
func TestTextTheDatabaseRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cases := []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"NUL in a unit path", "GET", "/api/v1/units/%00", nil, 404, ""},
			{"not UTF-8 in a unit path", "GET", "/api/v1/units/%FF", nil, 404, ""},
			{"not UTF-8 in a user path", "GET", "/api/v1/users/%FF/tokens", nil, 404, ""},
			{"NUL in a search", "GET", "/api/v1/units?q=%00", nil, 422, "q"},
			{"NUL in a filter", "GET", "/api/v1/units?type=%00", nil, 422, "type"},
			{"not UTF-8 in an audit filter", "GET", "/api/v1/audit?entity=%FF", nil, 422, "entity"},
			{"NUL in a type", "POST", "/api/v1/units", `{"code":"X1","type":"\u0000","parent":"320100","name_zh":"x"}`, 422, "type"},
			{"NUL in a parent", "POST", "/api/v1/units", `{"code":"X1","type":"county","parent":"320100\u0000","name_zh":"x"}`, 422, "parent"},
			{"NUL in a group", "POST", "/api/v1/units", `{"code":"X1","type":"county","parent":"320100","name_zh":"x","groups":["\u0000"]}`, 422, "groups"},
			{"NUL in an update", "PATCH", "/api/v1/units/320102", `{"type":"county\u0000"}`, 422, "type"},
			{"NUL in a move", "POST", "/api/v1/units/320102/move", `{"parent":"\u0000"}`, 422, "parent"},
			{"NUL in a login", "POST", "/api/v1/session", `{"name":"\u0000","password":"x"}`, 422, "name"},
			{"NUL in a display name", "POST", "/api/v1/users", `{"name":"zz","display_name":"a\u0000b","password":"12345678","role":"viewer","unit":"320100"}`, 422, "display_name"},
			{"NUL in a profile", "PATCH", "/api/v1/users/leader", `{"display_name":"a\u0000b"}`, 422, "display_name"},
			{"NUL in a token name", "POST", "/api/v1/users/leader/tokens", `{"name":"a\u0000b"}`, 422, "name"},
			{"NUL in a grant", "POST", "/api/v1/users/leader/grants", `{"role":"viewer","unit":"\u0000"}`, 422, "unit"},
			{"a sort order beyond 32 bits", "PUT", "/api/v1/unit-types/big", `{"name_zh":"大","sort":3000000000}`, 422, "sort"},
			{"a sort order beyond 64 bits", "PUT", "/api/v1/unit-types/big", `{"name_zh":"大","sort":1e30}`, 422, "sort"},
			{"escaped text is text", "POST", "/api/v1/units", `{"code":"X2","type":"enterprise","parent":"320102","name_zh":"\\u0000 是六个字"}`, 201, ""},
		}
		for _, c := range cases {
			rec := e.do(c.method, c.path, "admin", c.body)
			if c.field == "" {
				wantStatus(t, c.name, rec, c.status)
			} else {
				wantField(t, c.name, rec, c.status, c.field)
			}
		}
		// a browser's user agent is not UTF-8
		req := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"name":"leader","password":"`+demo.Password+`"}`))
		req.Header.Set("User-Agent", "Mozilla/5.0 \xff\xfe")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		wantStatus(t, "login with a user agent that is not UTF-8", rec, http.StatusOK)
	})
}
