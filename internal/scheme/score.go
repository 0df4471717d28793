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
	cols := t.columns()
	return t.score(cols, units, func(ui, c int) *float64 { return val(units[ui], cols.keys[c]) }), nil
}

// columns are what a version reads for each unit: the distinct keys
// (metrics, and the codes of hand-scored leaves) and the key each leaf,
// bonus and veto reads.
type columns struct {
	keys  []string
	leaf  []int // by position in tree.leaves
	bonus []int
	veto  []int
}

func (t *tree) columns() columns {
	var c columns
	at := map[string]int{}
	col := func(k string) int {
		i, ok := at[k]
		if !ok {
			i = len(c.keys)
			at[k] = i
			c.keys = append(c.keys, k)
		}
		return i
	}
	for _, l := range t.leaves {
		c.leaf = append(c.leaf, col(key(t.v.Nodes[l])))
	}
	for _, a := range t.v.Bonuses {
		c.bonus = append(c.bonus, col(a.Metric))
	}
	for _, x := range t.v.Vetoes {
		c.veto = append(c.veto, col(x.Metric))
	}
	return c
}

// score scores units whose values get gives by unit index and column.
// Every unit's nodes are cut from one slab, and the rule's text is made
// once per leaf and outcome: at 10,000 units and 60 leaves the
// allocations and the formatting were most of the scoring's time.
func (t *tree) score(cols columns, units []string, get func(ui, c int) *float64) []*Result {
	v := t.v
	// Percentile leaves need every unit's value.
	sorted := make([][]float64, len(t.leaves))
	for j, l := range t.leaves {
		if v.Nodes[l].Rule.Kind != Percentile {
			continue
		}
		all := make([]float64, 0, len(units))
		for ui := range units {
			if x := get(ui, cols.leaf[j]); x != nil {
				all = append(all, *x)
			}
		}
		sort.Float64s(all)
		sorted[j] = all
	}
	texts := make([]ruleTexts, len(t.leaves))
	for j, l := range t.leaves {
		texts[j] = v.Nodes[l].Rule.texts()
	}
	adjusts := make([]string, len(v.Bonuses))
	for i, a := range v.Bonuses {
		adjusts[i] = adjustText(a)
	}
	width := len(v.Nodes) + len(v.Bonuses)
	blank := make([]NodeScore, len(v.Nodes))
	for i, n := range v.Nodes {
		blank[i] = NodeScore{Code: n.Code, Weight: t.weight[i], Max: t.max[i]}
	}
	slab := make([]NodeScore, len(units)*width)
	results := make([]Result, len(units))
	out := make([]*Result, len(units))
	for ui, u := range units {
		r := &results[ui]
		r.Unit = u
		r.Nodes = slab[ui*width : ui*width+len(v.Nodes) : (ui+1)*width]
		copy(r.Nodes, blank)
		for j, l := range t.leaves {
			x := get(ui, cols.leaf[j])
			s := v.Nodes[l].Rule.points(x, sorted[j])
			ns := &r.Nodes[l]
			ns.Value, ns.Rule, ns.Points = x, texts[j].of(x), round4(s*t.max[l])
		}
		r.Total = t.sum("", r)
		for i, a := range v.Bonuses {
			x := get(ui, cols.bonus[i])
			p := round4(adjustPoints(a, x))
			r.Nodes = append(r.Nodes, NodeScore{Code: a.Code, Value: x, Rule: adjusts[i], Max: a.Cap, Points: p})
			r.Total += p
		}
		r.Total = round4(math.Max(0, r.Total))
		for i, x := range v.Vetoes {
			if y := get(ui, cols.veto[i]); y != nil && *y >= x.AtLeast {
				r.Vetoed, r.Veto = true, x.Code
				break
			}
		}
		out[ui] = r
	}
	rank(out)
	v.Grades.grade(out)
	return out
}

// adjustPoints is a bonus's points (negative for a penalty) for value x.
func adjustPoints(a Adjust, x *float64) float64 {
	p := 0.0
	if x != nil && *x > 0 {
		p = math.Min(*x*a.PerUnit, a.Cap)
	}
	if a.Penalty {
		p = -p
	}
	return p
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
