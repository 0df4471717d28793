package unit

import (
	"context"
	"fmt"

	"kexie/internal/store"
)

// OpenPaths returns the paths of the units in s of type typ (and of group
// group, when not "") that are open on day: opened on or before it (or
// with no opening date) and not closed on or before it. Metrics count
// units with it: the cities, the cities with a rural technical
// association. One indexed read of paths, however many units match.
func (svc *Service) OpenPaths(ctx context.Context, s Scope, typ, group, day string) ([]string, error) {
	var args store.Args
	q := `SELECT u.path FROM units u WHERE ` + s.Cond("u.path", &args) + ` AND u.type = ` + args.Add(typ)
	if group != "" {
		q += ` AND u.id IN (SELECT m.unit_id FROM unit_group_members m JOIN unit_groups g ON g.id = m.group_id WHERE g.code = ` +
			args.Add(group) + `)`
	}
	q += ` AND (u.opened_on IS NULL OR u.opened_on <= ` + args.Add(day) + `)`
	q += ` AND (u.closed_on IS NULL OR u.closed_on > ` + args.Add(day) + `) ORDER BY u.path`
	rows, err := svc.db.Q(ctx).QueryContext(ctx, q, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("open units: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
