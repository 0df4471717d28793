package metric_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kexie/internal/app"
	"kexie/internal/demo"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// formulaWord finds the metrics a formula reads.
var formulaWord = regexp.MustCompile(`[a-z][a-z0-9_]*`)

func readsOf(d metric.Def) []string {
	switch {
	case d.Source != metric.FromFormula:
		return nil
	case d.Aggregation == metric.Ratio:
		return []string{d.Numerator, d.Denominator}
	}
	return formulaWord.FindAllString(d.Formula, -1)
}

// The shipped definitions decode, name built-in registers, read only
// built-in metrics defined before them, and give every figure of the
// review that a register holds.
func TestBuiltinDefs(t *testing.T) {
	defs, err := metric.BuiltinDefs()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := register.BuiltinSchemas()
	if err != nil {
		t.Fatal(err)
	}
	regs := map[string]bool{}
	for _, s := range schemas {
		regs[s.Code] = true
	}
	at := map[string]int{}
	for i, d := range defs {
		at[d.Code] = i
	}
	sources := map[metric.Source]int{}
	for i, d := range defs {
		sources[d.Source]++
		if d.NameEN == "" || d.DescriptionZH == "" || d.DescriptionEN == "" || d.Unit == "" {
			t.Errorf("%s: a built-in metric has both names, both descriptions and a unit", d.Code)
		}
		if d.Source == metric.FromRegister && !regs[d.Register] {
			t.Errorf("%s: no built-in register %s", d.Code, d.Register)
		}
		for _, dep := range readsOf(d) {
			j, ok := at[dep]
			if !ok {
				t.Errorf("%s reads %s, which is not a built-in metric", d.Code, dep)
			} else if j >= i {
				t.Errorf("%s reads %s, which comes after it", d.Code, dep)
			}
		}
	}
	t.Logf("%d built-in metrics: %v", len(defs), sources)
	for _, f := range demo.Figures() {
		switch {
		case f.Register == "" && f.Metric != "":
			t.Errorf("%s: no register holds it, yet metric %s gives it", f.Says, f.Metric)
		case f.Register != "" && f.Metric == "":
			t.Errorf("%s: held by %s, but no metric gives it", f.Says, f.Register)
		case f.Metric != "":
			if _, ok := at[f.Metric]; !ok {
				t.Errorf("%s: no built-in metric %s", f.Says, f.Metric)
			}
		}
	}
}

// TestBuiltinMetricsGiveTheReview loads the demo province and reads every
// figure of the review through its built-in metric, for the unit it is of
// and the first half of 2021; then every built-in metric against a count
// made directly from the records and units (see checkDirect); then the
// facts against a recomputation.
func TestBuiltinMetricsGiveTheReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Now()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: app with built-in metrics in %v", db.Dialect.Name, time.Since(start).Round(time.Millisecond))
		defs, err := metric.BuiltinDefs()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range defs {
			m, err := a.Metrics.Get(ctx, d.Code)
			if err != nil {
				t.Fatalf("built-in metric %s: %v", d.Code, err)
			}
			if !m.Builtin || m.Version != 1 {
				t.Errorf("%s: builtin %v, version %d", d.Code, m.Builtin, m.Version)
			}
		}
		start = time.Now()
		if _, err := demo.Load(ctx, a.Units, a.Auth, a.Registers); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: demo loaded in %v", db.Dialect.Name, time.Since(start).Round(time.Millisecond))

		for _, f := range demo.Figures() {
			if f.Metric == "" {
				t.Logf("%s %s: held by %s, not by a metric", f.Area, f.Says, f.Owner)
				continue
			}
			m, err := a.Metrics.Get(ctx, f.Metric)
			if err != nil {
				t.Fatal(err)
			}
			fig, err := a.Metrics.Value(ctx, unit.Everything(), f.Metric, f.Unit(), "2021S1")
			if err != nil {
				t.Errorf("%s %s: %v", f.Area, f.Says, err)
				continue
			}
			want := f.Want
			if f.MetricWant != "" {
				want = f.MetricWant
			}
			if fig.Value == nil {
				t.Errorf("%s %s: %s at %s has no value, want %s", f.Area, f.Says, f.Metric, f.Unit(), want)
				continue
			}
			got := int64(math.Round(*fig.Value * math.Pow10(m.Decimals)))
			ok, err := demo.Holds(got, m.Decimals, want, f.Words)
			if err != nil || !ok {
				t.Errorf("%s %s: %s at %s is %v, want %s %s (%v)", f.Area, f.Says, f.Metric, f.Unit(), *fig.Value, f.Words, want, err)
			}
		}

		start = time.Now()
		checked := checkDirect(t, a, defs)
		t.Logf("%s: %d figures read and counted directly in %v", db.Dialect.Name, checked, time.Since(start).Round(time.Millisecond))

		start = time.Now()
		diffs, err := a.Metrics.Verify(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(diffs) > 0 {
			t.Errorf("%d facts differ from a recomputation, first %+v", len(diffs), diffs[0])
		}
		t.Logf("%s: verified in %v", db.Dialect.Name, time.Since(start).Round(time.Millisecond))
	})
}

// direct computes built-in metrics straight from the demo's records and
// units, without facts, to compare with what the service reads.
type direct struct {
	defs    map[string]metric.Def
	regs    map[string]*register.Register
	records map[string][]*register.Record
	units   []unitAt // every demo unit, with its path
}

type unitAt struct{ path, typ string }

func newDirect(t *testing.T, a *app.App, defs []metric.Def) *direct {
	t.Helper()
	ctx := context.Background()
	d := &direct{defs: map[string]metric.Def{}, regs: map[string]*register.Register{}, records: map[string][]*register.Record{}}
	for _, def := range defs {
		d.defs[def.Code] = def
		if def.Source != metric.FromRegister || d.regs[def.Register] != nil {
			continue
		}
		err := a.Registers.EachRecord(ctx, unit.Everything(), def.Register, register.Filter{Sort: "id"}, func(reg *register.Register, r *register.Record) error {
			d.regs[def.Register] = reg
			d.records[def.Register] = append(d.records[def.Register], r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if d.regs[def.Register] == nil {
			t.Fatalf("register %s has no demo records", def.Register)
		}
	}
	page, err := a.Units.List(ctx, unit.Everything(), unit.Filter{PerPage: unit.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total > len(page.Items) {
		t.Fatalf("%d units, more than a page", page.Total)
	}
	for _, u := range page.Items {
		d.units = append(d.units, unitAt{u.Path, u.Type})
	}
	return d
}

// value is the metric's figure for the subtree at path over p; nil when
// the metric has no value there.
func (d *direct) value(t *testing.T, code, path string, p period.Period) *float64 {
	t.Helper()
	def := d.defs[code]
	num := func(v float64) *float64 { return &v }
	switch def.Source {
	case metric.FromFormula:
		if def.Aggregation == metric.Ratio {
			n, q := d.value(t, def.Numerator, path, p), d.value(t, def.Denominator, path, p)
			if n == nil || q == nil || *q == 0 {
				return nil
			}
			return num(*n / *q * 100)
		}
		// the built-in formulas are a metric in bytes over 10^12
		word, div, ok := strings.Cut(def.Formula, " / ")
		if !ok || div != "1000000000000" {
			t.Fatalf("%s: no direct computation of %q", code, def.Formula)
		}
		v := d.value(t, word, path, p)
		if v == nil {
			return num(0)
		}
		return num(*v / 1e12)
	case metric.FromUnits:
		n := 0
		for _, u := range d.units {
			if u.typ != def.UnitType || !strings.HasPrefix(u.path, path) {
				continue
			}
			if def.Having == "" || slices.ContainsFunc(d.units, func(h unitAt) bool {
				return h.typ == def.Having && h.path != u.path && strings.HasPrefix(h.path, u.path)
			}) {
				n++
			}
		}
		return num(float64(n))
	}
	reg := d.regs[def.Register]
	prog, err := reg.Schema.CompileFilter(def.Filter)
	if err != nil {
		t.Fatal(err)
	}
	var scale int
	if f, ok := reg.Schema.Field(def.Field); ok {
		scale = f.ScaleOf()
	}
	from := p.FromDate()
	if def.Aggregation == metric.Stock || def.Cumulative {
		from = ""
	}
	var sum, count int64
	seen := map[string]bool{}
	latest := map[string]*register.Record{} // a stock's series
	for _, r := range d.records[def.Register] {
		if !strings.HasPrefix(r.UnitPath, path) || r.Date < from || r.Date > p.ToDate() {
			continue
		}
		if ok, err := reg.Schema.Matches(prog, r.Values); err != nil || !ok {
			continue
		}
		switch {
		case def.Aggregation == metric.Distinct:
			v := r.Values[def.Field]
			if def.Field == metric.UnitField {
				v = r.Unit
			}
			switch x := v.(type) {
			case nil:
			case []string:
				for _, s := range x {
					seen[s] = true
				}
			default:
				seen[fmt.Sprint(x)] = true
			}
		case def.Aggregation == metric.Stock && def.Field != "":
			key := r.UnitPath
			for _, k := range reg.Schema.NaturalKey {
				if k != reg.Schema.DateField {
					key += "\x1f" + fmt.Sprint(r.Values[k])
				}
			}
			if old := latest[key]; old == nil || r.Date > old.Date || (r.Date == old.Date && r.ID > old.ID) {
				latest[key] = r
			}
		case def.Field == "":
			count++
		default:
			if n, ok := r.Values[def.Field].(int64); ok {
				sum += n
				count++
			}
		}
	}
	unscale := func(n int64) float64 { return float64(n) / math.Pow10(scale) }
	switch {
	case def.Aggregation == metric.Distinct:
		return num(float64(len(seen)))
	case def.Aggregation == metric.Stock && def.Field != "":
		for _, r := range latest {
			n, _ := r.Values[def.Field].(int64)
			sum += n
		}
		return num(unscale(sum))
	case def.Aggregation == metric.Average:
		if count == 0 {
			return nil
		}
		return num(unscale(sum) / float64(count))
	case def.Field == "":
		return num(float64(count))
	}
	return num(unscale(sum))
}

// checkDirect compares every built-in metric with the direct computation,
// for the province and each city over the first half of 2021, and for
// the province over the second half (the plan's targets) and over a range
// that is not made of whole months (distinct counts are then recounted
// from the records); it returns how many figures it compared.
func checkDirect(t *testing.T, a *app.App, defs []metric.Def) int {
	t.Helper()
	ctx := context.Background()
	d := newDirect(t, a, defs)
	where := []string{"320000"}
	cities, err := a.Units.List(ctx, unit.Everything(), unit.Filter{Type: "city"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cities.Items {
		where = append(where, c.Code)
	}
	if len(where) != 14 {
		t.Fatalf("%d cities", len(where)-1)
	}
	n := 0
	for _, ps := range []string{"2021S1", "2021S2", "2021-03-15..2021-09-20"} {
		p, err := period.Parse(ps)
		if err != nil {
			t.Fatal(err)
		}
		if ps != "2021S1" {
			where = where[:1] // the other periods for the province only
		}
		for _, code := range where {
			u, err := a.Units.Get(ctx, unit.Everything(), code)
			if err != nil {
				t.Fatal(err)
			}
			for _, def := range defs {
				fig, err := a.Metrics.Value(ctx, unit.Everything(), def.Code, code, ps)
				if err != nil {
					t.Fatalf("%s at %s over %s: %v", def.Code, code, ps, err)
				}
				want := d.value(t, def.Code, u.Path, p)
				n++
				switch {
				case want == nil && fig.Value == nil:
				case want == nil || fig.Value == nil:
					t.Errorf("%s at %s over %s: %v, directly %v", def.Code, code, ps, showValue(fig.Value), showValue(want))
				case math.Abs(*want-*fig.Value) > 1e-9*math.Max(1, math.Abs(*want)):
					t.Errorf("%s at %s over %s: %v, directly %v", def.Code, code, ps, *fig.Value, *want)
				}
			}
		}
	}
	return n
}

// A second start with nothing changed defines nothing; a stored built-in
// definition that differs from the shipped one (changed by hand, or by an
// older version) is defined again, once, and only it.
func TestEnsureBuiltinOnlyWhenChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		versions := func() map[string]int {
			ms, err := a.Metrics.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, m := range ms {
				out[m.Code] = m.Version
			}
			return out
		}
		before := versions()
		if len(before) < 90 {
			t.Fatalf("%d metrics after the start", len(before))
		}
		again, err := app.New(ctx, db) // a second start over the same database
		if err != nil {
			t.Fatal(err)
		}
		a = again
		if after := versions(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a second start defined metrics again: %v", after)
		}

		// someone changes a built-in metric through the API
		m, err := a.Metrics.Get(ctx, "volunteer_organisations")
		if err != nil {
			t.Fatal(err)
		}
		changed := m.Def
		changed.Filter = "kind == 'corps'"
		if _, err := a.Metrics.Define(ctx, changed); err != nil {
			t.Fatal(err)
		}
		if err := a.Metrics.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		a.Metrics.WaitBuilds() // the facts of the shipped definition again
		after := versions()
		for code, v := range after {
			want := before[code]
			if code == "volunteer_organisations" {
				want += 2 // the change, then the shipped definition again
			}
			if v != want {
				t.Errorf("%s: version %d, want %d", code, v, want)
			}
		}
		m, err = a.Metrics.Get(ctx, "volunteer_organisations")
		if err != nil {
			t.Fatal(err)
		}
		if m.Filter != "" || !m.Builtin {
			t.Errorf("after the start: filter %q, builtin %v", m.Filter, m.Builtin)
		}

		// a metric of the users' own is not built-in, and a start leaves it alone
		own := metric.Def{Code: "own_volunteers", NameZH: "自定义", Unit: "人", Aggregation: metric.Stock,
			Source: metric.FromRegister, Register: "volunteer_orgs", Field: "volunteers"}
		if _, err := a.Metrics.Define(ctx, own); err != nil {
			t.Fatal(err)
		}
		if err := a.Metrics.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		if m, err := a.Metrics.Get(ctx, "own_volunteers"); err != nil || m.Builtin || m.Version != 1 {
			t.Errorf("own metric: %+v, %v", m, err)
		}
	})
}

// A shipped definition this database refuses — it reads a field that a
// built-in register edited here lacks — is left out at the start with a
// warning, and so is a formula reading it; every other built-in metric is
// defined, the refused one keeps its stored definition, and the server
// starts.
func TestEnsureBuiltinLeavesOutWhatDoesNotFit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defs, err := metric.BuiltinDefs()
		if err != nil {
			t.Fatal(err)
		}
		// on a new database every shipped definition fits: none is left out
		for _, d := range defs {
			if _, err := a.Metrics.Get(ctx, d.Code); err != nil {
				t.Errorf("built-in metric %s left out at the start: %v", d.Code, err)
			}
		}
		before, err := a.Metrics.Get(ctx, "volunteer_organisations")
		if err != nil {
			t.Fatal(err)
		}
		for i := range defs {
			switch defs[i].Code {
			case "volunteer_organisations": // a shipped change reading a field this register lacks
				defs[i].Filter = "accredited == true"
			case "volunteer_trainees": // a shipped change that fits
				defs[i].NameEN += " (new)"
			}
		}
		missing := metric.Def{Code: "accredited_orgs", NameZH: "认证志愿组织", Unit: "个", Aggregation: metric.Flow,
			Source: metric.FromRegister, Register: "volunteer_orgs", Filter: "accredited == true"}
		reading := metric.Def{Code: "accredited_share", NameZH: "认证比例", Unit: "%", Aggregation: metric.Ratio,
			Source: metric.FromFormula, Numerator: "accredited_orgs", Denominator: "volunteer_organisations"}
		defs = append(defs, missing, reading)
		if err := a.Metrics.EnsureBuiltinDefs(ctx, defs); err != nil {
			t.Fatalf("the start failed: %v", err)
		}
		a.Metrics.WaitBuilds()
		after, err := a.Metrics.Get(ctx, "volunteer_organisations")
		if err != nil || after.Version != before.Version || after.Filter != before.Filter {
			t.Errorf("the refused metric changed: %+v, %v", after, err)
		}
		for _, code := range []string{"accredited_orgs", "accredited_share"} {
			if _, err := a.Metrics.Get(ctx, code); err == nil {
				t.Errorf("%s was defined", code)
			}
		}
		if m, err := a.Metrics.Get(ctx, "volunteer_trainees"); err != nil || !strings.HasSuffix(m.NameEN, " (new)") {
			t.Errorf("the change that fits was not applied: %+v, %v", m, err)
		}
	})
}
