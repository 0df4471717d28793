package demo_test

import (
	"context"
	"testing"

	"kexie/internal/app"
	"kexie/internal/demo"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

func TestLoadIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		specs, _ := demo.Units()
		res, err := demo.Load(ctx, a.Units, a.Auth, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.UnitsCreated != len(specs) || res.UsersCreated != len(demo.Accounts) {
			t.Fatalf("first load: %+v, want %d units", res, len(specs))
		}
		res, err = demo.Load(ctx, a.Units, a.Auth, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res != (demo.Result{}) {
			t.Fatalf("second load changed something: %+v", res)
		}
		cities, err := a.Units.List(ctx, unit.Everything(), unit.Filter{Parent: "320000", Type: "city"})
		if err != nil {
			t.Fatal(err)
		}
		if cities.Total != 13 || cities.Items[0].Code != "320100" {
			t.Fatalf("cities: total %d first %+v", cities.Total, cities.Items[0])
		}
		nj, err := a.Units.Get(ctx, unit.Everything(), "320102")
		if err != nil || nj.Path != "/320000/320100/320102/" || nj.Depth != 2 {
			t.Fatalf("Xuanwu: %+v %v", nj, err)
		}
	})
}
