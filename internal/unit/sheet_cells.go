package unit

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"kexie/internal/sheet"
)

// The cell normalisers forgive what is not the user's fault — spaces
// around a value, digits typed with a Chinese input method, dates as
// Excel stores them or as people write them — and nothing else.

// foldWidth turns full-width ASCII (０-９, Ａ-Ｚ, －, ／ …) and the
// ideographic space into their ordinary forms.
func foldWidth(s string) string { return sheet.FoldWidth(s) }

func isWide(r rune) bool { return sheet.IsWide(r) }

var wholeFloatRE = regexp.MustCompile(`^[0-9]+\.0+$`)

// normalizeCode trims a code and folds full-width characters; a number
// Excel stored as 320100.0 becomes 320100.
func normalizeCode(s string) string {
	s = strings.TrimSpace(foldWidth(s))
	if wholeFloatRE.MatchString(s) {
		s = s[:strings.IndexByte(s, '.')]
	}
	return s
}

// normalizeText trims a name; inner characters are the user's to choose
// (full-width brackets are proper Chinese punctuation).
func normalizeText(s string) string { return strings.TrimSpace(s) }

// Excel's serial day numbers: day 1 is 1900-01-01 in the 1900 system
// (which counts a 29 February 1900 that never was) and 1904-01-02 in
// the 1904 system; 2958465 is 9999-12-31.
const maxSerial = 2958465

var (
	serialRE = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]+)?$`)
	dateRE   = regexp.MustCompile(`^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?` +
		`(?:[ T]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$`)
	compactDateRE = regexp.MustCompile(`^([0-9]{4})([0-9]{2})([0-9]{2})$`)
)

// normalizeDate reads a date cell: an Excel serial number, or text such as
// 2021-07-01, 2021/7/1, 2021.7.1, 2021年7月1日 or 20210701 (a time of day
// after it is ignored). It returns the date as 2006-01-02, "" for an
// empty cell, and ok=false when the cell holds no date it can be sure of
// (07/01/21 could be two different days, and 2021 is a year rather than
// a day, so both are refused).
func normalizeDate(s string, date1904 bool) (string, bool) {
	s = strings.TrimSpace(foldWidth(s))
	if s == "" {
		return "", true
	}
	if m := compactDateRE.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if serialRE.MatchString(s) {
		return fromSerial(s, date1904)
	}
	if m := dateRE.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	return "", false
}

func ymd(ys, ms, ds string) (string, bool) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 2021-02-30 rolled into March
		return "", false
	}
	return t.Format(time.DateOnly), true
}

func fromSerial(s string, date1904 bool) (string, bool) {
	whole := s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole = s[:i] // the fraction is the time of day
	}
	n, err := strconv.Atoi(whole)
	if err != nil || n < 1 || n > maxSerial {
		return "", false
	}
	if len(whole) == 4 && (strings.HasPrefix(whole, "19") || strings.HasPrefix(whole, "20")) {
		return "", false // a year alone, not day 2021 of 1900
	}
	if date1904 {
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly), true
	}
	switch {
	case n == 60: // 1900-02-29, which Excel believes in
		return "", false
	case n < 60:
		return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly), true
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly), true
}

// splitList splits a list cell on semicolons, commas or 、 (ASCII or
// full-width) and line breaks, dropping empty items and repeats.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(";；,，、\n\r", r)
	})
	out := make([]string, 0, len(parts))
	seen := map[string]bool{}
	for _, p := range parts {
		p = normalizeCode(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// headerColumns maps every accepted header key to its column.
var headerColumns = func() sheet.Headers {
	h := sheet.Headers{}
	for c := range numColumns {
		spec := columnSpecs[c]
		h.Add(int(c), append([]string{spec.zh, spec.en, spec.field}, spec.aliases...)...)
	}
	return h
}()

// matchHeader finds the column a header names: the whole header, or any
// of its parts split on '/' or '|' ("代码 / Code", "Code|代码").
func matchHeader(s string) (column, bool) {
	c, ok := headerColumns.Match(s)
	return column(c), ok
}

// vocab resolves what users type for types and groups — a code in any
// case, or a Chinese or English name — to the code.
type vocab struct {
	types  map[string]string
	groups map[string]string
}

func newVocab(types []Type, groups []Group) vocab {
	v := vocab{types: map[string]string{}, groups: map[string]string{}}
	add := func(m map[string]string, code string, names ...string) {
		for _, n := range names {
			if k := vocabKey(n); k != "" {
				if _, taken := m[k]; !taken {
					m[k] = code
				}
			}
		}
	}
	// codes first, so that a code always wins over another entry's name
	for _, t := range types {
		add(v.types, t.Code, t.Code)
	}
	for _, t := range types {
		add(v.types, t.Code, t.NameZH, t.NameEN)
	}
	for _, g := range groups {
		add(v.groups, g.Code, g.Code)
	}
	for _, g := range groups {
		add(v.groups, g.Code, g.NameZH, g.NameEN)
	}
	return v
}

func vocabKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(foldWidth(s)), " "))
}

func (v vocab) typeCode(s string) (string, bool) {
	c, ok := v.types[vocabKey(s)]
	return c, ok
}

func (v vocab) groupCode(s string) (string, bool) {
	c, ok := v.groups[vocabKey(s)]
	return c, ok
}
