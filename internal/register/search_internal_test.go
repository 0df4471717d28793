package register

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// pairDoc spells the same tokens as pairs and pairToken, whatever the text.
func TestPairDoc(t *testing.T) {
	for _, s := range []string{"", "量", "量子", "量子量子科技", "AbC %_\\ 科普", "a\xffb\xfe量", "aaaa"} {
		ps := pairs(s)
		toks := make([]string, len(ps))
		for i, p := range ps {
			toks[i] = pairToken(p)
		}
		if got, want := pairDoc(s), strings.Join(toks, " "); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}

func TestSearchTextCutsWholeCharacters(t *testing.T) {
	reg := &Register{Schema: Schema{Fields: []Field{{Code: "body", Type: TypeLongText}}}}
	for n := 495; n <= 505; n++ {
		long := strings.Repeat("a", n%3) + strings.Repeat("科", 300)
		got := reg.searchText(map[string]any{"body": long})
		if !utf8.ValidString(got) {
			t.Fatalf("search text of %d bytes is not valid UTF-8", len(long))
		}
		if len(got) > 501 || len(got) < 497 {
			t.Fatalf("search text is %d bytes, want the 500 first bytes' whole characters", len(got))
		}
	}
}

// A phrase's candidates come from its rarest pair and the pairs apart from
// it that are not much commoner; pairs side by side add little.
func TestChoosePairs(t *testing.T) {
	// the bench's counts at 1,000,000 records
	bench := map[string]int{"航天": 111_000, "天科": 73_865, "科普": 300_000, "普讲": 167_599, "讲座": 167_599}
	for _, c := range []struct {
		q       string
		counts  map[string]int
		atLeast int
		want    []string
	}{
		{"航天科普讲座", bench, 1, []string{"天科", "普讲"}},
		{"讲座", bench, 1, []string{"讲座"}},
		{"讲座", bench, 2, []string{"讲座"}},
		{"量子科技", map[string]int{"量子": 1_043, "子科": 1_043, "科技": 300_000}, 1, []string{"量子"}},
		{"量子科技", map[string]int{"量子": 1_043, "子科": 1_043, "科技": 20_001}, 2, []string{"量子", "子科"}}, // PostgreSQL
		{"abcdefgh", map[string]int{"ab": 10, "bc": 11, "cd": 12, "de": 13, "ef": 14, "fg": 15, "gh": 16}, 1, []string{"ab", "cd", "ef"}},
		{"abab", map[string]int{"ab": 5, "ba": 6}, 1, []string{"ab"}},
		{"abcd", map[string]int{"ab": 0, "bc": 0, "cd": 3}, 1, []string{"ab"}},
	} {
		if got := choosePairs(c.q, c.counts, c.atLeast); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.q, got, c.want)
		}
	}
}

// A merge's lists of ids are read back whole, and its set holds what was
// added and nothing else.
func TestMergeIDLists(t *testing.T) {
	var got []int64
	eachID("1,22,333,4444,0,9007199254740993", func(id int64) { got = append(got, id) })
	if want := []int64{1, 22, 333, 4444, 0, 9007199254740993}; !slices.Equal(got, want) {
		t.Fatalf("eachID: %v", got)
	}
	eachID("", func(int64) { t.Fatal("an id in an empty list") })
	var in idBits
	for _, id := range []int64{0, 63, 64, 1000} {
		in.add(id)
	}
	for id, want := range map[int64]bool{0: true, 1: false, 63: true, 64: true, 65: false, 1000: true, 1001: false, 1 << 40: false, -1: false} {
		if in.has(id) != want {
			t.Errorf("has(%d) = %v", id, !want)
		}
	}
	if s := idsJSON([]int64{3, 10, 200}); s != "[3,10,200]" || idsJSON(nil) != "[]" {
		t.Errorf("idsJSON: %s", s)
	}
}

// The plans chosen for the bench's searches at 1,000,000 records
// (docs/performance.md), from the sizes the service estimates there.
func TestChooseSearchPlans(t *testing.T) {
	const n, capped = 1_000_000, MaxCount + 1
	everything := searchSizes{n: n, f: n}
	city := searchSizes{n: n, f: 80_093, fKnown: true}
	exhibits := searchSizes{n: n, f: 166_000, fKnown: true}
	for _, c := range []struct {
		name        string
		sh          searchShape
		count, page string
		total       int // what the count finds
		need        int // the last record the page shows
		byDate      bool
	}{
		{"q=健康 (counted in the pair index)", searchShape{searchSizes: everything, cands: 110_949, all: true, exact: true}, planPairs, planScan, capped, 50, true},
		{"q=健康生活", searchShape{searchSizes: everything, cands: 110_949, all: true}, planScan, planScan, capped, 50, true},
		{"q=航天科普讲座", searchShape{searchSizes: everything, cands: 18_568, all: true}, planCandidates, planScan, capped, 50, true},
		{"q=航天科普讲座, page 199", searchShape{searchSizes: everything, cands: 18_568, all: true}, planCandidates, planCandidates, capped, 9_950, true},
		{"q=讲座 in a city", searchShape{searchSizes: city, cands: 167_599, covered: true, exact: true}, planMerge, planOrder, capped, 50, true},
		{"q=讲座 in a city, sorted by a field", searchShape{searchSizes: city, cands: 167_599, covered: true, exact: true}, planMerge, planScan, capped, 50, false},
		{"q=科普讲座 in a city", searchShape{searchSizes: city, cands: 167_599, covered: true}, planMerge, planOrder, capped, 50, true},
		{"q=讲座, kind = exhibition (none)", searchShape{searchSizes: exhibits, cands: 167_599, covered: true, exact: true}, planMerge, "", 0, 50, false},
		{"q=讲座 in a city, a field not indexed", searchShape{searchSizes: city, cands: 167_599, exact: true}, planScan, planScan, capped, 50, false},
		{"q=量子科技 (few) in a city", searchShape{searchSizes: city, cands: 2_500, covered: true}, planCandidates, planCandidates, 220, 50, true},
		{"q=量子, a merge found 300", searchShape{searchSizes: city, cands: 5_000, covered: true, exact: true}, "", planIDs, 300, 50, true},
	} {
		if c.count != "" && c.count != planPairs {
			if got := chooseCount(c.sh, capped); got != c.count {
				t.Errorf("%s: count by %s, want %s", c.name, got, c.count)
			}
		}
		if c.page != "" {
			counted, merged := c.count, 0
			switch counted {
			case "":
				counted, merged = planMerge, c.total
			case planMerge:
				merged = 13_661 // what holds 讲座 in the city
			}
			got := choosePage(c.sh, counted, merged, float64(min(c.total, MaxCount)), c.total > MaxCount, float64(c.need), c.byDate)
			if got != c.page {
				t.Errorf("%s: page by %s, want %s", c.name, got, c.page)
			}
		}
	}
	// PostgreSQL, more candidates than it reads by id, within some units
	county := searchSizes{n: n, f: 120, fKnown: true}
	province := searchSizes{n: n, f: 900_000}
	for _, c := range []struct {
		name string
		sh   searchShape
		want string
	}{
		{"q=讲座 in a city", searchShape{searchSizes: city, cands: 167_599, exact: true}, planBitmap},
		{"q=科普讲座 in a city", searchShape{searchSizes: city, cands: 160_000}, planBitmap},
		{"q=讲座 in a county", searchShape{searchSizes: county, cands: 167_599, exact: true}, planScan},
		{"q=健康 in nearly everything", searchShape{searchSizes: province, cands: 110_949, exact: true}, planScan},
	} {
		if got := chooseCountPG(c.sh, capped); got != c.want {
			t.Errorf("PostgreSQL, %s: count by %s, want %s", c.name, got, c.want)
		}
	}
}
