// Package scheme scores units against evaluation schemes: versioned trees
// of weighted indicators whose leaves read a metric (or a hand score) and
// turn it into points by a rule, with bonuses, penalties, vetoes, grades,
// a TOPSIS ranking beside the weighted sum, and the comparison of two
// versions. This file holds the tree and its validation.
package scheme

import (
	"math"

	"kexie/internal/fault"
)

// Modes of a version: weights at each level summing to 1, or points
// summing to the version's total.
const (
	ByWeights = "weights"
	ByPoints  = "points"
)

// Node is one indicator of the tree. A node without children is a leaf:
// it reads Metric (or is scored by hand when Manual) and applies Rule.
type Node struct {
	Code   string  `json:"code"`
	Parent string  `json:"parent,omitempty"`
	NameZH string  `json:"name_zh"`
	NameEN string  `json:"name_en,omitempty"`
	Weight float64 `json:"weight,omitempty"` // share among siblings (weights mode)
	Points float64 `json:"points,omitempty"` // full marks (points mode)
	Metric string  `json:"metric,omitempty"`
	Manual bool    `json:"manual,omitempty"`
	Rule   *Rule   `json:"rule,omitempty"`
	// AHP, when set, derived the weights of this node's children (in the
	// order they appear in the tree); kept to show the derivation.
	AHP [][]float64 `json:"ahp,omitempty"`
}

// Adjust is a bonus (加分) or penalty (扣分): so many points per unit of
// the metric's value, capped.
type Adjust struct {
	Code    string  `json:"code"`
	NameZH  string  `json:"name_zh"`
	NameEN  string  `json:"name_en,omitempty"`
	Metric  string  `json:"metric"`
	PerUnit float64 `json:"per_unit"`
	Cap     float64 `json:"cap"`
	Penalty bool    `json:"penalty,omitempty"`
}

// Veto is a one-vote veto (一票否决): when the metric's value reaches
// AtLeast the unit gets the lowest grade whatever its score.
type Veto struct {
	Code    string  `json:"code"`
	NameZH  string  `json:"name_zh"`
	NameEN  string  `json:"name_en,omitempty"`
	Metric  string  `json:"metric"`
	AtLeast float64 `json:"at_least"`
}

// Version is one version of a scheme: the tree and what is scored besides.
type Version struct {
	Mode    string   `json:"mode"`
	Total   float64  `json:"total"`
	Nodes   []Node   `json:"nodes"`
	Bonuses []Adjust `json:"adjusts,omitempty"`
	Vetoes  []Veto   `json:"vetoes,omitempty"`
	Grades  Grading  `json:"grades"`
	// RootAHP, when set, derives the first level's weights.
	RootAHP [][]float64 `json:"root_ahp,omitempty"`
}

const tolerance = 1e-6

// tree is a validated version's structure.
type tree struct {
	v        *Version
	index    map[string]int
	children map[string][]int // "" holds the roots
	max      []float64        // full marks of each node
	weight   []float64        // each node's share of the total
	leaves   []int            // in tree order
}

// Validate checks a version: codes unique and present, every parent
// present (no orphan), no cycle, leaves with a metric or manual and a
// valid rule, weights summing to 1 among siblings or points summing to
// the parent's (the roots' to the total), adjusts and vetoes complete,
// grades valid. Every fault is reported.
func (v *Version) Validate() error {
	_, err := v.build()
	return err
}

func (v *Version) build() (*tree, error) {
	var c fault.Check
	if v.Mode != ByWeights && v.Mode != ByPoints {
		c.Add("mode", "scheme.mode.unknown", "mode", v.Mode)
	}
	if v.Total <= 0 || math.IsNaN(v.Total) || math.IsInf(v.Total, 0) {
		c.Add("total", "scheme.total.positive")
	}
	if len(v.Nodes) == 0 {
		c.Add("nodes", "scheme.nodes.empty")
	}
	t := &tree{v: v, index: map[string]int{}, children: map[string][]int{}}
	for i, n := range v.Nodes {
		if n.Code == "" {
			c.Add("nodes", "scheme.node.code_missing", "index", i+1)
			continue
		}
		if _, dup := t.index[n.Code]; dup {
			c.Add("nodes", "scheme.node.code_duplicate", "code", n.Code)
			continue
		}
		t.index[n.Code] = i
	}
	for i, n := range v.Nodes {
		if n.Parent != "" {
			if _, ok := t.index[n.Parent]; !ok {
				c.Add("nodes", "scheme.node.orphan", "code", n.Code, "parent", n.Parent)
				continue
			}
		}
		t.children[n.Parent] = append(t.children[n.Parent], i)
	}
	if !c.OK() {
		return nil, c.Err()
	}
	// Cycles: every node must reach a root by its parents.
	for _, n := range v.Nodes {
		seen := map[string]bool{}
		for p := n.Code; p != ""; p = v.Nodes[t.index[p]].Parent {
			if seen[p] {
				c.Add("nodes", "scheme.node.cycle", "code", n.Code)
				break
			}
			seen[p] = true
		}
	}
	if !c.OK() {
		return nil, c.Err()
	}
	t.max = make([]float64, len(v.Nodes))
	t.weight = make([]float64, len(v.Nodes))
	if v.RootAHP != nil {
		if _, err := AHP(v.RootAHP); err != nil {
			c.Add("nodes", "scheme.ahp.node", "code", "—")
		}
	}
	t.walk("", v.Total, &c)
	t.checkAdjusts(&c)
	v.Grades.check(&c)
	if !c.OK() {
		return nil, c.Err()
	}
	return t, nil
}

// walk sets full marks below parent (whose full marks are max), checks
// the siblings' weights or points, and each leaf.
func (t *tree) walk(parent string, max float64, c *fault.Check) {
	kids := t.children[parent]
	sum := 0.0
	for _, i := range kids {
		n := t.v.Nodes[i]
		share := n.Weight
		if t.v.Mode == ByPoints {
			share = n.Points
		}
		if share <= 0 || math.IsNaN(share) || math.IsInf(share, 0) {
			c.Add("nodes", "scheme.node.share_positive", "code", n.Code)
		}
		sum += share
	}
	if t.v.Mode == ByWeights && math.Abs(sum-1) > tolerance {
		c.Add("nodes", "scheme.weights.sum", "parent", t.label(parent), "sum", round4(sum))
	}
	if t.v.Mode == ByPoints && math.Abs(sum-max) > tolerance*math.Max(1, max) {
		c.Add("nodes", "scheme.points.sum", "parent", t.label(parent), "sum", round4(sum), "want", round4(max))
	}
	for _, i := range kids {
		n := t.v.Nodes[i]
		if t.v.Mode == ByWeights {
			t.max[i] = max * n.Weight
		} else {
			t.max[i] = n.Points
		}
		t.weight[i] = t.max[i] / t.v.Total
		if len(t.children[n.Code]) == 0 {
			t.leaves = append(t.leaves, i)
			t.checkLeaf(n, c)
		} else {
			if n.Metric != "" || n.Rule != nil || n.Manual {
				c.Add("nodes", "scheme.node.branch_rule", "code", n.Code)
			}
			if n.AHP != nil {
				if _, err := AHP(n.AHP); err != nil {
					c.Add("nodes", "scheme.ahp.node", "code", n.Code)
				}
			}
			t.walk(n.Code, t.max[i], c)
		}
	}
}

func (t *tree) label(parent string) string {
	if parent == "" {
		return "—"
	}
	return parent
}

func (t *tree) checkLeaf(n Node, c *fault.Check) {
	if n.Metric == "" && !n.Manual {
		c.Add("nodes", "scheme.leaf.source", "code", n.Code)
	}
	if n.Metric != "" && n.Manual {
		c.Add("nodes", "scheme.leaf.both", "code", n.Code)
	}
	if n.Rule == nil {
		c.Add("nodes", "scheme.leaf.rule_missing", "code", n.Code)
		return
	}
	n.Rule.check(n.Code, c)
}

func (t *tree) checkAdjusts(c *fault.Check) {
	seen := map[string]bool{}
	for _, a := range t.v.Bonuses {
		if a.Code == "" || seen[a.Code] || t.has(a.Code) {
			c.Add("adjusts", "scheme.adjust.code", "code", a.Code)
		}
		seen[a.Code] = true
		if a.Metric == "" {
			c.Add("adjusts", "scheme.adjust.metric", "code", a.Code)
		}
		if a.PerUnit <= 0 || a.Cap <= 0 {
			c.Add("adjusts", "scheme.adjust.positive", "code", a.Code)
		}
	}
	for _, x := range t.v.Vetoes {
		if x.Code == "" || seen[x.Code] || t.has(x.Code) {
			c.Add("vetoes", "scheme.adjust.code", "code", x.Code)
		}
		seen[x.Code] = true
		if x.Metric == "" {
			c.Add("vetoes", "scheme.adjust.metric", "code", x.Code)
		}
	}
}

func (t *tree) has(code string) bool { _, ok := t.index[code]; return ok }

// Leaves lists the leaves of a valid version in tree order.
func (v *Version) Leaves() []Node {
	t, err := v.build()
	if err != nil {
		return nil
	}
	out := make([]Node, len(t.leaves))
	for i, l := range t.leaves {
		out[i] = v.Nodes[l]
	}
	return out
}

// Metrics lists every metric the version reads (leaves, adjusts, vetoes),
// once each, in order.
func (v *Version) Metrics() []string {
	var out []string
	seen := map[string]bool{}
	add := func(m string) {
		if m != "" && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	for _, n := range v.Nodes {
		add(n.Metric)
	}
	for _, a := range v.Bonuses {
		add(a.Metric)
	}
	for _, x := range v.Vetoes {
		add(x.Metric)
	}
	return out
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
