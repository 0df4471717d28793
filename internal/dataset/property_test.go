package dataset_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"kexie/internal/app"
	"kexie/internal/dataset"
	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// TestFactsEqualRecomputation runs random sequences of entries (new
// values, changes, clears, over several periods), workflow steps and unit
// moves, and checks after each batch that the maintained facts of the
// entered metrics equal a recomputation from the stored values, and that
// every figure equals one computed directly from the forms, on both
// databases.
func TestFactsEqualRecomputation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := setup(t, db)
		rng := rand.New(rand.NewPCG(3, 17))
		periods := []string{"2023S1", "2023S2", "2024S1", "2024S2"}
		sys := dataset.System()
		maybe := func(n int) any {
			switch rng.IntN(6) {
			case 0:
				return nil
			case 1:
				return strconv.Itoa(n) // as text
			}
			return n
		}
		saved, acted := 0, 0
		for step := 0; step < 200; step++ {
			unitCode := reporting[rng.IntN(len(reporting))]
			p := periods[rng.IntN(len(periods))]
			switch op := rng.IntN(10); {
			case op < 6:
				events := rng.IntN(20)
				in := vals("events", maybe(events), "people.online", maybe(events+rng.IntN(50)), "people.offline", maybe(rng.IntN(50)),
					"volunteers", maybe(rng.IntN(300)), "funds", fmt.Sprintf("%d.%02d", rng.IntN(10000), rng.IntN(100)), "score", maybe(rng.IntN(100)))
				in = in[:1+rng.IntN(len(in))] // a part of the form
				_, err := a.Datasets.Save(ctx, sys, "hy", unitCode, p, in)
				if err != nil && !errors.Is(err, fault.ErrInvalid) && !errors.Is(err, fault.ErrConflict) {
					t.Fatal(err)
				}
				if err == nil {
					saved++
				}
			case op < 9:
				acts := dataset.Actions
				_, err := a.Datasets.Act(ctx, sys, "hy", unitCode, p, acts[rng.IntN(len(acts))], "理由")
				if err != nil && !errors.Is(err, fault.ErrInvalid) && !errors.Is(err, fault.ErrConflict) {
					t.Fatal(err)
				}
				if err == nil {
					acted++
				}
			default:
				county := []string{"K11", "K12", "K21"}[rng.IntN(3)]
				city := []string{"C1", "C2"}[rng.IntN(2)]
				if _, err := a.Units.Move(ctx, unit.System(), county, unit.Move{Parent: city}); err != nil {
					t.Fatal(err)
				}
			}
			if step%40 == 39 {
				verify(t, a)
				checkFigures(t, a, periods)
			}
		}
		// the sequence did exercise both: saves are refused once forms are locked
		if saved < 40 || acted < 10 {
			t.Errorf("only %d saves and %d workflow steps succeeded", saved, acted)
		}
	})
}

// checkFigures compares the figures read through the facts with sums
// made directly over the stored forms, for every unit and several periods.
func checkFigures(t *testing.T, a *app.App, entered []string) {
	t.Helper()
	ctx := context.Background()
	// every unit's own values: unit → period → metric → value
	own := map[string]map[string]map[string]float64{}
	for _, code := range reporting {
		own[code] = map[string]map[string]float64{}
		for _, p := range entered {
			f, err := a.Datasets.Form(ctx, dataset.System(), "hy", code, p)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]float64{}
			for _, v := range f.Values {
				if v.Value == nil {
					continue
				}
				x, err := strconv.ParseFloat(fmt.Sprint(v.Value), 64)
				if err != nil {
					t.Fatal(err)
				}
				m[v.Metric] += x
				m[v.Metric+"#n"]++
			}
			own[code][p] = m
		}
	}
	for _, code := range append([]string{"P"}, reporting...) {
		root, err := a.Units.Get(ctx, unit.Everything(), code)
		if err != nil {
			t.Fatal(err)
		}
		for _, read := range []string{"2023", "2024", "2024S1", "2023S2", "2024-01-01..2025-06-30"} {
			rp, _ := period.Parse(read)
			var events, funds, scoreSum, scoreN, volunteers float64
			for _, c := range reporting {
				cu, _ := a.Units.Get(ctx, unit.Everything(), c)
				if !strings.HasPrefix(cu.Path, root.Path) {
					continue
				}
				latest := ""
				for _, p := range entered {
					pp, _ := period.Parse(p)
					m := own[c][p]
					if rp.Contains(pp.FromDate()) {
						events += m["events"]
						funds += m["funds"]
						scoreSum += m["score"]
						scoreN += m["score#n"]
					}
					if pp.FromDate() <= rp.ToDate() && m["volunteers#n"] > 0 && p > latest {
						latest = p
					}
				}
				if latest != "" {
					volunteers += own[c][latest]["volunteers"]
				}
			}
			check := func(metricCode string, want *float64) {
				t.Helper()
				got := figure(t, a, metricCode, code, read)
				switch {
				case want == nil && got != nil:
					t.Fatalf("%s %s %s = %v, want no figure", metricCode, code, read, *got)
				case want != nil && (got == nil || math.Abs(*got-*want) > 1e-6):
					t.Fatalf("%s %s %s = %v, want %v", metricCode, code, read, deref(got), *want)
				}
			}
			check("events", &events)
			check("funds", &funds)
			check("volunteers", &volunteers)
			var avg *float64
			if scoreN > 0 {
				v := scoreSum / scoreN
				avg = &v
			}
			check("score", avg)
			// a breakdown by children reads the children's facts together:
			// each part is the child's own figure
			for _, mc := range []string{"events", "funds", "volunteers", "score"} {
				b, err := a.Metrics.ByChildren(ctx, unit.Everything(), mc, code, read)
				if err != nil {
					t.Fatal(err)
				}
				for _, part := range b.Parts {
					got := figure(t, a, mc, part.Key, read)
					if (got == nil) != (part.Value == nil) || (got != nil && math.Abs(*got-*part.Value) > 1e-6) {
						t.Fatalf("%s %s %s: by children %v, alone %v", mc, part.Key, read, deref(part.Value), deref(got))
					}
				}
			}
		}
	}
}
