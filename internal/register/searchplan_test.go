package register_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// orderedScan is what a plain scan finds for a filter of q, a subtree, a
// mode and a month, in the list's default order (newest first).
func orderedScan(t *testing.T, db *store.DB, f register.Filter, under string) []int64 {
	t.Helper()
	var args store.Args
	cond := `search LIKE ` + args.Add("%"+strings.ToLower(store.EscapeLike(strings.TrimSpace(f.Q)))+"%") + ` ESCAPE '\'`
	if under != "" {
		cond += ` AND unit_id IN (SELECT id FROM units WHERE path LIKE ` + args.Add(under+"%") + `)`
	}
	for _, c := range f.Conds {
		cond += ` AND f_` + c.Field + ` = ` + args.Add(c.Value)
	}
	if m := strings.TrimPrefix(f.Period, "2021"); m != "" {
		cond += ` AND date >= '2021-` + m + `-01' AND date <= '2021-` + m + `-31'`
	}
	rows, err := db.Writer().QueryContext(context.Background(), `SELECT id FROM rec_test_events WHERE `+cond+` ORDER BY date DESC, id DESC`, args.Values()...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// Every plan a text search can take — the count by scan, by candidates,
// (SQLite) by merging the candidates' ids with the filters' ids or by
// counting a pair's records in the index alone, the page
// by scan, by candidates, in date order through the date index or by the
// ids a merge found — finds what a scan finds, in the list's order, page
// by page, and counts it the same, capped or not.
func TestSearchPlansEqualScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		rng := rand.New(rand.NewPCG(3, 5))
		units := []string{"320102", "320300", "320100"}
		var texts []string
		for i := range 90 {
			title := randomText(rng, 2+rng.IntN(10))
			in := fmt.Sprintf(`{"title":%q,"held_on":"2021-%02d-%02d","mode":%q}`, title, 3+i%2, 1+i%5, []string{"online", "offline"}[i%2])
			if _, err := rs.Create(ctx, register.System(), "test_events", register.Input{Unit: units[i%3], Values: jsonValues(t, in)}); err != nil {
				t.Fatalf("create %q: %v", title, err)
			}
			texts = append(texts, title)
		}
		var qs []string
		for i := range 24 {
			rs := []rune(texts[rng.IntN(len(texts))])
			n := 2 + i%4 // two characters (one pair: a merge checks no text) to five
			if n > len(rs) {
				n = len(rs)
			}
			at := rng.IntN(len(rs) - n + 1)
			if q := string(rs[at : at+n]); strings.TrimSpace(q) != "" {
				qs = append(qs, q)
			}
		}
		qs = append(qs, "科普", "讲座", "AB", "量子健康生活", "线上", "zz")
		counts := []string{"scan", "candidates"}
		pages := []string{"scan", "candidates", "order"}
		if db.Dialect.Name == "sqlite" {
			counts, pages = append(counts, "merge", "pairs"), append(pages, "ids")
		} else {
			counts = append(counts, "bitmap")
		}
		filters := []struct {
			under string
			f     register.Filter
		}{
			{"", register.Filter{}},
			{"/320000/320100/", register.Filter{Under: "320100"}},
			{"/320000/320100/", register.Filter{Under: "320100", Conds: []register.Cond{{Field: "mode", Op: "eq", Value: "online"}}}},
			{"", register.Filter{Period: "202104"}},
			{"/320000/320300/", register.Filter{Under: "320300", Period: "202103"}},
		}
		// inside a transaction a merge reads its two lists one after the other
		if db.Dialect.Name == "sqlite" {
			rs.ForceSearchPlan("merge", "ids")
			f := register.Filter{Q: string([]rune(texts[0])[:2]), Under: "320100", PerPage: register.MaxPerPage} // texts[0] is in 320102
			want := orderedScan(t, db, f, "/320000/320100/")
			err := db.WithTx(ctx, func(ctx context.Context) error {
				_, page, err := rs.ListRecords(ctx, unit.Everything(), "test_events", f)
				var got []int64
				for _, r := range page.Items {
					got = append(got, r.ID)
				}
				if err == nil && (len(want) == 0 || page.Total != len(want) || !slices.Equal(got, want)) {
					err = fmt.Errorf("found %v (total %d), the scan %v", got, page.Total, want)
				}
				return err
			})
			if err != nil {
				t.Fatalf("merge in a transaction: %v", err)
			}
		}
		defer rs.ForceSearchPlan("", "")
		defer rs.CapCountsAt(0)
		for _, count := range counts {
			for _, pg := range pages {
				rs.ForceSearchPlan(count, pg)
				for _, q := range qs {
					for _, fl := range filters {
						f := fl.f
						f.Q = q
						want := orderedScan(t, db, f, fl.under)
						// page by page, seven at a time, exact count
						f.PerPage = 7
						var got []int64
						for f.Page = 1; ; f.Page++ {
							_, page, err := rs.ListRecords(ctx, unit.Everything(), "test_events", f)
							if err != nil {
								t.Fatalf("count %s, page %s, q %q: %v", count, pg, q, err)
							}
							if page.Total != len(want) || page.Capped {
								t.Fatalf("count %s, page %s, q %q %+v: total %d (capped %v), the scan %d", count, pg, q, fl.f, page.Total, page.Capped, len(want))
							}
							for _, r := range page.Items {
								got = append(got, r.ID)
							}
							if len(page.Items) < f.PerPage {
								break
							}
						}
						if !slices.Equal(got, want) {
							t.Fatalf("count %s, page %s, q %q %+v: found %v, the scan %v", count, pg, q, fl.f, got, want)
						}
						// the count capped at 3: past it, "3+"
						rs.CapCountsAt(3)
						f.Page, f.CapTotal = 1, true
						_, page, err := rs.ListRecords(ctx, unit.Everything(), "test_events", f)
						rs.CapCountsAt(0)
						if err != nil {
							t.Fatal(err)
						}
						if page.Total != min(len(want), 3) || page.Capped != (len(want) > 3) || len(page.Items) != min(len(want), 7) {
							t.Fatalf("count %s, page %s, q %q %+v capped at 3: total %d (capped %v), %d rows; the scan %d", count, pg, q, fl.f,
								page.Total, page.Capped, len(page.Items), len(want))
						}
					}
				}
			}
		}
	})
}
