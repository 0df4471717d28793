package metric

import (
	"context"
	"fmt"
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
// values) and returns every difference from
// the maintained facts. It writes nothing.
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
		want, err := s.computeFacts(ctx, m)
		if err != nil {
			return nil, err
		}
		got := map[factKey][2]int64{}
		q := `SELECT unit_id, day, cat, val, cnt FROM metric_facts WHERE metric_id = $1 AND fact_version = $2`
		if m.Aggregation == Distinct {
			q = `SELECT unit_id, month, value, 0, cnt FROM metric_values WHERE metric_id = $1 AND fact_version = $2`
		}
		rows, err := s.db.Q(ctx).QueryContext(ctx, q, m.ID, m.FactVersion)
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
			diffs, err := s.verifyDistinct(ctx, m, want)
			if err != nil {
				return nil, err
			}
			out = append(out, diffs...)
		}
	}
	return out, nil
}

// DistinctCount marks, in a Difference, a unit's count of distinct values
// in a part (Day) rather than one value's count.
const DistinctCount = "(distinct count)"

// verifyDistinct compares the distinct counts kept per unit and part with
// the values that have a positive count in the recomputed facts.
func (s *Service) verifyDistinct(ctx context.Context, m *Metric, want map[factKey][2]int64) ([]Difference, error) {
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
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT unit_id, month, n FROM metric_distinct WHERE metric_id = $1 AND fact_version = $2`, m.ID, m.FactVersion)
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
