package metric

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// delta is a change of one fact row.
type delta struct {
	day, cat string
	val, cnt int64
}

// contributions is what one record adds to a flow or average metric: its
// value (or 1 when counting) on its day, in total and in its category.
func (m *Metric) contributions(reg *register.Register, r *register.Record, sign int64) ([]delta, error) {
	if r == nil {
		return nil, nil
	}
	ok, err := reg.Schema.Matches(m.filter, r.Values)
	if err != nil || !ok {
		return nil, err
	}
	if m.Aggregation == Distinct {
		v := m.fieldValue(r)
		if v == nil {
			return nil, nil
		}
		var out []delta
		for _, x := range categoriesOrValue(v) {
			out = append(out, delta{day: r.Date[:7], cat: x, cnt: sign})
		}
		return out, nil
	}
	val := int64(1)
	if m.Field != "" {
		n, isNum := r.Values[m.Field].(int64)
		if !isNum {
			if m.Aggregation == Average {
				return nil, nil // an empty value is not averaged in
			}
			n = 0
		}
		val = n
	}
	out := []delta{{day: r.Date, val: sign * val, cnt: sign}}
	for _, cat := range categories(r.Values[m.Breakdown]) {
		out = append(out, delta{day: r.Date, cat: cat, val: sign * val, cnt: sign})
	}
	return out, nil
}

func categories(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case bool:
		return []string{fmt.Sprint(x)}
	}
	return nil
}

// apply adds deltas to the facts of the unit at path and every ancestor.
// The changes gather in a buffer of the transaction and are written,
// merged, in a few multi-row statements just before it commits: a batch
// import touches each fact row once, not once per record.
func (s *Service) apply(ctx context.Context, m *Metric, path string, ds []delta) error {
	if len(ds) == 0 {
		return nil
	}
	ds = m.withSummaries(ds)
	ids, err := s.units.IDsOfPath(ctx, path)
	if err != nil {
		return err
	}
	buf, ok := s.db.TxLocal(ctx, bufferKey{s}, func() any { return factBuffer{} }).(factBuffer)
	if !ok {
		return fmt.Errorf("metric %s: facts change outside a transaction", m.Code)
	}
	if err := s.db.BeforeCommit(ctx, bufferKey{s}, s.flush); err != nil {
		return err
	}
	for _, id := range ids {
		for _, d := range ds {
			k := bufferedFact{metric: m, unit: id, day: d.day, cat: d.cat}
			v := buf[k]
			buf[k] = [2]int64{v[0] + d.val, v[1] + d.cnt}
		}
	}
	return nil
}

// bufferKey names this service's fact buffer in a transaction.
type bufferKey struct{ s *Service }

// bufferedFact is one fact row a transaction changes.
type bufferedFact struct {
	metric   *Metric
	unit     int64
	day, cat string
}

// factBuffer holds the changes (val, cnt) a transaction makes to facts.
type factBuffer map[bufferedFact][2]int64

// flush writes the buffered changes of the transaction in ctx and empties
// the buffer; it runs before commit, and before anything that reads facts
// inside the transaction (a unit move).
func (s *Service) flush(ctx context.Context) error {
	buf, _ := s.db.TxLocal(ctx, bufferKey{s}, func() any { return factBuffer{} }).(factBuffer)
	if len(buf) == 0 {
		return nil
	}
	keys := make([]bufferedFact, 0, len(buf))
	for k, v := range buf {
		if v != [2]int64{} {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.metric.ID != b.metric.ID {
			return a.metric.ID < b.metric.ID
		}
		if a.unit != b.unit {
			return a.unit < b.unit
		}
		if a.day != b.day {
			return a.day < b.day
		}
		return a.cat < b.cat
	})
	for start := 0; start < len(keys); {
		// one statement per table and at most 300 rows
		table := keys[start].metric.table()
		end := start
		for end < len(keys) && end-start < 300 && keys[end].metric.table() == table {
			end++
		}
		if err := s.upsertRows(ctx, table, keys[start:end], buf); err != nil {
			return err
		}
		start = end
	}
	clear(buf)
	return nil
}

// upsertRows adds the buffered changes of rows to one fact table.
func (s *Service) upsertRows(ctx context.Context, table string, rows []bufferedFact, buf factBuffer) error {
	if table == "metric_values" {
		vs := make([]valueRow, len(rows))
		for i, k := range rows {
			vs[i] = valueRow{metric: k.metric.ID, version: k.metric.FactVersion, unit: k.unit, month: k.day, value: k.cat, cnt: buf[k][1]}
		}
		return s.addValues(ctx, vs)
	}
	var b strings.Builder
	const width = 7
	b.WriteString(`INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt) VALUES `)
	args := make([]any, 0, len(rows)*width)
	for i, k := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		writeParams(&b, s.db.Dialect, len(args), width)
		v := buf[k]
		args = append(args, k.metric.factArgs(k.unit, &delta{day: k.day, cat: k.cat, val: v[0], cnt: v[1]})...)
	}
	b.WriteString(` ON CONFLICT (metric_id, fact_version, unit_id, day, cat) DO UPDATE SET val = metric_facts.val + excluded.val, cnt = metric_facts.cnt + excluded.cnt`)
	if _, err := s.db.Q(ctx).ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("write metric facts: %w", err)
	}
	return nil
}

// writeParams writes "($n+1, …, $n+width)".
func writeParams(b *strings.Builder, d store.Dialect, n, width int) {
	b.WriteByte('(')
	for j := range width {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d.Param(n + j + 1))
	}
	b.WriteByte(')')
}

// valueRow is a change to how many records of a unit's subtree carry a
// value of a distinct-count metric in a month or a longer part.
type valueRow struct {
	metric       int64
	version      int
	unit         int64
	month, value string
	cnt          int64
}

// less orders rows as every writer writes them, so that two transactions
// take the rows' locks in the same order.
func (r valueRow) less(o valueRow) bool {
	if r.metric != o.metric || r.version != o.version {
		return r.metric < o.metric || r.metric == o.metric && r.version < o.version
	}
	if r.unit != o.unit {
		return r.unit < o.unit
	}
	if r.month != o.month {
		return r.month < o.month
	}
	return r.value < o.value
}

// distinctKey is a unit's distinct count in one part (metric_distinct).
type distinctKey struct {
	metric  int64
	version int
	unit    int64
	month   string
}

// addValues adds changes to metric_values, at most 300 rows a statement,
// and keeps metric_distinct with them: each statement returns the rows'
// new counts, and a value whose count went from zero to positive adds one
// to its unit's distinct count in that part, one that went back to zero
// takes one away. Each row must appear once in rows.
func (s *Service) addValues(ctx context.Context, rows []valueRow) error {
	counts := map[distinctKey]int64{}
	for start := 0; start < len(rows); start += 300 {
		part := rows[start:min(start+300, len(rows))]
		var b strings.Builder
		b.WriteString(`INSERT INTO metric_values(metric_id, fact_version, unit_id, month, value, cnt) VALUES `)
		args := make([]any, 0, len(part)*6)
		changes := make(map[valueRow]int64, len(part))
		for i, r := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			writeParams(&b, s.db.Dialect, len(args), 6)
			args = append(args, r.metric, r.version, r.unit, r.month, r.value, r.cnt)
			key := r
			key.cnt = 0
			changes[key] += r.cnt
		}
		b.WriteString(` ON CONFLICT (metric_id, fact_version, unit_id, month, value) DO UPDATE SET cnt = metric_values.cnt + excluded.cnt
			RETURNING metric_id, fact_version, unit_id, month, value, cnt`)
		res, err := s.db.Q(ctx).QueryContext(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("write metric values: %w", err)
		}
		for res.Next() {
			var r valueRow
			if err := res.Scan(&r.metric, &r.version, &r.unit, &r.month, &r.value, &r.cnt); err != nil {
				res.Close()
				return fmt.Errorf("write metric values: %w", err)
			}
			now := r.cnt
			r.cnt = 0
			was := now - changes[r]
			switch {
			case was <= 0 && now > 0:
				counts[distinctKey{r.metric, r.version, r.unit, r.month}]++
			case was > 0 && now <= 0:
				counts[distinctKey{r.metric, r.version, r.unit, r.month}]--
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return fmt.Errorf("write metric values: %w", err)
		}
	}
	return s.addDistinct(ctx, counts)
}

// addDistinct adds changes to units' distinct counts.
func (s *Service) addDistinct(ctx context.Context, counts map[distinctKey]int64) error {
	keys := make([]distinctKey, 0, len(counts))
	for k, n := range counts {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	// one order for every writer, as the fact rows have
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.metric != b.metric || a.version != b.version {
			return a.metric < b.metric || a.metric == b.metric && a.version < b.version
		}
		if a.unit != b.unit {
			return a.unit < b.unit
		}
		return a.month < b.month
	})
	for start := 0; start < len(keys); start += 300 {
		part := keys[start:min(start+300, len(keys))]
		var b strings.Builder
		b.WriteString(`INSERT INTO metric_distinct(metric_id, fact_version, unit_id, month, n) VALUES `)
		args := make([]any, 0, len(part)*5)
		for i, k := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			writeParams(&b, s.db.Dialect, len(args), 5)
			args = append(args, k.metric, k.version, k.unit, k.month, counts[k])
		}
		b.WriteString(` ON CONFLICT (metric_id, fact_version, unit_id, month) DO UPDATE SET n = metric_distinct.n + excluded.n`)
		if _, err := s.db.Q(ctx).ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("write distinct counts: %w", err)
		}
	}
	return nil
}

// RecordChanged keeps the facts of every maintained metric of the
// record's register current, inside the transaction of the write.
func (s *Service) RecordChanged(ctx context.Context, reg *register.Register, before, after *register.Record) error {
	if err := s.ensureLoaded(ctx); err != nil {
		return err
	}
	if err := s.current(ctx); err != nil {
		return err
	}
	s.mu.RLock()
	ms := s.byReg[reg.Code]
	s.mu.RUnlock()
	for _, m := range ms {
		before, after := before, after
		if m.building {
			// a build maintains the units it has done (build.go)
			c, err := s.cursor(ctx, m)
			if err != nil {
				return err
			}
			before, after = keepSide(before, c), keepSide(after, c)
			if before == nil && after == nil {
				continue
			}
		}
		if m.bySeries() {
			if err := s.stockChanged(ctx, m, reg, before, after); err != nil {
				return err
			}
			continue
		}
		old, err := m.contributions(reg, before, -1)
		if err != nil {
			return err
		}
		nw, err := m.contributions(reg, after, 1)
		if err != nil {
			return err
		}
		if before != nil && after != nil && before.UnitPath == after.UnitPath {
			if err := s.apply(ctx, m, after.UnitPath, append(old, nw...)); err != nil {
				return err
			}
			continue
		}
		if before != nil {
			if err := s.apply(ctx, m, before.UnitPath, old); err != nil {
				return err
			}
		}
		if after != nil {
			if err := s.apply(ctx, m, after.UnitPath, nw); err != nil {
				return err
			}
		}
	}
	return nil
}

// rebuild recomputes a metric's facts from every record: they are
// computed in memory (as Verify does) and written in multi-row inserts.
func (s *Service) rebuild(ctx context.Context, code string) error {
	m, err := s.Get(ctx, code)
	if err != nil || !m.maintained() {
		return err
	}
	return s.rebuildFacts(ctx, m)
}

// ValuesMigrated rebuilds, in the transaction of a register's new schema
// version, the facts of the metrics over the register whose migration
// rewrote stored values by SQL (fills, option mappings, rescaled
// numbers): no record change told them. A build under way starts over
// from its first unit.
func (s *Service) ValuesMigrated(ctx context.Context, reg *register.Register) error {
	// the new generation keeps writes and build steps out until the
	// change commits, and makes every server read the definitions again
	// (the summed field's decimals may have changed)
	if err := s.bumpGeneration(ctx); err != nil {
		return err
	}
	if err := s.load(ctx); err != nil {
		return err
	}
	s.mu.RLock()
	ms := append([]*Metric(nil), s.byReg[reg.Code]...)
	s.mu.RUnlock()
	for _, m := range ms {
		if !m.building {
			if err := s.rebuildFacts(ctx, m); err != nil {
				return fmt.Errorf("metric %s: %w", m.Code, err)
			}
			continue
		}
		for _, table := range m.tables() {
			if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE metric_id = $1 AND fact_version = $2`, m.ID, m.FactVersion); err != nil {
				return err
			}
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET build_cursor = 0, progress = 0 WHERE id = $1`, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// rebuildFacts writes m's facts anew from every record.
func (s *Service) rebuildFacts(ctx context.Context, m *Metric) error {
	for _, table := range m.tables() {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE metric_id = $1 AND fact_version = $2`, m.ID, m.FactVersion); err != nil {
			return err
		}
	}
	facts, err := s.computeFacts(ctx, m)
	if err != nil {
		return err
	}
	return s.insertFacts(ctx, m, facts)
}

// table is where a metric's facts live.
func (m *Metric) table() string {
	if m.Aggregation == Distinct {
		return "metric_values"
	}
	return "metric_facts"
}

// tables are the tables that hold a metric's facts.
func (m *Metric) tables() []string {
	if m.Aggregation == Distinct {
		return []string{"metric_values", "metric_distinct"}
	}
	return []string{"metric_facts"}
}

// insertFacts writes computed facts in batches of multi-row inserts.
func (s *Service) insertFacts(ctx context.Context, m *Metric, facts map[factKey][2]int64) error {
	keys := make([]factKey, 0, len(facts))
	for k, v := range facts {
		if v != [2]int64{} {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.unit != b.unit {
			return a.unit < b.unit
		}
		if a.day != b.day {
			return a.day < b.day
		}
		return a.cat < b.cat
	})
	head := `INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt) VALUES `
	width := 7
	if m.Aggregation == Distinct {
		head, width = `INSERT INTO metric_values(metric_id, fact_version, unit_id, month, value, cnt) VALUES `, 6
	}
	const batch = 400
	for start := 0; start < len(keys); start += batch {
		end := min(start+batch, len(keys))
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*width)
		for i, k := range keys[start:end] {
			if i > 0 {
				b.WriteByte(',')
			}
			writeParams(&b, s.db.Dialect, len(args), width)
			v := facts[k]
			d := &delta{day: k.day, cat: k.cat, val: v[0], cnt: v[1]}
			args = append(args, m.factArgs(k.unit, d)...)
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("metric %s: write facts: %w", m.Code, err)
		}
	}
	if m.Aggregation != Distinct {
		return nil
	}
	counts := map[distinctKey]int64{}
	for _, k := range keys {
		if facts[k][1] > 0 {
			counts[distinctKey{m.ID, m.FactVersion, k.unit, k.day}]++
		}
	}
	return s.addDistinct(ctx, counts)
}

// A stock metric's value for a unit's subtree at a day is the sum, over
// the series below it, of each series' latest value on or before that
// day. A series is a unit's records that share the natural key apart
// from the date (one volunteer organisation's reports, say). Facts hold
// the steps of that sum: on each day a series' value changes, the
// difference from its previous value; reading sums the steps up to the
// period's end.

// seriesKey names the series of a record.
func seriesKey(reg *register.Register, r *register.Record) string {
	parts := []string{r.UnitPath}
	for _, k := range reg.Schema.NaturalKey {
		if k != reg.Schema.DateField {
			parts = append(parts, fmt.Sprint(r.Values[k]))
		}
	}
	return strings.Join(parts, "\x1f")
}

// steps turns a series' records into its steps.
func (m *Metric) steps(reg *register.Register, recs []*register.Record, sign int64) ([]delta, error) {
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].Date != recs[j].Date {
			return recs[i].Date < recs[j].Date
		}
		return recs[i].ID < recs[j].ID
	})
	var out []delta
	var prev int64
	for _, r := range recs {
		ok, err := reg.Schema.Matches(m.filter, r.Values)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		v, _ := r.Values[m.Field].(int64)
		if v != prev {
			out = append(out, delta{day: r.Date, val: sign * (v - prev)})
		}
		prev = v
	}
	return out, nil
}

// seriesRecords reads the records of one series as they now are.
func (s *Service) seriesRecords(ctx context.Context, reg *register.Register, r *register.Record) ([]*register.Record, error) {
	var conds []register.Cond
	for _, k := range reg.Schema.NaturalKey {
		if k == reg.Schema.DateField {
			continue
		}
		f, _ := reg.Schema.Field(k)
		if r.Values[k] == nil {
			conds = append(conds, register.Cond{Field: k, Op: "empty"})
		} else {
			conds = append(conds, register.Cond{Field: k, Op: "eq", Value: f.Format(r.Values[k], "")})
		}
	}
	var out []*register.Record
	err := s.regs.EachRecord(ctx, unit.Subtrees(r.UnitPath), reg.Code, register.Filter{Conds: conds, Sort: "id"}, func(_ *register.Register, x *register.Record) error {
		if x.UnitPath == r.UnitPath && seriesKey(reg, x) == seriesKey(reg, r) {
			out = append(out, x)
		}
		return nil
	})
	return out, err
}

func (s *Service) stockChanged(ctx context.Context, m *Metric, reg *register.Register, before, after *register.Record) error {
	for _, side := range []*register.Record{before, after} {
		if side == nil {
			continue
		}
		if side == after && before != nil && seriesKey(reg, before) == seriesKey(reg, after) {
			continue // one series: handled once below with both states
		}
		now, err := s.seriesRecords(ctx, reg, side)
		if err != nil {
			return err
		}
		// the series before the write: now, with after removed and before put back
		var then []*register.Record
		for _, x := range now {
			if after == nil || x.ID != after.ID {
				then = append(then, x)
			}
		}
		if before != nil && seriesKey(reg, before) == seriesKey(reg, side) {
			then = append(then, before)
		}
		oldSteps, err := m.steps(reg, then, -1)
		if err != nil {
			return err
		}
		newSteps, err := m.steps(reg, now, 1)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, m, side.UnitPath, append(oldSteps, newSteps...)); err != nil {
			return err
		}
	}
	return nil
}

// factArgs are the values of one fact row of the metric's table.
func (m *Metric) factArgs(unitID int64, d *delta) []any {
	if m.Aggregation == Distinct {
		return []any{m.ID, m.FactVersion, unitID, d.day, d.cat, d.cnt}
	}
	return []any{m.ID, m.FactVersion, unitID, d.day, d.cat, d.val, d.cnt}
}
