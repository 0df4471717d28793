package metric

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"kexie/internal/register"
	"kexie/internal/unit"
)

// Difference is a fact whose maintained value differs from a
// recomputation from the records.
type Difference struct {
	Metric string   `json:"metric"`
	UnitID int64    `json:"unit_id"`
	Day    string   `json:"day"`
	Cat    string   `json:"cat"`
	Stored [2]int64 `json:"stored"` // val, cnt
	Want   [2]int64 `json:"want"`
}

// Verify recomputes the facts of a metric (every maintained metric when
// code is "") from the raw records (an entered metric's from its stored
// values) and returns every difference from the maintained facts. It
// writes nothing.
//
// A register metric is verified a part of the tree at a time, so that
// memory holds one part's facts and not the whole province's: each unit
// just below a root with its subtree (a city), then the roots, whose
// facts gather the parts' records as they go (verifyParts).
func (s *Service) Verify(ctx context.Context, code string) ([]Difference, error) {
	ms, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Code < ms[j].Code })
	var out []Difference
	for _, m := range ms {
		if (code != "" && m.Code != code) || !m.maintained() {
			continue
		}
		var diffs []Difference
		if m.Source == FromEntered {
			want, err := s.computeEntered(ctx, m)
			if err != nil {
				return nil, err
			}
			diffs, err = s.compareFacts(ctx, m, want, "", nil)
			if err != nil {
				return nil, err
			}
		} else if diffs, err = s.verifyParts(ctx, m); err != nil {
			return nil, err
		}
		out = append(out, diffs...)
	}
	return out, nil
}

// verifyPart is a unit just below a root: its subtree is verified at once.
type verifyPart struct {
	code, path string
}

// verifyParts verifies a register metric's facts part by part: for each
// unit just below a root, the facts of its subtree from its subtree's
// records; then the roots' facts, from their own records and what every
// part added to them.
func (s *Service) verifyParts(ctx context.Context, m *Metric) ([]Difference, error) {
	var parts []verifyPart
	var roots []int64
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, code, path, depth FROM units WHERE depth <= 1 ORDER BY path`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var p verifyPart
		var depth int
		if err := rows.Scan(&id, &p.code, &p.path, &depth); err != nil {
			rows.Close()
			return nil, err
		}
		if depth == 0 {
			roots = append(roots, id)
		} else {
			parts = append(parts, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	isRoot := func(id int64) bool { return slices.Contains(roots, id) }
	top := map[factKey][2]int64{} // the roots' facts, gathered
	var out []Difference
	for _, p := range parts {
		want, err := s.recordFacts(ctx, m, register.Filter{Under: p.code, Sort: "id"})
		if err != nil {
			return nil, err
		}
		for k, v := range want {
			if isRoot(k.unit) {
				t := top[k]
				top[k] = [2]int64{t[0] + v[0], t[1] + v[1]}
				delete(want, k)
			}
		}
		from, to := unit.PathRange(p.path)
		diffs, err := s.compareFacts(ctx, m, want, `u.path >= $3 AND u.path < $4`, []any{from, to})
		if err != nil {
			return nil, err
		}
		out = append(out, diffs...)
	}
	for _, id := range roots {
		// the records of the root itself
		want, err := s.recordFacts(ctx, m, register.Filter{UnitIDAfter: id - 1, UnitIDTo: id, Sort: "id"})
		if err != nil {
			return nil, err
		}
		for k, v := range want {
			t := top[k]
			top[k] = [2]int64{t[0] + v[0], t[1] + v[1]}
		}
	}
	diffs, err := s.compareFacts(ctx, m, top, `u.depth = 0`, nil)
	if err != nil {
		return nil, err
	}
	return append(out, diffs...), nil
}

// compareFacts returns the differences between want and the metric's
// stored facts of the units meeting cond (a condition on units u, its
// arguments $3 … in args; "" for every unit).
func (s *Service) compareFacts(ctx context.Context, m *Metric, want map[factKey][2]int64, cond string, args []any) ([]Difference, error) {
	if cond == "" {
		cond = "1=1"
	}
	args = append([]any{m.ID, m.FactVersion}, args...)
	got := map[factKey][2]int64{}
	q := `SELECT f.unit_id, f.day, f.cat, f.val, f.cnt FROM metric_facts f JOIN units u ON u.id = f.unit_id
		WHERE f.metric_id = $1 AND f.fact_version = $2 AND ` + cond
	if m.Aggregation == Distinct {
		q = `SELECT f.unit_id, f.month, f.value, 0, f.cnt FROM metric_values f JOIN units u ON u.id = f.unit_id
		WHERE f.metric_id = $1 AND f.fact_version = $2 AND ` + cond
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k factKey
		var v [2]int64
		if err := rows.Scan(&k.unit, &k.day, &k.cat, &v[0], &v[1]); err != nil {
			rows.Close()
			return nil, err
		}
		if v != [2]int64{} {
			got[k] = v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Difference
	for k, w := range want {
		if w != [2]int64{} && got[k] != w {
			out = append(out, Difference{Metric: m.Code, UnitID: k.unit, Day: k.day, Cat: k.cat, Stored: got[k], Want: w})
		}
	}
	for k, g := range got {
		if w := want[k]; w == [2]int64{} {
			out = append(out, Difference{Metric: m.Code, UnitID: k.unit, Day: k.day, Cat: k.cat, Stored: g})
		}
	}
	if m.Aggregation == Distinct {
		diffs, err := s.verifyDistinct(ctx, m, want, cond, args)
		if err != nil {
			return nil, err
		}
		out = append(out, diffs...)
	}
	return out, nil
}

// DistinctCount marks, in a Difference, a unit's count of distinct values
// in a part (Day) rather than one value's count.
const DistinctCount = "(distinct count)"

// verifyDistinct compares the distinct counts kept per unit and part of
// the units meeting cond (as compareFacts, args with the metric's first)
// with the values that have a positive count in the recomputed facts.
func (s *Service) verifyDistinct(ctx context.Context, m *Metric, want map[factKey][2]int64, cond string, args []any) ([]Difference, error) {
	type key struct {
		unit  int64
		month string
	}
	wantN := map[key]int64{}
	for k, v := range want {
		if v[1] > 0 {
			wantN[key{k.unit, k.day}]++
		}
	}
	gotN := map[key]int64{}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT f.unit_id, f.month, f.n FROM metric_distinct f JOIN units u ON u.id = f.unit_id
		WHERE f.metric_id = $1 AND f.fact_version = $2 AND `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var n int64
		if err := rows.Scan(&k.unit, &k.month, &n); err != nil {
			return nil, err
		}
		if n != 0 {
			gotN[k] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Difference
	for k, w := range wantN {
		if gotN[k] != w {
			out = append(out, Difference{Metric: m.Code, UnitID: k.unit, Day: k.month, Cat: DistinctCount, Stored: [2]int64{0, gotN[k]}, Want: [2]int64{0, w}})
		}
	}
	for k, g := range gotN {
		if _, ok := wantN[k]; !ok {
			out = append(out, Difference{Metric: m.Code, UnitID: k.unit, Day: k.month, Cat: DistinctCount, Stored: [2]int64{0, g}})
		}
	}
	return out, nil
}

type factKey struct {
	unit     int64
	day, cat string
}

// computeFacts computes a metric's facts from scratch, in memory.
func (s *Service) computeFacts(ctx context.Context, m *Metric) (map[factKey][2]int64, error) {
	if m.Source == FromEntered {
		return s.computeEntered(ctx, m)
	}
	return s.recordFacts(ctx, m, register.Filter{Sort: "id"})
}

// recordFacts computes the facts of the records f selects, in memory.
func (s *Service) recordFacts(ctx context.Context, m *Metric, f register.Filter) (map[factKey][2]int64, error) {
	want := map[factKey][2]int64{}
	byPath := map[string][]delta{}
	series := map[string][]*register.Record{}
	var reg *register.Register
	// gather first, resolve units after: a transaction's connection runs
	// one statement at a time on PostgreSQL
	err := s.regs.EachRecord(ctx, unit.Everything(), m.Register, f, func(rg *register.Register, r *register.Record) error {
		reg = rg
		if m.bySeries() {
			k := seriesKey(rg, r)
			series[k] = append(series[k], r)
			return nil
		}
		ds, err := m.contributions(rg, r, 1)
		byPath[r.UnitPath] = append(byPath[r.UnitPath], ds...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", m.Code, err)
	}
	add := func(path string, ds []delta) error {
		ids, err := s.units.IDsOfPath(ctx, path)
		if err != nil {
			return err
		}
		for _, id := range ids {
			for _, d := range m.withSummaries(ds) {
				k := factKey{id, d.day, d.cat}
				v := want[k]
				want[k] = [2]int64{v[0] + d.val, v[1] + d.cnt}
			}
		}
		return nil
	}
	for path, ds := range byPath {
		if err := add(path, ds); err != nil {
			return nil, err
		}
	}
	for _, recs := range series {
		st, err := m.steps(reg, recs, 1)
		if err != nil {
			return nil, err
		}
		if err := add(recs[0].UnitPath, st); err != nil {
			return nil, err
		}
	}
	return want, nil
}
