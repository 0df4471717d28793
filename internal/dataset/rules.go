package dataset

import (
	"fmt"
	"math"
	"regexp"
	"slices"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// A rule's two sides are expr-lang expressions (the one expression
// language of kexie) over the form: a metric's code is its total (the sum
// of its categories), cats.CODE.CAT one category's value. Numbers are
// float64 in the metric's own unit (yuan, percent as 69.8). A rule whose
// sides name a metric with no value yet is skipped, so a form can be
// filled in over several saves; submitting needs the required values.

type compiledRule struct {
	Rule
	left, right *vm.Program
	refs        []string // metric codes the sides read
}

// Result is the outcome of one rule on one form.
type Result struct {
	Rule      string   `json:"rule"`
	Severity  string   `json:"severity"`
	Status    string   `json:"status"` // pass, fail or skipped
	Left      *float64 `json:"left"`
	Op        string   `json:"op"`
	Right     *float64 `json:"right"`
	MessageZH string   `json:"message_zh"`
	MessageEN string   `json:"message_en"`
}

// Rule result statuses.
const (
	ResultPass    = "pass"
	ResultFail    = "fail"
	ResultSkipped = "skipped"
)

// Message returns the result's message in lang.
func (r Result) Message(lang string) string { return pick(lang, r.MessageZH, r.MessageEN) }

// exprEnv is the environment the sides are checked against and run in.
func exprEnv(items []Item) map[string]any {
	env := make(map[string]any, len(items)+1)
	cats := make(map[string]map[string]float64, len(items))
	for _, it := range items {
		env[it.Code] = float64(0)
		m := map[string]float64{}
		for _, c := range it.Categories {
			m[c.Code] = 0
		}
		cats[it.Code] = m
	}
	env["cats"] = cats
	return env
}

func compileSide(src string, items []Item) (*vm.Program, error) {
	return expr.Compile(src, expr.Env(exprEnv(items)), expr.AsFloat64(), expr.MaxNodes(500))
}

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// compileRules compiles a stored definition's rules (checked when saved).
func compileRules(d Def) ([]compiledRule, error) {
	out := make([]compiledRule, 0, len(d.Rules))
	for _, r := range d.Rules {
		cr := compiledRule{Rule: r}
		var err error
		if cr.left, err = compileSide(r.Left, d.Metrics); err != nil {
			return nil, fmt.Errorf("data set %s rule %s: %w", d.Code, r.Code, err)
		}
		if cr.right, err = compileSide(r.Right, d.Metrics); err != nil {
			return nil, fmt.Errorf("data set %s rule %s: %w", d.Code, r.Code, err)
		}
		for _, id := range identRE.FindAllString(r.Left+" "+r.Right, -1) {
			if slices.ContainsFunc(d.Metrics, func(it Item) bool { return it.Code == id }) && !slices.Contains(cr.refs, id) {
				cr.refs = append(cr.refs, id)
			}
		}
		out = append(out, cr)
	}
	return out, nil
}

// cellKey names one value of a form.
type cellKey struct{ metric, cat string }

// evaluate runs the rules over a form's values (scaled, by cell).
func (d *DataSet) evaluate(vals map[cellKey]int64) []Result {
	env := exprEnv(d.Metrics)
	cats := env["cats"].(map[string]map[string]float64)
	has := map[string]bool{}
	for _, it := range d.Metrics {
		scale := math.Pow10(it.field().ScaleOf())
		var total float64
		for _, c := range it.Cells() {
			v, ok := vals[cellKey{it.Code, c}]
			if !ok {
				continue
			}
			has[it.Code] = true
			f := float64(v) / scale
			total += f
			if c != "" {
				cats[it.Code][c] = f
			}
		}
		env[it.Code] = total
	}
	out := make([]Result, 0, len(d.rules))
	for _, r := range d.rules {
		res := Result{Rule: r.Code, Severity: r.Severity, Op: r.Op, MessageZH: r.MessageZH, MessageEN: r.MessageEN, Status: ResultSkipped}
		ready := true
		for _, ref := range r.refs {
			ready = ready && has[ref]
		}
		if ready {
			l, lerr := runSide(r.left, env)
			rt, rerr := runSide(r.right, env)
			if lerr == nil && rerr == nil {
				res.Left, res.Right = &l, &rt
				res.Status = ResultFail
				if compare(l, r.Op, rt) {
					res.Status = ResultPass
				}
			}
		}
		out = append(out, res)
	}
	return out
}

func runSide(p *vm.Program, env map[string]any) (float64, error) {
	out, err := expr.Run(p, env)
	if err != nil {
		return 0, err
	}
	f, ok := out.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number: %v", out)
	}
	return f, nil
}

// compare applies op, counting values within a relative 1e-9 as equal:
// sums of decimals in float64 are not exact.
func compare(l float64, op string, r float64) bool {
	eq := math.Abs(l-r) <= 1e-9*math.Max(1, math.Max(math.Abs(l), math.Abs(r)))
	switch op {
	case "==":
		return eq
	case "!=":
		return !eq
	case "<":
		return l < r && !eq
	case "<=":
		return l < r || eq
	case ">":
		return l > r && !eq
	case ">=":
		return l > r || eq
	}
	return false
}

// failures are the results that fail with severity sev.
func failures(rs []Result, sev string) []Result {
	var out []Result
	for _, r := range rs {
		if r.Status == ResultFail && r.Severity == sev {
			out = append(out, r)
		}
	}
	return out
}
