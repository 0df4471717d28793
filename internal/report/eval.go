package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"kexie/internal/fault"
	"kexie/internal/figure"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/plan"
	"kexie/internal/unit"
)

// Bounds of one evaluation: a template that loops without end or prints
// without end stops with an error, never a half-written file.
const (
	MaxOutput     = 2 << 20 // bytes of text
	MaxIterations = 20_000  // loop iterations in all
	MaxDuration   = 20 * time.Second
	MaxRank       = 100
	MaxTableCols  = 20
)

// Fig is a figure of the report: a metric's value for a unit and period.
type Fig struct {
	Metric   string   `json:"metric"`
	Unit     string   `json:"unit"`
	Period   string   `json:"period"`
	Value    *float64 `json:"value"`
	Measure  string   `json:"measure"` // unit of measure
	Decimals int      `json:"decimals"`
	Percent  bool     `json:"percent"`
	NoUnit   bool     `json:"no_unit,omitempty"`
	// Hidden: the template names a unit outside the reader's scope; the
	// figure prints "—" and links nowhere, the rest of the report stands.
	Hidden bool `json:"hidden,omitempty"`
}

// Text prints the figure the Chinese (or English) way.
func (f Fig) Text(lang string) string {
	m := f.Measure
	if f.NoUnit && !f.Percent && m != "%" {
		m = ""
	}
	return figure.Ptr(f.Value, m, f.Decimals, f.Percent, lang)
}

// Table is a table of the report: child units × metrics.
type Table struct {
	Title string
	Head  []string
	Rows  [][]Inline
}

// Inline is a piece of a line: text, or a figure.
type Inline struct {
	Text string `json:"text,omitempty"`
	Fig  *Fig   `json:"fig,omitempty"`
}

// seg is a piece of the evaluated output.
type seg struct {
	text  string
	fig   *Fig
	table *Table
	chart *Chart
}

// Source is what a report reads: the metrics and the units, within the
// caller's scope.
type Source struct {
	Metrics *metric.Service
	Units   *unit.Service
	Plans   *plan.Service // nil: no plans
	Scope   unit.Scope
}

type evaluator struct {
	ctx      context.Context
	src      Source
	unit     unit.Unit
	period   period.Period
	lang     string
	env      map[string]any
	out      []seg
	size     int
	iters    int
	deadline time.Time
	cache    map[[2]string]*float64
	metrics  map[string]*metric.Metric
	figs     []Fig // every figure printed, for snapshots
	fault    error // the last error of a function, which expr wraps
}

// failed notes a function's error for run.
func (ev *evaluator) failed(err error) error {
	if err != nil {
		ev.fault = err
	}
	return err
}

var errStop = errors.New("report: stopped")

// typedEnv is the environment expressions are checked against.
func typedEnv(vars []string) map[string]any {
	env := map[string]any{
		"fig":      func(string, ...string) (Fig, error) { return Fig{}, nil },
		"num":      func(string, ...string) (Fig, error) { return Fig{}, nil },
		"val":      func(string, ...string) (float64, error) { return 0, nil },
		"change":   func(string, ...string) (string, error) { return "", nil },
		"rank":     func(string, int, ...string) ([]map[string]any, error) { return nil, nil },
		"table":    func([]any, ...string) (*Table, error) { return nil, nil },
		"chart":    func(string, string, ...string) (*Chart, error) { return nil, nil },
		"plans":    func() ([]map[string]any, error) { return nil, nil },
		"plan":     func(int) (*Table, error) { return nil, nil },
		"children": func(...string) ([]map[string]any, error) { return nil, nil },
		"format":   func(float64, string) string { return "" },
		"unit":     map[string]any{},
		"period":   map[string]any{},
	}
	for _, v := range vars {
		env[v] = map[string]any{}
	}
	return env
}

func reserved(name string) bool {
	_, ok := typedEnv(nil)[name]
	return ok
}

func newEvaluator(ctx context.Context, src Source, u unit.Unit, p period.Period, lang string) *evaluator {
	ev := &evaluator{ctx: ctx, src: src, unit: u, period: p, lang: lang, deadline: time.Now().Add(MaxDuration),
		cache: map[[2]string]*float64{}, metrics: map[string]*metric.Metric{}}
	ev.env = map[string]any{
		"fig": func(code string, unitCode ...string) (Fig, error) { return ev.fig(code, unitCode, false) },
		"num": func(code string, unitCode ...string) (Fig, error) { return ev.fig(code, unitCode, true) },
		"val": func(code string, unitCode ...string) (float64, error) {
			f, err := ev.fig(code, unitCode, false)
			if err != nil || f.Value == nil {
				return 0, err
			}
			return *f.Value, nil
		},
		"change":   ev.change,
		"rank":     ev.rank,
		"table":    ev.table,
		"chart":    ev.chart,
		"plans":    ev.plans,
		"plan":     ev.planTable,
		"children": ev.children,
		"format": func(v float64, measure string) string {
			return figure.Format(v, measure, 2, false, lang)
		},
		"unit":   map[string]any{"code": u.Code, "name": unitName(u, lang)},
		"period": map[string]any{"id": p.ID, "name": period.Label(p, lang)},
	}
	return ev
}

func unitName(u unit.Unit, lang string) string {
	if lang == "en" && u.NameEN != "" {
		return u.NameEN
	}
	return u.NameZH
}

func (ev *evaluator) check() error {
	if err := ev.ctx.Err(); err != nil {
		return ev.failed(err)
	}
	if time.Now().After(ev.deadline) {
		return ev.failed(&Error{Line: 1, Col: 1, Key: "report.error.too_slow", Args: []any{"seconds", int(MaxDuration.Seconds())}})
	}
	return nil
}

func (ev *evaluator) metric(code string) (*metric.Metric, error) {
	if m, ok := ev.metrics[code]; ok {
		return m, nil
	}
	m, err := ev.src.Metrics.Get(ev.ctx, code)
	if err != nil {
		return nil, ev.failed(err)
	}
	ev.metrics[code] = m
	return m, nil
}

// prefetch reads the metrics named by literal codes for the report's
// unit together.
func (ev *evaluator) prefetch(codes []string) error {
	for len(codes) > 0 {
		n := min(len(codes), metric.MaxMany)
		figs, err := ev.src.Metrics.Many(ev.ctx, ev.src.Scope, codes[:n], ev.unit.Code, ev.period.ID)
		if err != nil {
			return err
		}
		for _, f := range figs {
			ev.cache[[2]string{f.Metric, ev.unit.Code}] = f.Value
		}
		codes = codes[n:]
	}
	return nil
}

func (ev *evaluator) value(code, unitCode string, p period.Period) (*float64, error) {
	if err := ev.check(); err != nil {
		return nil, err
	}
	if p.ID == ev.period.ID {
		if v, ok := ev.cache[[2]string{code, unitCode}]; ok {
			return v, nil
		}
	}
	f, err := ev.src.Metrics.Value(ev.ctx, ev.src.Scope, code, unitCode, p.ID)
	if err != nil {
		return nil, ev.failed(err)
	}
	if p.ID == ev.period.ID {
		ev.cache[[2]string{code, unitCode}] = f.Value
	}
	return f.Value, nil
}

func (ev *evaluator) unitOf(unitCode []string) (string, error) {
	switch len(unitCode) {
	case 0:
		return ev.unit.Code, nil
	case 1:
		return unitCode[0], nil
	}
	return "", errors.New("at most one unit")
}

func (ev *evaluator) fig(code string, unitCode []string, noUnit bool) (Fig, error) {
	m, err := ev.metric(code)
	if err != nil {
		return Fig{}, err
	}
	uc, err := ev.unitOf(unitCode)
	if err != nil {
		return Fig{}, err
	}
	f := Fig{Metric: code, Unit: uc, Period: ev.period.ID, Measure: m.Unit, Decimals: m.Decimals, Percent: m.Percent, NoUnit: noUnit}
	v, err := ev.value(code, uc, ev.period)
	if err != nil {
		if len(unitCode) == 1 && errors.Is(err, fault.ErrNotFound) && ev.exists(uc) {
			// A unit the template names outside the reader's scope
			// (a province-wide template read by a city): its figure
			// is not shown, and nothing of it is revealed.
			f.Hidden = true
			return f, nil
		}
		return Fig{}, err
	}
	f.Value = v
	return f, nil
}

// exists says whether a unit exists at all, in scope or not.
func (ev *evaluator) exists(code string) bool {
	_, err := ev.src.Units.Get(ev.ctx, unit.Everything(), code)
	return err == nil
}

func (ev *evaluator) change(code string, unitCode ...string) (string, error) {
	f, err := ev.fig(code, unitCode, false)
	if err != nil {
		return "", err
	}
	if f.Hidden {
		return figure.Change(nil, nil), nil
	}
	prev, err := ev.value(code, f.Unit, period.Previous(ev.period))
	if err != nil {
		return "", err
	}
	return figure.Change(f.Value, prev), nil
}

func (ev *evaluator) kids(types []string) ([]unit.Unit, error) {
	kids, err := ev.src.Metrics.Children(ev.ctx, ev.src.Scope, ev.unit.Code, types...)
	return kids, ev.failed(err)
}

func (ev *evaluator) children(types ...string) ([]map[string]any, error) {
	kids, err := ev.kids(types)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(kids))
	for i, k := range kids {
		out[i] = map[string]any{"code": k.Code, "name": unitName(k, ev.lang), "type": k.Type}
	}
	return out, nil
}

// rank lists the child units (of the types, if named) with a figure of
// the metric, greatest first, at most n; zero and missing figures are
// left out.
func (ev *evaluator) rank(code string, n int, types ...string) ([]map[string]any, error) {
	limit := max(0, min(n, MaxRank))
	m, err := ev.metric(code)
	if err != nil {
		return nil, err
	}
	kids, err := ev.kids(types)
	if err != nil {
		return nil, err
	}
	b, err := ev.src.Metrics.ChildBreakdown(ev.ctx, code, ev.unit, kids, ev.period)
	if err != nil {
		return nil, err
	}
	parts := slices.Clone(b.Parts)
	parts = slices.DeleteFunc(parts, func(p metric.Part) bool { return p.Value == nil || *p.Value == 0 })
	slices.SortStableFunc(parts, func(a, b metric.Part) int {
		switch {
		case *a.Value > *b.Value:
			return -1
		case *a.Value < *b.Value:
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	var out []map[string]any
	for i, p := range parts {
		if i >= limit {
			break
		}
		f := Fig{Metric: code, Unit: p.Key, Period: ev.period.ID, Value: p.Value, Measure: m.Unit, Decimals: m.Decimals, Percent: m.Percent}
		out = append(out, map[string]any{"code": p.Key, "name": p.Name(ev.lang), "value": *p.Value, "fig": f})
	}
	return out, nil
}

// table is the child units (of the types, if named) × the metrics.
func (ev *evaluator) table(list []any, types ...string) (*Table, error) {
	if len(list) == 0 || len(list) > MaxTableCols {
		return nil, ev.failed(&Error{Line: 1, Col: 1, Key: "report.error.table_size", Args: []any{"max", MaxTableCols}})
	}
	codes := make([]string, len(list))
	for i, c := range list {
		s, ok := c.(string)
		if !ok {
			return nil, ev.failed(&Error{Line: 1, Col: 1, Key: "report.error.table_size", Args: []any{"max", MaxTableCols}})
		}
		codes[i] = s
	}
	kids, err := ev.kids(types)
	if err != nil {
		return nil, err
	}
	head := []string{map[bool]string{true: "Unit", false: "单位"}[ev.lang == "en"]}
	ms := make([]*metric.Metric, len(codes))
	for i, c := range codes {
		if ms[i], err = ev.metric(c); err != nil {
			return nil, err
		}
		name := ms[i].NameZH
		if ev.lang == "en" && ms[i].NameEN != "" {
			name = ms[i].NameEN
		}
		head = append(head, name)
	}
	bs, err := ev.src.Metrics.ChildBreakdowns(ev.ctx, codes, ev.unit, kids, ev.period)
	if err != nil {
		return nil, ev.failed(err)
	}
	t := &Table{Head: head}
	for j, k := range kids {
		row := []Inline{{Text: unitName(k, ev.lang)}}
		for i, b := range bs {
			m := ms[i]
			row = append(row, Inline{Fig: &Fig{Metric: m.Code, Unit: k.Code, Period: ev.period.ID, Value: b.Parts[j].Value, Measure: m.Unit, Decimals: m.Decimals, Percent: m.Percent}})
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func (ev *evaluator) emit(s seg) error {
	n := len(s.text) + 16
	if s.table != nil {
		n += 64 * len(s.table.Rows) * len(s.table.Head)
	}
	ev.size += n
	if ev.size > MaxOutput {
		return &Error{Line: 1, Col: 1, Key: "report.error.too_big", Args: []any{"max", MaxOutput}}
	}
	if s.fig != nil {
		ev.figs = append(ev.figs, *s.fig)
	}
	if s.chart != nil {
		n += 64 * len(s.chart.Figs)
		ev.figs = append(ev.figs, s.chart.Figs...)
	}
	if s.table != nil {
		for _, r := range s.table.Rows {
			for _, c := range r {
				if c.Fig != nil {
					ev.figs = append(ev.figs, *c.Fig)
				}
			}
		}
	}
	ev.out = append(ev.out, s)
	return nil
}

func (ev *evaluator) run(n *node) (any, error) {
	if err := ev.check(); err != nil {
		return nil, err
	}
	ev.fault = nil
	v, err := expr.Run(n.prog, ev.env)
	if err != nil {
		var te *Error
		if errors.As(ev.fault, &te) {
			return nil, ev.fault
		}
		if ev.fault != nil && (errors.Is(ev.fault, fault.ErrNotFound) || errors.Is(ev.fault, fault.ErrForbidden)) {
			return nil, ev.fault // a unit or metric out of reach
		}
		if ctxErr := ev.ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, &Error{Line: n.line, Col: n.col, Key: "report.error.eval", Detail: firstLine(err.Error()), cause: err}
	}
	return v, nil
}

func (ev *evaluator) nodes(ns []node) error {
	for i := range ns {
		n := &ns[i]
		switch n.kind {
		case nText:
			if err := ev.emit(seg{text: n.text}); err != nil {
				return err
			}
		case nExpr:
			v, err := ev.run(n)
			if err != nil {
				return err
			}
			if err := ev.print(v); err != nil {
				return err
			}
		case nIf:
			v, err := ev.run(n)
			if err != nil {
				return err
			}
			body := n.els
			if truthy(v) {
				body = n.body
			}
			if err := ev.nodes(body); err != nil {
				return err
			}
		case nEach:
			v, err := ev.run(n)
			if err != nil {
				return err
			}
			items, ok := asList(v)
			if !ok {
				return &Error{Line: n.line, Col: n.col, Key: "report.error.not_list"}
			}
			saved, had := ev.env[n.as]
			for i, it := range items {
				ev.iters++
				if ev.iters > MaxIterations {
					return &Error{Line: n.line, Col: n.col, Key: "report.error.too_many_iterations", Args: []any{"max", MaxIterations}}
				}
				item := map[string]any{"index": i + 1, "first": i == 0, "last": i == len(items)-1, "value": it}
				if m, ok := it.(map[string]any); ok {
					for k, v := range m {
						item[k] = v
					}
				}
				ev.env[n.as] = item
				if err := ev.nodes(n.body); err != nil {
					return err
				}
			}
			if had {
				ev.env[n.as] = saved
			} else {
				delete(ev.env, n.as)
			}
		}
	}
	return nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	case Fig:
		return x.Value != nil && *x.Value != 0
	}
	if l, ok := asList(v); ok {
		return len(l) > 0
	}
	return true
}

func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []map[string]any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, true
	case []string:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, true
	case []int:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, true
	case []float64:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, true
	}
	return nil, false
}

// print emits an expression's value: a figure, a table, a ranking (名称
// 数值、…), or its text.
func (ev *evaluator) print(v any) error {
	switch x := v.(type) {
	case Fig:
		return ev.emit(seg{fig: &x})
	case *Table:
		if x == nil {
			return nil
		}
		return ev.emit(seg{table: x})
	case *Chart:
		if x == nil {
			return nil
		}
		return ev.emit(seg{chart: x})
	case []map[string]any:
		sep := "、"
		if ev.lang == "en" {
			sep = ", "
		}
		for i, it := range x {
			if i > 0 {
				if err := ev.emit(seg{text: sep}); err != nil {
					return err
				}
			}
			if err := ev.print(it["name"]); err != nil {
				return err
			}
			if f, ok := it["fig"].(Fig); ok {
				if ev.lang == "en" {
					if err := ev.emit(seg{text: " "}); err != nil {
						return err
					}
				}
				if err := ev.emit(seg{fig: &f}); err != nil {
					return err
				}
			}
		}
		if len(x) == 0 {
			return ev.emit(seg{text: figure.None})
		}
		return nil
	case float64:
		return ev.emit(seg{text: figure.Format(x, "", 2, false, ev.lang)})
	case int:
		return ev.emit(seg{text: figure.Format(float64(x), "", 0, false, ev.lang)})
	case nil:
		return ev.emit(seg{text: figure.None})
	case string:
		return ev.emit(seg{text: x})
	case bool, map[string]any:
		return ev.emit(seg{text: fmt.Sprint(x)})
	}
	return ev.emit(seg{text: fmt.Sprint(v)})
}
