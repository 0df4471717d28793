package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestBrowserDeleteReferenced is a city's clerk on a phone deleting an
// event that a brief of another register refers to: the page comes back
// with the refusal naming the brief, and the event is still listed.
func TestBrowserDeleteReferenced(t *testing.T) {
	browser := newBrowser(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, recs := outreachEnv(t, db)
		if _, err := e.app.Registers.Define(ctx, register.Schema{Code: "test_briefs", NameZH: "活动简报", NameEN: "Event briefs",
			DateField: "on", NaturalKey: []string{"on"}, Fields: []register.Field{
				{Code: "on", Type: register.TypeDate, NameZH: "日期", NameEN: "Date"},
				{Code: "event", Type: register.TypeRecord, NameZH: "所报活动", NameEN: "Event", Register: "test_outreach"},
			}}, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		brief, err := e.app.Registers.Create(ctx, register.System(), "test_briefs", register.Input{Unit: "320100",
			Values: map[string]any{"on": "2021-09-13", "event": fmt.Sprint(recs[1].ID)}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e.srv)
		defer srv.Close()
		b := openTab(t, browser, srv.URL, 30*time.Second)
		b.run("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		b.login("nanjing")
		b.run("open the event and ask to delete it",
			chromedp.Navigate(srv.URL+"/registers/test_outreach/records/"+itoa(recs[1].ID)),
			chromedp.WaitVisible(chromedp.CSS("#delete summary")),
			chromedp.Click(chromedp.CSS("#delete summary")),
			chromedp.WaitVisible(chromedp.CSS("#delete-confirm")),
			chromedp.Click(chromedp.CSS("#delete-confirm")),
			chromedp.WaitVisible(chromedp.CSS(`p.alert[role="alert"]`)),
		)
		msg := b.text(`p.alert[role="alert"]`)
		want := fmt.Sprintf("这条记录被 1 条其他记录引用，不能删除：活动简报（所报活动）#%d", brief.ID)
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal reads %q, want %q", msg, want)
		}
		b.shoot("record-delete-referenced")
		b.run("the event is still listed",
			chromedp.Navigate(srv.URL+"/registers/test_outreach"),
			chromedp.WaitVisible(chromedp.CSS("#records-results")),
		)
		if list := b.text("#records-results"); !strings.Contains(list, "航天科普讲座") {
			t.Errorf("the event is gone from the list: %.300s", list)
		}
	})
}
