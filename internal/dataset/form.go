package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/unit"
)

// The states of a form. A form nobody has touched is "none".
const (
	StateNone      = "none"
	StateDraft     = "draft"
	StateSubmitted = "submitted"
	StateApproved  = "approved" // by an ancestor below the root: Level
	StateAccepted  = "accepted" // by the root
	StateReturned  = "returned" // with a reason, back to the unit
)

// States lists the states in the order pages show them.
var States = []string{StateNone, StateDraft, StateReturned, StateSubmitted, StateApproved, StateAccepted}

// Locked says whether values of a form in state st may not change.
func Locked(st string) bool {
	return st == StateSubmitted || st == StateApproved || st == StateAccepted
}

// Done says whether a form in state st has been submitted (and is not
// back with the unit).
func Done(st string) bool { return Locked(st) }

// submission is the stored state of one form.
type submission struct {
	ID          int64
	State       string
	LevelID     sql.NullInt64
	Reason      string
	SubmittedAt sql.NullTime
	SubmittedBy string
}

func (s *Service) loadSubmission(ctx context.Context, datasetID, unitID int64, periodID string) (*submission, error) {
	sub := &submission{}
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, state, level_unit_id, reason, submitted_at, submitted_by FROM dataset_submissions
		WHERE dataset_id = $1 AND unit_id = $2 AND period = $3`, datasetID, unitID, periodID).
		Scan(&sub.ID, &sub.State, &sub.LevelID, &sub.Reason, &sub.SubmittedAt, &sub.SubmittedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return &submission{State: StateNone}, nil
	}
	return sub, err
}

// lockSubmission returns the form's state inside a write transaction,
// creating it as a draft, and holds its row until the transaction ends
// (on PostgreSQL the UPDATE takes the row lock; SQLite has one writer),
// so two writes to one form run one after the other.
func (s *Service) lockSubmission(ctx context.Context, datasetID, unitID int64, periodID string) (*submission, error) {
	now := time.Now().UTC()
	q := s.db.Q(ctx)
	if _, err := q.ExecContext(ctx, `INSERT INTO dataset_submissions(dataset_id, unit_id, period, state, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (dataset_id, unit_id, period) DO NOTHING`, datasetID, unitID, periodID, StateDraft, now); err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE dataset_submissions SET version = version + 1, updated_at = $1
		WHERE dataset_id = $2 AND unit_id = $3 AND period = $4`, now, datasetID, unitID, periodID); err != nil {
		return nil, err
	}
	return s.loadSubmission(ctx, datasetID, unitID, periodID)
}

// record writes an event of the form's history and its audit entry.
func (s *Service) record(ctx context.Context, sub *submission, u unit.Unit, id, action, from, to string, level sql.NullInt64, reason string, before, after any) error {
	a := audit.ActorFrom(ctx)
	var actor any
	if a.UserID != 0 {
		actor = a.UserID
	}
	name := actorName(ctx)
	if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO dataset_events(submission_id, action, from_state, to_state, level_unit_id, reason, actor_id, actor_name, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, sub.ID, action, from, to, level, reason, actor, name, time.Now().UTC()); err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Change{Action: "form_" + action, Entity: "dataset_form", EntityID: id, UnitPath: u.Path, Before: before, After: after})
}

// Value is one cell of a form.
type Value struct {
	Metric   string `json:"metric"`
	Category string `json:"category"`
	// Value is an integer, or decimal text ("12.50") for scaled types;
	// null when nothing was entered.
	Value     any        `json:"value"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// Event is a step of a form's history.
type Event struct {
	Action string    `json:"action"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Level  string    `json:"level,omitempty"` // the unit acting: the approver's level
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Form is one unit's form for one period: its values, state, window,
// the checks of its rules and its history.
type Form struct {
	DataSet      string      `json:"dataset"`
	Version      int         `json:"dataset_version"`
	Unit         string      `json:"unit"`
	UnitNameZH   string      `json:"unit_name_zh"`
	UnitNameEN   string      `json:"unit_name_en"`
	Period       string      `json:"period"`
	State        string      `json:"state"`
	Reason       string      `json:"reason,omitempty"`
	Level        string      `json:"level,omitempty"`
	NextApprover string      `json:"next_approver,omitempty"`
	SubmittedAt  *time.Time  `json:"submitted_at,omitempty"`
	SubmittedBy  string      `json:"submitted_by,omitempty"`
	Window       WindowState `json:"window"`
	Editable     bool        `json:"editable"`
	// Actions are the workflow steps the caller may take now.
	Actions []string `json:"actions"`
	Values  []Value  `json:"values"`
	// Missing are the required cells without a value ("metric" or "metric.category").
	Missing []string `json:"missing"`
	Results []Result `json:"results"`
	History []Event  `json:"history"`

	// Warnings are the failed warning rules of the save that returned the form.
	Warnings []Result `json:"warnings,omitempty"`

	cells map[cellKey]int64
}

// Text returns a cell's value as text for a form input ("" when empty).
func (f *Form) Text(metricCode, cat string) string {
	for _, v := range f.Values {
		if v.Metric == metricCode && v.Category == cat && v.Value != nil {
			return fmt.Sprint(v.Value)
		}
	}
	return ""
}

// cellName names a cell in errors and lists: the metric, or metric.category.
func cellName(metricCode, cat string) string {
	if cat == "" {
		return metricCode
	}
	return metricCode + "." + cat
}

// readCells reads a form's stored values.
func (s *Service) readCells(ctx context.Context, datasetID, unitID int64, periodID string) (map[cellKey]int64, map[cellKey]Value, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT metric, cat, val, updated_name, updated_at FROM dataset_values
		WHERE dataset_id = $1 AND unit_id = $2 AND period = $3`, datasetID, unitID, periodID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	vals, meta := map[cellKey]int64{}, map[cellKey]Value{}
	for rows.Next() {
		var k cellKey
		var v int64
		var by string
		var at time.Time
		if err := rows.Scan(&k.metric, &k.cat, &v, &by, &at); err != nil {
			return nil, nil, err
		}
		vals[k] = v
		at = at.UTC()
		meta[k] = Value{UpdatedBy: by, UpdatedAt: &at}
	}
	return vals, meta, rows.Err()
}

// target is a form being read or changed: its data set, unit and period.
type target struct {
	ds *DataSet
	u  unit.Unit
	p  period.Period
}

// resolve finds the data set, the unit in the caller's read scope and
// the period of the data set's type.
func (s *Service) resolve(ctx context.Context, acc Access, code, unitCode, periodID string) (target, error) {
	d, err := s.Get(ctx, code)
	if err != nil {
		return target{}, err
	}
	unitCode = strings.TrimSpace(unitCode)
	if unitCode == "" {
		return target{}, fault.InvalidField("unit", "error.required")
	}
	u, err := s.units.Get(ctx, acc.Read, unitCode)
	if err != nil {
		return target{}, err
	}
	if strings.TrimSpace(periodID) == "" {
		return target{}, fault.InvalidField("period", "error.required")
	}
	p, err := d.Period(strings.TrimSpace(periodID))
	if err != nil {
		return target{}, err
	}
	return target{ds: d, u: u, p: p}, nil
}

// Form returns a unit's form for a period, if the unit lies in the
// caller's read scope. A unit the data set is not assigned to has no form.
func (s *Service) Form(ctx context.Context, acc Access, code, unitCode, periodID string) (*Form, error) {
	t, err := s.resolve(ctx, acc, code, unitCode, periodID)
	if err != nil {
		return nil, err
	}
	if !t.ds.Assigned(t.u) {
		return nil, fault.InvalidField("unit", "dataset.unit.not_assigned", "unit", t.u.Code)
	}
	return s.form(ctx, acc, t)
}

func (s *Service) form(ctx context.Context, acc Access, t target) (*Form, error) {
	d, u, p := t.ds, t.u, t.p
	sub, err := s.loadSubmission(ctx, d.ID, u.ID, p.ID)
	if err != nil {
		return nil, err
	}
	vals, meta, err := s.readCells(ctx, d.ID, u.ID, p.ID)
	if err != nil {
		return nil, err
	}
	f := &Form{DataSet: d.Code, Version: d.Version, Unit: u.Code, UnitNameZH: u.NameZH, UnitNameEN: u.NameEN, Period: p.ID,
		State: sub.State, Reason: sub.Reason, SubmittedBy: sub.SubmittedBy, Values: []Value{}, Missing: []string{}, History: []Event{},
		Actions: []string{}, cells: vals}
	if sub.SubmittedAt.Valid {
		at := sub.SubmittedAt.Time.UTC()
		f.SubmittedAt = &at
	}
	if f.Window, err = s.window(ctx, d, u.ID, p); err != nil {
		return nil, err
	}
	for _, it := range d.Metrics {
		fld := it.field()
		for _, c := range it.Cells() {
			k := cellKey{it.Code, c}
			v := meta[k]
			v.Metric, v.Category = it.Code, c
			if x, ok := vals[k]; ok {
				v.Value = fld.JSONValue(x)
			} else if it.Required {
				f.Missing = append(f.Missing, cellName(it.Code, c))
			}
			f.Values = append(f.Values, v)
		}
	}
	f.Results = d.evaluate(vals)
	level := ""
	if sub.LevelID.Valid {
		paths, err := s.units.PathsByID(ctx, []int64{sub.LevelID.Int64})
		if err != nil {
			return nil, err
		}
		level = paths[sub.LevelID.Int64]
		f.Level = lastCode(level)
	}
	next := nextLevel(u.Path, sub.State, level)
	f.NextApprover = lastCode(next)
	f.Editable = acc.Enter.Contains(u.Path) && (f.Window.Open || acc.System) && !Locked(sub.State)
	for _, a := range []Action{ActSubmit, ActApprove, ActReturn, ActWithdraw} {
		if permitted(acc, u, sub.State, level, a) == nil && (a != ActSubmit || f.Editable) {
			f.Actions = append(f.Actions, string(a))
		}
	}
	if sub.ID != 0 {
		if f.History, err = s.history(ctx, sub.ID); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// nextLevel is the path of the unit that approves next: the parent of
// the unit (of the last approver, once approved); the root approves its
// own form. "" when nobody does (accepted, or not submitted).
func nextLevel(unitPath, state, levelPath string) string {
	switch state {
	case StateSubmitted:
		if p := parentPath(unitPath); p != "" {
			return p
		}
		return unitPath
	case StateApproved:
		return parentPath(levelPath)
	}
	return ""
}

func (s *Service) history(ctx context.Context, subID int64) ([]Event, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT action, from_state, to_state, level_unit_id, reason, actor_name, at FROM dataset_events
		WHERE submission_id = $1 ORDER BY id`, subID)
	if err != nil {
		return nil, err
	}
	var out []Event
	var levels []sql.NullInt64
	for rows.Next() {
		var e Event
		var lvl sql.NullInt64
		if err := rows.Scan(&e.Action, &e.From, &e.To, &lvl, &e.Reason, &e.By, &e.At); err != nil {
			rows.Close()
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
		levels = append(levels, lvl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var ids []int64
	for _, l := range levels {
		if l.Valid {
			ids = append(ids, l.Int64)
		}
	}
	paths, err := s.units.PathsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, l := range levels {
		if l.Valid {
			out[i].Level = lastCode(paths[l.Int64])
		}
	}
	if out == nil {
		out = []Event{}
	}
	return out, nil
}
