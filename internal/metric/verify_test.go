package metric_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// TestVerifyFindsDifferences spoils maintained facts at every level —
// a county's sum, the root's count, a county's distinct value (its
// count kept right), the root's
// distinct count, a fact of a unit without records — and checks that
// verify names each, at its unit, and nothing else, on both databases.
func TestVerifyFindsDifferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		for i, at := range []string{"P", "C1", "K11", "K11", "K21", "C2"} {
			vals := map[string]any{"title": fmt.Sprintf("活动%d", i), "day": fmt.Sprintf("2021-0%d-1%d", 1+i%6, i), "mode": []string{"online", "offline"}[i%2],
				"org": fmt.Sprintf("企业%d", i%4), "people": fmt.Sprint(10 * (i + 1))}
			if _, err := a.Registers.Create(ctx, register.System(), "acts", register.Input{Unit: at, Values: vals}); err != nil {
				t.Fatal(err)
			}
		}
		if diffs, err := a.Metrics.Verify(ctx, ""); err != nil || len(diffs) != 0 {
			t.Fatalf("before: %+v, %v", diffs, err)
		}
		id := func(code string) int64 {
			u, err := a.Units.Get(ctx, unit.Everything(), code)
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		mid := func(code string) (int64, int) {
			m, err := a.Metrics.Get(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			return m.ID, m.FactVersion
		}
		exec := func(q string, args ...any) {
			t.Helper()
			res, err := db.Writer().ExecContext(ctx, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("%s changed %d rows", q, n)
			}
		}
		people, pv := mid("acts_people")
		all, av := mid("acts_all")
		orgs, ov := mid("acts_orgs")
		exec(`UPDATE metric_facts SET val = val + 1 WHERE metric_id = $1 AND fact_version = $2 AND unit_id = $3 AND day = '2021-03-12' AND cat = 'online'`, people, pv, id("K11"))
		exec(`UPDATE metric_facts SET cnt = cnt + 1 WHERE metric_id = $1 AND fact_version = $2 AND unit_id = $3 AND day = '2021-01-10'`, all, av, id("P"))
		exec(`DELETE FROM metric_values WHERE metric_id = $1 AND fact_version = $2 AND unit_id = $3 AND month = '2021-05' AND value = '企业0'`, orgs, ov, id("K21"))
		exec(`UPDATE metric_distinct SET n = n + 1 WHERE metric_id = $1 AND fact_version = $2 AND unit_id = $3 AND month = '2021-02'`, orgs, ov, id("P"))
		exec(`INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt) VALUES ($1, $2, $3, '2021-07-01', '', 0, 1)`, all, av, id("K12"))

		diffs, err := a.Metrics.Verify(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range diffs {
			got = append(got, fmt.Sprintf("%s@%d:%s:%s", d.Metric, d.UnitID, d.Day, d.Cat))
		}
		for _, w := range []string{
			fmt.Sprintf("acts_people@%d:2021-03-12:online", id("K11")),
			fmt.Sprintf("acts_all@%d:2021-01-10:", id("P")),
			fmt.Sprintf("acts_orgs@%d:2021-05:企业0", id("K21")),
			fmt.Sprintf("acts_orgs@%d:2021-02:%s", id("P"), metric.DistinctCount),
			fmt.Sprintf("acts_all@%d:2021-07-01:", id("K12")),
		} {
			if !slices.Contains(got, w) {
				t.Errorf("verify missed %s; found %v", w, got)
			}
		}
		if len(got) != 5 {
			t.Errorf("verify found %d differences, want 5: %v", len(got), got)
		}
	})
}
