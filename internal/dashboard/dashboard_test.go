package dashboard_test

import (
	"context"
	"errors"
	"testing"

	"kexie/internal/app"
	"kexie/internal/auth"
	"kexie/internal/dashboard"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// world is a province P with cities C1 and C2 (county K1 under C1), an
// events register with two metrics, and three users: one at the
// province, one in each city.
type world struct {
	a               *app.App
	prov, c1, c2    dashboard.Caller
	provID, city1ID int64
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []unit.Create{
		{Code: "P", Type: "province", NameZH: "省"},
		{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
		{Code: "C2", Parent: "P", Type: "city", NameZH: "二市"},
		{Code: "S1", Parent: "P", Type: "society", NameZH: "学会"},
		{Code: "K1", Parent: "C1", Type: "county", NameZH: "一县"},
	} {
		if _, err := a.Units.Create(ctx, unit.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	sc := register.Schema{Code: "events", NameZH: "活动", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "people", Type: register.TypeInteger, NameZH: "人次"},
		}}
	if _, err := a.Registers.Define(ctx, sc, register.Migration{}, false); err != nil {
		t.Fatal(err)
	}
	for _, d := range []metric.Def{
		{Code: "events", NameZH: "活动", Unit: "场", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events"},
		{Code: "people", NameZH: "人次", Unit: "人次", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "events", Field: "people"},
	} {
		if _, err := a.Metrics.Define(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range []string{"K1", "K1", "C1", "C2", "S1"} {
		if _, err := a.Registers.Create(ctx, register.System(), "events", register.Input{Unit: u, Values: map[string]any{
			"title": "活动" + string(rune('A'+i)), "day": "2021-0" + string(rune('1'+i)) + "-10", "people": "100"}}); err != nil {
			t.Fatal(err)
		}
	}
	w := world{a: a}
	for i, who := range []struct{ name, unit string }{{"prov", "P"}, {"city1", "C1"}, {"city2", "C2"}} {
		u, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: who.name, Password: "correct horse battery", Role: auth.RoleViewer, Unit: who.unit})
		if err != nil {
			t.Fatal(err)
		}
		uu, _ := a.Units.Get(ctx, unit.Everything(), who.unit)
		c := dashboard.Caller{UserID: u.ID, Read: unit.Subtrees(uu.Path)}
		switch i {
		case 0:
			w.prov, w.provID = c, u.ID
		case 1:
			w.c1, w.city1ID = c, u.ID
		default:
			w.c2 = c
		}
	}
	return w
}

func fieldsOf(err error) []string {
	var out []string
	for _, f := range fault.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}

func TestDashboards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		ds := w.a.Dashboards
		widgets := []dashboard.Widget{
			{Type: dashboard.Figure, Metric: "events", Period: "2021S1"},
			{Type: dashboard.Bar, Metric: "people", Period: "2021"},
			{Type: dashboard.Line, Metric: "events", Period: "2021S1", Unit: "C1"},
			{Type: dashboard.Table, Metric: "events", Metrics: []string{"people"}, Period: "THIS_YEAR"},
		}
		// the city user's dashboard, shared: seen in the city and at the province, not in the other city
		d, err := ds.Create(ctx, w.c1, dashboard.Create{Name: "一市看板", Unit: "C1", Shared: true, Widgets: widgets})
		if err != nil {
			t.Fatal(err)
		}
		if !d.Mine || d.Owner != "city1" || d.Unit != "C1" || len(d.Widgets) != 4 {
			t.Fatalf("created %+v", d)
		}
		if _, err := ds.Get(ctx, w.prov, d.ID); err != nil {
			t.Errorf("a shared dashboard within the province's scope: %v", err)
		}
		if _, err := ds.Get(ctx, w.c2, d.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another city sees it: %v", err)
		}
		// the province user's private one is its own
		p, err := ds.Create(ctx, w.prov, dashboard.Create{Name: "省看板", Unit: "P", Widgets: widgets[:2]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ds.Get(ctx, w.c1, p.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a private dashboard seen by another: %v", err)
		}
		list, _ := ds.List(ctx, w.prov)
		if len(list) != 2 {
			t.Errorf("the province lists %d dashboards, want 2", len(list))
		}
		list, _ = ds.List(ctx, w.c2)
		if len(list) != 0 {
			t.Errorf("the other city lists %d dashboards", len(list))
		}
		// only the owner changes or deletes; another who sees it is refused
		name := "改名"
		if _, err := ds.Update(ctx, w.prov, d.ID, dashboard.Update{Name: &name}); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("a non-owner changes: %v", err)
		}
		if err := ds.Delete(ctx, w.c2, d.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("an outsider deletes: %v", err)
		}
		v := 1
		if u, err := ds.Update(ctx, w.c1, d.ID, dashboard.Update{Name: &name, Version: &v}); err != nil || u.Name != name || u.Version != 2 {
			t.Errorf("the owner renames: %+v %v", u, err)
		}
		if _, err := ds.Update(ctx, w.c1, d.ID, dashboard.Update{Name: &name, Version: &v}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("a stale version: %v", err)
		}
		// a dashboard outside one's scope, or a widget outside the dashboard's unit, is refused
		_, err = ds.Create(ctx, w.c1, dashboard.Create{Name: "x", Unit: "C2"})
		if f := fieldsOf(err); len(f) != 1 || f[0] != "unit" {
			t.Errorf("a dashboard of another city: %v", err)
		}
		_, err = ds.Create(ctx, w.prov, dashboard.Create{Name: "", Unit: "C1", Widgets: []dashboard.Widget{
			{Type: "pie", Metric: "nope", Period: "2021S3", Unit: "C2"}}})
		if f := fieldsOf(err); len(f) != 5 {
			t.Errorf("bad widgets: %v", f)
		}
		// rendering: every widget has its data
		data := ds.Render(ctx, w.prov, d)
		for _, x := range data {
			if x.Err != nil {
				t.Fatalf("widget %d: %v", x.Index, x.Err)
			}
		}
		if v := data[0].Figure.Value; v == nil || *v != 3 { // K1, K1, C1 in the first half
			t.Errorf("figure: %v", data[0].Figure)
		}
		if len(data[1].Parts) != 1 || data[1].Parts[0].Key != "K1" || *data[1].Parts[0].Value != 200 {
			t.Errorf("bar by the city's counties: %+v", data[1].Parts)
		}
		if len(data[2].Parts) != 6 || *data[2].Parts[0].Value != 1 {
			t.Errorf("line over the months: %+v", data[2].Parts)
		}
		if rows := data[3].Rows; len(rows) != 2 || !rows[1].Total || len(rows[1].Values) != 2 {
			t.Errorf("table: %+v", rows)
		}
		// the province's bar shows its cities, not its society
		pd, _ := ds.Get(ctx, w.prov, p.ID)
		if bar := ds.Render(ctx, w.prov, pd)[1]; len(bar.Parts) != 2 || bar.Parts[0].Key != "C1" {
			t.Errorf("province bar: %+v %v", bar.Parts, bar.Err)
		}
		// a widget whose unit has left the reader's scope shows its error, the others still show
		if got := ds.Render(ctx, w.c2, d); got[0].Err == nil {
			t.Errorf("a widget out of scope rendered")
		}
		if err := ds.Delete(ctx, w.c1, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ds.Get(ctx, w.c1, d.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("deleted: %v", err)
		}
	})
}
