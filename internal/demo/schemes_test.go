package demo_test

import (
	"context"
	"testing"

	"kexie/internal/app"
	"kexie/internal/demo"
	"kexie/internal/scheme"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

func TestDemoSchemes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(ctx, a.Units, a.Auth, a.Registers); err != nil {
			t.Fatal(err)
		}
		for range 2 { // a second load adds nothing
			if err := demo.LoadSchemes(ctx, a.Schemes); err != nil {
				t.Fatal(err)
			}
		}
		sc, err := a.Schemes.Get(ctx, demo.SocietyScheme)
		if err != nil || len(sc.Versions) != 2 {
			t.Fatalf("society scheme: %+v %v", sc, err)
		}
		all := unit.Everything()
		runs, err := a.Schemes.Runs(ctx, all, scheme.RunFilter{Period: demo.SchemePeriod})
		if err != nil || len(runs) != 4 {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		byKey := map[string]scheme.RunSummary{}
		for _, r := range runs {
			byKey[r.Scheme+"/"+string(rune('0'+r.Version))] = r
		}
		for key, want := range map[string]struct {
			units int
			state string
		}{
			demo.SocietyScheme + "/1": {50, scheme.Draft}, demo.SocietyScheme + "/2": {50, scheme.Published},
			demo.CountyScheme + "/1": {95, scheme.Published}, demo.HaizhiScheme + "/1": {3, scheme.Draft},
		} {
			if r := byKey[key]; r.Units != want.units || r.State != want.state {
				t.Errorf("run %s: %d units, %s; want %d, %s", key, r.Units, r.State, want.units, want.state)
			}
		}
		// the leaves read the records: totals spread, values present
		for key, minDistinct := range map[string]int{demo.SocietyScheme + "/2": 20, demo.CountyScheme + "/1": 30, demo.HaizhiScheme + "/1": 2} {
			rows, err := a.Schemes.Rows(ctx, all, byKey[key].ID, true)
			if err != nil {
				t.Fatal(err)
			}
			totals, values := map[float64]bool{}, 0
			for _, r := range rows {
				totals[r.Total] = true
				for _, n := range r.Nodes {
					if n.Value != nil && *n.Value > 0 {
						values++
					}
				}
			}
			if len(totals) < minDistinct || values < len(rows) {
				t.Errorf("%s: %d distinct totals, %d values above zero over %d units", key, len(totals), values, len(rows))
			}
		}
		// the three-level and two-level versions rank alike, not the same
		c, err := a.Schemes.CompareRuns(ctx, all, byKey[demo.SocietyScheme+"/1"].ID, byKey[demo.SocietyScheme+"/2"].ID)
		if err != nil || c.Spearman < 0.5 || c.Spearman >= 1 || c.Moves[0].Shift == 0 {
			t.Errorf("3 → 2 levels: ρ = %.3f, largest move %+v (%v)", c.Spearman, c.Moves[0], err)
		}
		t.Logf("%s: society scheme 3 → 2 levels: ρ = %.3f, largest move %+v", db.Dialect.Name, c.Spearman, c.Moves[0])
		os, err := a.Schemes.Objections(ctx, all, byKey[demo.SocietyScheme+"/2"].ID)
		if err != nil || len(os) != 2 || os[0].Answer == "" || os[0].Upheld || !os[1].Upheld {
			t.Errorf("objections: %+v %v", os, err)
		}
		// the upheld one corrected SOC005's point to 2 nominations
		card, err := a.Schemes.Scorecard(ctx, all, byKey[demo.SocietyScheme+"/2"].ID, "SOC005")
		if err != nil || len(card.Corrections) != 1 || *card.Corrections[0].Value != 2 || card.Corrections[0].Node != "B22" {
			t.Errorf("SOC005's scorecard: %+v %v", card.Corrections, err)
		}
	})
}
