package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/unit"
)

// Spec is a plan to create, with everything in it.
type Spec struct {
	Title        string   `json:"title"`
	Period       string   `json:"period"`
	Unit         string   `json:"unit"`
	YellowMargin *float64 `json:"yellow_margin,omitempty"`
	RedMargin    *float64 `json:"red_margin,omitempty"`
	NearDays     *int     `json:"near_days,omitempty"`
	// RemindRule, when given, reminds the lead units on its own.
	RemindRule *RemindRule   `json:"remind_rule,omitempty"`
	Sections   []SectionSpec `json:"sections"`
}

// SectionSpec is an action line to create.
type SectionSpec struct {
	Title string     `json:"title"`
	Tasks []TaskSpec `json:"tasks"`
}

// TaskSpec is a task to create.
type TaskSpec struct {
	Title       string          `json:"title"`
	Body        string          `json:"body,omitempty"`
	Lead        string          `json:"lead"`
	Cooperating []string        `json:"cooperating,omitempty"`
	Start       string          `json:"start"`
	Due         string          `json:"due"`
	Targets     []TargetSpec    `json:"targets,omitempty"`
	Milestones  []MilestoneSpec `json:"milestones,omitempty"`
}

// MilestoneSpec is a dated step of a task to create.
type MilestoneSpec struct {
	Title string `json:"title"`
	Due   string `json:"due"`
}

// TargetSpec is a target to create; Metric "" makes it qualitative.
type TargetSpec struct {
	Title      string          `json:"title"`
	Metric     string          `json:"metric,omitempty"`
	Comparison string          `json:"comparison,omitempty"`
	Baseline   float64         `json:"baseline"`
	Goal       float64         `json:"goal"`
	Allotments []AllotmentSpec `json:"allotments,omitempty"`
}

// AllotmentSpec allots part of a target to a unit.
type AllotmentSpec struct {
	Unit string  `json:"unit"`
	Goal float64 `json:"goal"`
}

func text(ch *fault.Check, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	if s == "" && required {
		ch.Add(field, "error.required")
	} else if utf8.RuneCountInString(s) > max {
		ch.Add(field, "error.too_long", "max", max)
	}
	return s
}

// checker resolves units once per code while a spec is checked.
type checker struct {
	s     *Service
	ctx   context.Context
	owner unit.Unit
	c     Caller
	units map[string]*unit.Unit
}

// inOwner returns the unit with code inside the plan owner's subtree and
// the caller's supervision scope, or nil.
func (k *checker) inOwner(code string) (*unit.Unit, error) {
	if u, ok := k.units[code]; ok {
		return u, nil
	}
	u, err := k.s.units.Get(k.ctx, k.c.Supervise, code)
	var out *unit.Unit
	switch {
	case errors.Is(err, fault.ErrNotFound):
	case err != nil:
		return nil, err
	case unit.Subtrees(k.owner.Path).Contains(u.Path):
		out = &u
	}
	k.units[code] = out
	return out, nil
}

func date(ch *fault.Check, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		ch.Add(field, "error.required")
	} else if _, err := time.Parse(time.DateOnly, s); err != nil {
		ch.Add(field, "plan.date.invalid", "value", s)
	}
	return s
}

// check validates a spec, resolving its units and metrics.
func (s *Service) check(ctx context.Context, c Caller, sp *Spec) (*checker, error) {
	ch := &fault.Check{}
	sp.Title = text(ch, "title", sp.Title, MaxTitle, true)
	sp.Period = strings.TrimSpace(sp.Period)
	if _, err := period.Parse(sp.Period); err != nil {
		ch.Add("period", "plan.period.invalid", "value", sp.Period)
	}
	k := &checker{s: s, ctx: ctx, c: c, units: map[string]*unit.Unit{}}
	owner, err := s.units.Get(ctx, c.Supervise, strings.TrimSpace(sp.Unit))
	if errors.Is(err, fault.ErrNotFound) {
		ch.Add("unit", "plan.unit.scope", "code", sp.Unit)
		return nil, ch.Err()
	} else if err != nil {
		return nil, err
	}
	k.owner = owner
	if sp.YellowMargin != nil && (*sp.YellowMargin < 0 || *sp.YellowMargin > 1) {
		ch.Add("yellow_margin", "plan.margin.range")
	}
	if sp.RedMargin != nil && (*sp.RedMargin < 0 || *sp.RedMargin > 1) {
		ch.Add("red_margin", "plan.margin.range")
	}
	if sp.NearDays != nil && (*sp.NearDays < 0 || *sp.NearDays > 365) {
		ch.Add("near_days", "plan.near_days.range")
	}
	if r := sp.RemindRule; r != nil {
		if len(r.Lights) == 0 {
			r.Lights = []string{Yellow, Red}
		}
		if err := checkLights("remind_rule.lights", r.Lights); err != nil {
			ch.Add(fault.FieldsOf(err)[0].Field, "error.option")
		}
		if r.EveryDays < 0 || r.EveryDays > 365 {
			ch.Add("remind_rule.every_days", "plan.remind.every_days")
		}
	}
	n := 0
	for i := range sp.Sections {
		sec := &sp.Sections[i]
		at := fmt.Sprintf("sections[%d]", i)
		sec.Title = text(ch, at+".title", sec.Title, MaxTitle, true)
		for j := range sec.Tasks {
			if n++; n > MaxTasks {
				ch.Add("sections", "error.too_many", "max", MaxTasks)
				return nil, ch.Err()
			}
			if err := k.task(ch, fmt.Sprintf("%s.tasks[%d]", at, j), &sec.Tasks[j]); err != nil {
				return nil, err
			}
		}
	}
	return k, ch.Err()
}

func (k *checker) task(ch *fault.Check, at string, t *TaskSpec) error {
	t.Title = text(ch, at+".title", t.Title, MaxTitle, true)
	t.Body = text(ch, at+".body", t.Body, MaxText, false)
	t.Lead = strings.TrimSpace(t.Lead)
	if t.Lead == "" {
		ch.Add(at+".lead", "error.required")
	} else if u, err := k.inOwner(t.Lead); err != nil {
		return err
	} else if u == nil {
		ch.Add(at+".lead", "plan.unit.scope", "code", t.Lead)
	}
	for i, code := range t.Cooperating {
		code = strings.TrimSpace(code)
		t.Cooperating[i] = code
		if u, err := k.s.units.Get(k.ctx, unit.Everything(), code); err != nil || u.ID == 0 {
			ch.Add(fmt.Sprintf("%s.cooperating[%d]", at, i), "plan.unit.unknown", "code", code)
		}
	}
	t.Start, t.Due = date(ch, at+".start", t.Start), date(ch, at+".due", t.Due)
	if _, e1 := time.Parse(time.DateOnly, t.Start); e1 == nil {
		if _, e2 := time.Parse(time.DateOnly, t.Due); e2 == nil && t.Due < t.Start {
			ch.Add(at+".due", "plan.due.before_start", "start", t.Start, "due", t.Due)
		}
	}
	if len(t.Milestones) > MaxMilestones {
		ch.Add(at+".milestones", "error.too_many", "max", MaxMilestones)
	} else {
		for i := range t.Milestones {
			m := &t.Milestones[i]
			mf := fmt.Sprintf("%s.milestones[%d]", at, i)
			m.Title = text(ch, mf+".title", m.Title, MaxTitle, true)
			m.Due = date(ch, mf+".due", m.Due)
			if _, err := time.Parse(time.DateOnly, m.Due); err == nil && (m.Due < t.Start || m.Due > t.Due) {
				ch.Add(mf+".due", "plan.milestone.outside", "start", t.Start, "due", t.Due)
			}
		}
	}
	if len(t.Targets) > MaxTargets {
		ch.Add(at+".targets", "error.too_many", "max", MaxTargets)
		return nil
	}
	for i := range t.Targets {
		if err := k.target(ch, fmt.Sprintf("%s.targets[%d]", at, i), &t.Targets[i]); err != nil {
			return err
		}
	}
	return nil
}

func (k *checker) target(ch *fault.Check, at string, g *TargetSpec) error {
	g.Title = text(ch, at+".title", g.Title, MaxTitle, true)
	g.Metric = strings.TrimSpace(g.Metric)
	g.Comparison = strings.TrimSpace(g.Comparison)
	if g.Comparison == "" {
		g.Comparison = AtLeast
	}
	if !slices.Contains([]string{AtLeast, AtMost, Equal}, g.Comparison) {
		ch.Add(at+".comparison", "error.option", "value", g.Comparison)
	}
	if g.Metric == "" {
		// qualitative: progress is a reported percent
		g.Baseline, g.Goal = 0, 100
	} else if m, err := k.s.metrics.Get(k.ctx, g.Metric); errors.Is(err, fault.ErrNotFound) {
		ch.Add(at+".metric", "metric.unknown", "code", g.Metric)
	} else if err != nil {
		return err
	} else if m.Unit == "%" && (g.Goal < 0 || g.Goal > 100 || g.Baseline < 0 || g.Baseline > 100) {
		ch.Add(at+".goal", "plan.target.unit_mismatch", "unit", m.Unit)
	} else if g.Comparison == AtLeast && g.Goal < g.Baseline || g.Comparison == AtMost && g.Goal > g.Baseline {
		ch.Add(at+".goal", "plan.target.direction")
	}
	seen := map[string]bool{}
	for i := range g.Allotments {
		a := &g.Allotments[i]
		af := fmt.Sprintf("%s.allotments[%d]", at, i)
		a.Unit = strings.TrimSpace(a.Unit)
		if u, err := k.inOwner(a.Unit); err != nil {
			return err
		} else if u == nil {
			ch.Add(af+".unit", "plan.unit.scope", "code", a.Unit)
		} else if seen[a.Unit] {
			ch.Add(af+".unit", "plan.allotment.twice", "code", a.Unit)
		}
		seen[a.Unit] = true
		if a.Goal < 0 {
			ch.Add(af+".goal", "plan.allotment.negative")
		}
	}
	return nil
}

// Create checks a spec and writes the plan, audited; nothing is written
// when anything in it is refused.
func (s *Service) Create(ctx context.Context, c Caller, sp Spec) (int64, error) {
	k, err := s.check(ctx, c, &sp)
	if err != nil {
		return 0, err
	}
	yellow, red, near := 0.1, 0.25, 14
	if sp.YellowMargin != nil {
		yellow = *sp.YellowMargin
	}
	if sp.RedMargin != nil {
		red = *sp.RedMargin
	}
	if sp.NearDays != nil {
		near = *sp.NearDays
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		now := s.Now()
		if err := q.QueryRowContext(ctx, `INSERT INTO plans(title, period, unit_id, yellow_margin, red_margin, near_days, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, sp.Title, sp.Period, k.owner.ID, yellow, red, near, now).Scan(&id); err != nil {
			return fmt.Errorf("create plan: %w", err)
		}
		if r := sp.RemindRule; r != nil {
			if _, err := q.ExecContext(ctx, `INSERT INTO plan_remind_rules(plan_id, lights, every_days) VALUES ($1, $2, $3)`,
				id, strings.Join(r.Lights, ","), r.EveryDays); err != nil {
				return fmt.Errorf("create remind rule: %w", err)
			}
		}
		seq := 0
		for i, sec := range sp.Sections {
			var secID int64
			if err := q.QueryRowContext(ctx, `INSERT INTO plan_sections(plan_id, seq, title) VALUES ($1, $2, $3) RETURNING id`,
				id, i+1, sec.Title).Scan(&secID); err != nil {
				return fmt.Errorf("create plan section: %w", err)
			}
			for _, t := range sec.Tasks {
				seq++
				var taskID int64
				if err := q.QueryRowContext(ctx, `INSERT INTO plan_tasks(plan_id, section_id, seq, title, body, lead_unit_id, cooperating,
					start_on, due_on, state, percent, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 1, $11) RETURNING id`,
					id, secID, seq, t.Title, t.Body, k.units[t.Lead].ID, strings.Join(t.Cooperating, ","), t.Start, t.Due, Assigned, now).Scan(&taskID); err != nil {
					return fmt.Errorf("create plan task: %w", err)
				}
				if _, err := q.ExecContext(ctx, `INSERT INTO plan_task_events(task_id, action, state, percent, note, actor_name, created_at)
					VALUES ($1, 'assign', $2, 0, '', $3, $4)`, taskID, Assigned, actorName(ctx), now); err != nil {
					return err
				}
				for mi, m := range t.Milestones {
					if _, err := q.ExecContext(ctx, `INSERT INTO plan_milestones(task_id, seq, title, due_on) VALUES ($1, $2, $3, $4)`,
						taskID, mi+1, m.Title, m.Due); err != nil {
						return fmt.Errorf("create milestone: %w", err)
					}
				}
				for gi, g := range t.Targets {
					var gid int64
					if err := q.QueryRowContext(ctx, `INSERT INTO plan_targets(task_id, seq, title, metric, comparison, baseline, goal)
						VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, taskID, gi+1, g.Title, g.Metric, g.Comparison, g.Baseline, g.Goal).Scan(&gid); err != nil {
						return fmt.Errorf("create plan target: %w", err)
					}
					for _, a := range g.Allotments {
						if _, err := q.ExecContext(ctx, `INSERT INTO plan_allotments(target_id, unit_id, goal) VALUES ($1, $2, $3)`,
							gid, k.units[a.Unit].ID, a.Goal); err != nil {
							return fmt.Errorf("create allotment: %w", err)
						}
					}
				}
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "create", Entity: "plan", EntityID: strconv.FormatInt(id, 10), UnitPath: k.owner.Path, After: sp})
	})
	return id, err
}
