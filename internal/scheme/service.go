package scheme

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Service stores schemes, their versions and runs.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	units   *unit.Service
	metrics *metric.Service
}

// NewService returns the scheme service.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, metrics *metric.Service) *Service {
	return &Service{db: db, audit: log, units: units, metrics: metrics}
}

// Scheme is an evaluation scheme: what it scores (units of a type) and
// its versions.
type Scheme struct {
	Code     string `json:"code"`
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en,omitempty"`
	UnitType string `json:"unit_type"`
	Versions []int  `json:"versions,omitempty"`
	id       int64
}

// Create saves a new scheme without versions.
func (s *Service) Create(ctx context.Context, sc Scheme) error {
	var c fault.Check
	if strings.TrimSpace(sc.Code) == "" {
		c.Add("code", "scheme.code.missing")
	}
	if strings.TrimSpace(sc.NameZH) == "" {
		c.Add("name_zh", "scheme.name.missing")
	}
	if sc.UnitType == "" {
		c.Add("unit_type", "scheme.unit_type.missing")
	}
	if err := c.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.scheme(ctx, sc.Code); err == nil {
			return fault.ConflictField("code", "scheme.code.taken", "code", sc.Code)
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO schemes (code, name_zh, name_en, unit_type, created_at) VALUES ($1, $2, $3, $4, $5)`,
			sc.Code, sc.NameZH, sc.NameEN, sc.UnitType, time.Now().UTC()); err != nil {
			return fmt.Errorf("create scheme: %w", err)
		}
		return s.audit.Record(ctx, audit.Change{Action: "create", Entity: "scheme", EntityID: sc.Code, After: sc})
	})
}

func (s *Service) scheme(ctx context.Context, code string) (Scheme, error) {
	var sc Scheme
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, code, name_zh, name_en, unit_type FROM schemes WHERE code = $1`, code).
		Scan(&sc.id, &sc.Code, &sc.NameZH, &sc.NameEN, &sc.UnitType)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, fault.NotFound("scheme", code)
	}
	return sc, err
}

// Get returns a scheme with its version numbers.
func (s *Service) Get(ctx context.Context, code string) (Scheme, error) {
	sc, err := s.scheme(ctx, code)
	if err != nil {
		return sc, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT number FROM scheme_versions WHERE scheme_id = $1 ORDER BY number`, sc.id)
	if err != nil {
		return sc, err
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return sc, err
		}
		sc.Versions = append(sc.Versions, n)
	}
	return sc, rows.Err()
}

// List returns every scheme by code.
func (s *Service) List(ctx context.Context) ([]Scheme, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code FROM schemes ORDER BY code`)
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
	out := []Scheme{}
	for _, c := range codes {
		sc, err := s.Get(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// AddVersion checks a version (its tree, and every metric it reads:
// present and of a kind its rule can use) and saves it as the scheme's
// next version, returning its number. A version never changes after.
func (s *Service) AddVersion(ctx context.Context, code, note string, v Version) (int, error) {
	if err := v.ApplyAHP(); err != nil {
		return 0, err
	}
	if err := v.Validate(); err != nil {
		return 0, err
	}
	if err := s.checkMetrics(ctx, &v); err != nil {
		return 0, err
	}
	body, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		sc, err := s.scheme(ctx, code)
		if err != nil {
			return err
		}
		if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM scheme_versions WHERE scheme_id = $1`, sc.id).Scan(&n); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO scheme_versions (scheme_id, number, note, def_json, created_at) VALUES ($1, $2, $3, $4, $5)`,
			sc.id, n, note, string(body), time.Now().UTC()); err != nil {
			return fmt.Errorf("save scheme version: %w", err)
		}
		return s.audit.Record(ctx, audit.Change{Action: "create", Entity: "scheme_version", EntityID: fmt.Sprintf("%s/%d", code, n), After: v})
	})
	return n, err
}

// checkMetrics refuses metrics that do not exist, and leaves whose rule
// cannot use their metric's kind: a ratio to an allotted target needs a
// count or sum (flow or stock), not an average, ratio, minimum or
// maximum; a yes/no needs a count.
func (s *Service) checkMetrics(ctx context.Context, v *Version) error {
	var c fault.Check
	for _, code := range v.Metrics() {
		if _, err := s.metrics.Get(ctx, code); err != nil {
			c.Add("nodes", "scheme.metric.unknown", "metric", code)
		}
	}
	if !c.OK() {
		return c.Err()
	}
	for _, n := range v.Nodes {
		if n.Metric == "" || n.Rule == nil {
			continue
		}
		m, _ := s.metrics.Get(ctx, n.Metric)
		agg := m.Aggregation
		switch {
		case n.Rule.Kind == Ratio && agg != metric.Flow && agg != metric.Stock:
			c.Add("nodes", "scheme.metric.kind", "code", n.Code, "metric", n.Metric, "kind", string(agg))
		case n.Rule.Kind == YesNo && (agg == metric.Ratio || agg == metric.Average):
			c.Add("nodes", "scheme.metric.kind", "code", n.Code, "metric", n.Metric, "kind", string(agg))
		}
	}
	return c.Err()
}

// Version returns a saved version of a scheme.
func (s *Service) Version(ctx context.Context, code string, number int) (Version, error) {
	v, _, err := s.version(ctx, code, number)
	return v, err
}

func (s *Service) version(ctx context.Context, code string, number int) (Version, int64, error) {
	var v Version
	var id int64
	var body string
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT v.id, v.def_json FROM scheme_versions v JOIN schemes s ON s.id = v.scheme_id
		WHERE s.code = $1 AND v.number = $2`, code, number).Scan(&id, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return v, 0, fault.NotFound("scheme version", fmt.Sprintf("%s/%d", code, number))
	}
	if err != nil {
		return v, 0, err
	}
	return v, id, json.Unmarshal([]byte(body), &v)
}
