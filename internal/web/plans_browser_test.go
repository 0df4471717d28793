package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// TestBrowserPlanEvidence is Nanjing's office on a phone acknowledging a
// task of the province's plan and reporting progress with a photo as
// evidence (a refused file first, which writes nothing); then the
// province's administrator opening the task and finding the report and
// the photo, which downloads.
func TestBrowserPlanEvidence(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var p plan.Plan
		decodeBody(t, e.do("POST", "/api/v1/plans", "admin", planBody()), &p)
		task := p.Sections[0].Tasks[0].ID
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		tb := openTab(t, browser, srv.URL, 150*time.Second)
		ctx, run, text, shoot, login := tb.ctx, tb.run, tb.text, tb.shoot, tb.login
		files := t.TempDir()
		photo := filepath.Join(files, "现场照片.png")
		bad := filepath.Join(files, "程序.exe")
		if err := os.WriteFile(photo, tinyPNG(t), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bad, []byte("MZ\x90\x00"), 0o644); err != nil {
			t.Fatal(err)
		}
		taskURL := fmt.Sprintf("%s/plan-tasks/%d", srv.URL, task)

		run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		login("nanjing")
		run("the to-do list, then the task",
			chromedp.Navigate(srv.URL+"/plans/todo"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#task-%d", task))),
			chromedp.Click(chromedp.CSS(fmt.Sprintf("#task-%d a", task))),
			chromedp.WaitVisible(chromedp.CSS("#step-acknowledge")),
			chromedp.Click(chromedp.CSS("#step-acknowledge")),
			chromedp.WaitVisible(chromedp.CSS("#step-report")),
		)
		run("report with a refused file",
			chromedp.SendKeys(chromedp.CSS("#step-note"), "已新建 12 家企业科协"),
			chromedp.SendKeys(chromedp.CSS("#step-percent"), "40"),
			chromedp.SetUploadFiles(chromedp.CSS("#step-evidence"), []string{bad}),
			chromedp.Click(chromedp.CSS("#step-report")),
			chromedp.WaitVisible(chromedp.CSS("#task-steps .field-error")),
		)
		if got := text("#task-steps"); !strings.Contains(got, "不接受这种文件") {
			t.Errorf("the refusal: %q", got)
		}
		shoot("plan-task-refused")
		var n int
		if err := db.Q(context.Background()).QueryRowContext(context.Background(), `SELECT COUNT(*) FROM files`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("files written after a refusal: %d %v", n, err)
		}
		run("report again with the photo",
			chromedp.SetUploadFiles(chromedp.CSS("#step-evidence"), []string{photo}),
			chromedp.Click(chromedp.CSS("#step-report")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
			chromedp.WaitVisible(chromedp.CSS("#task-history .evidence-file")),
		)
		shoot("plan-task-reported")

		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/logout"]').submit(), true`)); err != nil {
			t.Fatal(err)
		}
		run("logged out", chromedp.WaitVisible(chromedp.CSS("#name")))
		login("admin")
		run("the owner opens the task", chromedp.Navigate(taskURL), chromedp.WaitVisible(chromedp.CSS("#task-history .evidence-file")))
		history := text("#task-history")
		if !strings.Contains(history, "已新建 12 家企业科协") || !strings.Contains(history, "现场照片.png") || !strings.Contains(history, "40%") {
			t.Errorf("the owner's history: %q", history)
		}
		href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#task-history .evidence-file"), "href"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`fetch(%q).then(r => r.ok ? r.arrayBuffer().then(b => b.byteLength) : -r.status)`, href.Value),
			chromedp.EvalAwaitPromise))
		if err != nil || got != len(tinyPNG(t)) {
			t.Errorf("the owner downloads the photo: %d bytes, %v", got, err)
		}
	})
}

// TestBrowserPlanReview is the province's office reviewing the progress
// reports of a county's qualitative task: a return without a reason is
// refused on the page, one with a reason is marked returned, the other
// accepted, and only the accepted percent shows as the target's progress.
func TestBrowserPlanReview(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var p plan.Plan
		decodeBody(t, e.do("POST", "/api/v1/plans", "admin", planBody()), &p)
		task := p.Sections[0].Tasks[1].ID
		steps := fmt.Sprintf("/api/v1/plan-tasks/%d/steps", task)
		e.do("POST", steps, "xuzhou", map[string]any{"action": "acknowledge"})
		var tk plan.Task
		decodeBody(t, e.do("POST", steps, "xuzhou", map[string]any{"action": "report", "percent": 40, "note": "完成初稿"}), &tk)
		first := tk.Events[len(tk.Events)-1].ID
		decodeBody(t, e.do("POST", steps, "xuzhou", map[string]any{"action": "report", "percent": 90, "note": "基本成稿"}), &tk)
		second := tk.Events[len(tk.Events)-1].ID
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		tb := openTab(t, browser, srv.URL, 60*time.Second)
		run, text, shoot, login := tb.run, tb.text, tb.shoot, tb.login
		login("admin")
		form := func(id int64) string { return fmt.Sprintf("#review-%d form", id) }
		run("return the second report without a reason",
			chromedp.Navigate(fmt.Sprintf("%s/plan-tasks/%d", srv.URL, task)),
			chromedp.WaitVisible(chromedp.CSS(form(second))),
			chromedp.Click(chromedp.CSS(form(second)+` button[value="return"]`)),
			chromedp.WaitVisible(chromedp.CSS(".errors, .alert")),
		)
		if got := text("body"); !strings.Contains(got, "退回时须写明原因") {
			t.Fatalf("no reason asked for: %.400s", got)
		}
		run("return it with a reason, accept the first",
			chromedp.SendKeys(chromedp.CSS(form(second)+` input[name="note"]`), "缺少成稿材料"),
			chromedp.Click(chromedp.CSS(form(second)+` button[value="return"]`)),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#review-%d[data-review="returned"]`, second))),
			chromedp.Click(chromedp.CSS(form(first)+` button[value="accept"]`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#review-%d[data-review="accepted"]`, first))),
		)
		if got := text(fmt.Sprintf("#review-%d", second)); !strings.Contains(got, "已退回") || !strings.Contains(got, "缺少成稿材料") {
			t.Errorf("the returned report: %q", got)
		}
		shoot("plan-report-review")
		got, err := e.app.Plans.Task(context.Background(), plan.Caller{Read: unit.Everything()}, task)
		if err != nil || got.Accepted != 40 || *got.Targets[0].Current != 40 {
			t.Fatalf("stored: accepted %d, %v", got.Accepted, err)
		}
	})
}
