package metric

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/expr-lang/expr/vm"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Metric is a stored definition.
type Metric struct {
	ID          int64 `json:"-"`
	Version     int   `json:"version"`
	FactVersion int   `json:"-"`
	// State is "ready", or "building" while the facts of a changed
	// definition are built in the background (Pending, at Progress
	// percent), or "failed" with BuildError; the figures read meanwhile
	// are those of the definition before the change.
	State      string `json:"state"`
	Progress   int    `json:"progress"`
	BuildError string `json:"build_error,omitempty"`
	Pending    *Def   `json:"pending,omitempty"`
	Builtin    bool   `json:"builtin"` // shipped with kexie (builtin.go)
	Def
	filter *vm.Program
	scale  int // decimals of the summed field, so facts read back exactly
	// next is the pending definition compiled, its facts under the build
	// version, while a build runs; building marks such a metric
	next     *Metric
	building bool
}

// maintained says whether the metric keeps facts (the others are
// recounted or computed when read).
func (m *Metric) maintained() bool {
	if m.Source == FromEntered {
		return true // flow, stock or average: the definition checks
	}
	return m.Source == FromRegister && (m.Aggregation == Flow || m.Aggregation == Average || m.Aggregation == Stock || m.Aggregation == Distinct)
}

// Service defines metrics, maintains their facts and reads figures.
type Service struct {
	db    *store.DB
	regs  *register.Service
	units *unit.Service
	audit *audit.Log

	mu    sync.RWMutex
	byReg map[string][]*Metric // register code → maintained metrics, and those being built
	all   map[string]*Metric
	gen   int64 // the generation of the definitions loaded (metric_generation)
	// builds runs the background builds of changed definitions (build.go)
	builds builds
	// entered reads the values of entered metrics (the data sets)
	entered EnteredSource
	// checked runs in Define between the check and the transaction (tests)
	checked func()
}

// NewService returns the metric service and subscribes it to record
// changes, so facts change in the transaction of every write.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, regs *register.Service) *Service {
	s := &Service{db: db, regs: regs, units: units, audit: log}
	regs.Observe(s)
	regs.Guard(s)
	units.OnMove(s.unitMoved)
	return s
}

// load reads every definition into memory; called after each change.
func (s *Service) load(ctx context.Context) error {
	var gen int64
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT generation FROM metric_generation WHERE id = 1`).Scan(&gen); err != nil {
		return err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, version, fact_version, builtin, state, progress, build_error, def_json,
		pending_json, build_version FROM metrics`)
	if err != nil {
		return err
	}
	defer rows.Close()
	// read every row before resolving registers: PostgreSQL runs one
	// statement at a time on a transaction's connection
	var loaded []*Metric
	for rows.Next() {
		m := &Metric{}
		var body string
		var pending sql.NullString
		var buildVersion int
		if err := rows.Scan(&m.ID, &m.Version, &m.FactVersion, &m.Builtin, &m.State, &m.Progress, &m.BuildError, &body,
			&pending, &buildVersion); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(body), &m.Def); err != nil {
			return fmt.Errorf("metric definition: %w", err)
		}
		if pending.Valid {
			m.Pending = &Def{}
			if err := json.Unmarshal([]byte(pending.String), m.Pending); err != nil {
				return fmt.Errorf("pending metric definition: %w", err)
			}
			if m.State == StateBuilding {
				m.next = &Metric{ID: m.ID, Version: m.Version, FactVersion: buildVersion, State: m.State, Def: *m.Pending, building: true}
			}
		}
		loaded = append(loaded, m)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	all := map[string]*Metric{}
	byReg := map[string][]*Metric{}
	for _, m := range loaded {
		for _, x := range []*Metric{m, m.next} {
			if x == nil {
				continue
			}
			if err := s.compile(ctx, x); err != nil {
				return err
			}
			if x.Source == FromRegister && x.maintained() {
				byReg[x.Register] = append(byReg[x.Register], x)
			}
		}
		all[m.Code] = m
	}
	s.mu.Lock()
	s.all, s.byReg, s.gen = all, byReg, gen
	s.mu.Unlock()
	return nil
}

// compile readies a definition for use: its register's filter compiled,
// the scale of the field it sums.
func (s *Service) compile(ctx context.Context, m *Metric) error {
	if m.Source == FromRegister {
		reg, err := s.regs.Get(ctx, m.Register)
		if err != nil {
			return err
		}
		if m.filter, err = reg.Schema.CompileFilter(m.Filter); err != nil {
			return err
		}
		if f, ok := reg.Schema.Field(m.Field); ok {
			m.scale = f.ScaleOf()
		}
	}
	if m.Source == FromEntered {
		m.scale = m.EnteredField().ScaleOf()
	}
	return nil
}

func (s *Service) ensureLoaded(ctx context.Context) error {
	s.mu.RLock()
	ok := s.all != nil
	s.mu.RUnlock()
	if ok {
		return nil
	}
	return s.load(ctx)
}

// Get returns a metric's definition.
func (s *Service) Get(ctx context.Context, code string) (*Metric, error) {
	if err := s.ensureLoaded(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.all[code]
	if !ok {
		return nil, fault.NotFound("metric", code)
	}
	return m, nil
}

// List returns every metric.
func (s *Service) List(ctx context.Context) ([]*Metric, error) {
	if err := s.ensureLoaded(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Metric, 0, len(s.all))
	for _, m := range s.all {
		out = append(out, m)
	}
	return out, nil
}

// Define creates or changes a metric. A new metric's facts are built from
// the records in the same transaction; a change that alters what the facts
// hold builds them anew in the background (build.go) while the figures of
// the definition before it stay readable.
func (s *Service) Define(ctx context.Context, d Def) (*Metric, error) {
	if err := s.ensureLoaded(ctx); err != nil {
		return nil, err
	}
	var reg *register.Register
	if d.Source == FromRegister {
		r, err := s.regs.Get(ctx, d.Register)
		if err == nil {
			reg = r
		} else if !errors.Is(err, fault.ErrNotFound) {
			return nil, err
		}
	}
	if err := s.checkDef(ctx, &d, reg, s.defined); err != nil {
		return nil, err
	}
	if err := s.checkCycle(d); err != nil {
		return nil, err
	}
	if s.checked != nil {
		s.checked()
	}
	var saved saveOutcome
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		// the generation's row, now held, orders this save with any schema
		// change of the register (its guard holds the row too): one that
		// committed since the check is seen here, and checked against
		if err := s.bumpGeneration(ctx); err != nil {
			return err
		}
		if reg != nil {
			now, err := s.regs.Get(ctx, reg.Code)
			if err != nil {
				return err
			}
			if now.Version != reg.Version {
				if err := s.checkDef(ctx, &d, now, s.defined); err != nil {
					return err
				}
			}
		}
		var err error
		if saved, err = s.save(ctx, d, nil, time.Now().UTC()); err != nil {
			return err
		}
		if err := s.load(ctx); err != nil {
			return err
		}
		if saved == saveCreated {
			if err := s.rebuild(ctx, d.Code); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "define", Entity: "metric", EntityID: d.Code, After: d})
	})
	if err != nil {
		_ = s.load(context.WithoutCancel(ctx))
		return nil, err
	}
	if saved == saveStaged {
		s.kick(d.Code)
	}
	return s.Get(ctx, d.Code)
}

// checkDef is the whole check of a definition, run when it is saved
// (Define, and the built-in ones at start) and, for every metric over a
// register, when that register's schema changes (guard.go): against reg,
// the register it reads (nil when it reads none or that is unknown), and
// the other metrics by lookup.
func (s *Service) checkDef(ctx context.Context, d *Def, reg *register.Register, lookup func(string) (*Def, bool)) error {
	if err := d.check(reg, lookup); err != nil {
		return err
	}
	if err := s.checkUnitKinds(ctx, *d); err != nil {
		return err
	}
	if reg == nil {
		return nil
	}
	if _, err := reg.Schema.CompileFilter(d.Filter); err != nil {
		return err
	}
	return reg.Schema.FilterOptions(d.Filter)
}

// checkCycle refuses a formula that depends on itself through others.
func (s *Service) checkCycle(d Def) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	var visit func(code string) bool
	visit = func(code string) bool {
		if code == d.Code {
			return true
		}
		if seen[code] {
			return false
		}
		seen[code] = true
		m, ok := s.all[code]
		if !ok {
			return false
		}
		for _, dep := range m.Def.deps() {
			if visit(dep) {
				return true
			}
		}
		return false
	}
	for _, dep := range d.deps() {
		if visit(dep) {
			return fault.InvalidField("formula", "metric.cycle", "code", dep)
		}
	}
	return nil
}
