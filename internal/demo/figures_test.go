package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kexie/internal/app"
	"kexie/internal/demo"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// aggregate reads one figure from the records, in the field's stored units.
func aggregate(ctx context.Context, rs *register.Service, f demo.Figure) (got int64, scale int, err error) {
	kind, field, _ := cut(f.Agg)
	var latest *register.Record
	seen := map[string]bool{}
	err = rs.EachRecord(ctx, unit.Everything(), f.Register, f.Filter, func(reg *register.Register, r *register.Record) error {
		if field != "" && field != "unit" {
			fd, ok := reg.Schema.Field(field)
			if !ok {
				return fmt.Errorf("no field %s", field)
			}
			scale = fd.ScaleOf()
		}
		switch kind {
		case "count":
			got++
		case "sum":
			n, _ := r.Values[field].(int64)
			got += n
		case "distinct":
			v := fmt.Sprint(r.Values[field])
			if field == "unit" {
				v = r.Unit
			}
			if r.Values[field] != nil || field == "unit" {
				seen[v] = true
			}
		case "latest":
			if latest == nil || r.Date > latest.Date || (r.Date == latest.Date && r.ID > latest.ID) {
				latest = r
			}
		default:
			return fmt.Errorf("unknown aggregate %s", f.Agg)
		}
		return nil
	})
	switch kind {
	case "distinct":
		got = int64(len(seen))
	case "latest":
		if latest != nil {
			got, _ = latest.Values[field].(int64)
		}
	}
	return got, scale, err
}

func cut(agg string) (string, string, bool) {
	for i := range len(agg) {
		if agg[i] == ':' {
			return agg[:i], agg[i+1:], true
		}
	}
	return agg, "", false
}

func TestReviewFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res, err := demo.Load(ctx, a.Units, a.Auth, a.Registers)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		t.Logf("%s: demo loaded in %v: %d units, %d users, %d records", db.Dialect.Name, took.Round(time.Millisecond),
			res.UnitsCreated, res.UsersCreated, res.Records)
		if res.Records < 10_000 {
			t.Errorf("only %d records", res.Records)
		}
		for _, f := range demo.Figures() {
			if f.Register == "" {
				t.Logf("%s %s: held by %s, not by a register", f.Area, f.Says, f.Owner)
				continue
			}
			got, scale, err := aggregate(ctx, a.Registers, f)
			if err != nil {
				t.Errorf("%s %s: %v", f.Area, f.Says, err)
				continue
			}
			ok, err := demo.Holds(got, scale, f.Want, f.Words)
			if err != nil {
				t.Errorf("%s %s: %v", f.Area, f.Says, err)
			} else if !ok {
				t.Errorf("%s %s: %s of %s is %s, want %s %s", f.Area, f.Says, f.Agg, f.Register,
					register.FormatScaled(got, scale), f.Words, f.Want)
			}
		}
		regs, err := a.Registers.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, reg := range regs {
			_, page, err := a.Registers.ListRecords(ctx, unit.Everything(), reg.Code, register.Filter{PerPage: 1})
			if err != nil || page.Total == 0 {
				t.Errorf("register %s: %d demo records (%v)", reg.Code, page.Total, err)
			}
			t.Logf("%-24s %6d records", reg.Code, page.Total)
		}
		start = time.Now()
		again, err := demo.Load(ctx, a.Units, a.Auth, a.Registers)
		if err != nil {
			t.Fatal(err)
		}
		if again != (demo.Result{}) {
			t.Errorf("second load changed something: %+v", again)
		}
		t.Logf("%s: second load in %v", db.Dialect.Name, time.Since(start).Round(time.Millisecond))
	})
}

// Every register the figures name is a built-in one; a figure no register
// holds names the module that does.
func TestFiguresNameBuiltinRegisters(t *testing.T) {
	schemas, err := register.BuiltinSchemas()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, s := range schemas {
		known[s.Code] = true
	}
	for _, f := range demo.Figures() {
		if f.Register != "" && !known[f.Register] {
			t.Errorf("%s: no built-in register %s", f.Says, f.Register)
		}
		if f.Register == "" && f.Owner == "" {
			t.Errorf("%s: neither a register nor the module that holds it", f.Says)
		}
	}
}
