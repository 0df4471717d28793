package plan

import (
	"context"
	"fmt"
	"slices"
	"time"

	"kexie/internal/store"
)

// Todo is a unit's list: the open tasks it leads, and the overdue open
// tasks of the units below it (for superiors).
type Todo struct {
	Mine    []Task `json:"mine"`
	Overdue []Task `json:"overdue"`
}

// Todo returns the open tasks the caller reports on, worst light first,
// and the overdue open tasks led in its read scope.
func (s *Service) Todo(ctx context.Context, c Caller) (Todo, error) {
	out := Todo{Mine: []Task{}, Overdue: []Task{}}
	var args store.Args
	today := s.Now().Format(time.DateOnly)
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT t.id, t.plan_id, l.path, t.due_on FROM plan_tasks t JOIN units l ON l.id = t.lead_unit_id
		WHERE t.state <> '`+Closed+`' AND `+c.Read.Cond("l.path", &args)+` ORDER BY t.due_on, t.id`, args.Values()...)
	if err != nil {
		return out, fmt.Errorf("to-do: %w", err)
	}
	type row struct {
		id, plan  int64
		path, due string
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.plan, &r.path, &r.due); err != nil {
			rows.Close()
			return out, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	for _, r := range rs {
		mine, late := c.Report.Contains(r.path), r.due < today
		if !mine && !late {
			continue
		}
		t, err := s.Task(ctx, c, r.id)
		if err != nil {
			return out, err
		}
		t.Events = nil
		if mine {
			out.Mine = append(out.Mine, t)
		}
		if late && !mine {
			out.Overdue = append(out.Overdue, t)
		}
	}
	rank := map[string]int{Red: 0, Yellow: 1, Green: 2}
	slices.SortStableFunc(out.Mine, func(a, b Task) int { return rank[a.Light] - rank[b.Light] })
	return out, nil
}
