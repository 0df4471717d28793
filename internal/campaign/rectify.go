package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// RectSpec is a rectification item to open: from a finding (its unit
// and text are the defaults) or entered directly.
type RectSpec struct {
	Finding  *int64 `json:"finding,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Problem  string `json:"problem,omitempty"`
	Measures string `json:"measures,omitempty"`
	Start    string `json:"start,omitempty"`
	Due      string `json:"due"`
}

// Step is an action on a rectification item, with a note, a percent
// for a progress report, and evidence files.
type Step struct {
	Action  string  `json:"action"`
	Note    string  `json:"note,omitempty"`
	Percent *int    `json:"percent,omitempty"`
	Files   []int64 `json:"files,omitempty"`
}

// moves is a rectification item's lifecycle, the plans' mechanism: the
// responsible unit reports progress and completion, the campaign owner
// verifies or returns.
var moves = plan.Lifecycle{
	Order: Actions,
	Moves: map[string]plan.Move{
		Progress: {From: []string{Open}, To: Open, Doer: true},
		Complete: {From: []string{Open}, To: Reported, Doer: true},
		Verify:   {From: []string{Reported}, To: Closed},
		Return:   {From: []string{Reported}, To: Open},
	},
	Done: Closed, Final: "campaign.rect.closed", Transition: "campaign.rect.transition",
}

const rectCols = `r.id, r.campaign_id, r.seq, r.finding_id, u.code, u.name_zh, u.name_en, u.path, r.problem, r.measures, r.start_on, r.due_on,
	r.state, r.percent, r.version, r.updated_at`

// rects returns the campaign's rectification items the caller sees,
// narrowed by cond (ending in a placeholder's left side) and arg.
func (s *Service) rects(ctx context.Context, cl Caller, k Campaign, cond string, arg any) ([]Rect, error) {
	var args store.Args
	q := `SELECT ` + rectCols + ` FROM campaign_rectifications r JOIN units u ON u.id = r.unit_id
		WHERE r.campaign_id = ` + args.Add(k.ID) + ` AND ` + seen(cl, "r.campaign_id", "r.unit_id", "u.path", &args)
	if cond != "" {
		q += ` AND ` + cond + args.Add(arg)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q+` ORDER BY r.seq`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Rect{}
	for rows.Next() {
		var r Rect
		var finding sql.NullInt64
		if err := rows.Scan(&r.ID, &r.CampaignID, &r.Seq, &finding, &r.Unit, &r.UnitName, &r.UnitNameEN, &r.path, &r.Problem, &r.Measures,
			&r.Start, &r.Due, &r.State, &r.Percent, &r.Version, &r.UpdatedAt); err != nil {
			return nil, err
		}
		if finding.Valid {
			r.Finding = &finding.Int64
		}
		r.Campaign, r.ownerPath = k.Title, k.path
		r.Mine, r.Owner = cl.Report.Contains(r.path), k.Owner
		s.light(&r)
		r.Allowed = allowed(r)
		r.Evidence = []File{}
		out = append(out, r)
	}
	return out, rows.Err()
}

// light sets an item's light the way a plan's task gets it: progress
// against the time from start to deadline; reported done counts as done
// on time, closed is done.
func (s *Service) light(r *Rect) {
	today := s.Now()
	if r.State == Closed {
		r.Light = "done"
		return
	}
	progress := float64(r.Percent) / 100
	if r.State == Reported {
		progress = 1
	}
	r.Light = s.Rules.Light(progress, r.Start, r.Due, today)
	// reported done is no longer overdue: it waits for the owner
	r.Overdue = r.State == Open && today.Format(time.DateOnly) > r.Due
}

func allowed(r Rect) []string { return moves.Allowed(r.State, r.Mine, r.Owner) }

// Rect returns a rectification item the caller sees, with its history
// and evidence.
func (s *Service) Rect(ctx context.Context, cl Caller, id int64) (Rect, error) {
	var campaignID int64
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT campaign_id FROM campaign_rectifications WHERE id = $1`, id).Scan(&campaignID)
	if errors.Is(err, sql.ErrNoRows) {
		return Rect{}, fault.NotFound("rectification", id)
	} else if err != nil {
		return Rect{}, err
	}
	k, err := s.header(ctx, cl, campaignID)
	if errors.Is(err, fault.ErrNotFound) {
		return Rect{}, fault.NotFound("rectification", id)
	} else if err != nil {
		return Rect{}, err
	}
	rs, err := s.rects(ctx, cl, k, "r.id = ", id)
	if err != nil {
		return Rect{}, err
	}
	if len(rs) == 0 {
		return Rect{}, fault.NotFound("rectification", id)
	}
	r := rs[0]
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, action, state, percent, note, actor_name, created_at FROM campaign_rect_events
		WHERE rect_id = $1 ORDER BY id`, id)
	if err != nil {
		return Rect{}, err
	}
	defer rows.Close()
	r.Events = []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Action, &e.State, &e.Percent, &e.Note, &e.Actor, &e.CreatedAt); err != nil {
			return Rect{}, err
		}
		r.Events = append(r.Events, e)
	}
	if err := rows.Err(); err != nil {
		return Rect{}, err
	}
	files, err := s.filesOf(ctx, campaignID, 0, FileRect)
	if err != nil {
		return Rect{}, err
	}
	for i := range r.Events {
		r.Events[i].Files = files[r.Events[i].ID]
		if r.Events[i].Files == nil {
			r.Events[i].Files = []File{}
		}
		r.Evidence = append(r.Evidence, r.Events[i].Files...)
	}
	return r, nil
}

// checkRect checks an item to open in campaign k and returns its unit.
func (s *Service) checkRect(ctx context.Context, ch *fault.Check, at string, k Campaign, sp *RectSpec) (unit.Unit, error) {
	var u unit.Unit
	if sp.Finding != nil {
		var body, code string
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT f.body, u.code FROM campaign_findings f JOIN units u ON u.id = f.unit_id
			WHERE f.id = $1 AND f.campaign_id = $2`, *sp.Finding, k.ID).Scan(&body, &code)
		if errors.Is(err, sql.ErrNoRows) {
			ch.Add(at+"finding", "campaign.finding.unknown", "id", *sp.Finding)
		} else if err != nil {
			return u, err
		} else {
			if strings.TrimSpace(sp.Unit) == "" {
				sp.Unit = code
			} else if strings.TrimSpace(sp.Unit) != code {
				ch.Add(at+"unit", "campaign.finding.unit", "code", code)
			}
			if strings.TrimSpace(sp.Problem) == "" {
				sp.Problem = body
			}
		}
	}
	sp.Problem = text(ch, at+"problem", sp.Problem, MaxText, true)
	sp.Measures = text(ch, at+"measures", sp.Measures, MaxText, false)
	sp.Unit = strings.TrimSpace(sp.Unit)
	if sp.Unit == "" {
		ch.Add(at+"unit", "error.required")
	} else {
		got, err := s.units.Get(ctx, unit.Subtrees(k.path), sp.Unit)
		if errors.Is(err, fault.ErrNotFound) {
			ch.Add(at+"unit", "campaign.unit.scope", "code", sp.Unit)
		} else if err != nil {
			return u, err
		} else if k.Kind == KindInspection {
			var n int
			if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_units WHERE campaign_id = $1 AND unit_id = $2`,
				k.ID, got.ID).Scan(&n); err != nil {
				return u, err
			}
			if n == 0 {
				ch.Add(at+"unit", "campaign.unit.not_in", "code", sp.Unit)
			}
		}
		u = got
	}
	if strings.TrimSpace(sp.Start) == "" {
		sp.Start = k.Rect.Start
	}
	sp.Start, sp.Due = strings.TrimSpace(sp.Start), strings.TrimSpace(sp.Due)
	if !validDate(sp.Start) {
		ch.Add(at+"start", "campaign.date.invalid", "value", sp.Start)
	}
	if sp.Due == "" {
		ch.Add(at+"due", "error.required")
	} else if !validDate(sp.Due) {
		ch.Add(at+"due", "campaign.date.invalid", "value", sp.Due)
	} else if validDate(sp.Start) && sp.Due < sp.Start {
		ch.Add(at+"due", "campaign.date.before_start", "start", sp.Start, "end", sp.Due)
	}
	return u, nil
}

// Open opens rectification items in a campaign, all or none; only the
// campaign owner opens them. A unit outside an inspection campaign's
// units is refused; a rectification-only campaign takes the unit in.
func (s *Service) Open(ctx context.Context, cl Caller, campaignID int64, in []RectSpec) ([]int64, error) {
	k, err := s.header(ctx, cl, campaignID)
	if err != nil {
		return nil, err
	}
	if !k.Owner {
		return nil, fmt.Errorf("open rectification in campaign %d: %w", campaignID, fault.ErrForbidden)
	}
	ch := &fault.Check{}
	if len(in) == 0 {
		ch.Add("items", "error.required")
	}
	if len(in) > MaxRects {
		ch.Add("items", "error.too_many", "max", MaxRects)
		return nil, ch.Err()
	}
	units := make([]unit.Unit, len(in))
	for i := range in {
		at := ""
		if len(in) > 1 {
			at = fmt.Sprintf("items[%d].", i)
		}
		if units[i], err = s.checkRect(ctx, ch, at, k, &in[i]); err != nil {
			return nil, err
		}
	}
	if err := ch.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(in))
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var seq int
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM campaign_rectifications WHERE campaign_id = $1`, campaignID).Scan(&seq); err != nil {
			return err
		}
		now := s.Now()
		for i, sp := range in {
			u := units[i]
			if k.Kind == KindRectification {
				var n int
				if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_units WHERE campaign_id = $1 AND unit_id = $2`, campaignID, u.ID).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					if _, err := q.ExecContext(ctx, `INSERT INTO campaign_units(campaign_id, unit_id) VALUES ($1, $2)`, campaignID, u.ID); err != nil {
						return err
					}
				}
			}
			seq++
			var id int64
			if err := q.QueryRowContext(ctx, `INSERT INTO campaign_rectifications(campaign_id, finding_id, unit_id, seq, problem, measures,
				start_on, due_on, state, percent, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 1, $10) RETURNING id`,
				campaignID, sp.Finding, u.ID, seq, sp.Problem, sp.Measures, sp.Start, sp.Due, Open, now).Scan(&id); err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, `INSERT INTO campaign_rect_events(rect_id, action, state, percent, note, actor_name, created_at)
				VALUES ($1, 'open', $2, 0, '', $3, $4)`, id, Open, actorName(ctx), now); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, audit.Change{Action: "create", Entity: "rectification", EntityID: strconv.FormatInt(id, 10),
				UnitPath: u.Path, After: sp}); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

// Act takes a step of a rectification item: the responsible unit
// reports progress and completion (with evidence); the campaign owner
// verifies and closes it, or returns it with a reason. An item cannot be
// reported done or closed without evidence; a step the lifecycle does not
// allow is a conflict; nothing is written when a step is refused.
func (s *Service) Act(ctx context.Context, cl Caller, id int64, st Step) (Rect, error) {
	r, err := s.Rect(ctx, cl, id)
	if err != nil {
		return Rect{}, err
	}
	mv, err := moves.Check(st.Action, r.State, r.Mine, r.Owner)
	if err != nil {
		return Rect{}, fmt.Errorf("rectification %d: %w", id, err)
	}
	ch := &fault.Check{}
	st.Note = text(ch, "note", st.Note, MaxText, false)
	percent := r.Percent
	var unitID int64
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT unit_id FROM campaign_rectifications WHERE id = $1`, id).Scan(&unitID); err != nil {
		return Rect{}, err
	}
	if !mv.Doer && len(st.Files) > 0 {
		ch.Add("files", "campaign.rect.owner_files")
	}
	if err := s.checkFiles(ctx, ch, cl, "files", r.CampaignID, unitID, st.Files); err != nil {
		return Rect{}, err
	}
	switch st.Action {
	case Progress:
		if st.Percent == nil {
			ch.Add("percent", "error.required")
		} else if *st.Percent < 0 || *st.Percent > 99 {
			ch.Add("percent", "campaign.percent.range")
		} else {
			percent = *st.Percent
		}
		if st.Note == "" {
			ch.Add("note", "error.required")
		}
	case Complete:
		percent = 100
		if st.Note == "" {
			ch.Add("note", "error.required")
		}
		if len(r.Evidence)+len(st.Files) == 0 {
			ch.Add("files", "campaign.rect.evidence")
		}
	case Verify:
		if len(r.Evidence) == 0 {
			ch.Add("files", "campaign.rect.evidence")
		}
	case Return:
		if st.Note == "" {
			ch.Add("note", "campaign.return.reason")
		}
		percent = min(percent, 99)
	}
	if err := ch.Err(); err != nil {
		return Rect{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		now := s.Now()
		res, err := q.ExecContext(ctx, `UPDATE campaign_rectifications SET state = $1, percent = $2, version = version + 1, updated_at = $3
			WHERE id = $4 AND version = $5`, mv.To, percent, now, id, r.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.ConflictField("version", "error.stale", "version", r.Version)
		}
		var eid int64
		if err := q.QueryRowContext(ctx, `INSERT INTO campaign_rect_events(rect_id, action, state, percent, note, actor_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, st.Action, mv.To, percent, st.Note, actorName(ctx), now).Scan(&eid); err != nil {
			return err
		}
		if err := s.attach(ctx, r.CampaignID, unitID, FileRect, eid, st.Files); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "rectification." + st.Action, Entity: "rectification", EntityID: strconv.FormatInt(id, 10),
			UnitPath: r.path, Before: map[string]any{"state": r.State, "percent": r.Percent},
			After: map[string]any{"state": mv.To, "percent": percent, "note": st.Note, "files": st.Files}})
	})
	if err != nil {
		return Rect{}, err
	}
	return s.Rect(ctx, cl, id)
}

// Rects returns a campaign's rectification items the caller sees.
func (s *Service) Rects(ctx context.Context, cl Caller, campaignID int64) ([]Rect, error) {
	k, err := s.header(ctx, cl, campaignID)
	if err != nil {
		return nil, err
	}
	return s.rects(ctx, cl, k, "", nil)
}
