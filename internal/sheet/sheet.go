// Package sheet reads and marks up the spreadsheets office staff exchange:
// XLSX workbooks and CSV files in the encodings Chinese Excel writes. It
// streams rows with the numbers Excel shows, bounds what a hostile or
// broken file may cost, matches bilingual headers, and writes a copy of a
// workbook with the cells at fault filled red and commented. The domain
// packages (units, registers) decide what the cells mean.
package sheet

import (
	"path/filepath"
	"strconv"
	"strings"
)

// File formats a Reader reads.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// Limits bound what reading one file may cost.
type Limits struct {
	// Bytes bounds the file's size.
	Bytes int64
	// Unzip bounds the uncompressed size of a workbook's parts together.
	Unzip int64
	// Cols bounds the cells read from a row; cells further right are
	// ignored.
	Cols int
}

// Default limits, for a zero field of Limits.
const (
	DefaultBytes = 32 << 20
	DefaultUnzip = 128 << 20
	DefaultCols  = 100
	// maxZipEntries bounds the parts of a workbook.
	maxZipEntries = 10_000
)

func (l Limits) withDefaults() Limits {
	if l.Bytes <= 0 {
		l.Bytes = DefaultBytes
	}
	if l.Unzip <= 0 {
		l.Unzip = DefaultUnzip
	}
	if l.Cols <= 0 {
		l.Cols = DefaultCols
	}
	return l
}

// Kind is what a workbook cell holds, beyond its text.
type Kind uint8

// The kinds of cell. A CSV file's cells are all KindText.
const (
	KindText    Kind = iota // a string, or any CSV cell
	KindNumber              // a number in General or a number format
	KindDate                // a number formatted as a date or a time: an Excel serial date
	KindPercent             // a number formatted as a percentage: 0.5 shows as 50%
	KindBool                // TRUE or FALSE, as "1" or "0"
	KindError               // an error value such as #N/A or #DIV/0!
	KindNoValue             // a formula whose result was never calculated: its value is unknown
)

// Row is one row of a sheet: its number as Excel shows it and its cells
// from column A on, as stored (numbers unformatted, so a date is Excel's
// serial day number).
type Row struct {
	Num   int
	Cells []string
	// Kinds says what each cell holds; nil for CSV rows, where every
	// cell is text.
	Kinds []Kind
}

// Kind returns the kind of cell i.
func (r Row) Kind(i int) Kind {
	if i < len(r.Kinds) {
		return r.Kinds[i]
	}
	return KindText
}

// Cell returns cell i, "" beyond the row's end.
func (r Row) Cell(i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// Blank says whether every cell is empty or spaces.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if strings.ContainsFunc(c, func(r rune) bool { return !isBlank(r) }) {
			return false
		}
	}
	return true
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\u3000' || r == '\u00a0' }

// ColumnName is the letter of the column at index i (0 is A, 26 is AA).
func ColumnName(i int) string {
	if i < 0 {
		return ""
	}
	var b [8]byte
	n := len(b)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		b[n] = byte('A' + (i-1)%26)
	}
	return string(b[n:])
}

// ColumnIndex is the index of a column letter (A is 0), -1 when it is none.
func ColumnIndex(s string) int {
	if s == "" || len(s) > 3 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			return -1
		}
		n = n*26 + int(c-'A') + 1
	}
	return n - 1
}

// CellName is a cell's reference, "C5".
func CellName(col, row int) string { return ColumnName(col) + strconv.Itoa(row) }

// IsXLSXName says whether a file's name claims it is an Excel workbook.
func IsXLSXName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".xlsx" || ext == ".xlsm" || ext == ".xls"
}
