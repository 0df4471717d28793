package register_test

import (
	"context"
	"slices"
	"testing"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// A new schema version that changes what a record's search text holds
// (an option's label, a field removed or made sensitive, an option
// mapped away) rewrites the text of the records it concerns: a search by
// the new words finds them, and by the old words no longer does, both
// through the pair index and by the plain scan.
func TestSearchFollowsSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		sc := events()
		sc.Fields = append(sc.Fields,
			register.Field{Code: "venue", Type: register.TypeText, NameZH: "地点"},
			register.Field{Code: "tags", Type: register.TypeOptions, NameZH: "标签", Options: []register.Option{
				{Code: "kids", NameZH: "青少年", NameEN: "Youth"}, {Code: "elder", NameZH: "老年人", NameEN: "Elderly"}, {Code: "rural", NameZH: "农村", NameEN: "Rural"}}})
		if _, err := rs.Define(ctx, sc, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		for _, r := range []struct {
			title, mode, venue string
			tags               []string
		}{
			{"春季讲座", "offline", "鼓楼礼堂", []string{"kids"}},
			{"网络直播", "online", "", []string{"elder", "rural"}},
			{"秋季讲座", "offline", "", []string{"rural"}},
		} {
			vals := map[string]any{"title": r.title, "held_on": "2021-03-01", "mode": r.mode, "tags": anyList(r.tags)}
			if r.venue != "" {
				vals["venue"] = r.venue
			}
			rec, err := rs.Create(ctx, register.System(), "test_events", register.Input{Unit: "320100", Values: vals})
			if err != nil {
				t.Fatal(err)
			}
			ids[r.title] = rec.ID
		}
		find := func(q string) []int64 {
			got := listIDs(t, rs, "test_events", register.Filter{Q: q})
			if ref := scanIDs(t, db, "rec_test_events", q, ""); !slices.Equal(got, ref) {
				t.Fatalf("search %q: index finds %v, scan %v", q, got, ref)
			}
			return got
		}
		want := func(q string, titles ...string) {
			t.Helper()
			exp := []int64{}
			for _, x := range titles {
				exp = append(exp, ids[x])
			}
			slices.Sort(exp)
			if got := find(q); !slices.Equal(got, exp) {
				t.Fatalf("search %q finds %v, want %v (%v)", q, got, exp, titles)
			}
		}
		want("线下", "春季讲座", "秋季讲座")
		want("老年人", "网络直播")
		want("鼓楼礼堂", "春季讲座")

		// relabel an option of each kind, remove the venue field, drop
		// "elder" mapping it to "kids"
		next := sc
		next.Fields = slices.Clone(sc.Fields)
		next.Fields[2].Options = []register.Option{{Code: "online", NameZH: "线上"}, {Code: "offline", NameZH: "现场活动", NameEN: "On site"}}
		next.Fields = slices.DeleteFunc(next.Fields, func(f register.Field) bool { return f.Code == "venue" })
		tags := &next.Fields[len(next.Fields)-1]
		tags.Options = []register.Option{{Code: "kids", NameZH: "青少年", NameEN: "Youth"}, {Code: "rural", NameZH: "乡村振兴", NameEN: "Rural revival"}}
		if _, err := rs.Define(ctx, next, register.Migration{MapOptions: map[string]map[string]string{"tags": {"elder": "kids"}}}, false); err != nil {
			t.Fatal(err)
		}
		want("线下")
		want("现场活动", "春季讲座", "秋季讲座")
		want("on site", "春季讲座", "秋季讲座")
		want("乡村振兴", "网络直播", "秋季讲座")
		want("rural revival", "网络直播", "秋季讲座")
		want("老年人")
		want("青少年", "春季讲座", "网络直播")
		want("鼓楼礼堂")
		want("讲座", "春季讲座", "秋季讲座")

		// a sensitive title leaves the text; bringing back the venue
		// field brings its kept values back
		again := next
		again.Fields = append(slices.Clone(next.Fields), register.Field{Code: "venue", Type: register.TypeText, NameZH: "地点"})
		again.Fields[0].Sensitive = true
		if _, err := rs.Define(ctx, again, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		want("讲座")
		want("鼓楼礼堂", "春季讲座")
		// records written after still index as before
		if _, err := rs.Create(ctx, register.System(), "test_events", register.Input{Unit: "320100",
			Values: map[string]any{"title": "冬季讲座", "held_on": "2021-12-01", "mode": "offline"}}); err != nil {
			t.Fatal(err)
		}
		if n := len(find("现场活动")); n != 3 {
			t.Fatalf("现场活动 finds %d records, want 3", n)
		}
		_, page, err := rs.ListRecords(ctx, unit.Everything(), "test_events", register.Filter{Q: "现场"})
		if err != nil || page.Total != 3 {
			t.Fatalf("现场: %d %v", page.Total, err)
		}
	})
}

func anyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
