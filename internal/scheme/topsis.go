package scheme

import (
	"math"

	"kexie/internal/fault"
)

// Topsis ranks alternatives (rows) on criteria (columns, all higher is
// better) with the given weights: vector normalisation, weighted, the
// distances to the ideal and anti-ideal points, and the closeness
// d⁻/(d⁺+d⁻) of each row (1 best). A row equal to both points scores 0.
func Topsis(x [][]float64, w []float64) ([]float64, error) {
	if len(x) == 0 || len(w) == 0 {
		return nil, fault.InvalidField("topsis", "scheme.topsis.size")
	}
	n := len(w)
	norm := make([]float64, n)
	for _, row := range x {
		if len(row) != n {
			return nil, fault.InvalidField("topsis", "scheme.topsis.size")
		}
		for j, v := range row {
			norm[j] += v * v
		}
	}
	best, worst := make([]float64, n), make([]float64, n)
	for j := range norm {
		norm[j] = math.Sqrt(norm[j])
		best[j], worst[j] = math.Inf(-1), math.Inf(1)
	}
	y := make([][]float64, len(x))
	for i, row := range x {
		y[i] = make([]float64, n)
		for j, v := range row {
			if norm[j] > 0 {
				y[i][j] = w[j] * v / norm[j]
			}
			best[j] = math.Max(best[j], y[i][j])
			worst[j] = math.Min(worst[j], y[i][j])
		}
	}
	out := make([]float64, len(x))
	for i := range y {
		var dp, dm float64
		for j := range y[i] {
			dp += (y[i][j] - best[j]) * (y[i][j] - best[j])
			dm += (y[i][j] - worst[j]) * (y[i][j] - worst[j])
		}
		dp, dm = math.Sqrt(dp), math.Sqrt(dm)
		if dp+dm > 0 {
			out[i] = dm / (dp + dm)
		}
	}
	return out, nil
}

// TopsisOf ranks scored results by TOPSIS over their leaves' points with
// the leaves' weights, returning each unit's closeness.
func TopsisOf(v *Version, rs []*Result) (map[string]float64, error) {
	t, err := v.build()
	if err != nil {
		return nil, err
	}
	w := make([]float64, len(t.leaves))
	for j, l := range t.leaves {
		w[j] = t.weight[l]
	}
	x := make([][]float64, len(rs))
	for i, r := range rs {
		x[i] = make([]float64, len(t.leaves))
		for j, l := range t.leaves {
			if t.max[l] > 0 {
				x[i][j] = r.Nodes[l].Points / t.max[l]
			}
		}
	}
	c, err := Topsis(x, w)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(rs))
	for i, r := range rs {
		out[r.Unit] = c[i]
	}
	return out, nil
}
