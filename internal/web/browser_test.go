package web

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// chromiumPath is where the test looks for the browser.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a headless Chromium for the test, or skips the test
// when there is none (fails instead under KEXIE_REQUIRE_BROWSER=1, as in CI).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("KEXIE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("KEXIE_REQUIRE_BROWSER=1 but there is no browser at %s: install chromium", chromiumPath)
		}
		t.Skipf("browser test skipped: no Chromium at %s (install chromium, or set KEXIE_REQUIRE_BROWSER=1 to make this a failure)", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// screenshotDir is where screenshots go: $KEXIE_SCREENSHOTS when set (to
// look at them after the run), else the test's temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("KEXIE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowser logs in, finds a county in the unit tree and opens its page
// in a real browser, on both databases; on SQLite it also checks a refused
// form and the layout at phone width, which do not depend on the database.
func TestBrowser(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		full := strings.HasSuffix(t.Name(), "/sqlite")
		e := newEnv(t, db)
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		b := openTab(t, browser, srv.URL, 15*time.Second)
		b.login("admin")
		b.run("the menu", chromedp.WaitVisible(chromedp.CSS(`nav.menu a[href="/units"]`)))
		// the province is unfolded; opening Nanjing loads its counties with htmx
		b.run("expand Nanjing in the tree",
			chromedp.Click(chromedp.CSS(`nav.menu a[href="/units"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#node-320100 > summary > .twisty`)),
			chromedp.Click(chromedp.CSS(`#node-320100 > summary > .twisty`)),
			chromedp.WaitVisible(chromedp.CSS(`#node-320100 a[href="/units/320102"]`)),
		)
		b.run("open Xuanwu",
			chromedp.Click(chromedp.CSS(`#node-320100 a[href="/units/320102"]`)),
			chromedp.WaitVisible(chromedp.CSS("#unit-code")),
		)
		if got := b.text("#unit-name"); !strings.Contains(got, "玄武区科学技术协会") {
			t.Errorf("unit page name: %q", got)
		}
		if got := b.text("#unit-code"); got != "320102" {
			t.Errorf("unit page code: %q", got)
		}
		if !full {
			return
		}
		// a refused edit comes back with the reason beside the field
		b.run("refused edit",
			chromedp.Click(chromedp.CSS("#edit > summary")),
			chromedp.WaitVisible(chromedp.CSS("#edit-name_zh")),
			chromedp.Clear(chromedp.CSS("#edit-name_zh")),
			chromedp.Click(chromedp.CSS("#edit-submit")),
			chromedp.WaitVisible(chromedp.CSS("#edit .field-error")),
		)
		if got := b.text("#edit .field-error"); !strings.Contains(got, "必须填写") {
			t.Errorf("edit error: %q", got)
		}
		b.save("unit-refused-1280")
		// the search finds the county by a Chinese substring
		b.run("search",
			chromedp.Navigate(srv.URL+"/units"),
			chromedp.WaitVisible(chromedp.CSS("#units-q")),
			chromedp.SendKeys(chromedp.CSS("#units-q"), "玄武"),
			chromedp.Click(chromedp.CSS("#units-search")),
			chromedp.WaitVisible(chromedp.CSS(`#unit-results a[href="/units/320102"]`)),
		)

		// at phone width nothing is wider than the screen
		b.run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		for _, p := range []struct{ path, wait, file string }{
			{"/units", "#node-320000", "units"},
			{"/units/320102", "#unit-code", "unit"},
			{"/audit", ".entries", "audit"},
			{"/users/xuanwu", "#user-name", "user"},
			{"/account", "#pw-old", "account"},
		} {
			b.run("open "+p.path+" on a phone",
				chromedp.Navigate(srv.URL+p.path),
				chromedp.WaitVisible(chromedp.CSS(p.wait)),
			)
			b.shoot(p.file)
		}
	})
}
