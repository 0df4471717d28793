package campaign

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// seen is the SQL condition true when the campaign unit in unitCol (an
// id) at path pathCol of campaign campCol is visible to the caller: in
// its read scope, or assigned to it as an inspector.
func seen(c Caller, campCol, unitCol, pathCol string, args *store.Args) string {
	return "(" + c.Read.Cond(pathCol, args) + " OR " + unitCol + " IN (SELECT ci.unit_id FROM campaign_inspectors ci WHERE ci.campaign_id = " +
		campCol + " AND ci.user_id = " + args.Add(c.UserID) + "))"
}

const campaignCols = `c.id, c.title, c.kind, o.code, o.name_zh, o.name_en, o.path, c.self_start, c.self_end, c.site_start, c.site_end,
	c.rect_start, c.rect_end, c.metrics, c.created_at`

func scanCampaign(sc interface{ Scan(...any) error }) (Campaign, error) {
	var k Campaign
	var metrics string
	err := sc.Scan(&k.ID, &k.Title, &k.Kind, &k.Unit, &k.UnitName, &k.UnitNameEN, &k.path, &k.Self.Start, &k.Self.End, &k.Site.Start, &k.Site.End,
		&k.Rect.Start, &k.Rect.End, &metrics, &k.CreatedAt)
	k.Metrics = []string{}
	if metrics != "" {
		k.Metrics = strings.Split(metrics, ",")
	}
	return k, err
}

// visible is the condition true for campaigns c (alias "c", owner "o")
// the caller sees: its owner in read scope, or one of its units seen.
func visible(cl Caller, args *store.Args) string {
	return "(" + cl.Read.Cond("o.path", args) + ` OR EXISTS (SELECT 1 FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
		WHERE cu.campaign_id = c.id AND ` + seen(cl, "cu.campaign_id", "cu.unit_id", "u.path", args) + "))"
}

// List returns the campaigns the caller sees, newest first.
func (s *Service) List(ctx context.Context, cl Caller) ([]Campaign, error) {
	var args store.Args
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+campaignCols+` FROM campaigns c JOIN units o ON o.id = c.unit_id
		WHERE `+visible(cl, &args)+` ORDER BY c.id DESC`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		k, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		k.Owner = cl.Supervise.Contains(k.path)
		k.Items, k.Units = []Item{}, []UnitStatus{}
		out = append(out, k)
	}
	return out, rows.Err()
}

// header returns a campaign the caller sees, without its parts.
func (s *Service) header(ctx context.Context, cl Caller, id int64) (Campaign, error) {
	var args store.Args
	k, err := scanCampaign(s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns c JOIN units o ON o.id = c.unit_id
		WHERE c.id = `+args.Add(id)+` AND `+visible(cl, &args), args.Values()...))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, fault.NotFound("campaign", id)
	} else if err != nil {
		return Campaign{}, err
	}
	k.Owner = cl.Supervise.Contains(k.path)
	return k, nil
}

// Get returns a campaign with its checklist, the units the caller sees
// with their progress through the phases, and the counts.
func (s *Service) Get(ctx context.Context, cl Caller, id int64) (Campaign, error) {
	k, err := s.header(ctx, cl, id)
	if err != nil {
		return Campaign{}, err
	}
	if k.Items, err = s.items(ctx, id); err != nil {
		return Campaign{}, err
	}
	if k.Units, err = s.unitStatuses(ctx, cl, id); err != nil {
		return Campaign{}, err
	}
	k.Counts.Units = len(k.Units)
	for _, u := range k.Units {
		if u.SubmittedAt != nil {
			k.Counts.Submitted++
		}
		if u.InspectedAt != nil {
			k.Counts.Inspected++
		}
		k.Counts.Findings += u.Findings
	}
	rs, err := s.rects(ctx, cl, k, "", nil)
	if err != nil {
		return Campaign{}, err
	}
	for _, r := range rs {
		k.Counts.Rects++
		switch r.State {
		case Open:
			k.Counts.Open++
		case Reported:
			k.Counts.Reported++
		case Closed:
			k.Counts.Closed++
		}
		if r.Overdue {
			k.Counts.Overdue++
		}
		switch r.Light {
		case "green":
			k.Counts.Green++
		case "yellow":
			k.Counts.Yellow++
		case "red":
			k.Counts.Red++
		}
	}
	return k, nil
}

func (s *Service) items(ctx context.Context, id int64) ([]Item, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, title, guidance, kind, max_score FROM campaign_items WHERE campaign_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.Title, &it.Guidance, &it.Kind, &it.MaxScore); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func (s *Service) unitStatuses(ctx context.Context, cl Caller, id int64) ([]UnitStatus, error) {
	var args store.Args
	q := s.db.Q(ctx)
	cid := args.Add(id)
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.code, u.name_zh, u.name_en, u.path, cu.submitted_at, cu.inspected_at,
		(SELECT COUNT(*) FROM campaign_answers a WHERE a.campaign_id = cu.campaign_id AND a.unit_id = cu.unit_id),
		(SELECT COALESCE(SUM(a.score), 0) FROM campaign_answers a WHERE a.campaign_id = cu.campaign_id AND a.unit_id = cu.unit_id),
		(SELECT COUNT(*) FROM campaign_findings f WHERE f.campaign_id = cu.campaign_id AND f.unit_id = cu.unit_id),
		(SELECT COUNT(*) FROM campaign_rectifications r WHERE r.campaign_id = cu.campaign_id AND r.unit_id = cu.unit_id),
		(SELECT COUNT(*) FROM campaign_rectifications r WHERE r.campaign_id = cu.campaign_id AND r.unit_id = cu.unit_id AND r.state <> 'closed')
		FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
		WHERE cu.campaign_id = `+cid+` AND `+seen(cl, "cu.campaign_id", "cu.unit_id", "u.path", &args)+` ORDER BY u.path`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []UnitStatus{}
	byID := map[int64]int{}
	for rows.Next() {
		var u UnitStatus
		var sub, insp sql.NullTime
		if err := rows.Scan(&u.id, &u.Unit, &u.UnitName, &u.UnitNameEN, &u.path, &sub, &insp, &u.Answered, &u.Score, &u.Findings, &u.Rects, &u.OpenRects); err != nil {
			return nil, err
		}
		u.SubmittedAt, u.InspectedAt = nullTime(sub), nullTime(insp)
		u.Inspectors = []string{}
		byID[u.id] = len(out)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	ins, err := q.QueryContext(ctx, `SELECT ci.unit_id, us.name FROM campaign_inspectors ci JOIN users us ON us.id = ci.user_id
		WHERE ci.campaign_id = $1 ORDER BY us.name`, id)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	for ins.Next() {
		var uid int64
		var name string
		if err := ins.Scan(&uid, &name); err != nil {
			return nil, err
		}
		if i, ok := byID[uid]; ok {
			out[i].Inspectors = append(out[i].Inspectors, name)
		}
	}
	return out, ins.Err()
}

// campaignUnit returns a campaign unit the caller sees, or not found.
func (s *Service) campaignUnit(ctx context.Context, cl Caller, id int64, code string) (UnitView, error) {
	var args store.Args
	var v UnitView
	var sub, insp sql.NullTime
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT u.id, u.code, u.name_zh, u.name_en, u.path, cu.submitted_at, cu.submitted_by, cu.inspected_at,
		cu.self_until, cu.site_until FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
		WHERE cu.campaign_id = `+args.Add(id)+` AND u.code = `+args.Add(code)+` AND `+seen(cl, "cu.campaign_id", "cu.unit_id", "u.path", &args),
		args.Values()...).Scan(&v.id, &v.Unit, &v.UnitName, &v.UnitNameEN, &v.path, &sub, &v.SubmittedBy, &insp, &v.SelfWindow.End, &v.SiteWindow.End)
	if errors.Is(err, sql.ErrNoRows) {
		return UnitView{}, fault.NotFound("campaign unit", code)
	} else if err != nil {
		return UnitView{}, err
	}
	v.CampaignID = id
	v.SubmittedAt, v.InspectedAt = nullTime(sub), nullTime(insp)
	return v, nil
}

// assigned says whether the caller is assigned to inspect unitID.
func (s *Service) assigned(ctx context.Context, cl Caller, id, unitID int64) (bool, error) {
	var n int
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_inspectors WHERE campaign_id = $1 AND user_id = $2 AND unit_id = $3`,
		id, cl.UserID, unitID).Scan(&n)
	return n > 0, err
}

// Unit returns one unit's part of a campaign: answers, findings and
// rectification items, and what the caller may do there.
func (s *Service) Unit(ctx context.Context, cl Caller, id int64, code string) (Campaign, UnitView, error) {
	k, err := s.header(ctx, cl, id)
	if err != nil {
		return Campaign{}, UnitView{}, err
	}
	if k.Items, err = s.items(ctx, id); err != nil {
		return Campaign{}, UnitView{}, err
	}
	v, err := s.campaignUnit(ctx, cl, id, code)
	if err != nil {
		return Campaign{}, UnitView{}, err
	}
	isAssigned, err := s.assigned(ctx, cl, id, v.id)
	if err != nil {
		return Campaign{}, UnitView{}, err
	}
	s.windows(k, &v)
	v.CanAnswer = k.Kind == KindInspection && v.SubmittedAt == nil && cl.Report.Contains(v.path) && v.SelfOpen
	v.CanInspect = k.Kind == KindInspection && (isAssigned || k.Owner)
	v.CanRectify = k.Owner
	if v.Answers, err = s.answers(ctx, id, v.id); err != nil {
		return Campaign{}, UnitView{}, err
	}
	if v.Findings, err = s.findings(ctx, id, v.id); err != nil {
		return Campaign{}, UnitView{}, err
	}
	if v.Rects, err = s.rects(ctx, cl, k, "r.unit_id = ", v.id); err != nil {
		return Campaign{}, UnitView{}, err
	}
	return k, v, nil
}

// Assigned returns the campaign units the caller is assigned to inspect.
func (s *Service) Assigned(ctx context.Context, cl Caller, id int64) ([]UnitStatus, error) {
	k, err := s.Get(ctx, cl, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT unit_id FROM campaign_inspectors WHERE campaign_id = $1 AND user_id = $2`, id, cl.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	mine := map[int64]bool{}
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		mine[u] = true
	}
	out := []UnitStatus{}
	for _, u := range k.Units {
		if mine[u.id] {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

var _ = unit.Everything
