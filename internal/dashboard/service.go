package dashboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Service saves, lists and renders dashboards.
type Service struct {
	db      *store.DB
	units   *unit.Service
	metrics *metric.Service
	audit   *audit.Log
}

// NewService returns the dashboard service.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, metrics *metric.Service) *Service {
	return &Service{db: db, units: units, metrics: metrics, audit: log}
}

const cols = `d.id, d.owner_id, COALESCE((SELECT name FROM users WHERE id = d.owner_id), ''), d.name, u.code, u.path,
	d.shared, d.widgets_json, d.version, d.created_at, d.updated_at`

// visible is the condition of the dashboards a caller sees: its own and
// the shared ones, rooted in its read scope either way.
func visible(c Caller, args *store.Args) string {
	return `(d.owner_id = ` + args.Add(c.UserID) + ` OR d.shared) AND ` + c.Read.Cond("u.path", args)
}

func scan(c Caller, sc interface{ Scan(...any) error }) (Dashboard, error) {
	var d Dashboard
	var body string
	if err := sc.Scan(&d.ID, &d.OwnerID, &d.Owner, &d.Name, &d.Unit, &d.UnitPath, &d.Shared, &body, &d.Version, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return Dashboard{}, err
	}
	if err := json.Unmarshal([]byte(body), &d.Widgets); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard %d widgets: %w", d.ID, err)
	}
	if d.Widgets == nil {
		d.Widgets = []Widget{}
	}
	d.Mine = d.OwnerID == c.UserID
	return d, nil
}

// Get returns a dashboard the caller sees; any other is not found.
func (s *Service) Get(ctx context.Context, c Caller, id int64) (Dashboard, error) {
	var args store.Args
	q := `SELECT ` + cols + ` FROM dashboards d JOIN units u ON u.id = d.unit_id WHERE d.id = ` + args.Add(id) + ` AND ` + visible(c, &args)
	d, err := scan(c, s.db.Q(ctx).QueryRowContext(ctx, q, args.Values()...))
	if errors.Is(err, sql.ErrNoRows) {
		return Dashboard{}, fault.NotFound("dashboard", id)
	}
	return d, err
}

// List returns the caller's own dashboards and the shared ones in its
// scope, by name.
func (s *Service) List(ctx context.Context, c Caller) ([]Dashboard, error) {
	var args store.Args
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+cols+` FROM dashboards d JOIN units u ON u.id = d.unit_id WHERE `+
		visible(c, &args)+` ORDER BY d.name, d.id`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("list dashboards: %w", err)
	}
	defer rows.Close()
	out := []Dashboard{}
	for rows.Next() {
		d, err := scan(c, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func normalize(ws []Widget) []Widget {
	if ws == nil {
		return []Widget{}
	}
	out := make([]Widget, len(ws))
	for i, w := range ws {
		w.Type, w.Metric, w.Period = strings.TrimSpace(w.Type), strings.TrimSpace(w.Metric), strings.TrimSpace(w.Period)
		w.Unit, w.Title, w.UnitType = strings.TrimSpace(w.Unit), strings.TrimSpace(w.Title), strings.TrimSpace(w.UnitType)
		if w.Type != Table {
			w.Metrics = nil
		}
		out[i] = w
	}
	return out
}

// Create saves a new dashboard owned by the caller.
func (s *Service) Create(ctx context.Context, c Caller, in Create) (Dashboard, error) {
	in.Widgets = normalize(in.Widgets)
	u, err := s.check(ctx, c, in.Name, in.Unit, in.Widgets)
	if err != nil {
		return Dashboard{}, err
	}
	body, err := json.Marshal(in.Widgets)
	if err != nil {
		return Dashboard{}, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		now := time.Now().UTC()
		if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO dashboards(owner_id, name, unit_id, shared, widgets_json, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id`, c.UserID, strings.TrimSpace(in.Name), u.ID, in.Shared, string(body), now).Scan(&id); err != nil {
			return fmt.Errorf("create dashboard: %w", err)
		}
		return s.audit.Record(ctx, audit.Change{Action: "create", Entity: "dashboard", EntityID: strconv.FormatInt(id, 10), UnitPath: u.Path, After: in})
	})
	if err != nil {
		return Dashboard{}, err
	}
	return s.Get(ctx, c, id)
}

// owned returns a dashboard the caller may change: one it cannot see is
// not found, one it sees but does not own is forbidden.
func (s *Service) owned(ctx context.Context, c Caller, id int64) (Dashboard, error) {
	d, err := s.Get(ctx, c, id)
	if err != nil {
		return Dashboard{}, err
	}
	if !d.Mine {
		return Dashboard{}, fmt.Errorf("dashboard %d belongs to %s: %w", id, d.Owner, fault.ErrForbidden)
	}
	return d, nil
}

// Update changes a dashboard of the caller's.
func (s *Service) Update(ctx context.Context, c Caller, id int64, in Update) (Dashboard, error) {
	d, err := s.owned(ctx, c, id)
	if err != nil {
		return Dashboard{}, err
	}
	if in.Version != nil && *in.Version != d.Version {
		return Dashboard{}, fault.ConflictField("version", "error.stale", "version", d.Version)
	}
	before := d
	if in.Name != nil {
		d.Name = *in.Name
	}
	if in.Unit != nil {
		d.Unit = *in.Unit
	}
	if in.Shared != nil {
		d.Shared = *in.Shared
	}
	if in.Widgets != nil {
		d.Widgets = *in.Widgets
	}
	d.Widgets = normalize(d.Widgets)
	u, err := s.check(ctx, c, d.Name, d.Unit, d.Widgets)
	if err != nil {
		return Dashboard{}, err
	}
	body, err := json.Marshal(d.Widgets)
	if err != nil {
		return Dashboard{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE dashboards SET name = $1, unit_id = $2, shared = $3, widgets_json = $4,
			version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7`,
			strings.TrimSpace(d.Name), u.ID, d.Shared, string(body), time.Now().UTC(), id, before.Version)
		if err != nil {
			return fmt.Errorf("update dashboard: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.ConflictField("version", "error.stale", "version", before.Version)
		}
		return s.audit.Record(ctx, audit.Change{Action: "update", Entity: "dashboard", EntityID: strconv.FormatInt(id, 10), UnitPath: u.Path,
			Before: view(before), After: view(d)})
	})
	if err != nil {
		return Dashboard{}, err
	}
	return s.Get(ctx, c, id)
}

// Delete removes a dashboard of the caller's.
func (s *Service) Delete(ctx context.Context, c Caller, id int64) error {
	d, err := s.owned(ctx, c, id)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM dashboards WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete dashboard: %w", err)
		}
		return s.audit.Record(ctx, audit.Change{Action: "delete", Entity: "dashboard", EntityID: strconv.FormatInt(id, 10), UnitPath: d.UnitPath, Before: view(d)})
	})
}

// view is a dashboard as the audit log keeps it.
func view(d Dashboard) map[string]any {
	return map[string]any{"name": d.Name, "unit": d.Unit, "shared": d.Shared, "widgets": d.Widgets}
}
