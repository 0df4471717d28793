package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kexie/internal/store/storetest"
)

// TestBrowserDashboard logs in, opens a dashboard whose bar chart ECharts
// draws on a canvas, and follows its figure to the records behind it.
func TestBrowserDashboard(t *testing.T) {
	browser := newBrowser(t)
	e := newEnv(t, storetest.SQLite(t))
	figuresFixture(t, e)
	var d struct{ ID int64 }
	rec := e.do("POST", "/api/v1/dashboards", "admin", map[string]any{"name": "全省看板", "unit": "320000", "widgets": []map[string]any{
		{"type": "figure", "metric": "acts_all", "period": "2021"},
		{"type": "bar", "metric": "acts_people", "period": "2021"},
		{"type": "line", "metric": "acts_all", "period": "2021"}}})
	if rec.Code != 201 {
		t.Fatalf("create dashboard: %d %s", rec.Code, rec.Body.String())
	}
	decodeBody(t, rec, &d)
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	b := openTab(t, browser, srv.URL, 30*time.Second)
	b.login("admin")
	b.run("log in: the menu", chromedp.WaitVisible(chromedp.CSS(`nav.menu a[href="/dashboards"]`)))
	b.run("open the dashboards",
		chromedp.Click(chromedp.CSS(`nav.menu a[href="/dashboards"]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#dashboard-list a[href="/dashboards/%d"]`, d.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#dashboard-list a[href="/dashboards/%d"]`, d.ID))),
		chromedp.WaitVisible(chromedp.CSS("#widget-1 .chart canvas")),
		chromedp.WaitVisible(chromedp.CSS("#widget-2 .chart canvas")),
	)
	width, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelector("#widget-1 .chart canvas").width`))
	if err != nil || width < 100 {
		t.Fatalf("the bar chart's canvas is %d px wide: %v", width, err)
	}
	figure, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("#widget-0 .figure-link")))
	if err != nil || strings.TrimSpace(figure) != "6场" {
		t.Errorf("figure widget shows %q: %v", figure, err)
	}
	b.run("follow the figure to its records",
		chromedp.Click(chromedp.CSS("#widget-0 .figure-link")),
		chromedp.WaitVisible(chromedp.CSS("#drill-records")),
	)
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#drill-records tbody tr").length`))
	if err != nil || rows != 6 {
		t.Errorf("the drill-down lists %d records, want 6: %v", rows, err)
	}
	b.run("open a record",
		chromedp.Click(chromedp.CSS("#drill-records tbody tr:first-child a")),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/registers/fig_acts/records/") {
		t.Errorf("the record link went to %s: %v", loc, err)
	}
	// at phone width the pages fit the screen, charts drawn
	b.run("phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	for _, p := range []struct{ path, wait string }{
		{fmt.Sprintf("/dashboards/%d", d.ID), "#widget-1 .chart canvas"},
		{"/metrics/acts_people?unit=320100&period=2021", "#chart-children canvas"},
		{"/metrics/", "#metric-list"},
		{"/pivot?metrics=acts_all&metrics=acts_people&unit=320000&periods=2021", "#pivot-table"},
	} {
		b.run("open "+p.path+" on a phone", chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
		if err != nil || overflow > 0 {
			t.Errorf("%s at 375px is %dpx wider than the screen: %v", p.path, overflow, err)
		}
	}
}
