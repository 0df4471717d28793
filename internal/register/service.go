package register

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Register is a stored register: its schema at its current version.
type Register struct {
	ID      int64  `json:"-"`
	Code    string `json:"code"`
	Version int    `json:"version"`
	Builtin bool   `json:"builtin"`
	Schema  Schema `json:"schema"`
}

// Observer is told of every record change inside the transaction that
// makes it; an error rolls the change back. Metrics keep their facts
// current this way. before is nil for a create, after nil for a delete.
type Observer interface {
	RecordChanged(ctx context.Context, reg *Register, before, after *Record) error
}

// MigrationObserver is an Observer that is also told when a new schema
// version's migration rewrote stored values by SQL (fills, option
// mappings, rescaled numbers), inside that transaction: no record change
// was observed for them. Metrics rebuild their facts this way.
type MigrationObserver interface {
	ValuesMigrated(ctx context.Context, reg *Register) error
}

// SchemaGuard is asked, inside Define's transaction and before a new
// version of a register is applied, whether what depends on the register
// still holds under next; an error (a fault.Invalid naming the schema's
// fields at fault) refuses the version. Metrics refuse this way the
// removal or retyping of a field they read.
type SchemaGuard interface {
	SchemaChanging(ctx context.Context, old *Register, next *Schema) error
}

// Service defines registers and keeps their records.
type Service struct {
	db        *store.DB
	audit     *audit.Log
	units     *unit.Service
	files     *Files
	observers []Observer
	guards    []SchemaGuard

	mu    sync.RWMutex
	cache map[string]*Register // code → current version

	pairs pairCounts // how common the pairs of text searches are

	// forceCount and forcePage choose a text search's plans, and countCap
	// lowers MaxCount: tests, to take every branch on small data
	forceCount, forcePage string
	countCap              int
}

// NewService returns the register service; files keeps attachments.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, files *Files) *Service {
	s := &Service{db: db, audit: log, units: units, files: files, cache: map[string]*Register{}}
	units.OnMove(s.unitMoved)
	return s
}

// unitMoved moves the import jobs of the moved unit's subtree with it:
// a job's unit path says which administrators may follow it, and after a
// move they are the unit's new superiors, as for its records and audit.
func (s *Service) unitMoved(ctx context.Context, moved unit.Unit, oldPath string) error {
	from, to := unit.PathRange(oldPath)
	_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE register_imports SET unit_path = $1 || substr(unit_path, $2)
		WHERE unit_path >= $3 AND unit_path < $4`, moved.Path, len(oldPath)+1, from, to)
	if err != nil {
		return fmt.Errorf("move import jobs: %w", err)
	}
	return nil
}

// Observe adds an observer of record changes.
func (s *Service) Observe(o Observer) { s.observers = append(s.observers, o) }

// Guard adds a guard of schema changes.
func (s *Service) Guard(g SchemaGuard) { s.guards = append(s.guards, g) }

// Get returns the register with code at its current version.
func (s *Service) Get(ctx context.Context, code string) (*Register, error) {
	var (
		r    Register
		body string
	)
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, code, version, builtin, schema_json FROM registers WHERE code = $1`, code).
		Scan(&r.ID, &r.Code, &r.Version, &r.Builtin, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("register", code)
	}
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	c, ok := s.cache[code]
	s.mu.RUnlock()
	if ok && c.Version == r.Version && c.ID == r.ID {
		return c, nil
	}
	if err := json.Unmarshal([]byte(body), &r.Schema); err != nil {
		return nil, fmt.Errorf("register %s: stored schema: %w", code, err)
	}
	s.mu.Lock()
	s.cache[code] = &r
	s.mu.Unlock()
	return &r, nil
}

// List returns every register, in code order.
func (s *Service) List(ctx context.Context) ([]*Register, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code FROM registers ORDER BY code`)
	if err != nil {
		return nil, err
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		codes = append(codes, c)
	}
	rows.Close()
	out := make([]*Register, 0, len(codes))
	for _, c := range codes {
		r, err := s.Get(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Service) exists(ctx context.Context) func(string) bool {
	return func(code string) bool {
		var n int
		_ = s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM registers WHERE code = $1`, code).Scan(&n)
		return n > 0
	}
}

// Migration says what to do with existing records when a schema change
// needs it, field by field.
type Migration struct {
	// Fill is the value existing records get for a new required field
	// (or one that becomes required) that they lack.
	Fill map[string]string `json:"fill,omitempty"`
	// MapOptions maps removed option codes to the codes that replace them.
	MapOptions map[string]map[string]string `json:"map_options,omitempty"`
}

// Define creates a register or gives it a new version. Changes that
// existing records cannot satisfy are refused with the records in the
// way, unless m says how to migrate them.
func (s *Service) Define(ctx context.Context, sc Schema, m Migration, builtin bool) (*Register, error) {
	var out *Register
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		known := s.exists(ctx)
		self := func(code string) bool { return code == sc.Code || known(code) }
		if err := sc.Check(self); err != nil {
			return err
		}
		if err := s.checkCycles(ctx, &sc); err != nil {
			return err
		}
		for _, t := range sc.UnitTypes {
			if !s.unitTypeExists(ctx, t) {
				return fault.InvalidField("unit_types", "unit.type.unknown", "value", t)
			}
		}
		body, err := json.Marshal(sc)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		actor := audit.ActorFrom(ctx)
		var by any
		if actor.UserID != 0 {
			by = actor.UserID
		}
		old, err := s.Get(ctx, sc.Code)
		switch {
		case errors.Is(err, fault.ErrNotFound):
			var id int64
			if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO registers(code, version, schema_json, builtin, created_at, updated_at)
				VALUES ($1, 1, $2, $3, $4, $4) RETURNING id`, sc.Code, string(body), builtin, now).Scan(&id); err != nil {
				return fmt.Errorf("insert register: %w", err)
			}
			for _, stmt := range createTable(s.db.Dialect, &sc) {
				if _, err := s.db.Q(ctx).ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("create register table: %w", err)
				}
			}
			out = &Register{ID: id, Code: sc.Code, Version: 1, Builtin: builtin, Schema: sc}
		case err != nil:
			return err
		default:
			if string(mustJSON(old.Schema)) == string(body) {
				out = old
				return nil
			}
			for _, g := range s.guards {
				if err := g.SchemaChanging(ctx, old, &sc); err != nil {
					return err
				}
			}
			rewrote, err := s.migrate(ctx, old, &sc, m)
			if err != nil {
				return err
			}
			if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE registers SET version = version + 1, schema_json = $1, updated_at = $2 WHERE id = $3`,
				string(body), now, old.ID); err != nil {
				return err
			}
			out = &Register{ID: old.ID, Code: sc.Code, Version: old.Version + 1, Builtin: builtin || old.Builtin, Schema: sc}
			if cond := searchStale(&old.Schema, &sc, m); cond != "" {
				if err := s.rewriteSearch(ctx, out, cond); err != nil {
					return err
				}
			}
			if rewrote {
				for _, o := range s.observers {
					if mo, ok := o.(MigrationObserver); ok {
						if err := mo.ValuesMigrated(ctx, out); err != nil {
							return err
						}
					}
				}
			}
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO register_versions(register_id, version, schema_json, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5)`, out.ID, out.Version, string(body), now, by); err != nil {
			return err
		}
		var before any
		if old != nil {
			before = old.Schema
		}
		return s.audit.Record(ctx, audit.Change{Action: "define", Entity: "register", EntityID: sc.Code, Before: before, After: sc})
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.cache, sc.Code)
	s.mu.Unlock()
	return out, nil
}

func (s *Service) unitTypeExists(ctx context.Context, t string) bool {
	types, err := s.units.Types(ctx)
	if err != nil {
		return false
	}
	for _, x := range types {
		if x.Code == t {
			return true
		}
	}
	return false
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
