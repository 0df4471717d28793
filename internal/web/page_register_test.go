package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/demo"
	"kexie/internal/i18n"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// outreachSchema is a register of science-outreach events with a field
// of every kind the record form draws.
func outreachSchema() register.Schema {
	return register.Schema{Code: "test_outreach", NameZH: "科普活动", NameEN: "Outreach events",
		DescriptionZH: "各级科协举办的科普活动", DescriptionEN: "Outreach events held by the associations",
		UnitTypes: []string{"city", "county"}, DateField: "held_on", NaturalKey: []string{"title", "held_on"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "活动名称", NameEN: "Title", Required: true, MaxLength: 100},
			{Code: "held_on", Type: register.TypeDate, NameZH: "举办日期", NameEN: "Held on", Required: true, Min: "2000-01-01"},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", NameEN: "Mode", Required: true,
				Options: []register.Option{{Code: "online", NameZH: "线上", NameEN: "Online"}, {Code: "offline", NameZH: "线下", NameEN: "On site"}}},
			{Code: "topics", Type: register.TypeOptions, NameZH: "主题", NameEN: "Topics",
				Options: []register.Option{{Code: "health", NameZH: "健康", NameEN: "Health"}, {Code: "farming", NameZH: "农业", NameEN: "Farming"}}},
			{Code: "participants", Type: register.TypeInteger, NameZH: "参与人次", NameEN: "Participants", Min: "0",
				HelpZH: "到场和线上观看的人次之和", HelpEN: "Present and watching online"},
			{Code: "budget", Type: register.TypeMoney, NameZH: "经费", NameEN: "Budget"},
			{Code: "free", Type: register.TypeBoolean, NameZH: "免费", NameEN: "Free"},
			{Code: "summary", Type: register.TypeLongText, NameZH: "简介", NameEN: "Summary"},
			{Code: "contact", Type: register.TypeMobile, NameZH: "联系电话", NameEN: "Contact", Sensitive: true},
			{Code: "photos", Type: register.TypeAttachment, NameZH: "照片", NameEN: "Photos", Accept: []string{".png", ".jpg", ".pdf"}},
		}}
}

// outreachRecord creates a record directly through the service.
func outreachRecord(t *testing.T, e *testEnv, unitCode, values string) *register.Record {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(values))
	dec.UseNumber()
	var vals map[string]any
	if err := dec.Decode(&vals); err != nil {
		t.Fatal(err)
	}
	rec, err := e.app.Registers.Create(context.Background(), register.System(), "test_outreach", register.Input{Unit: unitCode, Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// outreachEnv is the demo with the outreach register, three records (two
// in Nanjing, one in Xuzhou) and an approver in Nanjing.
func outreachEnv(t *testing.T, db *store.DB) (*testEnv, []*register.Record) {
	t.Helper()
	e := newEnv(t, db)
	if _, err := e.app.Registers.Define(context.Background(), outreachSchema(), register.Migration{}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Auth.CreateUser(context.Background(), nil, auth.NewUser{Name: "nj_approver", DisplayName: "南京市科协审核员",
		Password: demo.Password, Role: auth.RoleApprover, Unit: "320100"}); err != nil {
		t.Fatal(err)
	}
	recs := []*register.Record{
		outreachRecord(t, e, "320102", `{"title":"科技工作者日座谈","held_on":"2021-05-30","mode":"offline","topics":["health"],"participants":83500,"budget":"20281234.56","contact":"13800138000","summary":"第一行\n第二行"}`),
		outreachRecord(t, e, "320100", `{"title":"航天科普讲座","held_on":"2021-09-12","mode":"online","participants":120}`),
		outreachRecord(t, e, "320300", `{"title":"徐州科普大篷车","held_on":"2021-04-01","mode":"offline","participants":300}`),
	}
	return e, recs
}

func (s *session) htmx(path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("HX-Request", "true")
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.e.srv.ServeHTTP(rec, req)
	return rec
}

func TestRegisterPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, recs := outreachEnv(t, db)
		users := map[string]*session{}
		for _, n := range []string{"admin", "leader", "nanjing", "xuzhou", "xuanwu", "nj_approver"} {
			users[n] = e.login(n, demo.Password)
		}
		mine, city, other := "/registers/test_outreach/records/"+itoa(recs[0].ID), "/registers/test_outreach/records/"+itoa(recs[1].ID),
			"/registers/test_outreach/records/"+itoa(recs[2].ID)
		list := "/registers/test_outreach"
		cases := []struct {
			name, user, path string
			status           int
			want, wantNot    []string
		}{
			{"registers of the province", "admin", "/registers", 200, []string{"科普活动", "各级科协举办的科普活动", `<span class="figure">3</span>`, "人员库", `href="/registers/test_outreach/new"`}, nil},
			{"registers of a city", "nanjing", "/registers", 200, []string{"科普活动", `<span class="figure">2</span>`}, nil},
			{"registers of a viewer", "leader", "/registers", 200, []string{`<span class="figure">3</span>`}, []string{"/new"}},
			{"registers in English", "xuanwu", "/registers?lang=en", 200, []string{"Outreach events", `<span class="figure">1</span>`}, nil},
			{"menu entry", "xuanwu", "/", 200, []string{`href="/registers"`, "台账"}, nil},
			{"list of a county", "xuanwu", list, 200, []string{"科技工作者日座谈", "8.35万", "2028.12万元", "玄武区科学技术协会", "共 1 条记录", `id="new-record"`},
				[]string{"航天科普讲座", "徐州科普大篷车", "13800138000"}},
			{"sensitive column masked", "xuanwu", list + "?columns=title,contact,summary", 200, []string{"138****8000", "第一行"}, []string{"13800138000"}},
			{"list of a city", "nanjing", list, 200, []string{"科技工作者日座谈", "航天科普讲座", "共 2 条记录"}, []string{"徐州科普大篷车"}},
			{"list of the province", "leader", list, 200, []string{"共 3 条记录", "徐州科普大篷车"}, []string{`id="new-record"`}},
			{"search in Chinese", "admin", list + "?q=" + url.QueryEscape("座谈"), 200, []string{"科技工作者日座谈", "共 1 条记录"}, []string{"航天科普讲座"}},
			{"filter by option", "admin", list + "?f.mode=online", 200, []string{"航天科普讲座", "共 1 条记录"}, []string{"徐州科普大篷车"}},
			{"filter by options", "admin", list + "?f.topics.contains=health", 200, []string{"科技工作者日座谈", "共 1 条记录"}, nil},
			{"filter by range", "admin", list + "?f.participants.gte=200&f.participants.lte=100000", 200, []string{"共 2 条记录"}, []string{"航天科普讲座"}},
			{"filter by date range", "admin", list + "?f.held_on.gte=2021-05-01&f.held_on.lte=2021-06-30", 200, []string{"共 1 条记录"}, nil},
			{"filter by text", "admin", list + "?f.title.contains=" + url.QueryEscape("航天"), 200, []string{"航天科普讲座", "共 1 条记录"}, nil},
			{"filter by period", "admin", list + "?period=2021S2", 200, []string{"航天科普讲座", "共 1 条记录", `value="2021S2"`}, nil},
			{"filter by unit", "admin", list + "?unit=320100", 200, []string{"共 2 条记录"}, []string{"徐州科普大篷车"}},
			{"filter by status", "admin", list + "?status=approved", 200, []string{"共 0 条记录", "没有符合条件的记录"}, nil},
			{"empty inputs are no filter", "admin", list + "?q=&unit=&period=&status=&f.mode=&f.participants.gte=", 200, []string{"共 3 条记录"}, nil},
			{"sorted", "admin", list + "?sort=-participants", 200, []string{`aria-sort="descending"`, `href="/registers/test_outreach?sort=participants"`}, nil},
			{"chosen columns", "admin", list + "?columns=title,budget&q=" + url.QueryEscape("座谈"), 200,
				[]string{"/api/v1/registers/test_outreach/export?columns=title%2Cbudget&amp;q=%E5%BA%A7%E8%B0%88", "2028.12万元"}, []string{"8.35万"}},
			{"bad period", "admin", list + "?period=2021H1", 422, []string{"期间写法不对"}, nil},
			{"unit out of scope", "xuanwu", list + "?unit=320300", 422, []string{"找不到组织 320300"}, nil},
			{"no search in masked values", "admin", list + "?f.contact.contains=1380", 422, []string{"不支持的筛选方式"}, []string{"科技工作者日座谈"}},
			{"unknown field", "admin", list + "?f.colour=red", 422, []string{"没有这个字段"}, nil},
			{"bad page", "admin", list + "?page=x", 422, []string{"应为整数"}, nil},
			{"unknown register", "admin", "/registers/nope", 404, nil, nil},
			{"list in English", "admin", list + "?lang=en", 200, []string{"83,500", "¥20,281,234.56", "3 records"}, nil},
			{"record of one's own", "xuanwu", mine, 200, []string{"科技工作者日座谈", "83500（8.35万）", "20281234.56元（2028.12万元）", "138****8000",
				`id="reveal-contact"`, `id="wf-submit"`, `action="` + mine + `/edit"`, `id="delete-confirm"`, "历史记录", "新建", "线下", "健康"},
				[]string{"13800138000"}},
			{"record of a viewer", "leader", mine, 200, []string{"科技工作者日座谈", "138****8000"},
				[]string{`id="reveal-contact"`, `id="wf-submit"`, "/edit", `id="delete-confirm"`}},
			{"record for an approver", "nj_approver", mine, 200, []string{`id="reveal-contact"`, "没有可执行的审核操作"}, []string{`id="wf-submit"`, "/edit"}},
			{"record of the city", "nanjing", city, 200, []string{"航天科普讲座", `id="wf-submit"`}, nil},
			{"record out of scope", "xuanwu", city, 404, []string{"找不到"}, []string{"航天科普讲座"}},
			{"record of another city", "nanjing", other, 404, nil, []string{"徐州科普大篷车"}},
			{"unknown record", "admin", "/registers/test_outreach/records/999999", 404, nil, nil},
			{"bad record id", "admin", "/registers/test_outreach/records/abc", 404, nil, nil},
			{"record in another register", "admin", "/registers/people/records/" + itoa(recs[0].ID), 404, nil, nil},
			{"record in English", "xuanwu", mine + "?lang=en", 200, []string{"83,500", "¥20,281,234.56", "History", "Submit for approval"}, nil},
			{"new record form", "xuanwu", list + "/new", 200, []string{`enctype="multipart/form-data"`, `type="date"`, `name="v.held_on"`, `min="2000-01-01"`,
				`<select id="fld-mode" name="v.mode" required>`, `type="checkbox" name="v.topics" value="health"`, `type="number"`, `step="0.01"`,
				`type="checkbox" id="fld-free" name="v.free" value="true"`, `<textarea id="fld-summary"`, `type="tel"`, `type="file"`,
				`accept=".png,.jpg,.pdf"`, `value="320102"`, `list="units-entry"`, "到场和线上观看的人次之和", `maxlength="100"`, "经费（元）"}, nil},
			{"new record form of a city", "nanjing", list + "/new", 200, []string{`<option value="320102">`, `id="fld-unit" name="unit" value="320100"`}, nil},
			{"viewers add nothing", "leader", list + "/new", 403, nil, nil},
			{"registers of other unit types", "xuanwu", "/registers/people/new", 200, nil, nil},
		}
		for _, c := range cases {
			rec := users[c.user].get(c.path)
			body := rec.Body.String()
			if rec.Code != c.status {
				t.Errorf("%s: GET %s as %s: status %d, want %d: %.400s", c.name, c.path, c.user, rec.Code, c.status, body)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: GET %s as %s: body lacks %q", c.name, c.path, c.user, w)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("%s: GET %s as %s: body has %q", c.name, c.path, c.user, w)
				}
			}
		}
		// htmx asks for the table alone, and learns the clean address
		rec := users["admin"].htmx(list + "?q=&f.mode=online&columns=title&columns=mode")
		if rec.Code != 200 || strings.Contains(rec.Body.String(), "<html") || !strings.Contains(rec.Body.String(), "航天科普讲座") ||
			!strings.Contains(rec.Body.String(), `id="records-results"`) {
			t.Errorf("htmx table: status %d: %.300s", rec.Code, rec.Body.String())
		}
		if got := rec.Header().Get("HX-Push-Url"); got != list+"?columns=title%2Cmode&f.mode=online" {
			t.Errorf("htmx table pushes %q", got)
		}
		// a refused filter still answers htmx with the table's place, saying why
		rec = users["admin"].htmx(list + "?period=bad")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "期间写法不对") {
			t.Errorf("htmx refused filter: status %d: %.300s", rec.Code, rec.Body.String())
		}
	})
}

// recordForm is the new-record form of the outreach register, filled.
func outreachForm(pairs ...string) url.Values {
	f := url.Values{"unit": {"320102"}, "v.title": {"青少年科学营"}, "v.held_on": {"2021-07-15"}, "v.mode": {"offline"},
		"v.topics": {"health", "farming"}, "v.participants": {"450"}, "v.budget": {"12000.5"}, "v.free": {"true"},
		"v.summary": {"三天两夜"}, "v.contact": {"13900139000"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			f.Del(pairs[i])
		} else {
			f.Set(pairs[i], pairs[i+1])
		}
	}
	return f
}

func recordCount(t *testing.T, e *testEnv) int {
	t.Helper()
	return recordsIn(t, e, "test_outreach")
}

// recordsIn is how many records the register code holds.
func recordsIn(t *testing.T, e *testEnv, code string) int {
	t.Helper()
	_, page, err := e.app.Registers.ListRecords(context.Background(), unit.Everything(), code, register.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

var locationIDRE = regexp.MustCompile(`/records/(\d+)\?`)

func TestRecordForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, recs := outreachEnv(t, db)
		users := map[string]*session{}
		for _, n := range []string{"leader", "nanjing", "xuanwu", "nj_approver"} {
			users[n] = e.login(n, demo.Password)
		}
		before := recordCount(t, e)
		runForms(t, users, []formCase{
			{"every mistake at once", "xuanwu", "/registers/test_outreach/new",
				outreachForm("v.title", "", "v.held_on", "2021-02-30", "v.mode", "broadcast", "v.participants", "-3", "v.contact", "12345"), 422,
				[]string{"有以下问题", "活动名称：必须填写", "日期不正确", "不是可选的值：broadcast", "不能小于 0", "手机号不正确：12345",
					`value="-3"`, `value="2021-02-30"`, `value="true" checked`, "三天两夜", `value="12345"`, `aria-invalid="true"`}},
			{"unit out of scope", "xuanwu", "/registers/test_outreach/new", outreachForm("unit", "320300"), 422, []string{"找不到上级组织 320300"}},
			{"unit of a type the register is not for", "nanjing", "/registers/test_outreach/new", outreachForm("unit", "SOC001"), 422, nil},
			{"viewer", "leader", "/registers/test_outreach/new", outreachForm(), 403, nil},
		})
		if n := recordCount(t, e); n != before {
			t.Fatalf("refused forms wrote records: %d, was %d", n, before)
		}
		// CSRF: without the token, nothing is written
		if rec := users["xuanwu"].send("POST", "/registers/test_outreach/new", outreachForm(), false); rec.Code != http.StatusForbidden {
			t.Errorf("POST without CSRF token: status %d", rec.Code)
		}
		if n := recordCount(t, e); n != before {
			t.Fatalf("a form without the CSRF token wrote a record")
		}
		rec := users["xuanwu"].post("/registers/test_outreach/new", outreachForm())
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "done=record_created") {
			t.Fatalf("create: status %d, location %q: %.400s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		m := locationIDRE.FindStringSubmatch(rec.Header().Get("Location"))
		if m == nil {
			t.Fatalf("no record id in %q", rec.Header().Get("Location"))
		}
		page := "/registers/test_outreach/records/" + m[1]
		_, created, err := e.app.Registers.GetRecord(context.Background(), unit.Everything(), "test_outreach", mustID(t, m[1]))
		if err != nil {
			t.Fatal(err)
		}
		if created.Unit != "320102" || created.Values["budget"] != int64(1200050) || created.Values["free"] != true ||
			created.Values["mode"] != "offline" || len(created.Values["topics"].([]string)) != 2 || created.Status != register.StatusDraft {
			t.Fatalf("created: %+v", created)
		}
		body := users["xuanwu"].get(page + "?done=record_created").Body.String()
		for _, w := range []string{"已新增记录", "青少年科学营", "2021-07-15", "线下", "健康；农业", "是", "1.2万元"} {
			if !strings.Contains(body, w) {
				t.Errorf("new record's page lacks %q", w)
			}
		}
		id := m[1]
		edit := func(pairs ...string) url.Values {
			f := outreachForm(pairs...)
			f.Del("unit")
			return f
		}
		runForms(t, users, []formCase{
			{"refused edit", "xuanwu", page + "/edit", edit("v.participants", "abc", "version", "1"), 422, []string{"应为整数：abc", `value="abc"`}},
			{"stale edit", "xuanwu", page + "/edit", edit("v.participants", "500", "version", "7"), 409, []string{"数据已被他人修改"}},
			{"edit", "xuanwu", page + "/edit", edit("v.participants", "520", "v.contact", "", "v.free", "", "version", "1"), 303, []string{"done=record_saved"}},
			{"viewer may not edit", "leader", page + "/edit", edit("version", "2"), 403, nil},
			{"edit out of scope", "xuanwu", "/registers/test_outreach/records/" + itoa(recs[1].ID) + "/edit", edit(), 404, nil},
			{"approver may not submit", "nj_approver", page + "/status", url.Values{"action": {"submit"}}, 403, nil},
			{"submit", "xuanwu", page + "/status", url.Values{"action": {"submit"}}, 303, []string{"done=record_submit"}},
			{"locked", "xuanwu", page + "/edit", edit("version", "3"), 409, []string{"记录已提交审核，不能修改"}},
			{"locked delete", "xuanwu", page + "/delete", url.Values{}, 409, []string{"记录已提交审核，不能修改"}},
			{"data entry may not approve", "xuanwu", page + "/status", url.Values{"action": {"approve"}}, 403, nil},
			{"approve", "nj_approver", page + "/status", url.Values{"action": {"approve"}}, 303, []string{"done=record_approve"}},
			{"return an approved record", "nj_approver", page + "/status", url.Values{"action": {"return"}, "reason": {"x"}}, 409, []string{"当前状态（已审核）下不能执行“退回”"}},
			{"withdraw", "nj_approver", page + "/status", url.Values{"action": {"withdraw"}}, 303, []string{"done=record_withdraw"}},
			{"return without reason", "nj_approver", page + "/status", url.Values{"action": {"return"}, "reason": {" "}}, 422, []string{`id="return-reason"`, "必须填写", `<details id="return" open>`}},
			{"return", "nj_approver", page + "/status", url.Values{"action": {"return"}, "reason": {"参与人次请核实"}}, 303, []string{"done=record_return"}},
		})
		_, after, err := e.app.Registers.GetRecord(context.Background(), unit.Everything(), "test_outreach", mustID(t, id))
		if err != nil {
			t.Fatal(err)
		}
		if after.Values["participants"] != int64(520) || after.Values["contact"] != "13900139000" || after.Values["free"] != false ||
			after.Status != register.StatusReturned || after.StatusReason != "参与人次请核实" {
			t.Fatalf("after edit and workflow: %+v", after)
		}
		body = users["xuanwu"].get(page).Body.String()
		for _, w := range []string{"退回理由：参与人次请核实", `id="wf-submit"`, "参与人次", "450", "520", "提交审核", "审核通过", "撤回审核", "退回", "nj_approver"} {
			if !strings.Contains(body, w) {
				t.Errorf("returned record's page lacks %q", w)
			}
		}
		// while submitted, the edit form is locked and says why
		if rec := users["xuanwu"].post(page+"/status", url.Values{"action": {"submit"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("submit again: %d", rec.Code)
		}
		body = users["xuanwu"].get(page).Body.String()
		if !strings.Contains(body, `id="edit-locked"`) || strings.Contains(body, `id="edit-form"`) || strings.Contains(body, `id="delete-confirm"`) {
			t.Errorf("submitted record: the edit form is not locked")
		}
		// delete needs an open record and asks first
		del := users["nanjing"].post("/registers/test_outreach/records/"+itoa(recs[1].ID)+"/delete", url.Values{})
		if del.Code != http.StatusSeeOther || !strings.Contains(del.Header().Get("Location"), "done=record_deleted") {
			t.Errorf("delete: status %d", del.Code)
		}
		if rec := users["nanjing"].get("/registers/test_outreach/records/" + itoa(recs[1].ID)); rec.Code != http.StatusNotFound {
			t.Errorf("deleted record: status %d", rec.Code)
		}
		if rec := users["nanjing"].send("POST", "/registers/test_outreach/records/"+itoa(recs[0].ID)+"/delete", url.Values{}, false); rec.Code != http.StatusForbidden {
			t.Errorf("delete without CSRF token: status %d", rec.Code)
		}
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

func TestRecordRevealAndFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, recs := outreachEnv(t, db)
		xuanwu, leader := e.login("xuanwu", demo.Password), e.login("leader", demo.Password)
		page := "/registers/test_outreach/records/" + itoa(recs[0].ID)
		// without scripts the page comes back with the value in clear
		rec := xuanwu.post(page+"/reveal", url.Values{"field": {"contact"}})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<span class="revealed">13800138000</span>`) {
			t.Fatalf("reveal: status %d: %.300s", rec.Code, rec.Body.String())
		}
		// htmx swaps the value in
		req := httptest.NewRequest("POST", page+"/reveal", strings.NewReader("field=contact"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", xuanwu.csrf)
		for _, c := range xuanwu.cookies {
			req.AddCookie(c)
		}
		got := httptest.NewRecorder()
		e.srv.ServeHTTP(got, req)
		if got.Code != 200 || strings.TrimSpace(got.Body.String()) != `<span class="revealed">13800138000</span>` {
			t.Errorf("htmx reveal: status %d: %q", got.Code, got.Body.String())
		}
		// a viewer may not; a field that is not sensitive is refused; no token, no reveal
		if rec := leader.post(page+"/reveal", url.Values{"field": {"contact"}}); rec.Code != http.StatusForbidden {
			t.Errorf("viewer reveal: status %d", rec.Code)
		}
		if rec := xuanwu.post(page+"/reveal", url.Values{"field": {"title"}}); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("reveal of a plain field: status %d", rec.Code)
		}
		if rec := xuanwu.send("POST", page+"/reveal", url.Values{"field": {"contact"}}, false); rec.Code != http.StatusForbidden {
			t.Errorf("reveal without CSRF token: status %d", rec.Code)
		}
		entries, err := e.app.Audit.List(context.Background(), func(string, *store.Args) string { return "1=1" },
			audit.Filter{Entity: "record:test_outreach", EntityID: itoa(recs[0].ID), Action: "reveal"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[0].ActorName != "xuanwu" {
			t.Fatalf("reveals audited: %d entries", len(entries))
		}
		body := xuanwu.get(page).Body.String()
		if !strings.Contains(body, "查看了“联系电话”的原文") || strings.Contains(body, "13800138000") {
			t.Errorf("history of the reveal missing, or the value left in clear")
		}
		// an attachment uploaded with the form, downloadable from the record
		var img bytes.Buffer
		if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range outreachForm("v.title", "带照片的活动") {
			for _, x := range v {
				_ = mw.WriteField(k, x)
			}
		}
		_ = mw.WriteField("csrf_token", xuanwu.csrf)
		fw, _ := mw.CreateFormFile("file.photos", "现场.png")
		fw.Write(img.Bytes())
		bad, _ := mw.CreateFormFile("file.photos", "")
		_ = bad
		mw.Close()
		req = httptest.NewRequest("POST", "/registers/test_outreach/new", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		for _, c := range xuanwu.cookies {
			req.AddCookie(c)
		}
		got = httptest.NewRecorder()
		e.srv.ServeHTTP(got, req)
		m := locationIDRE.FindStringSubmatch(got.Header().Get("Location"))
		if got.Code != http.StatusSeeOther || m == nil {
			t.Fatalf("create with a file: status %d: %.400s", got.Code, got.Body.String())
		}
		body = xuanwu.get("/registers/test_outreach/records/" + m[1]).Body.String()
		link := regexp.MustCompile(`href="(/api/v1/files/\d+)">现场.png</a>`).FindStringSubmatch(body)
		if link == nil {
			t.Fatalf("record page has no link to its attachment")
		}
		if rec := xuanwu.get(link[1]); rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), img.Bytes()) {
			t.Errorf("download of the attachment: status %d", rec.Code)
		}
		if rec := leader.get(link[1]); rec.Code != 200 {
			t.Errorf("a reader of the record downloads its attachment: status %d", rec.Code)
		}
		if rec := e.login("xuzhou", demo.Password).get(link[1]); rec.Code != http.StatusNotFound {
			t.Errorf("another city downloads the attachment: status %d", rec.Code)
		}
		// a file of the wrong kind is refused beside its field, nothing written
		buf.Reset()
		mw = multipart.NewWriter(&buf)
		for k, v := range outreachForm("v.title", "错误文件") {
			for _, x := range v {
				_ = mw.WriteField(k, x)
			}
		}
		_ = mw.WriteField("csrf_token", xuanwu.csrf)
		fw, _ = mw.CreateFormFile("file.photos", "名单.exe")
		fw.Write([]byte("MZ"))
		mw.Close()
		req = httptest.NewRequest("POST", "/registers/test_outreach/new", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		for _, c := range xuanwu.cookies {
			req.AddCookie(c)
		}
		got = httptest.NewRecorder()
		e.srv.ServeHTTP(got, req)
		if got.Code != http.StatusUnprocessableEntity || !strings.Contains(got.Body.String(), "照片：不接受这种文件") {
			t.Errorf("wrong file: status %d: %.300s", got.Code, got.Body.String())
		}
	})
}

// The keys pages build from a name exist in both languages.
func TestRegisterPageKeys(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, st := range []string{register.StatusDraft, register.StatusSubmitted, register.StatusApproved, register.StatusReturned} {
		keys = append(keys, "record.status."+st, "record.status_hint."+st, "record.arg.status."+st, "record.arg.from."+st)
	}
	for _, a := range []register.Transition{register.Submit, register.Approve, register.Return, register.Withdraw} {
		keys = append(keys, "record.action."+string(a), "record.arg.action."+string(a), "notice.record_"+string(a))
	}
	for _, a := range []string{"create", "update", "delete", "reveal"} {
		keys = append(keys, "record.action."+a)
	}
	keys = append(keys, "record.locked.submitted", "record.locked.approved")
	for _, k := range keys {
		for _, lang := range i18n.Langs {
			if !cat.Has(lang, k) {
				t.Errorf("key %q missing in %s", k, lang)
			}
		}
	}
}
