package dashboard

import (
	"context"
	"slices"

	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/unit"
)

// Data is what one widget shows, read for a caller.
type Data struct {
	Index   int
	Widget  Widget
	Metrics []*metric.Metric // the widget's metric; a table's columns
	Unit    unit.Unit
	Period  period.Period
	// Figure and Previous are a figure widget's value and that of the
	// period before.
	Figure, Previous *metric.Figure
	// Parts are a bar's child units or a line's months.
	Parts []metric.Part
	// Rows are a table's child units, then the unit's own total.
	Rows []Row
	// Err says why the widget shows nothing (its unit has left the
	// caller's scope, its metric was removed).
	Err error
}

// Row is a line of a table widget: a unit and its value of each metric.
type Row struct {
	Key, NameZH, NameEN string
	Values              []*float64
	Total               bool
}

// Name is the row's name in lang.
func (r Row) Name(lang string) string {
	if lang == "en" && r.NameEN != "" {
		return r.NameEN
	}
	return r.NameZH
}

// renderer reads the widgets of one dashboard, reusing the child units
// and figures several widgets share.
type renderer struct {
	s     *Service
	c     Caller
	kids  map[[2]string][]unit.Unit
	units map[string]unit.Unit
}

// Render reads every widget of d for the caller. A widget that cannot be
// read carries its error; the others are still shown.
func (s *Service) Render(ctx context.Context, c Caller, d Dashboard) []Data {
	r := &renderer{s: s, c: c, kids: map[[2]string][]unit.Unit{}, units: map[string]unit.Unit{}}
	out := make([]Data, len(d.Widgets))
	// figures of one unit and period are read together, this period's and the previous
	type key struct{ unit, period string }
	figures := map[key][]int{}
	for i, w := range d.Widgets {
		out[i] = r.prepare(ctx, i, w, d.Unit)
		if out[i].Err == nil && w.Type == Figure {
			k := key{out[i].Unit.Code, out[i].Period.ID}
			figures[k] = append(figures[k], i)
		}
	}
	for k, idx := range figures {
		codes := make([]string, len(idx))
		for j, i := range idx {
			codes[j] = d.Widgets[i].Metric
		}
		prev := period.Previous(out[idx[0]].Period)
		now, err := s.metrics.Many(ctx, c.Read, codes, k.unit, k.period)
		before, err2 := s.metrics.Many(ctx, c.Read, codes, k.unit, prev.ID)
		for j, i := range idx {
			switch {
			case err != nil:
				out[i].Err = err
			case err2 != nil:
				out[i].Err = err2
			default:
				out[i].Figure, out[i].Previous = &now[j], &before[j]
			}
		}
	}
	// bars of one unit, child type and period are read together
	type barKey struct{ unit, typ, period string }
	bars := map[barKey][]int{}
	for i, w := range d.Widgets {
		if out[i].Err == nil && w.Type == Bar {
			k := barKey{out[i].Unit.Code, w.UnitType, out[i].Period.ID}
			bars[k] = append(bars[k], i)
		}
	}
	for k, idx := range bars {
		first := out[idx[0]]
		kids, err := r.children(ctx, first.Unit, k.typ)
		var bs []metric.Breakdown
		if err == nil {
			codes := make([]string, len(idx))
			for j, i := range idx {
				codes[j] = d.Widgets[i].Metric
			}
			bs, err = s.metrics.ChildBreakdowns(ctx, codes, first.Unit, kids, first.Period)
		}
		for j, i := range idx {
			if err != nil {
				out[i].Err = err
			} else {
				out[i].Parts = bs[j].Parts
			}
		}
	}
	for i, w := range d.Widgets {
		if out[i].Err == nil && (w.Type == Line || w.Type == Table) {
			out[i].Err = r.read(ctx, &out[i])
		}
	}
	return out
}

// prepare resolves a widget's metrics, unit and period.
func (r *renderer) prepare(ctx context.Context, i int, w Widget, root string) Data {
	d := Data{Index: i, Widget: w}
	codes := []string{w.Metric}
	if w.Type == Table {
		codes = append(codes, w.Metrics...)
	}
	for _, code := range codes {
		m, err := r.s.metrics.Get(ctx, code)
		if err != nil {
			d.Err = err
			return d
		}
		d.Metrics = append(d.Metrics, m)
	}
	code := w.Unit
	if code == "" {
		code = root
	}
	u, ok := r.units[code]
	if !ok {
		var err error
		if u, err = r.s.units.Get(ctx, r.c.Read, code); err != nil {
			d.Err = err
			return d
		}
		r.units[code] = u
	}
	d.Unit = u
	var err error
	if d.Period, err = metric.ParsePeriod(w.Period); err != nil {
		d.Err = err
	}
	return d
}

// read fills a line or table widget.
func (r *renderer) read(ctx context.Context, d *Data) error {
	switch d.Widget.Type {
	case Line:
		months := period.Months(d.Period)
		ids := make([]string, len(months))
		for i, m := range months {
			ids[i] = m.ID
		}
		b, err := r.s.metrics.ByPeriod(ctx, r.c.Read, d.Metrics[0].Code, d.Unit.Code, ids)
		d.Parts = b.Parts
		return err
	case Table:
		kids, err := r.children(ctx, d.Unit, d.Widget.UnitType)
		if err != nil {
			return err
		}
		codes := make([]string, len(d.Metrics))
		for i, m := range d.Metrics {
			codes[i] = m.Code
		}
		totals, err := r.s.metrics.Many(ctx, r.c.Read, codes, d.Unit.Code, d.Period.ID)
		if err != nil {
			return err
		}
		d.Rows = make([]Row, len(kids)+1)
		for i, k := range kids {
			d.Rows[i] = Row{Key: k.Code, NameZH: k.NameZH, NameEN: k.NameEN, Values: make([]*float64, len(codes))}
		}
		total := Row{Key: d.Unit.Code, NameZH: d.Unit.NameZH, NameEN: d.Unit.NameEN, Values: make([]*float64, len(codes)), Total: true}
		bs, err := r.s.metrics.ChildBreakdowns(ctx, codes, d.Unit, kids, d.Period)
		if err != nil {
			return err
		}
		for j, b := range bs {
			for i, p := range b.Parts {
				d.Rows[i].Values[j] = p.Value
			}
			total.Values[j] = totals[j].Value
		}
		d.Rows[len(kids)] = total
	}
	return nil
}

// children are the child units a bar or table shows: those of the
// widget's unit type, or of the first type (by the types' order) among
// the children when it names none.
func (r *renderer) children(ctx context.Context, u unit.Unit, typ string) ([]unit.Unit, error) {
	k := [2]string{u.Code, typ}
	if kids, ok := r.kids[k]; ok {
		return kids, nil
	}
	all, err := r.s.units.ChildrenOf(ctx, r.c.Read, u.Code)
	if err != nil {
		return nil, err
	}
	if typ == "" {
		if typ, err = r.s.MainChildType(ctx, all); err != nil {
			return nil, err
		}
	}
	var kids []unit.Unit
	for _, c := range all {
		if c.Type == typ {
			kids = append(kids, c)
		}
	}
	r.kids[k] = kids
	return kids, nil
}

// MainChildType is the type a breakdown by child units shows when none
// is chosen: the first, in the types' order, among kids (a province's
// cities before its societies; a city's counties).
func (s *Service) MainChildType(ctx context.Context, kids []unit.Unit) (string, error) {
	types, err := s.units.Types(ctx)
	if err != nil {
		return "", err
	}
	best, bestSort := "", 0
	for _, k := range kids {
		i := slices.IndexFunc(types, func(t unit.Type) bool { return t.Code == k.Type })
		sort := 1 << 30
		if i >= 0 {
			sort = types[i].Sort
		}
		if best == "" || sort < bestSort {
			best, bestSort = k.Type, sort
		}
	}
	return best, nil
}
