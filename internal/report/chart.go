package report

import (
	"slices"

	"kexie/internal/period"
)

// Chart kinds.
const (
	Bar  = "bar"  // child units, one bar each
	Pie  = "pie"  // child units' shares
	Line = "line" // the unit's figure over the last periods
)

// ChartPeriods is how many periods a line chart shows, ending with the
// report's.
const ChartPeriods = 6

// Chart is a chart of one metric: child units (bar, pie) or periods
// (line), each a figure.
type Chart struct {
	Kind   string   `json:"kind"`
	Title  string   `json:"title"`
	Labels []string `json:"labels"`
	Figs   []Fig    `json:"figures"`
}

// Table is the chart's data as a table (for Markdown and XLSX).
func (c *Chart) Table() *Table {
	head := []string{"", c.Title}
	t := &Table{Title: c.Title, Head: head}
	for i, l := range c.Labels {
		f := c.Figs[i]
		t.Rows = append(t.Rows, []Inline{{Text: l}, {Fig: &f}})
	}
	return t
}

// Values are the chart's numbers, missing ones as 0.
func (c *Chart) Values() []float64 {
	out := make([]float64, len(c.Figs))
	for i, f := range c.Figs {
		if f.Value != nil && *f.Value > 0 {
			out[i] = *f.Value
		}
	}
	return out
}

// chart is chart(kind, code, types...): bar and pie over the child units
// (of the types, if named), line over the unit's last periods.
func (ev *evaluator) chart(kind, code string, types ...string) (*Chart, error) {
	if kind != Bar && kind != Pie && kind != Line {
		return nil, ev.failed(&Error{Line: 1, Col: 1, Key: "report.error.chart_kind", Args: []any{"kind", kind}})
	}
	m, err := ev.metric(code)
	if err != nil {
		return nil, err
	}
	c := &Chart{Kind: kind, Title: m.NameZH}
	if ev.lang == "en" && m.NameEN != "" {
		c.Title = m.NameEN
	}
	mk := func(unitCode, periodID string, v *float64) Fig {
		return Fig{Metric: code, Unit: unitCode, Period: periodID, Value: v, Measure: m.Unit, Decimals: m.Decimals, Percent: m.Percent}
	}
	if kind == Line {
		ps := []period.Period{ev.period}
		for len(ps) < ChartPeriods {
			ps = append(ps, period.Previous(ps[len(ps)-1]))
		}
		slices.Reverse(ps)
		for _, p := range ps {
			v, err := ev.value(code, ev.unit.Code, p)
			if err != nil {
				return nil, err
			}
			c.Labels = append(c.Labels, period.Label(p, ev.lang))
			c.Figs = append(c.Figs, mk(ev.unit.Code, p.ID, v))
		}
		return c, nil
	}
	kids, err := ev.kids(types)
	if err != nil {
		return nil, err
	}
	b, err := ev.src.Metrics.ChildBreakdown(ev.ctx, code, ev.unit, kids, ev.period)
	if err != nil {
		return nil, ev.failed(err)
	}
	for i, k := range kids {
		c.Labels = append(c.Labels, unitName(k, ev.lang))
		c.Figs = append(c.Figs, mk(k.Code, ev.period.ID, b.Parts[i].Value))
	}
	return c, nil
}
