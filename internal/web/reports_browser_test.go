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

	"kexie/internal/demo"
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
	tab, cancelTab := chromedp.NewContext(browser)
	defer cancelTab()
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	run("log in",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`nav.menu a[href="/reports"]`)),
	)
	run("open the new template's editor",
		chromedp.Click(chromedp.CSS(`nav.menu a[href="/reports"]`)),
		chromedp.WaitVisible(chromedp.CSS("#new-template")),
		chromedp.Navigate(srv.URL+"/reports/city-note/edit?unit=320100&period=2021S1"),
		chromedp.WaitVisible(chromedp.CSS("#template-source")),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "城市简报"),
		chromedp.SendKeys(chromedp.CSS("#template-source"), "# 简报：{{ unit.name }}\n"),
		chromedp.WaitVisible(chromedp.CSS("#report-preview h1")),
	)
	if got := text("#report-preview h1"); got != "简报：南京市科学技术协会" {
		t.Errorf("preview: %q", got)
	}
	run("type more: the preview follows",
		chromedp.SendKeys(chromedp.CSS("#template-source"), "注册科技志愿者{{ fig(\"registerd_volunteers\") }}。\n"),
		chromedp.WaitVisible(chromedp.CSS("#preview-problem")),
	)
	if got := text("#preview-problem"); !strings.Contains(got, "第2行") || !strings.Contains(got, "registered_volunteers") {
		t.Errorf("preview problem: %q", got)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#template-source'); s.value = s.value.replace('registerd_', 'registered_'); s.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)); err != nil {
		t.Fatal(err)
	}
	run("correct the metric",
		chromedp.WaitNotPresent(chromedp.CSS("#preview-problem")),
		chromedp.WaitVisible(chromedp.CSS("#report-preview a.fig")),
	)
	if got := text("#report-preview article p"); !strings.HasPrefix(got, "注册科技志愿者") {
		t.Errorf("preview paragraph: %q", got)
	}
	if d := os.Getenv("KEXIE_SCREENSHOTS"); d != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			os.WriteFile(filepath.Join(screenshotDir(t), "report-editor.png"), png, 0o644)
		}
	}
	run("save",
		chromedp.Click(chromedp.CSS("#save-template")),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
		chromedp.WaitVisible(chromedp.CSS("#versions li")),
	)
	if got := text("#notice"); got != "模板已保存。" {
		t.Errorf("notice: %q", got)
	}
	tpl, err := e.app.Reports.Template(context.Background(), "city-note")
	if err != nil || tpl.Version != 1 || !strings.Contains(tpl.Source, "registered_volunteers") {
		t.Errorf("saved: v%d %v", tpl.Version, err)
	}
}
