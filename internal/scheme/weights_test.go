package scheme

import (
	"errors"
	"math"
	"testing"

	"kexie/internal/fault"
)

// Saaty's worked example, the relative wealth of seven nations (The
// Analytic Hierarchy Process, 1980): eigenvector .427 .230 .021 .052
// .052 .123 .094, λmax ≈ 7.61.
func TestAHPSaatyWealthOfNations(t *testing.T) {
	a := [][]float64{
		{1, 4, 9, 6, 6, 5, 5},
		{1. / 4, 1, 7, 5, 5, 3, 4},
		{1. / 9, 1. / 7, 1, 1. / 5, 1. / 5, 1. / 7, 1. / 5},
		{1. / 6, 1. / 5, 5, 1, 1, 1. / 3, 1. / 3},
		{1. / 6, 1. / 5, 5, 1, 1, 1. / 3, 1. / 3},
		{1. / 5, 1. / 3, 7, 3, 3, 1, 2},
		{1. / 5, 1. / 4, 5, 3, 3, 1. / 2, 1},
	}
	r, err := AHP(a)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{.427, .230, .021, .052, .052, .123, .094}
	for i := range want {
		if math.Abs(r.Weights[i]-want[i]) > 0.003 {
			t.Errorf("w[%d] = %.4f, want %.3f", i, r.Weights[i], want[i])
		}
	}
	if math.Abs(r.Lambda-7.61) > 0.02 {
		t.Errorf("λmax = %.3f, want 7.61", r.Lambda)
	}
	if r.CR >= 0.1 || r.CR < 0.05 {
		t.Errorf("CR = %.3f", r.CR)
	}
}

func TestAHP(t *testing.T) {
	consistent := [][]float64{{1, 5. / 3, 5. / 2}, {3. / 5, 1, 3. / 2}, {2. / 5, 2. / 3, 1}}
	r, err := AHP(consistent)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []float64{.5, .3, .2} {
		if math.Abs(r.Weights[i]-w) > 1e-9 {
			t.Errorf("w = %v", r.Weights)
		}
	}
	if r.CR > 1e-9 {
		t.Errorf("CR = %v", r.CR)
	}
	// A against B 9, B against C 9, but C against A 9: inconsistent.
	bad := [][]float64{{1, 9, 1. / 9}, {1. / 9, 1, 9}, {9, 1. / 9, 1}}
	r, err = AHP(bad)
	fs := fault.FieldsOf(err)
	if !errors.Is(err, fault.ErrInvalid) || len(fs) != 1 || fs[0].Key != "scheme.ahp.inconsistent" || fs[0].Args["cr"].(float64) < 0.1 {
		t.Fatalf("inconsistent: %v %v", err, fs)
	}
	if r.CR < 0.1 {
		t.Errorf("CR shown = %v", r.CR)
	}
	for name, m := range map[string][][]float64{
		"not reciprocal": {{1, 2}, {2, 1}},
		"not square":     {{1, 2}, {0.5}},
		"zero":           {{1, 0}, {0, 1}},
		"one":            {{1}},
		"diagonal":       {{2, 1}, {1, 2}},
	} {
		if _, err := AHP(m); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	r, err = AHP([][]float64{{1, 3}, {1. / 3, 1}})
	if err != nil || math.Abs(r.Weights[0]-.75) > 1e-9 || r.CR != 0 {
		t.Errorf("2×2: %v %v", r, err)
	}
}

func TestEntropy(t *testing.T) {
	// Column 0 varies, column 1 is constant: all weight on column 0.
	r, err := Entropy([][]float64{{1, 5}, {2, 5}, {3, 5}})
	if err != nil || math.Abs(r.Weights[0]-1) > 1e-9 || r.Weights[1] != 0 {
		t.Fatalf("%v %v", r, err)
	}
	// One unit alone has all of column 1 (less evenly spread, more
	// weight) while column 0 is spread evenly over two.
	r, _ = Entropy([][]float64{{0, 0}, {1, 0}, {1, 1}})
	if !(r.Weights[1] > r.Weights[0]) || math.Abs(r.Weights[0]+r.Weights[1]-1) > 1e-9 {
		t.Errorf("weights %v", r.Weights)
	}
	// Hand computed: column 0 p = (0, .5, .5), e = ln2/ln3.
	if math.Abs(r.Entropy[0]-math.Log(2)/math.Log(3)) > 1e-9 || r.Entropy[1] != 0 {
		t.Errorf("entropy %v", r.Entropy)
	}
	r, _ = Entropy([][]float64{{1, 1}, {1, 1}})
	if r.Weights[0] != .5 || r.Weights[1] != .5 {
		t.Errorf("constant: %v", r.Weights)
	}
	for _, x := range [][][]float64{{{1}}, {{1, 2}, {1}}, {{math.NaN()}, {1}}} {
		if _, err := Entropy(x); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%v: %v", x, err)
		}
	}
}
