package metric

import (
	"slices"
	"strings"
	"time"

	"kexie/internal/period"
)

// Facts are kept per day, and beside each day's row its month's: every
// change to a day's fact is added to the row of its month as well, keyed
// "M2021-07" in the same column. "M" sorts after every digit, so a range
// of days never reaches a month row and a range of months never reaches a
// day. A figure over whole months (a year, a half-year, a quarter, a
// month) reads month rows only: a unit's half-year is 6 rows, not 181, and
// a stock's history from the beginning is a row per month it changed in.

// monthKey is the key of the month row of a day ("2021-07-15").
func monthKey(day string) string { return "M" + day[:7] }

// withMonths returns day deltas followed by the same changes to their
// months' rows. Distinct values are kept by month already.
func (m *Metric) withMonths(ds []delta) []delta {
	if m.Aggregation == Distinct || len(ds) == 0 {
		return ds
	}
	out := make([]delta, 0, 2*len(ds))
	out = append(out, ds...)
	for _, d := range ds {
		out = append(out, delta{day: monthKey(d.day), cat: d.cat, val: d.val, cnt: d.cnt})
	}
	return out
}

// keyRange is an inclusive range of the fact rows' day column.
type keyRange struct{ lo, hi string }

// factRanges are the rows a figure of m over p sums: the days before its
// first whole month, its whole months, and the days after its last. A
// stock sums its steps from the beginning.
func (m *Metric) factRanges(p period.Period) []keyRange {
	from := p.From
	if m.Aggregation == Stock {
		from = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return dayRanges(from, p.To)
}

// dayRanges splits the days from..to into leading days, whole months and
// trailing days.
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
	out = append(out, keyRange{monthKey(day(first)), monthKey(day(end))})
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
		parts[i] = "day >= " + add(r.lo) + " AND day <= " + add(r.hi)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// merged sorts ranges and joins those that overlap or touch, so a read
// of several periods' rows reads each row once.
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
