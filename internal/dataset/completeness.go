package dataset

import (
	"context"
	"sort"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// UnitStatus is where one reporting unit's form for a period stands.
type UnitStatus struct {
	Unit         string     `json:"unit"`
	NameZH       string     `json:"name_zh"`
	NameEN       string     `json:"name_en"`
	Type         string     `json:"type"`
	Parent       string     `json:"parent,omitempty"`
	Depth        int        `json:"depth"`
	State        string     `json:"state"`
	Level        string     `json:"level,omitempty"`
	NextApprover string     `json:"next_approver,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	SubmittedBy  string     `json:"submitted_by,omitempty"`
	// Late units have not submitted (nothing, a draft, or returned).
	Late bool   `json:"late"`
	Path string `json:"-"`

	levelPath string
}

// Actions are the approval steps the caller may take on the unit's form
// now (submitting is done from the form itself).
func (st UnitStatus) Actions(acc Access) []string {
	u := unit.Unit{Code: st.Unit, Path: st.Path}
	out := []string{}
	for _, a := range []Action{ActApprove, ActReturn, ActWithdraw} {
		if permitted(acc, u, st.State, st.levelPath, a) == nil {
			out = append(out, string(a))
		}
	}
	return out
}

// CanRemind says whether the caller may remind the late units below the
// unit at path: it approves or manages there.
func (a Access) CanRemind(path string) bool {
	return a.Approve.Contains(path) || a.Manage.Contains(path)
}

// Summary counts the forms of the reporting units in one subtree.
type Summary struct {
	Unit      string `json:"unit"`
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en"`
	Total     int    `json:"total"`
	Submitted int    `json:"submitted"`
	Accepted  int    `json:"accepted"`
}

// Completeness is which reporting units below a unit have submitted a
// period, and which are late.
type Completeness struct {
	DataSet   string `json:"dataset"`
	Unit      string `json:"unit"`
	Period    string `json:"period"`
	Total     int    `json:"total"`
	Submitted int    `json:"submitted"`
	Accepted  int    `json:"accepted"`
	Late      int    `json:"late"`
	// Children sums the units below each child of the unit.
	Children []Summary    `json:"children"`
	Units    []UnitStatus `json:"units"`
}

// Completeness lists every reporting unit in the subtree of unitCode
// (which must lie in the caller's read scope), in tree order, with the
// state of its form for the period.
func (s *Service) Completeness(ctx context.Context, acc Access, code, unitCode, periodID string) (*Completeness, error) {
	t, err := s.resolve(ctx, acc, code, unitCode, periodID)
	if err != nil {
		return nil, err
	}
	d, u, p := t.ds, t.u, t.p
	units, err := s.reporting(ctx, d, u)
	if err != nil {
		return nil, err
	}
	var args store.Args
	q := `SELECT unit_id, state, level_unit_id, reason, submitted_at, submitted_by FROM dataset_submissions
		WHERE dataset_id = ` + args.Add(d.ID) + ` AND period = ` + args.Add(p.ID) + ` AND ` + unit.Subtrees(u.Path).IDCond("unit_id", &args)
	rows, err := s.db.Q(ctx).QueryContext(ctx, q, args.Values()...)
	if err != nil {
		return nil, err
	}
	subs := map[int64]submission{}
	var levelIDs []int64
	for rows.Next() {
		var id int64
		var sub submission
		if err := rows.Scan(&id, &sub.State, &sub.LevelID, &sub.Reason, &sub.SubmittedAt, &sub.SubmittedBy); err != nil {
			rows.Close()
			return nil, err
		}
		subs[id] = sub
		if sub.LevelID.Valid {
			levelIDs = append(levelIDs, sub.LevelID.Int64)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	levels, err := s.units.PathsByID(ctx, levelIDs)
	if err != nil {
		return nil, err
	}
	out := &Completeness{DataSet: d.Code, Unit: u.Code, Period: p.ID, Units: []UnitStatus{}, Children: []Summary{}}
	children := map[string]*Summary{}
	var order []string
	for _, x := range units {
		sub, ok := subs[x.ID]
		if !ok {
			sub.State = StateNone
		}
		st := UnitStatus{Unit: x.Code, NameZH: x.NameZH, NameEN: x.NameEN, Type: x.Type, Parent: x.Parent, Depth: x.Depth,
			State: sub.State, Reason: sub.Reason, SubmittedBy: sub.SubmittedBy, Late: !Done(sub.State), Path: x.Path}
		levelPath := ""
		if sub.LevelID.Valid {
			levelPath = levels[sub.LevelID.Int64]
			st.Level, st.levelPath = lastCode(levelPath), levelPath
		}
		st.NextApprover = lastCode(nextLevel(x.Path, sub.State, levelPath))
		if sub.SubmittedAt.Valid {
			at := sub.SubmittedAt.Time.UTC()
			st.SubmittedAt = &at
		}
		out.Units = append(out.Units, st)
		out.Total++
		if Done(st.State) {
			out.Submitted++
		}
		if st.State == StateAccepted {
			out.Accepted++
		}
		if x.Path == u.Path {
			continue
		}
		child := unit.Ancestors(x.Path)[u.Depth+1]
		sum, ok := children[child]
		if !ok {
			sum = &Summary{Unit: child}
			children[child] = sum
			order = append(order, child)
		}
		sum.Total++
		if Done(st.State) {
			sum.Submitted++
		}
		if st.State == StateAccepted {
			sum.Accepted++
		}
	}
	out.Late = out.Total - out.Submitted
	for _, c := range order {
		sum := children[c]
		if cu, err := s.units.Get(ctx, unit.Everything(), c); err == nil {
			sum.NameZH, sum.NameEN = cu.NameZH, cu.NameEN
		}
		out.Children = append(out.Children, *sum)
	}
	return out, nil
}

// reporting lists the open units of the subtree of u the data set is
// assigned to, u included, in tree order.
func (s *Service) reporting(ctx context.Context, d *DataSet, u unit.Unit) ([]unit.Unit, error) {
	byCode := map[string]unit.Unit{}
	if d.Assigned(u) && !u.Closed() {
		byCode[u.Code] = u
	}
	scope := unit.Subtrees(u.Path)
	var filters []unit.Filter
	for _, t := range d.UnitTypes {
		filters = append(filters, unit.Filter{Under: u.Code, Type: t})
	}
	for _, g := range d.Groups {
		filters = append(filters, unit.Filter{Under: u.Code, Group: g})
	}
	for _, f := range filters {
		f.PerPage = unit.MaxPerPage
		for f.Page = 1; ; f.Page++ {
			page, err := s.units.List(ctx, scope, f)
			if err != nil {
				return nil, err
			}
			for _, x := range page.Items {
				byCode[x.Code] = x
			}
			if f.Page*f.PerPage >= page.Total {
				break
			}
		}
	}
	out := make([]unit.Unit, 0, len(byCode))
	for _, x := range byCode {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// MaxNote bounds the note of a reminder.
const MaxNote = 500

// Remind sends a reminder (催报) to the inbox of every late reporting unit
// below unitCode, for a period; the caller must approve or manage the
// unit. It returns the units reminded.
func (s *Service) Remind(ctx context.Context, acc Access, code, unitCode, periodID, note string) ([]string, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > MaxNote {
		return nil, fault.InvalidField("note", "error.too_long", "max", MaxNote)
	}
	if strings.ContainsRune(note, 0) {
		return nil, fault.InvalidField("note", "error.bad_text")
	}
	c, err := s.Completeness(ctx, acc, code, unitCode, periodID)
	if err != nil {
		return nil, err
	}
	from, err := s.units.Get(ctx, acc.Read, c.Unit)
	if err != nil {
		return nil, err
	}
	if !acc.CanRemind(from.Path) {
		return nil, forbid("unit", "dataset.remind.forbidden")
	}
	var late []unit.Unit
	codes := []string{}
	for _, st := range c.Units {
		if st.Late && st.Unit != from.Code {
			late = append(late, unit.Unit{Code: st.Unit, Path: st.Path})
			codes = append(codes, st.Unit)
		}
	}
	if len(late) == 0 {
		return codes, nil
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, x := range late {
			if err := s.send(ctx, []unit.Unit{x}, Message{Kind: KindRemind, DataSet: c.DataSet, Period: c.Period, Body: note,
				Link: EntryLink(c.DataSet, x.Code, c.Period), FromUnit: from.Code}); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "form_remind", Entity: "dataset_form", EntityID: formID(c.DataSet, from.Code, c.Period),
			UnitPath: from.Path, After: map[string]any{"units": codes, "note": note}})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
