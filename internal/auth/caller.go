package auth

import (
	"context"
	"database/sql"
	"fmt"

	"kexie/internal/fault"
	"kexie/internal/unit"
)

// The caller of every request is found in one query: the credential, its
// user and the user's grants with their units' paths, one row per grant.
// Four round trips (credential, user, grants, paths) were most of the
// cost of a small API request on PostgreSQL.
const (
	callerCols = `u.id, u.name, u.display_name, u.locale, g.id, g.role, `
	callerJoin = ` JOIN users u ON u.id = %[1]s.user_id LEFT JOIN role_grants g ON g.user_id = u.id`
)

var callerPath = unit.PathOf("g.unit_id")

// callerQuery returns the query of a caller whose credential is in table
// alias, selecting head (the credential's own columns) first.
func callerQuery(head, from, alias, where string) string {
	return `SELECT ` + head + `, ` + callerCols + callerPath + ` FROM ` + from + fmt.Sprintf(callerJoin, alias) +
		` WHERE ` + where + ` AND NOT u.disabled ORDER BY g.id`
}

// queryCaller runs a caller query and builds the principal; head receives
// the credential's columns of the first row. No row means no caller.
func (s *Service) queryCaller(ctx context.Context, q string, args []any, head ...any) (*Principal, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var p *Principal
	for rows.Next() {
		var (
			user     Principal
			gid      sql.NullInt64
			role     sql.NullString
			unitPath sql.NullString
		)
		dest := append(append([]any{}, head...), &user.UserID, &user.Name, &user.DisplayName, &user.Locale, &gid, &role, &unitPath)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if p == nil {
			p = &user
			p.Grants = []Grant{}
			head = discard(len(head)) // later rows repeat the credential
		}
		if gid.Valid {
			g := Grant{ID: gid.Int64, Role: Role(role.String), UnitPath: unitPath.String}
			if codes := unit.Ancestors(g.UnitPath); len(codes) > 0 {
				g.Unit = codes[len(codes)-1]
			}
			p.Grants = append(p.Grants, g)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fault.ErrUnauthenticated
	}
	return p, nil
}

func discard(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = new(any)
	}
	return out
}
