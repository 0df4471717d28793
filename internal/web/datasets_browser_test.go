package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
		e := datasetEnv(t, db)
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		b := openTab(t, browser, srv.URL, 40*time.Second)
		current, err := period.Relative(period.ThisHalf, time.Now().In(chinaTime))
		if err != nil {
			t.Fatal(err)
		}

		b.run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		b.login("xuanwu")
		b.run("open the data sets",
			chromedp.Navigate(srv.URL+"/datasets"),
			chromedp.WaitVisible(chromedp.CSS("#dataset-t_report")),
		)
		b.shoot("datasets")
		b.run("open this half-year's form",
			chromedp.Click(chromedp.CSS("#dataset-t_report .ds-links a")),
			chromedp.WaitVisible(chromedp.CSS("#entry-form")),
		)
		if got := b.text("#entry-title"); !strings.Contains(got, "玄武区科学技术协会") {
			t.Errorf("form heading: %q", got)
		}
		mode, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS("#v-t_events"), "inputmode"))
		if err != nil || mode.Value != "numeric" {
			t.Errorf("the events input's inputmode: %q %v", mode.Value, err)
		}
		b.run("fill the form, the funds negative",
			chromedp.SendKeys(chromedp.CSS("#v-t_events"), "3"),
			chromedp.SendKeys(chromedp.CSS("#v-t_people-online"), "100"),
			chromedp.SendKeys(chromedp.CSS("#v-t_people-offline"), "20"),
			chromedp.SendKeys(chromedp.CSS("#v-t_funds"), "-5"),
			chromedp.Click(chromedp.CSS("#entry-save")),
			chromedp.WaitVisible(chromedp.CSS("#entry-problems")),
		)
		if got := b.text("#entry-problems"); !strings.Contains(got, "经费不能为负") {
			t.Errorf("the refusal: %q", got)
		}
		if got := b.value("#v-t_people-online"); got != "100" {
			t.Errorf("the refused form lost what was typed: %q", got)
		}
		b.shoot("entry-refused")
		b.run("correct the funds, save and submit",
			chromedp.Clear(chromedp.CSS("#v-t_funds")),
			chromedp.SendKeys(chromedp.CSS("#v-t_funds"), "1200"),
			chromedp.Click(chromedp.CSS("#entry-submit")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := b.text("#notice"); !strings.Contains(got, "已保存并报送") {
			t.Errorf("notice: %q", got)
		}
		if got := b.text("#form-state"); got != "已报送" {
			t.Errorf("state after submitting: %q", got)
		}
		if got := b.value("#v-t_funds"); got != "1200.00" {
			t.Errorf("funds: %q", got)
		}
		b.shoot("entry-submitted")
		// the figures already count the values, for every level above
		for _, u := range []string{"320102", "320100", "320000"} {
			if got := figureOf(t, e, "t_people", u, current.ID); got != 120.0 {
				t.Errorf("t_people %s %s = %v, want 120", u, current.ID, got)
			}
		}

		b.logout()
		b.loginWith("nj_approver", dsPassword)
		b.run("open Nanjing's progress",
			chromedp.Navigate(srv.URL+"/datasets/t_report/status?unit=320100&period="+current.ID),
			chromedp.WaitVisible(chromedp.CSS("#row-320102")),
		)
		if got := b.text("#count-submitted"); got != "1" {
			t.Errorf("submitted count: %q", got)
		}
		if got := b.text("#figure-t_people"); !strings.Contains(got, "120") {
			t.Errorf("Nanjing's total of participants: %q", got)
		}
		b.shoot("status")
		b.run("approve Xuanwu",
			chromedp.Click(chromedp.CSS("#approve-320102")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := b.text("#row-320102 .state"); got != "已审核" {
			t.Errorf("Xuanwu's state after approval: %q", got)
		}
		b.shoot("status-approved")
		b.run("remind the late counties",
			chromedp.SendKeys(chromedp.CSS("#remind-note"), "请本周内报送"),
			chromedp.Click(chromedp.CSS("#remind")),
			chromedp.WaitVisible(chromedp.CSS("#reminded")),
		)
		if got := b.text("#reminded"); !strings.Contains(got, "10") {
			t.Errorf("reminded: %q", got)
		}
		b.logout()
		b.loginWith("qinhuai", dsPassword)
		b.run("read the reminder",
			chromedp.Navigate(srv.URL+"/inbox"),
			chromedp.WaitVisible(chromedp.CSS(".message.unread")),
		)
		b.shoot("inbox")
		b.run("open the form from the reminder",
			chromedp.Click(chromedp.CSS(".message.unread button.primary")),
			chromedp.WaitVisible(chromedp.CSS("#entry-form")),
		)
		if got := b.text("#entry-title"); !strings.Contains(got, "秦淮区科学技术协会") {
			t.Errorf("the reminder opened %q", got)
		}
	})
}
