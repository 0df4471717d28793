package scheme

import (
	"context"
	"strconv"

	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/unit"
)

// Derived is one node of a version as its derivation shows it: its level,
// its share among its siblings, its share of the whole and its full marks.
type Derived struct {
	Code   string  `json:"code"`
	Parent string  `json:"parent,omitempty"`
	NameZH string  `json:"name_zh"`
	NameEN string  `json:"name_en,omitempty"`
	Level  int     `json:"level"`
	Leaf   bool    `json:"leaf"`
	Local  float64 `json:"local"`  // share among its siblings
	Weight float64 `json:"weight"` // share of the total
	Max    float64 `json:"max"`    // full marks
	Metric string  `json:"metric,omitempty"`
	Manual bool    `json:"manual,omitempty"`
	Rule   *Rule   `json:"rule,omitempty"`
}

// AHPStep is the AHP derivation of the weights of one node's children
// (Node "" for the first level).
type AHPStep struct {
	Node     string      `json:"node"`
	Children []string    `json:"children"`
	Matrix   [][]float64 `json:"matrix"`
	AHPResult
}

// Derivation shows how a version's weights come about: every node in tree
// order (depth first) and every AHP matrix with its eigenvector and
// consistency ratio.
type Derivation struct {
	Nodes []Derived `json:"nodes"`
	AHP   []AHPStep `json:"ahp"`
}

// ApplyAHP sets the weights (or points) of the children of every node
// holding an AHP matrix, and of the first level when RootAHP is set, from
// the matrix's principal eigenvector; an inconsistent matrix (CR ≥ 0.1) is
// refused with its ratio.
func (v *Version) ApplyAHP() error {
	kids := map[string][]int{}
	for i, n := range v.Nodes {
		kids[n.Parent] = append(kids[n.Parent], i)
	}
	apply := func(parent string, m [][]float64) error {
		if m == nil {
			return nil
		}
		ks := kids[parent]
		if len(ks) != len(m) {
			return fault.InvalidField("nodes", "scheme.ahp.children", "code", label(parent), "n", len(ks), "size", len(m))
		}
		r, err := AHP(m)
		if err != nil {
			f := fault.FieldsOf(err)
			if len(f) > 0 && f[0].Key == "scheme.ahp.inconsistent" {
				return fault.InvalidField("nodes", "scheme.ahp.inconsistent_at", "code", label(parent), "cr", round4(r.CR))
			}
			return err
		}
		total := v.Total
		if parent != "" {
			for _, n := range v.Nodes {
				if n.Code == parent {
					total = n.Points
				}
			}
		}
		for j, i := range ks {
			if v.Mode == ByPoints {
				v.Nodes[i].Points = r.Weights[j] * total
			} else {
				v.Nodes[i].Weight = r.Weights[j]
			}
		}
		return nil
	}
	if err := apply("", v.RootAHP); err != nil {
		return err
	}
	// Parents before children, so points flow down.
	var walk func(parent string) error
	walk = func(parent string) error {
		for _, i := range kids[parent] {
			n := v.Nodes[i]
			if err := apply(n.Code, n.AHP); err != nil {
				return err
			}
			if err := walk(n.Code); err != nil {
				return err
			}
		}
		return nil
	}
	return walk("")
}

func label(parent string) string {
	if parent == "" {
		return "—"
	}
	return parent
}

// Derive validates a version and returns its derivation.
func (v *Version) Derive() (Derivation, error) {
	t, err := v.build()
	if err != nil {
		return Derivation{}, err
	}
	d := Derivation{Nodes: []Derived{}, AHP: []AHPStep{}}
	step := func(node string, m [][]float64) {
		if m == nil {
			return
		}
		r, _ := AHP(m)
		s := AHPStep{Node: node, Matrix: m, AHPResult: r}
		for _, i := range t.children[node] {
			s.Children = append(s.Children, v.Nodes[i].Code)
		}
		d.AHP = append(d.AHP, s)
	}
	step("", v.RootAHP)
	var walk func(parent string, level int, max float64)
	walk = func(parent string, level int, max float64) {
		for _, i := range t.children[parent] {
			n := v.Nodes[i]
			x := Derived{Code: n.Code, Parent: n.Parent, NameZH: n.NameZH, NameEN: n.NameEN, Level: level, Leaf: len(t.children[n.Code]) == 0,
				Weight: round4(t.weight[i]), Max: round4(t.max[i]), Metric: n.Metric, Manual: n.Manual, Rule: n.Rule}
			if max > 0 {
				x.Local = round4(t.max[i] / max)
			}
			d.Nodes = append(d.Nodes, x)
			step(n.Code, n.AHP)
			walk(n.Code, level+1, t.max[i])
		}
	}
	walk("", 1, v.Total)
	return d, nil
}

// EntropyWeights derives entropy weights for the children of parent (""
// for the first level) from the data of the units a run over unitCode
// (in read) for the period would score: each child's points as the
// version scores them today, so every child — a branch too — is one
// column.
func (s *Service) EntropyWeights(ctx context.Context, read unit.Scope, code string, number int, unitCode, periodID, parent string) (EntropyStep, error) {
	root, err := s.units.Get(ctx, read, unitCode)
	if err != nil {
		return EntropyStep{}, err
	}
	p, err := metric.ParsePeriod(periodID)
	if err != nil {
		return EntropyStep{}, err
	}
	sc, err := s.scheme(ctx, code)
	if err != nil {
		return EntropyStep{}, err
	}
	v, vid, err := s.version(ctx, code, number)
	if err != nil {
		return EntropyStep{}, err
	}
	t, err := v.build()
	if err != nil {
		return EntropyStep{}, err
	}
	kids := t.children[parent]
	if parent != "" && !t.has(parent) || len(kids) == 0 {
		return EntropyStep{}, fault.InvalidField("parent", "scheme.entropy.parent", "code", parent)
	}
	rs, err := s.score(ctx, &v, vid, root, sc.UnitType, p)
	if err != nil {
		return EntropyStep{}, err
	}
	out := EntropyStep{Node: parent, Units: len(rs)}
	for _, i := range kids {
		out.Children = append(out.Children, v.Nodes[i].Code)
	}
	x := make([][]float64, len(rs))
	for ri, r := range rs {
		x[ri] = make([]float64, len(kids))
		for j, i := range kids {
			x[ri][j] = r.r.Nodes[i].Points
		}
	}
	res, err := Entropy(x)
	if err != nil {
		return out, err
	}
	out.EntropyResult = res
	return out, nil
}

// EntropyStep is the entropy derivation of the weights of one node's
// children over the units scored.
type EntropyStep struct {
	Node     string   `json:"node"`
	Children []string `json:"children"`
	Units    int      `json:"units"`
	EntropyResult
}

func ftoa(x float64) string { return strconv.FormatFloat(round4(x), 'f', -1, 64) }
