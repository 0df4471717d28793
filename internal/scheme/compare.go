package scheme

import (
	"math"
	"slices"
	"sort"
)

// Move is one unit's rank under two versions or methods.
type Move struct {
	Unit  string `json:"unit"`
	RankA int    `json:"rank_a"`
	RankB int    `json:"rank_b"`
	Shift int    `json:"shift"` // RankA − RankB: positive moved up under B
}

// Comparison is the rank comparison of two scorings of the same units.
type Comparison struct {
	Spearman float64 `json:"spearman"`
	Moves    []Move  `json:"moves"` // largest shift first
}

// Compare compares the ranks of the units scored under both a and b
// (units in only one are left out): Spearman's rank correlation with
// tied ranks averaged, and each unit's move, the largest first.
func Compare(a, b map[string]float64) Comparison {
	var units []string
	for u := range a {
		if _, ok := b[u]; ok {
			units = append(units, u)
		}
	}
	sort.Strings(units)
	xa, xb := make([]float64, len(units)), make([]float64, len(units))
	for i, u := range units {
		xa[i], xb[i] = a[u], b[u]
	}
	ra, rb := averageRanks(xa), averageRanks(xb)
	ca, cb := competitionRanks(xa), competitionRanks(xb)
	c := Comparison{Spearman: pearson(ra, rb), Moves: make([]Move, len(units))}
	for i, u := range units {
		c.Moves[i] = Move{Unit: u, RankA: ca[i], RankB: cb[i], Shift: ca[i] - cb[i]}
	}
	slices.SortStableFunc(c.Moves, func(x, y Move) int {
		ax, ay := abs(x.Shift), abs(y.Shift)
		if ax != ay {
			return ay - ax
		}
		return 0
	})
	return c
}

// Totals maps each result's unit to its total (vetoed units to −1, so
// they rank last).
func Totals(rs []*Result) map[string]float64 {
	out := make(map[string]float64, len(rs))
	for _, r := range rs {
		out[r.Unit] = r.Total
		if r.Vetoed {
			out[r.Unit] = -1
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// averageRanks ranks values descending (1 = highest), ties sharing the
// mean of their places.
func averageRanks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return x[idx[i]] > x[idx[j]] })
	out := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}

func competitionRanks(x []float64) []int {
	out := make([]int, len(x))
	for i := range x {
		out[i] = 1
		for j := range x {
			if x[j] > x[i] {
				out[i]++
			}
		}
	}
	return out
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	if n < 2 {
		return 1
	}
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma, mb = ma/n, mb/n
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	if saa == 0 || sbb == 0 {
		return 1
	}
	return sab / math.Sqrt(saa*sbb)
}
