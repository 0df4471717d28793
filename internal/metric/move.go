package metric

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"kexie/internal/unit"
)

// unitMoved moves a unit's subtree totals, for every metric, from its old
// ancestors to its new ones: the unit's own facts are those totals.
func (s *Service) unitMoved(ctx context.Context, moved unit.Unit, oldPath string) error {
	if err := s.current(ctx); err != nil { // no build step meanwhile
		return err
	}
	if err := s.flush(ctx); err != nil { // facts this transaction changed before the move
		return err
	}
	oldParent := strings.TrimSuffix(oldPath, moved.Code+"/")
	newParent := strings.TrimSuffix(moved.Path, moved.Code+"/")
	oldIDs, err := s.units.IDsOfPath(ctx, oldParent)
	if err != nil {
		return err
	}
	newIDs, err := s.units.IDsOfPath(ctx, newParent)
	if err != nil {
		return err
	}
	for _, t := range []struct{ table, day, cat, val string }{
		{"metric_facts", "day", "cat", "val"},
		{"metric_values", "month", "value", "0"},
	} {
		if err := s.moveTable(ctx, t.table, t.day, t.cat, t.val, moved.ID, oldIDs, newIDs); err != nil {
			return err
		}
	}
	return nil
}

// moveTable moves the unit's rows of one fact table from its old
// ancestors to its new ones.
func (s *Service) moveTable(ctx context.Context, table, dayCol, catCol, valCol string, unitID int64, oldIDs, newIDs []int64) error {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT metric_id, fact_version, `+dayCol+`, `+catCol+`, `+valCol+`, cnt FROM `+table+` WHERE unit_id = $1`, unitID)
	if err != nil {
		return err
	}
	type fact struct {
		metric   int64
		version  int
		day, cat string
		val, cnt int64
	}
	var facts []fact
	for rows.Next() {
		var f fact
		if err := rows.Scan(&f.metric, &f.version, &f.day, &f.cat, &f.val, &f.cnt); err != nil {
			rows.Close()
			return err
		}
		facts = append(facts, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	sides := []struct {
		ids  []int64
		sign int64
	}{{oldIDs, -1}, {newIDs, 1}}
	if table == "metric_values" {
		// merged first: an ancestor of both places keeps its values, and
		// the distinct counts follow the values that come and go
		changes := map[valueRow]int64{}
		for _, f := range facts {
			for _, side := range sides {
				for _, id := range side.ids {
					changes[valueRow{metric: f.metric, version: f.version, unit: id, month: f.day, value: f.cat}] += side.sign * f.cnt
				}
			}
		}
		rows := make([]valueRow, 0, len(changes))
		for r, n := range changes {
			if n != 0 {
				r.cnt = n
				rows = append(rows, r)
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].less(rows[j]) })
		return s.addValues(ctx, rows)
	}
	const stmt = `INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (metric_id, fact_version, unit_id, day, cat)
		DO UPDATE SET val = metric_facts.val + excluded.val, cnt = metric_facts.cnt + excluded.cnt`
	for _, f := range facts {
		for _, side := range sides {
			for _, id := range side.ids {
				if _, err := s.db.Q(ctx).ExecContext(ctx, stmt, f.metric, f.version, id, f.day, f.cat, side.sign*f.val, side.sign*f.cnt); err != nil {
					return fmt.Errorf("move facts: %w", err)
				}
			}
		}
	}
	return nil
}
