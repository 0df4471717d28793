package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

// AnswerSpec is a unit's answer to an item: Score for a scored item,
// Answer "yes" or "no" for a yes-no item, text for a text item.
type AnswerSpec struct {
	Item   int64    `json:"item"`
	Answer string   `json:"answer,omitempty"`
	Score  *float64 `json:"score,omitempty"`
	Note   string   `json:"note,omitempty"`
	Files  []int64  `json:"files,omitempty"`
}

func (s *Service) answers(ctx context.Context, id, unitID int64) ([]Answer, error) {
	files, err := s.filesOf(ctx, id, unitID, FileAnswer)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT a.item_id, a.answer, a.score, a.note FROM campaign_answers a
		JOIN campaign_items i ON i.id = a.item_id WHERE a.campaign_id = $1 AND a.unit_id = $2 ORDER BY i.seq`, id, unitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Answer{}
	for rows.Next() {
		var a Answer
		var score sql.NullFloat64
		if err := rows.Scan(&a.Item, &a.Answer, &score, &a.Note); err != nil {
			return nil, err
		}
		if score.Valid {
			a.Score = &score.Float64
		}
		a.Files = files[a.Item]
		if a.Files == nil {
			a.Files = []File{}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SaveAnswers saves a unit's self-inspection answers (a draft until
// submitted), each checked against its item; nothing is written when one
// is refused.
func (s *Service) SaveAnswers(ctx context.Context, cl Caller, id int64, code string, in []AnswerSpec) (UnitView, error) {
	k, v, err := s.Unit(ctx, cl, id, code)
	if err != nil {
		return UnitView{}, err
	}
	if k.Kind != KindInspection || !cl.Report.Contains(v.path) {
		return UnitView{}, fmt.Errorf("answer for %s: %w", code, fault.ErrForbidden)
	}
	if v.SubmittedAt != nil {
		return UnitView{}, fault.ConflictField("answers", "campaign.self.submitted")
	}
	if err := inWindow(v, PhaseSelf, s.Now()); err != nil {
		return UnitView{}, err
	}
	items := map[int64]Item{}
	for _, it := range k.Items {
		items[it.ID] = it
	}
	ch := &fault.Check{}
	if len(in) == 0 {
		ch.Add("answers", "error.required")
	}
	seenItem := map[int64]bool{}
	for i := range in {
		a := &in[i]
		at := fmt.Sprintf("answers[%d]", i)
		it, ok := items[a.Item]
		if !ok {
			ch.Add(at+".item", "campaign.item.unknown", "id", a.Item)
			continue
		}
		if seenItem[a.Item] {
			ch.Add(at+".item", "campaign.item.twice", "id", a.Item)
		}
		seenItem[a.Item] = true
		a.Answer = strings.TrimSpace(a.Answer)
		a.Note = text(ch, at+".note", a.Note, MaxText, false)
		switch it.Kind {
		case AnswerScore:
			if a.Score == nil {
				ch.Add(at+".score", "error.required")
			} else if math.IsNaN(*a.Score) || *a.Score < 0 || *a.Score > it.MaxScore {
				ch.Add(at+".score", "campaign.score.range", "max", it.MaxScore)
			}
			a.Answer = ""
		case AnswerYesNo:
			if a.Answer != "yes" && a.Answer != "no" {
				ch.Add(at+".answer", "campaign.answer.yesno")
			}
			a.Score = nil
		default:
			if a.Answer == "" {
				ch.Add(at+".answer", "error.required")
			} else if utf8.RuneCountInString(a.Answer) > MaxText {
				ch.Add(at+".answer", "error.too_long", "max", MaxText)
			}
			a.Score = nil
		}
		if err := s.checkFiles(ctx, ch, cl, at+".files", id, v.id, a.Files); err != nil {
			return UnitView{}, err
		}
	}
	if err := ch.Err(); err != nil {
		return UnitView{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		now := s.Now()
		for _, a := range in {
			if _, err := q.ExecContext(ctx, `DELETE FROM campaign_answers WHERE item_id = $1 AND unit_id = $2`, a.Item, v.id); err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, `INSERT INTO campaign_answers(item_id, unit_id, campaign_id, answer, score, note, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.Item, v.id, id, a.Answer, a.Score, a.Note, now); err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, `DELETE FROM campaign_files WHERE kind = $1 AND ref_id = $2 AND unit_id = $3`, FileAnswer, a.Item, v.id); err != nil {
				return err
			}
			if err := s.attach(ctx, id, v.id, FileAnswer, a.Item, a.Files); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "campaign.answer", Entity: "campaign", EntityID: strconv.FormatInt(id, 10),
			UnitPath: v.path, After: map[string]any{"unit": code, "answers": in}})
	})
	if err != nil {
		return UnitView{}, err
	}
	_, v, err = s.Unit(ctx, cl, id, code)
	return v, err
}

// Submit submits a unit's self-inspection once every item is answered;
// its answers are then fixed.
func (s *Service) Submit(ctx context.Context, cl Caller, id int64, code string) (UnitView, error) {
	k, v, err := s.Unit(ctx, cl, id, code)
	if err != nil {
		return UnitView{}, err
	}
	if k.Kind != KindInspection || !cl.Report.Contains(v.path) {
		return UnitView{}, fmt.Errorf("submit for %s: %w", code, fault.ErrForbidden)
	}
	if v.SubmittedAt != nil {
		return UnitView{}, fault.ConflictField("answers", "campaign.self.submitted")
	}
	if err := inWindow(v, PhaseSelf, s.Now()); err != nil {
		return UnitView{}, err
	}
	if missing := len(k.Items) - len(v.Answers); missing > 0 {
		return UnitView{}, fault.InvalidField("answers", "campaign.self.incomplete", "missing", missing)
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE campaign_units SET submitted_at = $1, submitted_by = $2
			WHERE campaign_id = $3 AND unit_id = $4 AND submitted_at IS NULL`, s.Now(), actorName(ctx), id, v.id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.ConflictField("answers", "campaign.self.submitted")
		}
		return s.audit.Record(ctx, audit.Change{Action: "campaign.submit", Entity: "campaign", EntityID: strconv.FormatInt(id, 10),
			UnitPath: v.path, After: map[string]any{"unit": code}})
	})
	if err != nil {
		return UnitView{}, err
	}
	_, v, err = s.Unit(ctx, cl, id, code)
	return v, err
}

// Assignment assigns an inspector (a user, by name) to campaign units.
type Assignment struct {
	User  string   `json:"user"`
	Units []string `json:"units"`
}

// Assign assigns an inspector to units of the campaign; only the
// campaign owner assigns.
func (s *Service) Assign(ctx context.Context, cl Caller, id int64, a Assignment) (Campaign, error) {
	k, err := s.header(ctx, cl, id)
	if err != nil {
		return Campaign{}, err
	}
	if !k.Owner {
		return Campaign{}, fmt.Errorf("assign in campaign %d: %w", id, fault.ErrForbidden)
	}
	ch := &fault.Check{}
	var userID int64
	a.User = strings.TrimSpace(a.User)
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT id FROM users WHERE name = $1`, a.User).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		ch.Add("user", "campaign.inspector.unknown", "name", a.User)
	} else if err != nil {
		return Campaign{}, err
	}
	if len(a.Units) == 0 {
		ch.Add("units", "error.required")
	}
	unitIDs := make([]int64, 0, len(a.Units))
	for i, code := range a.Units {
		var uid int64
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT u.id FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
			WHERE cu.campaign_id = $1 AND u.code = $2`, id, strings.TrimSpace(code)).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			ch.Add(fmt.Sprintf("units[%d]", i), "campaign.unit.not_in", "code", code)
			continue
		} else if err != nil {
			return Campaign{}, err
		}
		unitIDs = append(unitIDs, uid)
	}
	if err := ch.Err(); err != nil {
		return Campaign{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, uid := range unitIDs {
			if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM campaign_inspectors WHERE campaign_id = $1 AND user_id = $2 AND unit_id = $3`,
				id, userID, uid); err != nil {
				return err
			}
			if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO campaign_inspectors(campaign_id, user_id, unit_id) VALUES ($1, $2, $3)`,
				id, userID, uid); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "campaign.assign", Entity: "campaign", EntityID: strconv.FormatInt(id, 10),
			UnitPath: k.path, After: a})
	})
	if err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, cl, id)
}

// FindingSpec is a finding to record at a unit, on an item or (Item nil)
// in general, with photos.
type FindingSpec struct {
	Unit  string  `json:"unit"`
	Item  *int64  `json:"item,omitempty"`
	Body  string  `json:"body"`
	Files []int64 `json:"files,omitempty"`
}

func (s *Service) findings(ctx context.Context, id, unitID int64) ([]Finding, error) {
	files, err := s.filesOf(ctx, id, unitID, FileFinding)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT f.id, u.code, u.name_zh, u.name_en, f.item_id, f.body, f.actor_name, f.created_at
		FROM campaign_findings f JOIN units u ON u.id = f.unit_id WHERE f.campaign_id = $1 AND f.unit_id = $2 ORDER BY f.id`, id, unitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		var f Finding
		var item sql.NullInt64
		if err := rows.Scan(&f.ID, &f.Unit, &f.UnitName, &f.UnitNameEN, &item, &f.Body, &f.Actor, &f.CreatedAt); err != nil {
			return nil, err
		}
		if item.Valid {
			f.Item = &item.Int64
		}
		f.Files = files[f.ID]
		if f.Files == nil {
			f.Files = []File{}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// inspector returns the unit where the caller records findings: one it
// is assigned to, or any when it runs the campaign.
func (s *Service) inspector(ctx context.Context, cl Caller, id int64, code string) (Campaign, UnitView, error) {
	k, v, err := s.Unit(ctx, cl, id, code)
	if err != nil {
		return Campaign{}, UnitView{}, err
	}
	if !v.CanInspect {
		return Campaign{}, UnitView{}, fmt.Errorf("inspect %s: %w", code, fault.ErrForbidden)
	}
	return k, v, nil
}

// RecordFinding records what an inspector found at a unit.
func (s *Service) RecordFinding(ctx context.Context, cl Caller, id int64, in FindingSpec) (Finding, error) {
	in.Unit = strings.TrimSpace(in.Unit)
	if in.Unit == "" {
		return Finding{}, fault.InvalidField("unit", "error.required")
	}
	k, v, err := s.inspector(ctx, cl, id, in.Unit)
	if err != nil {
		return Finding{}, err
	}
	if err := inWindow(v, PhaseSite, s.Now()); err != nil {
		return Finding{}, err
	}
	ch := &fault.Check{}
	in.Body = text(ch, "body", in.Body, MaxText, true)
	if in.Item != nil {
		ok := false
		for _, it := range k.Items {
			ok = ok || it.ID == *in.Item
		}
		if !ok {
			ch.Add("item", "campaign.item.unknown", "id", *in.Item)
		}
	}
	if err := s.checkFiles(ctx, ch, cl, "files", id, v.id, in.Files); err != nil {
		return Finding{}, err
	}
	if err := ch.Err(); err != nil {
		return Finding{}, err
	}
	var fid int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO campaign_findings(campaign_id, unit_id, item_id, body, actor_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, id, v.id, in.Item, in.Body, actorName(ctx), s.Now()).Scan(&fid); err != nil {
			return err
		}
		if err := s.attach(ctx, id, v.id, FileFinding, fid, in.Files); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "campaign.finding", Entity: "campaign_finding", EntityID: strconv.FormatInt(fid, 10),
			UnitPath: v.path, After: in})
	})
	if err != nil {
		return Finding{}, err
	}
	fs, err := s.findings(ctx, id, v.id)
	if err != nil {
		return Finding{}, err
	}
	for _, f := range fs {
		if f.ID == fid {
			return f, nil
		}
	}
	return Finding{}, fault.NotFound("finding", fid)
}

// MarkInspected records that the on-site inspection of a unit is done.
func (s *Service) MarkInspected(ctx context.Context, cl Caller, id int64, code string) (UnitView, error) {
	_, v, err := s.inspector(ctx, cl, id, code)
	if err != nil {
		return UnitView{}, err
	}
	if v.InspectedAt != nil {
		return UnitView{}, fault.ConflictField("unit", "campaign.site.done")
	}
	if err := inWindow(v, PhaseSite, s.Now()); err != nil {
		return UnitView{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE campaign_units SET inspected_at = $1, inspected_by = $2 WHERE campaign_id = $3 AND unit_id = $4`,
			s.Now(), actorName(ctx), id, v.id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "campaign.inspected", Entity: "campaign", EntityID: strconv.FormatInt(id, 10),
			UnitPath: v.path, After: map[string]any{"unit": code}})
	})
	if err != nil {
		return UnitView{}, err
	}
	_, v, err = s.Unit(ctx, cl, id, code)
	return v, err
}

// ReturnSelf sends a unit's submitted self-inspection back to it with a
// reason (退回重报): its answers open again for changes. Only the
// campaign owner returns; a self-inspection not submitted is a conflict.
func (s *Service) ReturnSelf(ctx context.Context, cl Caller, id int64, code, reason string) (UnitView, error) {
	k, v, err := s.Unit(ctx, cl, id, code)
	if err != nil {
		return UnitView{}, err
	}
	if !k.Owner || k.Kind != KindInspection {
		return UnitView{}, fmt.Errorf("return self-inspection of %s: %w", code, fault.ErrForbidden)
	}
	if v.SubmittedAt == nil {
		return UnitView{}, fault.ConflictField("reason", "campaign.self.not_submitted")
	}
	ch := &fault.Check{}
	reason = text(ch, "reason", reason, MaxText, false)
	if reason == "" {
		ch.Add("reason", "campaign.return.reason")
	}
	if err := ch.Err(); err != nil {
		return UnitView{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE campaign_units SET submitted_at = NULL, submitted_by = '' WHERE campaign_id = $1 AND unit_id = $2`,
			id, v.id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "campaign.return_self", Entity: "campaign", EntityID: strconv.FormatInt(id, 10),
			UnitPath: v.path, Before: map[string]any{"unit": code, "submitted_at": v.SubmittedAt}, After: map[string]any{"unit": code, "reason": reason}})
	})
	if err != nil {
		return UnitView{}, err
	}
	_, v, err = s.Unit(ctx, cl, id, code)
	return v, err
}
