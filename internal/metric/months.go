package metric

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"kexie/internal/period"
)

// Summary rows. Facts are kept per day ("2021-07-15"), and every change to
// a day's fact is added as well to the rows of its month ("M2021-07"),
// half-year ("S2021-2") and year ("Y2021"), in the same column. The values
// behind a distinct count are kept per month ("2021-07") and again per
// quarter ("Q2021-3"), half-year and year. Letters sort after digits and
// each kind has its own letter, so a range of days never reaches a summary
// row, and a range of one kind's keys never reaches another kind.
//
// A figure over whole months reads the fewest, coarsest parts that make
// them up: a year or a half-year of a unit is one row, a quarter three
// month rows; a stock's history from the beginning is a row per year
// before the period. Leading and trailing days of a period that does not
// start or end on a month boundary are read from the day rows. A distinct
// count cannot be summed from its parts, but the values of a period are
// those with a positive count in any of its parts.

// A part kind: its letter and its length in months.
type partKind struct {
	letter byte
	months int
}

var (
	yearPart    = partKind{'Y', 12}
	halfPart    = partKind{'S', 6}
	quarterPart = partKind{'Q', 3}
	monthPart   = partKind{'M', 1}
)

// factParts and valueParts are the kinds of summary rows of facts and of
// distinct values, coarsest first.
var (
	factParts  = []partKind{yearPart, halfPart, monthPart}
	valueParts = []partKind{yearPart, halfPart, quarterPart, monthPart}
)

// span is one year, half-year, quarter or month.
type span struct {
	kind  partKind
	start time.Time // its first month
}

// key is the row key of a part; values' month rows have no letter.
func (p span) key(values bool) string {
	y := p.start.Format("2006")
	switch p.kind {
	case yearPart:
		return "Y" + y
	case halfPart, quarterPart:
		return string(p.kind.letter) + y + "-" + strconv.Itoa((int(p.start.Month())-1)/p.kind.months+1)
	}
	if values {
		return p.start.Format("2006-01")
	}
	return "M" + p.start.Format("2006-01")
}

// partsOf cuts the months first..last into the fewest, coarsest parts of
// the given kinds (which must end with months).
func partsOf(first, last time.Time, kinds []partKind) []span {
	var out []span
	for m := first; !m.After(last); {
		for _, k := range kinds {
			if (int(m.Month())-1)%k.months == 0 && !m.AddDate(0, k.months-1, 0).After(last) {
				out = append(out, span{k, m})
				m = m.AddDate(0, k.months, 0)
				break
			}
		}
	}
	return out
}

// summaryKeys are the keys of the summary rows a change on day (a day,
// or a month for values) adds to.
func summaryKeys(day string, kinds []partKind, values bool) []string {
	m, err := time.Parse("2006-01", day[:7])
	if err != nil {
		return nil
	}
	var out []string
	for _, k := range kinds {
		if k == monthPart && values {
			continue // the month is the row itself
		}
		start := time.Date(m.Year(), time.Month((int(m.Month())-1)/k.months*k.months+1), 1, 0, 0, 0, 0, time.UTC)
		out = append(out, span{k, start}.key(values))
	}
	return out
}

// withSummaries returns deltas followed by the same changes to the
// summary rows of each.
func (m *Metric) withSummaries(ds []delta) []delta {
	if len(ds) == 0 {
		return ds
	}
	kinds, values := factParts, false
	if m.Aggregation == Distinct {
		kinds, values = valueParts, true
	}
	out := make([]delta, 0, (1+len(kinds))*len(ds))
	out = append(out, ds...)
	for _, d := range ds {
		for _, k := range summaryKeys(d.day, kinds, values) {
			out = append(out, delta{day: k, cat: d.cat, val: d.val, cnt: d.cnt})
		}
	}
	return out
}

// valueKeys are the keys of the fewest value rows that make up the
// months first..last ("2021-02", "2021-12").
func valueKeys(first, last string) []string {
	from, err1 := time.Parse("2006-01", first)
	to, err2 := time.Parse("2006-01", last)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for _, p := range partsOf(from, to, valueParts) {
		out = append(out, p.key(true))
	}
	return out
}

// keysSQL is the condition that the month column is one of keys.
func keysSQL(keys []string, add func(any) string) string {
	if len(keys) == 0 {
		return "1=0"
	}
	ph := make([]string, len(keys))
	for i, k := range keys {
		ph[i] = add(k)
	}
	return "month IN (" + strings.Join(ph, ", ") + ")"
}

// keyRange is an inclusive range of the fact rows' day column.
type keyRange struct{ lo, hi string }

// factRanges are the rows a figure of m over p sums. A stock sums its
// steps from the beginning.
func (m *Metric) factRanges(p period.Period) []keyRange {
	from := p.From
	if m.Aggregation == Stock {
		from = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return dayRanges(from, p.To)
}

// dayRanges are the rows of the days from..to: the days before the first
// whole month, the parts of the whole months (consecutive parts of one
// kind in one range: a stock's years from the beginning are one), and the
// days after the last whole month.
func dayRanges(from, to time.Time) []keyRange {
	first := from // the first day of the first whole month
	if first.Day() != 1 {
		first = time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
	end := to // the last day of the last whole month
	if end.AddDate(0, 0, 1).Day() != 1 {
		end = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	if end.Before(first) {
		return []keyRange{{day(from), day(to)}}
	}
	var out []keyRange
	if from.Before(first) {
		out = append(out, keyRange{day(from), day(first.AddDate(0, 0, -1))})
	}
	var last partKind
	for i, p := range partsOf(first, time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC), factParts) {
		k := p.key(false)
		if n := len(out); i > 0 && p.kind == last {
			out[n-1].hi = k // follows the previous part of its kind
		} else {
			out = append(out, keyRange{k, k})
		}
		last = p.kind
	}
	if end.Before(to) {
		out = append(out, keyRange{day(end.AddDate(0, 0, 1)), day(to)})
	}
	return out
}

// in says whether a row's key lies in one of the ranges.
func in(key string, rs []keyRange) bool {
	for _, r := range rs {
		if key >= r.lo && key <= r.hi {
			return true
		}
	}
	return false
}

// rangeSQL is the condition that the day column lies in one of the
// ranges, with placeholders made by add.
func rangeSQL(rs []keyRange, add func(any) string) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		if r.lo == r.hi {
			parts[i] = "day = " + add(r.lo)
		} else {
			parts[i] = "day >= " + add(r.lo) + " AND day <= " + add(r.hi)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// merged sorts ranges and joins those that overlap, so a read of several
// periods' rows reads each row once.
func merged(rs []keyRange) []keyRange {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b keyRange) int { return strings.Compare(a.lo, b.lo) })
	var out []keyRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}
