package metric_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// TestRebuildWhileWriting changes three definitions (a filtered count, a
// distinct count and a stock) and runs their builds one unit at a time
// between random writes and moves: until a build ends, the figures are
// those of the old definition; after, the facts equal a recomputation
// from the records under the new one, on both databases.
func TestRebuildWhileWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		pending := map[string]bool{}
		a.Metrics.RunBuildsWith(1, func(code string) { pending[code] = true })
		w := &writer{a: a, rng: rand.New(rand.NewPCG(3, 5))}
		for step := 0; step < 60; step++ {
			w.write(t, step)
		}
		before, err := a.Metrics.Value(ctx, unit.Everything(), "acts_online", "P", "2021")
		if err != nil {
			t.Fatal(err)
		}
		for _, change := range []struct{ code, filter string }{
			{"acts_online", `mode == "offline"`},
			{"acts_orgs", `people >= 100`},
			{"volunteers", `volunteers >= 100`},
		} {
			m, err := a.Metrics.Get(ctx, change.code)
			if err != nil {
				t.Fatal(err)
			}
			d := m.Def
			d.Filter = change.filter
			got, err := a.Metrics.Define(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != metric.StateBuilding || got.Pending == nil || got.Filter == change.filter {
				t.Fatalf("%s after the change: state %s, filter %q", change.code, got.State, got.Filter)
			}
		}
		// a change of name alone needs no build
		m, _ := a.Metrics.Get(ctx, "acts_all")
		d := m.Def
		d.NameZH = "各类活动"
		if got, err := a.Metrics.Define(ctx, d); err != nil || got.State != metric.StateReady || pending["acts_all"] {
			t.Fatalf("renamed: %+v %v", got, err)
		}
		during, err := a.Metrics.Value(ctx, unit.Everything(), "acts_online", "P", "2021")
		if err != nil {
			t.Fatal(err)
		}
		if *during.Value != *before.Value {
			t.Fatalf("during the build acts_online reads %v, was %v", *during.Value, *before.Value)
		}
		steps := 0
		for step := 60; len(pending) > 0; step++ {
			w.write(t, step)
			for code := range pending {
				done, err := a.Metrics.BuildStep(ctx, code)
				if err != nil {
					t.Fatal(err)
				}
				steps++
				if done {
					delete(pending, code)
				}
			}
			if step > 400 {
				t.Fatal("the builds never end")
			}
		}
		if steps < 9 {
			t.Errorf("%d steps: the builds did not run unit by unit", steps)
		}
		for step := 0; step < 20; step++ {
			w.write(t, 1000+step)
		}
		diffs, err := a.Metrics.Verify(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(diffs) > 0 {
			t.Fatalf("%d facts differ from a recomputation, first %+v", len(diffs), diffs[0])
		}
		// the new definition's figure, counted from the records
		var offline float64
		if err := a.Registers.EachRecord(ctx, unit.Everything(), "acts", register.Filter{Period: "2021"}, func(_ *register.Register, r *register.Record) error {
			if r.Values["mode"] == "offline" {
				offline++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		after, err := a.Metrics.Value(ctx, unit.Everything(), "acts_online", "P", "2021")
		if err != nil {
			t.Fatal(err)
		}
		if after.Value == nil || *after.Value != offline {
			t.Fatalf("after the build acts_online = %v, want the offline count %v", after.Value, offline)
		}
		if m, _ := a.Metrics.Get(ctx, "acts_online"); m.State != metric.StateReady || m.Progress != 100 || m.Pending != nil {
			t.Errorf("after the build: %+v", m)
		}
	})
}
