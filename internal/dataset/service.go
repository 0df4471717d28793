package dataset

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Access is what a caller may do: read units' forms, enter them (save,
// submit), approve them (approve, return, withdraw an approval, grant an
// exception, remind), and manage units (remind). Each is a scope of the
// unit tree.
type Access struct {
	Read    unit.Scope
	Enter   unit.Scope
	Approve unit.Scope
	Manage  unit.Scope
	// System is the command line and the demo loader: entry windows do
	// not apply to it.
	System bool
}

// System is the access of the command line and the demo loader.
func System() Access {
	all := unit.Everything()
	return Access{Read: all, Enter: all, Approve: all, Manage: all, System: true}
}

// Service keeps data sets, their entered values, the approval of each
// form, and the units' inboxes.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	units   *unit.Service
	metrics *metric.Service

	mu    sync.RWMutex
	cache map[string]*DataSet // code → a compiled version
}

// NewService returns the data set service and makes it the source of
// entered values of metrics.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, metrics *metric.Service) *Service {
	s := &Service{db: db, audit: log, units: units, metrics: metrics, cache: map[string]*DataSet{}}
	metrics.SetEnteredSource(s)
	return s
}

// forbidden is a refusal that names its reason as a field error, so the
// page and the API can say why (403 with a localised message).
type forbidden struct{ inv error }

func (e forbidden) Error() string   { return "forbidden: " + e.inv.Error() }
func (e forbidden) Unwrap() []error { return []error{fault.ErrForbidden, e.inv} }

func forbid(field, key string, args ...any) error {
	return forbidden{fault.InvalidField(field, key, args...)}
}

// Get returns the data set with code. Definitions are read from the
// database every time (app servers share nothing); compiled rules are
// kept per version.
func (s *Service) Get(ctx context.Context, code string) (*DataSet, error) {
	var (
		id      int64
		version int
		body    string
		at      time.Time
	)
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, version, def_json, updated_at FROM datasets WHERE code = $1`, code).Scan(&id, &version, &body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("data set", code)
	}
	if err != nil {
		return nil, err
	}
	return s.compiled(code, id, version, body, at)
}

func (s *Service) compiled(code string, id int64, version int, body string, at time.Time) (*DataSet, error) {
	s.mu.RLock()
	c, ok := s.cache[code]
	s.mu.RUnlock()
	if ok && c.ID == id && c.Version == version {
		return c, nil
	}
	d := &DataSet{ID: id, Version: version, UpdatedAt: at}
	if err := json.Unmarshal([]byte(body), &d.Def); err != nil {
		return nil, fmt.Errorf("data set %s: stored definition: %w", code, err)
	}
	d.normalize()
	var err error
	if d.rules, err = compileRules(d.Def); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[code] = d
	s.mu.Unlock()
	return d, nil
}

// List returns every data set, by code.
func (s *Service) List(ctx context.Context) ([]*DataSet, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code, id, version, def_json, updated_at FROM datasets ORDER BY code`)
	if err != nil {
		return nil, err
	}
	type row struct {
		code, body string
		id         int64
		version    int
		at         time.Time
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.code, &r.id, &r.version, &r.body, &r.at); err != nil {
			rows.Close()
			return nil, err
		}
		got = append(got, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*DataSet, 0, len(got))
	for _, r := range got {
		d, err := s.compiled(r.code, r.id, r.version, r.body, r.at)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Define creates or changes a data set and defines its entered metrics,
// in one transaction. Only the root's administrators may (the caller
// checks). Values already entered keep their meaning: a metric with
// values cannot leave the data set, change its value type or scale, or
// lose a category that holds values, and the period type is fixed once
// anything was entered.
func (s *Service) Define(ctx context.Context, d Def) (*DataSet, error) {
	d.normalize()
	types, groups, err := s.vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	c := &fault.Check{}
	for _, f := range fault.FieldsOf(d.check(types, groups)) {
		c.Add(f.Field, f.Key, flatten(f.Args)...)
	}
	for i, it := range d.Metrics {
		if it.Code == "cats" {
			c.Add(fmt.Sprintf("metrics[%d].code", i), "dataset.metric.reserved", "code", it.Code)
			continue
		}
		for _, f := range fault.FieldsOf(it.metricDef(d.PeriodType).CheckEntered()) {
			c.Add(fmt.Sprintf("metrics[%d].%s", i, f.Field), f.Key, flatten(f.Args)...)
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var out *DataSet
	definedMetrics := false
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.Get(ctx, d.Code)
		if err != nil && !errors.Is(err, fault.ErrNotFound) {
			return err
		}
		if err := s.checkMetrics(ctx, old, d); err != nil {
			return err
		}
		now := time.Now().UTC()
		var id int64
		version := 1
		var before any
		if old == nil {
			if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO datasets(code, name_zh, name_en, period_type, lock_after_days, version, def_json, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) RETURNING id`, d.Code, d.NameZH, d.NameEN, d.PeriodType, d.LockAfterDays, string(body), now).Scan(&id); err != nil {
				return fmt.Errorf("insert data set: %w", err)
			}
		} else {
			id, version, before = old.ID, old.Version+1, old.Def
			if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE datasets SET name_zh = $1, name_en = $2, period_type = $3, lock_after_days = $4,
				version = $5, def_json = $6, updated_at = $7 WHERE id = $8`, d.NameZH, d.NameEN, d.PeriodType, d.LockAfterDays, version, string(body), now, id); err != nil {
				return err
			}
		}
		for _, it := range d.Metrics {
			want := it.metricDef(d.PeriodType)
			if m, err := s.metrics.Get(ctx, it.Code); err == nil && sameDef(m.Def, want) {
				continue
			}
			definedMetrics = true
			if _, err := s.metrics.Define(ctx, want); err != nil {
				return err
			}
		}
		if err := s.audit.Record(ctx, audit.Change{Action: "dataset_define", Entity: "dataset", EntityID: d.Code, Before: before, After: d}); err != nil {
			return err
		}
		out, err = s.compiled(d.Code, id, version, string(body), now)
		return err
	})
	if err != nil {
		if definedMetrics {
			// the transaction that defined them is gone: so are they
			_ = s.metrics.Reload(context.WithoutCancel(ctx))
		}
		return nil, err
	}
	return out, nil
}

func sameDef(a, b metric.Def) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// checkMetrics refuses a definition that takes a metric of another kind
// or data set, or that would change the meaning of entered values.
func (s *Service) checkMetrics(ctx context.Context, old *DataSet, d Def) error {
	all, err := s.List(ctx)
	if err != nil {
		return err
	}
	owner := map[string]string{}
	for _, o := range all {
		for _, it := range o.Metrics {
			owner[it.Code] = o.Code
		}
	}
	c := &fault.Check{}
	for i, it := range d.Metrics {
		at := fmt.Sprintf("metrics[%d].code", i)
		if o, ok := owner[it.Code]; ok && o != d.Code {
			c.Add(at, "dataset.metric.other_dataset", "code", it.Code, "dataset", o)
			continue
		}
		if m, err := s.metrics.Get(ctx, it.Code); err == nil && m.Source != metric.FromEntered {
			c.Add(at, "dataset.metric.taken", "code", it.Code)
		}
	}
	if fs := fault.FieldsOf(c.Err()); len(fs) > 0 {
		return fault.ConflictField(fs[0].Field, fs[0].Key, flatten(fs[0].Args)...)
	}
	if old == nil {
		return nil
	}
	used, err := s.usedCells(ctx, old.ID)
	if err != nil {
		return err
	}
	if len(used) > 0 && old.PeriodType != d.PeriodType {
		return fault.ConflictField("period_type", "dataset.period_type.fixed")
	}
	for _, was := range old.Metrics {
		cats := used[was.Code]
		if len(cats) == 0 {
			continue
		}
		i := slices.IndexFunc(d.Metrics, func(it Item) bool { return it.Code == was.Code })
		if i < 0 {
			return fault.ConflictField("metrics", "dataset.metric.has_values", "code", was.Code)
		}
		now := d.Metrics[i]
		if now.ValueType != was.ValueType || now.field().ScaleOf() != was.field().ScaleOf() {
			return fault.ConflictField(fmt.Sprintf("metrics[%d].value_type", i), "dataset.metric.type_fixed", "code", was.Code)
		}
		for _, cat := range cats {
			if !now.hasCell(cat) {
				return fault.ConflictField(fmt.Sprintf("metrics[%d].categories", i), "dataset.metric.category_used", "code", was.Code, "category", cat)
			}
		}
	}
	return nil
}

func (it Item) hasCell(cat string) bool { return slices.Contains(it.Cells(), cat) }

// usedCells lists, per metric of the data set, the categories holding values.
func (s *Service) usedCells(ctx context.Context, id int64) (map[string][]string, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT DISTINCT metric, cat FROM dataset_values WHERE dataset_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var m, c string
		if err := rows.Scan(&m, &c); err != nil {
			return nil, err
		}
		out[m] = append(out[m], c)
	}
	return out, rows.Err()
}

// Delete removes a data set that holds no values and no submissions; its
// metrics stay defined.
func (s *Service) Delete(ctx context.Context, code string) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		d, err := s.Get(ctx, code)
		if err != nil {
			return err
		}
		var n int
		if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM dataset_values WHERE dataset_id = $1)
			+ (SELECT COUNT(*) FROM dataset_submissions WHERE dataset_id = $1)`, d.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.ConflictField("code", "dataset.in_use")
		}
		for _, q := range []string{`DELETE FROM dataset_exceptions WHERE dataset_id = $1`, `DELETE FROM datasets WHERE id = $1`} {
			if _, err := s.db.Q(ctx).ExecContext(ctx, q, d.ID); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "dataset_delete", Entity: "dataset", EntityID: code, Before: d.Def})
	})
}

// vocabulary returns the known unit types and groups.
func (s *Service) vocabulary(ctx context.Context) (types, groups map[string]bool, err error) {
	ts, err := s.units.Types(ctx)
	if err != nil {
		return nil, nil, err
	}
	gs, err := s.units.Groups(ctx)
	if err != nil {
		return nil, nil, err
	}
	types, groups = map[string]bool{}, map[string]bool{}
	for _, t := range ts {
		types[t.Code] = true
	}
	for _, g := range gs {
		groups[g.Code] = true
	}
	return types, groups, nil
}

func flatten(m map[string]any) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, 2*len(m))
	for _, k := range keys {
		out = append(out, k, m[k])
	}
	return out
}
