package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// Deleting a record that a record of another register refers to is
// refused on the page with the referring record named, in Chinese and in
// English, and the record stays.
func TestRecordPageDeleteReferenced(t *testing.T) {
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
		nanjing := e.login("nanjing", demo.Password)
		page := "/registers/test_outreach/records/" + itoa(recs[1].ID)
		for _, c := range []struct{ lang, want string }{
			{"", fmt.Sprintf("这条记录被 1 条其他记录引用，不能删除：活动简报（所报活动）#%d", brief.ID)},
			{"?lang=en", fmt.Sprintf("this record cannot be deleted while records refer to it (1): Event briefs (Event) #%d", brief.ID)},
		} {
			rec := nanjing.post(page+"/delete"+c.lang, url.Values{})
			if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), c.want) {
				t.Errorf("delete of a referenced record%s: %d, want %q in\n%.3000s", c.lang, rec.Code, c.want, rec.Body.String())
			}
		}
		if _, _, err := e.app.Registers.GetRecord(ctx, unit.Everything(), "test_outreach", recs[1].ID); err != nil {
			t.Fatalf("the referenced record is gone: %v", err)
		}
	})
}
