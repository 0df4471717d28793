package register

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"kexie/internal/store"
)

// A list with a text search is two queries, the count and the page, and
// each chooses how to read the search's candidates (docs/performance.md,
// “How the plan is chosen”):
//
//   - scan: read the records the other filters allow, in the list's order
//     or by the filters' index, and check the text of each. A page stops
//     as soon as it is full, a capped count at its cap.
//   - candidates: read the records holding the search's pairs, by id, and
//     check the filters and the text of each.
//   - merge (SQLite, the count): the candidates' ids and the ids the other
//     filters allow, each read from its index in one string, met in
//     memory; the records of both are then checked for the text, or not
//     at all when the words are one pair (holding the pair is holding the
//     words).
//   - pairs (SQLite, the count of two characters and no other filter):
//     the records holding the pair, counted in the pair index alone.
//   - ids (SQLite, the page after a merge): the records the merge found,
//     by id.
//   - bitmap (PostgreSQL, the count within some units): the records of
//     the units, from the records' unit index, met with the candidates in
//     the pair index, as two bitmaps; the records of both are then read
//     and their text checked. Written as a scan, PostgreSQL reads a
//     city's records one by one (q=讲座 in a city: 290 ms against 100 ms
//     on a loaded machine).
//   - order (SQLite, the page): the scan, told to walk the date index
//     newest first, checking the unit and the period in the index and the
//     text of the records they keep, until the page is full. Left to
//     itself SQLite reads a subtree unit by unit and sorts, reading many
//     records of every unit (q=讲座 in a city: 20 ms against 1 ms).
//
// The count goes first and chooses by estimated cost; the page then knows
// how many records match, and reads in the list's order when the matches
// are dense enough to fill it sooner than reading every candidate.
const (
	planScan       = "scan"
	planCandidates = "candidates"
	planMerge      = "merge"
	planIDs        = "ids"
	planOrder      = "order"
	planPairs      = "pairs"
	planBitmap     = "bitmap"
)

// The costs of a plan's steps on SQLite, in microseconds, measured on the
// bench register of 1,000,000 records (docs/performance.md); only their
// ratios matter.
const (
	costLookup = 3.0  // a record read by its id or through an index, its text checked
	costSeq    = 0.4  // a record read by a scan of the table in id order
	costPost   = 0.07 // an id read from the pair index
	costID     = 0.15 // an id carried into memory in a string and parsed
)

const (
	// fewCandidates is as many candidates as are always read by id: a
	// few milliseconds, whatever the other filters.
	fewCandidates = 2_000
	// pairCountCap is how far SQLite counts the records holding a pair
	// (a common pair then costs about 20 ms once in ten minutes).
	pairCountCap = 300_000
	// pgCandidatesUpTo bounds the candidates PostgreSQL reads: counting
	// them there visits each record, so it stops at the bound, and past
	// it the scan is the plan (q=健康, one record in nine).
	pgCandidatesUpTo = 20_000
	// filterCountCap is how far the records the other filters allow are
	// counted to choose a plan; a merge needs them all in memory.
	filterCountCap = 200_000
	// mergeIDsUpTo bounds the ids a merge hands on to the page.
	mergeIDsUpTo = 50_000
	// orderWalkUpTo bounds the index entries the order plan expects to
	// walk to fill a page (a few milliseconds).
	orderWalkUpTo = 50_000
)

// textSearch is the text search of a list: the substring every record
// found holds, and the pairs whose records are its candidates.
type textSearch struct {
	like  string   // the LIKE pattern
	set   []string // pairs every record found holds; none for one character
	cands int      // records holding every pair of set, counted up to a cap
	// exact says holding the pair of set is holding the words: they are
	// two characters.
	exact bool
}

// newTextSearch chooses the pairs of q (lower-cased) whose records are
// the candidates: the rarest, and up to two more that share no character
// with those taken (pairs side by side, as 航天 and 天科, are held by much
// the same records, while pairs apart narrow) and are held by at most four
// times as many records (more would cost more to read than they save).
func (s *Service) newTextSearch(ctx context.Context, reg *Register, q string) (*textSearch, error) {
	ts := &textSearch{like: "%" + store.EscapeLike(q) + "%"}
	ps := pairs(q)
	if len(ps) == 0 || !utf8.ValidString(q) {
		return ts, nil
	}
	upTo := pairCountCap
	if !s.pairsKeptByWrites() {
		upTo = pgCandidatesUpTo + 1
	}
	counts := make(map[string]int, len(ps))
	for _, p := range ps {
		n, err := s.pairCount(ctx, reg.Code, []string{p}, upTo)
		if err != nil {
			return nil, err
		}
		counts[p] = n
	}
	// PostgreSQL's planner takes a containment of one pair for a common
	// one and reads a sorted list's index instead of the candidates (q=量子科技
	// with an option and a sort: 5 ms with two pairs, 60 ms with one)
	atLeast := 1
	if !s.pairsKeptByWrites() {
		atLeast = 2
	}
	set := choosePairs(q, counts, atLeast)
	ts.set, ts.cands = set, counts[set[0]]
	if len(set) > 1 {
		n, err := s.pairCount(ctx, reg.Code, set, upTo)
		if err != nil {
			return nil, err
		}
		ts.cands = n
	}
	ts.exact = utf8.RuneCountInString(q) == 2 && !strings.ContainsRune(q, utf8.RuneError)
	return ts, nil
}

// choosePairs returns the pairs of q whose records are the candidates,
// given how many records hold each pair of q: at least atLeast of them
// when q has so many, the rarest first.
func choosePairs(q string, counts map[string]int, atLeast int) []string {
	ps := pairs(q)
	sort.SliceStable(ps, func(i, j int) bool { return counts[ps[i]] < counts[ps[j]] })
	at := pairPositions(q)
	set := ps[:1]
	for _, p := range ps[1:] {
		if len(set) == 3 || counts[p] > 4*counts[set[0]] {
			break
		}
		if !overlaps(at[p], set, at) {
			set = append(set, p)
		}
	}
	for _, p := range ps[1:] {
		if len(set) >= atLeast {
			break
		}
		if !slices.Contains(set, p) {
			set = append(set, p)
		}
	}
	return set
}

// pairPositions returns where each pair of s starts, in characters.
func pairPositions(s string) map[string][]int {
	rs := []rune(s)
	at := map[string][]int{}
	for i := 0; i+1 < len(rs); i++ {
		p := string(rs[i : i+2])
		at[p] = append(at[p], i)
	}
	return at
}

// overlaps says whether a pair starting at any of pos shares a character
// with a pair of set.
func overlaps(pos []int, set []string, at map[string][]int) bool {
	for _, t := range set {
		for _, i := range pos {
			for _, j := range at[t] {
				if i-j <= 1 && j-i <= 1 {
					return true
				}
			}
		}
	}
	return false
}

// cond is the condition of the text search read as plan says, its
// arguments added to args; ids are a merge's for planIDs.
func (ts *textSearch) cond(s *Service, reg *Register, plan string, ids []int64, args *store.Args) string {
	c := `r.search LIKE ` + args.Add(ts.like) + ` ESCAPE '\'`
	switch {
	case plan == planIDs:
		c += ` AND r.id IN (SELECT value FROM json_each(` + args.Add(idsJSON(ids)) + `))`
	case plan == planCandidates && s.pairsKeptByWrites():
		c += ` AND r.id IN (SELECT rowid FROM ` + pairTable(reg.Code) + ` WHERE ` + pairTable(reg.Code) + ` MATCH ` + args.Add(pairMatch(ts.set)) + `)`
	case plan == planCandidates || plan == planBitmap:
		c += ` AND ` + pairArray(ts.set, args)
	}
	return c
}

// searchSizes are the estimates a plan is chosen from.
type searchSizes struct {
	n, f   float64 // records of the register; records the other filters allow
	fKnown bool    // f was counted to the end (a merge needs it)
}

// sizes estimates how many records the register and the other filters
// hold: the register's greatest id, and the filters' records counted up
// to filterCountCap (both remembered for a while).
func (s *Service) sizes(ctx context.Context, reg *Register, w *listWhere) (searchSizes, error) {
	var maxID int64
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+Table(reg.Code)).Scan(&maxID); err != nil {
		return searchSizes{}, fmt.Errorf("search plan: %w", err)
	}
	sz := searchSizes{n: float64(max(maxID, 1))}
	if w.all {
		sz.f = sz.n
		return sz, nil
	}
	key := "f\x00" + reg.Code + "\x00" + w.base + "\x00" + fmt.Sprint(w.args...)
	n, err := s.remembered(key, func() (int, error) {
		var n int
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+Table(reg.Code)+` r WHERE `+w.base+
			` LIMIT `+strconv.Itoa(filterCountCap+1)+`) n`, s.db.Dialect.Planned(w.args)...).Scan(&n)
		return n, err
	})
	if err != nil {
		return searchSizes{}, fmt.Errorf("search plan: %w", err)
	}
	sz.f, sz.fKnown = float64(n), n <= filterCountCap
	if !sz.fKnown {
		sz.f = max(sz.f, sz.n) // at least the cap: as good as unknown
	}
	return sz, nil
}

// countPlan chooses how the count reads a search's candidates; upTo is
// how far it counts. It returns the sizes it estimated, if any.
func (s *Service) countPlan(ctx context.Context, reg *Register, w *listWhere, upTo int) (string, *searchSizes, error) {
	ts := w.text
	if ts == nil || len(ts.set) == 0 {
		return planScan, nil, nil
	}
	pairsAlone := s.pairsKeptByWrites() && ts.exact && w.all
	if s.forceCount != "" {
		if s.forceCount == planPairs && !pairsAlone {
			return planScan, nil, nil
		}
		return s.forceCount, nil, nil
	}
	if pairsAlone {
		return planPairs, nil, nil
	}
	if !s.pairsKeptByWrites() {
		if ts.cands <= pgCandidatesUpTo {
			return planCandidates, nil, nil
		}
		if !w.units {
			return planScan, nil, nil
		}
		sz, err := s.sizes(ctx, reg, w)
		if err != nil {
			return "", nil, err
		}
		return chooseCountPG(shapeOf(w, sz), float64(upTo)), &sz, nil
	}
	if ts.cands <= fewCandidates {
		return planCandidates, nil, nil
	}
	sz, err := s.sizes(ctx, reg, w)
	if err != nil {
		return "", nil, err
	}
	return chooseCount(shapeOf(w, sz), float64(upTo)), &sz, nil
}

// searchShape is what a search's plans are chosen from.
type searchShape struct {
	searchSizes
	cands               float64 // candidates of the search
	all, covered, exact bool    // as listWhere and textSearch say
}

func shapeOf(w *listWhere, sz searchSizes) searchShape {
	return searchShape{searchSizes: sz, cands: float64(w.text.cands), all: w.all, covered: w.covered, exact: w.text.exact}
}

// chooseCount returns the cheapest plan of a count up to m on SQLite.
func chooseCount(sh searchShape, m float64) string {
	c := sh.cands
	matches := max(c*sh.f/sh.n, 1) // the other filters taken as independent of the words
	// the scan reads the filters' records until the count is reached; with
	// no filter it reads the table in id order
	scan := min(sh.f, m*sh.f/matches) * costLookup
	if sh.all {
		scan = min(sh.n, m*sh.n/c) * costSeq
	}
	// the candidates are read by id until the count is reached
	cands := c*costPost + min(c, m*sh.n/sh.f)*costLookup
	plan, cost := planScan, scan
	if cands < cost {
		plan, cost = planCandidates, cands
	}
	if sh.fKnown && !sh.all {
		merge := (c + sh.f) * costID
		if !sh.covered {
			merge += sh.f * costLookup
		}
		if !sh.exact {
			merge += min(matches, m) * costLookup
		}
		if merge < cost {
			plan = planMerge
		}
	}
	return plan
}

// chooseCountPG returns the cheaper plan of a count up to m on
// PostgreSQL of a search with more than pgCandidatesUpTo candidates within
// some units: the scan, which PostgreSQL runs as the units' records read
// one by one or as the table read in order until the count is reached,
// or the bitmaps of the units' records and of the candidates met (the
// two bitmaps cost about the same per record as an id in a string does on
// SQLite).
func chooseCountPG(sh searchShape, m float64) string {
	matches := max(sh.cands*sh.f/sh.n, 1)
	scan := min(sh.f*costLookup, min(sh.n, m*sh.n/matches)*costSeq)
	bitmap := (sh.cands+sh.f)*costID + min(matches, m)*costLookup
	if bitmap < scan {
		return planBitmap
	}
	return planScan
}

// pagePlan chooses how the page reads a search's candidates, once the
// count found total records (capped says there are more): in the list's
// order, checking each record's text, when the matches are dense enough
// to fill the page sooner than reading every candidate (or every record a
// merge found) by id. byDate says the list is in date order and filtered
// by nothing but units and a period, which the date index holds.
func (s *Service) pagePlan(ctx context.Context, reg *Register, w *listWhere, counted string, sz *searchSizes, merged []int64, total int, capped bool, need int, byDate bool) (string, error) {
	ts := w.text
	if ts == nil || len(ts.set) == 0 {
		return planScan, nil
	}
	if s.forcePage != "" {
		switch {
		case s.forcePage == planIDs && counted != planMerge:
			return planCandidates, nil
		case s.forcePage == planOrder && !byDate:
			return planScan, nil
		}
		return s.forcePage, nil
	}
	if ts.cands <= fewCandidates {
		return planCandidates, nil
	}
	if sz == nil {
		est, err := s.sizes(ctx, reg, w)
		if err != nil {
			return "", err
		}
		sz = &est
	}
	return choosePage(shapeOf(w, *sz), counted, len(merged), float64(total), capped, float64(need), byDate && s.pairsKeptByWrites()), nil
}

// choosePage returns the cheapest plan of a page that needs need records
// after a count by counted found total (capped: more); merged is how many
// records a merge found; byDate allows the order plan.
func choosePage(sh searchShape, counted string, merged int, total float64, capped bool, need float64, byDate bool) string {
	matches := total
	if capped {
		matches = max(matches, sh.cands*sh.f/sh.n)
	}
	matches = max(matches, 1)
	scan := min(sh.f, need*sh.f/matches) * costLookup
	plan, cost := planCandidates, sh.cands*(costLookup+costPost)
	if counted == planMerge && merged <= mergeIDsUpTo && float64(merged)*costLookup < cost {
		plan, cost = planIDs, float64(merged)*costLookup
	}
	if scan >= cost {
		return plan
	}
	if byDate && !sh.all && need*sh.n/matches <= orderWalkUpTo {
		return planOrder
	}
	return planScan
}

// mergeIDs returns, in order, the ids of the records that the other
// filters allow and that hold every pair of the search (SQLite). The two
// lists are read at once on two connections when no transaction holds
// the request to one.
func (s *Service) mergeIDs(ctx context.Context, reg *Register, w *listWhere) ([]int64, error) {
	t := pairTable(reg.Code)
	read := func(q string, args []any, list *string) error {
		var v sql.NullString
		if err := s.db.Q(ctx).QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
			return fmt.Errorf("search candidates: %w", err)
		}
		*list = v.String
		return nil
	}
	var cands, allowed string
	candsQ, candsArgs := `SELECT group_concat(rowid) FROM `+t+` WHERE `+t+` MATCH $1`, []any{pairMatch(w.text.set)}
	allowedQ := `SELECT group_concat(r.id) FROM ` + Table(reg.Code) + ` r WHERE ` + w.base
	if _, pooled := s.db.Q(ctx).(*sql.DB); pooled {
		done := make(chan error, 1)
		go func() { done <- read(candsQ, candsArgs, &cands) }()
		err := read(allowedQ, w.args, &allowed)
		if err2 := <-done; err == nil {
			err = err2
		}
		if err != nil {
			return nil, err
		}
	} else {
		if err := read(candsQ, candsArgs, &cands); err != nil {
			return nil, err
		}
		if err := read(allowedQ, w.args, &allowed); err != nil {
			return nil, err
		}
	}
	in := idBits{}
	eachID(cands, in.add)
	var out []int64
	eachID(allowed, func(id int64) {
		if in.has(id) {
			out = append(out, id)
		}
	})
	slices.Sort(out)
	return out, nil
}

// pairsCount counts, up to upTo, the records holding the search's one
// pair, in the pair index alone: every record has its pairs there and no
// other's.
func (s *Service) pairsCount(ctx context.Context, reg *Register, w *listWhere, upTo int) (int, error) {
	var n int
	t := pairTable(reg.Code)
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT rowid FROM `+t+` WHERE `+t+` MATCH $1 LIMIT `+strconv.Itoa(upTo)+`) n`,
		pairMatch(w.text.set)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return n, nil
}

// mergeCount counts, up to upTo, the records a merge found that hold the
// words.
func (s *Service) mergeCount(ctx context.Context, reg *Register, w *listWhere, ids []int64, upTo int) (int, error) {
	if w.text.exact || len(ids) == 0 {
		return min(len(ids), upTo), nil
	}
	var args store.Args
	var n int
	q := `SELECT COUNT(*) FROM (SELECT 1 FROM ` + Table(reg.Code) + ` r` + notIndexed + ` WHERE ` + w.text.cond(s, reg, planIDs, ids, &args) +
		` LIMIT ` + strconv.Itoa(upTo) + `) n`
	if err := s.db.Q(ctx).QueryRowContext(ctx, q, args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return n, nil
}

// idBits is a set of record ids.
type idBits []uint64

func (b *idBits) add(id int64) {
	if id < 0 {
		return
	}
	i := int(id >> 6)
	if i >= len(*b) {
		*b = append(*b, make([]uint64, i+1-len(*b))...)
	}
	(*b)[i] |= 1 << (id & 63)
}

func (b idBits) has(id int64) bool {
	i := int(id >> 6)
	return id >= 0 && i < len(b) && b[i]&(1<<(id&63)) != 0
}

// eachID calls fn with each id of a comma-separated list.
func eachID(list string, fn func(int64)) {
	var n int64
	digits := false
	for i := 0; i <= len(list); i++ {
		if i == len(list) || list[i] == ',' {
			if digits {
				fn(n)
			}
			n, digits = 0, false
			continue
		}
		if c := list[i]; c >= '0' && c <= '9' {
			n, digits = n*10+int64(c-'0'), true
		}
	}
}

// idsJSON is ids as a JSON array, for json_each.
func idsJSON(ids []int64) string {
	b := make([]byte, 0, len(ids)*8+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}
