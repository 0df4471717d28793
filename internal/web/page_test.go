package web

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kexie/internal/auth"
	"kexie/internal/demo"
	"kexie/internal/i18n"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// session is a browser's cookie session on the test server.
type session struct {
	e       *testEnv
	cookies []*http.Cookie
	csrf    string
}

var csrfRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// login logs in through the login form, as a person does.
func (e *testEnv) login(name, password string) *session {
	e.t.Helper()
	s := &session{e: e}
	rec := s.send("POST", "/login", url.Values{"name": {name}, "password": {password}}, false)
	if rec.Code != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d: %s", name, rec.Code, rec.Body.String())
	}
	s.keep(rec)
	home := s.get("/")
	m := csrfRE.FindStringSubmatch(home.Body.String())
	if m == nil {
		e.t.Fatalf("login %s: no CSRF token on the home page", name)
	}
	s.csrf = m[1]
	return s
}

func (s *session) keep(rec *httptest.ResponseRecorder) {
	for _, c := range rec.Result().Cookies() {
		kept := s.cookies[:0]
		for _, old := range s.cookies {
			if old.Name != c.Name {
				kept = append(kept, old)
			}
		}
		s.cookies = kept
		if c.MaxAge >= 0 {
			s.cookies = append(s.cookies, c)
		}
	}
}

func (s *session) send(method, path string, form url.Values, csrf bool) *httptest.ResponseRecorder {
	s.e.t.Helper()
	var req *http.Request
	if form != nil {
		if csrf {
			form.Set("csrf_token", s.csrf)
		}
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.e.srv.ServeHTTP(rec, req)
	return rec
}

func (s *session) get(path string) *httptest.ResponseRecorder { return s.send("GET", path, nil, false) }

// post sends a form with the session's CSRF token.
func (s *session) post(path string, form url.Values) *httptest.ResponseRecorder {
	rec := s.send("POST", path, form, true)
	s.keep(rec)
	return rec
}

func TestPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		users := map[string]*session{}
		for _, a := range demo.Accounts {
			users[a.Name] = e.login(a.Name, demo.Password)
		}
		anon := &session{e: e}
		cases := []struct {
			name, user, path string
			status           int
			want, wantNot    []string
			htmx             bool
		}{
			{"anonymous is sent to log in", "", "/units", 303, nil, nil, false},
			{"tree of the province", "admin", "/units", 200, []string{"江苏省科学技术协会", "南京市科学技术协会", `hx-get="/units/320100/children"`}, nil, false},
			{"tree of a city", "nanjing", "/units", 200, []string{"南京市科学技术协会", "玄武区科学技术协会"}, []string{"徐州市"}, false},
			{"search by Chinese name", "admin", "/units?q=" + url.QueryEscape("玄武"), 200, []string{"/units/320102", "找到 1 个组织"}, nil, false},
			{"search stays in scope", "xuzhou", "/units?q=" + url.QueryEscape("玄武"), 200, []string{"没有符合条件的组织"}, []string{"/units/320102"}, false},
			{"filter by type", "nanjing", "/units?type=county", 200, []string{"320102", "320104"}, []string{"320300"}, false},
			{"bad paging names the field", "admin", "/units?q=x&page=x", 422, []string{"页码"}, nil, false},
			{"children fragment", "admin", "/units/320100/children", 200, []string{"320102", `class="tree"`}, []string{"<html"}, true},
			{"children fragment out of scope", "nanjing", "/units/320300/children", 404, nil, nil, true},
			{"children without htmx go to the page", "admin", "/units/320100/children", 303, nil, nil, false},
			{"unit page", "nanjing", "/units/320102", 200, []string{"玄武区科学技术协会", "320102", "南京市科学技术协会", `action="/units/320102/edit"`, "最近操作"}, nil, false},
			{"unit page without write", "xuanwu", "/units/320102", 200, []string{"玄武区科学技术协会"}, []string{`action="/units/320102/edit"`, "最近操作"}, false},
			{"unit page of the viewer", "leader", "/units/320000", 200, []string{"下级组织"}, []string{`/edit"`}, false},
			{"unit out of scope is 404", "nanjing", "/units/320300", 404, []string{"找不到"}, nil, false},
			{"unknown unit is 404", "admin", "/units/nope", 404, nil, nil, false},
			{"unit page in English", "admin", "/units/320102?lang=en", 200, []string{"Xuanwu District Association", "Units below"}, nil, false},
			{"users list", "admin", "/users", 200, []string{"nanjing", "xuanwu", "单位管理员"}, nil, false},
			{"users of a city", "nanjing", "/users", 200, []string{"xuanwu"}, []string{">xuzhou<"}, false},
			{"users search", "admin", "/users?q=nan", 200, []string{"nanjing"}, []string{">xuzhou<"}, false},
			{"users need user admin", "leader", "/users", 403, nil, nil, false},
			{"user page", "nanjing", "/users/xuanwu", 200, []string{"玄武区科协填报员", "填报员", `/users/xuanwu/grants`, "API 令牌"}, nil, false},
			{"user out of scope is 404", "nanjing", "/users/xuzhou", 404, nil, nil, false},
			{"audit", "admin", "/audit", 200, []string{"操作日志", "新建"}, nil, false},
			{"audit by unit", "nanjing", "/audit?unit=320102", 200, []string{"320102"}, nil, false},
			{"audit unit out of scope", "nanjing", "/audit?unit=320300", 422, []string{"找不到组织 320300"}, nil, false},
			{"audit unknown actor", "nanjing", "/audit?actor=xuzhou", 422, []string{"找不到用户 xuzhou"}, nil, false},
			{"audit bad before", "admin", "/audit?before=x", 422, []string{"应为整数"}, nil, false},
			{"audit needs the permission", "leader", "/audit", 403, nil, nil, false},
			{"inspector reads audit", "inspector", "/audit", 200, []string{"操作日志"}, nil, false},
			{"account", "xuanwu", "/account", 200, []string{"玄武区科协填报员", "修改密码", "API 令牌"}, nil, false},
		}
		for _, c := range cases {
			s := anon
			if c.user != "" {
				s = users[c.user]
			}
			req := httptest.NewRequest("GET", c.path, nil)
			for _, ck := range s.cookies {
				req.AddCookie(ck)
			}
			if c.htmx {
				req.Header.Set("HX-Request", "true")
			}
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != c.status {
				t.Errorf("%s: GET %s as %q: status %d, want %d", c.name, c.path, c.user, rec.Code, c.status)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: GET %s as %q: body lacks %q", c.name, c.path, c.user, w)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("%s: GET %s as %q: body has %q", c.name, c.path, c.user, w)
				}
			}
		}
	})
}

// formCase is one form post and what it must answer.
type formCase struct {
	name, user, path string
	form             url.Values
	status           int
	want             []string // in the body (refusals) or the Location (redirects)
}

func runForms(t *testing.T, users map[string]*session, cases []formCase) {
	t.Helper()
	for _, c := range cases {
		rec := users[c.user].post(c.path, c.form)
		if rec.Code != c.status {
			t.Errorf("%s: POST %s as %s: status %d, want %d: %.300s", c.name, c.path, c.user, rec.Code, c.status, rec.Body.String())
			continue
		}
		got := rec.Body.String()
		if rec.Code == http.StatusSeeOther {
			got = rec.Header().Get("Location")
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: POST %s as %s: answer lacks %q: %.300s", c.name, c.path, c.user, w, got)
			}
		}
	}
}

func TestUnitForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		users := map[string]*session{"nanjing": e.login("nanjing", demo.Password), "leader": e.login("leader", demo.Password),
			"xuanwu": e.login("xuanwu", demo.Password)}
		edit := func(zh, en, opened, version string) url.Values {
			return url.Values{"name_zh": {zh}, "name_en": {en}, "type": {"county"}, "opened_on": {opened}, "groups": {"reform_county"}, "version": {version}}
		}
		runForms(t, users, []formCase{
			{"empty name", "nanjing", "/units/320102/edit", edit("", "x", "", "1"), 422, []string{"中文名称：必须填写", `aria-invalid="true"`, `value="x"`}},
			{"bad date", "nanjing", "/units/320102/edit", edit("玄武区科学技术协会", "", "2021-02-30", "1"), 422, []string{"日期格式不正确"}},
			{"stale version", "nanjing", "/units/320102/edit", edit("玄武区科学技术协会", "", "", "99"), 409, []string{"数据已被他人修改"}},
			{"edit", "nanjing", "/units/320102/edit", edit("玄武区科学技术协会", "Xuanwu AST", "1993-05-01", "1"), 303, []string{"/units/320102?done=unit_saved"}},
			{"viewer may not edit", "leader", "/units/320102/edit", edit("x", "", "", ""), 403, []string{"没有权限"}},
			{"data entry may not edit", "xuanwu", "/units/320102/edit", edit("x", "", "", ""), 403, nil},
			{"edit out of scope", "nanjing", "/units/320300/edit", edit("x", "", "", ""), 404, nil},
			{"bad child code", "nanjing", "/units/320102/children", url.Values{"code": {"坏 代码"}, "type": {"enterprise"}, "name_zh": {"测试"}}, 422, []string{"代码只能由字母"}},
			{"child without type", "nanjing", "/units/320102/children", url.Values{"code": {"ENT990"}, "name_zh": {"测试"}}, 422, []string{"类型：必须填写"}},
			{"create child", "nanjing", "/units/320102/children", url.Values{"code": {"ENT990"}, "type": {"enterprise"}, "name_zh": {"测试企业科协"}}, 303, []string{"/units/ENT990?done=unit_created"}},
			{"duplicate child", "nanjing", "/units/320102/children", url.Values{"code": {"ENT990"}, "type": {"enterprise"}, "name_zh": {"重复"}}, 409, []string{"代码 ENT990 已被其他组织使用"}},
			{"move out of scope", "nanjing", "/units/ENT990/move", url.Values{"parent": {"320300"}}, 422, []string{"找不到上级组织 320300"}},
			{"move", "nanjing", "/units/ENT990/move", url.Values{"parent": {"320104"}}, 303, []string{"done=unit_moved"}},
			{"close with open children", "nanjing", "/units/320104/close", url.Values{"closed_on": {"2021-07-01"}}, 409, []string{"还有 "}},
			{"close without date", "nanjing", "/units/ENT990/close", url.Values{"closed_on": {""}}, 422, []string{"撤销日期：必须填写"}},
			{"close", "nanjing", "/units/ENT990/close", url.Values{"closed_on": {"2021-07-01"}}, 303, []string{"done=unit_closed"}},
			{"reopen", "nanjing", "/units/ENT990/reopen", url.Values{}, 303, []string{"done=unit_reopened"}},
			{"reopen an open unit", "nanjing", "/units/ENT990/reopen", url.Values{}, 409, []string{"该组织没有撤销"}},
		})
		u, err := e.app.Units.Get(t.Context(), unit.Everything(), "320102")
		if err != nil {
			t.Fatal(err)
		}
		if u.NameEN != "Xuanwu AST" || u.OpenedOn != "1993-05-01" || len(u.Groups) != 1 || u.Groups[0] != "reform_county" {
			t.Errorf("after the edit form: %+v", u)
		}
		moved, err := e.app.Units.Get(t.Context(), unit.Everything(), "ENT990")
		if err != nil {
			t.Fatal(err)
		}
		if moved.Parent != "320104" || moved.Closed() {
			t.Errorf("after move, close and reopen: %+v", moved)
		}
		// the notice shows after the redirect, and the audit shows the change
		if body := users["nanjing"].get("/units/320102?done=unit_saved").Body.String(); !strings.Contains(body, "已保存") || !strings.Contains(body, "Xuanwu AST") {
			t.Errorf("unit page after save lacks the notice or the new name")
		}
		audit := users["nanjing"].get("/audit?entity=unit&entity_id=320102&action=update").Body.String()
		for _, w := range []string{"英文名称", "Xuanwu AST", "成立日期", "1993-05-01"} {
			if !strings.Contains(audit, w) {
				t.Errorf("audit of the edit lacks %q", w)
			}
		}
		// a form without the CSRF token is refused and changes nothing
		rec := users["nanjing"].send("POST", "/units/320102/edit", edit("被篡改", "", "", ""), false)
		if rec.Code != http.StatusForbidden {
			t.Errorf("POST without CSRF token: status %d, want 403", rec.Code)
		}
		rec = users["nanjing"].send("POST", "/units/320102/edit", url.Values{"csrf_token": {"wrong"}, "name_zh": {"被篡改"}}, false)
		if rec.Code != http.StatusForbidden {
			t.Errorf("POST with a wrong CSRF token: status %d, want 403", rec.Code)
		}
		if u, _ := e.app.Units.Get(t.Context(), unit.Everything(), "320102"); u.NameZH != "玄武区科学技术协会" {
			t.Errorf("refused post changed the unit: %q", u.NameZH)
		}
	})
}

var secretRE = regexp.MustCompile(`<code class="secret-value">([^<]+)</code>`)

func TestUserAndAccountForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		users := map[string]*session{"nanjing": e.login("nanjing", demo.Password), "xuanwu": e.login("xuanwu", demo.Password),
			"leader": e.login("leader", demo.Password)}
		newUser := func(name, pw, role, unit string) url.Values {
			return url.Values{"name": {name}, "display_name": {"鼓楼区科协"}, "password": {pw}, "role": {role}, "unit": {unit}}
		}
		runForms(t, users, []formCase{
			{"short password", "nanjing", "/users", newUser("gulou", "short", "data_entry", "320106"), 422, []string{"密码至少 8 位", `value="gulou"`}},
			{"bad name", "nanjing", "/users", newUser("a b", "long-enough", "data_entry", "320106"), 422, []string{"用户名不能为空"}},
			{"unit out of scope", "nanjing", "/users", newUser("gulou", "long-enough", "data_entry", "320300"), 422, []string{"找不到组织 320300"}},
			{"admin not grantable", "nanjing", "/users", newUser("gulou", "long-enough", "admin", "320106"), 422, []string{"只有系统管理员"}},
			{"viewer may not add users", "leader", "/users", newUser("gulou", "long-enough", "data_entry", "320106"), 403, nil},
			{"create user", "nanjing", "/users", newUser("gulou", "long-enough", "data_entry", "320106"), 303, []string{"/users/gulou?done=user_created"}},
			{"taken name", "nanjing", "/users", newUser("gulou", "long-enough", "data_entry", "320106"), 409, []string{"用户名 gulou 已被使用"}},
			{"grant out of scope", "nanjing", "/users/gulou/grants", url.Values{"role": {"viewer"}, "unit": {"320300"}}, 422, []string{"找不到组织 320300"}},
			{"grant", "nanjing", "/users/gulou/grants", url.Values{"role": {"viewer"}, "unit": {"320100"}}, 303, []string{"done=grant_added"}},
			{"profile", "nanjing", "/users/gulou/profile", url.Values{"display_name": {"鼓楼区科协填报员"}}, 303, []string{"done=user_saved"}},
			{"disable", "nanjing", "/users/gulou/disable", url.Values{}, 303, []string{"done=user_disabled"}},
			{"disable self", "nanjing", "/users/nanjing/disable", url.Values{}, 422, []string{"不能停用自己的账号"}},
			{"enable", "nanjing", "/users/gulou/enable", url.Values{}, 303, []string{"done=user_enabled"}},
			{"user out of scope", "nanjing", "/users/xuzhou/disable", url.Values{}, 404, nil},
			{"password mismatch", "xuanwu", "/account/password", url.Values{"old_password": {demo.Password}, "new_password": {"new-secret-1"}, "new_password2": {"new-secret-2"}}, 422, []string{"两次输入的新密码不一致"}},
			{"wrong old password", "xuanwu", "/account/password", url.Values{"old_password": {"nope"}, "new_password": {"new-secret-1"}, "new_password2": {"new-secret-1"}}, 422, []string{"原密码不正确"}},
			{"short new password", "xuanwu", "/account/password", url.Values{"old_password": {demo.Password}, "new_password": {"short"}, "new_password2": {"short"}}, 422, []string{"新密码：密码至少 8 位"}},
			{"change password", "xuanwu", "/account/password", url.Values{"old_password": {demo.Password}, "new_password": {"new-secret-1"}, "new_password2": {"new-secret-1"}}, 303, []string{"done=password_changed"}},
			{"bad locale", "xuanwu", "/account/prefs", url.Values{"display_name": {"玄武"}, "locale": {"fr"}}, 422, []string{"不是可选的值"}},
		})
		g, err := e.app.Auth.UserByName(t.Context(), nil, "gulou")
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Grants) != 2 || g.DisplayName != "鼓楼区科协填报员" || g.Disabled {
			t.Fatalf("after the user forms: %+v", g)
		}
		// revoke the grant made above, through its button
		var viewerGrant int64
		for _, gr := range g.Grants {
			if gr.Role == auth.RoleViewer {
				viewerGrant = gr.ID
			}
		}
		if rec := users["nanjing"].post("/users/gulou/grants/"+itoa(viewerGrant)+"/revoke", url.Values{}); rec.Code != http.StatusSeeOther {
			t.Errorf("revoke: status %d", rec.Code)
		}
		if g, _ := e.app.Auth.UserByName(t.Context(), nil, "gulou"); len(g.Grants) != 1 {
			t.Errorf("after revoke: %+v", g.Grants)
		}
		// a reset shows the new password once, and it works
		rec := users["nanjing"].post("/users/gulou/password", url.Values{})
		m := secretRE.FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusOK || m == nil {
			t.Fatalf("reset password: status %d, no password shown", rec.Code)
		}
		e.login("gulou", m[1])
		if body := users["nanjing"].get("/users/gulou").Body.String(); strings.Contains(body, m[1]) {
			t.Errorf("the reset password shows again")
		}
		// the changed own password works; the old one no longer does
		e.login("xuanwu", "new-secret-1")
		if rec := (&session{e: e}).send("POST", "/login", url.Values{"name": {"xuanwu"}, "password": {demo.Password}}, false); rec.Code != http.StatusUnauthorized {
			t.Errorf("old password after change: status %d", rec.Code)
		}
		// an API token: made, shown once, usable, revoked
		rec = users["xuanwu"].post("/account/tokens", url.Values{"name": {"同步脚本"}})
		m = secretRE.FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusCreated || m == nil || !strings.HasPrefix(m[1], "kx_") {
			t.Fatalf("create token: status %d, secret %v", rec.Code, m)
		}
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		got := httptest.NewRecorder()
		e.srv.ServeHTTP(got, req)
		if got.Code != http.StatusOK {
			t.Errorf("new token: status %d", got.Code)
		}
		toks, err := e.app.Auth.Tokens(t.Context(), nil, "xuanwu")
		if err != nil {
			t.Fatal(err)
		}
		last := toks[len(toks)-1]
		if rec := users["xuanwu"].post("/account/tokens/"+itoa(last.ID)+"/revoke", url.Values{}); rec.Code != http.StatusSeeOther {
			t.Errorf("revoke token: status %d", rec.Code)
		}
		got = httptest.NewRecorder()
		e.srv.ServeHTTP(got, req)
		if got.Code != http.StatusUnauthorized {
			t.Errorf("revoked token: status %d", got.Code)
		}
		// someone else's token is not found from one's own account page
		other, err := e.app.Auth.Tokens(t.Context(), nil, "nanjing")
		if err != nil {
			t.Fatal(err)
		}
		if rec := users["xuanwu"].post("/account/tokens/"+itoa(other[0].ID)+"/revoke", url.Values{}); rec.Code != http.StatusNotFound {
			t.Errorf("revoking another's token: status %d, want 404", rec.Code)
		}
		// the language preference takes effect at once
		rec = users["xuanwu"].post("/account/prefs", url.Values{"display_name": {"玄武区科协填报员"}, "locale": {"en"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("prefs: status %d", rec.Code)
		}
		if body := users["xuanwu"].get("/account?done=prefs_saved").Body.String(); !strings.Contains(body, "Your settings were saved") {
			t.Errorf("account page after choosing English is not in English")
		}
		if u, _ := e.app.Auth.UserByName(t.Context(), nil, "xuanwu"); u.Locale != "en" {
			t.Errorf("locale not saved: %q", u.Locale)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var tKeyRE = regexp.MustCompile(`\.T\s+"([^"]+)"`)

// Every key a template translates exists in both languages.
func TestTemplateKeysExist(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	err = fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFiles, path)
		if err != nil {
			return err
		}
		for _, m := range tKeyRE.FindAllStringSubmatch(string(b), -1) {
			seen++
			for _, lang := range i18n.Langs {
				if !cat.Has(lang, m[1]) {
					t.Errorf("%s: key %q missing in %s", path, m[1], lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 100 {
		t.Errorf("found only %d keys in the templates: is the pattern still right?", seen)
	}
	// the keys pages build from a name (actions, entities, roles)
	for _, k := range append(append([]string{}, auditActions...), auditEntities...) {
		for _, lang := range i18n.Langs {
			key := "audit.action." + k
			if !slices.Contains(auditActions, k) {
				key = "audit.entity." + k
			}
			if !cat.Has(lang, key) {
				t.Errorf("key %q missing in %s", key, lang)
			}
		}
	}
	for _, r := range auth.Roles {
		for _, lang := range i18n.Langs {
			if !cat.Has(lang, "role."+string(r)) {
				t.Errorf("key role.%s missing in %s", r, lang)
			}
		}
	}
}

// A node with more children than one expansion shows loads the rest on demand.
func TestTreeShowsMore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var many []unit.Create
		for i := range treePerPage + 1 {
			many = append(many, unit.Create{Code: fmt.Sprintf("ENT7%03d", i), Type: "enterprise", Parent: "320102",
				NameZH: fmt.Sprintf("测试企业科协%03d", i), Groups: []string{}})
		}
		if _, err := e.app.Units.CreateMany(t.Context(), unit.System(), many); err != nil {
			t.Fatal(err)
		}
		s := e.login("xuanwu", demo.Password)
		get := func(path string) string {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("HX-Request", "true")
			for _, c := range s.cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d", path, rec.Code)
			}
			return rec.Body.String()
		}
		first := get("/units/320102/children")
		if !strings.Contains(first, "ENT7000") || strings.Contains(first, "ENT7100") || !strings.Contains(first, `hx-get="/units/320102/children?page=2"`) {
			t.Errorf("first page of children: wrong items or no link to more")
		}
		second := get("/units/320102/children?page=2")
		if !strings.Contains(second, "ENT7100") || strings.Contains(second, "ENT7000") || strings.Contains(second, "children?page=3") {
			t.Errorf("second page of children: wrong items or a link past the end")
		}
	})
}
