package plan

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

// Decisions on a progress report.
const (
	AcceptReport = "accept" // the report counts toward the task's qualitative targets
	ReturnReport = "return" // it does not; the reason says why
)

// Review is the plan owner's decision on a progress report of a task with
// a qualitative target, with the reason when it is returned.
type Review struct {
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
}

// Reviewable says whether the task's progress reports wait for the plan
// owner's review: it has a qualitative target and is not closed.
func (t Task) Reviewable() bool {
	return t.State != Closed && slices.ContainsFunc(t.Targets, func(g Target) bool { return g.Metric == "" })
}

// ReviewReport accepts or returns (with a reason) a pending progress
// report of a task; only the plan's unit (inspect permission there)
// reviews, and only reports of a task with a qualitative target, once
// each. An accepted report's percent is then the progress of the task's
// qualitative targets; a returned one never counts. Audited.
func (s *Service) ReviewReport(ctx context.Context, c Caller, taskID, eventID int64, r Review) (Task, error) {
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.Task(ctx, c, taskID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(t.Events, func(e Event) bool { return e.ID == eventID && e.Action == Report })
		if i < 0 {
			return fault.NotFound("report", eventID)
		}
		e := t.Events[i]
		ownerPath, err := s.ownerPath(ctx, t.PlanID)
		if err != nil {
			return err
		}
		if !c.Supervise.Contains(ownerPath) {
			return fmt.Errorf("review report %d: %w", eventID, fault.ErrForbidden)
		}
		switch {
		case t.State == Closed:
			return fault.ConflictField("decision", "plan.task.closed")
		case !t.Reviewable():
			return fault.ConflictField("decision", "plan.review.quantitative")
		case e.Review != Pending:
			return fault.ConflictField("decision", "plan.review.done", "review", e.Review)
		}
		ch := &fault.Check{}
		r.Note = strings.TrimSpace(r.Note)
		review := ""
		switch r.Decision {
		case AcceptReport:
			review = Accepted
		case ReturnReport:
			review = Returned
			if r.Note == "" {
				ch.Add("note", "plan.return.reason")
			}
		default:
			ch.Add("decision", "error.option", "value", r.Decision)
		}
		if utf8.RuneCountInString(r.Note) > MaxText {
			ch.Add("note", "error.too_long", "max", MaxText)
		}
		if err := ch.Err(); err != nil {
			return err
		}
		res, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE plan_task_events SET review = $1, review_note = $2, reviewed_by = $3, reviewed_at = $4
			WHERE id = $5 AND task_id = $6 AND review = $7`, review, r.Note, actorName(ctx), s.Now(), eventID, taskID, Pending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.ConflictField("decision", "error.stale", "version", t.Version)
		}
		return s.audit.Record(ctx, audit.Change{Action: "plan_task." + r.Decision + "_report", Entity: "plan_task", EntityID: strconv.FormatInt(taskID, 10),
			UnitPath: t.leadPath, Before: map[string]any{"report": eventID, "percent": e.Percent, "review": Pending, "accepted": t.Accepted},
			After: map[string]any{"report": eventID, "review": review, "note": r.Note}})
	})
	if err != nil {
		return Task{}, err
	}
	return s.Task(ctx, c, taskID)
}

// SupervisesTask says whether the caller closes, returns and reviews t:
// it supervises the plan's unit.
func (s *Service) SupervisesTask(ctx context.Context, c Caller, t Task) bool {
	path, err := s.ownerPath(ctx, t.PlanID)
	return err == nil && c.Supervise.Contains(path)
}
