package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kexie/internal/demo"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// A list of more than register.MaxCount records says "1万+" ("10,000+") on the
// page, the registers page and in the API, which flags the total.
func TestRecordsCountCapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, _ := outreachEnv(t, db)
		u, err := e.app.Units.Get(ctx, unit.Everything(), "320102")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		err = db.WithTx(ctx, func(ctx context.Context) error {
			for start := 0; start < register.MaxCount; start += 500 {
				var b strings.Builder
				var args store.Args
				b.WriteString("INSERT INTO rec_test_outreach (unit_id, date, nkey, status, search, created_at, updated_at, f_title, f_held_on, f_mode) VALUES ")
				for i := start; i < start+500; i++ {
					if i > start {
						b.WriteByte(',')
					}
					title := fmt.Sprintf("社区科普 %d", i)
					b.WriteString("(" + strings.Join([]string{args.Add(u.ID), "'2021-06-01'", args.Add(title + "\x1f2021-06-01"), "'draft'",
						args.Add(title), args.Add(now), args.Add(now), args.Add(title), "'2021-06-01'", "'online'"}, ",") + ")")
				}
				if _, err := db.Q(ctx).ExecContext(ctx, b.String(), args.Values()...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		admin := e.login("admin", demo.Password)
		for _, c := range []struct{ path, want string }{
			{"/registers/test_outreach", "共 1万&#43; 条记录"}, // html/template writes + as &#43;
			{"/registers/test_outreach?lang=en", "10,000&#43; records"},
			{"/registers", `<span class="figure">1万+</span>`},
			{"/api/v1/registers/test_outreach/records?per_page=1", `"total":10000,"total_capped":true`},
			{"/api/v1/registers/test_outreach/records?per_page=1&unit=320300", `"total":1,"page"`},
		} {
			rec := admin.get(c.path)
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), c.want) {
				b := rec.Body.String()
				if i := strings.Index(b, "records-count"); i > 0 {
					b = b[i:]
				}
				t.Errorf("GET %s: %d, want %q in\n%.600s", c.path, rec.Code, c.want, b)
			}
		}
	})
}
