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
	return string(appendNodes(make([]byte, 0, len(ns)*12), ns))
}

// appendNodes appends the packed nodes to b.
func appendNodes(b []byte, ns []NodeScore) []byte {
	b = append(b, '[')
	for i, n := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendNum(b, n.Points)
		b = append(b, ',')
		if n.Value == nil || math.IsNaN(*n.Value) || math.IsInf(*n.Value, 0) {
			b = append(b, "null"...)
		} else {
			b = appendNum(b, *n.Value)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendNum appends x as the shortest text that reads back as x. Points
// are rounded to 4 decimals and most values are whole, so those are
// written from their scaled integer when that reads back exactly; the
// general formatting is the slow path.
func appendNum(b []byte, x float64) []byte {
	if n := math.Round(x * 1e4); math.Abs(n) < 1e15 && n/1e4 == x {
		i := int64(n)
		if i < 0 {
			b = append(b, '-')
			i = -i
		}
		b = strconv.AppendInt(b, i/10000, 10)
		if f := i % 10000; f != 0 {
			var d [5]byte
			d[0] = '.'
			for k := 4; k >= 1; k-- {
				d[k] = byte('0' + f%10)
				f /= 10
			}
			end := 5
			for d[end-1] == '0' {
				end--
			}
			b = append(b, d[:end]...)
		}
		return b
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
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
