package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kexie/internal/store/storetest"
)

// An administrator edits a template in the browser: the preview beside
// the text changes as it is typed, a misspelt metric shows the line,
// column and the right name, and saving keeps the new version.
func TestBrowserReportEditor(t *testing.T) {
	browser := newBrowser(t)
	e := newEnv(t, storetest.SQLite(t))
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	b := openTab(t, browser, srv.URL, 30*time.Second)
	b.login("admin")
	b.run("log in: the menu", chromedp.WaitVisible(chromedp.CSS(`nav.menu a[href="/reports"]`)))
	b.run("open the new template's editor",
		chromedp.Click(chromedp.CSS(`nav.menu a[href="/reports"]`)),
		chromedp.WaitVisible(chromedp.CSS("#new-template")),
		chromedp.Navigate(srv.URL+"/reports/city-note/edit?unit=320100&period=2021S1"),
		chromedp.WaitVisible(chromedp.CSS("#template-source")),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "城市简报"),
		chromedp.SendKeys(chromedp.CSS("#template-source"), "# 简报：{{ unit.name }}\n"),
		chromedp.WaitVisible(chromedp.CSS("#report-preview h1")),
	)
	if got := b.text("#report-preview h1"); got != "简报：南京市科学技术协会" {
		t.Errorf("preview: %q", got)
	}
	b.run("type more: the preview follows",
		chromedp.SendKeys(chromedp.CSS("#template-source"), "注册科技志愿者{{ fig(\"registerd_volunteers\") }}。\n"),
		chromedp.WaitVisible(chromedp.CSS("#preview-problem")),
	)
	if got := b.text("#preview-problem"); !strings.Contains(got, "第2行") || !strings.Contains(got, "registered_volunteers") {
		t.Errorf("preview problem: %q", got)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#template-source'); s.value = s.value.replace('registerd_', 'registered_'); s.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)); err != nil {
		t.Fatal(err)
	}
	b.run("correct the metric",
		chromedp.WaitNotPresent(chromedp.CSS("#preview-problem")),
		chromedp.WaitVisible(chromedp.CSS("#report-preview a.fig")),
	)
	if got := b.text("#report-preview article p"); !strings.HasPrefix(got, "注册科技志愿者") {
		t.Errorf("preview paragraph: %q", got)
	}
	if d := os.Getenv("KEXIE_SCREENSHOTS"); d != "" {
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err == nil {
			os.WriteFile(filepath.Join(screenshotDir(t), "report-editor.png"), png, 0o644)
		}
	}
	b.run("save",
		chromedp.Click(chromedp.CSS("#save-template")),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
		chromedp.WaitVisible(chromedp.CSS("#versions li")),
	)
	if got := b.text("#notice"); got != "模板已保存。" {
		t.Errorf("notice: %q", got)
	}
	tpl, err := e.app.Reports.Template(context.Background(), "city-note")
	if err != nil || tpl.Version != 1 || !strings.Contains(tpl.Source, "registered_volunteers") {
		t.Errorf("saved: v%d %v", tpl.Version, err)
	}
}

// A city's user opens the province's half-year review: the page says the
// report is outside its scope and leads to its own city's review.
func TestBrowserReportOutOfScope(t *testing.T) {
	browser := newBrowser(t)
	e := newEnv(t, storetest.SQLite(t))
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	b := openTab(t, browser, srv.URL, 45*time.Second)
	b.login("nanjing")
	b.run("open the province's review",
		chromedp.Navigate(srv.URL+"/reports/half-year-review?unit=320000&period=2021S1"),
		chromedp.WaitVisible(chromedp.CSS("#report-out-of-scope")),
	)
	if got := b.text("#report-scope-text"); !strings.Contains(got, "320000") || !strings.Contains(got, "不在您的查看范围内") {
		t.Errorf("out-of-scope text: %q", got)
	}
	if got := b.text("#own-report"); !strings.Contains(got, "南京市科学技术协会") {
		t.Errorf("own report link: %q", got)
	}
	b.run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	b.shoot("report-out-of-scope")
	b.run("open the city's own review", chromedp.Click(chromedp.CSS("#own-report")), chromedp.WaitVisible(chromedp.CSS("#report-doc h1")))
	if got := b.text("#report-doc h1"); !strings.Contains(got, "南京市科学技术协会2021年上半年工作总结") {
		t.Errorf("own review: %q", got)
	}
}
