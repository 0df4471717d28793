package scheme

import (
	"fmt"
	"math"
	"sort"

	"kexie/internal/fault"
)

// Kinds of rule turning a leaf's value into points.
const (
	Linear     = "linear"     // floor → 0, target → full marks, straight between
	Bands      = "bands"      // tiers: the highest band whose minimum is reached
	Ratio      = "ratio"      // value / allotted target, capped at full marks
	Percentile = "percentile" // rank among the units scored
	YesNo      = "yesno"      // any value above zero is full marks
)

// Band is one tier: from Min up, Share of the leaf's full marks.
type Band struct {
	Min   float64 `json:"min"`
	Share float64 `json:"share"`
}

// Rule turns a leaf's value into a share (0..1) of its full marks.
type Rule struct {
	Kind   string  `json:"kind"`
	Floor  float64 `json:"floor,omitempty"`
	Target float64 `json:"target,omitempty"`
	Bands  []Band  `json:"bands,omitempty"`
}

func (r *Rule) check(code string, c *fault.Check) {
	switch r.Kind {
	case Linear:
		if !(r.Target > r.Floor) {
			c.Add("nodes", "scheme.rule.linear", "code", code)
		}
	case Ratio:
		if !(r.Target > 0) {
			c.Add("nodes", "scheme.rule.ratio", "code", code)
		}
	case Bands:
		if len(r.Bands) == 0 {
			c.Add("nodes", "scheme.rule.bands", "code", code)
		}
		for i, b := range r.Bands {
			if b.Share < 0 || b.Share > 1 || math.IsNaN(b.Share) || (i > 0 && b.Min <= r.Bands[i-1].Min) {
				c.Add("nodes", "scheme.rule.bands", "code", code)
				break
			}
		}
	case Percentile, YesNo:
	default:
		c.Add("nodes", "scheme.rule.unknown", "code", code, "kind", r.Kind)
	}
}

// share applies the rule to v (nil: no value, no points); all holds the
// values of every unit scored (for percentiles), sorted ascending. The
// text says how, for the scorecard.
func (r *Rule) share(v *float64, all []float64) (float64, string) {
	t := r.texts()
	return r.points(v, all), t.of(v)
}

// points is the share of full marks the rule gives v.
func (r *Rule) points(v *float64, all []float64) float64 {
	if v == nil {
		return 0
	}
	x := *v
	switch r.Kind {
	case Linear:
		return clamp((x - r.Floor) / (r.Target - r.Floor))
	case Ratio:
		return clamp(x / r.Target)
	case Bands:
		s := 0.0
		for _, b := range r.Bands {
			if x >= b.Min {
				s = b.Share
			}
		}
		return s
	case Percentile:
		return percentRank(x, all)
	case YesNo:
		if x > 0 {
			return 1
		}
		return 0
	}
	return 0
}

// ruleTexts are what a rule's text can be: for a value, for a value
// above zero (yes/no) and for none.
type ruleTexts struct{ some, yes, none string }

func (r *Rule) texts() ruleTexts {
	t := ruleTexts{none: "no value"}
	switch r.Kind {
	case Linear:
		t.some = fmt.Sprintf("linear %g→%g", r.Floor, r.Target)
	case Ratio:
		t.some = fmt.Sprintf("ratio to %g", r.Target)
	case Bands:
		t.some = "bands"
	case Percentile:
		t.some = "percentile"
	case YesNo:
		t.some, t.yes = "no", "yes"
	}
	if t.yes == "" {
		t.yes = t.some
	}
	return t
}

func (t ruleTexts) of(v *float64) string {
	switch {
	case v == nil:
		return t.none
	case *v > 0:
		return t.yes
	}
	return t.some
}

// percentRank is the share of the other units with a lower value, ties
// counting half: the best unit alone scores 1, the worst alone 0, all
// equal 1 (nobody is below anyone and nobody is worse).
func percentRank(x float64, sorted []float64) float64 {
	n := len(sorted)
	if n <= 1 {
		return 1
	}
	below := sort.SearchFloat64s(sorted, x)
	above := sort.Search(n, func(i int) bool { return sorted[i] > x })
	equal := above - below - 1 // the others with the same value
	if equal == n-1 {
		return 1
	}
	return (float64(below) + float64(equal)/2) / float64(n-1)
}

func clamp(s float64) float64 {
	if s < 0 || math.IsNaN(s) {
		return 0
	}
	if s > 1 {
		return 1
	}
	return s
}
