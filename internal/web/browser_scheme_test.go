package web

import (
	"context"
	"fmt"
	"net/http/httptest"
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
// and finds it listed awaiting an answer; the evaluator upholds it with
// the corrected value, and the clerk finds the point changed on its
// scorecard (old → new, the reason) with the total scored again; on a
// phone the scorecard and the league table fit the screen.
func TestBrowserScorecard(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := demo.LoadSchemes(ctx, e.app.Schemes); err != nil {
			t.Fatal(err)
		}
		addUser(t, e, "soc7", auth.RoleDataEntry, "SOC007")
		id := demoRun(t, e, demo.SocietyScheme, 2)
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		b := openTab(t, browser, srv.URL, 40*time.Second)
		b.loginWith("soc7", "test-password-1")
		b.run("open the run",
			chromedp.Click(chromedp.CSS(`nav.menu a[href="/schemes"]`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#run-list a[href="/scheme-runs/%d"]`, id))),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`#run-list a[href="/scheme-runs/%d"]`, id))),
			chromedp.WaitVisible(chromedp.CSS("#row-SOC007")),
		)
		lines, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#league tbody tr").length`))
		if err != nil || lines != 1 {
			t.Fatalf("the society sees %d lines of the league table (%v)", lines, err)
		}
		b.run("open the scorecard",
			chromedp.Click(chromedp.CSS("#row-SOC007 a")),
			chromedp.WaitVisible(chromedp.CSS("#scorecard")),
		)
		card, err := e.app.Schemes.Scorecard(ctx, unit.Everything(), id, "SOC007")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := b.text("#card-total"), pts(card.Total, "zh-CN"); got != want {
			t.Errorf("total on the page %q, stored %q", got, want)
		}
		if got := b.text("#card-C11"); !strings.Contains(got, "科普宣传周活动") || !strings.Contains(got, "百分位") {
			t.Errorf("leaf C11 reads %q: want its name and its rule", got)
		}
		if got := b.text("#card-B12"); !strings.Contains(got, "线性：0 得 0 分，10 得满分") {
			t.Errorf("hand-scored leaf B12 reads %q", got)
		}
		b.run("file an objection",
			chromedp.Click(chromedp.CSS("#object > summary")),
			chromedp.WaitVisible(chromedp.CSS("#object-reason")),
			chromedp.SetValue(chromedp.CSS("#object-node"), "C11"),
			chromedp.SendKeys(chromedp.CSS("#object-reason"), "科普宣传周另有 3 场活动未录入台账。"),
			chromedp.Click(chromedp.CSS("#object-submit")),
		)
		if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS("#notice"))); err != nil {
			body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href + " " + document.body.innerText`))
			t.Fatalf("after filing: %v: %.1500s", err, body)
		}
		if got := b.text("#objection-list"); !strings.Contains(got, "科普宣传周另有 3 场活动未录入台账") || !strings.Contains(got, "等待答复") {
			t.Errorf("objections after filing: %q", got)
		}
		os_, err := e.app.Schemes.Objections(ctx, unit.Everything(), id)
		if err != nil || len(os_) != 3 || os_[2].Unit != "SOC007" || os_[2].Node != "C11" {
			t.Fatalf("objections stored: %+v %v", os_, err)
		}
		oid := os_[2].ID

		// The evaluator upholds it with the value corrected (3 more events).
		var was float64
		for _, n := range card.Nodes {
			if n.Code == "C11" && n.Value != nil {
				was = *n.Value
			}
		}
		now := was + 3
		b.logout()
		b.login("inspector")
		b.run("answer the objection",
			chromedp.Navigate(fmt.Sprintf("%s/scheme-runs/%d", srv.URL, id)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#answer-%d", oid))),
			chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#answer-%d", oid)), "经核实，3 场活动属实，按补录后的场次计分。"),
			chromedp.Click(chromedp.CSS(fmt.Sprintf("#upheld-%d", oid))),
			chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#answer-value-%d", oid)), fmt.Sprint(now)),
			chromedp.Click(chromedp.CSS(fmt.Sprintf("#answer-submit-%d", oid))),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := b.text("#row-SOC007"); !strings.Contains(got, "异议更正") {
			t.Errorf("the league table's line of SOC007 after the correction: %q", got)
		}
		after, err := e.app.Schemes.Scorecard(ctx, unit.Everything(), id, "SOC007")
		if err != nil || len(after.Corrections) != 1 {
			t.Fatalf("stored after upholding: %+v %v", after.Corrections, err)
		}
		c := after.Corrections[0]
		if c.Node != "C11" || *c.Value != now || c.ValueWas == nil || *c.ValueWas != was {
			t.Errorf("correction stored %+v", c)
		}

		// The clerk sees the corrected scorecard.
		b.logout()
		b.loginWith("soc7", "test-password-1")
		b.run("open the corrected scorecard",
			chromedp.Navigate(fmt.Sprintf("%s/scheme-runs/%d/units/SOC007", srv.URL, id)),
			chromedp.WaitVisible(chromedp.CSS("#corrected-note")),
		)
		if got, want := b.text("#card-total"), pts(after.Total, "zh-CN"); got != want {
			t.Errorf("corrected total on the page %q, stored %q", got, want)
		}
		line := b.text("#card-C11")
		for _, want := range []string{"异议更正", pts(was, "zh-CN") + " → " + pts(now, "zh-CN"), pts(c.PointsWas, "zh-CN") + " → " + pts(c.Points, "zh-CN")} {
			if !strings.Contains(line, want) {
				t.Errorf("corrected leaf C11 reads %q: want %q", line, want)
			}
		}
		if got := b.text("#objection-list"); !strings.Contains(got, "经核实，3 场活动属实") || !strings.Contains(got, "成立") {
			t.Errorf("objections after the answer: %q", got)
		}
		if !strings.HasSuffix(t.Name(), "/sqlite") {
			return
		}
		b.save("scorecard-1280")
		b.run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		for _, p := range []struct{ path, wait, file string }{
			{fmt.Sprintf("/scheme-runs/%d/units/SOC007", id), "#scorecard", "scorecard"},
			{fmt.Sprintf("/scheme-runs/%d", id), "#league", "league"},
		} {
			b.run("open "+p.path+" on a phone", chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
			b.shoot(p.file)
		}
	})
}
