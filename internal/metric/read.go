package metric

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"

	"github.com/expr-lang/expr"

	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/unit"
)

var identRE = regexp.MustCompile(`[a-z][a-z0-9_]*`)

// deps lists the metrics a formula or ratio reads.
func (d Def) deps() []string {
	switch {
	case d.Source != FromFormula:
		return nil
	case d.Aggregation == Ratio:
		return []string{d.Numerator, d.Denominator}
	}
	return identRE.FindAllString(d.Formula, -1)
}

// Figure is a metric's value for a unit's subtree and a period.
type Figure struct {
	Metric string   `json:"metric"`
	Unit   string   `json:"unit"`
	Period string   `json:"period"`
	Value  *float64 `json:"value"` // nil: no data, or a division by zero
	Count  int64    `json:"count"` // records behind the figure, where counted
}

// Value reads a metric for the subtree of unitCode (which must lie in
// read) over a period.
func (s *Service) Value(ctx context.Context, read unit.Scope, code, unitCode, periodID string) (Figure, error) {
	u, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return Figure{}, err
	}
	p, err := period.Parse(periodID)
	if err != nil {
		return Figure{}, fault.InvalidField("period", "register.filter.period", "value", periodID)
	}
	m, err := s.Get(ctx, code)
	if err != nil {
		return Figure{}, err
	}
	v, n, err := s.value(ctx, m, u, p, 0)
	if err != nil {
		return Figure{}, err
	}
	return Figure{Metric: code, Unit: u.Code, Period: p.ID, Value: v, Count: n}, nil
}

// MaxDepth bounds how deep formulas may nest.
const MaxDepth = 20

func (s *Service) value(ctx context.Context, m *Metric, u unit.Unit, p period.Period, depth int) (*float64, int64, error) {
	if depth > MaxDepth {
		return nil, 0, fmt.Errorf("metric %s: formulas nest too deep", m.Code)
	}
	if m.Source == FromEntered && !wholePeriods(p, period.Kind(m.PeriodType)) {
		return nil, 0, nil // part of an entry period: no figure, see entered.go
	}
	unscale := func(v int64) float64 { return float64(v) / math.Pow10(m.scale) }
	switch {
	case m.Source == FromUnits:
		return s.unitCount(ctx, m, u, p)
	case m.Aggregation == Distinct && monthAligned(p):
		counts, err := s.distinctCounts(ctx, m, []int64{u.ID}, p)
		if err != nil {
			return nil, 0, err
		}
		v := float64(counts[u.ID])
		return &v, 0, nil
	case m.Aggregation == Distinct:
		return s.recount(ctx, m, u, p, unscale)
	case m.maintained():
		args := positional{d: s.db.Dialect}
		q := `SELECT SUM(val), SUM(cnt) FROM metric_facts WHERE metric_id = ` + args.add(m.ID) + ` AND fact_version = ` + args.add(m.FactVersion) +
			` AND unit_id = ` + args.add(u.ID) + ` AND cat = '' AND ` + rangeSQL(m.factRanges(p), args.add)
		var val, cnt sql.NullInt64
		if err := s.db.Q(ctx).QueryRowContext(ctx, q, args.vals...).Scan(&val, &cnt); err != nil {
			return nil, 0, err
		}
		switch m.Aggregation {
		case Average:
			if cnt.Int64 == 0 {
				return nil, 0, nil
			}
			v := unscale(val.Int64) / float64(cnt.Int64)
			return &v, cnt.Int64, nil
		}
		v := unscale(val.Int64)
		return &v, cnt.Int64, nil
	case m.Source == FromRegister:
		return s.recount(ctx, m, u, p, unscale)
	case m.Aggregation == Ratio:
		num, _, err := s.valueOf(ctx, m.Numerator, u, p, depth)
		if err != nil {
			return nil, 0, err
		}
		den, _, err := s.valueOf(ctx, m.Denominator, u, p, depth)
		if err != nil || num == nil || den == nil || *den == 0 {
			return nil, 0, err
		}
		v := *num / *den
		if m.Percent {
			v *= 100
		}
		return &v, 0, nil
	}
	env := map[string]any{}
	for _, dep := range m.deps() {
		if _, err := s.Get(ctx, dep); err != nil {
			continue // a word of the formula that is not a metric
		}
		v, _, err := s.valueOf(ctx, dep, u, p, depth)
		if err != nil {
			return nil, 0, err
		}
		if v == nil {
			env[dep] = 0.0
		} else {
			env[dep] = *v
		}
	}
	out, err := expr.Eval(m.Formula, env)
	if err != nil {
		return nil, 0, fmt.Errorf("metric %s: %w", m.Code, err)
	}
	var v float64
	switch x := out.(type) {
	case float64:
		v = x
	case int:
		v = float64(x)
	default:
		return nil, 0, fmt.Errorf("metric %s: formula gives %T, not a number", m.Code, out)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, 0, nil
	}
	return &v, 0, nil
}

func (s *Service) valueOf(ctx context.Context, code string, u unit.Unit, p period.Period, depth int) (*float64, int64, error) {
	m, err := s.Get(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	return s.value(ctx, m, u, p, depth+1)
}

// recount computes distinct counts, minima and maxima from the records of
// the subtree and period, which cannot be summed from the children.
func (s *Service) recount(ctx context.Context, m *Metric, u unit.Unit, p period.Period, unscale func(int64) float64) (*float64, int64, error) {
	seen := map[string]bool{}
	var best *int64
	var n int64
	err := s.regs.EachRecord(ctx, unit.Subtrees(u.Path), m.Register, register.Filter{Period: m.since(p) + ".." + p.ToDate(), Sort: "id"},
		func(reg *register.Register, r *register.Record) error {
			ok, err := reg.Schema.Matches(m.filter, r.Values)
			if err != nil || !ok {
				return err
			}
			v := m.fieldValue(r)
			if v == nil {
				return nil
			}
			n++
			switch m.Aggregation {
			case Distinct:
				for _, c := range categoriesOrValue(v) {
					seen[c] = true
				}
			case Min, Max:
				x, _ := v.(int64)
				if best == nil || (m.Aggregation == Min && x < *best) || (m.Aggregation == Max && x > *best) {
					best = &x
				}
			}
			return nil
		})
	if err != nil {
		return nil, 0, err
	}
	switch m.Aggregation {
	case Distinct:
		v := float64(len(seen))
		return &v, n, nil
	case Min, Max:
		if best == nil {
			return nil, 0, nil
		}
		v := unscale(*best)
		return &v, n, nil
	}
	return nil, 0, fmt.Errorf("metric %s: aggregation %s over records", m.Code, m.Aggregation)
}

func categoriesOrValue(v any) []string {
	if list, ok := v.([]string); ok {
		return list
	}
	return []string{fmt.Sprint(v)}
}

// monthAligned says whether a period is made of whole months, so a
// distinct count can read the monthly values instead of the records.
func monthAligned(p period.Period) bool {
	return p.From.Day() == 1 && p.To.AddDate(0, 0, 1).Day() == 1
}
