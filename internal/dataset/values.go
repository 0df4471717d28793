package dataset

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/unit"
)

// ValueInput is one cell to save: a number, its text ("1,234.5", "8.35万",
// "69.8%") or null to clear it.
type ValueInput struct {
	Metric   string `json:"metric"`
	Category string `json:"category,omitempty"`
	Value    any    `json:"value"`
}

// MaxValues bounds the cells of one save.
const MaxValues = 2000

// Save stores many values of one form at once, all or nothing: every
// value must parse, the unit must report in the data set and lie in the
// caller's entry scope, the period must be of the data set's type and
// open, the form must not be submitted or approved, and no error rule may
// fail with the new values. Each changed value updates its metric's facts
// in the same transaction. The form comes back with the rules' results;
// failed warnings are also listed in Warnings.
func (s *Service) Save(ctx context.Context, acc Access, code, unitCode, periodID string, in []ValueInput) (*Form, error) {
	t, err := s.resolve(ctx, acc, code, unitCode, periodID)
	if err != nil {
		return nil, err
	}
	d, u, p := t.ds, t.u, t.p
	if !acc.Enter.Contains(u.Path) {
		return nil, forbid("unit", "dataset.enter.forbidden", "unit", u.Code)
	}
	if !d.Assigned(u) {
		return nil, fault.InvalidField("unit", "dataset.unit.not_assigned", "unit", u.Code)
	}
	changes, err := d.parse(in)
	if err != nil {
		return nil, err
	}
	var warnings []Result
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		sub, err := s.lockSubmission(ctx, d.ID, u.ID, p.ID)
		if err != nil {
			return err
		}
		if Locked(sub.State) {
			return fault.ConflictField("period", "dataset.locked."+sub.State)
		}
		if !acc.System {
			w, err := s.window(ctx, d, u.ID, p)
			if err != nil {
				return err
			}
			if !w.Open {
				return w.refusal()
			}
		}
		stored, _, err := s.readCells(ctx, d.ID, u.ID, p.ID)
		if err != nil {
			return err
		}
		merged := make(map[cellKey]int64, len(stored)+len(changes))
		for k, v := range stored {
			merged[k] = v
		}
		for _, ch := range changes {
			if ch.val == nil {
				delete(merged, ch.key)
			} else {
				merged[ch.key] = *ch.val
			}
		}
		results := d.evaluate(merged)
		if err := ruleErrors(failures(results, SeverityError)); err != nil {
			return err
		}
		warnings = failures(results, SeverityWarning)
		before, after := map[string]any{}, map[string]any{}
		for _, ch := range changes {
			var old *int64
			if v, ok := stored[ch.key]; ok {
				old = &v
			}
			if sameValue(old, ch.val) {
				continue
			}
			if err := s.writeCell(ctx, d, u, p.ID, ch.key, ch.val); err != nil {
				return err
			}
			if err := s.metrics.EnteredChanged(ctx, ch.key.metric, u.Path, p.ID, ch.key.cat, old, ch.val); err != nil {
				return err
			}
			it, _ := d.Item(ch.key.metric)
			name := cellName(ch.key.metric, ch.key.cat)
			before[name], after[name] = jsonOrNil(it, old), jsonOrNil(it, ch.val)
		}
		if len(after) == 0 {
			return nil
		}
		return s.record(ctx, sub, u, formID(d.Code, u.Code, p.ID), "save", sub.State, sub.State, sub.LevelID, "", before, after)
	})
	if err != nil {
		return nil, err
	}
	f, err := s.form(ctx, acc, t)
	if err != nil {
		return nil, err
	}
	f.Warnings = warnings
	return f, nil
}

// change is one parsed cell of a save; val nil clears the cell.
type change struct {
	key cellKey
	val *int64
}

// parse reads the cells of a save, reporting every bad one by its name.
func (d *DataSet) parse(in []ValueInput) ([]change, error) {
	c := &fault.Check{}
	if len(in) > MaxValues {
		return nil, fault.InvalidField("values", "error.too_many", "max", MaxValues)
	}
	seen := map[cellKey]bool{}
	out := make([]change, 0, len(in))
	for i, v := range in {
		k := cellKey{strings.TrimSpace(v.Metric), strings.TrimSpace(v.Category)}
		name := cellName(k.metric, k.cat)
		it, ok := d.Item(k.metric)
		switch {
		case !ok:
			c.Add(fmt.Sprintf("values[%d].metric", i), "dataset.metric.unknown", "code", k.metric)
			continue
		case !it.hasCell(k.cat):
			c.Add(fmt.Sprintf("values[%d].category", i), "dataset.category.unknown", "code", k.cat, "metric", it.Name("zh-CN"))
			continue
		case seen[k]:
			c.Add(name, "dataset.value.duplicate")
			continue
		}
		seen[k] = true
		x, err := it.field().FromJSON(plain(v.Value))
		if err != nil {
			for _, fe := range fault.FieldsOf(err) {
				c.Add(name, fe.Key, flatten(fe.Args)...)
			}
			if fault.FieldsOf(err) == nil {
				c.Add(name, "register.value.type")
			}
			continue
		}
		ch := change{key: k}
		if n, ok := x.(int64); ok {
			ch.val = &n
		}
		out = append(out, ch)
	}
	return out, c.Err()
}

// plain turns Go numbers (callers in Go, JSON decoded without
// UseNumber) into their exact text, which values parse like typed text.
func plain(v any) any {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return v
}

// ruleErrors turns failed error rules into a validation error naming
// each rule, with its message in both languages.
func ruleErrors(fails []Result) error {
	if len(fails) == 0 {
		return nil
	}
	c := &fault.Check{}
	for _, r := range fails {
		c.Add("rules."+r.Rule, "dataset.rule.failed", "message_zh", r.MessageZH, "message_en", pick("en", r.MessageZH, r.MessageEN),
			"left", num(r.Left), "op", r.Op, "right", num(r.Right))
	}
	return c.Err()
}

func num(f *float64) string {
	if f == nil {
		return ""
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", *f), "0"), ".")
}

func sameValue(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func jsonOrNil(it Item, v *int64) any {
	if v == nil {
		return nil
	}
	return it.field().JSONValue(*v)
}

// writeCell stores or clears one value.
func (s *Service) writeCell(ctx context.Context, d *DataSet, u unit.Unit, periodID string, k cellKey, v *int64) error {
	q := s.db.Q(ctx)
	if v == nil {
		_, err := q.ExecContext(ctx, `DELETE FROM dataset_values WHERE metric = $1 AND unit_id = $2 AND period = $3 AND cat = $4`,
			k.metric, u.ID, periodID, k.cat)
		return err
	}
	a := audit.ActorFrom(ctx)
	var by any
	if a.UserID != 0 {
		by = a.UserID
	}
	name := actorName(ctx)
	_, err := q.ExecContext(ctx, `INSERT INTO dataset_values(dataset_id, metric, unit_id, period, cat, val, updated_by, updated_name, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (metric, unit_id, period, cat) DO UPDATE SET val = excluded.val, updated_by = excluded.updated_by,
			updated_name = excluded.updated_name, updated_at = excluded.updated_at`,
		d.ID, k.metric, u.ID, periodID, k.cat, *v, by, name, time.Now().UTC())
	return err
}

// EnteredValues reads the stored values of an entered metric, for the
// metric service (stock steps, rebuilds, Verify): every unit's when
// unitPath is "", else only that unit's own.
func (s *Service) EnteredValues(ctx context.Context, metricCode, unitPath string) ([]metric.EnteredValue, error) {
	q := `SELECT period, cat, val, ` + unit.PathOf("unit_id") + ` FROM dataset_values WHERE metric = $1`
	args := []any{metricCode}
	if unitPath != "" {
		ids, err := s.units.IDsOfPath(ctx, unitPath)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 || len(ids) != len(unit.Ancestors(unitPath)) {
			return nil, nil
		}
		q += ` AND unit_id = $2`
		args = append(args, ids[len(ids)-1])
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []metric.EnteredValue
	for rows.Next() {
		var v metric.EnteredValue
		if err := rows.Scan(&v.Period, &v.Cat, &v.Val, &v.UnitPath); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
