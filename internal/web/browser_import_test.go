package web

import (
	"bytes"
	"encoding/base64"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestBrowserImportErrors is a county clerk importing a workbook with
// three mistakes in a real browser: the job page follows the import to
// its end, lists every bad cell with its reason, writes nothing, and
// offers the clerk's own workbook back with exactly those cells filled
// red and commented.
func TestBrowserImportErrors(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := sheetEnv(t, db)
		before := e.countEvents()
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		file := filepath.Join(t.TempDir(), "活动台账.xlsx")
		if err := os.WriteFile(file, badEventsWorkbook(t), 0o644); err != nil {
			t.Fatal(err)
		}
		tb := openTab(t, browser, srv.URL, 60*time.Second)
		ctx, run := tb.ctx, tb.run
		run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		tb.login("xuanwu")
		run("open the import page from the records",
			chromedp.Navigate(srv.URL+"/registers/test_events"),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/registers/test_events/import"]`)),
			chromedp.Click(chromedp.CSS(`a[href="/registers/test_events/import"]`)),
			chromedp.WaitVisible(chromedp.CSS("#import-form")),
		)
		run("choose the workbook and import",
			chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{file}),
			chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
			// the job page reloads its status until the import has ended
			chromedp.WaitVisible(chromedp.CSS("#import-problems")),
		)
		state, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#import-state")))
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(state) != "未导入" {
			t.Errorf("state of the refused job: %q, want 未导入", state)
		}
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#import-problems tbody tr")].map(r => [...r.cells].map(c => c.textContent.trim()))`))
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]string{}
		for _, r := range rows {
			if len(r) == 3 {
				cells[r[0]] = r[2]
			}
		}
		for cell, reason := range map[string]string{"B3": "必须填写", "C3": "日期", "A4": "范围"} {
			if got, ok := cells[cell]; !ok {
				t.Errorf("problem at %s not listed: %v", cell, rows)
			} else if !strings.Contains(got, reason) {
				t.Errorf("problem at %s: %q, want it to mention %q", cell, got, reason)
			}
		}
		if len(rows) != 3 {
			t.Errorf("%d problems listed, want 3: %v", len(rows), rows)
		}
		if n := e.countEvents(); n != before {
			t.Errorf("a refused import wrote %d records", n-before)
		}
		// the marked copy, fetched as the browser would download it
		b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#import-annotated").href)
			.then(r => r.ok ? r.arrayBuffer() : Promise.reject(new Error("HTTP " + r.status)))
			.then(b => { let s = ""; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); return btoa(s) })`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("download the marked workbook: %v", err)
		}
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("the marked workbook does not open: %v", err)
		}
		defer x.Close()
		sheet := x.GetSheetName(0)
		comments, err := x.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		commented := map[string]bool{}
		for _, c := range comments {
			commented[c.Cell] = true
		}
		for _, cell := range []string{"A1", "B2", "B3", "C3", "A4"} {
			id, err := x.GetCellStyle(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := x.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			red := st != nil && len(st.Fill.Color) > 0 && st.Fill.Color[0] == "FFC7CE"
			bad := cell == "B3" || cell == "C3" || cell == "A4"
			if red != bad || commented[cell] != bad {
				t.Errorf("cell %s: filled red %v, commented %v; want %v", cell, red, commented[cell], bad)
			}
		}
	})
}
