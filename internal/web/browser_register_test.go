package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
		e, _ := outreachEnv(t, db)
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		b := openTab(t, browser, srv.URL, 30*time.Second)

		b.run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		b.login("xuanwu")
		b.run("log in as the county's clerk: the menu", chromedp.WaitVisible(chromedp.CSS(`nav.menu a[href="/registers"]`)))
		b.run("open the registers",
			chromedp.Click(chromedp.CSS(`nav.menu a[href="/registers"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#register-test_outreach h2 a`)),
		)
		b.shoot("registers")
		b.run("open the outreach register",
			chromedp.Click(chromedp.CSS(`#register-test_outreach h2 a`)),
			chromedp.WaitVisible(chromedp.CSS("#records-results")),
		)
		if got := b.text("#register-name"); got != "科普活动" {
			t.Errorf("register page heading: %q", got)
		}
		// typing in the search box narrows the table in place (htmx)
		b.run("search as one types",
			chromedp.SendKeys(chromedp.CSS("#rec-q"), "没有这样的活动"),
			chromedp.WaitVisible(chromedp.CSS(`#records-results p.muted`)),
		)
		if got := b.text("#records-count"); !strings.Contains(got, "共 0 条记录") {
			t.Errorf("after typing a search: %q", got)
		}
		if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.Contains(loc, "q=") {
			t.Errorf("the search is not kept in the address: %s", loc)
		}
		b.run("clear the search",
			chromedp.Navigate(srv.URL+"/registers/test_outreach"),
			chromedp.WaitVisible(chromedp.CSS("#records-results table")),
		)
		b.shoot("records")

		b.run("open the new-record form",
			chromedp.Click(chromedp.CSS("#new-record")),
			chromedp.WaitVisible(chromedp.CSS("#new-form")),
		)
		if got := b.value("#fld-unit"); got != "320102" {
			t.Errorf("the clerk's unit is not filled in: %q", got)
		}
		b.run("fill the form, the mobile number wrong",
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
		if got := b.value("#fld-held_on"); got != "2021-07-15" {
			t.Logf("typed date reads %q (another segment order?): setting it", got)
			b.run("set the date", chromedp.SetValue(chromedp.CSS("#fld-held_on"), "2021-07-15"))
		}
		b.shoot("record-new")
		b.run("submit",
			chromedp.Click(chromedp.CSS("#new-form-submit")),
			chromedp.WaitVisible(chromedp.CSS("#fld-contact-row .field-error")),
		)
		if got := b.text("#fld-contact-row .field-error"); !strings.Contains(got, "手机号不正确") {
			t.Errorf("message beside the mobile number: %q", got)
		}
		if got := b.text("#new-form-problems"); !strings.Contains(got, "联系电话：手机号不正确") {
			t.Errorf("summary of the problems: %q", got)
		}
		for sel, want := range map[string]string{"#fld-title": "青少年科学营", "#fld-held_on": "2021-07-15", "#fld-mode": "offline",
			"#fld-participants": "450", "#fld-contact": "12345"} {
			if got := b.value(sel); got != want {
				t.Errorf("refused form lost %s: %q, want %q", sel, got, want)
			}
		}
		b.shoot("record-new-refused")
		b.run("correct the number and submit",
			chromedp.Clear(chromedp.CSS("#fld-contact")),
			chromedp.SendKeys(chromedp.CSS("#fld-contact"), "13900139000"),
			chromedp.Click(chromedp.CSS("#new-form-submit")),
			chromedp.WaitVisible(chromedp.CSS("#record-heading")),
		)
		if got := b.text("#record-heading"); !strings.Contains(got, "青少年科学营") || !strings.Contains(got, "草稿") {
			t.Errorf("record heading: %q", got)
		}
		if got := b.text("#notice"); !strings.Contains(got, "已新增记录") {
			t.Errorf("notice: %q", got)
		}
		for sel, want := range map[string]string{"#val-held_on": "2021-07-15", "#val-mode": "线下", "#val-topics": "健康",
			"#val-budget": "12000.50元（1.2万元）", "#val-contact": "139****9000"} {
			if got := b.text(sel); !strings.Contains(got, want) {
				t.Errorf("record shows %s as %q, want %q", sel, got, want)
			}
		}
		b.shoot("record")
		// the reveal button swaps the clear value in without leaving the page
		b.run("reveal the contact",
			chromedp.Click(chromedp.CSS("#reveal-contact")),
			chromedp.WaitVisible(chromedp.CSS("#val-contact .revealed")),
		)
		if got := b.text("#val-contact"); got != "13900139000" {
			t.Errorf("revealed contact: %q", got)
		}
		b.run("back to the list",
			chromedp.Click(chromedp.CSS(`.crumbs a[href="/registers/test_outreach"]`)),
			chromedp.WaitVisible(chromedp.CSS("#records-results table")),
			chromedp.Click(chromedp.CSS("#field-filters > summary")),
			chromedp.WaitVisible(chromedp.CSS(".filter-grid")),
		)
		if got := b.text("#records-count"); !strings.Contains(got, "共 2 条记录") {
			t.Errorf("list after the new record: %q", got)
		}
		b.shoot("records-filters")
		// a filter chosen from the form narrows the table in place
		b.run("filter by mode",
			chromedp.SetValue(chromedp.CSS(`select[name="f.mode"]`), "online"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('select[name="f.mode"]').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.WaitVisible(chromedp.CSS(`#records-results p.muted`)),
		)
		if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.Contains(loc, "f.mode=online") {
			t.Errorf("the filter is not kept in the address: %s", loc)
		}
	})
}
