package scheme

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

type table map[string]map[string]float64

func (tb table) values(u, code string) *float64 {
	if v, ok := tb[u][code]; ok {
		return &v
	}
	return nil
}

func TestScore(t *testing.T) {
	v := twoLevel()
	v.Bonuses = []Adjust{{Code: "P1", NameZH: "加分", Metric: "honours", PerUnit: 2, Cap: 5},
		{Code: "N1", NameZH: "扣分", Metric: "late", PerUnit: 3, Cap: 6, Penalty: true}}
	v.Vetoes = []Veto{{Code: "V1", NameZH: "否决", Metric: "fraud", AtLeast: 1}}
	data := table{
		"u1": {"members": 100, "events": 10, "awards": 1, "honours": 10},
		"u2": {"members": 50, "events": 5, "awards": 0, "late": 1},
		"u3": {"members": 100, "events": 10, "awards": 1, "fraud": 1},
		"u4": {"members": 20, "events": 20, "awards": 1, "late": 5},
	}
	rs, err := Score(v, []string{"u4", "u3", "u2", "u1"}, data.values)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*Result{}
	for _, r := range rs {
		by[r.Unit] = r
	}
	// u1: 60 + 40 + bonus min(20,5) = 105.
	if u := by["u1"]; u.Total != 105 || u.Rank != 1 || u.Grade != "优秀" {
		t.Errorf("u1 %+v", u)
	}
	// u2: A1 15 + A2 15 = 30, B 0, penalty 3 → 27.
	if u := by["u2"]; u.Total != 27 || u.Grade != "不合格" || u.Nodes[0].Points != 30 {
		t.Errorf("u2 %+v", u)
	}
	// u4: A1 6 + A2 30 + B 40 = 76, penalty capped at 6 → 70.
	if u := by["u4"]; u.Total != 70 || u.Rank != 2 || u.Grade != "合格" {
		t.Errorf("u4 %+v", u)
	}
	// u3 scores 100 but is vetoed: lowest grade, ranked last.
	if u := by["u3"]; u.Total != 100 || !u.Vetoed || u.Veto != "V1" || u.Grade != "不合格" || u.Rank != 4 || rs[3] != u {
		t.Errorf("u3 %+v", u)
	}
	n := by["u2"].Nodes[1]
	if n.Code != "A1" || *n.Value != 50 || n.Weight != 0.3 || n.Max != 30 || n.Points != 15 || n.Rule == "" {
		t.Errorf("explanation %+v", n)
	}
	if p := by["u4"].Nodes[5]; p.Code != "N1" || p.Points != -6 {
		t.Errorf("penalty %+v", p)
	}
	if _, err := Score(&Version{}, nil, data.values); err == nil {
		t.Error("invalid version scored")
	}
}

func TestScorePercentileAndTies(t *testing.T) {
	v := &Version{Mode: ByPoints, Total: 10,
		Nodes:  []Node{{Code: "L", NameZH: "l", Points: 10, Metric: "m", Rule: &Rule{Kind: Percentile}}},
		Grades: Grading{Method: ByQuota, Ties: TiesShare, Levels: []GradeLevel{{Name: "优秀", Share: .2}, {Name: "良好", Share: .4}, {Name: "一般"}}},
	}
	data := table{"a": {"m": 9}, "b": {"m": 9}, "c": {"m": 5}, "d": {"m": 3}, "e": {"m": 1}}
	units := []string{"a", "b", "c", "d", "e"}
	rs, err := Score(v, units, data.values)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, r := range rs {
		got += r.Unit + ":" + r.Grade + ":" + string(rune('0'+r.Rank)) + " "
	}
	// a and b tie at the 20 % edge: both 优秀 when ties share.
	if want := "a:优秀:1 b:优秀:1 c:良好:3 d:一般:4 e:一般:5 "; got != want {
		t.Errorf("share: %s", got)
	}
	if rs[0].Total != 8.75 || rs[4].Total != 0 {
		t.Errorf("percentile points %v %v", rs[0].Total, rs[4].Total)
	}
	v.Grades.Ties = TiesDrop
	rs, _ = Score(v, units, data.values)
	got = ""
	for _, r := range rs {
		got += r.Unit + ":" + r.Grade + " "
	}
	// Dropped: nobody 优秀; 良好's edge (3 units) cuts no tie.
	if want := "a:良好 b:良好 c:良好 d:一般 e:一般 "; got != want {
		t.Errorf("drop: %s", got)
	}
}

func TestTopsis(t *testing.T) {
	// Textbook check: one alternative best on all criteria scores 1,
	// worst on all scores 0.
	c, err := Topsis([][]float64{{3, 3}, {1, 1}, {2, 2}}, []float64{.5, .5})
	if err != nil || math.Abs(c[0]-1) > 1e-9 || c[1] != 0 || math.Abs(c[2]-.5) > 1e-9 {
		t.Fatalf("%v %v", c, err)
	}
	// Weights decide between two specialists.
	c, _ = Topsis([][]float64{{1, 0}, {0, 1}}, []float64{.8, .2})
	if !(c[0] > c[1]) {
		t.Errorf("weights ignored: %v", c)
	}
	if _, err := Topsis([][]float64{{1}}, []float64{.5, .5}); err == nil {
		t.Error("ragged accepted")
	}
	v := twoLevel()
	rs, _ := Score(v, []string{"x", "y"}, table{"x": {"members": 100, "events": 10, "awards": 1}, "y": {}}.values)
	m, err := TopsisOf(v, rs)
	if err != nil || m["x"] != 1 || m["y"] != 0 {
		t.Errorf("TopsisOf %v %v", m, err)
	}
}

func TestCompare(t *testing.T) {
	a := map[string]float64{"a": 90, "b": 80, "c": 70, "d": 60, "only-a": 1}
	same := Compare(a, map[string]float64{"a": 9, "b": 8, "c": 7, "d": 6})
	if math.Abs(same.Spearman-1) > 1e-9 {
		t.Errorf("same order: %v", same.Spearman)
	}
	rev := Compare(a, map[string]float64{"a": 1, "b": 2, "c": 3, "d": 4})
	if math.Abs(rev.Spearman+1) > 1e-9 || len(rev.Moves) != 4 {
		t.Errorf("reversed: %+v", rev)
	}
	// d jumps from 4th to 1st: ρ = 1 − 6·Σd²/(n(n²−1)) = 1 − 6·12/60 = −0.2.
	c := Compare(a, map[string]float64{"a": 8, "b": 7, "c": 6, "d": 9})
	if math.Abs(c.Spearman-(-0.2)) > 1e-9 || c.Moves[0].Unit != "d" || c.Moves[0].Shift != 3 {
		t.Errorf("jump: %+v", c)
	}
	// Ties take the mean rank.
	tie := Compare(map[string]float64{"a": 1, "b": 1, "c": 0}, map[string]float64{"a": 1, "b": 1, "c": 0})
	if math.Abs(tie.Spearman-1) > 1e-9 || tie.Moves[0].RankA != 1 {
		t.Errorf("ties %+v", tie)
	}
}

// Packed numbers read back exactly, by the fast path (4 decimals, whole
// numbers) and the general one alike.
func TestAppendNum(t *testing.T) {
	xs := []float64{0, 1, -1, 12.3456, -0.0001, 0.5, 100, 1e15, 123456789.1234, 1.0 / 3, 2.5e-9, -7.25, 99.99995, math.MaxFloat64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		xs = append(xs, round4(r.NormFloat64()*1000), r.NormFloat64()*1e6, float64(r.IntN(100000)))
	}
	for _, x := range xs {
		s := string(appendNum(nil, x))
		y, err := strconv.ParseFloat(s, 64)
		if err != nil || y != x {
			t.Fatalf("%v written %q read %v (%v)", x, s, y, err)
		}
	}
	if s := string(appendNum(nil, 12.3)); s != "12.3" {
		t.Errorf("12.3 written %q", s)
	}
}
