package unit_test

import (
	"context"
	"errors"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// tree builds root → A, B; A → A1 → A11; B → B1.
func tree(t *testing.T, db *store.DB) *unit.Service {
	t.Helper()
	ctx := context.Background()
	svc := unit.NewService(db, audit.New(db))
	if err := svc.EnsureBuiltinTypes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveGroup(ctx, unit.Group{Code: "pilot", NameZH: "试点"}); err != nil {
		t.Fatal(err)
	}
	sys := unit.System()
	for _, c := range []unit.Create{
		{Code: "R", Type: "province", NameZH: "省"},
		{Code: "A", Parent: "R", Type: "city", NameZH: "甲市", Groups: []string{"pilot"}},
		{Code: "B", Parent: "R", Type: "city", NameZH: "乙市"},
		{Code: "A1", Parent: "A", Type: "county", NameZH: "甲一县"},
		{Code: "A11", Parent: "A1", Type: "society", NameZH: "甲一学会"},
		{Code: "B1", Parent: "B", Type: "county", NameZH: "乙一县"},
	} {
		if _, err := svc.Create(ctx, sys, c); err != nil {
			t.Fatalf("create %s: %v", c.Code, err)
		}
	}
	return svc
}

func TestMoveRewritesSubtree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := tree(t, db)
		sys := unit.System()
		if _, err := svc.Move(ctx, sys, "A1", unit.Move{Parent: "B1"}); err != nil {
			t.Fatal(err)
		}
		u, err := svc.Get(ctx, sys.Read, "A11")
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/R/B/B1/A1/A11/" || u.Depth != 4 {
			t.Fatalf("descendant after move: %s depth %d", u.Path, u.Depth)
		}
		// the old parent's subtree no longer holds it; the new one does
		page, _ := svc.List(ctx, sys.Read, unit.Filter{Under: "A"})
		if page.Total != 0 {
			t.Fatalf("A still holds %d", page.Total)
		}
		page, _ = svc.List(ctx, sys.Read, unit.Filter{Under: "B"})
		if page.Total != 3 {
			t.Fatalf("B holds %d, want 3", page.Total)
		}
		// cycles are refused and change nothing
		_, err = svc.Move(ctx, sys, "B", unit.Move{Parent: "A11"})
		if f := fault.FieldsOf(err); len(f) != 1 || f[0].Key != "unit.move.cycle" {
			t.Fatalf("cycle: %v", err)
		}
		_, err = svc.Move(ctx, sys, "B", unit.Move{Parent: "B"})
		if !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("move under itself: %v", err)
		}
		if _, err := svc.Move(ctx, sys, "R", unit.Move{Parent: "A"}); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("root move: %v", err)
		}
	})
}

func TestScopeInEveryCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := tree(t, db)
		a := unit.Access{Read: unit.Subtrees("/R/A/"), Write: unit.Subtrees("/R/A/A1/")}
		if _, err := svc.Get(ctx, a.Read, "B"); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("out of scope get: %v", err)
		}
		if _, err := svc.Update(ctx, a, "B1", unit.Update{}); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("out of scope update: %v", err)
		}
		name := "改名"
		if _, err := svc.Update(ctx, a, "A", unit.Update{NameZH: &name}); !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("read-only update: %v", err)
		}
		if _, err := svc.Update(ctx, a, "A11", unit.Update{NameZH: &name}); err != nil {
			t.Fatalf("in-scope update: %v", err)
		}
		_, err := svc.Create(ctx, a, unit.Create{Code: "X", Parent: "B", Type: "county", NameZH: "越权"})
		if f := fault.FieldsOf(err); len(f) != 1 || f[0].Field != "parent" {
			t.Fatalf("create under out-of-scope parent: %v", err)
		}
		page, err := svc.List(ctx, a.Read, unit.Filter{PerPage: 100})
		if err != nil || page.Total != 3 {
			t.Fatalf("list in scope: %d %v", page.Total, err)
		}
		if page, _ := svc.List(ctx, a.Read, unit.Filter{Group: "pilot"}); page.Total != 1 || page.Items[0].Code != "A" {
			t.Fatalf("group filter: %+v", page)
		}
		if page, _ := svc.List(ctx, unit.Subtrees(), unit.Filter{}); page.Total != 0 {
			t.Fatalf("empty scope sees %d", page.Total)
		}
	})
}

func TestCloseKeepsHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := tree(t, db)
		sys := unit.System()
		if _, err := svc.Close(ctx, sys, "A1", unit.CloseReq{ClosedOn: "2021-06-30"}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("close with open child: %v", err)
		}
		if _, err := svc.Close(ctx, sys, "A11", unit.CloseReq{ClosedOn: "2021-06-30"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Close(ctx, sys, "A11", unit.CloseReq{ClosedOn: "2021-07-30"}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("close twice: %v", err)
		}
		page, _ := svc.List(ctx, sys.Read, unit.Filter{Under: "A"})
		if page.Total != 1 {
			t.Fatalf("closed unit listed by default: %d", page.Total)
		}
		page, _ = svc.List(ctx, sys.Read, unit.Filter{Under: "A", Closed: true})
		if page.Total != 2 {
			t.Fatalf("closed unit missing with closed=true: %d", page.Total)
		}
		if _, err := svc.Create(ctx, sys, unit.Create{Code: "Z", Parent: "A11", Type: "county", NameZH: "z"}); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("create under closed: %v", err)
		}
		if _, err := svc.Reopen(ctx, sys, "A11"); err != nil {
			t.Fatal(err)
		}
		entries, err := audit.New(db).List(ctx, func(col string, args *store.Args) string { return "1=1" }, audit.Filter{Entity: "unit", EntityID: "A11"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		if len(actions) != 3 || actions[0] != "reopen" || actions[1] != "close" || actions[2] != "create" {
			t.Fatalf("audit trail: %v", actions)
		}
		if entries[1].Before == nil || entries[1].After == nil {
			t.Fatal("close entry lacks before/after")
		}
	})
}
