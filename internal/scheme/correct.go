package scheme

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// Correction is a point of a published run changed on an upheld
// objection: the value (scored again by the leaf's rule) or the points
// themselves, before and after, and the evaluator's reason.
type Correction struct {
	ID        int64     `json:"id"`
	Run       int64     `json:"run"`
	Unit      string    `json:"unit"`
	Node      string    `json:"node"`
	Objection int64     `json:"objection"`
	ValueWas  *float64  `json:"value_was,omitempty"`
	Value     *float64  `json:"value,omitempty"`
	PointsWas float64   `json:"points_was"`
	Points    float64   `json:"points"`
	ByPoints  bool      `json:"by_points,omitempty"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// Reply is the evaluator's answer to an objection. An upheld objection
// corrects a point of the objecting unit, by its value or by its points
// (one of the two); Node is the objection's own point unless given, and
// Unit, when given, must be the objecting unit.
type Reply struct {
	Answer string   `json:"answer"`
	Upheld bool     `json:"upheld"`
	Unit   string   `json:"unit,omitempty"`
	Node   string   `json:"node,omitempty"`
	Value  *float64 `json:"value,omitempty"`
	Points *float64 `json:"points,omitempty"`
}

// check validates a reply to objection o against the version, the
// objecting unit's stored nodes and the run's window; it returns the
// index of the node corrected (-1 when nothing is).
func (rp *Reply) check(t *tree, o Objection, r Run, now time.Time) (int, error) {
	var c fault.Check
	if strings.TrimSpace(rp.Answer) == "" {
		c.Add("answer", "scheme.objection.answer")
	}
	if !rp.Upheld {
		if rp.Value != nil || rp.Points != nil || rp.Node != "" || rp.Unit != "" {
			c.Add("upheld", "scheme.correction.not_upheld")
		}
		return -1, c.Err()
	}
	if r.ObjectionsUntil == nil || now.After(*r.ObjectionsUntil) {
		c.Add("upheld", "scheme.correction.closed")
	}
	if rp.Unit != "" && rp.Unit != o.Unit {
		c.Add("unit", "scheme.correction.unit", "unit", rp.Unit, "objector", o.Unit)
	}
	node := rp.Node
	if node == "" {
		node = o.Node
	}
	i := -1
	if j, ok := t.index[node]; ok {
		if len(t.children[node]) > 0 {
			c.Add("node", "scheme.correction.branch", "code", node)
		} else {
			i = j
		}
	}
	for j, a := range t.v.Bonuses {
		if a.Code == node {
			i = len(t.v.Nodes) + j
		}
	}
	if i < 0 && len(t.children[node]) == 0 {
		c.Add("node", "scheme.objection.node", "code", node)
	}
	switch {
	case rp.Value == nil && rp.Points == nil:
		c.Add("value", "scheme.correction.missing")
	case rp.Value != nil && rp.Points != nil:
		c.Add("value", "scheme.correction.both")
	case rp.Value != nil && (math.IsNaN(*rp.Value) || math.IsInf(*rp.Value, 0)):
		c.Add("value", "scheme.correction.value")
	case rp.Points != nil && i >= 0:
		lo, hi := t.pointsRange(i)
		if math.IsNaN(*rp.Points) || *rp.Points < lo-tolerance || *rp.Points > hi+tolerance {
			c.Add("points", "scheme.correction.range", "min", lo, "max", hi)
		}
	}
	return i, c.Err()
}

// pointsRange is what points node i (a leaf, or a bonus after the
// nodes) can hold.
func (t *tree) pointsRange(i int) (float64, float64) {
	if i < len(t.v.Nodes) {
		return 0, t.max[i]
	}
	a := t.v.Bonuses[i-len(t.v.Nodes)]
	if a.Penalty {
		return -a.Cap, 0
	}
	return 0, a.Cap
}

// correct applies corrections (in order) to scored results: a value is
// scored again by its leaf's rule (a percentile leaf rescores every unit
// on it, but for points given directly) or its bonus, points are set as
// given; the totals of the units touched are added up again, and every
// unit is ranked, graded and given its TOPSIS closeness again.
func (t *tree) correct(rs []*Result, cs []Correction) error {
	v := t.v
	byUnit := make(map[string]*Result, len(rs))
	for _, r := range rs {
		byUnit[r.Unit] = r
	}
	at := func(code string) int {
		if i, ok := t.index[code]; ok {
			return i
		}
		for j, a := range v.Bonuses {
			if a.Code == code {
				return len(v.Nodes) + j
			}
		}
		return -1
	}
	fixed := map[[2]string]bool{}
	again := map[int]bool{} // percentile leaves to score again
	touched := map[*Result]bool{}
	for _, c := range cs {
		r, i := byUnit[c.Unit], at(c.Node)
		if r == nil || i < 0 || i >= len(r.Nodes) {
			continue
		}
		n := &r.Nodes[i]
		touched[r] = true
		if c.ByPoints {
			n.Points = round4(c.Points)
			fixed[[2]string{c.Unit, c.Node}] = true
			continue
		}
		delete(fixed, [2]string{c.Unit, c.Node})
		x := *c.Value
		n.Value = &x
		if i >= len(v.Nodes) {
			n.Points = round4(adjustPoints(v.Bonuses[i-len(v.Nodes)], n.Value))
			continue
		}
		rule := v.Nodes[i].Rule
		n.Rule = rule.texts().of(n.Value)
		if rule.Kind == Percentile {
			again[i] = true
			continue
		}
		n.Points = round4(rule.points(n.Value, nil) * t.max[i])
	}
	for i := range again {
		var all []float64
		for _, r := range rs {
			if x := r.Nodes[i].Value; x != nil {
				all = append(all, *x)
			}
		}
		sort.Float64s(all)
		for _, r := range rs {
			if fixed[[2]string{r.Unit, v.Nodes[i].Code}] {
				continue
			}
			p := round4(v.Nodes[i].Rule.points(r.Nodes[i].Value, all) * t.max[i])
			if p != r.Nodes[i].Points {
				r.Nodes[i].Points = p
				touched[r] = true
			}
		}
	}
	for r := range touched {
		total := t.sum("", r)
		for _, n := range r.Nodes[len(v.Nodes):] {
			total += n.Points
		}
		r.Total = round4(math.Max(0, total))
	}
	rank(rs)
	v.Grades.grade(rs)
	if len(rs) == 0 {
		return nil
	}
	closeness, err := TopsisOf(v, rs)
	if err != nil {
		return err
	}
	for _, r := range rs {
		r.topsis = closeness[r.Unit]
	}
	return nil
}

// stored is a run's stored result of one unit, as read for correcting.
type stored struct {
	id   int64
	path string
	r    *Result
	// before: the figures as stored
	total  float64
	rank   int
	grade  string
	topsis float64
	packed string
}

// storedResults reads every stored result of a run with its nodes.
func (s *Service) storedResults(ctx context.Context, t *tree, runID int64) ([]*stored, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT u.id, u.code, u.path, x.total, x.rank, x.grade, x.vetoed, x.topsis, x.nodes_json
		FROM scheme_results x JOIN units u ON u.id = x.unit_id WHERE x.run_id = $1 ORDER BY x.rank, u.code`, runID)
	if err != nil {
		return nil, fmt.Errorf("run results: %w", err)
	}
	defer rows.Close()
	var out []*stored
	for rows.Next() {
		x := &stored{r: &Result{}}
		var body string
		if err := rows.Scan(&x.id, &x.r.Unit, &x.path, &x.total, &x.rank, &x.grade, &x.r.Vetoed, &x.topsis, &body); err != nil {
			return nil, err
		}
		if x.r.Nodes, err = unpackNodes(t, body); err != nil {
			return nil, fmt.Errorf("run %d, unit %s: %w", runID, x.r.Unit, err)
		}
		x.r.Total, x.r.Rank, x.r.Grade, x.r.topsis = x.total, x.rank, x.grade, x.topsis
		x.packed = packNodes(x.r.Nodes)
		out = append(out, x)
	}
	return out, rows.Err()
}

// corrections lists a run's corrections (of one unit when unitID is not
// 0) in the order they were made.
func (s *Service) corrections(ctx context.Context, runID, unitID int64) ([]Correction, error) {
	q := `SELECT c.id, c.run_id, u.code, c.node, c.objection_id, c.value_was, c.value_now, c.points_was, c.points_now, c.by_points, c.reason, c.created_at
		FROM scheme_corrections c JOIN units u ON u.id = c.unit_id WHERE c.run_id = $1`
	args := []any{runID}
	if unitID != 0 {
		q += ` AND c.unit_id = $2`
		args = append(args, unitID)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q+` ORDER BY c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("corrections: %w", err)
	}
	defer rows.Close()
	out := []Correction{}
	for rows.Next() {
		var c Correction
		var was, now sql.NullFloat64
		if err := rows.Scan(&c.ID, &c.Run, &c.Unit, &c.Node, &c.Objection, &was, &now, &c.PointsWas, &c.Points, &c.ByPoints, &c.Reason, &c.At); err != nil {
			return nil, err
		}
		if was.Valid {
			c.ValueWas = &was.Float64
		}
		if now.Valid {
			c.Value = &now.Float64
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// Corrections lists the corrections of a run's points: of one unit's
// (unitCode, seen as its scorecard is) or, when unitCode is empty, of
// the units in read.
func (s *Service) Corrections(ctx context.Context, read unit.Scope, runID int64, unitCode string) ([]Correction, error) {
	if unitCode != "" {
		u, err := s.units.Get(ctx, read, unitCode)
		if err != nil {
			return nil, err
		}
		if _, err := s.Scorecard(ctx, read, runID, u.Code); err != nil {
			return nil, err
		}
		return s.corrections(ctx, runID, u.ID)
	}
	rows, err := s.Rows(ctx, read, runID, false)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		seen[r.Unit] = true
	}
	all, err := s.corrections(ctx, runID, 0)
	if err != nil {
		return nil, err
	}
	out := []Correction{}
	for _, c := range all {
		if seen[c.Unit] {
			out = append(out, c)
		}
	}
	return out, nil
}

// uphold corrects the objecting unit's point as the reply says, within
// the answer's transaction: the run's results are scored again from the
// stored points with every correction so far and this one, the results
// that changed are written back, and every change is audited.
func (s *Service) uphold(ctx context.Context, r Run, o Objection, rp Reply, t *tree, i int) error {
	all, err := s.storedResults(ctx, t, r.ID)
	if err != nil {
		return err
	}
	var me *stored
	rs := make([]*Result, len(all))
	for k, x := range all {
		rs[k] = x.r
		if x.r.Unit == o.Unit {
			me = x
		}
	}
	if me == nil {
		return fault.NotFound("scorecard", o.Unit)
	}
	prior, err := s.corrections(ctx, r.ID, 0)
	if err != nil {
		return err
	}
	old := me.r.Nodes[i]
	c := Correction{Run: r.ID, Unit: o.Unit, Node: old.Code, Objection: o.ID, ValueWas: old.Value, PointsWas: old.Points,
		Reason: rp.Answer, At: time.Now().UTC()}
	if rp.Points != nil {
		c.ByPoints, c.Points, c.Value = true, *rp.Points, old.Value
	} else {
		c.Value = rp.Value
	}
	if err := t.correct(rs, append(prior, c)); err != nil {
		return err
	}
	c.Points = me.r.Nodes[i].Points
	var was, now any
	if c.ValueWas != nil {
		was = *c.ValueWas
	}
	if c.Value != nil {
		now = *c.Value
	}
	if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO scheme_corrections (run_id, unit_id, node, objection_id, value_was, value_now,
		points_was, points_now, by_points, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.ID, me.id, c.Node, o.ID, was, now, c.PointsWas, c.Points, c.ByPoints, c.Reason, c.At).Scan(&c.ID); err != nil {
		return fmt.Errorf("store correction: %w", err)
	}
	if err := s.audit.Record(ctx, audit.Change{Action: "correct", Entity: "scheme_result", EntityID: fmt.Sprintf("%d/%s", r.ID, o.Unit),
		UnitPath: me.path, Before: map[string]any{"node": c.Node, "value": c.ValueWas, "points": c.PointsWas, "total": me.total, "rank": me.rank, "grade": me.grade},
		After: map[string]any{"node": c.Node, "value": c.Value, "points": c.Points, "total": me.r.Total, "rank": me.r.Rank, "grade": me.r.Grade,
			"objection": o.ID, "correction": c.ID, "reason": c.Reason}}); err != nil {
		return err
	}
	for _, x := range all {
		packed := packNodes(x.r.Nodes)
		figures := x.r.Total != x.total || x.r.Rank != x.rank || x.r.Grade != x.grade || packed != x.packed
		if !figures && math.Abs(x.r.topsis-x.topsis) < 1e-12 {
			continue
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE scheme_results SET total = $1, rank = $2, grade = $3, topsis = $4, nodes_json = $5
			WHERE run_id = $6 AND unit_id = $7`, x.r.Total, x.r.Rank, x.r.Grade, x.r.topsis, packed, r.ID, x.id); err != nil {
			return fmt.Errorf("store corrected result: %w", err)
		}
		if figures && x != me {
			// Another unit's total (a percentile leaf scored again), rank
			// or grade (by quota) moved with the correction.
			if err := s.audit.Record(ctx, audit.Change{Action: "recompute", Entity: "scheme_result", EntityID: fmt.Sprintf("%d/%s", r.ID, x.r.Unit),
				UnitPath: x.path, Before: map[string]any{"total": x.total, "rank": x.rank, "grade": x.grade},
				After: map[string]any{"total": x.r.Total, "rank": x.r.Rank, "grade": x.r.Grade, "correction": c.ID}}); err != nil {
				return err
			}
		}
	}
	return nil
}
