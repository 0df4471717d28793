package metric

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kexie/internal/period"
)

// Summing the rows factRanges selects — leading days, whole months,
// trailing days — gives what summing every day of the period gives, for
// any period, with the month rows kept as writes keep them.
func TestFactRangesSumLikeDays(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := map[string]int64{} // day and month rows
	days := map[string]int64{}
	for range 2000 {
		d := base.AddDate(0, 0, rng.IntN(3*366)).Format(time.DateOnly)
		v := int64(rng.IntN(100))
		days[d] += v
		for _, x := range (&Metric{}).withSummaries([]delta{{day: d, val: v}}) {
			rows[x.day] += x.val
		}
	}
	for i := range 3000 {
		from := base.AddDate(0, 0, rng.IntN(3*366))
		to := from.AddDate(0, 0, rng.IntN(500))
		if i%5 == 0 { // whole months
			from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
			to = time.Date(to.Year(), to.Month()+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		}
		rs := dayRanges(from, to)
		var want, got int64
		for d, v := range days {
			if d >= from.Format(time.DateOnly) && d <= to.Format(time.DateOnly) {
				want += v
			}
		}
		for k, v := range rows {
			if in(k, rs) {
				got += v
			}
		}
		if got != want {
			t.Fatalf("%s..%s: ranges %v sum %d, days sum %d", from.Format(time.DateOnly), to.Format(time.DateOnly), rs, got, want)
		}
		for _, r := range rs {
			if i%5 == 0 && (r.lo[0] < 'A' || len(rs) > 5) {
				t.Fatalf("whole months %s..%s read as %v, not a few ranges of summary rows", from.Format(time.DateOnly), to.Format(time.DateOnly), rs)
			}
		}
		if m := merged(append(rs, rs...)); len(m) != len(rs) {
			t.Fatalf("merging %v twice gives %v", rs, m)
		}
	}
}

// The parts of a span of months cover each month exactly once, each part
// is the coarsest that fits, and the values of a month show in its
// coarser keys.
func TestValueKeys(t *testing.T) {
	for _, c := range []struct {
		first, last string
		want        []string
	}{
		{"2021-01", "2021-06", []string{"S2021-1"}},
		{"2021-01", "2021-12", []string{"Y2021"}},
		{"2021-02", "2021-12", []string{"2021-02", "2021-03", "Q2021-2", "S2021-2"}},
		{"2021-07", "2021-09", []string{"Q2021-3"}},
		{"2021-03", "2021-03", []string{"2021-03"}},
		{"2020-10", "2022-02", []string{"Q2020-4", "Y2021", "2022-01", "2022-02"}},
	} {
		if got := valueKeys(c.first, c.last); !slices.Equal(got, c.want) {
			t.Errorf("%s..%s: %v, want %v", c.first, c.last, got, c.want)
		}
	}
	if got := summaryKeys("2021-08", valueParts, true); !slices.Equal(got, []string{"Y2021", "S2021-2", "Q2021-3"}) {
		t.Errorf("value summary keys of 2021-08: %v", got)
	}
	if got := summaryKeys("2021-08-15", factParts, false); !slices.Equal(got, []string{"Y2021", "S2021-2", "M2021-08"}) {
		t.Errorf("fact summary keys of 2021-08-15: %v", got)
	}
	// a half-year is one row; a stock's years from the beginning one range
	h, _ := period.Parse("2021S1")
	if got := (&Metric{Def: Def{Aggregation: Flow}}).factRanges(h); !slices.Equal(got, []keyRange{{"S2021-1", "S2021-1"}}) {
		t.Errorf("2021S1 reads %v", got)
	}
	if got := (&Metric{Def: Def{Aggregation: Stock}}).factRanges(h); !slices.Equal(got, []keyRange{{"Y0001", "Y2020"}, {"S2021-1", "S2021-1"}}) {
		t.Errorf("a stock at 2021S1 reads %v", got)
	}
	if valueKeys("bad", "2021-01") != nil {
		t.Error("a bad month gives keys")
	}
}
