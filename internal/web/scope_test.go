package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kexie/internal/auth"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// The scope matrix: every demo role × units inside and outside its subtree
// × every endpoint that takes a unit, a user or a record, each answer
// checked against what the role may do there. A later feature adds its
// endpoints as rows of unitEndpoints, userEndpoints or recordEndpoints.

// need is the permission an endpoint needs on its unit.
type need int

const (
	needRead      need = iota // see the unit
	needUnitWrite             // change units
	needAudit                 // read the audit log
	needEnter                 // enter records (data entry)
	needApprove               // approve records
	needReveal                // see sensitive values: data entry or approval
)

func (n need) String() string {
	return [...]string{"read", "unit write", "audit", "data entry", "approve", "reveal"}[n]
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
	enter     []string
	approve   []string
	admin     bool // holds the admin role (may manage administrators)
}

func (u scopeUser) roots(n need) []string {
	switch n {
	case needUnitWrite:
		return u.unitWrite
	case needAudit:
		return u.audit
	case needEnter:
		return u.enter
	case needApprove:
		return u.approve
	case needReveal:
		return append(append([]string{}, u.enter...), u.approve...)
	}
	return u.read
}

// scopeUsers are the demo accounts and an approver of Nanjing, which the
// demo lacks (setUpScope adds it).
var scopeUsers = []scopeUser{
	{name: "admin", read: []string{rootPath}, unitWrite: []string{rootPath}, audit: []string{rootPath}, userAdmin: []string{rootPath},
		enter: []string{rootPath}, approve: []string{rootPath}, admin: true},
	{name: "leader", read: []string{rootPath}},
	{name: "nanjing", read: []string{nanjingPath}, unitWrite: []string{nanjingPath}, audit: []string{nanjingPath}, userAdmin: []string{nanjingPath},
		enter: []string{nanjingPath}},
	{name: "xuzhou", read: []string{xuzhouPath}, unitWrite: []string{xuzhouPath}, audit: []string{xuzhouPath}, userAdmin: []string{xuzhouPath},
		enter: []string{xuzhouPath}},
	{name: "xuanwu", read: []string{xuanwuPath}, enter: []string{xuanwuPath}},
	{name: "inspector", read: []string{rootPath}, audit: []string{rootPath}},
	{name: "nj.approver", read: []string{nanjingPath}, approve: []string{nanjingPath}},
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
	{"records under", needRead, true, func(c string) (string, string, any) {
		return "GET", scopeRecords + "?per_page=500&unit=" + c, nil
	}},
}

// scopeRecords is the register the matrix keeps records in.
const scopeRecords = "/api/v1/registers/test_events/records"

// scopeRecordUnits are where the matrix's records are: counties of both
// cities, and a society directly under the root.
var scopeRecordUnits = []string{"320102", "320104", "320302", "SOC001"}

// recordEndpoint is one row of the records part of the matrix: a request
// about a record and the permission it needs at the record's unit. The
// records are submitted, so writes pass the scope checks and then find
// the record locked or the step not allowed (409), changing nothing.
type recordEndpoint struct {
	name string
	need need
	list bool // answers {"items": …} to be checked for out-of-scope items
	req  func(path string) (method, p string, body any)
}

var recordEndpoints = []recordEndpoint{
	{"get record", needRead, false, func(p string) (string, string, any) { return "GET", p, nil }},
	{"record history", needRead, true, func(p string) (string, string, any) { return "GET", p + "/audit?limit=500", nil }},
	{"update record", needEnter, false, func(p string) (string, string, any) {
		return "PATCH", p, map[string]any{"values": map[string]any{"title": "changed by the matrix"}}
	}},
	{"delete record", needEnter, false, func(p string) (string, string, any) { return "DELETE", p, nil }},
	{"submit", needEnter, false, func(p string) (string, string, any) { return "POST", p + "/status", map[string]any{"action": "submit"} }},
	{"withdraw approval", needApprove, false, func(p string) (string, string, any) {
		return "POST", p + "/status", map[string]any{"action": "withdraw"}
	}},
	{"reveal", needReveal, false, func(p string) (string, string, any) { return "POST", p + "/reveal", map[string]any{"field": "contact"} }},
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
	units   map[string]unitInfo // by code
	grants  map[string][]grantInfo
	names   map[string]string // user → display name
	records map[string]recordInfo
}

// recordInfo is one of the matrix's records, by id.
type recordInfo struct {
	ID          int64
	Path, Title string
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
	w := scopeWorld{units: map[string]unitInfo{}, grants: map[string][]grantInfo{}, names: map[string]string{}, records: map[string]recordInfo{}}
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
	var records struct {
		Items []struct {
			ID     int64
			Unit   string
			Values struct{ Title string }
		}
	}
	decodeBody(t, e.do("GET", scopeRecords+"?per_page=500", "admin", nil), &records)
	for _, r := range records.Items {
		w.records[fmt.Sprint(r.ID)] = recordInfo{r.ID, w.units[r.Unit].Path, r.Values.Title}
	}
	if len(w.records) != len(scopeRecordUnits) {
		t.Fatalf("the admin sees %d records", len(w.records))
	}
	return w
}

// setUpScope adds what the matrix needs beyond the demo: a user holding
// roles in two cities, an approver, unit-less audit entries (a login),
// and a submitted record at each of scopeRecordUnits, kept by the system.
func setUpScope(t *testing.T, e *testEnv) {
	t.Helper()
	addUser(t, e, "nj.approver", auth.RoleApprover, "320100")
	defineEvents(t, e)
	ctx := context.Background()
	for _, code := range scopeRecordUnits {
		r, err := e.app.Registers.Create(ctx, register.System(), "test_events", register.Input{Unit: code,
			Values: map[string]any{"title": "矩阵活动" + code, "held_on": "2021-06-01", "contact": "13800138000"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Registers.SetStatus(ctx, register.System(), "test_events", r.ID, register.Submit, ""); err != nil {
			t.Fatal(err)
		}
	}
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
			for _, r := range w.records {
				for _, ep := range recordEndpoints {
					cases++
					w.checkRecordCase(t, e, u, r, ep)
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
			Register string `json:"register"`
			Unit     string `json:"unit"`
			ID       int64  `json:"id"`
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
		case it.Register != "": // a record
			p := w.units[it.Unit].Path
			if !within(u.read, p) || !strings.HasPrefix(p, under) {
				t.Errorf("%s: lists record %d at %s", where, it.ID, p)
			}
		case it.Entity == "unit":
			p, known := w.units[it.EntityID]
			if known && (!within(u.audit, p.Path) || !strings.HasPrefix(p.Path, under)) {
				t.Errorf("%s: lists the audit entry %s of unit %s at %s", where, it.Action, it.EntityID, p.Path)
			}
		case strings.HasPrefix(it.Entity, "record:"):
			// a record's history is open to its readers; the audit log to the audit scope
			r, known := w.records[it.EntityID]
			scope := u.audit
			if strings.Contains(where, scopeRecords+"/") {
				scope = u.read
			}
			if known && (!within(scope, r.Path) || !strings.HasPrefix(r.Path, under)) {
				t.Errorf("%s: lists the audit entry %s of record %s at %s", where, it.Action, it.EntityID, r.Path)
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

// checkRecordCase sends one request about a record as u and checks the
// answer against u's scope at the record's unit.
func (w scopeWorld) checkRecordCase(t *testing.T, e *testEnv, u scopeUser, r recordInfo, ep recordEndpoint) {
	t.Helper()
	method, path, body := ep.req(fmt.Sprintf("%s/%d", scopeRecords, r.ID))
	rec := e.do(method, path, u.name, body)
	where := fmt.Sprintf("%s (%s on a record at %s) as %s: %s %s", ep.name, ep.need, r.Path, u.name, method, path)
	switch {
	case !within(u.read, r.Path):
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: outside the read scope: status %d, want 404: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
		if strings.Contains(rec.Body.String(), r.Title) {
			t.Errorf("%s: the answer reveals the record's title", where)
		}
		return
	case ep.need == needRead:
		if rec.Code != http.StatusOK {
			t.Errorf("%s: inside the read scope: status %d, want 200: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
	case !within(u.roots(ep.need), r.Path):
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: readable but without %s: status %d, want 403: %s", where, ep.need, rec.Code, truncateBody(rec.Body.String()))
		}
	default:
		if rec.Code == http.StatusForbidden || rec.Code == http.StatusNotFound || rec.Code >= 500 {
			t.Errorf("%s: allowed: status %d: %s", where, rec.Code, truncateBody(rec.Body.String()))
		}
	}
	if rec.Code == http.StatusOK && ep.need != needReveal && strings.Contains(rec.Body.String(), "13800138000") {
		t.Errorf("%s: the answer holds a sensitive value in clear", where)
	}
	if ep.list && rec.Code == http.StatusOK {
		w.checkItems(t, where, u, "", rec.Body.Bytes())
	}
}

// checkLists checks the unfiltered lists hold exactly what the caller's
// scope covers.
func (w scopeWorld) checkLists(t *testing.T, e *testEnv, u scopeUser) int {
	t.Helper()
	// records: those at units in the read scope, nothing else
	var records struct{ Total int }
	rec := e.do("GET", scopeRecords+"?per_page=500", u.name, nil)
	w.checkItems(t, "records as "+u.name, u, "", rec.Body.Bytes())
	decodeBody(t, rec, &records)
	wantRecords := 0
	for _, r := range w.records {
		if within(u.read, r.Path) {
			wantRecords++
		}
	}
	if records.Total != wantRecords {
		t.Errorf("records as %s: total %d, want %d", u.name, records.Total, wantRecords)
	}
	// units: everything in the read scope, nothing else
	var units struct{ Total int }
	rec = e.do("GET", "/api/v1/units?closed=true&per_page=500", u.name, nil)
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
	return 4
}

// ---- plans (目标任务) -------------------------------------------------
//
// Every demo account against two plans: the province's (a task led by
// Nanjing with a target allotted to Xuanwu and Xuzhou, a task led by a
// Xuzhou county) and Xuzhou's own (a task led by that county). A plan is
// seen by those who read its unit or a unit leading or allotted in it;
// a task's lead steps need data entry at the lead unit, the owner's steps
// the inspect permission at the plan's unit; nothing outside the read
// scope shows in an answer.

func TestScopeMatrixPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var prov, xz struct {
			ID       int64
			Sections []struct{ Tasks []struct{ ID int64 } }
		}
		rec := e.do("POST", "/api/v1/plans", "admin", planBody())
		decodeBody(t, rec, &prov)
		b := planBody()
		b["unit"], b["title"] = "320300", "徐州计划"
		b["sections"] = []any{map[string]any{"title": "一", "tasks": []any{map[string]any{"title": "县里的任务", "lead": "320302",
			"start": "2021-07-01", "due": "2021-12-31"}}}}
		decodeBody(t, e.do("POST", "/api/v1/plans", "admin", b), &xz)
		if prov.ID == 0 || xz.ID == 0 {
			t.Fatal("set up: plans not created")
		}
		njTask, countyTask := prov.Sections[0].Tasks[0].ID, xz.Sections[0].Tasks[0].ID
		// evidence on the county's task, reported by Xuzhou
		var photo struct{ ID int64 }
		decodeBody(t, e.upload(e.srv, "/api/v1/files", "xuzhou", "file", "现场.png", tinyPNG(t)), &photo)
		for _, st := range []map[string]any{{"action": "acknowledge"}, {"action": "report", "percent": 10, "note": "开工", "files": []int64{photo.ID}}} {
			if rec := e.do("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", countyTask), "xuzhou", st); rec.Code != http.StatusOK {
				t.Fatalf("set up: %v: %d %s", st, rec.Code, rec.Body.String())
			}
		}
		evidence := fmt.Sprintf("/api/v1/plan-tasks/%d/evidence/%d", countyTask, photo.ID)
		// what each account sees: the province plan, Xuzhou's plan, the
		// lead steps it may take on the Nanjing task, the owner steps
		type want struct {
			prov, xz, leadNJ, ownerProv bool
			hidden                      []string // unit codes its answers must not show
			// Nanjing's address for reminders: read it (else 404), set it (else 403)
			njContactRead, njContactSet bool
		}
		wants := map[string]want{
			"admin":       {true, true, true, true, nil, true, true},
			"leader":      {true, true, false, false, nil, true, false},
			"inspector":   {true, true, false, true, nil, true, false},
			"nanjing":     {true, false, true, false, []string{"320300", "320302"}, true, true},
			"nj.approver": {true, false, false, false, []string{"320300", "320302"}, true, false},
			"xuzhou":      {true, true, false, false, []string{"320102"}, false, false},
			"xuanwu":      {true, false, false, false, []string{"320300", "320302"}, false, false},
		}
		addUser(t, e, "nj.approver", auth.RoleApprover, "320100")
		for name, w := range wants {
			status := func(ok bool) int {
				if ok {
					return http.StatusOK
				}
				return http.StatusNotFound
			}
			for _, c := range []struct {
				path string
				ok   bool
			}{
				{fmt.Sprintf("/api/v1/plans/%d", prov.ID), w.prov},
				{fmt.Sprintf("/api/v1/plans/%d", xz.ID), w.xz},
				{fmt.Sprintf("/api/v1/plan-tasks/%d", countyTask), w.xz},
				{evidence, w.xz},
				{"/api/v1/plans", true},
				{"/api/v1/plan-todo", true},
				{fmt.Sprintf("/plans/%d", prov.ID), true},
				{fmt.Sprintf("/plans/%d/matrix", prov.ID), true},
				{fmt.Sprintf("/plans/%d/matrix", xz.ID), w.xz},
				{"/api/v1/plan-contacts/320100", w.njContactRead},
			} {
				rec := e.do("GET", c.path, name, nil)
				if rec.Code != status(c.ok) {
					t.Errorf("%s GET %s: %d, want %d", name, c.path, rec.Code, status(c.ok))
				}
				for _, code := range w.hidden {
					if strings.Contains(rec.Body.String(), `"`+code+`"`) && !strings.Contains(rec.Body.String(), `<html`) ||
						strings.Contains(rec.Body.String(), `data-unit="`+code+`"`) {
						t.Errorf("%s GET %s: shows unit %s outside its scope", name, c.path, code)
					}
				}
			}
			var list struct{ Items []struct{ ID int64 } }
			decodeBody(t, e.do("GET", "/api/v1/plans", name, nil), &list)
			if got := len(list.Items); got != map[bool]int{true: 2, false: 1}[w.xz] {
				t.Errorf("%s lists %d plans", name, got)
			}
			// steps that the lifecycle refuses from "assigned" (409) once
			// the caller may take them: nothing changes
			lead := e.do("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", njTask), name, map[string]any{"action": "complete"})
			if want := map[bool]int{true: http.StatusConflict, false: http.StatusForbidden}[w.leadNJ]; lead.Code != want {
				t.Errorf("%s: lead step on the Nanjing task: %d, want %d", name, lead.Code, want)
			}
			owner := e.do("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", njTask), name, map[string]any{"action": "close"})
			if want := map[bool]int{true: http.StatusConflict, false: http.StatusForbidden}[w.ownerProv]; owner.Code != want {
				t.Errorf("%s: owner step on the Nanjing task: %d, want %d", name, owner.Code, want)
			}
			// the owner's reminder rule; Nanjing's address for reminders
			for _, c := range []struct {
				path string
				sees bool
				owns bool
			}{
				{fmt.Sprintf("/api/v1/plans/%d/remind-rule", prov.ID), w.prov, w.ownerProv},
				{fmt.Sprintf("/api/v1/plans/%d/remind-rule", xz.ID), w.xz, w.ownerProv},
			} {
				want := map[[2]bool]int{{true, true}: http.StatusOK, {true, false}: http.StatusForbidden}[[2]bool{c.sees, c.owns}]
				if !c.sees {
					want = http.StatusNotFound
				}
				if rec := e.do("PUT", c.path, name, map[string]any{"lights": []string{"red"}, "every_days": 0}); rec.Code != want {
					t.Errorf("%s PUT %s: %d, want %d", name, c.path, rec.Code, want)
				}
			}
			wantContact := http.StatusNotFound
			if w.njContactSet {
				wantContact = http.StatusOK
			} else if w.njContactRead {
				wantContact = http.StatusForbidden
			}
			if rec := e.do("PUT", "/api/v1/plan-contacts/320100", name, map[string]any{"email": "office@nj.example.org"}); rec.Code != wantContact {
				t.Errorf("%s sets Nanjing's address: %d, want %d", name, rec.Code, wantContact)
			}
			if !w.xz {
				rec := e.do("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", countyTask), name, map[string]any{"action": "acknowledge"})
				if rec.Code != http.StatusNotFound {
					t.Errorf("%s: step on an unseen task: %d, want 404", name, rec.Code)
				}
			}
		}
	})
}
