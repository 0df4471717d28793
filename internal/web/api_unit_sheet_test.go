package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/xuri/excelize/v2"

	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

func init() {
	// Responses in XLSX are validated as opaque files.
	openapi3filter.RegisterBodyDecoder(xlsxType, openapi3filter.FileBodyDecoder)
}

// multipartBody is a form holding one file in field.
func multipartBody(t testing.TB, field, name string, data []byte) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if field != "" {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	} else {
		_ = mw.WriteField("note", "no file here")
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// upload posts a multipart form with a file to srv as user.
func (e *testEnv) upload(srv http.Handler, path, user, field, name string, data []byte) *httptest.ResponseRecorder {
	e.t.Helper()
	body, ct := multipartBody(e.t, field, name, data)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// upload sends a file through the test server and validates the exchange
// against the OpenAPI document, as call does for JSON bodies.
func (c *specCheck) upload(path, user, name string, data []byte, status int) *httptest.ResponseRecorder {
	c.t.Helper()
	body, ct := multipartBody(c.t, "file", name, data)
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
	c.hit[http.MethodPost+" "+route.Path] = true
	vreq := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	vreq.Header.Set("Content-Type", ct)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	ctx := context.Background()
	if rec.Code < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.t.Errorf("POST %s: the upload the server accepted does not match the document: %v", path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: opts}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.t.Errorf("POST %s → %d: the response does not match the document: %v", path, rec.Code, err)
	}
	return rec
}

type importProblemBody struct {
	Status   int    `json:"status"`
	Type     string `json:"type"`
	Detail   string `json:"detail"`
	Problems []struct {
		Sheet   string `json:"sheet"`
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Value   string `json:"value"`
		Key     string `json:"key"`
		Message string `json:"message"`
	} `json:"problems"`
}

func TestUnitSheetAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)

		// export: Nanjing's subtree only, as a named download
		rec := e.do("GET", "/api/v1/exports/units?closed=true", "nanjing", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != xlsxType {
			t.Errorf("export Content-Type %q", ct)
		}
		cd := rec.Header().Get("Content-Disposition")
		if !strings.HasPrefix(cd, `attachment; filename="units-`) || !strings.Contains(cd, `.xlsx"`) ||
			!strings.Contains(cd, "filename*=UTF-8''%E7%BB%84%E7%BB%87%E6%9C%BA%E6%9E%84-") { // 组织机构
			t.Errorf("export Content-Disposition %q", cd)
		}
		exported := rec.Body.Bytes()
		x, err := excelize.OpenReader(bytes.NewReader(exported))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		if len(rows) < 10 || rows[1][0] != "320100" {
			t.Fatalf("Nanjing export: %d rows, first %q", len(rows), rows[1])
		}
		for _, r := range rows[2:] {
			if r[1] == "320000" || strings.HasPrefix(r[0], "3203") {
				t.Errorf("Nanjing's export holds %q", r)
			}
		}
		if en := e.do("GET", "/api/v1/exports/units?lang=en&type=county", "admin", nil); en.Code != 200 ||
			!strings.Contains(en.Header().Get("Content-Disposition"), "filename*=UTF-8''units-") {
			t.Errorf("English export: %d %q", en.Code, en.Header().Get("Content-Disposition"))
		}
		for _, c := range []struct {
			path, user string
			status     int
		}{
			{"/api/v1/exports/units", "", 401},
			{"/api/v1/exports/units?closed=maybe", "admin", 422},
		} {
			if rec := e.do("GET", c.path, c.user, nil); rec.Code != c.status || rec.Header().Get("Content-Disposition") != "" {
				t.Errorf("GET %s as %q: %d, want %d (%q)", c.path, c.user, rec.Code, c.status, rec.Header().Get("Content-Disposition"))
			}
		}

		// the export imports back unchanged
		rec = e.upload(e.srv, "/api/v1/imports/units", "nanjing", "file", "units.xlsx", exported)
		var res importAnswer
		decodeBody(t, rec, &res)
		if rec.Code != 200 || res.Created != 0 || res.Updated != 0 || res.Unchanged != len(rows)-1 || res.DryRun {
			t.Errorf("import of the export: %d %s", rec.Code, rec.Body.String())
		}

		// a dry run counts and writes nothing
		csv := "代码,上级代码,类型,中文名称\nAPI1,320102,enterprise,接口企业\n"
		rec = e.upload(e.srv, "/api/v1/imports/units?dry_run=1", "nanjing", "file", "new.csv", []byte(csv))
		decodeBody(t, rec, &res)
		if rec.Code != 200 || res.Created != 1 || !res.DryRun || !strings.Contains(rec.Body.String(), `"dry_run":true`) {
			t.Errorf("dry run: %d %s", rec.Code, rec.Body.String())
		}
		if got := e.do("GET", "/api/v1/units/API1", "admin", nil); got.Code != 404 {
			t.Errorf("dry run wrote API1: %d", got.Code)
		}
		rec = e.upload(e.srv, "/api/v1/imports/units", "nanjing", "file", "new.csv", []byte(csv))
		if decodeBody(t, rec, &res); rec.Code != 200 || res.Created != 1 {
			t.Errorf("import: %d %s", rec.Code, rec.Body.String())
		}

		// permissions: data entry has no unit write anywhere; anonymous is 401
		if rec := e.upload(e.srv, "/api/v1/imports/units", "xuanwu", "file", "new.csv", []byte(csv)); rec.Code != 403 {
			t.Errorf("data entry import: %d", rec.Code)
		}
		if rec := e.upload(e.srv, "/api/v1/imports/units", "", "file", "new.csv", []byte(csv)); rec.Code != 401 {
			t.Errorf("anonymous import: %d", rec.Code)
		}
		if rec := e.upload(e.srv, "/api/v1/imports/units", "nanjing", "", "", nil); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"field":"file"`) {
			t.Errorf("no file: %d %s", rec.Code, rec.Body.String())
		}
		if rec := e.upload(e.srv, "/api/v1/imports/units?annotate=perhaps", "nanjing", "file", "new.csv", []byte(csv)); rec.Code != 422 {
			t.Errorf("bad annotate flag: %d", rec.Code)
		}
		small, err := New(e.app, Options{MaxUpload: 1024, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if rec := e.upload(small, "/api/v1/imports/units", "nanjing", "file", "units.xlsx", exported); rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("upload over the limit: %d %s", rec.Code, rec.Body.String())
		}

		// a refused workbook: every problem with its place and a localised message
		bad := editSheet(t, exported, func(x *excelize.File, sh string) {
			_ = x.SetCellValue(sh, "C3", "town")       // unknown type
			_ = x.SetCellValue(sh, "B4", "320300")     // a move (and out of scope)
			_ = x.SetCellValue(sh, "F5", "2021-02-30") // no such day
		})
		rec = e.upload(e.srv, "/api/v1/imports/units?lang=en", "nanjing", "file", "bad.xlsx", bad)
		var pb importProblemBody
		decodeBody(t, rec, &pb)
		if rec.Code != 422 || rec.Header().Get("Content-Type") != "application/problem+json" || pb.Status != 422 || len(pb.Problems) != 3 {
			t.Fatalf("refused import: %d %s", rec.Code, rec.Body.String())
		}
		want := []struct {
			row             int
			col, key, value string
		}{
			{3, "C", "unit.type.unknown", "town"},
			{4, "B", "sheet.parent.move", "320300"},
			{5, "F", "error.date", "2021-02-30"},
		}
		for i, w := range want {
			p := pb.Problems[i]
			if p.Sheet != "组织机构" || p.Row != w.row || p.Column != w.col || p.Key != w.key || p.Value != w.value || p.Message == "" {
				t.Errorf("problem %d: %+v, want %+v", i, p, w)
			}
		}
		if m := pb.Problems[0].Message; !strings.Contains(m, "Type") || !strings.Contains(m, "not a known unit type: town") {
			t.Errorf("English message %q", m)
		}
		if !strings.Contains(pb.Detail, "3 problem") {
			t.Errorf("detail %q", pb.Detail)
		}
		if u := e.do("GET", "/api/v1/units/320102", "admin", nil); !strings.Contains(u.Body.String(), `"parent":"320100"`) {
			t.Errorf("refused import moved a unit: %s", u.Body.String())
		}

		// the same, annotated: the workbook comes back with the cells marked
		rec = e.upload(e.srv, "/api/v1/imports/units?annotate=1", "nanjing", "file", "bad.xlsx", bad)
		if rec.Code != 422 || rec.Header().Get("Content-Type") != xlsxType {
			t.Fatalf("annotated: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), truncateBody(rec.Body.String()))
		}
		ax, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sh := ax.GetSheetList()[0]
		comments, _ := ax.GetComments(sh)
		byCell := map[string]string{}
		for _, c := range comments {
			text := c.Text
			for _, p := range c.Paragraph {
				text += p.Text
			}
			byCell[c.Cell] = text
		}
		if len(byCell) != 3 || !strings.Contains(byCell["C3"], "没有这种组织类型") || !strings.Contains(byCell["B4"], "移动") {
			t.Errorf("comments %v", byCell)
		}
		for _, cell := range []string{"C3", "B4", "F5"} {
			id, _ := ax.GetCellStyle(sh, cell)
			st, _ := ax.GetStyle(id)
			if st == nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != "FFC7CE" {
				t.Errorf("%s not filled red: %+v", cell, st)
			}
		}
		if v, _ := ax.GetCellValue(sh, "C3"); v != "town" {
			t.Errorf("annotated copy changed C3 to %q", v)
		}
		// a CSV cannot be annotated: the answer stays JSON
		rec = e.upload(e.srv, "/api/v1/imports/units?annotate=1", "nanjing", "file", "bad.csv", []byte("代码,类型\nX9,town\n"))
		if rec.Code != 422 || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("annotated CSV: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		// a text file posing as a workbook: one clear problem
		rec = e.upload(e.srv, "/api/v1/imports/units", "nanjing", "file", "notes.xlsx", []byte("just some notes\n"))
		decodeBody(t, rec, &pb)
		if rec.Code != 422 || len(pb.Problems) != 1 || pb.Problems[0].Key != "sheet.file.not_xlsx" || !strings.Contains(pb.Problems[0].Message, "Excel") {
			t.Errorf("text as xlsx: %d %s", rec.Code, rec.Body.String())
		}
	})
}

// editSheet changes the first sheet of a workbook.
func editSheet(t *testing.T, data []byte, fn func(x *excelize.File, sheet string)) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fn(x, x.GetSheetList()[0])
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
