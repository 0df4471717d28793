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
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestBrowserRecordForm is a county's data-entry clerk on a phone:
// open the outreach register, narrow the list as one types, fill a new
// record with a date and an option, get one field wrong, read the
// message, correct it and see the record. Screenshots at phone width
// are taken on SQLite.
func TestBrowserRecordForm(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		shots := strings.HasSuffix(t.Name(), "/sqlite")
		e, _ := outreachEnv(t, db)
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

		run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		run("log in as the county's clerk",
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), "xuanwu"),
			chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS(`nav.menu a[href="/registers"]`)),
		)
		run("open the registers",
			chromedp.Click(chromedp.CSS(`nav.menu a[href="/registers"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#register-test_outreach h2 a`)),
		)
		shoot("registers")
		run("open the outreach register",
			chromedp.Click(chromedp.CSS(`#register-test_outreach h2 a`)),
			chromedp.WaitVisible(chromedp.CSS("#records-results")),
		)
		if got := text("#register-name"); got != "科普活动" {
			t.Errorf("register page heading: %q", got)
		}
		// typing in the search box narrows the table in place (htmx)
		run("search as one types",
			chromedp.SendKeys(chromedp.CSS("#rec-q"), "没有这样的活动"),
			chromedp.WaitVisible(chromedp.CSS(`#records-results p.muted`)),
		)
		if got := text("#records-count"); !strings.Contains(got, "共 0 条记录") {
			t.Errorf("after typing a search: %q", got)
		}
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "q=") {
			t.Errorf("the search is not kept in the address: %s", loc)
		}
		run("clear the search",
			chromedp.Navigate(srv.URL+"/registers/test_outreach"),
			chromedp.WaitVisible(chromedp.CSS("#records-results table")),
		)
		shoot("records")

		run("open the new-record form",
			chromedp.Click(chromedp.CSS("#new-record")),
			chromedp.WaitVisible(chromedp.CSS("#new-form")),
		)
		if got := value("#fld-unit"); got != "320102" {
			t.Errorf("the clerk's unit is not filled in: %q", got)
		}
		run("fill the form, the mobile number wrong",
			chromedp.SendKeys(chromedp.CSS("#fld-title"), "青少年科学营"),
			// the date control's segments follow the browser's own locale
			// (month, day, year in headless Chromium), not the page's
			chromedp.SendKeys(chromedp.CSS("#fld-held_on"), "07152021"),
			chromedp.SetValue(chromedp.CSS("#fld-mode"), "offline"),
			chromedp.Click(chromedp.CSS(`input[name="v.topics"][value="health"]`)),
			chromedp.SendKeys(chromedp.CSS("#fld-participants"), "450"),
			chromedp.SendKeys(chromedp.CSS("#fld-budget"), "12000.50"),
			chromedp.SendKeys(chromedp.CSS("#fld-contact"), "12345"),
		)
		if got := value("#fld-held_on"); got != "2021-07-15" {
			t.Logf("typed date reads %q (another segment order?): setting it", got)
			run("set the date", chromedp.SetValue(chromedp.CSS("#fld-held_on"), "2021-07-15"))
		}
		shoot("record-new")
		run("submit",
			chromedp.Click(chromedp.CSS("#new-form-submit")),
			chromedp.WaitVisible(chromedp.CSS("#fld-contact-row .field-error")),
		)
		if got := text("#fld-contact-row .field-error"); !strings.Contains(got, "手机号不正确") {
			t.Errorf("message beside the mobile number: %q", got)
		}
		if got := text("#new-form-problems"); !strings.Contains(got, "联系电话：手机号不正确") {
			t.Errorf("summary of the problems: %q", got)
		}
		for sel, want := range map[string]string{"#fld-title": "青少年科学营", "#fld-held_on": "2021-07-15", "#fld-mode": "offline",
			"#fld-participants": "450", "#fld-contact": "12345"} {
			if got := value(sel); got != want {
				t.Errorf("refused form lost %s: %q, want %q", sel, got, want)
			}
		}
		shoot("record-new-refused")
		run("correct the number and submit",
			chromedp.Clear(chromedp.CSS("#fld-contact")),
			chromedp.SendKeys(chromedp.CSS("#fld-contact"), "13900139000"),
			chromedp.Click(chromedp.CSS("#new-form-submit")),
			chromedp.WaitVisible(chromedp.CSS("#record-heading")),
		)
		if got := text("#record-heading"); !strings.Contains(got, "青少年科学营") || !strings.Contains(got, "草稿") {
			t.Errorf("record heading: %q", got)
		}
		if got := text("#notice"); !strings.Contains(got, "已新增记录") {
			t.Errorf("notice: %q", got)
		}
		for sel, want := range map[string]string{"#val-held_on": "2021-07-15", "#val-mode": "线下", "#val-topics": "健康",
			"#val-budget": "12000.50元（1.2万元）", "#val-contact": "139****9000"} {
			if got := text(sel); !strings.Contains(got, want) {
				t.Errorf("record shows %s as %q, want %q", sel, got, want)
			}
		}
		shoot("record")
		// the reveal button swaps the clear value in without leaving the page
		run("reveal the contact",
			chromedp.Click(chromedp.CSS("#reveal-contact")),
			chromedp.WaitVisible(chromedp.CSS("#val-contact .revealed")),
		)
		if got := text("#val-contact"); got != "13900139000" {
			t.Errorf("revealed contact: %q", got)
		}
		run("back to the list",
			chromedp.Click(chromedp.CSS(`.crumbs a[href="/registers/test_outreach"]`)),
			chromedp.WaitVisible(chromedp.CSS("#records-results table")),
			chromedp.Click(chromedp.CSS("#field-filters > summary")),
			chromedp.WaitVisible(chromedp.CSS(".filter-grid")),
		)
		if got := text("#records-count"); !strings.Contains(got, "共 2 条记录") {
			t.Errorf("list after the new record: %q", got)
		}
		shoot("records-filters")
		// a filter chosen from the form narrows the table in place
		run("filter by mode",
			chromedp.SetValue(chromedp.CSS(`select[name="f.mode"]`), "online"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('select[name="f.mode"]').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.WaitVisible(chromedp.CSS(`#records-results p.muted`)),
		)
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "f.mode=online") {
			t.Errorf("the filter is not kept in the address: %s", loc)
		}
	})
}
