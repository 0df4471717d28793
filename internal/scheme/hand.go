package scheme

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// HandScore is a unit's self-score on a hand-scored leaf, with its
// evidence, and the evaluator's verified score and reason. The value is
// the leaf's rule input (for a yes/no leaf, 1 or 0).
type HandScore struct {
	Unit     string   `json:"unit"`
	Node     string   `json:"node"`
	Claimed  float64  `json:"claimed"`
	Evidence string   `json:"evidence"`
	Verified *float64 `json:"verified,omitempty"`
	Reason   string   `json:"reason,omitempty"`
}

// handLeaf finds a hand-scored leaf of a version and the most its value
// may be: the rule's target (linear, ratio), the top band, 1 (yes/no).
func handLeaf(v *Version, node string) (Node, float64, error) {
	for _, n := range v.Leaves() {
		if n.Code == node && n.Manual {
			top := math.Inf(1)
			switch n.Rule.Kind {
			case Linear, Ratio:
				top = n.Rule.Target
			case YesNo:
				top = 1
			case Bands:
				top = n.Rule.Bands[len(n.Rule.Bands)-1].Min
			}
			return n, top, nil
		}
	}
	return Node{}, 0, fault.InvalidField("node", "scheme.hand.not_manual", "code", node)
}

// SelfScore records a unit's self-score (the unit must lie in write) on a
// hand-scored leaf of a scheme version for a period, with its evidence;
// a score above the leaf's maximum is refused. Submitting again replaces
// the claim and clears any verification.
func (s *Service) SelfScore(ctx context.Context, write unit.Scope, code string, number int, periodID string, h HandScore) error {
	p, err := metric.ParsePeriod(periodID)
	if err != nil {
		return err
	}
	periodID = p.ID
	u, err := s.units.Get(ctx, write, h.Unit)
	if err != nil {
		return err
	}
	v, vid, err := s.version(ctx, code, number)
	if err != nil {
		return err
	}
	_, top, err := handLeaf(&v, h.Node)
	if err != nil {
		return err
	}
	if h.Claimed < 0 || h.Claimed > top || math.IsNaN(h.Claimed) {
		return fault.InvalidField("claimed", "scheme.hand.above_max", "max", top)
	}
	if strings.TrimSpace(h.Evidence) == "" {
		return fault.InvalidField("evidence", "scheme.hand.evidence")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM scheme_hand_scores WHERE version_id = $1 AND unit_id = $2 AND period = $3 AND node = $4`,
			vid, u.ID, periodID, h.Node); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO scheme_hand_scores (version_id, unit_id, period, node, claimed, evidence, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, vid, u.ID, periodID, h.Node, h.Claimed, h.Evidence, time.Now().UTC()); err != nil {
			return fmt.Errorf("save self-score: %w", err)
		}
		return s.audit.Record(ctx, audit.Change{Action: "self_score", Entity: "scheme_hand_score", EntityID: fmt.Sprintf("%s/%d/%s/%s", code, number, periodID, h.Node),
			UnitPath: u.Path, After: h})
	})
}

// Verify sets the evaluator's score on a unit's self-score (the unit in
// read): the claim kept, or adjusted with a reason; above the maximum is
// refused.
func (s *Service) Verify(ctx context.Context, read unit.Scope, code string, number int, periodID, unitCode, node string, score float64, reason string) error {
	p, err := metric.ParsePeriod(periodID)
	if err != nil {
		return err
	}
	periodID = p.ID
	u, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return err
	}
	v, vid, err := s.version(ctx, code, number)
	if err != nil {
		return err
	}
	_, top, err := handLeaf(&v, node)
	if err != nil {
		return err
	}
	if score < 0 || score > top || math.IsNaN(score) {
		return fault.InvalidField("verified", "scheme.hand.above_max", "max", top)
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var claimed float64
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT claimed FROM scheme_hand_scores WHERE version_id = $1 AND unit_id = $2 AND period = $3 AND node = $4`,
			vid, u.ID, periodID, node).Scan(&claimed)
		if err == sql.ErrNoRows {
			return fault.NotFound("self-score", node)
		}
		if err != nil {
			return err
		}
		if score != claimed && strings.TrimSpace(reason) == "" {
			return fault.InvalidField("reason", "scheme.hand.reason")
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE scheme_hand_scores SET verified = $1, reason = $2, updated_at = $3
			WHERE version_id = $4 AND unit_id = $5 AND period = $6 AND node = $7`, score, reason, time.Now().UTC(), vid, u.ID, periodID, node); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "verify", Entity: "scheme_hand_score", EntityID: fmt.Sprintf("%s/%d/%s/%s", code, number, periodID, node),
			UnitPath: u.Path, Before: map[string]any{"claimed": claimed}, After: map[string]any{"verified": score, "reason": reason}})
	})
}

// HandScores lists the self-scores of a version and period in read.
func (s *Service) HandScores(ctx context.Context, read unit.Scope, code string, number int, periodID string) ([]HandScore, error) {
	p, err := metric.ParsePeriod(periodID)
	if err != nil {
		return nil, err
	}
	periodID = p.ID
	_, vid, err := s.version(ctx, code, number)
	if err != nil {
		return nil, err
	}
	var args store.Args
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT u.code, u.path, h.node, h.claimed, h.evidence, h.verified, h.reason FROM scheme_hand_scores h
		JOIN units u ON u.id = h.unit_id WHERE h.version_id = `+args.Add(vid)+` AND h.period = `+args.Add(periodID)+` AND `+read.Cond("u.path", &args)+`
		ORDER BY u.path, h.node`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HandScore{}
	for rows.Next() {
		var h HandScore
		var path string
		var ver sql.NullFloat64
		if err := rows.Scan(&h.Unit, &path, &h.Node, &h.Claimed, &h.Evidence, &ver, &h.Reason); err != nil {
			return nil, err
		}
		if ver.Valid {
			h.Verified = &ver.Float64
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// verifiedScores reads the verified hand scores of a version and period
// by unit code and leaf code; a claim not yet verified counts nothing.
func (s *Service) verifiedScores(ctx context.Context, vid int64, periodID string) (map[string]map[string]*float64, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT u.code, h.node, h.verified FROM scheme_hand_scores h JOIN units u ON u.id = h.unit_id
		WHERE h.version_id = $1 AND h.period = $2 AND h.verified IS NOT NULL`, vid, periodID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]*float64{}
	for rows.Next() {
		var u, n string
		var x float64
		if err := rows.Scan(&u, &n, &x); err != nil {
			return nil, err
		}
		if out[u] == nil {
			out[u] = map[string]*float64{}
		}
		out[u][n] = &x
	}
	return out, rows.Err()
}
