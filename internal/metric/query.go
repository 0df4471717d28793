package metric

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Reading figures in bulk: a metric broken down by child unit, by period
// and by category, and many metrics at once. Each breakdown of a metric
// kept in facts is one query over metric_facts grouped by unit, day or
// category, never a query per child: a dashboard of 50 figures by 13
// cities is 50 index range scans. Metrics that are recounted (distinct,
// min, max) or entered are read per part through Value's own path;
// ratios and formulas are computed per part from their components'
// breakdowns, at the level asked, never averaged.

// Part is one part of a breakdown: a child unit, a period or a category.
type Part struct {
	Key    string   `json:"key"`
	NameZH string   `json:"name_zh"`
	NameEN string   `json:"name_en"`
	Value  *float64 `json:"value"`
	Count  int64    `json:"count"`
}

// Name is the part's name in lang.
func (p Part) Name(lang string) string {
	if lang == "en" && p.NameEN != "" {
		return p.NameEN
	}
	return p.NameZH
}

// Breakdown is a metric's figure split into parts.
type Breakdown struct {
	Metric string `json:"metric"`
	Unit   string `json:"unit"`
	Period string `json:"period"`
	Parts  []Part `json:"parts"`
}

// china is the zone relative periods are resolved in.
var china = time.FixedZone("CST", 8*3600)

// ParsePeriod reads a period identifier, fixed (2021S1) or relative
// (THIS_HALF, resolved on today's date in China); a bad one is a
// validation error on the field "period".
func ParsePeriod(id string) (period.Period, error) {
	return parsePeriodAs("period", id)
}

func parsePeriodAs(field, id string) (period.Period, error) {
	p, err := period.ParseAt(id, time.Now().In(china))
	if err != nil {
		return period.Period{}, fault.InvalidField(field, "register.filter.period", "value", id)
	}
	return p, nil
}

// resolve finds the unit (in read), the period and the metric of a read,
// in the order Value checks them.
func (s *Service) resolve(ctx context.Context, read unit.Scope, code, unitCode, periodID string) (*Metric, unit.Unit, period.Period, error) {
	u, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return nil, unit.Unit{}, period.Period{}, err
	}
	p, err := ParsePeriod(periodID)
	if err != nil {
		return nil, unit.Unit{}, period.Period{}, err
	}
	m, err := s.Get(ctx, code)
	if err != nil {
		return nil, unit.Unit{}, period.Period{}, err
	}
	return m, u, p, nil
}

// fromFacts says whether a metric's figures over ps are plain sums of its
// facts (with a count), so a breakdown can read many parts in one query:
// a register's flows, averages and stocks, and entered values over
// whole entry periods (part of one has no figure, see entered.go).
func (m *Metric) fromFacts(ps ...period.Period) bool {
	switch {
	case m.Source == FromRegister:
		return m.Aggregation == Flow || m.Aggregation == Average || m.Aggregation == Stock
	case m.Source != FromEntered:
		return false
	}
	for _, p := range ps {
		if !wholePeriods(p, period.Kind(m.PeriodType)) {
			return false
		}
	}
	return true
}

// part is a value read for one part and the records behind it.
type part struct {
	v *float64
	n int64
}

// fromSums turns summed facts into a figure as Value does.
func (m *Metric) fromSums(val, cnt int64) part {
	v := float64(val) / math.Pow10(m.scale)
	if m.Aggregation == Average {
		if cnt == 0 {
			return part{}
		}
		v /= float64(cnt)
	}
	return part{v: &v, n: cnt}
}

// ByChildren breaks a metric down by the children of unitCode (open and
// closed, of the given unit types when any are named) over a period.
func (s *Service) ByChildren(ctx context.Context, read unit.Scope, code, unitCode, periodID string, types ...string) (Breakdown, error) {
	m, u, p, err := s.resolve(ctx, read, code, unitCode, periodID)
	if err != nil {
		return Breakdown{}, err
	}
	kids, err := s.children(ctx, read, u.Code, types)
	if err != nil {
		return Breakdown{}, err
	}
	return s.ChildBreakdown(ctx, m.Code, u, kids, p)
}

// Children lists the children of unitCode (which must lie in read), open
// and closed, in tree order, keeping only the given types when any are
// named.
func (s *Service) Children(ctx context.Context, read unit.Scope, unitCode string, types ...string) ([]unit.Unit, error) {
	if _, err := s.units.Get(ctx, read, unitCode); err != nil {
		return nil, err
	}
	return s.children(ctx, read, unitCode, types)
}

func (s *Service) children(ctx context.Context, read unit.Scope, unitCode string, types []string) ([]unit.Unit, error) {
	all, err := s.units.ChildrenOf(ctx, read, unitCode)
	if err != nil || len(types) == 0 {
		return all, err
	}
	out := all[:0:0]
	for _, k := range all {
		if slices.Contains(types, k.Type) {
			out = append(out, k)
		}
	}
	return out, nil
}

// childValues reads m for each of kids over p.
func (s *Service) childValues(ctx context.Context, m *Metric, kids []unit.Unit, p period.Period, depth int) ([]part, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("metric %s: formulas nest too deep", m.Code)
	}
	out := make([]part, len(kids))
	if len(kids) == 0 {
		return out, nil
	}
	switch {
	case m.fromFacts(p):
		ids := make([]int64, len(kids))
		for i, k := range kids {
			ids[i] = k.ID
		}
		sums, err := s.factSums(ctx, []*Metric{m}, ids, p)
		if err != nil {
			return nil, err
		}
		for i, k := range kids {
			sum := sums[[2]int64{m.ID, k.ID}]
			out[i] = m.fromSums(sum[0], sum[1])
		}
		return out, nil
	case m.Source == FromRegister && m.Aggregation == Distinct && monthAligned(p):
		ids := make([]int64, len(kids))
		for i, k := range kids {
			ids[i] = k.ID
		}
		counts, err := s.distinctCounts(ctx, m, ids, p)
		if err != nil {
			return nil, err
		}
		for i, k := range kids {
			v := float64(counts[k.ID])
			out[i] = part{v: &v}
		}
		return out, nil
	case m.Source == FromFormula:
		return s.combine(ctx, m, len(kids), func(dep *Metric) ([]part, error) {
			return s.childValues(ctx, dep, kids, p, depth+1)
		})
	}
	for i, k := range kids {
		v, n, err := s.value(ctx, m, k, p, depth)
		if err != nil {
			return nil, err
		}
		out[i] = part{v, n}
	}
	return out, nil
}

// sums runs a query of (key, SUM(val), SUM(cnt)) rows.
func (s *Service) sums(ctx context.Context, q string, args []any) (map[string][2]int64, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read facts: %w", err)
	}
	defer rows.Close()
	out := map[string][2]int64{}
	for rows.Next() {
		var key string
		var val, cnt sql.NullInt64
		if err := rows.Scan(&key, &val, &cnt); err != nil {
			return nil, err
		}
		out[key] = [2]int64{val.Int64, cnt.Int64}
	}
	return out, rows.Err()
}

// combine computes a ratio or formula for n parts from its components'
// values for the same parts, read by partsOf.
func (s *Service) combine(ctx context.Context, m *Metric, n int, partsOf func(dep *Metric) ([]part, error)) ([]part, error) {
	out := make([]part, n)
	if m.Aggregation == Ratio {
		num, err := s.componentParts(ctx, m.Numerator, partsOf)
		if err != nil {
			return nil, err
		}
		den, err := s.componentParts(ctx, m.Denominator, partsOf)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if num[i].v == nil || den[i].v == nil || *den[i].v == 0 {
				continue
			}
			v := *num[i].v / *den[i].v
			if m.Percent {
				v *= 100
			}
			out[i] = part{v: &v}
		}
		return out, nil
	}
	deps := map[string][]part{}
	for _, dep := range m.deps() {
		if _, err := s.Get(ctx, dep); err != nil {
			continue // a word of the formula that is not a metric
		}
		if _, done := deps[dep]; done {
			continue
		}
		ps, err := s.componentParts(ctx, dep, partsOf)
		if err != nil {
			return nil, err
		}
		deps[dep] = ps
	}
	prog, err := expr.Compile(m.Formula)
	if err != nil {
		return nil, fmt.Errorf("metric %s: %w", m.Code, err)
	}
	for i := range out {
		env := make(map[string]any, len(deps))
		for dep, ps := range deps {
			if ps[i].v == nil {
				env[dep] = 0.0
			} else {
				env[dep] = *ps[i].v
			}
		}
		res, err := expr.Run(prog, env)
		if err != nil {
			return nil, fmt.Errorf("metric %s: %w", m.Code, err)
		}
		var v float64
		switch x := res.(type) {
		case float64:
			v = x
		case int:
			v = float64(x)
		default:
			return nil, fmt.Errorf("metric %s: formula gives %T, not a number", m.Code, res)
		}
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[i] = part{v: &v}
		}
	}
	return out, nil
}

func (s *Service) componentParts(ctx context.Context, code string, partsOf func(dep *Metric) ([]part, error)) ([]part, error) {
	dep, err := s.Get(ctx, code)
	if err != nil {
		return nil, err
	}
	return partsOf(dep)
}

// MaxPeriods bounds the periods of one ByPeriod read.
const MaxPeriods = 120

// ByPeriod breaks a metric for unitCode's subtree down by periods (the
// months of a year, say). An empty list is refused, as is a bad period
// (on the field "periods").
func (s *Service) ByPeriod(ctx context.Context, read unit.Scope, code, unitCode string, periodIDs []string) (Breakdown, error) {
	u, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return Breakdown{}, err
	}
	if len(periodIDs) == 0 {
		return Breakdown{}, fault.InvalidField("periods", "error.required")
	}
	if len(periodIDs) > MaxPeriods {
		return Breakdown{}, fault.InvalidField("periods", "error.too_many", "max", MaxPeriods)
	}
	ps := make([]period.Period, len(periodIDs))
	for i, id := range periodIDs {
		if ps[i], err = parsePeriodAs("periods", id); err != nil {
			return Breakdown{}, err
		}
	}
	m, err := s.Get(ctx, code)
	if err != nil {
		return Breakdown{}, err
	}
	vals, err := s.periodValues(ctx, m, u, ps, 0)
	if err != nil {
		return Breakdown{}, err
	}
	out := Breakdown{Metric: m.Code, Unit: u.Code, Parts: make([]Part, len(ps))}
	for i, p := range ps {
		out.Parts[i] = Part{Key: p.ID, NameZH: period.Label(p, "zh-CN"), NameEN: period.Label(p, "en"), Value: vals[i].v, Count: vals[i].n}
	}
	return out, nil
}

// periodValues reads m for u's subtree over each of ps.
func (s *Service) periodValues(ctx context.Context, m *Metric, u unit.Unit, ps []period.Period, depth int) ([]part, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("metric %s: formulas nest too deep", m.Code)
	}
	out := make([]part, len(ps))
	if len(ps) == 0 {
		return out, nil
	}
	switch {
	case m.fromFacts(ps...):
		// the rows of every period's ranges, each read once
		ranges := make([][]keyRange, len(ps))
		var all []keyRange
		for i, p := range ps {
			ranges[i] = m.factRanges(p)
			all = append(all, ranges[i]...)
		}
		args := positional{d: s.db.Dialect}
		q := `SELECT day, SUM(val), SUM(cnt) FROM metric_facts WHERE metric_id = ` + args.add(m.ID) + ` AND fact_version = ` + args.add(m.FactVersion) +
			` AND unit_id = ` + args.add(u.ID) + ` AND cat = '' AND ` + rangeSQL(merged(all), args.add) + ` GROUP BY day`
		days, err := s.sums(ctx, q, args.vals)
		if err != nil {
			return nil, err
		}
		for i := range ps {
			var sum [2]int64
			for d, v := range days {
				if in(d, ranges[i]) {
					sum[0] += v[0]
					sum[1] += v[1]
				}
			}
			out[i] = m.fromSums(sum[0], sum[1])
		}
		return out, nil
	case m.Source == FromFormula:
		return s.combine(ctx, m, len(ps), func(dep *Metric) ([]part, error) {
			return s.periodValues(ctx, dep, u, ps, depth+1)
		})
	}
	for i, p := range ps {
		v, n, err := s.value(ctx, m, u, p, depth)
		if err != nil {
			return nil, err
		}
		out[i] = part{v, n}
	}
	return out, nil
}

// ByCategory breaks a metric down by its breakdown field's options over
// a period; every option is listed, in the field's order, those with no
// records at zero. Only flow and average metrics of a register with a
// breakdown field have categories.
func (s *Service) ByCategory(ctx context.Context, read unit.Scope, code, unitCode, periodID string) (Breakdown, error) {
	m, u, p, err := s.resolve(ctx, read, code, unitCode, periodID)
	if err != nil {
		return Breakdown{}, err
	}
	if m.Breakdown == "" || m.Source != FromRegister || (m.Aggregation != Flow && m.Aggregation != Average) {
		return Breakdown{}, fault.InvalidField("metric", "metrics.breakdown.none", "code", m.Code)
	}
	reg, err := s.regs.Get(ctx, m.Register)
	if err != nil {
		return Breakdown{}, err
	}
	f, _ := reg.Schema.Field(m.Breakdown)
	args := positional{d: s.db.Dialect}
	q := `SELECT cat, SUM(val), SUM(cnt) FROM metric_facts WHERE metric_id = ` + args.add(m.ID) + ` AND fact_version = ` + args.add(m.FactVersion) +
		` AND unit_id = ` + args.add(u.ID) + ` AND cat <> '' AND ` + rangeSQL(m.factRanges(p), args.add) + ` GROUP BY cat`
	cats, err := s.sums(ctx, q, args.vals)
	if err != nil {
		return Breakdown{}, err
	}
	var keys []string
	switch f.Type {
	case register.TypeBoolean:
		keys = []string{"true", "false"}
	default:
		for _, o := range f.Options {
			keys = append(keys, o.Code)
		}
	}
	for k := range cats { // a value of an option since removed
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	out := Breakdown{Metric: m.Code, Unit: u.Code, Period: p.ID, Parts: make([]Part, 0, len(keys))}
	for _, k := range keys {
		var label any = k
		if f.Type == register.TypeBoolean {
			label = k == "true"
		}
		sum := cats[k]
		v := m.fromSums(sum[0], sum[1])
		if m.Aggregation == Flow && v.v == nil {
			z := 0.0
			v.v = &z
		}
		out.Parts = append(out.Parts, Part{Key: k, NameZH: f.Format(label, "zh-CN"), NameEN: f.Format(label, "en"), Value: v.v, Count: v.n})
	}
	return out, nil
}

// MaxMany bounds the metrics of one Many read.
const MaxMany = 200

// Many reads several metrics for one unit's subtree and period; the
// metrics kept in facts are read together in one query.
func (s *Service) Many(ctx context.Context, read unit.Scope, codes []string, unitCode, periodID string) ([]Figure, error) {
	u, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return nil, err
	}
	p, err := ParsePeriod(periodID)
	if err != nil {
		return nil, err
	}
	if len(codes) == 0 {
		return nil, fault.InvalidField("metrics", "error.required")
	}
	if len(codes) > MaxMany {
		return nil, fault.InvalidField("metrics", "error.too_many", "max", MaxMany)
	}
	ms := make([]*Metric, len(codes))
	for i, c := range codes {
		if ms[i], err = s.Get(ctx, strings.TrimSpace(c)); err != nil {
			return nil, err
		}
	}
	out := make([]Figure, len(ms))
	sums, err := s.factSums(ctx, ms, []int64{u.ID}, p)
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		if m.fromFacts(p) {
			sum := sums[[2]int64{m.ID, u.ID}]
			v := m.fromSums(sum[0], sum[1])
			out[i] = Figure{Metric: m.Code, Unit: u.Code, Period: p.ID, Value: v.v, Count: v.n}
		}
	}
	for i, m := range ms {
		if m.fromFacts(p) {
			continue
		}
		v, n, err := s.value(ctx, m, u, p, 0)
		if err != nil {
			return nil, err
		}
		out[i] = Figure{Metric: m.Code, Unit: u.Code, Period: p.ID, Value: v, Count: n}
	}
	return out, nil
}

// ChildBreakdown is ByChildren over a parent and children already read
// (by Children, within the caller's scope), for pages and dashboards that
// break several metrics down by the same units.
func (s *Service) ChildBreakdown(ctx context.Context, code string, parent unit.Unit, kids []unit.Unit, p period.Period) (Breakdown, error) {
	m, err := s.Get(ctx, code)
	if err != nil {
		return Breakdown{}, err
	}
	vals, err := s.childValues(ctx, m, kids, p, 0)
	if err != nil {
		return Breakdown{}, err
	}
	out := Breakdown{Metric: m.Code, Unit: parent.Code, Period: p.ID, Parts: make([]Part, len(kids))}
	for i, k := range kids {
		out.Parts[i] = Part{Key: k.Code, NameZH: k.NameZH, NameEN: k.NameEN, Value: vals[i].v, Count: vals[i].n}
	}
	return out, nil
}

// factSums sums the facts (without category) of those of ms kept in
// facts, for each of the units over p (a stock's from the beginning), in
// one query. The key is (metric id, unit id).
func (s *Service) factSums(ctx context.Context, ms []*Metric, unitIDs []int64, p period.Period) (map[[2]int64][2]int64, error) {
	out := map[[2]int64][2]int64{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	// One statement of one index range scan per metric (an OR of the
	// metrics would leave the planners a scan of the whole table), with
	// positional placeholders each used once, in order: SQLite finds a
	// "$N" by a search of the statement's names, slow at hundreds.
	args := positional{d: s.db.Dialect}
	var parts []string
	seen := map[int64]bool{}
	// PostgreSQL plans "unit_id IN (…)" by estimating every listed id
	// against the column's statistics, once per metric: 70 ms for 20
	// metrics × 1,000 units, more than reading them. Many units are
	// listed once instead, as a table the metrics' reads join.
	var with strings.Builder
	joined := s.db.Dialect.Name == "postgres" && len(unitIDs) > 100
	if joined {
		with.WriteString(`WITH ids(id) AS (VALUES `)
		for i, id := range unitIDs {
			if i > 0 {
				with.WriteByte(',')
			}
			with.WriteString("(" + strconv.FormatInt(id, 10) + ")")
		}
		with.WriteString(`) `)
	}
	for _, m := range ms {
		if !m.fromFacts(p) || seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		// A builder, as += made the statement quadratic.
		var q strings.Builder
		if joined {
			q.WriteString(`SELECT metric_id, unit_id, SUM(val), SUM(cnt) FROM metric_facts JOIN ids ON unit_id = ids.id WHERE metric_id = ` + args.add(m.ID) +
				` AND fact_version = ` + args.add(m.FactVersion))
		} else {
			q.WriteString(`SELECT metric_id, unit_id, SUM(val), SUM(cnt) FROM metric_facts WHERE metric_id = ` + args.add(m.ID) +
				` AND fact_version = ` + args.add(m.FactVersion) + ` AND unit_id IN (`)
			writeIDs(&q, unitIDs)
			q.WriteString(`)`)
		}
		parts = append(parts, q.String()+` AND cat = '' AND `+rangeSQL(m.factRanges(p), args.add)+` GROUP BY metric_id, unit_id`)
	}
	if len(parts) == 0 {
		return out, nil
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, with.String()+strings.Join(parts, " UNION ALL "), args.vals...)
	if err != nil {
		return nil, fmt.Errorf("read facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k [2]int64
		var val, cnt sql.NullInt64
		if err := rows.Scan(&k[0], &k[1], &val, &cnt); err != nil {
			return nil, err
		}
		out[k] = [2]int64{val.Int64, cnt.Int64}
	}
	return out, rows.Err()
}

// distinctCounts counts, for each of the units, the distinct values of
// its subtree's records over p (whole months), in one statement. A month,
// quarter, half-year or year reads the counts kept per unit and part
// (metric_distinct); a longer or unaligned span of months counts the
// values with a positive count in the fewest parts that make it up
// (months.go), grouped by unit and value, then by unit: bounded by the
// values involved.
func (s *Service) distinctCounts(ctx context.Context, m *Metric, unitIDs []int64, p period.Period) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	args := positional{d: s.db.Dialect}
	var q strings.Builder
	keys := valueKeys(m.since(p)[:7], p.ToDate()[:7])
	if len(keys) == 1 {
		// a month, quarter, half-year or year: the counts kept with the
		// values, one row a unit
		q.WriteString(`SELECT unit_id, n FROM metric_distinct WHERE metric_id = ` + args.add(m.ID) +
			` AND fact_version = ` + args.add(m.FactVersion) + ` AND month = ` + args.add(keys[0]) + ` AND unit_id IN (`)
		writeIDs(&q, unitIDs)
		q.WriteString(`)`)
	} else {
		q.WriteString(`SELECT unit_id, COUNT(*) FROM (SELECT unit_id, value FROM metric_values WHERE metric_id = ` + args.add(m.ID) +
			` AND fact_version = ` + args.add(m.FactVersion) + ` AND unit_id IN (`)
		writeIDs(&q, unitIDs)
		q.WriteString(`) AND ` + keysSQL(keys, args.add) + ` GROUP BY unit_id, value HAVING SUM(cnt) > 0) v GROUP BY unit_id`)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q.String(), args.vals...)
	if err != nil {
		return nil, fmt.Errorf("read distinct values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// writeIDs writes unit ids as a list of literals: integers the database
// gave out, where thousands of parameters would cost PostgreSQL seconds
// to analyse and SQLite a search per binding.
func writeIDs(b *strings.Builder, ids []int64) {
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
}

// ChildBreakdowns breaks several metrics down by the same children over
// the same period (a dashboard's bars): the metrics kept in facts are
// read together, in one query.
func (s *Service) ChildBreakdowns(ctx context.Context, codes []string, parent unit.Unit, kids []unit.Unit, p period.Period) ([]Breakdown, error) {
	ms := make([]*Metric, len(codes))
	for i, c := range codes {
		m, err := s.Get(ctx, c)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	ids := make([]int64, len(kids))
	for i, k := range kids {
		ids[i] = k.ID
	}
	sums, err := s.factSums(ctx, ms, ids, p)
	if err != nil {
		return nil, err
	}
	out := make([]Breakdown, len(ms))
	for i, m := range ms {
		vals := make([]part, len(kids))
		if m.fromFacts(p) {
			for j, k := range kids {
				sum := sums[[2]int64{m.ID, k.ID}]
				vals[j] = m.fromSums(sum[0], sum[1])
			}
		} else if vals, err = s.childValues(ctx, m, kids, p, 0); err != nil {
			return nil, err
		}
		b := Breakdown{Metric: m.Code, Unit: parent.Code, Period: p.ID, Parts: make([]Part, len(kids))}
		for j, k := range kids {
			b.Parts[j] = Part{Key: k.Code, NameZH: k.NameZH, NameEN: k.NameEN, Value: vals[j].v, Count: vals[j].n}
		}
		out[i] = b
	}
	return out, nil
}

// positional collects the arguments of a statement whose placeholders
// are each used once, in the order of their arguments.
type positional struct {
	d    store.Dialect
	vals []any
}

func (a *positional) add(v any) string {
	a.vals = append(a.vals, v)
	return a.d.Param(len(a.vals))
}
