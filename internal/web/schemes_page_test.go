package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kexie/internal/auth"
	"kexie/internal/demo"
	"kexie/internal/scheme"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// demoRun returns the id of the demo's run of a scheme version.
func demoRun(t testing.TB, e *testEnv, code string, version int) int64 {
	t.Helper()
	rs, err := e.app.Schemes.Runs(context.Background(), unit.Everything(), scheme.RunFilter{Scheme: code, Version: version})
	if err != nil || len(rs) != 1 {
		t.Fatalf("demo run %s/%d: %+v %v", code, version, rs, err)
	}
	return rs[0].ID
}

func TestSchemePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if err := demo.LoadSchemes(context.Background(), e.app.Schemes); err != nil {
			t.Fatal(err)
		}
		addUser(t, e, "soc3", auth.RoleDataEntry, "SOC003")
		admin := e.login("admin", demo.Password)
		check := func(name string, rec *httptest.ResponseRecorder, code int, parts ...string) {
			t.Helper()
			if rec.Code != code {
				t.Fatalf("%s: %d, want %d: %.800s", name, rec.Code, code, rec.Body.String())
			}
			for _, p := range parts {
				if !strings.Contains(rec.Body.String(), p) {
					t.Errorf("%s lacks %q", name, p)
				}
			}
		}
		check("/schemes", admin.get("/schemes"), 200, "学会综合能力评价", "县级科协能力指数", "海智基地评估", `id="run-list"`)
		// the tree with its derivation: the AHP matrix of the first level
		v1 := admin.get("/schemes/" + demo.SocietyScheme + "/versions/1")
		check("version 1", v1, 200, `id="node-A11"`, "职业化工作人员", "society_staff", `id="ahp-—"`, "CR = ", `name="share.A1"`)
		// the editor's check (htmx): a share that breaks the sum is shown, nothing saved
		form := url.Values{"from": {"tree"}, "share.A1": {"0.5"}}
		check("check", admin.post("/schemes/"+demo.SocietyScheme+"/versions/1/check", form), 200, `id="check-errors"`, "A")
		check("check ok", admin.post("/schemes/"+demo.SocietyScheme+"/versions/1/check", url.Values{"from": {"tree"}, "share.A1": {"0.5"}, "share.A2": {"0.5"}}), 200, `id="check-ok"`)
		check("save refused", admin.post("/schemes/"+demo.SocietyScheme+"/versions/1/save", form), 422, "A1")
		if sc, _ := e.app.Schemes.Get(context.Background(), demo.SocietyScheme); len(sc.Versions) != 2 {
			t.Fatalf("a refused version was saved: %v", sc.Versions)
		}
		rec := admin.post("/schemes/"+demo.SocietyScheme+"/versions/1/save", url.Values{"from": {"tree"}, "share.A1": {"0.5"}, "share.A2": {"0.5"}, "note": {"治理与志愿各半"}})
		check("save", rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/schemes/"+demo.SocietyScheme+"/versions/3") {
			t.Fatalf("saved to %s", loc)
		}
		// a run from the page, out of scope refused
		nanjing := e.login("nanjing", demo.Password)
		check("run out of scope", nanjing.post("/schemes/"+demo.SocietyScheme+"/versions/3/runs", url.Values{"unit": {"320000"}, "period": {"2021S1"}}), 404)
		rec = e.login("inspector", demo.Password).post("/schemes/"+demo.SocietyScheme+"/versions/3/runs", url.Values{"unit": {"320000"}, "period": {"2021S1"}})
		check("run", rec, http.StatusSeeOther)

		// the league table of the published two-level run
		id := demoRun(t, e, demo.SocietyScheme, 2)
		run := fmt.Sprintf("/scheme-runs/%d", id)
		league := admin.get(run)
		check("league", league, 200, `id="league"`, "江苏省机械工程学会", `id="moved-note"`, `id="export-link"`, `id="objection-list"`, "经核实")
		if n := strings.Count(league.Body.String(), `<tr id="row-`); n != 50 {
			t.Errorf("league table has %d rows", n)
		}
		check("compare topsis", admin.get(run+"/compare"), 200, `id="spearman"`, `id="move-SOC001"`)
		check("compare versions", admin.get(fmt.Sprintf("%s/compare?with=%d", run, demoRun(t, e, demo.SocietyScheme, 1))), 200, `id="spearman"`)
		check("export", admin.get("/api/v1/scheme-runs/"+fmt.Sprint(id)+"/export"), 200)
		check("print css", admin.get("/static/schemes.css"), 200, "@media print", "@media (max-width: 640px)")
		check("publish again", admin.post(run+"/act", url.Values{"action": {"publish"}, "days": {"10"}}), 409)

		// a unit: its own line, its scorecard with the reasons, an objection
		soc := e.login("soc3", "test-password-1")
		own := soc.get(run)
		check("own league", own, 200, `id="row-SOC003"`)
		if strings.Count(own.Body.String(), `<tr id="row-`) != 1 {
			t.Errorf("soc3 sees other units' lines")
		}
		card := soc.get(run + "/units/SOC003")
		check("scorecard", card, 200, `id="card-A11"`, "线性：0 得 0 分，3 得满分", `id="card-total"`, `id="object"`, `/static/schemes.css`, `id="print"`)
		check("other's scorecard", soc.get(run+"/units/SOC001"), 404)
		check("objection refused", soc.post(run+"/units/SOC003/objections", url.Values{"node": {"B11"}, "reason": {""}}), 422, "field-error")
		check("objection", soc.post(run+"/units/SOC003/objections", url.Values{"node": {"B11"}, "reason": {"线上活动漏报 1 场"}}), http.StatusSeeOther)
		check("scorecard after", soc.get(run+"/units/SOC003"), 200, "线上活动漏报 1 场", "等待答复")
		os, _ := e.app.Schemes.Objections(context.Background(), unit.Everything(), id)
		last := os[len(os)-1]
		check("answer by the unit", soc.post(fmt.Sprintf("/scheme-objections/%d/answer", last.ID), url.Values{"answer": {"成立"}}), 404)
		answer := fmt.Sprintf("/scheme-objections/%d/answer", last.ID)
		check("answer form", admin.get(run), 200, fmt.Sprintf(`id="answer-value-%d"`, last.ID), fmt.Sprintf(`id="answer-points-%d"`, last.ID))
		check("upheld without a correction", admin.post(answer, url.Values{"answer": {"已补录"}, "upheld": {"yes"}}), 422, "请填写更正后的值或得分")
		check("value and points", admin.post(answer, url.Values{"answer": {"已补录"}, "upheld": {"yes"}, "value": {"3"}, "points": {"2"}}), 422, "更正后的值和得分只填一项")
		check("not a number", admin.post(answer, url.Values{"answer": {"已补录"}, "upheld": {"yes"}, "value": {"三"}}), 422, "更正后的值须为数字")
		check("answer", admin.post(answer, url.Values{"answer": {"已补录，按 9 场计"}, "upheld": {"yes"}, "value": {"9"}}), http.StatusSeeOther)
		check("answered", soc.get(run+"/units/SOC003"), 200, "已补录，按 9 场计", "成立", `id="corrected-note"`, `id="corrected-B11-`, "异议更正", "→ 9，得分")
		check("league marks the correction", admin.get(run), 200, "该单位有得分经异议更正")
		check("scorecard in English", soc.get(run+"/units/SOC003?lang=en"), 200, "corrected on objection", "→ 9, points")

		// self-scores and verification
		hs := "/schemes/" + demo.SocietyScheme + "/versions/2/hand-scores"
		check("hand page", soc.get(hs+"?period=2021S1"), 200, `id="self-SOC003-A13"`, `id="self-SOC003-B12"`)
		check("claim above max", soc.post(hs, url.Values{"period": {"2021S1"}, "unit": {"SOC003"}, "node": {"B12"}, "claimed": {"11"}, "evidence": {"会议通知"}}), 422, "0 到 10")
		check("claim", soc.post(hs, url.Values{"period": {"2021S1"}, "unit": {"SOC003"}, "node": {"B12"}, "claimed": {"8"}, "evidence": {"会议通知 8 份"}}), http.StatusSeeOther)
		check("verify page", admin.get(hs+"?period=2021S1"), 200, `id="verify-SOC003-B12"`, "会议通知 8 份")
		check("verify without reason", admin.post(hs+"/verify", url.Values{"period": {"2021S1"}, "unit": {"SOC003"}, "node": {"B12"}, "score": {"6"}}), 422)
		check("verify", admin.post(hs+"/verify", url.Values{"period": {"2021S1"}, "unit": {"SOC003"}, "node": {"B12"}, "score": {"6"}, "reason": {"两份通知不属于学术会议"}}), http.StatusSeeOther)
		check("verified", soc.get(hs+"?period=2021S1"), 200, "两份通知不属于学术会议")
	})
}
