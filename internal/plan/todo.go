package plan

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
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

// Remind is a reminder rule: which lights to remind (催办) about.
type Remind struct {
	Lights []string `json:"lights"`
	Note   string   `json:"note,omitempty"`
}

// Remind leaves a message in the inbox of the lead unit of every open
// task of the plan whose light is one of r.Lights (yellow and red when
// none is given), and returns how many were sent. Only the plan's unit
// (inspect permission there) reminds.
func (s *Service) Remind(ctx context.Context, c Caller, planID int64, r Remind) (int, error) {
	p, err := s.Get(ctx, c, planID)
	if err != nil {
		return 0, err
	}
	if !c.Supervise.Contains(p.unitPath) {
		return 0, fmt.Errorf("remind plan %d: %w", planID, fault.ErrForbidden)
	}
	if len(r.Lights) == 0 {
		r.Lights = []string{Yellow, Red}
	}
	for i, l := range r.Lights {
		if l != Green && l != Yellow && l != Red {
			return 0, fault.InvalidField(fmt.Sprintf("lights[%d]", i), "error.option", "value", l)
		}
	}
	want := map[string]bool{}
	for _, l := range r.Lights {
		want[l] = true
	}
	n := 0
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		a := audit.ActorFrom(ctx)
		var by any
		if a.UserID != 0 {
			by = a.UserID
		}
		for _, sec := range p.Sections {
			for _, t := range sec.Tasks {
				if t.State == Closed || !want[t.Light] {
					continue
				}
				body := fmt.Sprintf("催办：%s —— 《%s》，完成期限 %s，当前进度 %d%%。%s", t.Title, p.Title, t.Due, int(t.Progress*100+0.5), r.Note)
				if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO inbox_messages(unit_id, kind, dataset, period, body, link, sender_id, sender_name, sender_unit, created_at)
					VALUES ((SELECT lead_unit_id FROM plan_tasks WHERE id = $1), 'plan_remind', '', $2, $3, $4, $5, $6, $7, $8)`,
					t.ID, p.Period, body, "/plan-tasks/"+strconv.FormatInt(t.ID, 10), by, actorName(ctx), p.Unit, now); err != nil {
					return fmt.Errorf("remind: %w", err)
				}
				if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO plan_task_events(task_id, action, state, percent, note, actor_name, created_at)
					VALUES ($1, 'remind', $2, $3, $4, $5, $6)`, t.ID, t.State, t.Percent, r.Note, actorName(ctx), now); err != nil {
					return err
				}
				n++
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "remind", Entity: "plan", EntityID: strconv.FormatInt(planID, 10), UnitPath: p.unitPath,
			After: map[string]any{"lights": r.Lights, "sent": n}})
	})
	return n, err
}
