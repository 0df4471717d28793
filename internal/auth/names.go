package auth

import (
	"context"
	"strings"

	"kexie/internal/store"
)

// Names returns how users are called on pages that say who did
// something (a schema's versions, say): the display name, or the user
// name when there is none, by id. Unknown ids are left out.
func (s *Service) Names(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, name, display_name FROM users WHERE id IN (`+strings.Join(ph, ", ")+`)`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, display string
		if err := rows.Scan(&id, &name, &display); err != nil {
			return nil, err
		}
		if display != "" {
			name = display
		}
		out[id] = name
	}
	return out, rows.Err()
}
