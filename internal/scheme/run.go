package scheme

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Run states.
const (
	Draft     = "draft"
	Published = "published"
)

// Run is a version scored over the units of the scheme's type below a
// unit for a period.
type Run struct {
	ID              int64      `json:"id"`
	Scheme          string     `json:"scheme"`
	Version         int        `json:"version"`
	Unit            string     `json:"unit"`
	Period          string     `json:"period"`
	State           string     `json:"state"`
	ObjectionsUntil *time.Time `json:"objections_until,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	unitPath        string
	versionID       int64
}

// Row is one unit's line of a run's league table.
type Row struct {
	Unit   string      `json:"unit"`
	NameZH string      `json:"name_zh"`
	NameEN string      `json:"name_en,omitempty"`
	Total  float64     `json:"total"`
	Rank   int         `json:"rank"`
	Grade  string      `json:"grade"`
	Vetoed bool        `json:"vetoed,omitempty"`
	Topsis float64     `json:"topsis"`
	Nodes  []NodeScore `json:"nodes,omitempty"`
	// Corrections are the unit's points changed on upheld objections
	// (on its scorecard only).
	Corrections []Correction `json:"corrections,omitempty"`
}

// scored is a scored unit with its identity.
type scored struct {
	u unit.Unit
	r *Result
}

// Start scores a version over the units of the scheme's type below
// unitCode (which must lie in read: otherwise not found) for a period,
// and stores the run (a draft) with every unit's node scores.
func (s *Service) Start(ctx context.Context, read unit.Scope, code string, number int, unitCode, periodID string) (Run, error) {
	root, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return Run{}, err
	}
	p, err := metric.ParsePeriod(periodID)
	if err != nil {
		return Run{}, err
	}
	sc, err := s.scheme(ctx, code)
	if err != nil {
		return Run{}, err
	}
	v, vid, err := s.version(ctx, code, number)
	if err != nil {
		return Run{}, err
	}
	run := Run{Scheme: code, Version: number, Unit: root.Code, Period: p.ID, State: Draft, CreatedAt: time.Now().UTC(), versionID: vid}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		rs, err := s.score(ctx, &v, vid, root, sc.UnitType, p)
		if err != nil {
			return err
		}
		if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO scheme_runs (version_id, unit_id, period, state, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, vid, root.ID, p.ID, Draft, run.CreatedAt).Scan(&run.ID); err != nil {
			return fmt.Errorf("create run: %w", err)
		}
		if err := s.insertResults(ctx, run.ID, rs); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "create", Entity: "scheme_run", EntityID: fmt.Sprint(run.ID), UnitPath: root.Path,
			After: map[string]any{"scheme": code, "version": number, "unit": root.Code, "period": p.ID, "units": len(rs)}})
	})
	return run, err
}

// score reads the values and scores the units of type typ below root.
func (s *Service) score(ctx context.Context, v *Version, vid int64, root unit.Unit, typ string, p period.Period) ([]scored, error) {
	us, err := s.unitsBelow(ctx, root, typ)
	if err != nil {
		return nil, err
	}
	t, err := v.build()
	if err != nil {
		return nil, err
	}
	// The values in one slab by unit and column: a map per unit cost
	// more than the scoring itself at 10,000 units.
	cols := t.columns()
	col := make(map[string]int, len(cols.keys))
	for i, k := range cols.keys {
		col[k] = i
	}
	row := make(map[string]int, len(us))
	codesOf := make([]string, len(us))
	for i, u := range us {
		row[u.Code] = i
		codesOf[i] = u.Code
	}
	vals := make([]*float64, len(us)*len(cols.keys))
	set := func(u, k string, x *float64) {
		i, ok := row[u]
		c, ok2 := col[k]
		if ok && ok2 {
			vals[i*len(cols.keys)+c] = x
		}
	}
	codes := v.Metrics()
	if len(codes) > 0 && len(us) > 0 {
		// A statement's placeholders are bounded (SQLite: 32,766).
		chunk := max(1, 20000/len(codes))
		for i := 0; i < len(us); i += chunk {
			part := us[i:min(i+chunk, len(us))]
			bs, err := s.metrics.ChildBreakdowns(ctx, codes, root, part, p)
			if err != nil {
				return nil, err
			}
			for _, b := range bs {
				for _, pt := range b.Parts {
					set(pt.Key, b.Metric, pt.Value)
				}
			}
		}
	}
	hand, err := s.verifiedScores(ctx, vid, p.ID)
	if err != nil {
		return nil, err
	}
	for u, m := range hand {
		for k, x := range m {
			set(u, k, x)
		}
	}
	rs := t.score(cols, codesOf, func(ui, c int) *float64 { return vals[ui*len(cols.keys)+c] })
	var closeness map[string]float64
	if len(rs) > 0 {
		if closeness, err = TopsisOf(v, rs); err != nil {
			return nil, err
		}
	}
	out := make([]scored, len(rs))
	for i, r := range rs {
		out[i] = scored{u: us[row[r.Unit]], r: r}
		r.topsis = closeness[r.Unit]
	}
	return out, nil
}

// unitsBelow lists the units of type typ in root's subtree, by path.
func (s *Service) unitsBelow(ctx context.Context, root unit.Unit, typ string) ([]unit.Unit, error) {
	from, to := unit.PathRange(root.Path)
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, code, name_zh, name_en, path FROM units
		WHERE path >= $1 AND path < $2 AND type = $3 ORDER BY path`, from, to, typ)
	if err != nil {
		return nil, fmt.Errorf("units to score: %w", err)
	}
	defer rows.Close()
	var out []unit.Unit
	for rows.Next() {
		var u unit.Unit
		if err := rows.Scan(&u.ID, &u.Code, &u.NameZH, &u.NameEN, &u.Path); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *Service) insertResults(ctx context.Context, runID int64, rs []scored) error {
	// Numbers and the packed scores (digits, signs, brackets and "null"
	// only) are written as literals; only the grades, which the version
	// names, are parameters, one per grade: binding thousands of numbered
	// parameters costs SQLite more than parsing the literals. The
	// statement is appended to one reused buffer.
	const batch = 500
	var b []byte
	for i := 0; i < len(rs); i += batch {
		var args store.Args
		grades := map[string]string{}
		b = append(b[:0], "INSERT INTO scheme_results (run_id, unit_id, total, rank, grade, vetoed, topsis, nodes_json) VALUES "...)
		for j, x := range rs[i:min(i+batch, len(rs))] {
			g, ok := grades[x.r.Grade]
			if !ok {
				g = args.Add(x.r.Grade)
				grades[x.r.Grade] = g
			}
			if j > 0 {
				b = append(b, ", "...)
			}
			b = append(b, '(')
			b = strconv.AppendInt(b, runID, 10)
			b = append(b, ", "...)
			b = strconv.AppendInt(b, x.u.ID, 10)
			b = append(b, ", "...)
			b = appendNum(b, x.r.Total)
			b = append(b, ", "...)
			b = strconv.AppendInt(b, int64(x.r.Rank), 10)
			b = append(b, ", "...)
			b = append(b, g...)
			if x.r.Vetoed {
				b = append(b, ", TRUE, "...)
			} else {
				b = append(b, ", FALSE, "...)
			}
			b = appendNum(b, x.r.topsis)
			b = append(b, ", '"...)
			b = appendNodes(b, x.r.Nodes)
			b = append(b, "')"...)
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, string(b), args.Values()...); err != nil {
			return fmt.Errorf("store results: %w", err)
		}
	}
	return nil
}

// Get returns a run whose unit lies in read.
func (s *Service) Run(ctx context.Context, read unit.Scope, id int64) (Run, error) {
	var r Run
	var args store.Args
	var until sql.NullTime
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT r.id, s.code, v.number, u.code, u.path, r.period, r.state, r.objections_until, r.created_at, v.id
		FROM scheme_runs r JOIN scheme_versions v ON v.id = r.version_id JOIN schemes s ON s.id = v.scheme_id JOIN units u ON u.id = r.unit_id
		WHERE r.id = `+args.Add(id)+` AND `+read.Cond("u.path", &args), args.Values()...).
		Scan(&r.ID, &r.Scheme, &r.Version, &r.Unit, &r.unitPath, &r.Period, &r.State, &until, &r.CreatedAt, &r.versionID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fault.NotFound("run", id)
	}
	if until.Valid {
		t := until.Time.UTC()
		r.ObjectionsUntil = &t
	}
	return r, err
}

// Rows returns a run's league table in rank order (with every node's
// points when nodes is true), the units limited to read.
func (s *Service) Rows(ctx context.Context, read unit.Scope, id int64, nodes bool) ([]Row, error) {
	// A run is seen by those whose scope holds its unit, and by the units
	// it scores (their own rows).
	run, err := s.Run(ctx, unit.Everything(), id)
	if err != nil {
		return nil, err
	}
	var t *tree
	if nodes {
		v, _, err := s.version(ctx, run.Scheme, run.Version)
		if err != nil {
			return nil, err
		}
		if t, err = v.build(); err != nil {
			return nil, err
		}
	}
	var args store.Args
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT u.code, u.name_zh, u.name_en, x.total, x.rank, x.grade, x.vetoed, x.topsis, x.nodes_json
		FROM scheme_results x JOIN units u ON u.id = x.unit_id WHERE x.run_id = `+args.Add(id)+` AND `+read.Cond("u.path", &args)+
		` ORDER BY x.rank, u.code`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("run results: %w", err)
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		var r Row
		var body string
		if err := rows.Scan(&r.Unit, &r.NameZH, &r.NameEN, &r.Total, &r.Rank, &r.Grade, &r.Vetoed, &r.Topsis, &body); err != nil {
			return nil, err
		}
		if nodes {
			if r.Nodes, err = unpackNodes(t, body); err != nil {
				return nil, fmt.Errorf("run %d, unit %s: %w", id, r.Unit, err)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 && !read.Contains(run.unitPath) {
		return nil, fault.NotFound("run", id)
	}
	return out, nil
}

// Scorecard is one unit's row of a run with every node's points.
func (s *Service) Scorecard(ctx context.Context, read unit.Scope, id int64, unitCode string) (Row, error) {
	u, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return Row{}, err
	}
	rows, err := s.Rows(ctx, unit.Subtrees(u.Path), id, true)
	if err != nil {
		return Row{}, err
	}
	for _, r := range rows {
		if r.Unit == u.Code {
			r.Corrections, err = s.corrections(ctx, id, u.ID)
			return r, err
		}
	}
	return Row{}, fault.NotFound("scorecard", unitCode)
}

// Publish freezes a draft run and opens the objections window for days
// days. A published run never changes.
func (s *Service) Publish(ctx context.Context, read unit.Scope, id int64, days int) error {
	if days < 0 || days > 90 {
		return fault.InvalidField("days", "scheme.run.days")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.Run(ctx, read, id)
		if err != nil {
			return err
		}
		if r.State == Published {
			return fault.ConflictField("run", "scheme.run.published")
		}
		now := time.Now().UTC()
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE scheme_runs SET state = $1, published_at = $2, objections_until = $3 WHERE id = $4`,
			Published, now, now.AddDate(0, 0, days), id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "publish", Entity: "scheme_run", EntityID: fmt.Sprint(id), UnitPath: r.unitPath})
	})
}

// Rescore scores a draft run again on the current data; a published run
// is refused.
func (s *Service) Rescore(ctx context.Context, read unit.Scope, id int64) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.Run(ctx, read, id)
		if err != nil {
			return err
		}
		if r.State == Published {
			return fault.ConflictField("run", "scheme.run.published")
		}
		rs, err := s.rescored(ctx, r)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM scheme_results WHERE run_id = $1`, id); err != nil {
			return err
		}
		if err := s.insertResults(ctx, id, rs); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "rescore", Entity: "scheme_run", EntityID: fmt.Sprint(id), UnitPath: r.unitPath})
	})
}

func (s *Service) rescored(ctx context.Context, r Run) ([]scored, error) {
	sc, err := s.scheme(ctx, r.Scheme)
	if err != nil {
		return nil, err
	}
	v, vid, err := s.version(ctx, r.Scheme, r.Version)
	if err != nil {
		return nil, err
	}
	root, err := s.units.Get(ctx, unit.Everything(), r.Unit)
	if err != nil {
		return nil, err
	}
	p, err := metric.ParsePeriod(r.Period)
	if err != nil {
		return nil, err
	}
	return s.score(ctx, &v, vid, root, sc.UnitType, p)
}

// Moved is a figure of a run that differs from the same figure scored
// on today's data.
type Moved struct {
	Unit string   `json:"unit"`
	Node string   `json:"node"`
	Was  float64  `json:"was"`
	Now  float64  `json:"now"`
	From *float64 `json:"value_was,omitempty"`
	To   *float64 `json:"value_now,omitempty"`
	// RankWas and RankNow are set on a unit's total (node ""): its rank
	// in the run and on today's data.
	RankWas int `json:"rank_was,omitempty"`
	RankNow int `json:"rank_now,omitempty"`
}

// Moved scores the run again on today's data, without storing it, and
// lists the points that moved, and the totals or ranks (node "").
func (s *Service) Moved(ctx context.Context, read unit.Scope, id int64) ([]Moved, error) {
	// Rows refuses a run the caller sees nothing of; a scored unit sees
	// what moved of its own line.
	stored, err := s.Rows(ctx, read, id, true)
	if err != nil {
		return nil, err
	}
	r, err := s.Run(ctx, unit.Everything(), id)
	if err != nil {
		return nil, err
	}
	now, err := s.rescored(ctx, r)
	if err != nil {
		return nil, err
	}
	// Points corrected on upheld objections stand for the run: they are
	// applied to today's scores too, so a correction is not shown as a
	// figure that moved.
	cs, err := s.corrections(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	if len(cs) > 0 {
		v, _, err := s.version(ctx, r.Scheme, r.Version)
		if err != nil {
			return nil, err
		}
		t, err := v.build()
		if err != nil {
			return nil, err
		}
		rs := make([]*Result, len(now))
		for i, x := range now {
			rs[i] = x.r
		}
		if err := t.correct(rs, cs); err != nil {
			return nil, err
		}
	}
	fresh := make(map[string]*Result, len(now))
	for _, x := range now {
		fresh[x.u.Code] = x.r
	}
	out := []Moved{}
	for _, row := range stored {
		f := fresh[row.Unit]
		if f == nil {
			continue
		}
		if row.Total != f.Total || row.Rank != f.Rank {
			out = append(out, Moved{Unit: row.Unit, Was: row.Total, Now: f.Total, RankWas: row.Rank, RankNow: f.Rank})
		}
		for i, n := range row.Nodes {
			if i < len(f.Nodes) && n.Points != f.Nodes[i].Points {
				out = append(out, Moved{Unit: row.Unit, Node: n.Code, Was: n.Points, Now: f.Nodes[i].Points, From: n.Value, To: f.Nodes[i].Value})
			}
		}
	}
	return out, nil
}

// CompareRuns compares the ranks of the units scored in two runs (two
// versions of a scheme, say), or of one run's weighted sum and TOPSIS
// when b is a.
func (s *Service) CompareRuns(ctx context.Context, read unit.Scope, a, b int64) (Comparison, error) {
	ra, err := s.Rows(ctx, read, a, false)
	if err != nil {
		return Comparison{}, err
	}
	rb, err := s.Rows(ctx, read, b, false)
	if err != nil {
		return Comparison{}, err
	}
	ta, tb := map[string]float64{}, map[string]float64{}
	for _, r := range ra {
		ta[r.Unit] = r.Total
		if r.Vetoed {
			ta[r.Unit] = -1
		}
	}
	for _, r := range rb {
		tb[r.Unit] = r.Total
		if r.Vetoed {
			tb[r.Unit] = -1
		}
		if a == b {
			tb[r.Unit] = r.Topsis
		}
	}
	return Compare(ta, tb), nil
}
