package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"kexie/internal/demo"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// stepForm is a multipart step: its fields and evidence files (name → bytes).
func stepForm(t testing.TB, fields map[string]string, files ...[2]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile("evidence", f[0])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(f[1]))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// multipart sends a multipart form through the session, with its CSRF token.
func (s *session) multipart(path string, fields map[string]string, files ...[2]string) *httptest.ResponseRecorder {
	s.e.t.Helper()
	fields["csrf_token"] = s.csrf
	body, ct := stepForm(s.e.t, fields, files...)
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.e.srv.ServeHTTP(rec, req)
	return rec
}

func pngBytes() string { return "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64) }

func TestPlanEvidencePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := planBody()
		taskOf(b)["milestones"] = []any{map[string]any{"title": "方案印发", "due": "2021-08-31"}}
		var p plan.Plan
		decodeBody(t, e.do("POST", "/api/v1/plans", "admin", b), &p)
		task := p.Sections[0].Tasks[0]
		if len(task.Milestones) != 1 {
			t.Fatalf("milestones: %+v", task.Milestones)
		}
		path := fmt.Sprintf("/plan-tasks/%d", task.ID)
		nj := e.login("nanjing", demo.Password)
		if rec := nj.post(path+"/steps", map[string][]string{"action": {"acknowledge"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d %s", rec.Code, rec.Body.String())
		}
		page := nj.get(path).Body.String()
		for _, want := range []string{`enctype="multipart/form-data"`, `name="evidence"`, `id="step-milestone"`, "方案印发"} {
			if !strings.Contains(page, want) {
				t.Errorf("task page lacks %q", want)
			}
		}
		count := func(table string) int {
			var n int
			if err := db.Q(context.Background()).QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// refused files: nothing written, the message on the form
		for _, c := range []struct {
			name, body, want string
		}{
			{"程序.exe", "MZ\x90\x00", "不接受这种文件"},
			{"照片.png", "%PDF-1.4 not a png", "文件内容与扩展名不符"},
		} {
			rec := nj.multipart(path+"/steps", map[string]string{"action": "report", "percent": "40", "note": "附件有误"}, [2]string{c.name, c.body})
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), c.want) {
				t.Errorf("%s: %d %.300s", c.name, rec.Code, rec.Body.String())
			}
		}
		// too large for a server taking 1 KiB uploads
		small, err := New(e.app, Options{MaxUpload: 1024, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		big, ct := stepForm(t, map[string]string{"action": "report", "percent": "40", "note": "大文件"}, [2]string{"大照片.png", pngBytes() + strings.Repeat("x", 2000)})
		req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task.ID), bytes.NewReader(big))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+e.tokens["nanjing"])
		rec := httptest.NewRecorder()
		small.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnprocessableEntity || !slices.Contains(problemFields(t, rec), "evidence") {
			t.Errorf("too large: %d %s", rec.Code, rec.Body.String())
		}
		// a refused step stores no file either
		if rec := nj.multipart(path+"/steps", map[string]string{"action": "report", "percent": "400", "note": "x"}, [2]string{"照片.png", pngBytes()}); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("percent 400: %d", rec.Code)
		}
		if n, f := count("plan_evidence"), count("files"); n != 0 || f != 0 {
			t.Fatalf("written after refusals: %d evidence, %d files", n, f)
		}
		rec = nj.multipart(path+"/steps", map[string]string{"action": "report", "percent": "40", "note": "已新建 12 家，附名单和照片"},
			[2]string{"现场照片.png", pngBytes()}, [2]string{"名单.txt", "南京新建企业科协名单\n"})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("report with evidence: %d %s", rec.Code, rec.Body.String())
		}
		rec = nj.multipart(path+"/steps", map[string]string{"action": "milestone", "milestone": fmt.Sprint(task.Milestones[0].ID), "note": "已印发"})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("milestone: %d %s", rec.Code, rec.Body.String())
		}
		admin := e.login("admin", demo.Password)
		page = admin.get(path).Body.String()
		if strings.Count(page, `class="evidence-file"`) != 2 || !strings.Contains(page, "现场照片.png") || !strings.Contains(page, "已印发") {
			t.Fatalf("owner's task page lacks the evidence: %.2000s", page)
		}
		var got plan.Task
		decodeBody(t, e.do("GET", "/api/v1/plan-tasks/"+fmt.Sprint(task.ID), "admin", nil), &got)
		var files []plan.Evidence
		for _, ev := range got.Events {
			files = append(files, ev.Files...)
		}
		if len(files) != 2 || got.Milestones[0].Done == "" {
			t.Fatalf("task: %+v", got)
		}
		// the owner downloads; a city with no part in the task does not
		dl := admin.get(fmt.Sprintf("%s/evidence/%d", path, files[0].ID))
		if dl.Code != 200 || !strings.HasPrefix(dl.Body.String(), "\x89PNG") || !strings.Contains(dl.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %d %v", dl.Code, dl.Header())
		}
		if rec := e.do("GET", fmt.Sprintf("/api/v1/plan-tasks/%d/evidence/%d", task.ID, files[0].ID), "xuanwu", nil); rec.Code != 200 {
			t.Errorf("xuanwu (allotted in the task) downloads: %d", rec.Code)
		}
		other := p.Sections[0].Tasks[1].ID
		for _, c := range []struct {
			user, path string
		}{
			{"nanjing", fmt.Sprintf("/api/v1/plan-tasks/%d/evidence/%d", other, files[0].ID)},
			{"admin", fmt.Sprintf("/api/v1/plan-tasks/%d/evidence/%d", other, files[0].ID)},
			{"admin", fmt.Sprintf("/api/v1/plan-tasks/%d/evidence/999999", task.ID)},
		} {
			if rec := e.do("GET", c.path, c.user, nil); rec.Code != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", c.user, c.path, rec.Code)
			}
		}
		// the rule form and the contact form
		if rec := admin.post(fmt.Sprintf("/plans/%d/remind-rule", p.ID), map[string][]string{"lights": {"red"}, "every_days": {"7"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("rule: %d %s", rec.Code, rec.Body.String())
		}
		if body := admin.get(fmt.Sprintf("/plans/%d", p.ID)).Body.String(); !strings.Contains(body, "每 7 天催办一次") {
			t.Errorf("plan page lacks the rule")
		}
		if body := nj.get("/plans/todo").Body.String(); !strings.Contains(body, `data-unit="320100"`) {
			t.Errorf("to-do lacks the contact form")
		}
		if rec := nj.post("/plans/contact", map[string][]string{"unit": {"320100"}, "email": {"office@nj.example.org"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("contact: %d %s", rec.Code, rec.Body.String())
		}
		if body := nj.get("/plans/todo").Body.String(); !strings.Contains(body, "office@nj.example.org") {
			t.Errorf("to-do lacks the address")
		}
	})
}

// planEvidenceSpecCalls checks the evidence, rule and contact endpoints
// against the document.
func planEvidenceSpecCalls(t *testing.T, c *specCheck, p plan.Plan) {
	t.Helper()
	task := p.Sections[0].Tasks[0].ID
	var photo struct{ ID int64 }
	decodeBody(t, c.upload("/api/v1/files", "nanjing", "现场.png", tinyPNG(t), 201), &photo)
	steps := fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task)
	c.call("POST", steps, "nanjing", map[string]any{"action": "report", "percent": 20, "note": "附照片", "files": []int64{photo.ID}}, 200)
	c.call("POST", steps, "nanjing", map[string]any{"action": "report", "percent": 20, "note": "别人的", "files": []int64{photo.ID + 1000}}, 422)
	c.multipart(steps, "nanjing", map[string]string{"action": "report", "percent": "30", "note": "又一张"}, [][2]string{{"又一张.png", string(tinyPNG(t))}}, 200)
	c.multipart(steps, "nanjing", map[string]string{"action": "report", "percent": "30", "note": "x"}, [][2]string{{"a.exe", "MZ"}}, 422)
	c.call("GET", fmt.Sprintf("/api/v1/plan-tasks/%d/evidence/%d", task, photo.ID), "admin", nil, 200)
	c.call("GET", fmt.Sprintf("/api/v1/plan-tasks/%d/evidence/%d", task, photo.ID+1000), "admin", nil, 404)
	c.call("PUT", fmt.Sprintf("/api/v1/plans/%d/remind-rule", p.ID), "admin", map[string]any{"lights": []string{"red"}, "every_days": 7}, 200)
	c.call("PUT", fmt.Sprintf("/api/v1/plans/%d/remind-rule", p.ID), "nanjing", map[string]any{"every_days": 7}, 403)
	c.call("PUT", fmt.Sprintf("/api/v1/plans/%d/remind-rule", p.ID), "admin", map[string]any{"every_days": 999}, 422)
	c.call("PUT", "/api/v1/plan-contacts/320100", "nanjing", map[string]any{"email": "office@nj.example.org"}, 200)
	c.call("PUT", "/api/v1/plan-contacts/320100", "nanjing", map[string]any{"email": "nope"}, 422)
	c.call("PUT", "/api/v1/plan-contacts/320100", "leader", map[string]any{"email": "a@b.org"}, 403)
	c.call("GET", "/api/v1/plan-contacts/320100", "nanjing", nil, 200)
	c.call("GET", "/api/v1/plan-contacts/320300", "nanjing", nil, 404)
}

// multipart sends a multipart step and validates the exchange.
func (c *specCheck) multipart(path, user string, fields map[string]string, files [][2]string, status int) *httptest.ResponseRecorder {
	c.t.Helper()
	body, ct := stepForm(c.t, fields, files...)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+c.e.tokens[user])
	rec := httptest.NewRecorder()
	c.e.srv.ServeHTTP(rec, req)
	if rec.Code != status {
		c.t.Errorf("POST %s as %q: status %d, want %d: %s", path, user, rec.Code, status, truncateBody(rec.Body.String()))
	}
	route, params, err := findOperation(c.doc, http.MethodPost, path)
	if err != nil {
		c.t.Fatal(err)
	}
	vreq := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	vreq.Header.Set("Content-Type", ct)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if rec.Code < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			c.t.Errorf("POST %s: the multipart step the server accepted does not match the document: %v", path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: opts}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Errorf("POST %s → %d: the response does not match the document: %v", path, rec.Code, err)
	}
	return rec
}
