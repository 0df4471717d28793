package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestDatasetPages: the data sets page, the entry form (saved, refused
// with the reason beside the input, submitted), the status page with its
// steps, reminders and the inbox, through cookie sessions and forms.
func TestDatasetPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := datasetEnv(t, db)
		users := map[string]*session{}
		for _, name := range []string{"xuanwu", "nanjing", "xuzhou", "leader"} {
			users[name] = e.login(name, demo.Password)
		}
		for _, name := range []string{"nj_approver", "qinhuai"} {
			users[name] = e.login(name, dsPassword)
		}
		entry := "/datasets/t_report/entry?unit=320102&period=2024S1"
		status := "/datasets/t_report/status?unit=320100&period=2024S1"
		gets := []struct {
			name, user, path string
			status           int
			want, wantNot    []string
		}{
			{"the data sets", "xuanwu", "/datasets", 200, []string{"科普工作半年报（测试）", "半年报", "/datasets/t_report/entry?period="}, nil},
			{"an empty form", "xuanwu", entry, 200, []string{"玄武区科学技术协会 · 2024年上半年", "未填报", `inputmode="numeric"`, `name="v.t_people.online"`, "保存并报送"}, nil},
			{"the form in English", "xuanwu", entry + "&lang=en", 200, []string{"2024 H1", "Not started", "On site"}, nil},
			{"no unit or period: the caller's and the current", "xuanwu", "/datasets/t_report/entry", 303, nil, nil},
			{"another city's county", "xuanwu", "/datasets/t_report/entry?unit=320302&period=2024S1", 404, nil, nil},
			{"a quarter", "xuanwu", "/datasets/t_report/entry?unit=320102&period=2024Q1", 422, []string{"报送周期"}, nil},
			{"a viewer reads the form", "leader", entry, 200, []string{"本期数据现在不能修改"}, []string{`id="entry-save"`}},
			{"the status of Nanjing", "nj_approver", status, 200, []string{"南京市科学技术协会 · 2024年上半年", "玄武区科学技术协会", "秦淮区科学技术协会", `id="remind"`}, []string{"徐州"}},
			{"the status out of scope", "nj_approver", "/datasets/t_report/status?unit=320300&period=2024S1", 404, nil, nil},
			{"the inbox", "qinhuai", "/inbox", 200, []string{"没有消息"}, nil},
		}
		for _, c := range gets {
			rec := users[c.user].get(c.path)
			if rec.Code != c.status {
				t.Errorf("%s: GET %s: %d, want %d", c.name, c.path, rec.Code, c.status)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("%s: body lacks %q", c.name, w)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(rec.Body.String(), w) {
					t.Errorf("%s: body has %q", c.name, w)
				}
			}
		}
		form := func(pairs ...string) url.Values {
			v := url.Values{}
			for i := 0; i+1 < len(pairs); i += 2 {
				v.Set(pairs[i], pairs[i+1])
			}
			return v
		}
		runForms(t, users, []formCase{
			{"a save", "xuanwu", entry, form("v.t_events", "3", "v.t_people.online", "100", "v.t_people.offline", "", "v.t_funds", "2,000", "op", "save"),
				303, []string{"done=dataset_saved"}},
			{"a word for a number", "xuanwu", entry, form("v.t_events", "三场", "op", "save"), 422, []string{"应为整数", `value="三场"`, `aria-invalid="true"`}},
			{"negative funds", "xuanwu", entry, form("v.t_funds", "-1", "op", "save"), 422, []string{"经费不能为负", `value="-1"`}},
			{"submit", "xuanwu", entry, form("v.t_events", "3", "op", "submit"), 303, []string{"done=dataset_submitted"}},
			{"save when submitted", "xuanwu", entry, form("v.t_events", "4", "op", "save"), 409, []string{"已报送"}},
			{"the clerk approves", "xuanwu", "/datasets/t_report/act", form("unit", "320102", "period", "2024S1", "action", "approve", "back", "entry"), 403, []string{"审核"}},
			{"Nanjing returns without a reason", "nj_approver", "/datasets/t_report/act", form("unit", "320102", "period", "2024S1", "action", "return", "at", "320100"), 422, []string{"必须填写"}},
			{"Nanjing approves", "nj_approver", "/datasets/t_report/act", form("unit", "320102", "period", "2024S1", "action", "approve", "at", "320100"), 303,
				[]string{"/datasets/t_report/status?", "unit=320100", "done=dataset_approve"}},
			{"Xuzhou approves", "xuzhou", "/datasets/t_report/act", form("unit", "320102", "period", "2024S1", "action", "approve"), 404, nil},
			{"Nanjing reminds", "nanjing", "/datasets/t_report/remind", form("unit", "320100", "period", "2024S1", "note", "请周五前报送"), 303, []string{"reminded=10", "done=dataset_reminded"}},
			{"a clerk reminds", "xuanwu", "/datasets/t_report/remind", form("unit", "320102", "period", "2024S1"), 403, nil},
		})
		rec := users["xuanwu"].get(entry)
		for _, w := range []string{"已审核", `readonly`, "@320100", "2,000"} {
			if w == "2,000" {
				w = `value="2000.00"`
			}
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("the approved form lacks %q", w)
			}
		}
		rec = users["nj_approver"].get(status + "&done=dataset_approve")
		for _, w := range []string{"已审核通过", `id="row-320102"`, "南京市科学技术协会汇总", `id="figure-t_people"`, "100人次", "2000元"} {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("the status page lacks %q", w)
			}
		}
		// the reminder is in Qinhuai's inbox; opening it marks it read and goes to the form
		rec = users["qinhuai"].get("/inbox")
		body := rec.Body.String()
		if !strings.Contains(body, "催报：科普工作半年报（测试） 2024年上半年") || !strings.Contains(body, "请周五前报送") {
			t.Fatalf("Qinhuai's inbox: %.2000s", body)
		}
		i := strings.Index(body, `action="/inbox/`)
		id := body[i+len(`action="/inbox/`):]
		id = id[:strings.Index(id, "/")]
		rec = users["qinhuai"].post("/inbox/"+id+"/read", form("go", "1"))
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/datasets/t_report/entry?period=2024S1&unit=320104") {
			t.Errorf("open the message: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if rec := users["xuanwu"].post("/inbox/"+id+"/read", form()); rec.Code != 404 {
			t.Errorf("another unit's message: %d", rec.Code)
		}
		if body := users["qinhuai"].get("/inbox?unread=true").Body.String(); !strings.Contains(body, "没有消息") {
			t.Errorf("unread after reading: %.500s", body)
		}
	})
}
