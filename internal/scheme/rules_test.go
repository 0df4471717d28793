package scheme

import (
	"math"
	"testing"
)

func f(x float64) *float64 { return &x }

func TestRules(t *testing.T) {
	bands := &Rule{Kind: Bands, Bands: []Band{{Min: 1, Share: .3}, {Min: 5, Share: .7}, {Min: 10, Share: 1}}}
	cases := []struct {
		rule *Rule
		v    *float64
		want float64
	}{
		{lin(10, 20), f(15), .5},
		{lin(10, 20), f(5), 0},
		{lin(10, 20), f(25), 1},
		{lin(10, 20), nil, 0},
		{&Rule{Kind: Ratio, Target: 8}, f(6), .75},
		{&Rule{Kind: Ratio, Target: 8}, f(16), 1},
		{&Rule{Kind: Ratio, Target: 8}, f(-1), 0},
		{bands, f(0), 0},
		{bands, f(1), .3},
		{bands, f(9.9), .7},
		{bands, f(10), 1},
		{&Rule{Kind: YesNo}, f(1), 1},
		{&Rule{Kind: YesNo}, f(0), 0},
		{&Rule{Kind: YesNo}, nil, 0},
	}
	for i, c := range cases {
		if got, _ := c.rule.share(c.v, nil); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%d %s: %v, want %v", i, c.rule.Kind, got, c.want)
		}
	}
}

func TestPercentRank(t *testing.T) {
	all := []float64{1, 2, 2, 3, 5}
	for _, c := range []struct{ x, want float64 }{{1, 0}, {2, 1.5 / 4}, {3, .75}, {5, 1}} {
		if got := percentRank(c.x, all); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%v: %v, want %v", c.x, got, c.want)
		}
	}
	if percentRank(4, []float64{4}) != 1 || percentRank(4, []float64{4, 4, 4}) != 1 {
		t.Error("alone or all equal should be full marks")
	}
}
