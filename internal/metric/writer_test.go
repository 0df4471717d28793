package metric_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// writer makes random writes to the test registers: creates, updates
// that change day, mode and people, deletes, stock reports, and moves of
// counties between the cities.
type writer struct {
	a    *app.App
	rng  *rand.Rand
	ids  []int64
	vids []int64
}

// write makes one random write; step names new records.
func (w *writer) write(t *testing.T, step int) {
	t.Helper()
	ctx := context.Background()
	sys := register.System()
	modes := []any{"online", "offline", nil}
	switch op := w.rng.IntN(10); {
	case op < 4 || len(w.ids) == 0:
		r, err := w.a.Registers.Create(ctx, sys, "acts", register.Input{Unit: units[w.rng.IntN(len(units))], Values: map[string]any{
			"title": fmt.Sprintf("活动%d", step), "day": fmt.Sprintf("2021-%02d-%02d", 1+w.rng.IntN(12), 1+w.rng.IntN(28)),
			"mode": modes[w.rng.IntN(3)], "people": fmt.Sprint(w.rng.IntN(500)), "org": fmt.Sprintf("企业%d", w.rng.IntN(6))}})
		if err != nil {
			t.Fatal(err)
		}
		w.ids = append(w.ids, r.ID)
	case op < 6:
		id := w.ids[w.rng.IntN(len(w.ids))]
		_, err := w.a.Registers.Update(ctx, sys, "acts", id, register.Patch{Values: map[string]any{
			"day": fmt.Sprintf("2021-%02d-%02d", 1+w.rng.IntN(12), 1+w.rng.IntN(28)), "mode": modes[w.rng.IntN(3)], "people": fmt.Sprint(w.rng.IntN(500))}})
		if err != nil && !errors.Is(err, fault.ErrConflict) {
			t.Fatal(err)
		}
	case op < 7:
		i := w.rng.IntN(len(w.ids))
		if err := w.a.Registers.Delete(ctx, sys, "acts", w.ids[i]); err != nil {
			t.Fatal(err)
		}
		w.ids = append(w.ids[:i], w.ids[i+1:]...)
	case op < 9:
		// stock: an organisation reports its volunteers, sometimes again
		name := fmt.Sprintf("组织%d", w.rng.IntN(5))
		r, err := w.a.Registers.Create(ctx, sys, "vorgs", register.Input{Unit: units[1+w.rng.IntN(len(units)-1)], Values: map[string]any{
			"name": name, "reported_on": fmt.Sprintf("2021-%02d-01", 1+w.rng.IntN(12)), "volunteers": fmt.Sprint(w.rng.IntN(300))}})
		if err == nil {
			w.vids = append(w.vids, r.ID)
		} else if !errors.Is(err, fault.ErrConflict) {
			t.Fatal(err)
		}
		if len(w.vids) > 0 && w.rng.IntN(3) == 0 {
			i := w.rng.IntN(len(w.vids))
			if err := w.a.Registers.Delete(ctx, sys, "vorgs", w.vids[i]); err != nil {
				t.Fatal(err)
			}
			w.vids = append(w.vids[:i], w.vids[i+1:]...)
		}
	default:
		// move a county between the cities
		county := []string{"K11", "K12", "K21"}[w.rng.IntN(3)]
		city := []string{"C1", "C2"}[w.rng.IntN(2)]
		if _, err := w.a.Units.Move(ctx, unit.System(), county, unit.Move{Parent: city}); err != nil {
			t.Fatal(err)
		}
	}
}
