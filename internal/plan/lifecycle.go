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
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

// Step is an action on a task: what, a note, for a progress report the
// percent done, for a milestone which one, and the evidence: files the
// caller uploaded, attached to a progress or completion report.
type Step struct {
	Action    string  `json:"action"`
	Note      string  `json:"note,omitempty"`
	Percent   *int    `json:"percent,omitempty"`
	Milestone int64   `json:"milestone,omitempty"`
	Files     []int64 `json:"files,omitempty"`
}

// moves is a task's lifecycle: the lead unit acknowledges, reports,
// reaches milestones and reports completion; the plan's unit closes or
// returns.
var moves = Lifecycle{
	Order: []string{Acknowledge, Report, Reach, Complete, Close, Return},
	Moves: map[string]Move{
		Acknowledge: {[]string{Assigned}, Acknowledged, true},
		Report:      {[]string{Acknowledged, InProgress}, InProgress, true},
		Reach:       {[]string{Acknowledged, InProgress}, InProgress, true},
		Complete:    {[]string{Acknowledged, InProgress}, Reported, true},
		Close:       {[]string{Reported}, Closed, false},
		Return:      {[]string{Reported}, InProgress, false},
	},
	Done: Closed, Final: "plan.task.closed", Transition: "plan.task.transition",
}

// Task returns a task the caller sees, with its history.
func (s *Service) Task(ctx context.Context, c Caller, id int64) (Task, error) {
	var planID int64
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT plan_id FROM plan_tasks WHERE id = $1`, id).Scan(&planID)
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, fault.NotFound("task", id)
	} else if err != nil {
		return Task{}, err
	}
	p, err := s.header(ctx, c, planID)
	if errors.Is(err, fault.ErrNotFound) {
		return Task{}, fault.NotFound("task", id)
	} else if err != nil {
		return Task{}, err
	}
	ts, err := s.tasks(ctx, c, p, id, false)
	if err != nil {
		return Task{}, err
	}
	if len(ts) == 0 {
		return Task{}, fault.NotFound("task", id)
	}
	t := ts[0]
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, action, state, percent, note, actor_name, created_at, review, review_note,
		reviewed_by, reviewed_at FROM plan_task_events WHERE task_id = $1 ORDER BY id`, id)
	if err != nil {
		return Task{}, err
	}
	defer rows.Close()
	t.Events = []Event{}
	for rows.Next() {
		var e Event
		var at sql.NullTime
		if err := rows.Scan(&e.ID, &e.Action, &e.State, &e.Percent, &e.Note, &e.Actor, &e.CreatedAt, &e.Review, &e.ReviewNote,
			&e.ReviewedBy, &at); err != nil {
			return Task{}, err
		}
		if at.Valid {
			v := at.Time.UTC()
			e.ReviewedAt = &v
		}
		t.Events = append(t.Events, e)
	}
	if err := rows.Err(); err != nil {
		return Task{}, err
	}
	rows.Close()
	if err := s.evidence(ctx, &t); err != nil {
		return Task{}, err
	}
	return t, nil
}

// Act takes a step of a task's lifecycle: the lead unit acknowledges,
// reports progress (with evidence), reaches milestones and reports
// completion; the plan's unit closes or returns (with a reason). A step
// the lifecycle does not allow from the task's state is a conflict;
// nothing is written.
func (s *Service) Act(ctx context.Context, c Caller, id int64, st Step) (Task, error) {
	var t Task
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		t, err = s.Check(ctx, c, id, &st)
		if err != nil {
			return err
		}
		if err := s.checkFiles(ctx, c, st); err != nil {
			return err
		}
		return s.write(ctx, t, st)
	})
	if err != nil {
		return Task{}, err
	}
	return s.Task(ctx, c, id)
}

// Check says whether the caller may take st on the task now, and
// whether its note, percent and milestone are right, without the
// evidence (the page checks the step before it stores the files).
// It returns the task and trims st.
func (s *Service) Check(ctx context.Context, c Caller, id int64, st *Step) (Task, error) {
	t, err := s.Task(ctx, c, id)
	if err != nil {
		return Task{}, err
	}
	ownerPath, err := s.ownerPath(ctx, t.PlanID)
	if err != nil {
		return Task{}, err
	}
	if _, err := moves.Check(st.Action, t.State, c.Report.Contains(t.leadPath), c.Supervise.Contains(ownerPath)); err != nil {
		return Task{}, fmt.Errorf("task %d: %w", id, err)
	}
	ch := &fault.Check{}
	st.Note = strings.TrimSpace(st.Note)
	if utf8.RuneCountInString(st.Note) > MaxText {
		ch.Add("note", "error.too_long", "max", MaxText)
	}
	switch st.Action {
	case Report:
		if st.Percent == nil {
			ch.Add("percent", "error.required")
		} else if *st.Percent < 0 || *st.Percent > 100 {
			ch.Add("percent", "plan.percent.range")
		}
		if st.Note == "" {
			ch.Add("note", "error.required")
		}
	case Reach:
		i := slices.IndexFunc(t.Milestones, func(m Milestone) bool { return m.ID == st.Milestone })
		if i < 0 {
			ch.Add("milestone", "plan.milestone.unknown")
		} else if t.Milestones[i].Done != "" {
			return Task{}, fault.ConflictField("milestone", "plan.milestone.done", "title", t.Milestones[i].Title)
		}
	case Return:
		if st.Note == "" {
			ch.Add("note", "plan.return.reason")
		}
	}
	if len(st.Files) > 0 && st.Action != Report && st.Action != Complete && st.Action != Reach {
		ch.Add("files", "plan.evidence.action")
	}
	if len(st.Files) > MaxEvidence {
		ch.Add("files", "error.too_many", "max", MaxEvidence)
	}
	return t, ch.Err()
}

// write records a checked step: the task's new state, the event, its
// evidence, a milestone reached, and the audit entry.
func (s *Service) write(ctx context.Context, t Task, st Step) error {
	mv := moves.Moves[st.Action]
	percent := t.Percent
	switch st.Action {
	case Report:
		percent = *st.Percent
	case Complete:
		percent = 100
	}
	q := s.db.Q(ctx)
	now := s.Now()
	res, err := q.ExecContext(ctx, `UPDATE plan_tasks SET state = $1, percent = $2, version = version + 1, updated_at = $3
		WHERE id = $4 AND version = $5`, mv.To, percent, now, t.ID, t.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fault.ConflictField("version", "error.stale", "version", t.Version)
	}
	note := st.Note
	if st.Action == Reach {
		for _, m := range t.Milestones {
			if m.ID == st.Milestone {
				note = strings.TrimSpace(m.Title + "\n" + note)
			}
		}
		if _, err := q.ExecContext(ctx, `UPDATE plan_milestones SET done_on = $1 WHERE id = $2 AND task_id = $3`,
			now.Format(time.DateOnly), st.Milestone, t.ID); err != nil {
			return err
		}
	}
	var eventID int64
	review := "" // a progress report waits for the owner's review
	if st.Action == Report {
		review = Pending
	}
	if err := q.QueryRowContext(ctx, `INSERT INTO plan_task_events(task_id, action, state, percent, note, actor_name, created_at, review)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, t.ID, st.Action, mv.To, percent, note, actorName(ctx), now, review).Scan(&eventID); err != nil {
		return err
	}
	for _, f := range st.Files {
		if _, err := q.ExecContext(ctx, `INSERT INTO plan_evidence(task_id, event_id, file_id) VALUES ($1, $2, $3)`, t.ID, eventID, f); err != nil {
			return err
		}
	}
	after := map[string]any{"state": mv.To, "percent": percent, "note": note}
	if len(st.Files) > 0 {
		after["files"] = st.Files
	}
	if st.Milestone != 0 {
		after["milestone"] = st.Milestone
	}
	return s.audit.Record(ctx, audit.Change{Action: "plan_task." + st.Action, Entity: "plan_task", EntityID: strconv.FormatInt(t.ID, 10),
		UnitPath: t.leadPath, Before: map[string]any{"state": t.State, "percent": t.Percent}, After: after})
}

// Allowed lists the steps the caller may take on t now.
func (s *Service) Allowed(ctx context.Context, c Caller, t Task) []string {
	ownerPath, err := s.ownerPath(ctx, t.PlanID)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range moves.Allowed(t.State, c.Report.Contains(t.leadPath), c.Supervise.Contains(ownerPath)) {
		if a == Reach && !slices.ContainsFunc(t.Milestones, func(m Milestone) bool { return m.Done == "" }) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// Supervises says whether the caller closes, returns and reminds on p's
// tasks.
func (s *Service) Supervises(c Caller, p Plan) bool { return c.Supervise.Contains(p.unitPath) }

// ownerPath is the path of the plan's unit, whose inspectors close,
// return and review its tasks.
func (s *Service) ownerPath(ctx context.Context, planID int64) (string, error) {
	var path string
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT o.path FROM plans p JOIN units o ON o.id = p.unit_id WHERE p.id = $1`, planID).Scan(&path)
	return path, err
}
