package register_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// bulkEvents stores n records of test_events at unitID without the
// service (fast enough for counts past register.MaxCount), titled
// "批量 0" … with dates spread over 2021.
func bulkEvents(t *testing.T, db *store.DB, unitID int64, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.WithTx(ctx, func(ctx context.Context) error {
		for start := 0; start < n; start += 500 {
			var b strings.Builder
			var args store.Args
			b.WriteString("INSERT INTO rec_test_events (unit_id, date, nkey, status, search, created_at, updated_at, f_title, f_held_on, f_mode) VALUES ")
			for i := start; i < min(start+500, n); i++ {
				if i > start {
					b.WriteByte(',')
				}
				day := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365).Format(time.DateOnly)
				title := fmt.Sprintf("批量 %d", i)
				mode := []string{"online", "offline"}[i%2]
				b.WriteString("(" + strings.Join([]string{args.Add(unitID), args.Add(day), args.Add(title + "\x1f" + day), "'draft'",
					args.Add(strings.ToLower(title)), args.Add(now), args.Add(now), args.Add(title), args.Add(day), args.Add(mode)}, ",") + ")")
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
}

// Lists shown to people count up to register.MaxCount and say there are
// more; other callers get the exact count. Pages read their ids first,
// so every page, deep ones too, holds the records of that place in the
// order, whatever scope and filters.
func TestListCountsAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		xw, err := a.Units.Get(ctx, unit.Everything(), "320102")
		if err != nil {
			t.Fatal(err)
		}
		xz, err := a.Units.Get(ctx, unit.Everything(), "320300")
		if err != nil {
			t.Fatal(err)
		}
		bulkEvents(t, db, xw.ID, register.MaxCount+5)
		bulkEvents(t, db, xz.ID, 30)
		province := unit.Subtrees("/320000/")
		_, pg, err := rs.ListRecords(ctx, province, "test_events", register.Filter{CapTotal: true})
		if err != nil || pg.Total != register.MaxCount || !pg.Capped {
			t.Fatalf("capped count: total %d capped %v %v", pg.Total, pg.Capped, err)
		}
		_, pg, err = rs.ListRecords(ctx, province, "test_events", register.Filter{})
		if err != nil || pg.Total != register.MaxCount+35 || pg.Capped {
			t.Fatalf("exact count: total %d capped %v %v", pg.Total, pg.Capped, err)
		}
		_, pg, err = rs.ListRecords(ctx, xuzhouAcc.Read, "test_events", register.Filter{CapTotal: true})
		if err != nil || pg.Total != 30 || pg.Capped {
			t.Fatalf("a small scope's count: total %d capped %v %v", pg.Total, pg.Capped, err)
		}
		for _, f := range []register.Filter{
			{Sort: "date"},
			{Conds: []register.Cond{{Field: "mode", Op: "eq", Value: "online"}}, Sort: "-date"},
			{Under: "320100", Period: "2021Q2", Sort: "title"},
			{Q: "批量 12", Sort: "-id"},
		} {
			var want []int64
			if err := rs.EachRecord(ctx, province, "test_events", f, func(_ *register.Register, r *register.Record) error {
				want = append(want, r.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, page := range []int{1, 2, len(want)/50 - 1, len(want)/50 + 1} {
				if page < 1 {
					continue
				}
				f.Page, f.PerPage, f.CapTotal = page, 50, true
				_, pg, err := rs.ListRecords(ctx, province, "test_events", f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, r := range pg.Items {
					got = append(got, r.ID)
				}
				from, to := min((page-1)*50, len(want)), min(page*50, len(want))
				if !slices.Equal(got, want[from:to]) {
					t.Fatalf("%+v page %d: %d records %v…, want %d", f, page, len(got), got[:min(3, len(got))], to-from)
				}
			}
		}
	})
}
