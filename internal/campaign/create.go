package campaign

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
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Spec is a campaign to create.
type Spec struct {
	Title string `json:"title"`
	// Kind is "inspection" (the default) or "rectification".
	Kind string `json:"kind,omitempty"`
	// Unit is the owner unit, which runs the campaign.
	Unit  string     `json:"unit"`
	Scope ScopeSpec  `json:"scope"`
	Self  Phase      `json:"self_inspection"`
	Site  Phase      `json:"on_site"`
	Rect  Phase      `json:"rectification"`
	Items []ItemSpec `json:"items,omitempty"`
	// Metrics are the figures of the campaign's report, read for the
	// owner unit over the campaign's dates.
	Metrics []string `json:"metrics,omitempty"`
}

// ScopeSpec chooses the campaign's units in the owner's subtree: every
// open unit of one of the types, in one of the groups, or named.
type ScopeSpec struct {
	Types  []string `json:"types,omitempty"`
	Groups []string `json:"groups,omitempty"`
	Units  []string `json:"units,omitempty"`
}

// ItemSpec is a checklist item to create.
type ItemSpec struct {
	Title    string  `json:"title"`
	Guidance string  `json:"guidance,omitempty"`
	Kind     string  `json:"kind"`
	MaxScore float64 `json:"max_score,omitempty"`
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

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// dates checks a start and an end: both given and valid, the end not
// before the start.
func dates(ch *fault.Check, field, start, end string) (string, string) {
	start, end = strings.TrimSpace(start), strings.TrimSpace(end)
	ok := true
	for _, d := range []struct{ f, v string }{{field + ".start", start}, {field + ".end", end}} {
		if d.v == "" {
			ch.Add(d.f, "error.required")
			ok = false
		} else if !validDate(d.v) {
			ch.Add(d.f, "campaign.date.invalid", "value", d.v)
			ok = false
		}
	}
	if ok && end < start {
		ch.Add(field+".end", "campaign.date.before_start", "start", start, "end", end)
	}
	return start, end
}

// Create checks a spec and writes the campaign with its units and
// checklist, audited; nothing is written when anything is refused.
func (s *Service) Create(ctx context.Context, c Caller, sp Spec) (int64, error) {
	ch := &fault.Check{}
	sp.Title = text(ch, "title", sp.Title, MaxTitle, true)
	sp.Kind = strings.TrimSpace(sp.Kind)
	if sp.Kind == "" {
		sp.Kind = KindInspection
	}
	if sp.Kind != KindInspection && sp.Kind != KindRectification {
		ch.Add("kind", "error.option", "value", sp.Kind)
	}
	owner, err := s.units.Get(ctx, c.Supervise, strings.TrimSpace(sp.Unit))
	if errors.Is(err, fault.ErrNotFound) {
		ch.Add("unit", "campaign.unit.scope", "code", sp.Unit)
		return 0, ch.Err()
	} else if err != nil {
		return 0, err
	}
	if sp.Kind == KindInspection {
		sp.Self.Start, sp.Self.End = dates(ch, "self_inspection", sp.Self.Start, sp.Self.End)
		sp.Site.Start, sp.Site.End = dates(ch, "on_site", sp.Site.Start, sp.Site.End)
		if len(sp.Items) == 0 {
			ch.Add("items", "campaign.items.required")
		}
	} else {
		if sp.Self != (Phase{}) || sp.Site != (Phase{}) {
			ch.Add("kind", "campaign.rectification.phases")
		}
		if len(sp.Items) > 0 {
			ch.Add("items", "campaign.rectification.items")
		}
	}
	sp.Rect.Start, sp.Rect.End = dates(ch, "rectification", sp.Rect.Start, sp.Rect.End)
	if len(sp.Items) > MaxItems {
		ch.Add("items", "error.too_many", "max", MaxItems)
		return 0, ch.Err()
	}
	for i := range sp.Items {
		it := &sp.Items[i]
		at := fmt.Sprintf("items[%d]", i)
		it.Title = text(ch, at+".title", it.Title, MaxTitle, true)
		it.Guidance = text(ch, at+".guidance", it.Guidance, MaxText, false)
		switch it.Kind = strings.TrimSpace(it.Kind); it.Kind {
		case AnswerScore:
			if !(it.MaxScore > 0 && it.MaxScore <= 1000) {
				ch.Add(at+".max_score", "campaign.item.max_score")
			}
		case AnswerYesNo, AnswerText:
			it.MaxScore = 0
		default:
			ch.Add(at+".kind", "error.option", "value", it.Kind)
		}
	}
	if len(sp.Metrics) > MaxMetrics {
		ch.Add("metrics", "error.too_many", "max", MaxMetrics)
	} else {
		for i, m := range sp.Metrics {
			sp.Metrics[i] = strings.TrimSpace(m)
			if _, err := s.metrics.Get(ctx, sp.Metrics[i]); errors.Is(err, fault.ErrNotFound) {
				ch.Add(fmt.Sprintf("metrics[%d]", i), "metric.unknown", "code", m)
			} else if err != nil {
				return 0, err
			}
		}
	}
	ids, err := s.scopeUnits(ctx, ch, owner, sp.Scope)
	if err != nil {
		return 0, err
	}
	if sp.Kind == KindInspection && len(ids) == 0 && ch.OK() {
		ch.Add("scope", "campaign.scope.empty")
	}
	if err := ch.Err(); err != nil {
		return 0, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if err := q.QueryRowContext(ctx, `INSERT INTO campaigns(title, kind, unit_id, self_start, self_end, site_start, site_end,
			rect_start, rect_end, metrics, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			sp.Title, sp.Kind, owner.ID, sp.Self.Start, sp.Self.End, sp.Site.Start, sp.Site.End, sp.Rect.Start, sp.Rect.End,
			strings.Join(sp.Metrics, ","), s.Now()).Scan(&id); err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		for _, u := range ids {
			if _, err := q.ExecContext(ctx, `INSERT INTO campaign_units(campaign_id, unit_id) VALUES ($1, $2)`, id, u); err != nil {
				return err
			}
		}
		for i, it := range sp.Items {
			if _, err := q.ExecContext(ctx, `INSERT INTO campaign_items(campaign_id, seq, title, guidance, kind, max_score)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, i+1, it.Title, it.Guidance, it.Kind, it.MaxScore); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "create", Entity: "campaign", EntityID: strconv.FormatInt(id, 10),
			UnitPath: owner.Path, After: map[string]any{"spec": sp, "units": len(ids)}})
	})
	return id, err
}

// scopeUnits resolves the scope to the ids of open units in the owner's
// subtree, refusing unknown types, groups and units.
func (s *Service) scopeUnits(ctx context.Context, ch *fault.Check, owner unit.Unit, sc ScopeSpec) ([]int64, error) {
	q := s.db.Q(ctx)
	known := func(table, code string) (bool, error) {
		var n int
		err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE code = $1`, code).Scan(&n)
		return n > 0, err
	}
	for i, t := range sc.Types {
		if ok, err := known("unit_types", strings.TrimSpace(t)); err != nil {
			return nil, err
		} else if !ok {
			ch.Add(fmt.Sprintf("scope.types[%d]", i), "campaign.scope.type", "code", t)
		}
	}
	for i, g := range sc.Groups {
		if ok, err := known("unit_groups", strings.TrimSpace(g)); err != nil {
			return nil, err
		} else if !ok {
			ch.Add(fmt.Sprintf("scope.groups[%d]", i), "campaign.scope.group", "code", g)
		}
	}
	sub := unit.Subtrees(owner.Path)
	for i, code := range sc.Units {
		if _, err := s.units.Get(ctx, sub, strings.TrimSpace(code)); errors.Is(err, fault.ErrNotFound) {
			ch.Add(fmt.Sprintf("scope.units[%d]", i), "campaign.unit.scope", "code", code)
		} else if err != nil {
			return nil, err
		}
	}
	if !ch.OK() || len(sc.Types)+len(sc.Groups)+len(sc.Units) == 0 {
		return nil, nil
	}
	var args store.Args
	var or []string
	in := func(vals []string) string {
		ps := make([]string, len(vals))
		for i, v := range vals {
			ps[i] = args.Add(strings.TrimSpace(v))
		}
		return strings.Join(ps, ", ")
	}
	if len(sc.Types) > 0 {
		or = append(or, "u.type IN ("+in(sc.Types)+")")
	}
	if len(sc.Groups) > 0 {
		or = append(or, "u.id IN (SELECT gm.unit_id FROM unit_group_members gm JOIN unit_groups g ON g.id = gm.group_id WHERE g.code IN ("+in(sc.Groups)+"))")
	}
	if len(sc.Units) > 0 {
		or = append(or, "u.code IN ("+in(sc.Units)+")")
	}
	cond := sub.Cond("u.path", &args)
	rows, err := q.QueryContext(ctx, `SELECT u.id FROM units u WHERE `+cond+` AND (u.closed_on IS NULL OR u.closed_on = '') AND (`+
		strings.Join(or, " OR ")+`) ORDER BY u.path`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if len(ids) > MaxUnits {
		ch.Add("scope", "error.too_many", "max", MaxUnits)
	}
	return slices.Clip(ids), rows.Err()
}
