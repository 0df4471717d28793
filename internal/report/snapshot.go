package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Snapshot is a report generated for the record: the whole document with
// every figure as it was, so it is written again exactly in any format.
type Snapshot struct {
	ID        int64     `json:"id"`
	Template  string    `json:"template"`
	Version   int       `json:"version"`
	Unit      string    `json:"unit"`
	UnitName  string    `json:"unit_name"`
	Period    string    `json:"period"`
	Lang      string    `json:"lang"`
	Title     string    `json:"title"`
	Note      string    `json:"note"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	Figures   int       `json:"figures"`
	Doc       *Doc      `json:"-"`
}

// Moved is a figure of a snapshot whose live value now differs.
type Moved struct {
	Fig
	// The metric's and the unit's names, for pages in either language.
	NameZH     string   `json:"name_zh"`
	NameEN     string   `json:"name_en,omitempty"`
	UnitNameZH string   `json:"unit_name_zh"`
	UnitNameEN string   `json:"unit_name_en,omitempty"`
	Now        *float64 `json:"now"`
	Then       string   `json:"then_text"`
	NowText    string   `json:"now_text"`
	Records    string   `json:"records"` // the page of the records behind it
}

// MetricName is the metric's name in lang (its code when it has none).
func (m Moved) MetricName(lang string) string {
	return pick(lang, m.NameZH, m.NameEN, m.Metric)
}

// UnitLabel is the unit's name in lang (its code when it has none).
func (m Moved) UnitLabel(lang string) string {
	return pick(lang, m.UnitNameZH, m.UnitNameEN, m.Unit)
}

func pick(lang, zh, en, code string) string {
	switch {
	case lang == "en" && en != "":
		return en
	case zh != "":
		return zh
	}
	return code
}

// SnapshotRequest asks for a report for the record.
type SnapshotRequest struct {
	Unit   string `json:"unit"`
	Period string `json:"period"`
	Lang   string `json:"lang"`
	Note   string `json:"note"`
}

// Record generates the stored template code (its current version) for a
// unit in scope and a period, and keeps the document with its figures;
// audited.
func (s *Service) Record(ctx context.Context, scope unit.Scope, code string, in SnapshotRequest) (Snapshot, error) {
	if in.Lang != "en" {
		in.Lang = "zh-CN"
	}
	if len(in.Note) > 1000 {
		return Snapshot{}, fault.InvalidField("note", "report.template.note")
	}
	t, err := s.Template(ctx, code)
	if err != nil {
		return Snapshot{}, err
	}
	u, err := s.Units.Get(ctx, scope, in.Unit)
	if err != nil {
		return Snapshot{}, err
	}
	d, err := s.Generate(ctx, scope, t.Source, in.Unit, in.Period, in.Lang)
	if err != nil {
		return Snapshot{}, err
	}
	body, err := json.Marshal(d)
	if err != nil {
		return Snapshot{}, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO report_snapshots(template, version, unit_id, period, lang, title, note, doc_json, author, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, code, t.Version, u.ID, d.Period, in.Lang, d.Title, in.Note, string(body), actor(ctx), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("record report: %w", err)
		}
		return s.audit.Record(ctx, audit.Change{Action: "record", Entity: "report_snapshot", EntityID: strconv.FormatInt(id, 10), UnitPath: u.Path,
			After: map[string]any{"template": code, "version": t.Version, "unit": in.Unit, "period": d.Period, "figures": len(d.Figs)}})
	})
	if err != nil {
		return Snapshot{}, err
	}
	return s.Snapshot(ctx, scope, id)
}

const snapshotCols = `s.id, s.template, s.version, u.code, u.name_zh, s.period, s.lang, s.title, s.note, s.author, s.created_at`

func scanSnapshot(sc interface{ Scan(...any) error }, extra ...any) (Snapshot, error) {
	var sn Snapshot
	err := sc.Scan(append([]any{&sn.ID, &sn.Template, &sn.Version, &sn.Unit, &sn.UnitName, &sn.Period, &sn.Lang, &sn.Title, &sn.Note, &sn.Author, &sn.CreatedAt}, extra...)...)
	return sn, err
}

// Snapshots lists the snapshots of units in scope, newest first (at most
// 200), of one template when code is not "".
func (s *Service) Snapshots(ctx context.Context, scope unit.Scope, code string) ([]Snapshot, error) {
	var args store.Args
	where := scope.Cond("u.path", &args)
	if code != "" {
		where += ` AND s.template = ` + args.Add(code)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+snapshotCols+` FROM report_snapshots s JOIN units u ON u.id = s.unit_id
		WHERE `+where+` ORDER BY s.id DESC LIMIT 200`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	defer rows.Close()
	out := []Snapshot{}
	for rows.Next() {
		sn, err := scanSnapshot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sn)
	}
	return out, rows.Err()
}

// Snapshot returns a snapshot of a unit in scope with its document.
func (s *Service) Snapshot(ctx context.Context, scope unit.Scope, id int64) (Snapshot, error) {
	var args store.Args
	var body string
	row := s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+snapshotCols+`, s.doc_json FROM report_snapshots s JOIN units u ON u.id = s.unit_id
		WHERE s.id = `+args.Add(id)+` AND `+scope.Cond("u.path", &args), args.Values()...)
	sn, err := scanSnapshot(row, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fault.NotFound("report.snapshot", id)
	}
	if err != nil {
		return Snapshot{}, err
	}
	sn.Doc = &Doc{}
	if err := json.Unmarshal([]byte(body), sn.Doc); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot %d: %w", id, err)
	}
	sn.Figures = len(sn.Doc.Figs)
	return sn, nil
}

// Moved lists the figures of a snapshot whose live value now differs
// (each once), read together unit by unit; a figure of a unit now out of
// scope is left out.
func (s *Service) Moved(ctx context.Context, scope unit.Scope, sn Snapshot) ([]Moved, error) {
	type key struct{ metric, unit, period string }
	seen := map[key]bool{}
	groups := map[[2]string][]Fig{}
	var order [][2]string
	for _, f := range sn.Doc.Figs {
		k := key{f.Metric, f.Unit, f.Period}
		if seen[k] {
			continue
		}
		seen[k] = true
		g := [2]string{f.Unit, f.Period}
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], f)
	}
	out := []Moved{}
	for _, g := range order {
		figs := groups[g]
		var uzh, uen string
		if u, err := s.Units.Get(ctx, scope, g[0]); err == nil {
			uzh, uen = u.NameZH, u.NameEN
		}
		for len(figs) > 0 {
			n := min(len(figs), metric.MaxMany)
			codes := make([]string, n)
			for i := range n {
				codes[i] = figs[i].Metric
			}
			live, err := s.Metrics.Many(ctx, scope, codes, g[0], g[1])
			if errors.Is(err, fault.ErrNotFound) {
				break // the unit (or a metric) is gone from reach
			}
			if err != nil {
				return nil, err
			}
			for i := range n {
				then, now := figs[i].Value, live[i].Value
				if same(then, now) {
					continue
				}
				nf := figs[i]
				nf.Value = now
				mv := Moved{Fig: figs[i], UnitNameZH: uzh, UnitNameEN: uen, Now: now, Then: figs[i].Text(sn.Lang), NowText: nf.Text(sn.Lang), Records: DrillHref(figs[i])}
				if m, err := s.Metrics.Get(ctx, figs[i].Metric); err == nil {
					mv.NameZH, mv.NameEN = m.NameZH, m.NameEN
				}
				out = append(out, mv)
			}
			figs = figs[n:]
		}
	}
	return out, nil
}

func same(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	d := *a - *b
	return d < 1e-9 && d > -1e-9
}
