package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// postFile sends the import form with a file, as a browser does.
func (s *session) postFile(path string, fields map[string]string, name string, data []byte) *httptest.ResponseRecorder {
	s.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", s.csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.e.srv.ServeHTTP(rec, req)
	return rec
}

func TestRegisterImportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := sheetEnv(t, db)
		clerk := e.login("xuanwu", "kexie-demo")
		if body := clerk.get("/registers/test_events").Body.String(); !strings.Contains(body, `href="/registers/test_events/import"`) {
			t.Error("the records page has no import button for a clerk")
		}
		rec := clerk.get("/registers/test_events/import")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `enctype="multipart/form-data"`) ||
			!strings.Contains(rec.Body.String(), `/api/v1/registers/test_events/template`) {
			t.Fatalf("import form: %d %s", rec.Code, rec.Body.String())
		}
		// a good file: to the job's page, done
		csv := []byte("单位代码,活动名称,举办日期\n320102,网页导入,2021-07-01\n320102,网页导入二,2021-07-02\n")
		rec = clerk.postFile("/registers/test_events/import", nil, "web.csv", csv)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/imports/") {
			t.Fatalf("import: %d %s", rec.Code, rec.Body.String())
		}
		job := rec.Header().Get("Location")
		page := e.finishPage(clerk, job)
		if !strings.Contains(page, `id="import-counts"`) || !strings.Contains(page, "新建 2 条") || strings.Contains(page, "hx-trigger") {
			t.Errorf("finished job page: %s", page)
		}
		// a workbook with problems: each listed, the marked copy offered
		rec = clerk.postFile("/registers/test_events/import", map[string]string{"dry_run": "1"}, "bad.xlsx", badEventsWorkbook(t))
		page = e.finishPage(clerk, rec.Header().Get("Location"))
		for _, want := range []string{`id="import-problems"`, "<td>B3</td>", "<td>C3</td>", "<td>A4</td>", `id="import-annotated"`, "试运行"} {
			if !strings.Contains(page, want) {
				t.Errorf("refused job page lacks %s", want)
			}
		}
		// someone else's job does not exist for them
		xuzhou := e.login("xuzhou", "kexie-demo")
		if rec := xuzhou.get(job); rec.Code != 404 {
			t.Errorf("another city's job: %d", rec.Code)
		}
		// no file: the form again, with the reason
		rec = clerk.postFile("/registers/test_events/import", map[string]string{"unit": "320102"}, "", nil)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `id="import-error"`) || !strings.Contains(rec.Body.String(), `value="320102"`) {
			t.Errorf("no file: %d %s", rec.Code, rec.Body.String())
		}
		// a job still running reloads its status every second
		queued := &register.ImportJob{Register: "test_events", FileName: "slow.csv", OwnerID: e.userID("xuanwu"), OwnerName: "xuanwu"}
		if err := e.app.Registers.CreateImportJob(t.Context(), queued); err != nil {
			t.Fatal(err)
		}
		if page := clerk.get("/imports/" + idString(queued.ID)).Body.String(); !strings.Contains(page, `hx-trigger="every 1s"`) || !strings.Contains(page, "排队中") {
			t.Errorf("running job page: %s", page)
		}
	})
}

// finishPage follows a job's page until the job has ended.
func (e *testEnv) finishPage(s *session, path string) string {
	e.t.Helper()
	for range 600 {
		rec := s.get(path)
		if rec.Code != 200 {
			e.t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
		if !strings.Contains(rec.Body.String(), `hx-trigger="every 1s"`) {
			return rec.Body.String()
		}
		<-time.After(50 * time.Millisecond)
	}
	e.t.Fatalf("%s never ended", path)
	return ""
}

// userID is the id of a user.
func (e *testEnv) userID(name string) int64 {
	e.t.Helper()
	u, err := e.app.Auth.UserByName(e.t.Context(), nil, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}
