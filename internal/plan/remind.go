package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// Remind is a reminder (催办) sent by hand: which lights to remind about,
// and a note for the lead units.
type Remind struct {
	Lights []string `json:"lights"`
	Note   string   `json:"note,omitempty"`
}

// RemindRule is a plan's standing rule: every EveryDays days, the lead
// unit of each open task whose light is one of Lights is reminded again.
// EveryDays 0 turns the rule off.
type RemindRule struct {
	Lights    []string `json:"lights"`
	EveryDays int      `json:"every_days"`
}

func checkLights(field string, lights []string) error {
	for i, l := range lights {
		if l != Green && l != Yellow && l != Red {
			return fault.InvalidField(fmt.Sprintf("%s[%d]", field, i), "error.option", "value", l)
		}
	}
	return nil
}

// Remind leaves a message in the inbox of the lead unit of every open
// task of the plan whose light is one of r.Lights (yellow and red when
// none is given), mails the units that gave an address, and returns how
// many were sent. Only the plan's unit (inspect permission there)
// reminds.
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
	if err := checkLights("lights", r.Lights); err != nil {
		return 0, err
	}
	r.Note = strings.TrimSpace(r.Note)
	if len([]rune(r.Note)) > MaxText {
		return 0, fault.InvalidField("note", "error.too_long", "max", MaxText)
	}
	var due []Task
	for _, sec := range p.Sections {
		for _, t := range sec.Tasks {
			if t.State != Closed && slices.Contains(r.Lights, t.Light) {
				due = append(due, t)
			}
		}
	}
	return s.send(ctx, p, due, r.Note, map[string]any{"lights": r.Lights})
}

// send reminds the lead units of tasks (inbox message, history, one
// audit entry for the plan) and, once written, mails them.
func (s *Service) send(ctx context.Context, p Plan, tasks []Task, note string, why map[string]any) (int, error) {
	var notices []Notice
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		notices = notices[:0]
		for _, t := range tasks {
			var lead int64
			if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT lead_unit_id FROM plan_tasks WHERE id = $1`, t.ID).Scan(&lead); err != nil {
				return err
			}
			n := Notice{Unit: lead, Kind: "plan_remind", Period: p.Period, Subject: "催办：" + t.Title,
				Body: fmt.Sprintf("催办：%s —— 《%s》，完成期限 %s，当前进度 %d%%。%s", t.Title, p.Title, t.Due, int(t.Progress*100+0.5), note),
				Link: "/plan-tasks/" + strconv.FormatInt(t.ID, 10), From: p.Unit}
			if err := s.Leave(ctx, n, now); err != nil {
				return err
			}
			if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO plan_task_events(task_id, action, state, percent, note, actor_name, created_at)
				VALUES ($1, 'remind', $2, $3, $4, $5, $6)`, t.ID, t.State, t.Percent, note, actorName(ctx), now); err != nil {
				return err
			}
			notices = append(notices, n)
		}
		after := map[string]any{"sent": len(tasks)}
		for k, v := range why {
			after[k] = v
		}
		return s.audit.Record(ctx, audit.Change{Action: "remind", Entity: "plan", EntityID: strconv.FormatInt(p.ID, 10), UnitPath: p.unitPath,
			After: after})
	})
	if err != nil {
		return 0, err
	}
	s.Send(ctx, notices)
	return len(tasks), nil
}

// SetRemindRule sets the plan's standing reminder rule; only the plan's
// unit (inspect permission there) sets it.
func (s *Service) SetRemindRule(ctx context.Context, c Caller, planID int64, r RemindRule) (RemindRule, error) {
	p, err := s.header(ctx, c, planID)
	if err != nil {
		return RemindRule{}, err
	}
	if !c.Supervise.Contains(p.unitPath) {
		return RemindRule{}, fmt.Errorf("remind rule of plan %d: %w", planID, fault.ErrForbidden)
	}
	if len(r.Lights) == 0 {
		r.Lights = []string{Yellow, Red}
	}
	if err := checkLights("lights", r.Lights); err != nil {
		return RemindRule{}, err
	}
	if r.EveryDays < 0 || r.EveryDays > 365 {
		return RemindRule{}, fault.InvalidField("every_days", "plan.remind.every_days")
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if _, err := q.ExecContext(ctx, `DELETE FROM plan_remind_rules WHERE plan_id = $1`, planID); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO plan_remind_rules(plan_id, lights, every_days) VALUES ($1, $2, $3)`,
			planID, strings.Join(r.Lights, ","), r.EveryDays); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "remind_rule", Entity: "plan", EntityID: strconv.FormatInt(planID, 10),
			UnitPath: p.unitPath, After: r})
	})
	return r, err
}

// remindRule reads a plan's rule (off when it has none).
func (s *Service) remindRule(ctx context.Context, planID int64) (RemindRule, error) {
	var lights string
	var r RemindRule
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT lights, every_days FROM plan_remind_rules WHERE plan_id = $1`, planID).Scan(&lights, &r.EveryDays)
	if errors.Is(err, sql.ErrNoRows) {
		return RemindRule{Lights: []string{}}, nil
	} else if err != nil {
		return RemindRule{}, err
	}
	r.Lights = strings.Split(lights, ",")
	return r, nil
}

// RemindDue applies every plan's standing rule: the lead unit of each
// open task whose light the rule names, and which was not reminded in
// the rule's last EveryDays days, is reminded now. It returns how many
// reminders went out. `kexie serve` runs it every hour; `kexie remind`
// runs it once.
func (s *Service) RemindDue(ctx context.Context) (int, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT plan_id FROM plan_remind_rules WHERE every_days > 0 ORDER BY plan_id`)
	if err != nil {
		return 0, fmt.Errorf("remind rules: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sys := Caller{Read: unit.Everything(), Supervise: unit.Everything()}
	total := 0
	for _, id := range ids {
		r, err := s.remindRule(ctx, id)
		if err != nil {
			return total, err
		}
		p, err := s.Get(ctx, sys, id)
		if errors.Is(err, fault.ErrNotFound) {
			continue
		} else if err != nil {
			return total, err
		}
		since := s.Now().Add(-time.Duration(r.EveryDays) * 24 * time.Hour)
		var due []Task
		for _, sec := range p.Sections {
			for _, t := range sec.Tasks {
				if t.State == Closed || !slices.Contains(r.Lights, t.Light) {
					continue
				}
				var last time.Time
				err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT created_at FROM plan_task_events WHERE task_id = $1 AND action = 'remind'
					ORDER BY id DESC LIMIT 1`, t.ID).Scan(&last)
				if errors.Is(err, sql.ErrNoRows) || err == nil && !last.After(since) {
					due = append(due, t)
				} else if err != nil {
					return total, err
				}
			}
		}
		if len(due) == 0 {
			continue
		}
		n, err := s.send(audit.WithActor(ctx, audit.Actor{Name: "system"}), p, due, "", map[string]any{"rule": r})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
