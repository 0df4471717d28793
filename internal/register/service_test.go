package register_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

func events() register.Schema {
	return register.Schema{Code: "test_events", NameZH: "测试活动", UnitTypes: []string{"city", "county"}, DateField: "held_on",
		NaturalKey: []string{"title", "held_on"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "held_on", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", Options: []register.Option{{Code: "online", NameZH: "线上"}, {Code: "offline", NameZH: "线下"}}},
			{Code: "participants", Type: register.TypeInteger, NameZH: "参与人次", Min: "0"},
			{Code: "budget", Type: register.TypeMoney, NameZH: "经费"},
			{Code: "contact", Type: register.TypeMobile, NameZH: "联系电话", Sensitive: true},
		}}
}

// jsonValues decodes values the way the API does (numbers kept exact).
func jsonValues(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func setup(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	sys := unit.System()
	for _, c := range []unit.Create{
		{Code: "320000", Type: "province", NameZH: "省"},
		{Code: "320100", Parent: "320000", Type: "city", NameZH: "南京"},
		{Code: "320102", Parent: "320100", Type: "county", NameZH: "玄武"},
		{Code: "320300", Parent: "320000", Type: "city", NameZH: "徐州"},
	} {
		if _, err := a.Units.Create(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Registers.Define(ctx, events(), register.Migration{}, false); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRecordsLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		nanjing := register.Access{Read: unit.Subtrees("/320000/320100/"), Enter: unit.Subtrees("/320000/320100/"), Approve: unit.Subtrees()}
		r, err := rs.Create(ctx, nanjing, "test_events", register.Input{Unit: "320102",
			Values: jsonValues(t, `{"title":"科技工作者日座谈","held_on":"2021/5/30","mode":"线下","participants":120,"budget":"1,500.50","contact":"13800138000"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if r.Date != "2021-05-30" || r.Values["budget"] != int64(150050) || r.Values["mode"] != "offline" {
			t.Fatalf("stored: %+v", r)
		}
		// the same natural key at the same unit is a conflict
		_, err = rs.Create(ctx, nanjing, "test_events", register.Input{Unit: "320102", Values: jsonValues(t, `{"title":"科技工作者日座谈","held_on":"2021-05-30"}`)})
		if !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("duplicate key: %v", err)
		}
		// every bad field is reported at once, nothing written
		_, err = rs.Create(ctx, nanjing, "test_events", register.Input{Unit: "320102", Values: jsonValues(t, `{"title":"","held_on":"2021-13-01","mode":"广播","participants":-3,"colour":"red"}`)})
		fields := map[string]string{}
		for _, f := range fault.FieldsOf(err) {
			fields[f.Field] = f.Key
		}
		if fields["title"] != "error.required" || fields["held_on"] != "register.value.date" || fields["mode"] != "register.value.option" ||
			fields["participants"] != "register.value.min" || fields["colour"] != "error.json.unknown_field" {
			t.Fatalf("validation: %v", fields)
		}
		// out of scope unit
		_, err = rs.Create(ctx, nanjing, "test_events", register.Input{Unit: "320300", Values: jsonValues(t, `{"title":"x","held_on":"2021-01-01"}`)})
		if f := fault.FieldsOf(err); len(f) != 1 || f[0].Field != "unit" {
			t.Fatalf("unit out of scope: %v", err)
		}
		xuzhou := register.Access{Read: unit.Subtrees("/320000/320300/"), Enter: unit.Subtrees("/320000/320300/")}
		if _, _, err := rs.GetRecord(ctx, xuzhou.Read, "test_events", r.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("other city reads: %v", err)
		}
		// list: filters, search, period
		_, page, err := rs.ListRecords(ctx, nanjing.Read, "test_events", register.Filter{Period: "2021S1", Q: "座谈",
			Conds: []register.Cond{{Field: "participants", Op: "gte", Value: "100"}, {Field: "mode", Op: "eq", Value: "线下"}}})
		if err != nil || page.Total != 1 {
			t.Fatalf("filtered list: %d %v", page.Total, err)
		}
		_, page, _ = rs.ListRecords(ctx, nanjing.Read, "test_events", register.Filter{Period: "2021S2"})
		if page.Total != 0 {
			t.Fatal("period filter")
		}
		_, page, _ = rs.ListRecords(ctx, xuzhou.Read, "test_events", register.Filter{})
		if page.Total != 0 {
			t.Fatal("list leaks across scope")
		}
		// workflow: submit locks, approve, withdraw, return, edit again
		if _, err := rs.SetStatus(ctx, nanjing, "test_events", r.ID, register.Submit, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := rs.Update(ctx, nanjing, "test_events", r.ID, register.Patch{Values: jsonValues(t, `{"participants":1}`)}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("submitted record changed: %v", err)
		}
		if _, err := rs.SetStatus(ctx, nanjing, "test_events", r.ID, register.Approve, ""); !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("data entry approved: %v", err)
		}
		province := register.System()
		if _, err := rs.SetStatus(ctx, province, "test_events", r.ID, register.Return, ""); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("return without reason: %v", err)
		}
		if _, err := rs.SetStatus(ctx, province, "test_events", r.ID, register.Approve, ""); err != nil {
			t.Fatal(err)
		}
		if err := rs.Delete(ctx, nanjing, "test_events", r.ID); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("approved record deleted: %v", err)
		}
		if _, err := rs.SetStatus(ctx, province, "test_events", r.ID, register.Withdraw, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := rs.SetStatus(ctx, province, "test_events", r.ID, register.Return, "人次有误"); err != nil {
			t.Fatal(err)
		}
		up, err := rs.Update(ctx, nanjing, "test_events", r.ID, register.Patch{Values: jsonValues(t, `{"participants":150,"contact":null}`)})
		if err != nil || up.Values["participants"] != int64(150) || up.Values["contact"] != nil || up.Version != 6 {
			t.Fatalf("update after return: %+v %v", up, err)
		}
	})
}

func TestSchemaChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		for i, mode := range []string{"online", "offline", "online"} {
			_, err := rs.Create(ctx, register.System(), "test_events", register.Input{Unit: "320100",
				Values: map[string]any{"title": "活动" + string(rune('A'+i)), "held_on": "2021-03-01", "mode": mode}})
			if err != nil {
				t.Fatal(err)
			}
		}
		next := events()
		next.Fields = append(next.Fields, register.Field{Code: "level", Type: register.TypeText, NameZH: "级别", Required: true})
		next.Fields[2].Options = next.Fields[2].Options[:1] // drop "offline", still used
		_, err := rs.Define(ctx, next, register.Migration{}, false)
		keys := map[string]bool{}
		for _, f := range fault.FieldsOf(err) {
			keys[f.Key] = true
		}
		if !keys["register.schema.required_new"] || !keys["register.schema.option_in_use"] {
			t.Fatalf("conflicts not reported: %v", err)
		}
		reg, _ := rs.Get(ctx, "test_events")
		if reg.Version != 1 {
			t.Fatalf("refused change applied: version %d", reg.Version)
		}
		reg, err = rs.Define(ctx, next, register.Migration{Fill: map[string]string{"level": "市级"},
			MapOptions: map[string]map[string]string{"mode": {"offline": "online"}}}, false)
		if err != nil || reg.Version != 2 {
			t.Fatalf("migrated change: %v", err)
		}
		_, page, _ := rs.ListRecords(ctx, unit.Everything(), "test_events", register.Filter{Conds: []register.Cond{{Field: "mode", Op: "eq", Value: "online"}, {Field: "level", Op: "eq", Value: "市级"}}})
		if page.Total != 3 {
			t.Fatalf("after migration %d records match", page.Total)
		}
		narrowed := next
		narrowed.Fields = append([]register.Field{}, next.Fields...)
		narrowed.Fields[3].Type = register.TypeText // integer → text is not a widening
		if _, err := rs.Define(ctx, narrowed, register.Migration{}, false); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("type change accepted: %v", err)
		}
	})
}
