package register

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"kexie/internal/store"
)

// A text search keeps the records whose search text holds the words as a
// substring (LIKE '%q%'), so any part of a Chinese word is found. A scan
// of a million records' text takes seconds, and a two-character Chinese
// word has no trigram for SQLite's FTS5 trigram tokenizer or PostgreSQL's
// pg_trgm to use. So each register keeps an index of the pairs of
// adjacent characters of every record's search text, written in the
// transaction that writes the text: a search of two characters or more
// first takes the records holding the words' pairs, then checks the
// substring on those alone. A single character has no pair and is
// searched by the scan; how a search of common words reads the index, or
// does not, is its plan (searchplan.go, docs/performance.md).
//
// On PostgreSQL the index is a GIN index over kexie_pairs(search)
// (migration 00030), which the database keeps on every write. On SQLite
// it is a contentless FTS5 table per register, recpairs_<code>, whose
// documents are the pairs of the record's text spelled as tokens; the
// writes of this package keep it: insert, insertMany, rewrite and Delete.
// Whatever writes the search column writes the pairs too.

// pairTable is the SQLite table of a register's pairs. No register's own
// table can be called so: theirs start with "rec_".
func pairTable(code string) string { return "recpairs_" + code }

// pairs returns the distinct pairs of adjacent characters of s, in the
// order they first appear.
func pairs(s string) []string {
	rs := []rune(s)
	seen := make(map[string]bool, len(rs))
	var out []string
	for i := 0; i+1 < len(rs); i++ {
		p := string(rs[i : i+2])
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// pairToken spells a pair as one token of FTS5's default tokenizer: the
// characters' code points in hex, joined by "x" (punctuation and spaces
// would otherwise split or vanish).
func pairToken(p string) string {
	var b strings.Builder
	n := 0
	for _, r := range p {
		if n > 0 {
			b.WriteByte('x')
		}
		b.WriteString(strconv.FormatInt(int64(r), 16))
		n++
	}
	return b.String()
}

// pairDoc is the FTS5 document of a search text: the tokens of its
// pairs, as pairToken spells them, written without a string per pair
// (every imported record makes one).
func pairDoc(text string) string {
	buf := make([]byte, 0, len(text)*4)
	seen := make(map[[2]rune]struct{}, len(text)/2)
	var prev rune
	first := true
	for _, r := range text {
		if !first {
			k := [2]rune{prev, r}
			if _, ok := seen[k]; !ok {
				seen[k] = struct{}{}
				if len(buf) > 0 {
					buf = append(buf, ' ')
				}
				buf = strconv.AppendInt(buf, int64(prev), 16)
				buf = append(buf, 'x')
				buf = strconv.AppendInt(buf, int64(r), 16)
			}
		}
		prev, first = r, false
	}
	return string(buf)
}

// createSearchIndex returns the statements that make a register's pair
// index (empty: the caller fills it when the table has records).
func createSearchIndex(d store.Dialect, code string) []string {
	if d.Name == "postgres" {
		t := Table(code)
		return []string{fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s USING GIN (kexie_pairs(search))", searchIndexName(code), t)}
	}
	return []string{fmt.Sprintf("CREATE VIRTUAL TABLE IF NOT EXISTS %s USING fts5(pairs, content='', contentless_delete=1, detail=none)", pairTable(code))}
}

func searchIndexName(code string) string { return indexName(Table(code), "search_pairs") }

// pairsKeptByWrites says whether this package writes the pairs itself
// (SQLite) rather than the database's index keeping them (PostgreSQL).
func (s *Service) pairsKeptByWrites() bool { return s.db.Dialect.Name != "postgres" }

// indexSearch writes the pairs of new search texts of records ids, inside
// the caller's transaction.
func (s *Service) indexSearch(ctx context.Context, code string, ids []int64, texts []string) error {
	if !s.pairsKeptByWrites() {
		return nil
	}
	const per = 400
	for start := 0; start < len(ids); start += per {
		var args store.Args
		var rows []string
		for i := start; i < min(start+per, len(ids)); i++ {
			doc := pairDoc(texts[i])
			if doc == "" {
				continue
			}
			rows = append(rows, "("+args.Add(ids[i])+", "+args.Add(doc)+")")
		}
		if len(rows) == 0 {
			continue
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO `+pairTable(code)+`(rowid, pairs) VALUES `+strings.Join(rows, ", "), args.Values()...); err != nil {
			return fmt.Errorf("search index of %s: %w", code, err)
		}
	}
	return nil
}

// unindexSearch removes the pairs of record id, inside the caller's
// transaction (before its text is written anew, or the record deleted).
func (s *Service) unindexSearch(ctx context.Context, code string, id int64) error {
	if !s.pairsKeptByWrites() {
		return nil
	}
	if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM `+pairTable(code)+` WHERE rowid = $1`, id); err != nil {
		return fmt.Errorf("search index of %s: %w", code, err)
	}
	return nil
}

// fillSearchIndex writes the pairs of every record of register code into
// an empty pair index, a batch of records at a time, inside the caller's
// transaction.
func (s *Service) fillSearchIndex(ctx context.Context, code string) error {
	if !s.pairsKeptByWrites() {
		return nil
	}
	var last int64
	for {
		rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, search FROM `+Table(code)+` WHERE id > $1 ORDER BY id LIMIT 5000`, last)
		if err != nil {
			return err
		}
		var ids []int64
		var texts []string
		for rows.Next() {
			var id int64
			var text string
			if err := rows.Scan(&id, &text); err != nil {
				rows.Close()
				return err
			}
			ids, texts = append(ids, id), append(texts, text)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := s.indexSearch(ctx, code, ids, texts); err != nil {
			return err
		}
		last = ids[len(ids)-1]
	}
}

// RebuildSearchIndex writes a register's pair index anew from its
// records' search text: after records were written by bulk SQL that
// bypassed the service (the benches), or to repair it.
func (s *Service) RebuildSearchIndex(ctx context.Context, code string) error {
	if !s.pairsKeptByWrites() {
		return nil // the database keeps its index
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM `+pairTable(code)); err != nil {
			return err
		}
		return s.fillSearchIndex(ctx, code)
	})
}

// ensureSearchIndex gives a register made before the pair index its
// index, filled from its records (a one-off cost at the first start: a
// minute or so for a million records).
func (s *Service) ensureSearchIndex(ctx context.Context, code string, have map[string]bool) error {
	if !s.pairsKeptByWrites() {
		if have[searchIndexName(code)] {
			return nil
		}
	} else {
		var n int
		if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, pairTable(code)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, stmt := range createSearchIndex(s.db.Dialect, code) {
			if _, err := s.db.Q(ctx).ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("search index of %s: %w", code, err)
			}
		}
		return s.fillSearchIndex(ctx, code)
	})
}

// pairCounts remembers how many records hold a pair (or every pair of a
// set), counted up to a cap, and a few other counts a search's plan is
// chosen from, for a while: a search then chooses its plan without
// counting again. A count gone stale as records are written changes only
// which plan a search takes, never what it finds.
type pairCounts struct {
	mu sync.Mutex
	m  map[string]pairCount
}

type pairCount struct {
	n  int
	at time.Time
}

const (
	pairCountFor  = 10 * time.Minute
	maxPairCounts = 20_000
)

// remembered returns the count kept under key, or counts it with count
// and keeps it.
func (s *Service) remembered(key string, count func() (int, error)) (int, error) {
	s.pairs.mu.Lock()
	c, ok := s.pairs.m[key]
	s.pairs.mu.Unlock()
	if ok && time.Since(c.at) < pairCountFor {
		return c.n, nil
	}
	n, err := count()
	if err != nil {
		return 0, err
	}
	s.pairs.mu.Lock()
	if s.pairs.m == nil || len(s.pairs.m) >= maxPairCounts {
		s.pairs.m = map[string]pairCount{}
	}
	s.pairs.m[key] = pairCount{n, time.Now()}
	s.pairs.mu.Unlock()
	return n, nil
}

// pairCount returns how many records of register code hold every pair
// of set, counted up to upTo.
func (s *Service) pairCount(ctx context.Context, code string, set []string, upTo int) (int, error) {
	key := "p\x00" + code + "\x00" + strconv.Itoa(upTo) + "\x00" + strings.Join(set, "\x00")
	return s.remembered(key, func() (int, error) {
		var args store.Args
		var q string
		if s.pairsKeptByWrites() {
			q = `SELECT COUNT(*) FROM (SELECT rowid FROM ` + pairTable(code) + ` WHERE ` + pairTable(code) + ` MATCH ` + args.Add(pairMatch(set)) +
				` LIMIT ` + strconv.Itoa(upTo) + `) n`
		} else {
			q = `SELECT COUNT(*) FROM (SELECT 1 FROM ` + Table(code) + ` r WHERE ` + pairArray(set, &args) + ` LIMIT ` + strconv.Itoa(upTo) + `) n`
		}
		var n int
		if err := s.db.Q(ctx).QueryRowContext(ctx, q, s.db.Dialect.Planned(args.Values())...).Scan(&n); err != nil {
			return 0, fmt.Errorf("search candidates: %w", err)
		}
		return n, nil
	})
}

// pairMatch is the FTS5 query of the records holding every pair of set.
func pairMatch(set []string) string {
	toks := make([]string, len(set))
	for i, p := range set {
		toks[i] = `"` + pairToken(p) + `"`
	}
	return strings.Join(toks, " AND ")
}

// pairArray is PostgreSQL's condition of the records holding every pair
// of set, which the GIN index over kexie_pairs(search) answers.
func pairArray(set []string, args *store.Args) string {
	ph := make([]string, len(set))
	for i, p := range set {
		ph[i] = args.Add(p)
	}
	return `kexie_pairs(r.search) @> ARRAY[` + strings.Join(ph, ", ") + `]::text[]`
}
