package unit

import (
	"context"
	"fmt"

	"kexie/internal/store"
)

// ChildrenOf returns the children of the unit with code that lie in s,
// open and closed, in tree order, in one query: breakdowns by child unit
// read them for every figure they show. Groups and child counts are not
// filled in.
func (svc *Service) ChildrenOf(ctx context.Context, s Scope, code string) ([]Unit, error) {
	var args store.Args
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT `+unitCols+`, 0`+unitFrom+` WHERE p.code = `+args.Add(code)+
		` AND `+s.Cond("u.path", &args)+` ORDER BY u.path`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", code, err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.Code, &u.Type, &u.Parent, &u.Path, &u.Depth, &u.NameZH, &u.NameEN,
			&u.OpenedOn, &u.ClosedOn, &u.Version, &u.Children); err != nil {
			return nil, err
		}
		u.Groups = []string{}
		out = append(out, u)
	}
	return out, rows.Err()
}
