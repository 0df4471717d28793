package scheme

import (
	"slices"
	"testing"

	"kexie/internal/fault"
)

func lin(f, t float64) *Rule { return &Rule{Kind: Linear, Floor: f, Target: t} }

func twoLevel() *Version {
	return &Version{Mode: ByWeights, Total: 100,
		Nodes: []Node{
			{Code: "A", NameZH: "组织", Weight: 0.6},
			{Code: "A1", Parent: "A", NameZH: "会员", Weight: 0.5, Metric: "members", Rule: lin(0, 100)},
			{Code: "A2", Parent: "A", NameZH: "活动", Weight: 0.5, Metric: "events", Rule: &Rule{Kind: Ratio, Target: 10}},
			{Code: "B", NameZH: "服务", Weight: 0.4, Metric: "awards", Rule: &Rule{Kind: YesNo}},
		},
		Grades: Grading{Method: ByThreshold, Levels: []GradeLevel{{Name: "优秀", Min: 80}, {Name: "合格", Min: 60}, {Name: "不合格"}}},
	}
}

func keys(err error) []string {
	var out []string
	for _, f := range fault.FieldsOf(err) {
		out = append(out, f.Key)
	}
	return out
}

func TestValidate(t *testing.T) {
	if err := twoLevel().Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(v *Version)
		key  string
	}{
		{"weights not summing", func(v *Version) { v.Nodes[0].Weight = 0.5 }, "scheme.weights.sum"},
		{"child weights not summing", func(v *Version) { v.Nodes[1].Weight = 0.4 }, "scheme.weights.sum"},
		{"orphan", func(v *Version) { v.Nodes[2].Parent = "Z" }, "scheme.node.orphan"},
		{"cycle", func(v *Version) { v.Nodes[0].Parent = "A1" }, "scheme.node.cycle"},
		{"self parent", func(v *Version) { v.Nodes[3].Parent = "B" }, "scheme.node.cycle"},
		{"duplicate", func(v *Version) { v.Nodes[2].Code = "A1" }, "scheme.node.code_duplicate"},
		{"no code", func(v *Version) { v.Nodes[2].Code = "" }, "scheme.node.code_missing"},
		{"leaf without source", func(v *Version) { v.Nodes[3].Metric = "" }, "scheme.leaf.source"},
		{"leaf without rule", func(v *Version) { v.Nodes[3].Rule = nil }, "scheme.leaf.rule_missing"},
		{"branch with metric", func(v *Version) { v.Nodes[0].Metric = "x" }, "scheme.node.branch_rule"},
		{"bad linear", func(v *Version) { v.Nodes[1].Rule = lin(5, 5) }, "scheme.rule.linear"},
		{"bad ratio", func(v *Version) { v.Nodes[2].Rule = &Rule{Kind: Ratio} }, "scheme.rule.ratio"},
		{"bands unsorted", func(v *Version) {
			v.Nodes[2].Rule = &Rule{Kind: Bands, Bands: []Band{{Min: 5, Share: .5}, {Min: 1, Share: 1}}}
		}, "scheme.rule.bands"},
		{"unknown rule", func(v *Version) { v.Nodes[2].Rule = &Rule{Kind: "magic"} }, "scheme.rule.unknown"},
		{"mode", func(v *Version) { v.Mode = "vibes" }, "scheme.mode.unknown"},
		{"total", func(v *Version) { v.Total = 0 }, "scheme.total.positive"},
		{"negative weight", func(v *Version) { v.Nodes[1].Weight, v.Nodes[2].Weight = -0.5, 1.5 }, "scheme.node.share_positive"},
		{"grades", func(v *Version) { v.Grades.Levels = v.Grades.Levels[:1] }, "scheme.grades.levels"},
		{"thresholds ascending", func(v *Version) { v.Grades.Levels[1].Min = 90 }, "scheme.grades.descending"},
		{"quota ties", func(v *Version) {
			v.Grades = Grading{Method: ByQuota, Levels: []GradeLevel{{Name: "a", Share: .2}, {Name: "b"}}}
		}, "scheme.grades.ties"},
		{"quota over", func(v *Version) {
			v.Grades = Grading{Method: ByQuota, Ties: TiesShare, Levels: []GradeLevel{{Name: "a", Share: .7}, {Name: "b", Share: .7}, {Name: "c"}}}
		}, "scheme.grades.share"},
		{"adjust clash", func(v *Version) { v.Bonuses = []Adjust{{Code: "A1", Metric: "m", PerUnit: 1, Cap: 1}} }, "scheme.adjust.code"},
		{"adjust cap", func(v *Version) { v.Bonuses = []Adjust{{Code: "X", Metric: "m", PerUnit: 1}} }, "scheme.adjust.positive"},
		{"veto metric", func(v *Version) { v.Vetoes = []Veto{{Code: "V"}} }, "scheme.adjust.metric"},
		{"inconsistent ahp", func(v *Version) { v.Nodes[0].AHP = [][]float64{{1, 9, 1. / 9}, {1. / 9, 1, 9}, {9, 1. / 9, 1}} }, "scheme.ahp.node"},
	}
	for _, c := range cases {
		v := twoLevel()
		c.edit(v)
		if got := keys(v.Validate()); !slices.Contains(got, c.key) {
			t.Errorf("%s: got %v, want %s", c.name, got, c.key)
		}
	}
}

func TestValidatePoints(t *testing.T) {
	v := &Version{Mode: ByPoints, Total: 1000,
		Nodes: []Node{
			{Code: "A", NameZH: "a", Points: 600},
			{Code: "A1", Parent: "A", NameZH: "a1", Points: 400, Metric: "m", Rule: lin(0, 1)},
			{Code: "A2", Parent: "A", NameZH: "a2", Points: 200, Manual: true, Rule: lin(0, 1)},
			{Code: "B", NameZH: "b", Points: 400, Metric: "m", Rule: lin(0, 1)},
		},
		Grades: Grading{Method: ByThreshold, Levels: []GradeLevel{{Name: "A", Min: 800}, {Name: "B"}}},
	}
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := v.Metrics(); !slices.Equal(got, []string{"m"}) {
		t.Errorf("metrics %v", got)
	}
	if got := v.Leaves(); len(got) != 3 || got[0].Code != "A1" || got[2].Code != "B" {
		t.Errorf("leaves %v", got)
	}
	v.Nodes[2].Points = 150
	if got := keys(v.Validate()); !slices.Equal(got, []string{"scheme.points.sum"}) {
		t.Errorf("points: %v", got)
	}
	v.Nodes[2].Points, v.Nodes[3].Points = 200, 300
	if got := keys(v.Validate()); !slices.Equal(got, []string{"scheme.points.sum"}) {
		t.Errorf("roots: %v", got)
	}
}
