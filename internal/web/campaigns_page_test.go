package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kexie/internal/campaign"
	"kexie/internal/demo"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// postMultipart sends a multipart form with the session's CSRF token;
// files maps a field to a file name and its bytes.
func (s *session) postMultipart(path string, fields map[string]string, files map[string][2]string) *httptest.ResponseRecorder {
	s.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", s.csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for k, f := range files {
		fw, err := mw.CreateFormFile(k, f[0])
		if err != nil {
			s.e.t.Fatal(err)
		}
		_, _ = fw.Write([]byte(f[1]))
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.e.srv.ServeHTTP(rec, req)
	return rec
}

func demoCampaigns(t *testing.T, e *testEnv) (reform, findings campaign.Campaign) {
	t.Helper()
	ctx := context.Background()
	if err := demo.LoadCampaigns(ctx, e.app.Campaigns, e.app.Files); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadCampaigns(ctx, e.app.Campaigns, e.app.Files); err != nil { // a second load adds nothing
		t.Fatal(err)
	}
	ks, err := e.app.Campaigns.List(ctx, campaign.System())
	if err != nil || len(ks) != 2 {
		t.Fatalf("demo campaigns: %d %v", len(ks), err)
	}
	for _, k := range ks {
		k, _ = e.app.Campaigns.Get(ctx, campaign.System(), k.ID)
		if k.Title == demo.CampaignTitle {
			reform = k
		} else {
			findings = k
		}
	}
	return reform, findings
}

func TestCampaignPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		reform, insp := demoCampaigns(t, e)
		if c := reform.Counts; c.Units != 19 || c.Submitted != 19 || c.Inspected != 19 || c.Rects != 6 || c.Closed != 3 || c.Reported != 1 || c.Open != 2 || c.Overdue != 2 {
			t.Fatalf("demo reform campaign: %+v", c)
		}
		if insp.Kind != campaign.KindRectification || insp.Counts.Rects != 5 {
			t.Fatalf("demo inspection findings: %+v", insp.Counts)
		}
		admin := e.login("admin", demo.Password)
		if body := admin.get("/campaigns").Body.String(); !strings.Contains(body, demo.CampaignTitle) || !strings.Contains(body, demo.RectificationTitle) {
			t.Fatalf("/campaigns: %.400s", body)
		}
		page := admin.get(fmt.Sprintf("/campaigns/%d", reform.ID)).Body.String()
		for _, want := range []string{`id="phases"`, `data-phase="self"`, "19/19", `id="overdue-count">2<`, `data-metric="county_independent"`,
			"县级科协实现独立建制", `class="light light-`, "南京市科学技术协会", `id="assign-form"`, `id="remind-form"`, `id="extend-form"`} {
			if !strings.Contains(page, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		rep := admin.get(fmt.Sprintf("/campaigns/%d/report", reform.ID))
		if rep.Code != 200 || !strings.Contains(rep.Body.String(), "关于科协系统深化改革专项督查情况的报告") || !strings.Contains(rep.Body.String(), "19 家单位开展自查") {
			t.Fatalf("report: %d %.600s", rep.Code, rep.Body.String())
		}
		x := admin.get(fmt.Sprintf("/api/v1/campaigns/%d/export", reform.ID))
		wb, err := excelize.OpenReader(bytes.NewReader(x.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if sheets := wb.GetSheetList(); len(sheets) != 4 {
			t.Fatalf("export sheets: %v", sheets)
		}
		if rows, _ := wb.GetRows("整改 Rectifications"); len(rows) != 7 {
			t.Fatalf("rectification rows: %d", len(rows))
		}
		// scope: Xuanwu is no unit of the campaign; Nanjing sees itself only
		xuanwu := e.login("xuanwu", demo.Password)
		if rec := xuanwu.get(fmt.Sprintf("/campaigns/%d", reform.ID)); rec.Code != http.StatusNotFound {
			t.Errorf("xuanwu reads the campaign: %d", rec.Code)
		}
		nanjing := e.login("nanjing", demo.Password)
		body := nanjing.get(fmt.Sprintf("/campaigns/%d", reform.ID)).Body.String()
		if !strings.Contains(body, `data-unit="320100"`) || strings.Contains(body, `data-unit="320300"`) {
			t.Errorf("Nanjing's dashboard shows other units")
		}
		if body := nanjing.get(fmt.Sprintf("/campaigns/%d?lang=en", reform.ID)).Body.String(); !strings.Contains(body, "Nanjing Association for Science and Technology") {
			t.Errorf("the English dashboard names units in Chinese")
		}
		if rec := nanjing.get(fmt.Sprintf("/campaigns/%d/units/320300", reform.ID)); rec.Code != http.StatusNotFound {
			t.Errorf("Nanjing reads Xuzhou: %d", rec.Code)
		}
		if body := nanjing.get(fmt.Sprintf("/campaigns/%d/units/320100", reform.ID)).Body.String(); !strings.Contains(body, `id="answers"`) || strings.Contains(body, `id="answers-form"`) {
			t.Errorf("a submitted self-inspection is editable")
		}
		inspector := e.login("inspector", demo.Password)
		if body := inspector.get(fmt.Sprintf("/campaigns/%d/inspect", reform.ID)).Body.String(); strings.Count(body, "data-unit=") != 19 {
			t.Errorf("inspector's units: %d", strings.Count(body, "data-unit="))
		}

		// a unit fills in its self-inspection through the form
		rec := e.do("POST", "/api/v1/campaigns", "admin", campaignBody())
		var k campaign.Campaign
		decodeBody(t, rec, &k)
		path := fmt.Sprintf("/campaigns/%d/units/320102", k.ID)
		// its self-inspection (March 2021) is over: no form, the reason instead
		if body := xuanwu.get(path).Body.String(); strings.Contains(body, `id="answers-form"`) || !strings.Contains(body, `id="self-shut"`) ||
			!strings.Contains(body, "自查时间为 2021-03-01 至 2021-03-31，已经结束") {
			t.Fatalf("a self-inspection past its window: %.500s", body)
		}
		// the owner reopens it for Xuanwu from the dashboard
		extend := fmt.Sprintf("/campaigns/%d/extend", k.ID)
		rec = admin.post(extend, url.Values{"phase": {"self_inspection"}, "until": {"2021-04-01"}, "unit": {"320102"}, "reason": {"补报"}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "不能早于今天") {
			t.Fatalf("an extension into the past: %d", rec.Code)
		}
		until := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
		if rec = admin.post(extend, url.Values{"phase": {"self_inspection"}, "until": {until}, "unit": {"320102"}, "reason": {"补报"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("extend: %d %.300s", rec.Code, rec.Body.String())
		}
		if body := xuanwu.get(path).Body.String(); !strings.Contains(body, `id="answers-form"`) || !strings.Contains(body, "2021-03-01 – "+until) {
			t.Fatalf("no self-inspection form once reopened: %.500s", body)
		}
		y, sc := fmt.Sprint(k.Items[0].ID), fmt.Sprint(k.Items[1].ID)
		rec = xuanwu.postMultipart(path+"/answers", map[string]string{"answer." + y: "yes", "score." + sc: "12", "action": "save"}, nil)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "自评分应在 0 到 10 之间") {
			t.Fatalf("a score over the maximum: %d %.300s", rec.Code, rec.Body.String())
		}
		rec = xuanwu.postMultipart(path+"/answers", map[string]string{"answer." + y: "yes", "score." + sc: "8", "action": "save"},
			map[string][2]string{"file." + y: {"tool.exe", "MZ"}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a refused file type: %d", rec.Code)
		}
		if v, _ := xuanwuView(e, k.ID); len(v.Answers) != 0 {
			t.Fatalf("a refused form wrote %d answers", len(v.Answers))
		}
		rec = xuanwu.postMultipart(path+"/answers", map[string]string{"answer." + y: "yes", "score." + sc: "8", "action": "submit"},
			map[string][2]string{"file." + y: {"批复.pdf", "%PDF-1.4 批复"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("submit: %d %.500s", rec.Code, rec.Body.String())
		}
		v, _ := xuanwuView(e, k.ID)
		if v.SubmittedAt == nil || len(v.Answers) != 2 || len(v.Answers[0].Files) != 1 {
			t.Fatalf("after submitting: %+v", v)
		}
		// the owner returns it from the unit's page
		if body := admin.get(path).Body.String(); !strings.Contains(body, `id="return-form"`) {
			t.Fatalf("no return form for the owner")
		}
		if rec := admin.post(path+"/return", url.Values{"reason": {""}}); rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a return without reason: %d", rec.Code)
		}
		if rec := admin.post(path+"/return", url.Values{"reason": {"请补充批复"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("return: %d", rec.Code)
		}
		if v, _ := xuanwuView(e, k.ID); v.SubmittedAt != nil {
			t.Fatalf("still submitted after the return")
		}
	})
}

func xuanwuView(e *testEnv, id int64) (campaign.UnitView, error) {
	_, v, err := e.app.Campaigns.Unit(context.Background(), campaign.System(), id, "320102")
	return v, err
}

func TestCampaignForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.login("admin", demo.Password)
		if body := admin.get("/campaigns/new").Body.String(); !strings.Contains(body, `id="campaign-form"`) || !strings.Contains(body, `value="reform_county"`) {
			t.Fatalf("new campaign form: %.300s", body)
		}
		if rec := e.login("xuanwu", demo.Password).get("/campaigns/new"); rec.Code != http.StatusForbidden {
			t.Errorf("xuanwu opens the new campaign form: %d", rec.Code)
		}
		form := func() url.Values {
			return url.Values{"title": {"表单督查"}, "kind": {"inspection"}, "unit": {"320000"}, "types": {"city"}, "groups": {"reform_county"},
				"self_start": {"2021-03-01"}, "self_end": {"2021-03-31"}, "site_start": {"2021-04-01"}, "site_end": {"2021-05-15"},
				"rect_start": {"2021-05-16"}, "rect_end": {"2021-12-31"}, "metrics": {"county_independent"},
				"items": {"独立建制 | 是否\n方案落实 | 打分 | 20 | 逐项对照\n其他"}}
		}
		bad := form()
		bad.Set("site_end", "2021-03-01")
		bad.Set("items", "方案落实 | 打分 | 0")
		rec := admin.post("/campaigns/new", bad)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "早于开始日期") || !strings.Contains(rec.Body.String(), "满分") {
			t.Fatalf("a refused form: %d %.500s", rec.Code, rec.Body.String())
		}
		if ks, _ := e.app.Campaigns.List(context.Background(), campaign.System()); len(ks) != 0 {
			t.Fatalf("a refused form wrote %d campaigns", len(ks))
		}
		rec = admin.post("/campaigns/new", form())
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("create: %d %.500s", rec.Code, rec.Body.String())
		}
		ks, _ := e.app.Campaigns.List(context.Background(), campaign.System())
		k, _ := e.app.Campaigns.Get(context.Background(), campaign.System(), ks[0].ID)
		if len(k.Units) != 19 || len(k.Items) != 3 || k.Items[1].MaxScore != 20 || k.Items[0].Kind != campaign.AnswerYesNo {
			t.Fatalf("created: %d units, items %+v", len(k.Units), k.Items)
		}
		// a rectification entered on the dashboard, its unit given by name
		path := fmt.Sprintf("/campaigns/%d/rectifications", k.ID)
		rec = admin.post(path, url.Values{"problem": {"方案未印发"}, "unit": {"徐州市科学技术协会"}, "due": {"2021-04-01"}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "早于开始日期") {
			t.Fatalf("a deadline before the start: %d", rec.Code)
		}
		rec = admin.post(path, url.Values{"problem": {"方案未印发"}, "unit": {"徐州市科学技术协会"}, "due": {"2021-10-31"}})
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/rectifications/") {
			t.Fatalf("add an item: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if rs, _ := e.app.Campaigns.Rects(context.Background(), campaign.System(), k.ID); len(rs) != 1 || rs[0].Unit != "320300" {
			t.Fatalf("items: %+v", rs)
		}
	})
}
