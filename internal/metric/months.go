package metric

import (
	"slices"
	"strconv"
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

// withSummaries returns deltas followed by the same changes to the rows
// that summarise them: a day's month, or, for the values behind a
// distinct count (kept by month), the month's quarter, half-year and year.
func (m *Metric) withSummaries(ds []delta) []delta {
	if len(ds) == 0 {
		return ds
	}
	n := 2
	if m.Aggregation == Distinct {
		n = 4
	}
	out := make([]delta, 0, n*len(ds))
	out = append(out, ds...)
	for _, d := range ds {
		if m.Aggregation != Distinct {
			out = append(out, delta{day: monthKey(d.day), cat: d.cat, val: d.val, cnt: d.cnt})
			continue
		}
		for _, k := range coarserKeys(d.day) {
			out = append(out, delta{day: k, cat: d.cat, val: d.val, cnt: d.cnt})
		}
	}
	return out
}

// The values behind a distinct count are kept by month ("2021-07") and
// again by quarter ("Q2021-3"), half-year ("S2021-2") and year ("Y2021"):
// letters sort after digits, so a range of months never reaches them. A
// distinct count cannot be summed from its parts, but the values of a
// period are those with a positive count in any of its parts, so a period
// of whole months reads the fewest, coarsest parts that make it up: a
// half-year is one part, its 500 values one index range.

// coarserKeys are the quarter, half-year and year keys of a month.
func coarserKeys(month string) []string {
	y, mm := month[:4], month[5:7]
	q := (int(mm[0]-'0')*10+int(mm[1]-'0')-1)/3 + 1
	return []string{"Q" + y + "-" + strconv.Itoa(q), "S" + y + "-" + strconv.Itoa((q+1)/2), "Y" + y}
}

// valueKeys are the fewest month, quarter, half-year and year keys that
// make up the months from first to last ("2021-02", "2021-12").
func valueKeys(first, last string) []string {
	from, err1 := time.Parse("2006-01", first)
	to, err2 := time.Parse("2006-01", last)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for m := from; !m.After(to); {
		mon := int(m.Month())
		fits := func(n int) bool { return (mon-1)%n == 0 && !m.AddDate(0, n-1, 0).After(to) }
		k := coarserKeys(m.Format("2006-01"))
		switch {
		case fits(12):
			out = append(out, k[2])
			m = m.AddDate(1, 0, 0)
		case fits(6):
			out = append(out, k[1])
			m = m.AddDate(0, 6, 0)
		case fits(3):
			out = append(out, k[0])
			m = m.AddDate(0, 3, 0)
		default:
			out = append(out, m.Format("2006-01"))
			m = m.AddDate(0, 1, 0)
		}
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
