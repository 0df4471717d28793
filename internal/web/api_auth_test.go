package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// browser is a client holding a session cookie, as a person's browser
// does; it sends the CSRF token only when asked to.
type browser struct {
	e       *testEnv
	cookies []*http.Cookie
	csrf    string
	headers map[string]string
}

func (e *testEnv) browser() *browser { return &browser{e: e, headers: map[string]string{}} }

// send sends a request with the browser's cookies, and its CSRF token
// when withCSRF is set.
func (b *browser) send(method, path string, body any, withCSRF bool) *httptest.ResponseRecorder {
	b.e.t.Helper()
	raw := bodyBytes(b.e.t, body)
	req := httptest.NewRequest(method, path, strings.NewReader(string(raw)))
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	if withCSRF {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	for k, v := range b.headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	b.e.srv.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		b.cookies = slices.DeleteFunc(b.cookies, func(o *http.Cookie) bool { return o.Name == c.Name })
		if c.MaxAge >= 0 && c.Value != "" {
			b.cookies = append(b.cookies, c)
		}
	}
	return rec
}

// login logs in and keeps the CSRF token; it returns the answer.
func (b *browser) login(name, password string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	rec := b.send("POST", "/api/v1/session", map[string]string{"name": name, "password": password}, false)
	if rec.Code == http.StatusOK {
		var me struct {
			CSRF string `json:"csrf_token"`
		}
		decodeBody(b.e.t, rec, &me)
		b.csrf = me.CSRF
	}
	return rec
}

func problemOf(t testing.TB, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	var p Problem
	decodeBody(t, rec, &p)
	return p
}

func wantStatus(t testing.TB, what string, rec *httptest.ResponseRecorder, status int) bool {
	t.Helper()
	if rec.Code != status {
		t.Errorf("%s: status %d, want %d: %s", what, rec.Code, status, truncateBody(rec.Body.String()))
		return false
	}
	return true
}

func wantField(t testing.TB, what string, rec *httptest.ResponseRecorder, status int, field string) {
	t.Helper()
	if !wantStatus(t, what, rec, status) {
		return
	}
	if got := problemFields(t, rec); !slices.Contains(got, field) {
		t.Errorf("%s: the problem names %v, want %q", what, got, field)
	}
}

func TestSessionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)

		// a wrong password: 401, said in the caller's language, same for an unknown name
		b := e.browser()
		rec := b.login("leader", "not the password")
		if wantStatus(t, "wrong password", rec, http.StatusUnauthorized) {
			if p := problemOf(t, rec); p.Title != "用户名或密码不正确" || p.Type != "/problems/bad-credentials" {
				t.Errorf("wrong password: %+v", p)
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
				t.Errorf("wrong password: content type %q", rec.Header().Get("Content-Type"))
			}
		}
		b.headers["Accept-Language"] = "en-GB,en;q=0.8"
		rec = b.login("nobody-at-all", "whatever")
		if wantStatus(t, "unknown user", rec, http.StatusUnauthorized) {
			if p := problemOf(t, rec); p.Title != "Wrong user name or password" {
				t.Errorf("unknown user in English: %q", p.Title)
			}
		}
		delete(b.headers, "Accept-Language")
		wantField(t, "login without password", b.send("POST", "/api/v1/session", map[string]string{"name": "leader"}, false), 422, "password")
		wantStatus(t, "login with an unknown field", b.send("POST", "/api/v1/session", `{"name":"leader","password":"x","remember":true}`, false), 422)

		// a good login: an HttpOnly cookie and a CSRF token
		rec = b.login("nanjing", demo.Password)
		if !wantStatus(t, "login", rec, http.StatusOK) {
			t.FailNow()
		}
		var cookie *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
			t.Fatalf("session cookie: %+v", cookie)
		}
		if b.csrf == "" {
			t.Fatal("login answered no CSRF token")
		}
		var me struct {
			Name string
			CSRF string `json:"csrf_token"`
		}
		decodeBody(t, b.send("GET", "/api/v1/me", nil, false), &me)
		if me.Name != "nanjing" || me.CSRF != b.csrf {
			t.Errorf("me over the cookie: %+v", me)
		}

		// writes over the cookie need the CSRF header; reads do not
		patch := map[string]any{"name_en": "Xuanwu District AST"}
		rec = b.send("PATCH", "/api/v1/units/320102", patch, false)
		if wantStatus(t, "cookie write without CSRF", rec, http.StatusForbidden) && problemOf(t, rec).Type != "/problems/csrf" {
			t.Errorf("cookie write without CSRF: %s", rec.Body.String())
		}
		good := b.csrf
		b.csrf = "kx_wrong"
		wantStatus(t, "cookie write with a wrong CSRF token", b.send("PATCH", "/api/v1/units/320102", patch, true), http.StatusForbidden)
		b.csrf = good
		wantStatus(t, "cookie write with CSRF", b.send("PATCH", "/api/v1/units/320102", patch, true), http.StatusOK)
		// …and a cross-site request is refused even with the token
		b.headers["Sec-Fetch-Site"] = "cross-site"
		wantStatus(t, "cross-site write", b.send("PATCH", "/api/v1/units/320102", patch, true), http.StatusForbidden)
		delete(b.headers, "Sec-Fetch-Site")
		// bearer tokens need no CSRF
		wantStatus(t, "bearer write without CSRF", e.do("PATCH", "/api/v1/units/320102", "nanjing", map[string]any{"name_en": "Xuanwu"}), http.StatusOK)
		// a token that is not a kexie token, or a scheme that is not bearer
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Basic bmFuamluZzprZXhpZS1kZW1v")
		rr := httptest.NewRecorder()
		e.srv.ServeHTTP(rr, req)
		if wantStatus(t, "basic auth", rr, http.StatusUnauthorized) && !strings.HasPrefix(rr.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without a WWW-Authenticate challenge: %v", rr.Header())
		}

		// logout needs the CSRF token too, ends the session and clears the cookie
		wantStatus(t, "logout without CSRF", b.send("DELETE", "/api/v1/session", nil, false), http.StatusForbidden)
		old := slices.Clone(b.cookies)
		rec = b.send("DELETE", "/api/v1/session", nil, true)
		wantStatus(t, "logout", rec, http.StatusNoContent)
		cleared := false
		for _, c := range rec.Result().Cookies() {
			cleared = cleared || (c.Name == sessionCookie && c.MaxAge < 0)
		}
		if !cleared {
			t.Errorf("logout did not clear the cookie: %v", rec.Header()["Set-Cookie"])
		}
		b.cookies = old // a stolen copy of the cookie is dead too
		wantStatus(t, "me after logout", b.send("GET", "/api/v1/me", nil, false), http.StatusUnauthorized)
	})
}

func TestLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		for i := 1; i <= 4; i++ {
			wantStatus(t, fmt.Sprintf("failure %d", i), b.login("xuzhou", "wrong password"), http.StatusUnauthorized)
		}
		rec := b.login("xuzhou", "wrong password")
		if wantStatus(t, "failure 5", rec, http.StatusTooManyRequests) {
			if p := problemOf(t, rec); p.Title != "账号已临时锁定" || p.Detail == "" {
				t.Errorf("locked: %+v", p)
			}
		}
		wantStatus(t, "the right password while locked", b.login("xuzhou", demo.Password), http.StatusTooManyRequests)
		wantStatus(t, "another account is not locked", b.login("nanjing", demo.Password), http.StatusOK)
		var u struct{ Locked bool }
		decodeBody(t, e.do("GET", "/api/v1/users/xuzhou", "admin", nil), &u)
		if !u.Locked {
			t.Error("the user does not show as locked")
		}
		// the failures are audited, the last one saying it locked the account
		var page struct {
			Items []struct {
				Action   string
				EntityID string `json:"entity_id"`
				After    map[string]any
			}
		}
		decodeBody(t, e.do("GET", "/api/v1/audit?action=login_failed&entity_id=xuzhou", "admin", nil), &page)
		// newest first: the try while locked, the fifth failure that locked, four before
		if len(page.Items) != 6 || page.Items[1].After["locked"] != true || page.Items[2].After["locked"] != false {
			t.Errorf("audited failures: %+v", page.Items)
		}
		// an administrator's reset unlocks
		wantStatus(t, "reset", e.do("POST", "/api/v1/users/xuzhou/password", "admin", map[string]any{"password": "a brand new one"}), http.StatusOK)
		wantStatus(t, "login after reset", e.browser().login("xuzhou", "a brand new one"), http.StatusOK)
	})
}

func TestMeAndPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var me struct {
			Name   string
			Grants []struct{ Role, Unit string }
			CSRF   *string `json:"csrf_token"`
		}
		decodeBody(t, e.do("GET", "/api/v1/me", "xuanwu", nil), &me)
		if me.Name != "xuanwu" || len(me.Grants) != 1 || me.Grants[0].Role != "data_entry" || me.Grants[0].Unit != "320102" || me.CSRF != nil {
			t.Errorf("me: %+v", me)
		}
		wantStatus(t, "me anonymous", e.do("GET", "/api/v1/me", "", nil), http.StatusUnauthorized)

		rec := e.do("POST", "/api/v1/me/password", "xuanwu", map[string]any{"old_password": "not it", "new_password": "a new secret"})
		wantField(t, "wrong old password", rec, 422, "old_password")
		if !strings.Contains(rec.Body.String(), "原密码不正确") {
			t.Errorf("wrong old password: %s", rec.Body.String())
		}
		wantField(t, "short new password", e.do("POST", "/api/v1/me/password", "xuanwu", map[string]any{"old_password": demo.Password, "new_password": "short"}), 422, "new_password")

		// a browser session of the same user ends when the password changes
		b := e.browser()
		wantStatus(t, "login", b.login("xuanwu", demo.Password), http.StatusOK)
		wantStatus(t, "change", e.do("POST", "/api/v1/me/password", "xuanwu", map[string]any{"old_password": demo.Password, "new_password": "a new secret"}), http.StatusNoContent)
		wantStatus(t, "the other session after the change", b.send("GET", "/api/v1/me", nil, false), http.StatusUnauthorized)
		wantStatus(t, "the old password", b.login("xuanwu", demo.Password), http.StatusUnauthorized)
		wantStatus(t, "the new password", b.login("xuanwu", "a new secret"), http.StatusOK)
	})
}

func TestUsersAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		user := func(name, role, unit string) map[string]any {
			return map[string]any{"name": name, "display_name": "测试" + name, "password": "password-1", "role": role, "unit": unit}
		}
		wantField(t, "role at a unit out of scope", e.do("POST", "/api/v1/users", "nanjing", user("qinhuai", "data_entry", "320300")), 422, "unit")
		wantField(t, "role at an unknown unit", e.do("POST", "/api/v1/users", "nanjing", user("qinhuai", "data_entry", "NOPE")), 422, "unit")
		wantField(t, "unit admin grants admin", e.do("POST", "/api/v1/users", "nanjing", user("qinhuai", "admin", "320104")), 422, "role")
		wantField(t, "unknown role", e.do("POST", "/api/v1/users", "nanjing", user("qinhuai", "boss", "320104")), 422, "role")
		wantField(t, "bad name", e.do("POST", "/api/v1/users", "nanjing", user("qin huai", "data_entry", "320104")), 422, "name")
		wantField(t, "short password", e.do("POST", "/api/v1/users", "nanjing", map[string]any{"name": "qinhuai", "password": "1234", "role": "viewer", "unit": "320104"}), 422, "password")
		wantStatus(t, "data entry creates a user", e.do("POST", "/api/v1/users", "xuanwu", user("qinhuai", "data_entry", "320102")), http.StatusForbidden)
		rec := e.do("POST", "/api/v1/users", "nanjing", user("qinhuai", "data_entry", "320104"))
		if wantStatus(t, "create", rec, http.StatusCreated) && rec.Header().Get("Location") != "/api/v1/users/qinhuai" {
			t.Errorf("create: Location %q", rec.Header().Get("Location"))
		}
		wantField(t, "duplicate name", e.do("POST", "/api/v1/users", "nanjing", user("qinhuai", "viewer", "320104")), 409, "name")
		wantField(t, "duplicate name elsewhere", e.do("POST", "/api/v1/users", "xuzhou", user("qinhuai", "viewer", "320302")), 409, "name")
		wantStatus(t, "the new user can log in", e.browser().login("qinhuai", "password-1"), http.StatusOK)
		wantStatus(t, "xuzhou does not see it", e.do("GET", "/api/v1/users/qinhuai", "xuzhou", nil), http.StatusNotFound)

		// grant and revoke
		var u struct {
			Grants []struct {
				ID         int64
				Role, Unit string
			}
		}
		decodeBody(t, e.do("POST", "/api/v1/users/qinhuai/grants", "nanjing", map[string]any{"role": "viewer", "unit": "320100"}), &u)
		if len(u.Grants) != 2 {
			t.Fatalf("after grant: %+v", u)
		}
		wantField(t, "grant out of scope", e.do("POST", "/api/v1/users/qinhuai/grants", "nanjing", map[string]any{"role": "viewer", "unit": "320300"}), 422, "unit")
		viewer := u.Grants[1].ID
		wantStatus(t, "revoke by another city", e.do("DELETE", fmt.Sprintf("/api/v1/users/qinhuai/grants/%d", viewer), "xuzhou", nil), http.StatusNotFound)
		decodeBody(t, e.do("DELETE", fmt.Sprintf("/api/v1/users/qinhuai/grants/%d", viewer), "nanjing", nil), &u)
		if len(u.Grants) != 1 || u.Grants[0].Role != "data_entry" {
			t.Errorf("after revoke: %+v", u)
		}
		wantStatus(t, "revoke twice", e.do("DELETE", fmt.Sprintf("/api/v1/users/qinhuai/grants/%d", viewer), "nanjing", nil), http.StatusNotFound)
		wantStatus(t, "revoke a bad id", e.do("DELETE", "/api/v1/users/qinhuai/grants/x", "nanjing", nil), http.StatusNotFound)

		// disable: sessions end, tokens stop
		b := e.browser()
		wantStatus(t, "login", b.login("qinhuai", "password-1"), http.StatusOK)
		wantField(t, "disable self", e.do("PATCH", "/api/v1/users/nanjing", "nanjing", map[string]any{"disabled": true}), 422, "disabled")
		wantStatus(t, "disable", e.do("PATCH", "/api/v1/users/qinhuai", "nanjing", map[string]any{"disabled": true}), http.StatusOK)
		wantStatus(t, "the disabled user's session", b.send("GET", "/api/v1/me", nil, false), http.StatusUnauthorized)
		wantStatus(t, "the disabled user logs in", b.login("qinhuai", "password-1"), http.StatusUnauthorized)
	})
}

// TestManagingUsersWithRolesElsewhere: seeing a user through one of its
// roles does not let a city administrator act as that user. Before the
// fix a unit admin of Nanjing could mint a token for, or reset the
// password of, anyone holding any role in Nanjing, administrators of
// the province included, and so act with all their roles.
func TestManagingUsersWithRolesElsewhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, s := range []struct {
			path string
			body map[string]any
		}{
			{"/api/v1/users", map[string]any{"name": "boss", "password": "password-1", "role": "admin", "unit": "320000"}},
			{"/api/v1/users/boss/grants", map[string]any{"role": "data_entry", "unit": "320102"}},
			{"/api/v1/users/admin/grants", map[string]any{"role": "viewer", "unit": "320104"}},
		} {
			if rec := e.do("POST", s.path, "admin", s.body); rec.Code >= 300 {
				t.Fatalf("set up %s: %d %s", s.path, rec.Code, rec.Body.String())
			}
		}
		for _, name := range []string{"boss", "admin"} {
			wantStatus(t, "see "+name, e.do("GET", "/api/v1/users/"+name, "nanjing", nil), http.StatusOK)
			wantStatus(t, "tokens of "+name, e.do("GET", "/api/v1/users/"+name+"/tokens", "nanjing", nil), http.StatusOK)
			for _, w := range []struct {
				method, path string
				body         any
			}{
				{"POST", "/api/v1/users/" + name + "/tokens", map[string]any{"name": "mine now"}},
				{"POST", "/api/v1/users/" + name + "/password", map[string]any{"password": "taken-over"}},
				{"PATCH", "/api/v1/users/" + name, map[string]any{"disabled": true}},
				{"POST", "/api/v1/users/" + name + "/grants", map[string]any{"role": "viewer", "unit": "320100"}},
				{"DELETE", "/api/v1/users/" + name + "/tokens/1", nil},
			} {
				wantStatus(t, w.method+" "+w.path+" by nanjing", e.do(w.method, w.path, "nanjing", w.body), http.StatusForbidden)
			}
		}
		var toks struct{ Items []any }
		decodeBody(t, e.do("GET", "/api/v1/users/boss/tokens", "admin", nil), &toks)
		if len(toks.Items) != 0 {
			t.Errorf("boss has tokens: %+v", toks.Items)
		}
		wantStatus(t, "boss keeps the password", e.browser().login("boss", "password-1"), http.StatusOK)
		// the role in Nanjing is still Nanjing's to take away, but not an admin role
		var boss struct {
			Grants []struct {
				ID   int64
				Role string
			}
		}
		decodeBody(t, e.do("GET", "/api/v1/users/boss", "admin", nil), &boss)
		for _, g := range boss.Grants {
			want := http.StatusOK
			if g.Role == "admin" {
				want = http.StatusNotFound // outside Nanjing
			}
			wantStatus(t, "revoke "+g.Role+" of boss", e.do("DELETE", fmt.Sprintf("/api/v1/users/boss/grants/%d", g.ID), "nanjing", nil), want)
		}
	})
}

func TestTokensAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rec := e.do("POST", "/api/v1/users/xuanwu/tokens", "xuanwu", map[string]any{"name": "夜间同步"})
		if !wantStatus(t, "create own token", rec, http.StatusCreated) {
			t.FailNow()
		}
		var tok struct {
			ID     int64
			Name   string
			Prefix string
			Secret string
		}
		decodeBody(t, rec, &tok)
		if !strings.HasPrefix(tok.Secret, "kx_") || !strings.HasPrefix(tok.Secret, tok.Prefix) || tok.Name != "夜间同步" {
			t.Fatalf("created: %+v", tok)
		}
		e.tokens["xuanwu-script"] = tok.Secret
		var me struct{ Name string }
		decodeBody(t, e.do("GET", "/api/v1/me", "xuanwu-script", nil), &me)
		if me.Name != "xuanwu" {
			t.Errorf("the new token is %q", me.Name)
		}
		rec = e.do("GET", "/api/v1/users/xuanwu/tokens", "xuanwu", nil)
		if strings.Contains(rec.Body.String(), tok.Secret) {
			t.Error("the token list shows a secret")
		}
		wantField(t, "over-long token name", e.do("POST", "/api/v1/users/xuanwu/tokens", "xuanwu", map[string]any{"name": strings.Repeat("名", 101)}), 422, "name")
		wantStatus(t, "tokens of another user", e.do("GET", "/api/v1/users/nanjing/tokens", "xuanwu", nil), http.StatusNotFound)
		wantStatus(t, "token for another user", e.do("POST", "/api/v1/users/nanjing/tokens", "xuanwu", map[string]any{}), http.StatusNotFound)
		wantStatus(t, "a unit admin makes one for its user", e.do("POST", "/api/v1/users/xuanwu/tokens", "nanjing", map[string]any{}), http.StatusCreated)
		wantStatus(t, "another city revokes it", e.do("DELETE", fmt.Sprintf("/api/v1/users/xuanwu/tokens/%d", tok.ID), "xuzhou", nil), http.StatusNotFound)

		wantStatus(t, "revoke", e.do("DELETE", fmt.Sprintf("/api/v1/users/xuanwu/tokens/%d", tok.ID), "xuanwu", nil), http.StatusNoContent)
		wantStatus(t, "the revoked token", e.do("GET", "/api/v1/me", "xuanwu-script", nil), http.StatusUnauthorized)
		wantStatus(t, "revoke twice", e.do("DELETE", fmt.Sprintf("/api/v1/users/xuanwu/tokens/%d", tok.ID), "xuanwu", nil), http.StatusNotFound)
		var list struct {
			Items []struct {
				ID      int64
				Revoked bool
			}
		}
		decodeBody(t, e.do("GET", "/api/v1/users/xuanwu/tokens", "xuanwu", nil), &list)
		for _, it := range list.Items {
			if it.ID == tok.ID && !it.Revoked {
				t.Error("the revoked token is listed as live")
			}
		}
		wantStatus(t, "the other tokens still work", e.do("GET", "/api/v1/me", "xuanwu", nil), http.StatusOK)
		e.tokens["forged"] = "kx_" + strings.Repeat("A", 40)
		wantStatus(t, "a forged token", e.do("GET", "/api/v1/me", "forged", nil), http.StatusUnauthorized)
	})
}

// auditEntry is an entry as the API answers it.
type auditEntry struct {
	ID       int64
	Actor    string
	Action   string
	Entity   string
	EntityID string `json:"entity_id"`
	Before   json.RawMessage
	After    json.RawMessage
}

func auditOf(t testing.TB, e *testEnv, user, query string) []auditEntry {
	t.Helper()
	var page struct{ Items []auditEntry }
	rec := e.do("GET", "/api/v1/audit?limit=500&"+query, user, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("audit %s: %d %s", query, rec.Code, rec.Body.String())
	}
	decodeBody(t, rec, &page)
	return page.Items
}

func TestAuditAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		steps := []struct {
			method, path, user string
			body               any
		}{
			{"POST", "/api/v1/units", "nanjing", map[string]any{"code": "ENT960", "type": "enterprise", "parent": "320102", "name_zh": "审计测试企业科协"}},
			{"PATCH", "/api/v1/units/ENT960", "nanjing", map[string]any{"name_en": "Audit Test AST"}},
			{"POST", "/api/v1/units/ENT960/move", "nanjing", map[string]any{"parent": "320104"}},
			{"POST", "/api/v1/users", "nanjing", map[string]any{"name": "auditee", "password": "password-1", "role": "viewer", "unit": "320104"}},
			{"POST", "/api/v1/users/auditee/grants", "nanjing", map[string]any{"role": "data_entry", "unit": "ENT960"}},
		}
		for _, s := range steps {
			if rec := e.do(s.method, s.path, s.user, s.body); rec.Code >= 300 {
				t.Fatalf("%s %s: %d %s", s.method, s.path, rec.Code, rec.Body.String())
			}
		}
		b := e.browser()
		b.login("auditee", "wrong")
		b.login("auditee", "password-1")

		has := func(entries []auditEntry, actor, action, entity, id string) *auditEntry {
			for i, x := range entries {
				if x.Actor == actor && x.Action == action && x.Entity == entity && x.EntityID == id {
					return &entries[i]
				}
			}
			t.Errorf("no audit entry %s %s %s %s", actor, action, entity, id)
			return nil
		}
		units := auditOf(t, e, "nanjing", "entity=unit&entity_id=ENT960")
		has(units, "nanjing", "create", "unit", "ENT960")
		has(units, "nanjing", "move", "unit", "ENT960")
		if x := has(units, "nanjing", "update", "unit", "ENT960"); x != nil {
			var before, after struct {
				NameEN string `json:"name_en"`
			}
			_ = json.Unmarshal(x.Before, &before)
			_ = json.Unmarshal(x.After, &after)
			if before.NameEN != "" || after.NameEN != "Audit Test AST" {
				t.Errorf("update recorded %s → %s", x.Before, x.After)
			}
		}
		if len(units) != 3 || units[0].Action != "move" {
			t.Errorf("entries of ENT960, newest first: %+v", units)
		}
		users := auditOf(t, e, "admin", "entity=user&entity_id=auditee")
		has(users, "nanjing", "create", "user", "auditee")
		has(users, "nanjing", "grant", "user", "auditee")
		has(users, "system", "login_failed", "user", "auditee")
		has(users, "auditee", "login", "user", "auditee")
		// a subtree's trail holds what happened there: ENT960 was created and
		// changed under 320102, then moved to 320104; another city's holds none
		for code, want := range map[string]int{"320102": 2, "320104": 1, "320100": 3} {
			if got := auditOf(t, e, "nanjing", "unit="+code+"&entity=unit&entity_id=ENT960"); len(got) != want {
				t.Errorf("trail of %s: %d entries of ENT960, want %d", code, len(got), want)
			}
		}
		wantStatus(t, "xuzhou reads Nanjing's trail", e.do("GET", "/api/v1/audit?unit=320100", "xuzhou", nil), http.StatusNotFound)
		if got := auditOf(t, e, "xuzhou", "entity=unit&entity_id=ENT960"); len(got) != 0 {
			t.Errorf("xuzhou sees %d entries of a Nanjing unit", len(got))
		}
		// paging backwards
		var page struct {
			Items      []auditEntry
			NextBefore int64 `json:"next_before"`
		}
		decodeBody(t, e.do("GET", "/api/v1/audit?limit=2", "admin", nil), &page)
		if len(page.Items) != 2 || page.NextBefore != page.Items[1].ID {
			t.Fatalf("first page: %+v", page)
		}
		decodeBody(t, e.do("GET", fmt.Sprintf("/api/v1/audit?limit=2&before=%d", page.NextBefore), "admin", nil), &page)
		if len(page.Items) == 0 || page.Items[0].ID >= page.NextBefore+2 {
			t.Errorf("second page: %+v", page.Items)
		}

		// nothing changes or deletes an entry
		all := auditOf(t, e, "admin", "")
		first := all[len(all)-1].ID
		for _, method := range []string{"PUT", "PATCH", "DELETE", "POST"} {
			for _, path := range []string{"/api/v1/audit", fmt.Sprintf("/api/v1/audit/%d", first), "/api/v1/units/320100/audit", "/api/v1/users/admin/audit"} {
				rec := e.do(method, path, "admin", map[string]any{"action": "forged"})
				if rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusNotFound {
					t.Errorf("%s %s: %d, want 405 or 404", method, path, rec.Code)
				}
			}
		}
		for _, rt := range (&Server{}).routes() {
			if strings.Contains(rt.Pattern, "audit") && rt.Method != http.MethodGet {
				t.Errorf("a route writes the audit log: %s %s", rt.Method, rt.Pattern)
			}
		}
		if again := auditOf(t, e, "admin", ""); len(again) != len(all) || again[len(again)-1].ID != first {
			t.Errorf("the audit log changed: %d entries, then %d", len(all), len(again))
		}
	})
}

func TestBodyLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		huge := `{"name_zh":"` + strings.Repeat("x", 1<<20) + `"}`
		for _, c := range []struct{ method, path, user string }{
			{"POST", "/api/v1/units", "admin"},
			{"PATCH", "/api/v1/units/320102", "admin"},
			{"POST", "/api/v1/session", ""},
			{"PATCH", "/api/v1/users/leader", "admin"},
		} {
			rec := e.do(c.method, c.path, c.user, huge)
			if wantStatus(t, "1 MiB+ body to "+c.path, rec, http.StatusRequestEntityTooLarge) && problemOf(t, rec).Type != "/problems/too-large" {
				t.Errorf("%s: %s", c.path, rec.Body.String())
			}
		}
		// just under the limit is read (and refused for what it says)
		wantField(t, "1 MiB − 100 bytes", e.do("PATCH", "/api/v1/units/320102", "admin", `{"name_zh":"`+strings.Repeat("x", 1<<20-100)+`"}`), 422, "name_zh")

		long := strings.Repeat("长", 101)
		for _, c := range []struct {
			method, path string
			body         any
			field        string
		}{
			{"POST", "/api/v1/units", map[string]any{"code": "ENT970", "type": "enterprise", "parent": "320102", "name_zh": long}, "name_zh"},
			{"POST", "/api/v1/units", map[string]any{"code": strings.Repeat("C", 33), "type": "enterprise", "parent": "320102", "name_zh": "x"}, "code"},
			{"PATCH", "/api/v1/units/320102", map[string]any{"name_en": strings.Repeat("e", 201)}, "name_en"},
			{"PATCH", "/api/v1/users/leader", map[string]any{"display_name": long}, "display_name"},
			{"POST", "/api/v1/users", map[string]any{"name": strings.Repeat("n", 65), "password": "password-1", "role": "viewer", "unit": "320100"}, "name"},
			{"POST", "/api/v1/users/leader/password", map[string]any{"password": strings.Repeat("p", 201)}, "password"},
			{"GET", "/api/v1/units?q=" + strings.Repeat("q", 101), nil, "q"},
		} {
			wantField(t, "over-long "+c.field, e.do(c.method, c.path, "admin", c.body), 422, c.field)
		}
		// nothing of the refused requests was written
		wantStatus(t, "refused unit", e.do("GET", "/api/v1/units/ENT970", "admin", nil), http.StatusNotFound)
		var u struct {
			NameZH  string `json:"name_zh"`
			Version int
		}
		decodeBody(t, e.do("GET", "/api/v1/units/320102", "admin", nil), &u)
		if u.NameZH != "玄武区科学技术协会" || u.Version != 1 {
			t.Errorf("320102 after refused updates: %+v", u)
		}
	})
}
