package register

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Version is one stored version of a register's schema: who made it,
// when, and the schema it was.
type Version struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// CreatedBy is the user who defined it; 0 for the system (built-in
	// registers, the command line).
	CreatedBy int64  `json:"created_by,omitempty"`
	Schema    Schema `json:"schema"`
}

// Versions returns every version of register code's schema, newest first.
func (s *Service) Versions(ctx context.Context, code string) ([]Version, error) {
	reg, err := s.Get(ctx, code)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT version, created_at, created_by, schema_json FROM register_versions
		WHERE register_id = $1 ORDER BY version DESC`, reg.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var by sql.NullInt64
		var body string
		if err := rows.Scan(&v.Version, &v.CreatedAt, &by, &body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &v.Schema); err != nil {
			return nil, fmt.Errorf("register %s version %d: stored schema: %w", code, v.Version, err)
		}
		v.CreatedAt, v.CreatedBy = v.CreatedAt.UTC(), by.Int64
		out = append(out, v)
	}
	return out, rows.Err()
}
