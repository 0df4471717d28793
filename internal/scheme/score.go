package scheme

import (
	"math"
	"slices"
	"sort"
)

// Values gives the value of a metric (or, for a hand-scored leaf, of the
// leaf's code) for a unit; nil when there is none.
type Values func(unit, code string) *float64

// NodeScore is one node's points for one unit and where they came from.
type NodeScore struct {
	Code   string   `json:"code"`
	Value  *float64 `json:"value,omitempty"`
	Rule   string   `json:"rule,omitempty"`
	Weight float64  `json:"weight"`
	Max    float64  `json:"max"`
	Points float64  `json:"points"`
}

// Result is one unit's score.
type Result struct {
	Unit   string  `json:"unit"`
	Total  float64 `json:"total"`
	Rank   int     `json:"rank"`
	topsis float64
	Grade  string      `json:"grade"`
	Vetoed bool        `json:"vetoed,omitempty"`
	Veto   string      `json:"veto,omitempty"`
	Nodes  []NodeScore `json:"nodes"` // tree nodes in order, then adjusts
}

// Score scores units against a version: every node's points with its
// value, rule and weight; bonuses and penalties with their caps; vetoes;
// ranks (competition ranking, 1 2 2 4, the vetoed after all others) and
// grades. Results come in rank order.
func Score(v *Version, units []string, val Values) ([]*Result, error) {
	t, err := v.build()
	if err != nil {
		return nil, err
	}
	// Percentile leaves need every unit's value.
	sorted := map[int][]float64{}
	for _, l := range t.leaves {
		n := v.Nodes[l]
		if n.Rule.Kind != Percentile {
			continue
		}
		var all []float64
		for _, u := range units {
			if x := val(u, key(n)); x != nil {
				all = append(all, *x)
			}
		}
		sort.Float64s(all)
		sorted[l] = all
	}
	out := make([]*Result, len(units))
	for ui, u := range units {
		r := &Result{Unit: u, Nodes: make([]NodeScore, len(v.Nodes), len(v.Nodes)+len(v.Bonuses))}
		for i, n := range v.Nodes {
			r.Nodes[i] = NodeScore{Code: n.Code, Weight: t.weight[i], Max: t.max[i]}
		}
		for _, l := range t.leaves {
			n := v.Nodes[l]
			x := val(u, key(n))
			s, how := n.Rule.share(x, sorted[l])
			ns := &r.Nodes[l]
			ns.Value, ns.Rule, ns.Points = x, how, round4(s*t.max[l])
		}
		r.Total = t.sum("", r)
		for _, a := range v.Bonuses {
			x := val(u, a.Metric)
			p := 0.0
			if x != nil && *x > 0 {
				p = math.Min(*x*a.PerUnit, a.Cap)
			}
			if a.Penalty {
				p = -p
			}
			p = round4(p)
			r.Nodes = append(r.Nodes, NodeScore{Code: a.Code, Value: x, Rule: adjustText(a), Max: a.Cap, Points: p})
			r.Total += p
		}
		r.Total = round4(math.Max(0, r.Total))
		for _, x := range v.Vetoes {
			if y := val(u, x.Metric); y != nil && *y >= x.AtLeast {
				r.Vetoed, r.Veto = true, x.Code
				break
			}
		}
		out[ui] = r
	}
	rank(out)
	v.Grades.grade(out)
	return out, nil
}

// key is what a leaf's value is read by: its metric, or its own code
// when scored by hand.
func key(n Node) string {
	if n.Manual {
		return n.Code
	}
	return n.Metric
}

// sum adds up the branches below parent from their leaves, setting each
// branch's points, and returns the total.
func (t *tree) sum(parent string, r *Result) float64 {
	total := 0.0
	for _, i := range t.children[parent] {
		if len(t.children[t.v.Nodes[i].Code]) > 0 {
			r.Nodes[i].Points = round4(t.sum(t.v.Nodes[i].Code, r))
		}
		total += r.Nodes[i].Points
	}
	return total
}

// rank sorts results by total (vetoed last, then unit code for a stable
// order) and gives competition ranks.
func rank(rs []*Result) {
	slices.SortStableFunc(rs, func(a, b *Result) int {
		if a.Vetoed != b.Vetoed {
			if a.Vetoed {
				return 1
			}
			return -1
		}
		if !sameScore(a, b) {
			if a.Total > b.Total {
				return -1
			}
			return 1
		}
		if a.Unit < b.Unit {
			return -1
		}
		if a.Unit > b.Unit {
			return 1
		}
		return 0
	})
	for i, r := range rs {
		r.Rank = i + 1
		if i > 0 && r.Vetoed == rs[i-1].Vetoed && sameScore(r, rs[i-1]) {
			r.Rank = rs[i-1].Rank
		}
	}
}
