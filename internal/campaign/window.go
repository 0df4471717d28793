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
)

// Phases whose dates bound what units and inspectors do: answers and
// submissions fall in the self-inspection, findings and the on-site
// mark in the on-site phase.
const (
	PhaseSelf = "self_inspection"
	PhaseSite = "on_site"
)

// windows sets the unit's own windows: the campaign's phases, ending on
// the unit's extension when that is later, and whether today is in them.
func (s *Service) windows(k Campaign, v *UnitView) {
	today := s.Now().Format(time.DateOnly)
	set := func(w *Phase, p Phase, open *bool) {
		until := w.End
		*w = p
		if until > w.End {
			w.End = until
		}
		*open = w.Start != "" && today >= w.Start && today <= w.End
	}
	set(&v.SelfWindow, k.Self, &v.SelfOpen)
	set(&v.SiteWindow, k.Site, &v.SiteOpen)
}

// inWindow refuses what falls outside the unit's window of a phase,
// saying the window and what to do: wait for its start, or ask the
// owner to extend or reopen it.
func inWindow(v UnitView, phase string, today time.Time) error {
	w, key := v.SelfWindow, "campaign.self"
	if phase == PhaseSite {
		w, key = v.SiteWindow, "campaign.site"
	}
	day := today.Format(time.DateOnly)
	switch {
	case w.Start == "":
		return fault.ConflictField(phase, key+".no_window")
	case day < w.Start:
		return fault.ConflictField(phase, key+".early", "start", w.Start, "end", w.End)
	case day > w.End:
		return fault.ConflictField(phase, key+".closed", "start", w.Start, "end", w.End)
	}
	return nil
}

// Window says whether what a phase holds may be done at the unit today:
// nil, or the refusal SaveAnswers, Submit, RecordFinding and
// MarkInspected would give (a page shows it in place of the form).
func (s *Service) Window(v UnitView, phase string) error { return inWindow(v, phase, s.Now()) }

// Extension moves the end of a campaign's self-inspection or on-site
// phase to Until — later to extend it, or, once it is over, to reopen
// it — for every unit, or (Unit set) for that unit alone. The reason is
// kept in the audit log.
type Extension struct {
	Phase  string `json:"phase"`
	Until  string `json:"until"`
	Unit   string `json:"unit,omitempty"`
	Reason string `json:"reason"`
}

// Extend extends or reopens a phase (see Extension); only the campaign
// owner does, and the new end is today or later and not before the
// phase's start. It returns the campaign as the caller sees it.
func (s *Service) Extend(ctx context.Context, cl Caller, id int64, in Extension) (Campaign, error) {
	k, err := s.header(ctx, cl, id)
	if err != nil {
		return Campaign{}, err
	}
	if !k.Owner || k.Kind != KindInspection {
		return Campaign{}, fmt.Errorf("extend a phase of campaign %d: %w", id, fault.ErrForbidden)
	}
	ch := &fault.Check{}
	var p Phase
	col := ""
	switch in.Phase {
	case PhaseSelf:
		p, col = k.Self, "self"
	case PhaseSite:
		p, col = k.Site, "site"
	default:
		ch.Add("phase", "error.option", "value", in.Phase)
	}
	in.Until = strings.TrimSpace(in.Until)
	today := s.Now().Format(time.DateOnly)
	switch {
	case in.Until == "":
		ch.Add("until", "error.required")
	case !validDate(in.Until):
		ch.Add("until", "campaign.date.invalid", "value", in.Until)
	case in.Until < today:
		ch.Add("until", "campaign.window.past", "today", today)
	case col != "" && in.Until < p.Start:
		ch.Add("until", "campaign.date.before_start", "start", p.Start, "end", in.Until)
	}
	in.Reason = text(ch, "reason", in.Reason, MaxText, true)
	in.Unit = strings.TrimSpace(in.Unit)
	var unitID int64
	var unitPath, before string
	if in.Unit != "" && col != "" {
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT u.id, u.path, cu.`+col+`_until FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
			WHERE cu.campaign_id = $1 AND u.code = $2`, id, in.Unit).Scan(&unitID, &unitPath, &before)
		if errors.Is(err, sql.ErrNoRows) {
			ch.Add("unit", "campaign.unit.not_in", "code", in.Unit)
		} else if err != nil {
			return Campaign{}, err
		}
	}
	if err := ch.Err(); err != nil {
		return Campaign{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		change := audit.Change{Action: "campaign.extend", Entity: "campaign", EntityID: strconv.FormatInt(id, 10), UnitPath: k.path,
			After: in}
		if unitID != 0 {
			change.UnitPath = unitPath
			change.Before = map[string]any{"phase": in.Phase, "unit": in.Unit, "until": before, "end": p.End}
			if _, err := q.ExecContext(ctx, `UPDATE campaign_units SET `+col+`_until = $1 WHERE campaign_id = $2 AND unit_id = $3`,
				in.Until, id, unitID); err != nil {
				return err
			}
		} else {
			change.Before = map[string]any{"phase": in.Phase, "end": p.End}
			if _, err := q.ExecContext(ctx, `UPDATE campaigns SET `+col+`_end = $1 WHERE id = $2`, in.Until, id); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, change)
	})
	if err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, cl, id)
}
