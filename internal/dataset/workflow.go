package dataset

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// Action is a step of a form's approval up the tree.
type Action string

// The steps. A unit submits; the unit above approves (the root's
// approval accepts) or returns it with a reason; each approval moves it
// one level up. Withdraw takes back the last step: an approval (by an
// approver at that level or above) or a submission not yet approved (by
// the unit itself or the approver above).
const (
	ActSubmit   Action = "submit"
	ActApprove  Action = "approve"
	ActReturn   Action = "return"
	ActWithdraw Action = "withdraw"
)

// Actions lists the steps.
var Actions = []Action{ActSubmit, ActApprove, ActReturn, ActWithdraw}

// MaxReason bounds a return's reason.
const MaxReason = 500

// permitted says whether the caller may take step a on the form of unit
// u in state st, whose last approver is at levelPath: nil, a conflict
// (the state does not allow it) or a refusal naming why.
func permitted(acc Access, u unit.Unit, st, levelPath string, a Action) error {
	next := nextLevel(u.Path, st, levelPath)
	wrongState := fault.ConflictField("state", "dataset.transition", "action", string(a), "state", st)
	switch a {
	case ActSubmit:
		if st != StateNone && st != StateDraft && st != StateReturned {
			return wrongState
		}
		if !acc.Enter.Contains(u.Path) {
			return forbid("unit", "dataset.enter.forbidden", "unit", u.Code)
		}
	case ActApprove, ActReturn:
		if st != StateSubmitted && st != StateApproved {
			return wrongState
		}
		if !acc.Approve.Contains(next) {
			return forbid("unit", "dataset.approve.not_above", "unit", u.Code, "level", lastCode(next))
		}
	case ActWithdraw:
		switch st {
		case StateSubmitted:
			if !acc.Enter.Contains(u.Path) && !acc.Approve.Contains(next) {
				return forbid("unit", "dataset.withdraw.role")
			}
		case StateApproved, StateAccepted:
			if !acc.Approve.Contains(levelPath) {
				return forbid("unit", "dataset.withdraw.role")
			}
		default:
			return wrongState
		}
	default:
		return fault.InvalidField("action", "error.option", "value", string(a))
	}
	return nil
}

// Act takes a step of the approval of a unit's form for a period: the
// state changes, the history and the audit log record it (with the
// reason of a return), and a returned form leaves a message in the
// unit's inbox. Submitting needs the window open, every required value
// and no failed error rule. Approved and accepted forms are locked.
func (s *Service) Act(ctx context.Context, acc Access, code, unitCode, periodID string, a Action, reason string) (*Form, error) {
	if !slices.Contains(Actions, a) {
		return nil, fault.InvalidField("action", "error.option", "value", string(a))
	}
	t, err := s.resolve(ctx, acc, code, unitCode, periodID)
	if err != nil {
		return nil, err
	}
	d, u, p := t.ds, t.u, t.p
	if !d.Assigned(u) {
		return nil, fault.InvalidField("unit", "dataset.unit.not_assigned", "unit", u.Code)
	}
	reason = strings.TrimSpace(reason)
	switch {
	case a == ActReturn && reason == "":
		return nil, fault.InvalidField("reason", "error.required")
	case utf8.RuneCountInString(reason) > MaxReason:
		return nil, fault.InvalidField("reason", "error.too_long", "max", MaxReason)
	case strings.ContainsRune(reason, 0):
		return nil, fault.InvalidField("reason", "error.bad_text")
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		sub, err := s.lockSubmission(ctx, d.ID, u.ID, p.ID)
		if err != nil {
			return err
		}
		levelPath := ""
		if sub.LevelID.Valid {
			paths, err := s.units.PathsByID(ctx, []int64{sub.LevelID.Int64})
			if err != nil {
				return err
			}
			levelPath = paths[sub.LevelID.Int64]
		}
		if err := permitted(acc, u, sub.State, levelPath, a); err != nil {
			return err
		}
		from := sub.State
		to, level, action := from, sql.NullInt64{}, string(a)
		submittedAt, submittedBy := sub.SubmittedAt, sub.SubmittedBy
		switch a {
		case ActSubmit:
			if err := s.canSubmit(ctx, acc, t); err != nil {
				return err
			}
			to, reason = StateSubmitted, ""
			submittedAt = sql.NullTime{Time: time.Now().UTC(), Valid: true}
			submittedBy = actorName(ctx)
		case ActApprove:
			next := nextLevel(u.Path, from, levelPath)
			if level, err = s.unitID(ctx, next); err != nil {
				return err
			}
			to = StateApproved
			if parentPath(next) == "" {
				to, action = StateAccepted, "accept"
			}
		case ActReturn:
			to = StateReturned
		case ActWithdraw:
			switch from {
			case StateSubmitted:
				to = StateDraft
			default:
				// one level back: the child of the last approver on the way to the unit
				codes := unit.Ancestors(u.Path)
				i := slices.Index(codes, lastCode(levelPath))
				if i < 0 || i+1 >= len(codes) || codes[i+1] == u.Code {
					to = StateSubmitted
				} else {
					to = StateApproved
					if level, err = s.unitID(ctx, pathOf(codes[:i+2])); err != nil {
						return err
					}
				}
			}
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE dataset_submissions SET state = $1, level_unit_id = $2, reason = $3,
			submitted_at = $4, submitted_by = $5, updated_at = $6 WHERE id = $7`,
			to, level, reason, submittedAt, submittedBy, time.Now().UTC(), sub.ID); err != nil {
			return err
		}
		actingLevel := level
		if a == ActReturn || a == ActWithdraw {
			actingLevel = sub.LevelID
		}
		if err := s.record(ctx, sub, u, formID(d.Code, u.Code, p.ID), action, from, to, actingLevel, reason,
			map[string]any{"state": from}, map[string]any{"state": to, "reason": reason}); err != nil {
			return err
		}
		if a == ActReturn {
			return s.send(ctx, []unit.Unit{u}, Message{Kind: KindReturned, DataSet: d.Code, Period: p.ID, Body: reason,
				Link: EntryLink(d.Code, u.Code, p.ID), FromUnit: lastCode(nextLevel(u.Path, from, levelPath))})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.form(ctx, acc, t)
}

// canSubmit checks what a submission needs besides the state: an open
// window, every required value, no failed error rule.
func (s *Service) canSubmit(ctx context.Context, acc Access, t target) error {
	if !acc.System {
		w, err := s.window(ctx, t.ds, t.u.ID, t.p)
		if err != nil {
			return err
		}
		if !w.Open {
			return w.refusal()
		}
	}
	vals, _, err := s.readCells(ctx, t.ds.ID, t.u.ID, t.p.ID)
	if err != nil {
		return err
	}
	c := &fault.Check{}
	for _, it := range t.ds.Metrics {
		if !it.Required {
			continue
		}
		for _, cat := range it.Cells() {
			if _, ok := vals[cellKey{it.Code, cat}]; !ok {
				c.Add(cellName(it.Code, cat), "dataset.value.required", "name", it.NameZH)
			}
		}
	}
	if err := c.Err(); err != nil {
		return err
	}
	return ruleErrors(failures(t.ds.evaluate(vals), SeverityError))
}

// unitID is the id of the unit at path.
func (s *Service) unitID(ctx context.Context, path string) (sql.NullInt64, error) {
	ids, err := s.units.IDsOfPath(ctx, path)
	if err != nil || len(ids) == 0 {
		return sql.NullInt64{}, err
	}
	return sql.NullInt64{Int64: ids[len(ids)-1], Valid: true}, nil
}

func actorName(ctx context.Context) string {
	if n := audit.ActorFrom(ctx).Name; n != "" {
		return n
	}
	return "system"
}
