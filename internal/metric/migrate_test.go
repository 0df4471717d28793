package metric_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// A new schema version whose migration rewrites stored values (a removed
// option mapped to another, a field made required and filled) leaves the
// figures of the register's metrics equal to a recomputation from the
// records, in the same transaction, on both databases.
func TestFactsFollowMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		for i, c := range []struct{ unit, mode string }{{"K11", "offline"}, {"K12", "offline"}, {"K21", "online"}, {"C1", "offline"}} {
			vals := map[string]any{"title": fmt.Sprintf("活动%d", i), "day": "2021-05-0" + fmt.Sprint(i+1), "mode": c.mode, "org": fmt.Sprint("企业", i%2), "people": fmt.Sprint(10 * (i + 1))}
			if i == 3 {
				delete(vals, "people")
			}
			if _, err := a.Registers.Create(ctx, register.System(), "acts", register.Input{Unit: c.unit, Values: vals}); err != nil {
				t.Fatal(err)
			}
		}
		verify := func(stage string) {
			t.Helper()
			diffs, err := a.Metrics.Verify(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) > 0 {
				t.Fatalf("%s: %d facts differ from a recomputation, first %+v", stage, len(diffs), diffs[0])
			}
			checkFigures(t, a)
		}
		verify("before")
		next := schema()
		next.Fields = slices.Clone(next.Fields)
		next.Fields[2].Options = next.Fields[2].Options[:1] // only online
		next.Fields[3].Required = true
		if _, err := a.Registers.Define(ctx, next, register.Migration{Fill: map[string]string{"people": "5"},
			MapOptions: map[string]map[string]string{"mode": {"offline": "online"}}}, false); err != nil {
			t.Fatal(err)
		}
		verify("after the migration")
	})
}
