package unit_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// newUnits returns a unit service over db with the built-in types, a
// group "pilot" and a root "R".
func newUnits(t testing.TB, db *store.DB) *unit.Service {
	t.Helper()
	ctx := context.Background()
	svc := unit.NewService(db, audit.New(db))
	if err := svc.EnsureBuiltinTypes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveGroup(ctx, unit.Group{Code: "pilot", NameZH: "试点"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, unit.System(), unit.Create{Code: "R", Type: "province", NameZH: "省"}); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestCreateMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newUnits(t, db)
		// children listed right after their parents, depths mixed
		in := []unit.Create{
			{Code: "C1", Parent: "R", Type: "city", NameZH: "市一"},
			{Code: "K1", Parent: "C1", Type: "county", NameZH: "县一", Groups: []string{"pilot", " pilot"}},
			{Code: "S1", Parent: "K1", Type: "society", NameZH: "学会", NameEN: "Society", OpenedOn: "2020-01-02"},
			{Code: "C2", Parent: "R", Type: "city", NameZH: "市二"},
			{Code: "K2", Parent: "C2", Type: "county", NameZH: "县二"},
		}
		n, err := svc.CreateMany(ctx, unit.System(), in)
		if err != nil || n != len(in) {
			t.Fatalf("CreateMany: n=%d err=%v", n, err)
		}
		want := map[string]struct {
			parent, path string
			depth        int
			groups       []string
		}{
			"C1": {"R", "/R/C1/", 1, []string{}},
			"K1": {"C1", "/R/C1/K1/", 2, []string{"pilot"}},
			"S1": {"K1", "/R/C1/K1/S1/", 3, []string{}},
			"K2": {"C2", "/R/C2/K2/", 2, []string{}},
		}
		for code, w := range want {
			u, err := svc.Get(ctx, unit.Everything(), code)
			if err != nil {
				t.Fatal(err)
			}
			if u.Parent != w.parent || u.Path != w.path || u.Depth != w.depth || !slices.Equal(u.Groups, w.groups) || u.Version != 1 {
				t.Errorf("%s: got parent %q path %q depth %d groups %v version %d", code, u.Parent, u.Path, u.Depth, u.Groups, u.Version)
			}
		}
		s1, _ := svc.Get(ctx, unit.Everything(), "S1")
		if s1.NameEN != "Society" || s1.OpenedOn != "2020-01-02" {
			t.Errorf("S1 fields: %+v", s1)
		}
		page, err := svc.List(ctx, unit.Everything(), unit.Filter{Under: "C1"})
		if err != nil || page.Total != 2 {
			t.Fatalf("subtree of C1: total %d err %v", page.Total, err)
		}
		entries, err := audit.New(db).List(ctx, unit.Everything().Cond, audit.Filter{Entity: "unit", EntityID: "K1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Action != "create" {
			t.Errorf("audit of K1: %+v", entries)
		}
	})
}

func TestCreateManyRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newUnits(t, db)
		if _, err := svc.Create(ctx, unit.System(), unit.Create{Code: "C9", Parent: "R", Type: "city", NameZH: "市九"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ctx, unit.System(), unit.Create{Code: "C8", Parent: "R", Type: "city", NameZH: "市八"}); err != nil {
			t.Fatal(err)
		}
		ok := unit.Create{Code: "A1", Parent: "R", Type: "city", NameZH: "好"}
		cases := []struct {
			name  string
			a     unit.Access
			in    []unit.Create
			field string
			kind  error
		}{
			{"unknown parent", unit.System(), []unit.Create{ok, {Code: "B", Parent: "nope", Type: "county", NameZH: "x"}}, "[1].parent", fault.ErrInvalid},
			{"child before parent", unit.System(), []unit.Create{ok, {Code: "B", Parent: "B2", Type: "county", NameZH: "x"}, {Code: "B2", Parent: "R", Type: "city", NameZH: "y"}}, "[1].parent", fault.ErrInvalid},
			{"code stored", unit.System(), []unit.Create{ok, {Code: "C9", Parent: "R", Type: "city", NameZH: "x"}}, "[1].code", fault.ErrConflict},
			{"code twice", unit.System(), []unit.Create{ok, ok}, "[1].code", fault.ErrInvalid},
			{"unknown type", unit.System(), []unit.Create{ok, {Code: "B", Parent: "R", Type: "planet", NameZH: "x"}}, "[1].type", fault.ErrInvalid},
			{"unknown group", unit.System(), []unit.Create{{Code: "B", Parent: "R", Type: "city", NameZH: "x", Groups: []string{"zzz"}}}, "[0].groups", fault.ErrInvalid},
			{"no name", unit.System(), []unit.Create{ok, {Code: "B", Parent: "R", Type: "city"}}, "[1].name_zh", fault.ErrInvalid},
			{"no parent", unit.System(), []unit.Create{{Code: "B", Type: "city", NameZH: "x"}}, "[0].parent", fault.ErrInvalid},
			{"parent outside write scope", unit.Access{Read: unit.Everything(), Write: unit.Subtrees("/R/C9/")},
				[]unit.Create{{Code: "B", Parent: "C9", Type: "county", NameZH: "x"}, {Code: "B3", Parent: "C8", Type: "county", NameZH: "y"}}, "[1].parent", fault.ErrInvalid},
		}
		for _, c := range cases {
			_, err := svc.CreateMany(ctx, c.a, c.in)
			if !errors.Is(err, c.kind) {
				t.Errorf("%s: want %v, got %v", c.name, c.kind, err)
				continue
			}
			fs := fault.FieldsOf(err)
			if len(fs) == 0 || fs[0].Field != c.field {
				t.Errorf("%s: want field %s, got %+v", c.name, c.field, fs)
			}
		}
		// nothing of a refused batch was written
		page, err := svc.List(ctx, unit.Everything(), unit.Filter{})
		if err != nil || page.Total != 3 {
			t.Fatalf("units after refused batches: %d (%v), want 3", page.Total, err)
		}
	})
}
