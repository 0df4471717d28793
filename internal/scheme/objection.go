package scheme

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Objection is a unit's objection to a point of a published run, and the
// evaluator's answer.
type Objection struct {
	ID     int64  `json:"id"`
	Run    int64  `json:"run"`
	Unit   string `json:"unit"`
	Node   string `json:"node"`
	Reason string `json:"reason"`
	Answer string `json:"answer,omitempty"`
	Upheld bool   `json:"upheld,omitempty"`
}

// Object files a unit's objection (the unit in write, scored in the run)
// to one of its points while the run's objections window is open.
func (s *Service) Object(ctx context.Context, write unit.Scope, runID int64, unitCode, node, reason string) (int64, error) {
	u, err := s.units.Get(ctx, write, unitCode)
	if err != nil {
		return 0, err
	}
	card, err := s.Scorecard(ctx, unit.Subtrees(u.Path), runID, u.Code)
	if err != nil {
		return 0, err
	}
	r, err := s.Run(ctx, unit.Everything(), runID)
	if err != nil {
		return 0, err
	}
	if r.State != Published || r.ObjectionsUntil == nil || time.Now().After(*r.ObjectionsUntil) {
		return 0, fault.InvalidField("run", "scheme.objection.closed")
	}
	found := false
	for _, n := range card.Nodes {
		found = found || n.Code == node
	}
	if !found {
		return 0, fault.InvalidField("node", "scheme.objection.node", "code", node)
	}
	if strings.TrimSpace(reason) == "" {
		return 0, fault.InvalidField("reason", "scheme.objection.reason")
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO scheme_objections (run_id, unit_id, node, reason, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			runID, u.ID, node, reason, time.Now().UTC()).Scan(&id); err != nil {
			return fmt.Errorf("file objection: %w", err)
		}
		return s.audit.Record(ctx, audit.Change{Action: "object", Entity: "scheme_objection", EntityID: fmt.Sprint(id), UnitPath: u.Path,
			After: map[string]any{"run": runID, "node": node, "reason": reason}})
	})
	return id, err
}

// Answer records the evaluator's answer (the run's unit in read) to an
// objection, upheld or not; an objection is answered once. An upheld
// objection corrects the objecting unit's point (see Reply) while the
// objections window is open: the run's totals, ranks, grades and TOPSIS
// are scored again and stored, every change audited.
func (s *Service) Answer(ctx context.Context, read unit.Scope, id int64, rp Reply) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		o, err := s.objection(ctx, id)
		if err != nil {
			return err
		}
		r, err := s.Run(ctx, read, o.Run)
		if err != nil {
			return fault.NotFound("objection", id)
		}
		if o.Answer != "" {
			return fault.ConflictField("answer", "scheme.objection.answered")
		}
		v, _, err := s.version(ctx, r.Scheme, r.Version)
		if err != nil {
			return err
		}
		t, err := v.build()
		if err != nil {
			return err
		}
		i, err := rp.check(t, o, r, time.Now())
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE scheme_objections SET answer = $1, upheld = $2, answered_at = $3 WHERE id = $4`,
			rp.Answer, rp.Upheld, time.Now().UTC(), id); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Change{Action: "answer", Entity: "scheme_objection", EntityID: fmt.Sprint(id), UnitPath: r.unitPath,
			Before: o, After: map[string]any{"answer": rp.Answer, "upheld": rp.Upheld}}); err != nil {
			return err
		}
		if i < 0 {
			return nil
		}
		return s.uphold(ctx, r, o, rp, t, i)
	})
}

func (s *Service) objection(ctx context.Context, id int64) (Objection, error) {
	var o Objection
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT o.id, o.run_id, u.code, o.node, o.reason, o.answer, o.upheld FROM scheme_objections o
		JOIN units u ON u.id = o.unit_id WHERE o.id = $1`, id).Scan(&o.ID, &o.Run, &o.Unit, &o.Node, &o.Reason, &o.Answer, &o.Upheld)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fault.NotFound("objection", id)
	}
	return o, err
}

// Objections lists a run's objections from units in read.
func (s *Service) Objections(ctx context.Context, read unit.Scope, runID int64) ([]Objection, error) {
	run, err := s.Run(ctx, unit.Everything(), runID)
	if err != nil {
		return nil, err
	}
	var args store.Args
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT o.id, o.run_id, u.code, u.path, o.node, o.reason, o.answer, o.upheld FROM scheme_objections o
		JOIN units u ON u.id = o.unit_id WHERE o.run_id = `+args.Add(runID)+` AND `+read.Cond("u.path", &args)+` ORDER BY o.id`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Objection{}
	for rows.Next() {
		var o Objection
		var path string
		if err := rows.Scan(&o.ID, &o.Run, &o.Unit, &path, &o.Node, &o.Reason, &o.Answer, &o.Upheld); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 && !read.Contains(run.unitPath) {
		// A unit scored in the run sees its own objections; others see
		// the run only when it lies in their scope.
		if _, err := s.Rows(ctx, read, runID, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Objection returns one objection: to its unit (in read) or to those who
// see its run.
func (s *Service) Objection(ctx context.Context, read unit.Scope, id int64) (Objection, error) {
	o, err := s.objection(ctx, id)
	if err != nil {
		return o, err
	}
	u, err := s.units.Get(ctx, unit.Everything(), o.Unit)
	if err != nil {
		return o, err
	}
	if !read.Contains(u.Path) {
		if _, err := s.Run(ctx, read, o.Run); err != nil {
			return Objection{}, fault.NotFound("objection", id)
		}
	}
	return o, nil
}
