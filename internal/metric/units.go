package metric

import (
	"context"
	"slices"
	"strings"
	"time"

	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// FromUnits counts units rather than records: the units of a type (and,
// when named, of a group) in the subtree asked for, the unit itself
// included, that are open on the last day of the period. With Having,
// only those whose subtree holds an open unit of that type count (the
// cities with a rural technical association), so a coverage is a ratio
// of two such counts. Such a figure is a stock; it is read from the unit
// tree when asked, not kept in facts, so creating, moving or closing a
// unit changes it at once.
const FromUnits Source = "units"

// UnitField is the pseudo-field naming a record's unit: a distinct count
// over it counts the units that hold matching records (the societies
// covered by party members). No register field can be called so: it is
// one of the column names every register table has.
const UnitField = "unit_id"

// checkUnits validates the parts of a units definition that need no
// lookup; Define checks that the types and group exist.
func (d *Def) checkUnits(c *fault.Check) {
	if d.Aggregation != Stock {
		c.Add("aggregation", "metric.units.stock")
	}
	if strings.TrimSpace(d.UnitType) == "" {
		c.Add("unit_type", "error.required")
	}
}

// checkCumulative validates the cumulative flag: only a distinct count of
// a register's records reads everything up to the period's end (a count
// of records that stay, like staff, is a stock without a field).
func (d *Def) checkCumulative(c *fault.Check) {
	if d.Cumulative && (d.Source != FromRegister || d.Aggregation != Distinct) {
		c.Add("cumulative", "metric.cumulative.distinct")
	}
}

// checkUnitKinds refuses a units definition naming a unit type or group
// that does not exist (its figure would silently be zero).
func (s *Service) checkUnitKinds(ctx context.Context, d Def) error {
	if d.Source != FromUnits {
		return nil
	}
	types, err := s.units.Types(ctx)
	if err != nil {
		return err
	}
	known := func(code string) bool {
		return slices.ContainsFunc(types, func(t unit.Type) bool { return t.Code == code })
	}
	c := &fault.Check{}
	if !known(d.UnitType) {
		c.Add("unit_type", "metric.units.type_unknown", "code", d.UnitType)
	}
	if d.Having != "" && !known(d.Having) {
		c.Add("having", "metric.units.type_unknown", "code", d.Having)
	}
	if d.UnitGroup != "" {
		groups, err := s.units.Groups(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(groups, func(g unit.Group) bool { return g.Code == d.UnitGroup }) {
			c.Add("unit_group", "metric.units.group_unknown", "code", d.UnitGroup)
		}
	}
	return c.Err()
}

// unitCount reads a units metric for u's subtree at the end of p.
func (s *Service) unitCount(ctx context.Context, m *Metric, u unit.Unit, p period.Period) (*float64, int64, error) {
	day := p.ToDate()
	within := unit.Subtrees(u.Path)
	counted, err := s.units.OpenPaths(ctx, within, m.UnitType, m.UnitGroup, day)
	if err != nil {
		return nil, 0, err
	}
	if m.Having == "" {
		v := float64(len(counted))
		return &v, 0, nil
	}
	held, err := s.units.OpenPaths(ctx, within, m.Having, "", day)
	if err != nil {
		return nil, 0, err
	}
	// every proper ancestor of a held unit holds it
	holds := map[string]bool{}
	for _, h := range held {
		for i := 0; i < len(h)-1; i++ {
			if h[i] == '/' {
				holds[h[:i+1]] = true
			}
		}
	}
	n := 0
	for _, c := range counted {
		if holds[c] {
			n++
		}
	}
	v := float64(n)
	return &v, 0, nil
}

// fieldValue is the value of the metric's field in a record; the
// pseudo-field UnitField is the record's unit.
func (m *Metric) fieldValue(r *register.Record) any {
	if m.Field == UnitField {
		return r.Unit
	}
	return r.Values[m.Field]
}

// bySeries says whether a stock's facts are the steps of its series
// (the latest value of a field); a stock without a field counts its
// records dated up to the period's end, each adding one on its day like
// a flow's, so no series need be read.
func (m *Metric) bySeries() bool { return m.Aggregation == Stock && m.Field != "" }

// since is the first day of the records behind a figure of m over p: a
// stock or a cumulative count reads every record up to the period's end,
// a century back being the beginning of any register (and the longest
// range a register filter takes).
func (m *Metric) since(p period.Period) string {
	if m.Cumulative || m.Aggregation == Stock {
		return p.To.AddDate(-100, 0, 1).Format(time.DateOnly)
	}
	return p.FromDate()
}
