// Package period reads DHIS2 period identifiers — 2021 (year), 2021S1 and
// 2021S2 (half-years), 2021Q3 (quarter), 202107 (month), 2021W27 (ISO
// week) — and date ranges (2021-03-01..2021-05-31) into the days they
// cover.
package period

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is the grain of a period.
type Kind string

// The period kinds.
const (
	Year    Kind = "year"
	Half    Kind = "half"
	Quarter Kind = "quarter"
	Month   Kind = "month"
	Week    Kind = "week"
	Range   Kind = "range"
)

// Period is a span of whole days, From and To both included.
type Period struct {
	ID   string
	Kind Kind
	From time.Time
	To   time.Time
}

// FromDate and ToDate are the bounds as "2006-01-02".
func (p Period) FromDate() string { return p.From.Format(time.DateOnly) }

// ToDate is the last day as "2006-01-02".
func (p Period) ToDate() string { return p.To.Format(time.DateOnly) }

// Contains says whether the day d ("2006-01-02") lies in the period.
func (p Period) Contains(d string) bool { return d >= p.FromDate() && d <= p.ToDate() }

var (
	reYear    = regexp.MustCompile(`^(\d{4})$`)
	reHalf    = regexp.MustCompile(`^(\d{4})S([12])$`)
	reQuarter = regexp.MustCompile(`^(\d{4})Q([1-4])$`)
	reMonth   = regexp.MustCompile(`^(\d{4})(\d{2})$`)
	reWeek    = regexp.MustCompile(`^(\d{4})W(\d{1,2})$`)
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Parse reads a period identifier or a date range "FROM..TO".
func Parse(id string) (Period, error) {
	id = strings.TrimSpace(id)
	bad := fmt.Errorf("%q is not a period (2021, 2021S1, 2021Q3, 202107, 2021W27 or 2021-01-01..2021-06-30)", id)
	yearOf := func(s string) (int, error) {
		y, _ := strconv.Atoi(s)
		if y < 1900 || y > 2200 {
			return 0, bad
		}
		return y, nil
	}
	switch {
	case reYear.MatchString(id):
		y, err := yearOf(id)
		if err != nil {
			return Period{}, err
		}
		return Period{ID: id, Kind: Year, From: day(y, 1, 1), To: day(y, 12, 31)}, nil
	case reHalf.MatchString(id):
		m := reHalf.FindStringSubmatch(id)
		y, err := yearOf(m[1])
		if err != nil {
			return Period{}, err
		}
		if m[2] == "1" {
			return Period{ID: id, Kind: Half, From: day(y, 1, 1), To: day(y, 6, 30)}, nil
		}
		return Period{ID: id, Kind: Half, From: day(y, 7, 1), To: day(y, 12, 31)}, nil
	case reQuarter.MatchString(id):
		m := reQuarter.FindStringSubmatch(id)
		y, err := yearOf(m[1])
		if err != nil {
			return Period{}, err
		}
		q, _ := strconv.Atoi(m[2])
		from := day(y, time.Month(3*q-2), 1)
		return Period{ID: id, Kind: Quarter, From: from, To: from.AddDate(0, 3, -1)}, nil
	case reMonth.MatchString(id):
		m := reMonth.FindStringSubmatch(id)
		y, err := yearOf(m[1])
		if err != nil {
			return Period{}, err
		}
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, bad
		}
		from := day(y, time.Month(mo), 1)
		return Period{ID: id, Kind: Month, From: from, To: from.AddDate(0, 1, -1)}, nil
	case reWeek.MatchString(id):
		m := reWeek.FindStringSubmatch(id)
		y, err := yearOf(m[1])
		if err != nil {
			return Period{}, err
		}
		w, _ := strconv.Atoi(m[2])
		// ISO week 1 holds the year's first Thursday; weeks start on Monday.
		jan4 := day(y, 1, 4)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		from := monday.AddDate(0, 0, 7*(w-1))
		if _, wk := from.ISOWeek(); w < 1 || wk != w {
			return Period{}, bad
		}
		return Period{ID: id, Kind: Week, From: from, To: from.AddDate(0, 0, 6)}, nil
	case strings.Contains(id, ".."):
		a, b, _ := strings.Cut(id, "..")
		from, err1 := time.Parse(time.DateOnly, strings.TrimSpace(a))
		to, err2 := time.Parse(time.DateOnly, strings.TrimSpace(b))
		if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 100*366*24*time.Hour {
			return Period{}, bad
		}
		return Period{ID: id, Kind: Range, From: from, To: to}, nil
	}
	return Period{}, bad
}
