package scheme

import (
	"math"
	"testing"
)

// gradeOf grades totals (already in rank order) and returns the grades.
func gradeOf(g Grading, totals ...float64) []string {
	rs := make([]*Result, len(totals))
	for i, x := range totals {
		rs[i] = &Result{Unit: string(rune('a' + i)), Total: x}
	}
	rank(rs)
	g.grade(rs)
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Grade
	}
	return out
}

func TestGradeTies(t *testing.T) {
	levels := []GradeLevel{{Name: "优", Share: 0.2}, {Name: "良", Share: 0.4}, {Name: "中"}}
	// ten units, the 2nd and 3rd tied across the 20 % edge
	totals := []float64{90, 80, 80, 70, 60, 50, 40, 30, 20, 10}
	for _, c := range []struct {
		ties string
		want string
	}{
		{TiesShare, "优优优良良良中中中中"}, // both tied units get 优: the quota of 2 becomes 3
		{TiesDrop, "优良良良良良中中中中"},  // both drop to 良
	} {
		got := ""
		for _, g := range gradeOf(Grading{Method: ByQuota, Ties: c.ties, Levels: levels}, totals...) {
			got += g
		}
		if got != c.want {
			t.Errorf("ties %s: %s, want %s", c.ties, got, c.want)
		}
	}
	// thresholds: at the line counts as reached
	th := Grading{Method: ByThreshold, Levels: []GradeLevel{{Name: "优秀", Min: 90}, {Name: "合格", Min: 60}, {Name: "不合格"}}}
	got := gradeOf(th, 95, 90, 89.99, 60, 59.9)
	want := []string{"优秀", "优秀", "合格", "合格", "不合格"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("thresholds: %v, want %v", got, want)
			break
		}
	}
}

func TestApplyAHPSetsWeightsAndPoints(t *testing.T) {
	v := Version{Mode: ByPoints, Total: 100,
		RootAHP: [][]float64{{1, 3}, {1. / 3, 1}},
		Nodes: []Node{
			{Code: "A", NameZH: "甲", AHP: [][]float64{{1, 1}, {1, 1}}},
			{Code: "A1", Parent: "A", NameZH: "甲一", Manual: true, Rule: &Rule{Kind: YesNo}},
			{Code: "A2", Parent: "A", NameZH: "甲二", Manual: true, Rule: &Rule{Kind: YesNo}},
			{Code: "B", NameZH: "乙", Manual: true, Rule: &Rule{Kind: YesNo}},
		},
		Grades: Grading{Method: ByThreshold, Levels: []GradeLevel{{Name: "合格", Min: 60}, {Name: "不合格"}}}}
	if err := v.ApplyAHP(); err != nil {
		t.Fatal(err)
	}
	if math.Abs(v.Nodes[0].Points-75) > 1e-9 || math.Abs(v.Nodes[1].Points-37.5) > 1e-9 || math.Abs(v.Nodes[3].Points-25) > 1e-9 {
		t.Fatalf("points from AHP: %+v", v.Nodes)
	}
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	v.RootAHP = [][]float64{{1, 3, 1}, {1. / 3, 1, 1}, {1, 1, 1}}
	if err := v.ApplyAHP(); err == nil {
		t.Error("a 3×3 matrix over 2 indicators was accepted")
	}
}

// The stored form of a result reads back as the whole explanation.
func TestPackedNodesReadBack(t *testing.T) {
	v := Version{Mode: ByWeights, Total: 100,
		Nodes: []Node{
			{Code: "A", NameZH: "甲", Weight: 0.6},
			{Code: "A1", Parent: "A", NameZH: "甲一", Weight: 1, Metric: "m", Rule: &Rule{Kind: Linear, Floor: 0, Target: 4}},
			{Code: "B", NameZH: "乙", Weight: 0.4, Manual: true, Rule: &Rule{Kind: YesNo}},
		},
		Bonuses: []Adjust{{Code: "X", NameZH: "加", Metric: "x", PerUnit: 1, Cap: 5}},
		Grades:  Grading{Method: ByThreshold, Levels: []GradeLevel{{Name: "合格", Min: 60}, {Name: "不合格"}}}}
	three, one := 3.0, 1.0
	rs, err := Score(&v, []string{"u"}, func(u, k string) *float64 {
		switch k {
		case "m":
			return &three
		case "x":
			return &one
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := v.build()
	back, err := unpackNodes(tr, packNodes(rs[0].Nodes))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range rs[0].Nodes {
		b := back[i]
		same := b.Code == n.Code && b.Points == n.Points && b.Rule == n.Rule && b.Weight == n.Weight && b.Max == n.Max &&
			(b.Value == nil) == (n.Value == nil) && (b.Value == nil || *b.Value == *n.Value)
		if !same {
			t.Errorf("node %d: stored %+v, read back %+v", i, n, b)
		}
	}
}
