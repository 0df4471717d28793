package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kexie/internal/demo"
)

// tab is a browser tab on a test server, with the steps the browser
// tests share: run steps, read a text or a value, log in, and take a
// phone-width screenshot that also fails on a page wider than the screen.
type tab struct {
	t     *testing.T
	ctx   context.Context
	url   string
	shots bool // screenshots are written on SQLite only
	dir   string
}

// openTab opens a tab of browser on the server at url; its steps must
// end within timeout.
func openTab(t *testing.T, browser context.Context, url string, timeout time.Duration) *tab {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(browser)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	return &tab{t: t, ctx: ctx, url: url, shots: strings.HasSuffix(t.Name(), "/sqlite"), dir: screenshotDir(t)}
}

// run runs steps, failing the test with what when one fails.
func (b *tab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text is the trimmed text of the element sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// value is the value of the form control sel.
func (b *tab) value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// login logs in as a demo account.
func (b *tab) login(name string) {
	b.t.Helper()
	b.loginWith(name, demo.Password)
}

// loginWith logs in as name with password.
func (b *tab) loginWith(name, password string) {
	b.t.Helper()
	b.run("log in as "+name,
		chromedp.Navigate(b.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
}

// logout logs out and waits for the login form.
func (b *tab) logout() {
	b.t.Helper()
	b.run("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#name")))
}

// shoot checks that the page fits a 375px screen and, on SQLite, saves a
// full screenshot of it as file-375.png.
func (b *tab) shoot(file string) {
	b.t.Helper()
	overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		b.t.Fatal(err)
	}
	if overflow > 0 {
		b.t.Errorf("%s at 375px is %dpx wider than the screen", file, overflow)
	}
	b.save(file + "-375")
}

// save saves, on SQLite, a full screenshot of the page as file.png.
func (b *tab) save(file string) {
	b.t.Helper()
	if !b.shots {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", file, err)
	}
	name := filepath.Join(b.dir, file+".png")
	if err := os.WriteFile(name, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", name)
}
