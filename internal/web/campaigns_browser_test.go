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

	"kexie/internal/audit"
	"kexie/internal/campaign"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestBrowserRectification follows a finding to a verified close in a
// real browser, on both databases: the campaign owner turns an
// inspector's finding into a rectification item, the responsible unit
// reports it done with evidence uploaded, and the owner verifies and
// closes it.
func TestBrowserRectification(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sys := campaign.System()
		id, err := e.app.Campaigns.Create(ctx, sys, campaign.Spec{Title: "浏览器督查", Unit: "320000",
			Scope: campaign.ScopeSpec{Units: []string{"320300"}},
			Self:  campaign.Phase{Start: "2021-03-01", End: "2021-03-31"}, Site: campaign.Phase{Start: "2021-04-01", End: "2021-05-15"},
			Rect:  campaign.Phase{Start: "2021-05-16", End: "2021-12-31"},
			Items: []campaign.ItemSpec{{Title: "改革方案落实", Kind: "score", MaxScore: 10}}})
		if err != nil {
			t.Fatal(err)
		}
		// the finding was recorded in the on-site phase
		now := e.app.Campaigns.Now
		e.app.Campaigns.Now = func() time.Time { return time.Date(2021, 4, 15, 9, 0, 0, 0, time.UTC) }
		fd, err := e.app.Campaigns.RecordFinding(audit.WithActor(ctx, audit.Actor{Name: "inspector"}), sys, id,
			campaign.FindingSpec{Unit: "320300", Body: "改革方案未印发"})
		e.app.Campaigns.Now = now
		if err != nil {
			t.Fatal(err)
		}
		evidence := filepath.Join(t.TempDir(), "印发通知.pdf")
		if err := os.WriteFile(evidence, []byte("%PDF-1.4\n% notice\n%%EOF\n"), 0o644); err != nil {
			t.Fatal(err)
		}

		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		tb := openTab(t, browser, srv.URL, 30*time.Second)
		bctx, run, text, login := tb.ctx, tb.run, tb.text, tb.login
		logout := func() {
			t.Helper()
			run("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#name")))
		}

		login("admin")
		// the self-inspection is over; the owner reopens it for Xuzhou
		until := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
		run("reopen the self-inspection for one unit",
			chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d", srv.URL, id)),
			chromedp.WaitVisible(chromedp.CSS("#extend-form")),
			chromedp.SetValue(chromedp.CSS("#extend-phase"), "self_inspection"),
			chromedp.SetValue(chromedp.CSS("#extend-until"), until),
			chromedp.SetValue(chromedp.CSS("#extend-unit"), "320300"),
			chromedp.SendKeys(chromedp.CSS("#extend-reason"), "机构调整，补报"),
			chromedp.Click(chromedp.CSS("#extend")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
			chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d/units/320300", srv.URL, id)),
			chromedp.WaitVisible(chromedp.CSS("#answers-form")),
		)
		if got := text("#self-window"); got != "2021-03-01 – "+until {
			t.Fatalf("Xuzhou's self-inspection window: %q", got)
		}
		form := fmt.Sprintf("#rectify-%d", fd.ID)
		run("open a rectification item from the finding",
			chromedp.Click(chromedp.CSS(`nav.menu a[href="/campaigns"]`)),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/campaigns/%d"]`, id))),
			chromedp.Click(chromedp.CSS(`a[href$="/units/320300"]`)),
			chromedp.WaitVisible(chromedp.CSS(form)),
			chromedp.SendKeys(chromedp.CSS(form+` input[name="measures"]`), "限期印发改革方案"),
			chromedp.SetValue(chromedp.CSS(form+` input[name="due"]`), "2021-10-31"),
			chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#rect-state")),
		)
		if got := text("#rect-problem"); got != "改革方案未印发" {
			t.Fatalf("the item's problem: %q", got)
		}
		var url string
		url, err = chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		rectPath := strings.TrimPrefix(strings.SplitN(url, "?", 2)[0], srv.URL)
		logout()

		login("xuzhou")
		run("report it done with evidence",
			chromedp.Navigate(srv.URL+rectPath),
			chromedp.WaitVisible(chromedp.CSS("#step-complete")),
			chromedp.SendKeys(chromedp.CSS("#step-note"), "方案已印发"),
			chromedp.SetUploadFiles(chromedp.CSS("#step-files"), []string{evidence}),
			chromedp.Click(chromedp.CSS("#step-complete")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := text("#rect-state"); got != "待核验" {
			t.Fatalf("after reporting done: %q", got)
		}
		if got := text("#rect-evidence"); !strings.Contains(got, "印发通知.pdf") {
			t.Fatalf("evidence: %q", got)
		}
		logout()

		login("admin")
		run("verify and close",
			chromedp.Navigate(srv.URL+rectPath),
			chromedp.WaitVisible(chromedp.CSS("#step-verify")),
			chromedp.SendKeys(chromedp.CSS("#step-note"), "核验属实"),
			chromedp.Click(chromedp.CSS("#step-verify")),
			chromedp.WaitVisible(chromedp.CSS("#notice")),
		)
		if got := text("#rect-state"); got != "已销号" {
			t.Fatalf("after verification: %q", got)
		}
		if strings.HasSuffix(t.Name(), "/sqlite") {
			png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(screenshotDir(t), "rectification-closed.png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := e.app.Campaigns.Rects(ctx, sys, id)
		if err != nil || len(rs) != 1 || rs[0].State != campaign.Closed {
			t.Fatalf("stored: %+v %v", rs, err)
		}
	})
}
