package register_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// searchAlphabet makes texts with repeated Chinese characters (so pairs
// recur across records), mixed-case ASCII, spaces and LIKE's own
// metacharacters.
var searchAlphabet = []rune("科普讲座量子健康生活AbCdeZ %_\\")

func randomText(rng *rand.Rand, n int) string {
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = searchAlphabet[rng.IntN(len(searchAlphabet))]
	}
	return string(rs)
}

// scanIDs is what a plain scan of the search text finds: the reference a
// search through the pair index must equal.
func scanIDs(t *testing.T, db *store.DB, table, q string, under string) []int64 {
	t.Helper()
	var args store.Args
	cond := `search LIKE ` + args.Add("%"+strings.ToLower(store.EscapeLike(strings.TrimSpace(q)))+"%") + ` ESCAPE '\'`
	if under != "" {
		cond += ` AND unit_id IN (SELECT id FROM units WHERE path LIKE ` + args.Add(under+"%") + `)`
	}
	rows, err := db.Writer().QueryContext(context.Background(), `SELECT id FROM `+table+` WHERE `+cond+` ORDER BY id`, args.Values()...)
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

func listIDs(t *testing.T, rs *register.Service, code string, f register.Filter) []int64 {
	t.Helper()
	f.PerPage = register.MaxPerPage
	out := []int64{}
	for f.Page = 1; ; f.Page++ {
		_, page, err := rs.ListRecords(context.Background(), unit.Everything(), code, f)
		if err != nil {
			t.Fatalf("search %q: %v", f.Q, err)
		}
		for _, r := range page.Items {
			out = append(out, r.ID)
		}
		if len(page.Items) < f.PerPage {
			break
		}
	}
	slices.Sort(out)
	return out
}

// checkSearches runs random searches — substrings of stored texts, of
// one to six characters, and random strings — and compares each with a
// plain scan, over everything and within a city.
func checkSearches(t *testing.T, db *store.DB, rs *register.Service, rng *rand.Rand, texts []string, stage string) {
	t.Helper()
	for i := range 60 {
		var q string
		if i%4 == 3 || len(texts) == 0 {
			q = randomText(rng, 1+rng.IntN(4))
		} else {
			rs := []rune(texts[rng.IntN(len(texts))])
			n := 1 + rng.IntN(min(6, len(rs)))
			at := rng.IntN(len(rs) - n + 1)
			q = string(rs[at : at+n])
			if rng.IntN(2) == 0 {
				q = strings.ToUpper(q)
			}
		}
		if strings.TrimSpace(q) == "" {
			continue
		}
		under := ""
		f := register.Filter{Q: q}
		if i%3 == 0 {
			f.Under, under = "320100", "/320000/320100/"
		}
		want := scanIDs(t, db, "rec_test_events", q, under)
		if got := listIDs(t, rs, "test_events", f); !slices.Equal(got, want) {
			t.Fatalf("%s: search %q (under %q) found %v, the scan %v", stage, q, f.Under, got, want)
		}
	}
}

// A search through the pair index finds exactly what a scan of the search
// text finds, after records are created, changed and deleted.
func TestSearchEqualsScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		rng := rand.New(rand.NewPCG(7, 11))
		acc := register.System()
		units := []string{"320102", "320300", "320100"}
		var ids []int64
		var texts []string
		for i := range 80 {
			title := randomText(rng, 2+rng.IntN(12))
			in, _ := json.Marshal(map[string]any{"title": title, "held_on": fmt.Sprintf("2021-03-%02d", 1+i%28), "mode": []string{"online", "offline"}[i%2]})
			r, err := rs.Create(ctx, acc, "test_events", register.Input{Unit: units[i%3], Values: jsonValues(t, string(in))})
			if err != nil {
				t.Fatalf("create %q: %v", title, err)
			}
			ids, texts = append(ids, r.ID), append(texts, title)
		}
		texts = append(texts, "线上", "offline")
		checkSearches(t, db, rs, rng, texts, "created")
		// change a third of the titles, delete a sixth: searches for the
		// old words must no longer find them
		for i, id := range ids {
			switch i % 6 {
			case 0, 3:
				title := randomText(rng, 2+rng.IntN(12))
				if _, err := rs.Update(ctx, acc, "test_events", id, register.Patch{Values: map[string]any{"title": title}}); err != nil {
					t.Fatalf("update: %v", err)
				}
				texts = append(texts, title)
			case 1:
				if err := rs.Delete(ctx, acc, "test_events", id); err != nil {
					t.Fatalf("delete: %v", err)
				}
			}
		}
		// the newest record deleted, the next may take its id (SQLite
		// does): its pairs must be the new record's alone
		if (len(ids)-1)%6 != 1 {
			if err := rs.Delete(ctx, acc, "test_events", ids[len(ids)-1]); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			title := randomText(rng, 2+rng.IntN(12))
			if _, err := rs.Create(ctx, acc, "test_events", register.Input{Unit: "320102",
				Values: map[string]any{"title": title, "held_on": fmt.Sprintf("2021-06-%02d", i+1)}}); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, title)
		}
		checkSearches(t, db, rs, rng, texts, "changed")
		// a search with other filters, sorted and paged, still agrees
		f := register.Filter{Q: texts[0][:len(string([]rune(texts[0])[:2]))], Sort: "title", PerPage: 3}
		_, page, err := rs.ListRecords(ctx, unit.Everything(), "test_events", f)
		if err != nil || page.Total != len(scanIDs(t, db, "rec_test_events", f.Q, "")) {
			t.Fatalf("paged search: %d %v", page.Total, err)
		}
	})
}

// Records imported from a sheet, and records an import changes, are
// found by their words and no longer by the words they lost.
func TestSearchAfterImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetApp(t, db)
		csv := "单位代码,活动名称,举办日期\n320102,量子科普讲座,2021-07-01\n320102,健康生活,2021-07-02\n"
		if _, err := importFile(a, register.System(), []byte(csv), "a.csv", register.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		count := func(q string) int {
			return len(listIDs(t, a.Registers, "sheet_acts", register.Filter{Q: q}))
		}
		if count("量子") != 1 || count("科普讲座") != 1 || count("健康") != 1 || count("天文") != 0 {
			t.Fatalf("imported: 量子 %d, 科普讲座 %d, 健康 %d, 天文 %d", count("量子"), count("科普讲座"), count("健康"), count("天文"))
		}
	})
}

// A register made before the pair index gets it, filled, at start; the
// index then follows new records.
func TestSearchIndexMadeAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		for i, title := range []string{"量子科技讲座", "健康生活讲座", "航空航天展览"} {
			if _, err := rs.Create(ctx, register.System(), "test_events", register.Input{Unit: "320102",
				Values: map[string]any{"title": title, "held_on": fmt.Sprintf("2021-04-0%d", i+1)}}); err != nil {
				t.Fatal(err)
			}
		}
		drop := "DROP TABLE recpairs_test_events"
		if db.Dialect.Name == "postgres" {
			drop = "DROP INDEX rec_test_events_search_pairs"
		}
		if _, err := db.Writer().ExecContext(ctx, drop); err != nil {
			t.Fatal(err)
		}
		if err := rs.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		if db.Dialect.Name == "postgres" && !indexesOf(t, db, "rec_test_events")["rec_test_events_search_pairs"] {
			t.Fatal("pair index not made at start")
		}
		if _, err := rs.Create(ctx, register.System(), "test_events", register.Input{Unit: "320102",
			Values: map[string]any{"title": "量子通信讲座", "held_on": "2021-05-01"}}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"量子": 2, "讲座": 3, "展览": 1, "量子科技": 1, "子通": 1} {
			if got := len(listIDs(t, rs, "test_events", register.Filter{Q: q})); got != want {
				t.Errorf("%s: %d found, want %d", q, got, want)
			}
		}
	})
}

// A field flagged sortable has an index in the list's order; the flag
// taken away drops it, given back makes it again; sensitive fields
// cannot be flagged.
func TestSortableFieldIndex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		const ix = "rec_test_events_f_participants_sort"
		if indexesOf(t, db, "rec_test_events")[ix] {
			t.Fatal("an unflagged field has a sort index")
		}
		define := func(sortable bool) {
			t.Helper()
			sc := events()
			for i := range sc.Fields {
				if sc.Fields[i].Code == "participants" {
					sc.Fields[i].Sortable = sortable
				}
			}
			if _, err := rs.Define(ctx, sc, register.Migration{}, false); err != nil {
				t.Fatal(err)
			}
		}
		for i, n := range []int{120, 5, 3000} {
			if _, err := rs.Create(ctx, register.System(), "test_events", register.Input{Unit: "320102",
				Values: jsonValues(t, fmt.Sprintf(`{"title":"活动%d","held_on":"2021-04-01","participants":%d}`, i, n))}); err != nil {
				t.Fatal(err)
			}
		}
		define(true)
		if !indexesOf(t, db, "rec_test_events")[ix] {
			t.Fatal("sortable field without its index")
		}
		_, page, err := rs.ListRecords(ctx, unit.Everything(), "test_events", register.Filter{Sort: "-participants", Period: "2021"})
		if err != nil || len(page.Items) != 3 || page.Items[0].Values["participants"] != int64(3000) || page.Items[2].Values["participants"] != int64(5) {
			t.Fatalf("sorted: %v %v", page.Items, err)
		}
		define(false)
		if indexesOf(t, db, "rec_test_events")[ix] {
			t.Fatal("sort index kept after the flag went")
		}
		define(true)
		if !indexesOf(t, db, "rec_test_events")[ix] {
			t.Fatal("sort index not made again")
		}
		sc := events()
		sc.Fields[5].Sortable = true // contact: sensitive
		_, err = rs.Define(ctx, sc, register.Migration{}, false)
		if f := faultFields(err); f["fields[5].sortable"] != "register.field.sortable" {
			t.Fatalf("sortable sensitive field: %v", err)
		}
	})
}

// faultFields maps each refused field of err to its translation key.
func faultFields(err error) map[string]string {
	out := map[string]string{}
	for _, f := range fault.FieldsOf(err) {
		out[f.Field] = f.Key
	}
	return out
}
