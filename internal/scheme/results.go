package scheme

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A unit's node scores are stored compactly, as [points, value] pairs in
// the order of the version's nodes and then its adjusts: the code, the
// weight, the full marks and the rule's text come back from the version
// (which never changes), so a run of 10,000 units stores a tenth of what
// whole NodeScores would take.

// packNodes writes a result's nodes as "[[p,v],…]" with v null when the
// node had no value.
func packNodes(ns []NodeScore) string {
	var b strings.Builder
	b.Grow(len(ns) * 12)
	b.WriteByte('[')
	for i, n := range ns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		b.WriteString(strconv.FormatFloat(n.Points, 'g', -1, 64))
		b.WriteByte(',')
		if n.Value == nil || math.IsNaN(*n.Value) || math.IsInf(*n.Value, 0) {
			b.WriteString("null")
		} else {
			b.WriteString(strconv.FormatFloat(*n.Value, 'g', -1, 64))
		}
		b.WriteByte(']')
	}
	b.WriteByte(']')
	return b.String()
}

// unpackNodes reads stored nodes back into NodeScores explained by the
// version's tree; whole NodeScores (as runs stored them before) are read
// as they are.
func unpackNodes(t *tree, body string) ([]NodeScore, error) {
	if strings.HasPrefix(body, "[{") || body == "[]" || body == "null" {
		var out []NodeScore
		return out, json.Unmarshal([]byte(body), &out)
	}
	var pairs [][2]*float64
	if err := json.Unmarshal([]byte(body), &pairs); err != nil {
		return nil, err
	}
	v := t.v
	if len(pairs) != len(v.Nodes)+len(v.Bonuses) {
		return nil, fmt.Errorf("stored scores of %d nodes for a version of %d", len(pairs), len(v.Nodes)+len(v.Bonuses))
	}
	isLeaf := make([]bool, len(v.Nodes))
	for _, l := range t.leaves {
		isLeaf[l] = true
	}
	out := make([]NodeScore, len(pairs))
	for i, p := range pairs {
		n := NodeScore{Value: p[1]}
		if p[0] != nil {
			n.Points = *p[0]
		}
		if i < len(v.Nodes) {
			n.Code, n.Weight, n.Max = v.Nodes[i].Code, t.weight[i], t.max[i]
			if isLeaf[i] {
				_, n.Rule = v.Nodes[i].Rule.share(p[1], nil)
			}
		} else {
			a := v.Bonuses[i-len(v.Nodes)]
			n.Code, n.Max, n.Rule = a.Code, a.Cap, adjustText(a)
		}
		out[i] = n
	}
	return out, nil
}

func adjustText(a Adjust) string { return fmt.Sprintf("%g each, cap %g", a.PerUnit, a.Cap) }
