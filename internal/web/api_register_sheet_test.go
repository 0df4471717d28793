package web

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// badEventsWorkbook is a workbook of test events with three bad cells:
// B3 (an empty title), C3 (no such date) and A4 (a unit out of scope).
func badEventsWorkbook(t testing.TB) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	rows := [][]any{
		{"单位代码 / Unit code", "活动名称 / Title", "举办日期", "形式"},
		{"320102", "好活动", "2021-07-01", "线上"},
		{"320102", "", "2021-02-30", "线下"},
		{"320300", "外市活动", "2021-07-01", "线下"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importJob is an import job as the API answers it.
type importJob struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	Phase     string `json:"phase"`
	RowsDone  int    `json:"rows_done"`
	RowsTotal int    `json:"rows_total"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	DryRun    bool   `json:"dry_run"`
	Format    string `json:"format"`
	Annotated string `json:"annotated"`
	Problems  []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Value   string `json:"value"`
		Key     string `json:"key"`
		Message string `json:"message"`
	} `json:"problems"`
}

// startImport uploads a file as user and returns the job the 202 answers.
func (e *testEnv) startImport(path, user, name string, data []byte) importJob {
	e.t.Helper()
	rec := e.upload(e.srv, path, user, "file", name, data)
	if rec.Code != http.StatusAccepted {
		e.t.Fatalf("POST %s as %s: %d %s", path, user, rec.Code, rec.Body.String())
	}
	var j importJob
	decodeBody(e.t, rec, &j)
	if loc := rec.Header().Get("Location"); loc != fmt.Sprintf("/api/v1/imports/%d", j.ID) {
		e.t.Errorf("Location %q", loc)
	}
	return j
}

// finish follows a job until it ends.
func (e *testEnv) finish(j importJob, user string) importJob {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for j.Status == register.JobQueued || j.Status == register.JobRunning {
		if time.Now().After(deadline) {
			e.t.Fatalf("import %d still %s", j.ID, j.Status)
		}
		time.Sleep(50 * time.Millisecond)
		rec := e.do("GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), user, nil)
		if rec.Code != 200 {
			e.t.Fatalf("GET import %d: %d %s", j.ID, rec.Code, rec.Body.String())
		}
		decodeBody(e.t, rec, &j)
	}
	return j
}

func sheetEnv(t *testing.T, db *store.DB) *testEnv {
	t.Helper()
	e := newEnv(t, db)
	if rec := e.do("PUT", "/api/v1/registers/test_events", "admin", map[string]any{"schema": eventsSchema()}); rec.Code != 200 {
		t.Fatalf("define: %d %s", rec.Code, rec.Body.String())
	}
	return e
}

func (e *testEnv) countEvents() int {
	e.t.Helper()
	_, page, err := e.app.Registers.ListRecords(e.t.Context(), unit.Everything(), "test_events", register.Filter{PerPage: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Total
}

func TestRegisterSheetAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := sheetEnv(t, db)
		const base = "/api/v1/registers/test_events"

		// the template, filled in and imported
		rec := e.do("GET", base+"/template", "xuanwu", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != xlsxType ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), `filename="test_events-template.xlsx"`) {
			t.Fatalf("template: %d %v", rec.Code, rec.Header())
		}
		x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sh := x.GetSheetList()[0]
		head, _ := x.GetRows(sh)
		col := map[string]string{}
		for i, h := range head[0] {
			letter, _ := excelize.ColumnNumberToName(i + 1)
			col[strings.Fields(h)[0]] = letter
		}
		set := func(row int, name string, v any) {
			t.Helper()
			if col[name] == "" {
				t.Fatalf("no column %s in %q", name, head[0])
			}
			_ = x.SetCellValue(sh, fmt.Sprintf("%s%d", col[name], row), v)
		}
		for i, title := range []string{"模板活动一", "模板活动二"} {
			set(i+2, "单位代码", "320102")
			set(i+2, "活动名称", title)
			set(i+2, "举办日期", time.Date(2021, 7, 1+i, 0, 0, 0, 0, time.UTC))
			set(i+2, "形式", "线上")
			set(i+2, "参与人次", 100*(i+1))
			set(i+2, "联系电话", "13800138000")
			set(i+2, "是否直播", "是")
		}
		var filled bytes.Buffer
		_ = x.Write(&filled)
		x.Close()
		j := e.finish(e.startImport(base+"/imports?wait=10", "xuanwu", "模板.xlsx", filled.Bytes()), "xuanwu")
		if j.Status != register.JobDone || j.Created != 2 || j.Format != "xlsx" || j.RowsDone != 2 {
			t.Fatalf("template import: %+v", j)
		}

		// export by a reader (sensitive values masked), imported back by the clerk: all unchanged
		rec = e.do("GET", base+"/export?unit=320102", "leader", nil)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "") {
			t.Fatalf("export: %d", rec.Code)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("13800138000")) {
			t.Error("a reader's export holds a sensitive value in clear")
		}
		j = e.finish(e.startImport(base+"/imports?wait=10", "xuanwu", "export.xlsx", rec.Body.Bytes()), "xuanwu")
		if j.Status != register.JobDone || j.Unchanged != 2 || j.Created+j.Updated != 0 {
			t.Fatalf("re-import of a masked export: %+v", j)
		}
		csvExport := e.do("GET", base+"/export?format=csv&unit=320102&f.participants.gte=150", "xuanwu", nil)
		if csvExport.Code != 200 || !strings.HasPrefix(csvExport.Header().Get("Content-Type"), "text/csv") ||
			strings.Count(csvExport.Body.String(), "\n") != 2 || !strings.Contains(csvExport.Body.String(), "13800138000") {
			t.Fatalf("CSV export: %d %q", csvExport.Code, csvExport.Body.String())
		}
		// the clerk's export showed sensitive values in clear: audited once; the reader's, masked, not
		var audit struct {
			Items []struct {
				Actor    string `json:"actor"`
				EntityID string `json:"entity_id"`
			} `json:"items"`
		}
		decodeBody(t, e.do("GET", "/api/v1/audit?action=export&entity=register_sheet", "admin", nil), &audit)
		if len(audit.Items) != 1 || audit.Items[0].Actor != "xuanwu" || audit.Items[0].EntityID != "test_events" {
			t.Errorf("export audit: %+v", audit.Items)
		}
		edited := strings.Replace(csvExport.Body.String(), ",200,", ",250,", 1)
		j = e.finish(e.startImport(base+"/imports?wait=10", "xuanwu", "edited.csv", []byte(edited)), "xuanwu")
		if j.Status != register.JobDone || j.Updated != 1 || j.Unchanged != 0 {
			t.Fatalf("edited CSV: %+v", j)
		}

		// a workbook with problems: nothing written, every problem at its cell, the copy marked
		before := e.countEvents()
		j = e.finish(e.startImport(base+"/imports?wait=10", "xuanwu", "bad.xlsx", badEventsWorkbook(t)), "xuanwu")
		var got []string
		for _, p := range j.Problems {
			got = append(got, fmt.Sprintf("%s%d %s", p.Column, p.Row, p.Key))
			if p.Message == "" || strings.Contains(p.Message, p.Key) {
				t.Errorf("problem without a message: %+v", p)
			}
		}
		want := []string{"B3 error.required", "C3 register.value.date", "A4 regsheet.unit.unknown"}
		if j.Status != register.JobRefused || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("bad workbook: %s %q", j.Status, got)
		}
		if e.countEvents() != before {
			t.Error("a refused import wrote records")
		}
		rec = e.do("GET", j.Annotated, "xuanwu", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != xlsxType {
			t.Fatalf("annotated: %d", rec.Code)
		}
		ax, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		comments, _ := ax.GetComments("Sheet1")
		marked := map[string]bool{}
		for _, c := range comments {
			marked[c.Cell] = true
		}
		for _, cell := range []string{"B3", "C3", "A4"} {
			st, _ := ax.GetCellStyle("Sheet1", cell)
			style, _ := ax.GetStyle(st)
			if !marked[cell] || style == nil || len(style.Fill.Color) == 0 || style.Fill.Color[0] != "FFC7CE" {
				t.Errorf("%s not marked red with a comment", cell)
			}
		}
		if st, _ := ax.GetCellStyle("Sheet1", "B2"); st != 0 {
			t.Error("a good cell is marked")
		}
		ax.Close()

		// who may follow a job: its owner and the administrators above it
		path := fmt.Sprintf("/api/v1/imports/%d", j.ID)
		for user, status := range map[string]int{"xuanwu": 200, "admin": 200, "nanjing": 404, "xuzhou": 404, "leader": 404} {
			if rec := e.do("GET", path, user, nil); rec.Code != status {
				t.Errorf("GET %s as %s: %d, want %d", path, user, rec.Code, status)
			}
			if rec := e.do("GET", path+"/annotated", user, nil); rec.Code != status {
				t.Errorf("GET %s/annotated as %s: %d, want %d", path, user, rec.Code, status)
			}
		}
		if rec := e.do("GET", "/api/v1/imports/999999", "admin", nil); rec.Code != 404 {
			t.Errorf("no such job: %d", rec.Code)
		}

		// a dry run, and the unit parameter narrowing the scope
		csv := []byte("单位代码,活动名称,举办日期\n320102,试运行,2021-08-01\n")
		j = e.finish(e.startImport(base+"/imports?wait=10&dry_run=1", "nanjing", "dry.csv", csv), "nanjing")
		if j.Status != register.JobDone || !j.DryRun || j.Created != 1 || e.countEvents() != before {
			t.Errorf("dry run: %+v", j)
		}
		j = e.finish(e.startImport(base+"/imports?wait=10&unit=320104", "nanjing", "narrow.csv", csv), "nanjing")
		if j.Status != register.JobRefused || len(j.Problems) != 1 || j.Problems[0].Key != "regsheet.unit.unknown" || j.Problems[0].Column != "A" {
			t.Errorf("narrowed: %+v", j)
		}
		if rec := e.upload(e.srv, base+"/imports?unit=320300", "nanjing", "file", "x.csv", csv); rec.Code != 422 {
			t.Errorf("a unit out of scope as the parameter: %d", rec.Code)
		}
		if rec := e.upload(e.srv, base+"/imports", "xuanwu", "", "", nil); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"file"`) {
			t.Errorf("no file: %d %s", rec.Code, rec.Body.String())
		}
		if rec := e.upload(e.srv, "/api/v1/registers/no_such/imports", "xuanwu", "file", "x.csv", csv); rec.Code != 404 {
			t.Errorf("no such register: %d", rec.Code)
		}
	})
}

// TestRegisterImportProgress follows a long import through the API: it
// answers at once, then shows rows checked and written until it is done.
func TestRegisterImportProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := sheetEnv(t, db)
		const n = 6000
		var b strings.Builder
		b.WriteString("单位代码,活动名称,举办日期,参与人次\n")
		for i := range n {
			fmt.Fprintf(&b, "320102,进度活动%05d,2021-%02d-%02d,%d\n", i, 1+i%12, 1+i%28, i)
		}
		j := e.startImport("/api/v1/registers/test_events/imports?wait=0", "xuanwu", "progress.csv", []byte(b.String()))
		if j.Status != register.JobQueued && j.Status != register.JobRunning {
			t.Fatalf("answered %s before the job could end", j.Status)
		}
		seen := map[string]bool{}
		last := -1
		phase := ""
		for j.Status == register.JobQueued || j.Status == register.JobRunning {
			seen[j.Status+"/"+j.Phase] = true
			if j.Phase == phase && j.RowsDone < last {
				t.Errorf("rows done went back from %d to %d in %s", last, j.RowsDone, phase)
			}
			if j.RowsTotal != 0 && j.RowsDone > j.RowsTotal {
				t.Errorf("%d of %d rows", j.RowsDone, j.RowsTotal)
			}
			phase, last = j.Phase, j.RowsDone
			time.Sleep(20 * time.Millisecond)
			rec := e.do("GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), "xuanwu", nil)
			decodeBody(t, rec, &j)
		}
		if j.Status != register.JobDone || j.Created != n || j.RowsDone != n || j.RowsTotal != n {
			t.Fatalf("ended %+v", j)
		}
		if !seen["running/checking"] && !seen["running/writing"] {
			t.Errorf("never seen running: %v", seen)
		}
		if got := e.countEvents(); got != n {
			t.Errorf("%d records", got)
		}
		t.Logf("states seen: %v", seen)
	})
}

// TestRegisterImportBadFiles sends what is not a sheet.
func TestRegisterImportBadFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := sheetEnv(t, db)
		for name, data := range map[string][]byte{
			"notes.xlsx": []byte("not a workbook\x00\x01"),
			"bomb.xlsx":  zipBomb(t),
			"empty.csv":  {},
		} {
			j := e.finish(e.startImport("/api/v1/registers/test_events/imports?wait=10", "xuanwu", name, data), "xuanwu")
			if j.Status != register.JobRefused || len(j.Problems) != 1 || j.Annotated != "" {
				t.Errorf("%s: %+v", name, j)
			}
		}
		if e.countEvents() != 0 {
			t.Error("bad files wrote records")
		}
	})
}

// zipBomb is a workbook whose sheet inflates to 256 MiB of spaces.
func zipBomb(t testing.TB) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	_ = x.SetCellValue("Sheet1", "A1", "单位代码")
	var buf bytes.Buffer
	_ = x.Write(&buf)
	return inflateSheet(t, buf.Bytes(), 256<<20)
}

// inflateSheet pads the first sheet of a workbook with size bytes of
// spaces, which deflate to almost nothing.
func inflateSheet(t testing.TB, data []byte, size int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "xl/worksheets/sheet1.xml" {
			i := bytes.Index(body, []byte("</sheetData>"))
			_, _ = w.Write(body[:i])
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for n := 0; n < size; n += len(chunk) {
				_, _ = w.Write(chunk)
			}
			body = body[i:]
		}
		_, _ = w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
