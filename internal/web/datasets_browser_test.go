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
	"kexie/internal/period"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestBrowserDataEntry is a county clerk on a phone entering the
// half-year report, reading why a value is refused, correcting it and
// submitting; then Nanjing's approver approving it on the status page,
// whose totals — like every figure — already count the values.
func TestBrowserDataEntry(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		shots := strings.HasSuffix(t.Name(), "/sqlite")
		e := datasetEnv(t, db)
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		tab, cancelTab := chromedp.NewContext(browser)
		defer cancelTab()
		if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(tab, 40*time.Second)
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
		value := func(sel string) string {
			t.Helper()
			s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
			if err != nil {
				t.Fatalf("value of %s: %v", sel, err)
			}
			return s
		}
		dir := screenshotDir(t)
		shoot := func(file string) {
			t.Helper()
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow > 0 {
				t.Errorf("%s at 375px is %dpx wider than the screen", file, overflow)
			}
			if !shots {
				return
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", file, err)
			}
			name := filepath.Join(dir, file+"-375.png")
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", name)
		}
		login := func(name, password string) {
			t.Helper()
			run("log in as "+name,
				chromedp.Navigate(srv.URL+"/login"),
				chromedp.WaitVisible(chromedp.CSS("#name")),
				chromedp.SendKeys(chromedp.CSS("#name"), name),
				chromedp.SendKeys(chromedp.CSS("#password"), password),
				chromedp.Click(chromedp.CSS("#login-submit")),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
			)
		}
		current, err := period.Relative(period.ThisHalf, time.Now().In(chinaTime))
		if err != nil {
			t.Fatal(err)
		}

		run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		login("xuanwu", demo.Password)
		run("open the data sets",
			chromedp.Navigate(srv.URL+"/datasets"),
			chromedp.WaitVisible(chromedp.CSS("#dataset-t_report")),
		)
		shoot("datasets")
		run("open this half-year's form",
			chromedp.Click(chromedp.CSS("#dataset-t_report .ds-links a")),
			chromedp.WaitVisible(chromedp.CSS("#entry-form")),
		)
		if got := text("#entry-title"); !strings.Contains(got, "玄武区科学技术协会") {
			t.Errorf("form heading: %q", got)
		}
		mode, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#v-t_events"), "inputmode"))
		if err != nil || mode.Value != "numeric" {
			t.Errorf("the events input's inputmode: %q %v", mode.Value, err)
		}
		run("fill the form, the funds negative",
			chromedp.SendKeys(chromedp.CSS("#v-t_events"), "3"),
			chromedp.SendKeys(chromedp.CSS("#v-t_people-online"), "100"),
			chromedp.SendKeys(chromedp.CSS("#v-t_people-offline"), "20"),
			chromedp.SendKeys(chromedp.CSS("#v-t_funds"), "-5"),
			chromedp.Click(chromedp.CSS("#entry-save")),
			chromedp.WaitVisible(chromedp.CSS("#entry-problems")),
		)
		if got := text("#entry-problems"); !strings.Contains(got, "经费不能为负") {
			t.Errorf("the refusal: %q", got)
		}
		if got := value("#v-t_people-online"); got != "100" {
			t.Errorf("the refused form lost what was typed: %q", got)
		}
		shoot("entry-refused")
		run("correct the funds, save and submit",
			chromedp.Clear(chromedp.CSS("#v-t_funds")),
			chromedp.SendKeys(chromedp.CSS("#v-t_funds"), "1200"),
			chromedp.Click(chromedp.CSS("#entry-submit")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := text("#notice"); !strings.Contains(got, "已保存并报送") {
			t.Errorf("notice: %q", got)
		}
		if got := text("#form-state"); got != "已报送" {
			t.Errorf("state after submitting: %q", got)
		}
		if got := value("#v-t_funds"); got != "1200.00" {
			t.Errorf("funds: %q", got)
		}
		shoot("entry-submitted")
		// the figures already count the values, for every level above
		for _, u := range []string{"320102", "320100", "320000"} {
			if got := figureOf(t, e, "t_people", u, current.ID); got != 120.0 {
				t.Errorf("t_people %s %s = %v, want 120", u, current.ID, got)
			}
		}

		run("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#name")))
		login("nj_approver", dsPassword)
		run("open Nanjing's progress",
			chromedp.Navigate(srv.URL+"/datasets/t_report/status?unit=320100&period="+current.ID),
			chromedp.WaitVisible(chromedp.CSS("#row-320102")),
		)
		if got := text("#count-submitted"); got != "1" {
			t.Errorf("submitted count: %q", got)
		}
		if got := text("#figure-t_people"); !strings.Contains(got, "120") {
			t.Errorf("Nanjing's total of participants: %q", got)
		}
		shoot("status")
		run("approve Xuanwu",
			chromedp.Click(chromedp.CSS("#approve-320102")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := text("#row-320102 .state"); got != "已审核" {
			t.Errorf("Xuanwu's state after approval: %q", got)
		}
		shoot("status-approved")
		run("remind the late counties",
			chromedp.SendKeys(chromedp.CSS("#remind-note"), "请本周内报送"),
			chromedp.Click(chromedp.CSS("#remind")),
			chromedp.WaitVisible(chromedp.CSS("#reminded")),
		)
		if got := text("#reminded"); !strings.Contains(got, "10") {
			t.Errorf("reminded: %q", got)
		}
		run("log out again", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#name")))
		login("qinhuai", dsPassword)
		run("read the reminder",
			chromedp.Navigate(srv.URL+"/inbox"),
			chromedp.WaitVisible(chromedp.CSS(".message.unread")),
		)
		shoot("inbox")
		run("open the form from the reminder",
			chromedp.Click(chromedp.CSS(".message.unread button.primary")),
			chromedp.WaitVisible(chromedp.CSS("#entry-form")),
		)
		if got := text("#entry-title"); !strings.Contains(got, "秦淮区科学技术协会") {
			t.Errorf("the reminder opened %q", got)
		}
	})
}
