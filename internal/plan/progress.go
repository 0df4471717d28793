package plan

import (
	"math"
	"time"
)

// Progress is how far current has gone from baseline towards goal,
// clamped to 0–1; a target met is 1.
func Progress(cmp string, baseline, goal float64, current *float64) float64 {
	if current == nil {
		return 0
	}
	c := *current
	if met(cmp, c, goal) {
		return 1
	}
	if goal == baseline {
		return 0
	}
	p := (c - baseline) / (goal - baseline)
	switch {
	case math.IsNaN(p) || p < 0:
		return 0
	case p > 1:
		return 1
	}
	return p
}

func met(cmp string, c, goal float64) bool {
	switch cmp {
	case AtMost:
		return c <= goal
	case Equal:
		return math.Abs(c-goal) < 1e-9
	}
	return c >= goal
}

// Rules are a plan's light rules: yellow when progress falls behind the
// time elapsed by more than YellowMargin or the deadline is within
// NearDays, red when behind by more than RedMargin or overdue.
type Rules struct {
	YellowMargin, RedMargin float64
	NearDays                int
}

// Elapsed is the share of [start, due] gone by today (0–1).
func Elapsed(start, due string, today time.Time) float64 {
	s, err1 := time.Parse(time.DateOnly, start)
	d, err2 := time.Parse(time.DateOnly, due)
	if err1 != nil || err2 != nil {
		return 0
	}
	d = d.AddDate(0, 0, 1) // the deadline's whole day
	total := d.Sub(s).Hours()
	if total <= 0 {
		return 1
	}
	e := today.Sub(s).Hours() / total
	return math.Max(0, math.Min(1, e))
}

// Light says whether progress keeps pace with the time from start to due.
func (r Rules) Light(progress float64, start, due string, today time.Time) string {
	if progress >= 1-1e-9 {
		return Green
	}
	d, err := time.Parse(time.DateOnly, due)
	if err != nil {
		return Green
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if day.After(d) {
		return Red
	}
	behind := Elapsed(start, due, today) - progress
	switch {
	case behind > r.RedMargin:
		return Red
	case behind > r.YellowMargin || d.Sub(day) <= time.Duration(r.NearDays)*24*time.Hour:
		return Yellow
	}
	return Green
}

// worst is the worse of two lights.
func worst(a, b string) string {
	rank := map[string]int{"": 0, Done: 1, Green: 2, Yellow: 3, Red: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
