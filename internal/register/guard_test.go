package register_test

import (
	"context"
	"errors"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// refuseRemoval is a guard that refuses removing the field it keeps.
type refuseRemoval struct {
	keep  string
	asked int
}

func (g *refuseRemoval) SchemaChanging(_ context.Context, old *register.Register, next *register.Schema) error {
	g.asked++
	if _, ok := old.Schema.Field(g.keep); !ok {
		return nil
	}
	if _, ok := next.Field(g.keep); !ok {
		return fault.InvalidField("fields", "metric.schema.field_removed", "field", g.keep, "metrics", "m (m)")
	}
	return nil
}

// TestSchemaGuard checks that Define asks its guards before a new
// version, not for a new register or an unchanged schema, and that a
// guard's refusal leaves the register as it was, on both databases.
func TestSchemaGuard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		g := &refuseRemoval{keep: "budget"}
		a.Registers.Guard(g)
		if _, err := a.Registers.Define(ctx, events(), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Registers.Define(ctx, events(), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		if g.asked != 0 {
			t.Fatalf("asked %d times for a new register and an unchanged one", g.asked)
		}
		next := events()
		next.Fields = next.Fields[:4] // budget and contact go
		_, err := a.Registers.Define(ctx, next, register.Migration{}, false)
		if !errors.Is(err, fault.ErrInvalid) || len(fault.FieldsOf(err)) != 1 || fault.FieldsOf(err)[0].Field != "fields" {
			t.Fatalf("removing budget: %v, want the guard's refusal", err)
		}
		if r, _ := a.Registers.Get(ctx, "test_events"); r.Version != 1 || len(r.Schema.Fields) != 6 {
			t.Fatalf("after the refusal: version %d, %d fields", r.Version, len(r.Schema.Fields))
		}
		next = events()
		next.Fields = append(next.Fields[:5:5], register.Field{Code: "venue", Type: register.TypeText, NameZH: "地点"}) // contact goes
		if r, err := a.Registers.Define(ctx, next, register.Migration{}, false); err != nil || r.Version != 2 {
			t.Fatalf("a change the guard allows: %+v %v", r, err)
		}
		if g.asked != 2 {
			t.Fatalf("asked %d times, want 2", g.asked)
		}
	})
}
