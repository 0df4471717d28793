package metric

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/register"
)

// Entered metrics hold values typed into a data set's form, one per unit,
// period and category (package dataset stores them). Their facts are kept
// like a register's, in the transaction of every entry:
//
//   - An entered value is dated on the FIRST DAY of its period: 2021S2 on
//     2021-07-01, 202103 on 2021-03-01.
//   - A figure is read only for periods made of whole periods of the
//     metric's period type: a half-year metric reads for 2021S1, 2021 or
//     2021-01-01..2021-12-31, but not for 2021Q1 or 202103, which would
//     otherwise show a whole half-year as one quarter. Such a read has no
//     value ("—"), never a partial figure.
//   - Flow sums the values of the periods inside the read period; average
//     divides that sum by the number of values.
//   - Stock takes each unit's latest entered value on or before the end
//     of the read period, then sums over units. Facts hold the steps of
//     each unit's series (the difference from its previous entered value,
//     on the day of the new one), so the reading sums the steps up to the
//     period's end, as for a register's stock.
//   - With categories, a value is entered per category; the total (the
//     figure without a category) is their sum, per period.

// EnteredValue is one stored entered value, scaled like its metric.
type EnteredValue struct {
	UnitPath string
	Period   string
	Cat      string
	Val      int64
}

// EnteredSource reads the stored values of an entered metric: every
// unit's when unitPath is "", else only the unit at unitPath's own. The
// data set package provides it; reads run in the caller's transaction.
type EnteredSource interface {
	EnteredValues(ctx context.Context, metric, unitPath string) ([]EnteredValue, error)
}

// SetEnteredSource names where entered values are stored, so that
// stock steps, rebuilds and Verify can read them.
func (s *Service) SetEnteredSource(src EnteredSource) {
	s.mu.Lock()
	s.entered = src
	s.mu.Unlock()
}

func (s *Service) enteredSource() (EnteredSource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.entered == nil {
		return nil, fmt.Errorf("entered values: no source of entered values")
	}
	return s.entered, nil
}

// Reload reads the definitions again, after a transaction that defined
// metrics was rolled back by its caller.
func (s *Service) Reload(ctx context.Context) error { return s.load(ctx) }

// The types an entered value may have.
var enteredTypes = []register.FieldType{register.TypeInteger, register.TypeDecimal, register.TypeMoney, register.TypePercent}

// EnteredKinds are the period types a data set may collect.
var EnteredKinds = []period.Kind{period.Year, period.Half, period.Quarter, period.Month}

// MaxCategories bounds the categories of an entered metric.
const MaxCategories = 20

// EnteredField is the field an entered value is read and shown as.
func (d Def) EnteredField() register.Field {
	return register.Field{Code: d.Code, Type: register.FieldType(d.ValueType), Scale: d.Scale, NameZH: d.NameZH, NameEN: d.NameEN}
}

// HasCategory says whether cat is a category of the metric ("" when it
// has none).
func (d Def) HasCategory(cat string) bool {
	if len(d.Categories) == 0 {
		return cat == ""
	}
	return slices.ContainsFunc(d.Categories, func(o register.Option) bool { return o.Code == cat })
}

// CheckEntered validates the definition of an entered metric as Define
// does, so a data set can refuse a form before defining anything.
func (d Def) CheckEntered() error {
	if d.Source != FromEntered {
		return fault.InvalidField("source", "error.option", "value", string(d.Source))
	}
	return d.check(nil, func(string) (*Def, bool) { return nil, false })
}

func (d *Def) checkEntered(c *fault.Check) {
	switch d.Aggregation {
	case Flow, Stock, Average:
	default:
		c.Add("aggregation", "metric.entered.aggregation")
	}
	if !slices.Contains(enteredTypes, register.FieldType(d.ValueType)) {
		c.Add("value_type", "error.option", "value", d.ValueType)
	}
	if d.Scale < 0 || d.Scale > 6 {
		c.Add("scale", "register.field.scale", "max", 6)
	}
	if !slices.Contains(EnteredKinds, period.Kind(d.PeriodType)) {
		c.Add("period_type", "error.option", "value", d.PeriodType)
	}
	if len(d.Categories) > MaxCategories {
		c.Add("categories", "metric.breakdown.too_many", "max", MaxCategories)
	}
	seen := map[string]bool{}
	for i, o := range d.Categories {
		at := fmt.Sprintf("categories[%d]", i)
		switch {
		case !register.ValidCode(o.Code):
			c.Add(at+".code", "register.option.code_invalid", "code", o.Code)
		case seen[o.Code]:
			c.Add(at+".code", "register.option.duplicate", "code", o.Code)
		}
		seen[o.Code] = true
		if strings.TrimSpace(o.NameZH) == "" {
			c.Add(at+".name_zh", "error.required")
		} else if utf8.RuneCountInString(o.NameZH) > 100 {
			c.Add(at+".name_zh", "error.too_long", "max", 100)
		}
	}
}

// wholePeriods says whether p is made of whole periods of kind k, so an
// entered figure read for it is complete (see the comment at the top).
func wholePeriods(p period.Period, k period.Kind) bool {
	starts := func(t time.Time) bool {
		if t.Day() != 1 {
			return false
		}
		m := int(t.Month())
		switch k {
		case period.Year:
			return m == 1
		case period.Half:
			return m == 1 || m == 7
		case period.Quarter:
			return (m-1)%3 == 0
		case period.Month:
			return true
		}
		return false
	}
	return starts(p.From) && starts(p.To.AddDate(0, 0, 1))
}

// EnteredChanged keeps the facts of an entered metric current when the
// value of one unit, period and category changes from old to new (nil:
// no value). Call it inside the transaction of the write, after the
// stored value has changed: a stock's steps are recomputed from the
// unit's stored series.
func (s *Service) EnteredChanged(ctx context.Context, code, unitPath, periodID, cat string, old, new *int64) error {
	// an entered metric's build runs in one step: none is half done
	if err := s.current(ctx); err != nil {
		return err
	}
	m, err := s.Get(ctx, code)
	if err != nil {
		return err
	}
	if m.Source != FromEntered {
		return fmt.Errorf("metric %s is not entered: %w", code, fault.ErrInvalid)
	}
	p, err := period.Parse(periodID)
	if err != nil || string(p.Kind) != m.PeriodType {
		return fault.InvalidField("period", "metric.entered.period", "value", periodID)
	}
	if !m.HasCategory(cat) {
		return fault.InvalidField("category", "error.option", "value", cat)
	}
	if m.Aggregation == Stock {
		src, err := s.enteredSource()
		if err != nil {
			return err
		}
		now, err := src.EnteredValues(ctx, code, unitPath)
		if err != nil {
			return err
		}
		// the series before the write: now with this value put back
		then := make([]EnteredValue, 0, len(now)+1)
		for _, v := range now {
			if v.Period != p.ID || v.Cat != cat {
				then = append(then, v)
			}
		}
		if old != nil {
			then = append(then, EnteredValue{UnitPath: unitPath, Period: p.ID, Cat: cat, Val: *old})
		}
		return s.apply(ctx, m, unitPath, append(m.enteredDeltas(then, -1), m.enteredDeltas(now, 1)...))
	}
	var ds []delta
	day := p.FromDate()
	for _, side := range []struct {
		v    *int64
		sign int64
	}{{old, -1}, {new, 1}} {
		if side.v == nil {
			continue
		}
		ds = append(ds, delta{day: day, val: side.sign * *side.v, cnt: side.sign})
		if cat != "" {
			ds = append(ds, delta{day: day, cat: cat, val: side.sign * *side.v, cnt: side.sign})
		}
	}
	return s.apply(ctx, m, unitPath, ds)
}

// enteredDeltas are the facts one unit's values add to its subtree.
func (m *Metric) enteredDeltas(vals []EnteredValue, sign int64) []delta {
	type dated struct {
		day, cat string
		val      int64
	}
	rows := make([]dated, 0, len(vals))
	for _, v := range vals {
		p, err := period.Parse(v.Period)
		if err != nil {
			continue // not a period: never stored (the data set checks)
		}
		rows = append(rows, dated{p.FromDate(), v.Cat, v.Val})
	}
	var out []delta
	if m.Aggregation != Stock {
		for _, r := range rows {
			out = append(out, delta{day: r.day, val: sign * r.val, cnt: sign})
			if r.cat != "" {
				out = append(out, delta{day: r.day, cat: r.cat, val: sign * r.val, cnt: sign})
			}
		}
		return out
	}
	// stock: the steps of each category's series and of the total's,
	// the total of a period being the sum of its categories
	series := map[string]map[string]int64{} // cat → day → value
	add := func(cat, day string, v int64) {
		if series[cat] == nil {
			series[cat] = map[string]int64{}
		}
		series[cat][day] += v
	}
	for _, r := range rows {
		add("", r.day, r.val)
		if r.cat != "" {
			add(r.cat, r.day, r.val)
		}
	}
	cats := make([]string, 0, len(series))
	for c := range series {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		days := make([]string, 0, len(series[c]))
		for d := range series[c] {
			days = append(days, d)
		}
		sort.Strings(days)
		var prev int64
		for _, d := range days {
			if v := series[c][d]; v != prev {
				out = append(out, delta{day: d, cat: c, val: sign * (v - prev)})
				prev = v
			}
		}
	}
	return out
}

// computeEntered computes an entered metric's facts from the stored
// values, in memory: for rebuilds and Verify.
func (s *Service) computeEntered(ctx context.Context, m *Metric) (map[factKey][2]int64, error) {
	src, err := s.enteredSource()
	if err != nil {
		return nil, err
	}
	vals, err := src.EnteredValues(ctx, m.Code, "")
	if err != nil {
		return nil, fmt.Errorf("entered values of %s: %w", m.Code, err)
	}
	byPath := map[string][]EnteredValue{}
	for _, v := range vals {
		byPath[v.UnitPath] = append(byPath[v.UnitPath], v)
	}
	want := map[factKey][2]int64{}
	for path, vs := range byPath {
		ids, err := s.units.IDsOfPath(ctx, path)
		if err != nil {
			return nil, err
		}
		for _, d := range m.withSummaries(m.enteredDeltas(vs, 1)) {
			for _, id := range ids {
				k := factKey{id, d.day, d.cat}
				v := want[k]
				want[k] = [2]int64{v[0] + d.val, v[1] + d.cnt}
			}
		}
	}
	return want, nil
}
