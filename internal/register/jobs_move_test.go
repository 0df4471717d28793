package register_test

import (
	"context"
	"testing"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// An import job is followed by the administrators over its unit: when
// the unit moves, its jobs move with it, as its records and history do.
func TestImportJobsMoveWithUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		pathOf := func(code string) string {
			u, err := a.Units.Get(ctx, unit.Everything(), code)
			if err != nil {
				t.Fatal(err)
			}
			return u.Path
		}
		mine := &register.ImportJob{Register: "people", FileName: "人员.xlsx", Unit: "320102", UnitPath: pathOf("320102")}
		other := &register.ImportJob{Register: "people", FileName: "人员.csv", Unit: "320100", UnitPath: pathOf("320100")}
		for _, j := range []*register.ImportJob{mine, other} {
			if err := a.Registers.CreateImportJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Units.Move(ctx, unit.System(), "320102", unit.Move{Parent: "320300"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			job  *register.ImportJob
			want string
		}{{mine, pathOf("320102")}, {other, pathOf("320100")}} {
			got, err := a.Registers.ImportJob(ctx, c.job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.UnitPath != c.want {
				t.Errorf("job of %s has path %q after the move, want %q", c.job.Unit, got.UnitPath, c.want)
			}
		}
	})
}
