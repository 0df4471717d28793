package scheme

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"kexie/internal/store"
	"kexie/internal/unit"
)

// RunFilter narrows a list of runs.
type RunFilter struct {
	Scheme  string
	Version int
	Period  string
}

// Runs lists the runs whose unit lies in read, and those scoring a unit
// in read (a scored unit sees the runs it is in), newest first, with the
// number of units each scored.
func (s *Service) Runs(ctx context.Context, read unit.Scope, f RunFilter) ([]RunSummary, error) {
	var args store.Args
	q := `SELECT r.id, s.code, s.name_zh, s.name_en, v.number, u.code, u.name_zh, r.period, r.state, r.objections_until, r.created_at,
		(SELECT COUNT(*) FROM scheme_results x WHERE x.run_id = r.id)
		FROM scheme_runs r JOIN scheme_versions v ON v.id = r.version_id JOIN schemes s ON s.id = v.scheme_id JOIN units u ON u.id = r.unit_id
		WHERE (` + read.Cond("u.path", &args) + ` OR EXISTS (SELECT 1 FROM scheme_results x JOIN units xu ON xu.id = x.unit_id
			WHERE x.run_id = r.id AND ` + read.Cond("xu.path", &args) + `))`
	if f.Scheme != "" {
		q += ` AND s.code = ` + args.Add(f.Scheme)
	}
	if f.Version > 0 {
		q += ` AND v.number = ` + args.Add(f.Version)
	}
	if f.Period != "" {
		q += ` AND r.period = ` + args.Add(f.Period)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q+` ORDER BY r.id DESC`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	out := []RunSummary{}
	for rows.Next() {
		var r RunSummary
		var until sql.NullTime
		if err := rows.Scan(&r.ID, &r.Scheme, &r.SchemeNameZH, &r.SchemeNameEN, &r.Version, &r.Unit, &r.UnitNameZH, &r.Period, &r.State, &until, &r.CreatedAt, &r.Units); err != nil {
			return nil, err
		}
		if until.Valid {
			t := until.Time.UTC()
			r.ObjectionsUntil = &t
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RunSummary is a run as lists show it.
type RunSummary struct {
	Run
	SchemeNameZH string `json:"scheme_name_zh"`
	SchemeNameEN string `json:"scheme_name_en,omitempty"`
	UnitNameZH   string `json:"unit_name_zh"`
	Units        int    `json:"units"`
}

// Versions lists a scheme's versions with their notes, oldest first.
func (s *Service) Versions(ctx context.Context, code string) ([]VersionInfo, error) {
	sc, err := s.scheme(ctx, code)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT number, note, created_at FROM scheme_versions WHERE scheme_id = $1 ORDER BY number`, sc.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []VersionInfo{}
	for rows.Next() {
		var v VersionInfo
		if err := rows.Scan(&v.Number, &v.Note, &v.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VersionInfo is a version as lists show it.
type VersionInfo struct {
	Number    int       `json:"number"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
