package sheet

import (
	"strings"
	"unicode"
)

// FoldWidth turns full-width ASCII (０-９, Ａ-Ｚ, －, ／ …) and the
// ideographic space into their ordinary forms: what a Chinese input
// method types when the user meant digits.
func FoldWidth(s string) string {
	if !strings.ContainsFunc(s, IsWide) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// IsWide says whether r is a full-width form FoldWidth folds.
func IsWide(r rune) bool { return (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000 }

// HeaderKey reduces a header to what identifies it: width folded, lower
// case, no spaces, '_', '-', '*', '.', ':' or bracketed remarks such as
// (必填).
func HeaderKey(s string) string {
	s = strings.ToLower(FoldWidth(s))
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '（' || r == '[' || r == '【':
			depth++
		case r == ')' || r == '）' || r == ']' || r == '】':
			if depth > 0 {
				depth--
			}
		case depth > 0, unicode.IsSpace(r), r == '_', r == '-', r == '*', r == '.', r == ':', r == '：':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Headers maps the headers a column may have — in Chinese, in English,
// its code, other names users type — to the column's number.
type Headers map[string]int

// Add makes each of names a header of column col; a later Add of the
// same name wins.
func (h Headers) Add(col int, names ...string) {
	for _, n := range names {
		if k := HeaderKey(n); k != "" {
			h[k] = col
		}
	}
}

// Match finds the column a header names: the whole header, or any of its
// parts split on '/', '|' or a line break ("代码 / Code", "Code|代码").
func (h Headers) Match(s string) (int, bool) {
	if c, ok := h[HeaderKey(s)]; ok {
		return c, true
	}
	for _, part := range strings.FieldsFunc(FoldWidth(s), func(r rune) bool { return r == '/' || r == '|' || r == '\n' }) {
		if c, ok := h[HeaderKey(part)]; ok {
			return c, true
		}
	}
	return 0, false
}

// Layout says where each column is in a sheet.
type Layout struct {
	// Header is the index, in the rows given to FindLayout, of the header row.
	Header int
	// Index is the cell index of each column, -1 when absent.
	Index []int
}

// Has says whether column col is in the sheet.
func (l Layout) Has(col int) bool { return col < len(l.Index) && l.Index[col] >= 0 }

// Letter is the column's letter in the sheet, "" when absent.
func (l Layout) Letter(col int) string {
	if !l.Has(col) {
		return ""
	}
	return ColumnName(l.Index[col])
}

// FindLayout finds the header among the first rows: the first of them
// that names the anchor column. A column named twice is a problem, at the
// second; names matches none are ignored. header(col) is how a column's
// header is written, for the problems. ok is false when no row names the
// anchor.
func FindLayout(sheet string, rows []Row, h Headers, ncols, anchor int, header func(col int) string) (lay Layout, probs []Problem, ok bool) {
	for i, row := range rows {
		lay = Layout{Header: i, Index: make([]int, ncols)}
		for c := range lay.Index {
			lay.Index[c] = -1
		}
		probs = probs[:0]
		for j, cell := range row.Cells {
			c, found := h.Match(cell)
			if !found || c < 0 || c >= ncols {
				continue
			}
			if lay.Index[c] >= 0 {
				probs = append(probs, Problem{Sheet: sheet, Row: row.Num, Column: ColumnName(j), Header: header(c),
					Value: cell, Key: "sheet.header.duplicate", Args: map[string]any{"other": ColumnName(lay.Index[c])}})
				continue
			}
			lay.Index[c] = j
		}
		if lay.Has(anchor) {
			return lay, probs, true
		}
	}
	return Layout{}, nil, false
}
