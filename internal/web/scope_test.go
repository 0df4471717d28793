package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// The scope matrix: every demo role × units inside and outside its subtree
// × every endpoint that takes a unit or a user, each answer checked
// against what the role may do there. A later feature adds its endpoints
// as rows of unitEndpoints or userEndpoints.

// need is the permission an endpoint needs on its unit.
type need int

const (
	needRead      need = iota // see the unit
	needUnitWrite             // change units
	needAudit                 // read the audit log
)

func (n need) String() string {
	return [...]string{"read", "unit write", "audit"}[n]
}

// denied is the answer for a unit the caller reads without n there: a
// write is forbidden (403); a unit's audit trail is a record of the audit
// scope, and outside it does not exist (404).
func (n need) denied() int {
	if n == needAudit {
		return http.StatusNotFound
	}
	return http.StatusForbidden
}

const (
	rootPath    = "/320000/"
	nanjingPath = "/320000/320100/"
	xuzhouPath  = "/320000/320300/"
	xuanwuPath  = "/320000/320100/320102/"
)

// scopeUser is a demo account and the subtrees its role reaches, written
// out by hand from the role table so the matrix does not trust the code
// it tests.
type scopeUser struct {
	name      string
	read      []string
	unitWrite []string
	audit     []string
	userAdmin []string
	admin     bool // holds the admin role (may manage administrators)
}

func (u scopeUser) roots(n need) []string {
	switch n {
	case needUnitWrite:
		return u.unitWrite
	case needAudit:
		return u.audit
	}
	return u.read
}

var scopeUsers = []scopeUser{
	{name: "admin", read: []string{rootPath}, unitWrite: []string{rootPath}, audit: []string{rootPath}, userAdmin: []string{rootPath}, admin: true},
	{name: "leader", read: []string{rootPath}},
	{name: "nanjing", read: []string{nanjingPath}, unitWrite: []string{nanjingPath}, audit: []string{nanjingPath}, userAdmin: []string{nanjingPath}},
	{name: "xuzhou", read: []string{xuzhouPath}, unitWrite: []string{xuzhouPath}, audit: []string{xuzhouPath}, userAdmin: []string{xuzhouPath}},
	{name: "xuanwu", read: []string{xuanwuPath}},
	{name: "inspector", read: []string{rootPath}, audit: []string{rootPath}},
}

// scopeUnits are units inside and outside each demo account's subtree:
// the root, two cities, counties of each, a leaf beside a unit with
// children, and a society directly under the root.
var scopeUnits = []string{"320000", "320100", "320102", "320104", "320300", "320302", "SOC001"}

// unitEndpoint is one row of the matrix: a request about a unit and the
// permission it needs. Writes send bodies that pass the scope checks but
// change nothing (a stale version, a move under itself), except close,
// which reopen then undoes.
type unitEndpoint struct {
	name string
	need need
	list bool // answers {"items": …} to be checked for out-of-scope items
	req  func(code string) (method, path string, body any)
}

var unitEndpoints = []unitEndpoint{
	{"get unit", needRead, false, func(c string) (string, string, any) { return "GET", "/api/v1/units/" + c, nil }},
	{"children", needRead, true, func(c string) (string, string, any) {
		return "GET", "/api/v1/units/" + c + "/children?closed=true&per_page=500", nil
	}},
	{"list under", needRead, true, func(c string) (string, string, any) {
		return "GET", "/api/v1/units?closed=true&per_page=500&under=" + c, nil
	}},
	{"unit audit", needAudit, true, func(c string) (string, string, any) { return "GET", "/api/v1/units/" + c + "/audit?limit=500", nil }},
	{"audit of unit", needAudit, true, func(c string) (string, string, any) { return "GET", "/api/v1/audit?limit=500&unit=" + c, nil }},
	{"update", needUnitWrite, false, func(c string) (string, string, any) {
		return "PATCH", "/api/v1/units/" + c, map[string]any{"name_en": "changed by the matrix", "version": -1}
	}},
	{"move", needUnitWrite, false, func(c string) (string, string, any) {
		return "POST", "/api/v1/units/" + c + "/move", map[string]any{"parent": c}
	}},
	{"close", needUnitWrite, false, func(c string) (string, string, any) {
		return "POST", "/api/v1/units/" + c + "/close", map[string]any{"closed_on": "2021-07-01"}
	}},
	{"reopen", needUnitWrite, false, func(c string) (string, string, any) { return "POST", "/api/v1/units/" + c + "/reopen", nil }},
}

// userEndpoint is one row of the users part of the matrix. A user is
// visible to those whose user-admin scope holds one of its grants; manage
// endpoints change the account as a whole and also need every grant of
// it inside that scope. self endpoints are open to the user itself.
type userEndpoint struct {
	name   string
	manage bool
	self   bool
	req    func(name string) (method, path string, body any)
}

var userEndpoints = []userEndpoint{
	{"get user", false, false, func(n string) (string, string, any) { return "GET", "/api/v1/users/" + n, nil }},
	{"user audit", false, false, func(n string) (string, string, any) { return "GET", "/api/v1/users/" + n + "/audit", nil }},
	{"list tokens", false, true, func(n string) (string, string, any) { return "GET", "/api/v1/users/" + n + "/tokens", nil }},
	{"update user", true, false, func(n string) (string, string, any) {
		return "PATCH", "/api/v1/users/" + n, map[string]any{"locale": "fr"}
	}},
	{"reset password", true, false, func(n string) (string, string, any) {
		return "POST", "/api/v1/users/" + n + "/password", map[string]any{"password": "short"}
	}},
	{"grant", true, false, func(n string) (string, string, any) {
		return "POST", "/api/v1/users/" + n + "/grants", map[string]any{"role": "no_such_role", "unit": "320102"}
	}},
	{"create token", true, true, func(n string) (string, string, any) {
		return "POST", "/api/v1/users/" + n + "/tokens", map[string]any{"name": "matrix"}
	}},
}

// scopeWorld is what the matrix knows of the demo, read as the admin.
type scopeWorld struct {
	units  map[string]unitInfo // by code
	grants map[string][]grantInfo
	names  map[string]string // user → display name
}

type unitInfo struct{ Code, Path, NameZH, NameEN string }

type grantInfo struct{ Role, Path string }

func within(roots []string, path string) bool {
	for _, r := range roots {
		if strings.HasPrefix(path, r) {
			return true
		}
	}
	return false
}

func loadScopeWorld(t *testing.T, e *testEnv) scopeWorld {
	t.Helper()
	w := scopeWorld{units: map[string]unitInfo{}, grants: map[string][]grantInfo{}, names: map[string]string{}}
	var units struct {
		Items []struct {
			Code, Path string
			NameZH     string `json:"name_zh"`
			NameEN     string `json:"name_en"`
		}
		Total int
	}
	decodeBody(t, e.do("GET", "/api/v1/units?closed=true&per_page=500", "admin", nil), &units)
	if units.Total > len(units.Items) || units.Total < 100 {
		t.Fatalf("the admin sees %d of %d units", len(units.Items), units.Total)
	}
	for _, u := range units.Items {
		w.units[u.Code] = unitInfo{u.Code, u.Path, u.NameZH, u.NameEN}
	}
	var users struct {
		Items []struct {
			Name        string
			DisplayName string `json:"display_name"`
			Grants      []struct{ Role, Unit string }
		}
	}
	decodeBody(t, e.do("GET", "/api/v1/users?per_page=500", "admin", nil), &users)
	for _, u := range users.Items {
		w.names[u.Name] = u.DisplayName
		for _, g := range u.Grants {
			w.grants[u.Name] = append(w.grants[u.Name], grantInfo{g.Role, w.units[g.Unit].Path})
		}
	}
	return w
}

// setUpScope adds what the matrix needs beyond the demo: a user holding
// roles in two cities, and unit-less audit entries (a login).
func setUpScope(t *testing.T, e *testEnv) {
	t.Helper()
	steps := []struct {
		method, path string
		body         any
		status       int
	}{
		{"POST", "/api/v1/users", map[string]any{"name": "straddle", "display_name": "两地兼职", "password": "straddle-pw", "role": "data_entry", "unit": "320102"}, 201},
		{"POST", "/api/v1/users/straddle/grants", map[string]any{"role": "viewer", "unit": "320302"}, 200},
	}
	for _, s := range steps {
		if rec := e.do(s.method, s.path, "admin", s.body); rec.Code != s.status {
			t.Fatalf("set up: %s %s: %d %s", s.method, s.path, rec.Code, rec.Body.String())
		}
	}
	if rec := e.do("POST", "/api/v1/session", "", map[string]any{"name": "leader", "password": "kexie-demo"}); rec.Code != http.StatusOK {
		t.Fatalf("set up: login: %d %s", rec.Code, rec.Body.String())
	}
	e.do("POST", "/api/v1/session", "", map[string]any{"name": "leader", "password": "wrong"})
}

func TestScopeMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		setUpScope(t, e)
		w := loadScopeWorld(t, e)
		cases := 0
		for _, u := range scopeUsers {
			for _, code := range scopeUnits {
				unit, ok := w.units[code]
				if !ok {
					t.Fatalf("the demo lacks unit %s", code)
				}
				for _, ep := range unitEndpoints {
					cases++
					w.checkUnitCase(t, e, u, unit, ep)
				}
			}
			for _, target := range append(namesOf(scopeUsers), "straddle") {
				for _, ep := range userEndpoints {
					cases++
					w.checkUserCase(t, e, u, target, ep)
				}
			}
			cases += w.checkLists(t, e, u)
		}
		t.Logf("scope matrix: %d cases", cases)
	})
}

func namesOf(us []scopeUser) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, u.name)
	}
	return out
}

func (w scopeWorld) checkUnitCase(t *testing.T, e *testEnv, u scopeUser, unit unitInfo, ep unitEndpoint) {
	t.Helper()
	method, path, body := ep.req(unit.Code)
	rec := e.do(method, path, u.name, body)
	where := fmt.Sprintf("%s (%s on %s) as %s: %s %s", ep.name, ep.need, unit.Code, u.name, method, path)
	switch {
	case !within(u.read, unit.Path):
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: outside the read scope: status %d, want 404: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
		for _, name := range []string{unit.NameZH, unit.NameEN} {
			if name != "" && strings.Contains(rec.Body.String(), name) {
				t.Errorf("%s: the answer reveals the unit's name %q", where, name)
			}
		}
		return
	case ep.need == needRead:
		if rec.Code != http.StatusOK {
			t.Errorf("%s: inside the read scope: status %d, want 200: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
	case !within(u.roots(ep.need), unit.Path):
		if rec.Code != ep.need.denied() {
			t.Errorf("%s: readable but without %s: status %d, want %d: %s", where, ep.need, rec.Code, ep.need.denied(), truncateBody(rec.Body.String()))
		}
	default:
		if rec.Code == http.StatusForbidden || rec.Code == http.StatusNotFound || rec.Code >= 500 {
			t.Errorf("%s: allowed: status %d: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
	}
	if ep.list && rec.Code == http.StatusOK {
		w.checkItems(t, where, u, unit.Path, rec.Body.Bytes())
	}
}

// checkItems checks a list answer holds nothing outside the caller's scope
// (nor outside the subtree asked for, when under is set).
func (w scopeWorld) checkItems(t *testing.T, where string, u scopeUser, under string, body []byte) int {
	t.Helper()
	var page struct {
		Items []struct {
			Code     string `json:"code"`
			Path     string `json:"path"`
			Entity   string `json:"entity"`
			EntityID string `json:"entity_id"`
			Action   string `json:"action"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Errorf("%s: %v", where, err)
		return 0
	}
	for _, it := range page.Items {
		switch {
		case it.Path != "": // a unit
			if !within(u.read, it.Path) || !strings.HasPrefix(it.Path, under) {
				t.Errorf("%s: lists %s at %s", where, it.Code, it.Path)
			}
		case it.Entity == "unit":
			p, known := w.units[it.EntityID]
			if known && (!within(u.audit, p.Path) || !strings.HasPrefix(p.Path, under)) {
				t.Errorf("%s: lists the audit entry %s of unit %s at %s", where, it.Action, it.EntityID, p.Path)
			}
		case it.Entity == "user" && slices.Contains([]string{"login", "login_failed", "logout", "token_create", "token_revoke"}, it.Action):
			if under != "" || !within(u.audit, rootPath) {
				t.Errorf("%s: lists the unit-less audit entry %s of %s", where, it.Action, it.EntityID)
			}
		}
	}
	return len(page.Items)
}

func (w scopeWorld) checkUserCase(t *testing.T, e *testEnv, u scopeUser, target string, ep userEndpoint) {
	t.Helper()
	grants := w.grants[target]
	if len(grants) == 0 {
		t.Fatalf("user %s holds no roles", target)
	}
	visible, managed := false, true
	for _, g := range grants {
		if within(u.userAdmin, g.Path) {
			visible = true
		} else {
			managed = false
		}
		if g.Role == "admin" && !u.admin {
			managed = false
		}
	}
	method, path, body := ep.req(target)
	rec := e.do(method, path, u.name, body)
	where := fmt.Sprintf("%s of %s as %s: %s %s", ep.name, target, u.name, method, path)
	switch {
	case ep.self && target == u.name:
	case !visible:
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: not visible: status %d, want 404: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
		if dn := w.names[target]; strings.Contains(rec.Body.String(), dn) {
			t.Errorf("%s: the answer reveals the user's name %q", where, dn)
		}
		return
	case ep.manage && !managed:
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: visible but holding roles beyond the caller: status %d, want 403: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
		return
	}
	if rec.Code == http.StatusForbidden || rec.Code == http.StatusNotFound || rec.Code >= 500 {
		t.Errorf("%s: allowed: status %d: %s", where, rec.Code, truncateBody(rec.Body.String()))
	}
}

// checkLists checks the unfiltered lists hold exactly what the caller's
// scope covers.
func (w scopeWorld) checkLists(t *testing.T, e *testEnv, u scopeUser) int {
	t.Helper()
	// units: everything in the read scope, nothing else
	var units struct{ Total int }
	rec := e.do("GET", "/api/v1/units?closed=true&per_page=500", u.name, nil)
	w.checkItems(t, "units as "+u.name, u, "", rec.Body.Bytes())
	decodeBody(t, rec, &units)
	want := 0
	for _, un := range w.units {
		if within(u.read, un.Path) {
			want++
		}
	}
	if units.Total != want {
		t.Errorf("units as %s: total %d, want %d", u.name, units.Total, want)
	}
	// users: those with a role in the user-admin scope
	var users struct {
		Items []struct{ Name string }
		Total int
	}
	decodeBody(t, e.do("GET", "/api/v1/users?per_page=500", u.name, nil), &users)
	var got, wantUsers []string
	for _, it := range users.Items {
		got = append(got, it.Name)
	}
	for name, gs := range w.grants {
		for _, g := range gs {
			if within(u.userAdmin, g.Path) {
				wantUsers = append(wantUsers, name)
				break
			}
		}
	}
	slices.Sort(got)
	slices.Sort(wantUsers)
	if !slices.Equal(got, wantUsers) {
		t.Errorf("users as %s: %v, want %v", u.name, got, wantUsers)
	}
	// audit: entries in the audit scope only
	rec = e.do("GET", "/api/v1/audit?limit=500", u.name, nil)
	if rec.Code != http.StatusOK {
		t.Errorf("audit as %s: %d", u.name, rec.Code)
	} else if n := w.checkItems(t, "audit as "+u.name, u, "", rec.Body.Bytes()); (n == 0) != (len(u.audit) == 0) {
		t.Errorf("audit as %s: %d entries with audit scope %v", u.name, n, u.audit)
	}
	return 3
}
