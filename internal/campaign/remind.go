package campaign

import (
	"context"
	"fmt"
	"strconv"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/plan"
)

// Remind asks for the lights of the items to remind (催办): yellow and
// red by default.
type Remind struct {
	Lights []string `json:"lights,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// Remind sends a reminder (催办) to the responsible unit's inbox for each
// open item of the campaign with one of the lights asked, kept in the
// item's history and audited, and mails it to the unit's address for
// reminders when mail is configured (as plans do); only the campaign
// owner reminds. It returns how many were sent.
func (s *Service) Remind(ctx context.Context, cl Caller, campaignID int64, in Remind) (int, error) {
	k, err := s.header(ctx, cl, campaignID)
	if err != nil {
		return 0, err
	}
	if !k.Owner {
		return 0, fmt.Errorf("remind in campaign %d: %w", campaignID, fault.ErrForbidden)
	}
	ch := &fault.Check{}
	if len(in.Lights) == 0 {
		in.Lights = []string{"yellow", "red"}
	}
	want := map[string]bool{}
	for i, l := range in.Lights {
		if l != "green" && l != "yellow" && l != "red" {
			ch.Add(fmt.Sprintf("lights[%d]", i), "error.option", "value", l)
		}
		want[l] = true
	}
	in.Note = text(ch, "note", in.Note, MaxText, false)
	if err := ch.Err(); err != nil {
		return 0, err
	}
	rs, err := s.rects(ctx, cl, k, "", nil)
	if err != nil {
		return 0, err
	}
	var notices []plan.Notice
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		notices = notices[:0]
		for _, r := range rs {
			if r.State != Open || !want[r.Light] {
				continue
			}
			var unitID int64
			if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT unit_id FROM campaign_rectifications WHERE id = $1`, r.ID).Scan(&unitID); err != nil {
				return err
			}
			n := plan.Notice{Unit: unitID, Kind: "campaign_remind", Subject: "催办：" + r.Problem,
				Body: fmt.Sprintf("催办：%s —— 《%s》，整改时限 %s，当前进度 %d%%。%s", r.Problem, k.Title, r.Due, r.Percent, in.Note),
				Link: "/rectifications/" + strconv.FormatInt(r.ID, 10), From: k.Unit}
			if err := s.Leave(ctx, n, now); err != nil {
				return err
			}
			if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO campaign_rect_events(rect_id, action, state, percent, note, actor_name, created_at)
				VALUES ($1, 'remind', $2, $3, $4, $5, $6)`, r.ID, r.State, r.Percent, in.Note, actorName(ctx), now); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, audit.Change{Action: "rectification.remind", Entity: "rectification", EntityID: strconv.FormatInt(r.ID, 10),
				UnitPath: r.path, After: map[string]any{"light": r.Light, "note": in.Note}}); err != nil {
				return err
			}
			notices = append(notices, n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.Send(ctx, notices)
	return len(notices), nil
}
