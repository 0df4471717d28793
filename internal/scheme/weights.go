package scheme

import (
	"math"

	"kexie/internal/fault"
)

// randomIndex is Saaty's random consistency index by matrix order.
var randomIndex = []float64{0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59}

// AHPResult is the derivation of weights from a pairwise comparison matrix.
type AHPResult struct {
	Weights []float64 `json:"weights"`
	Lambda  float64   `json:"lambda_max"`
	CI      float64   `json:"ci"`
	RI      float64   `json:"ri"`
	CR      float64   `json:"cr"`
}

// AHP derives weights from a positive reciprocal matrix by its principal
// eigenvector (power iteration) and computes the consistency ratio; a
// matrix with CR ≥ 0.1 is refused with the ratio shown.
func AHP(a [][]float64) (AHPResult, error) {
	n := len(a)
	if n < 2 || n >= len(randomIndex) {
		return AHPResult{}, fault.InvalidField("ahp", "scheme.ahp.size", "max", len(randomIndex)-1)
	}
	for i := range a {
		if len(a[i]) != n {
			return AHPResult{}, fault.InvalidField("ahp", "scheme.ahp.square")
		}
		for j := range a[i] {
			x := a[i][j]
			if !(x > 0) || math.IsInf(x, 0) || math.Abs(x*a[j][i]-1) > 1e-2 || (i == j && x != 1) {
				return AHPResult{}, fault.InvalidField("ahp", "scheme.ahp.reciprocal", "row", i+1, "col", j+1)
			}
		}
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	for iter := 0; iter < 1000; iter++ {
		sum := 0.0
		for i := range a {
			next[i] = 0
			for j := range a[i] {
				next[i] += a[i][j] * w[j]
			}
			sum += next[i]
		}
		diff := 0.0
		for i := range next {
			next[i] /= sum
			diff = math.Max(diff, math.Abs(next[i]-w[i]))
		}
		w, next = next, w
		if diff < 1e-12 {
			break
		}
	}
	lambda := 0.0
	for i := range a {
		aw := 0.0
		for j := range a[i] {
			aw += a[i][j] * w[j]
		}
		lambda += aw / w[i]
	}
	lambda /= float64(n)
	r := AHPResult{Weights: w, Lambda: lambda, RI: randomIndex[n]}
	if n > 2 {
		r.CI = math.Max(0, (lambda-float64(n))/float64(n-1))
		r.CR = r.CI / r.RI
	}
	if r.CR >= 0.1 {
		return r, fault.InvalidField("ahp", "scheme.ahp.inconsistent", "cr", round4(r.CR))
	}
	return r, nil
}

// EntropyResult is the derivation of entropy weights.
type EntropyResult struct {
	Weights    []float64 `json:"weights"`
	Entropy    []float64 `json:"entropy"`
	Divergence []float64 `json:"divergence"`
}

// Entropy derives weights from the data of the units scored: rows are
// units, columns indicators (higher is better). Each column is scaled
// min–max, its entropy computed, and the weights are the normalised
// divergences 1−e; when no column varies the weights are equal.
func Entropy(x [][]float64) (EntropyResult, error) {
	m := len(x)
	if m < 2 || len(x[0]) == 0 {
		return EntropyResult{}, fault.InvalidField("entropy", "scheme.entropy.size")
	}
	n := len(x[0])
	r := EntropyResult{Weights: make([]float64, n), Entropy: make([]float64, n), Divergence: make([]float64, n)}
	k := 1 / math.Log(float64(m))
	total := 0.0
	for j := 0; j < n; j++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range x {
			if len(x[i]) != n || math.IsNaN(x[i][j]) || math.IsInf(x[i][j], 0) {
				return EntropyResult{}, fault.InvalidField("entropy", "scheme.entropy.size")
			}
			lo, hi = math.Min(lo, x[i][j]), math.Max(hi, x[i][j])
		}
		if hi == lo {
			r.Entropy[j] = 1
			continue
		}
		sum := 0.0
		for i := range x {
			sum += (x[i][j] - lo) / (hi - lo)
		}
		e := 0.0
		for i := range x {
			if p := (x[i][j] - lo) / (hi - lo) / sum; p > 0 {
				e -= p * math.Log(p)
			}
		}
		r.Entropy[j] = e * k
		r.Divergence[j] = 1 - r.Entropy[j]
		total += r.Divergence[j]
	}
	for j := range r.Weights {
		if total == 0 {
			r.Weights[j] = 1 / float64(n)
		} else {
			r.Weights[j] = r.Divergence[j] / total
		}
	}
	return r, nil
}
