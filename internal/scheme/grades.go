package scheme

import (
	"math"

	"kexie/internal/fault"
)

// Grade methods and tie rules.
const (
	ByThreshold = "threshold"
	ByQuota     = "quota"
	// TiesShare gives every unit tied at a quota's edge the better grade
	// (the quota may be exceeded); TiesDrop gives them all the worse one.
	TiesShare = "share"
	TiesDrop  = "drop"
)

// GradeLevel is one grade, best first: from Min points (thresholds), or
// the next Share of the units by rank (quota). The last grade takes the
// rest and the vetoed.
type GradeLevel struct {
	Name  string  `json:"name"`
	Min   float64 `json:"min,omitempty"`
	Share float64 `json:"share,omitempty"`
}

// Grading says how totals become grades.
type Grading struct {
	Method string       `json:"method"`
	Ties   string       `json:"ties,omitempty"`
	Levels []GradeLevel `json:"levels"`
}

func (g *Grading) check(c *fault.Check) {
	if g.Method != ByThreshold && g.Method != ByQuota {
		c.Add("grades", "scheme.grades.method", "method", g.Method)
		return
	}
	if len(g.Levels) < 2 {
		c.Add("grades", "scheme.grades.levels")
		return
	}
	sum := 0.0
	for i, l := range g.Levels {
		if l.Name == "" {
			c.Add("grades", "scheme.grades.name")
		}
		if g.Method == ByThreshold && i > 0 && i < len(g.Levels)-1 && l.Min >= g.Levels[i-1].Min {
			c.Add("grades", "scheme.grades.descending")
		}
		if g.Method == ByQuota && i < len(g.Levels)-1 {
			if l.Share <= 0 {
				c.Add("grades", "scheme.grades.share")
			}
			sum += l.Share
		}
	}
	if g.Method == ByQuota {
		if sum > 1+tolerance {
			c.Add("grades", "scheme.grades.share")
		}
		if g.Ties != TiesShare && g.Ties != TiesDrop {
			c.Add("grades", "scheme.grades.ties", "ties", g.Ties)
		}
	}
}

// grade assigns grades to results already ranked (sorted by rank, the
// vetoed last).
func (g *Grading) grade(rs []*Result) {
	lowest := g.Levels[len(g.Levels)-1].Name
	if g.Method == ByThreshold {
		for _, r := range rs {
			r.Grade = lowest
			if r.Vetoed {
				continue
			}
			for _, l := range g.Levels[:len(g.Levels)-1] {
				if r.Total >= l.Min-tolerance {
					r.Grade = l.Name
					break
				}
			}
		}
		return
	}
	n := len(rs)
	at, cum := 0, 0.0
	for _, l := range g.Levels[:len(g.Levels)-1] {
		cum += l.Share
		end := int(math.Floor(cum*float64(n) + tolerance)) // units up to here get l
		if end > at && end < n && !rs[end].Vetoed && !rs[end-1].Vetoed && sameScore(rs[end], rs[end-1]) {
			// A tie across the edge.
			if g.Ties == TiesShare {
				for end < n && !rs[end].Vetoed && sameScore(rs[end], rs[end-1]) {
					end++
				}
			} else {
				for end > at && sameScore(rs[end], rs[end-1]) {
					end--
				}
			}
		}
		for ; at < end && at < n; at++ {
			if rs[at].Vetoed {
				break
			}
			rs[at].Grade = l.Name
		}
	}
	for ; at < n; at++ {
		rs[at].Grade = lowest
	}
	for _, r := range rs {
		if r.Vetoed || r.Grade == "" {
			r.Grade = lowest
		}
	}
}

func sameScore(a, b *Result) bool { return math.Abs(a.Total-b.Total) < tolerance }
