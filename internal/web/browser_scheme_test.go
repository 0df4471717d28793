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

	"kexie/internal/auth"
	"kexie/internal/demo"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// TestBrowserScorecard: a society's clerk finds the published society
// run from the menu, sees its own line only, opens its scorecard (every
// point with its value, rule and weight), files an objection to a point
// and finds it listed awaiting an answer; on a phone the scorecard and the
// league table fit the screen.
func TestBrowserScorecard(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if err := demo.LoadSchemes(context.Background(), e.app.Schemes); err != nil {
			t.Fatal(err)
		}
		addUser(t, e, "soc7", auth.RoleDataEntry, "SOC007")
		id := demoRun(t, e, demo.SocietyScheme, 2)
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		tab, cancelTab := chromedp.NewContext(browser)
		defer cancelTab()
		if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
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
			chromedp.SendKeys(chromedp.CSS("#name"), "soc7"),
			chromedp.SendKeys(chromedp.CSS("#password"), "test-password-1"),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS(`nav.menu a[href="/schemes"]`)),
		)
		run("open the run",
			chromedp.Click(chromedp.CSS(`nav.menu a[href="/schemes"]`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#run-list a[href="/scheme-runs/%d"]`, id))),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`#run-list a[href="/scheme-runs/%d"]`, id))),
			chromedp.WaitVisible(chromedp.CSS("#row-SOC007")),
		)
		lines, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#league tbody tr").length`))
		if err != nil || lines != 1 {
			t.Fatalf("the society sees %d lines of the league table (%v)", lines, err)
		}
		run("open the scorecard",
			chromedp.Click(chromedp.CSS("#row-SOC007 a")),
			chromedp.WaitVisible(chromedp.CSS("#scorecard")),
		)
		card, err := e.app.Schemes.Scorecard(context.Background(), unit.Everything(), id, "SOC007")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := text("#card-total"), pts(card.Total, "zh-CN"); got != want {
			t.Errorf("total on the page %q, stored %q", got, want)
		}
		if got := text("#card-C11"); !strings.Contains(got, "科普宣传周活动") || !strings.Contains(got, "百分位") {
			t.Errorf("leaf C11 reads %q: want its name and its rule", got)
		}
		if got := text("#card-B12"); !strings.Contains(got, "线性：0 得 0 分，10 得满分") {
			t.Errorf("hand-scored leaf B12 reads %q", got)
		}
		run("file an objection",
			chromedp.Click(chromedp.CSS("#object > summary")),
			chromedp.WaitVisible(chromedp.CSS("#object-reason")),
			chromedp.SetValue(chromedp.CSS("#object-node"), "C11"),
			chromedp.SendKeys(chromedp.CSS("#object-reason"), "科普宣传周另有 3 场活动未录入台账。"),
			chromedp.Click(chromedp.CSS("#object-submit")),
		)
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#notice"))); err != nil {
			body, _ := chromedp.Run(tab, chromedp.Evaluate[string](`location.href + " " + document.body.innerText`))
			t.Fatalf("after filing: %v: %.1500s", err, body)
		}
		if got := text("#objection-list"); !strings.Contains(got, "科普宣传周另有 3 场活动未录入台账") || !strings.Contains(got, "等待答复") {
			t.Errorf("objections after filing: %q", got)
		}
		os_, err := e.app.Schemes.Objections(context.Background(), unit.Everything(), id)
		if err != nil || len(os_) != 2 || os_[1].Unit != "SOC007" || os_[1].Node != "C11" {
			t.Errorf("objections stored: %+v %v", os_, err)
		}
		if !strings.HasSuffix(t.Name(), "/sqlite") {
			return
		}
		dir := screenshotDir(t)
		shoot := func(file string) {
			t.Helper()
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", file, err)
			}
			name := filepath.Join(dir, file+".png")
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", name)
		}
		shoot("scorecard-1280")
		run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		for _, p := range []struct{ path, wait, file string }{
			{fmt.Sprintf("/scheme-runs/%d/units/SOC007", id), "#scorecard", "scorecard-375"},
			{fmt.Sprintf("/scheme-runs/%d", id), "#league", "league-375"},
		} {
			run("open "+p.path+" on a phone", chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow > 0 {
				t.Errorf("%s at 375px is %dpx wider than the screen", p.path, overflow)
			}
			shoot(p.file)
		}
	})
}
