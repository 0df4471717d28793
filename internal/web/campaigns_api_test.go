package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"kexie/internal/auth"
	"kexie/internal/campaign"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// campaignBody is a province campaign over the cities and Xuanwu, with
// a yes-no item and a scored one.
func campaignBody() map[string]any {
	return map[string]any{"title": "深化改革专项督查", "unit": "320000",
		"scope":           map[string]any{"types": []string{"city"}, "units": []string{"320102"}},
		"self_inspection": map[string]any{"start": "2021-03-01", "end": "2021-03-31"},
		"on_site":         map[string]any{"start": "2021-04-01", "end": "2021-05-15"},
		"rectification":   map[string]any{"start": "2021-05-16", "end": "2021-12-31"},
		"items": []any{map[string]any{"title": "实现独立建制", "kind": "yesno"},
			map[string]any{"title": "改革方案落实", "kind": "score", "max_score": 10, "guidance": "按落实程度打分"}},
		"metrics": []string{"county_independent"}}
}

// addFieldInspector adds the user "field", who holds no role over any
// unit of the campaign (a viewer at a society), with an API token.
func addFieldInspector(t testing.TB, e *testEnv) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.app.Auth.CreateUser(ctx, nil, auth.NewUser{Name: "field", DisplayName: "实地督查员", Password: "correct-horse-battery-9",
		Role: auth.RoleViewer, Unit: "SOC001"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := e.app.Auth.CreateToken(ctx, nil, "field", "test")
	if err != nil {
		t.Fatal(err)
	}
	e.tokens["field"] = secret
}

func pdfBytes(s string) []byte { return []byte("%PDF-1.4\n" + s + "\n%%EOF\n") }

// campaignSpecCalls runs a campaign from creation to a verified close
// through the API, every response checked against the document.
func campaignSpecCalls(t *testing.T, c *specCheck) {
	t.Helper()
	if _, ok := c.e.tokens["field"]; !ok {
		addFieldInspector(t, c.e)
	}
	var k campaign.Campaign
	bad := campaignBody()
	bad["self_inspection"] = map[string]any{"start": "2021-03-01", "end": "2021-02-01"}
	c.call("POST", "/api/v1/campaigns", "admin", bad, 422)
	c.call("POST", "/api/v1/campaigns", "admin", `{"title":`, 400)
	decodeBody(t, c.call("POST", "/api/v1/campaigns", "admin", campaignBody(), 201), &k)
	base := fmt.Sprintf("/api/v1/campaigns/%d", k.ID)
	now := c.e.app.Campaigns.Now
	defer func() { c.e.app.Campaigns.Now = now }()
	clock := func(day string) {
		d, _ := time.Parse(time.DateOnly, day)
		c.e.app.Campaigns.Now = func() time.Time { return d.Add(9 * time.Hour) }
	}
	c.call("GET", "/api/v1/campaigns", "xuanwu", nil, 200)
	c.call("GET", base, "xuanwu", nil, 200)
	c.call("GET", base, "field", nil, 404)
	c.call("POST", base+"/inspectors", "nanjing", map[string]any{"user": "field", "units": []string{"320300"}}, 403)
	c.call("POST", base+"/inspectors", "admin", map[string]any{"user": "nobody", "units": []string{"320300"}}, 422)
	c.call("POST", base+"/inspectors", "admin", map[string]any{"user": "field", "units": []string{"320300"}}, 200)
	c.call("GET", base+"/units/320102", "xuanwu", nil, 200)
	c.call("GET", base+"/units/320300", "xuanwu", nil, 404)

	// the self-inspection is over: answers are refused until the owner
	// reopens it for Xuanwu
	clock("2021-04-10")
	c.call("PUT", base+"/units/320102/answers", "xuanwu", map[string]any{"answers": []any{map[string]any{"item": k.Items[0].ID, "answer": "yes"}}}, 409)
	reopen := map[string]any{"phase": "self_inspection", "until": "2021-04-20", "unit": "320102", "reason": "机构调整，补报"}
	c.call("POST", base+"/windows", "nanjing", reopen, 403)
	c.call("POST", base+"/windows", "admin", map[string]any{"phase": "self_inspection", "until": "2021-04-01", "reason": "x"}, 422)
	c.call("POST", base+"/windows", "admin", map[string]any{"phase": "self_inspection", "until": "2021-04-20", "unit": "320102", "reason": "x", "extra": 1}, 422)
	c.call("POST", base+"/windows", "admin", reopen, 200)

	// self-inspection with evidence
	var f register.File
	decodeBody(t, c.upload(base+"/files", "xuanwu", "改革方案.pdf", pdfBytes("方案"), 201), &f)
	c.upload(base+"/files", "xuanwu", "tool.exe", []byte("MZ\x90\x00"), 422)
	c.upload("/api/v1/campaigns/999999/files", "xuanwu", "a.pdf", pdfBytes("x"), 404)
	c.call("GET", fmt.Sprintf("%s/files/%d", base, f.ID), "xuanwu", nil, 200)
	c.call("GET", fmt.Sprintf("%s/files/%d", base, f.ID), "xuzhou", nil, 404)
	ten, eleven := 10.0, 11.0
	c.call("PUT", base+"/units/320102/answers", "xuanwu", map[string]any{"answers": []any{map[string]any{"item": k.Items[1].ID, "score": eleven}}}, 422)
	c.call("PUT", base+"/units/320102/answers", "xuzhou", map[string]any{"answers": []any{map[string]any{"item": k.Items[0].ID, "answer": "yes"}}}, 404)
	c.call("PUT", base+"/units/320102/answers", "xuanwu", map[string]any{"answers": []any{map[string]any{"item": k.Items[0].ID, "answer": "yes", "files": []int64{f.ID}}}}, 200)
	c.call("POST", base+"/units/320102/submit", "xuanwu", nil, 422)
	c.call("PUT", base+"/units/320102/answers", "xuanwu", map[string]any{"answers": []any{map[string]any{"item": k.Items[1].ID, "score": ten, "note": "已印发"}}}, 200)
	c.call("POST", base+"/units/320102/submit", "leader", nil, 403)
	c.call("POST", base+"/units/320102/submit", "xuanwu", nil, 200)
	c.call("POST", base+"/units/320102/return", "xuanwu", map[string]any{"reason": "x"}, 403)
	c.call("POST", base+"/units/320102/return", "admin", map[string]any{"reason": ""}, 422)
	c.call("POST", base+"/units/320102/return", "admin", map[string]any{"reason": "请补充批复文件"}, 200)
	c.call("POST", base+"/units/320102/return", "admin", map[string]any{"reason": "再退"}, 409)
	c.call("POST", base+"/units/320102/submit", "xuanwu", nil, 200)
	c.call("PUT", base+"/units/320102/answers", "xuanwu", map[string]any{"answers": []any{map[string]any{"item": k.Items[1].ID, "score": ten}}}, 409)
	c.call("GET", fmt.Sprintf("%s/files/%d", base, f.ID), "admin", nil, 200)

	// on-site: after its window, refused; in it, the inspector only at its unit
	clock("2021-05-16")
	c.call("POST", base+"/findings", "field", map[string]any{"unit": "320300", "body": "x"}, 409)
	clock("2021-04-15")
	var photo register.File
	decodeBody(t, c.upload(base+"/files", "field", "现场.png", []byte("\x89PNG\r\n\x1a\n photo"), 201), &photo)
	c.call("POST", base+"/findings", "field", map[string]any{"unit": "320100", "body": "x"}, 404)
	c.call("POST", base+"/findings", "xuzhou", map[string]any{"unit": "320300", "body": "x"}, 403)
	c.call("POST", base+"/findings", "field", map[string]any{"unit": "320300", "body": ""}, 422)
	var fd campaign.Finding
	decodeBody(t, c.call("POST", base+"/findings", "field", map[string]any{"unit": "320300", "item": k.Items[1].ID, "body": "改革方案未印发",
		"files": []int64{photo.ID}}, 201), &fd)
	c.call("POST", base+"/units/320300/inspected", "field", nil, 200)
	c.call("POST", base+"/units/320300/inspected", "field", nil, 409)
	c.call("POST", base+"/units/320100/inspected", "xuzhou", nil, 404)
	c.call("GET", fmt.Sprintf("%s/files/%d", base, photo.ID), "xuzhou", nil, 200)

	// rectification from the finding to a verified close
	clock("2021-09-01")
	c.call("POST", base+"/rectifications", "admin", map[string]any{"finding": fd.ID, "start": "2021-06-01", "due": "2021-05-01"}, 422)
	c.call("POST", base+"/rectifications", "xuzhou", map[string]any{"finding": fd.ID, "due": "2021-10-31"}, 403)
	var rc campaign.Rect
	decodeBody(t, c.call("POST", base+"/rectifications", "admin", map[string]any{"finding": fd.ID, "measures": "限期印发", "due": "2021-10-31"}, 201), &rc)
	c.call("GET", base+"/rectifications", "xuzhou", nil, 200)
	c.call("POST", base+"/reminders", "xuzhou", map[string]any{}, 403)
	c.call("POST", base+"/reminders", "admin", map[string]any{"lights": []string{"blue"}}, 422)
	var sent struct{ Sent int }
	decodeBody(t, c.call("POST", base+"/reminders", "admin", map[string]any{"lights": []string{"red"}, "note": "请加快进度"}, 200), &sent)
	if sent.Sent != 1 {
		t.Fatalf("reminders sent: %d", sent.Sent)
	}
	rpath := fmt.Sprintf("/api/v1/rectifications/%d", rc.ID)
	c.call("GET", rpath, "nanjing", nil, 404)
	c.call("GET", "/api/v1/rectifications/999999", "admin", nil, 404)
	c.call("POST", rpath+"/steps", "xuzhou", map[string]any{"action": "complete", "note": "已印发"}, 422)
	c.call("POST", rpath+"/steps", "admin", map[string]any{"action": "verify"}, 409)
	c.call("POST", rpath+"/steps", "xuzhou", map[string]any{"action": "progress", "percent": 150, "note": "x"}, 422)
	c.call("POST", rpath+"/steps", "xuzhou", map[string]any{"action": "progress", "percent": 50, "note": "已起草"}, 200)
	var ev register.File
	decodeBody(t, c.upload(base+"/files", "xuzhou", "印发通知.pdf", pdfBytes("通知"), 201), &ev)
	c.call("POST", rpath+"/steps", "xuzhou", map[string]any{"action": "complete", "note": "已印发", "files": []int64{ev.ID}}, 200)
	c.call("POST", rpath+"/steps", "xuzhou", map[string]any{"action": "verify"}, 403)
	c.call("POST", rpath+"/steps", "admin", map[string]any{"action": "return"}, 422)
	decodeBody(t, c.call("POST", rpath+"/steps", "admin", map[string]any{"action": "verify", "note": "核验属实"}, 200), &rc)
	if rc.State != campaign.Closed || len(rc.Evidence) != 1 || rc.Light != "done" {
		t.Fatalf("after verification: %+v", rc)
	}
	c.call("POST", rpath+"/steps", "xuzhou", map[string]any{"action": "progress", "percent": 10, "note": "x"}, 409)
	c.call("GET", rpath, "xuzhou", nil, 200)
	c.call("GET", base+"/report", "admin", nil, 200)
	c.call("GET", base+"/report", "field", nil, 200)
	c.call("GET", base+"/export", "admin", nil, 200)
	c.call("GET", "/api/v1/campaigns/999999/export", "admin", nil, 404)

	// a rectification-only campaign imported from a sheet
	var r2 campaign.Campaign
	decodeBody(t, c.call("POST", "/api/v1/campaigns", "admin", map[string]any{"title": "巡视反馈问题整改", "kind": "rectification", "unit": "320000",
		"rectification": map[string]any{"start": "2021-06-01", "end": "2021-12-31"}}, 201), &r2)
	imp := fmt.Sprintf("/api/v1/campaigns/%d/imports/rectifications", r2.ID)
	c.upload(imp, "admin", "bad.csv", []byte("问题,整改措施,责任单位,整改时限\n党建覆盖不足,专项行动,火星,2021-09-30\n"), 422)
	c.upload(imp, "xuzhou", "good.csv", []byte("问题,整改措施,责任单位,整改时限\n党建覆盖不足,专项行动,320300,2021-09-30\n"), 404)
	c.upload(imp, "admin", "good.csv", []byte("问题,整改措施,责任单位,整改时限\n党建覆盖不足,专项行动,徐州市科学技术协会,2021-09-30\n"), 201)
}

func TestCampaignAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		addFieldInspector(t, e)
		c := &specCheck{t: t, e: e, doc: loadSpec(t), hit: map[string]bool{}}
		campaignSpecCalls(t, c)
		// every campaign operation answered at least once
		for path, item := range c.doc.Paths.Map() {
			if !strings.Contains(path, "campaign") && !strings.Contains(path, "rectification") {
				continue
			}
			for method := range item.Operations() {
				if !c.hit[method+" "+path] {
					t.Errorf("%s %s: not exercised", method, path)
				}
			}
		}
		// scope: units themselves, superiors their subtree, inspectors their units
		var ks struct{ Items []campaign.Campaign }
		decodeBody(t, e.do("GET", "/api/v1/campaigns", "admin", nil), &ks)
		if len(ks.Items) != 2 {
			t.Fatalf("campaigns: %d", len(ks.Items))
		}
		id := ks.Items[1].ID
		units := func(user string) []string {
			var k campaign.Campaign
			rec := e.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", id), user, nil)
			if rec.Code == http.StatusNotFound {
				return nil
			}
			decodeBody(t, rec, &k)
			var out []string
			for _, u := range k.Units {
				out = append(out, u.Unit)
			}
			return out
		}
		for user, want := range map[string][]string{
			"xuanwu": {"320102"}, "nanjing": {"320100", "320102"}, "xuzhou": {"320300"}, "field": {"320300"},
		} {
			if got := units(user); !slices.Equal(got, want) {
				t.Errorf("%s sees %v, want %v", user, got, want)
			}
		}
		if got := units("admin"); len(got) != 14 {
			t.Errorf("admin sees %d units", len(got))
		}
		// the rectification-only campaign: Xuzhou sees its item, Nanjing not the campaign
		if rec := e.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/rectifications", ks.Items[0].ID), "nanjing", nil); rec.Code != http.StatusNotFound {
			t.Errorf("Nanjing reads the inspection-findings campaign: %d", rec.Code)
		}
		// the reminder reached Xuzhou's inbox, not Nanjing's
		if body := e.do("GET", "/api/v1/inbox", "xuzhou", nil).Body.String(); !strings.Contains(body, "请加快进度") {
			t.Errorf("Xuzhou's inbox lacks the reminder: %.300s", body)
		}
		if body := e.do("GET", "/api/v1/inbox", "nanjing", nil).Body.String(); strings.Contains(body, "请加快进度") {
			t.Errorf("Nanjing got Xuzhou's reminder")
		}
		// a file too large is refused with nothing written
		small, err := New(e.app, Options{MaxUpload: 1 << 10, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		body, ct := multipartBody(t, "file", "big.pdf", pdfBytes(strings.Repeat("x", 4<<10)))
		req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/campaigns/%d/files", id), bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+e.tokens["xuanwu"])
		rec := httptest.NewRecorder()
		small.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge && rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("a file over the limit: %d %s", rec.Code, rec.Body.String())
		}
		var n int
		if err := db.Q(context.Background()).QueryRowContext(context.Background(), `SELECT COUNT(*) FROM files WHERE name = 'big.pdf'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the refused file was written: %d %v", n, err)
		}
	})
}

var _ = openapi3.T{}
