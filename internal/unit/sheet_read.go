package unit

import (
	"bytes"
	"strings"

	"kexie/internal/sheet"
)

// Limits on what an import reads, so that a hostile or broken file costs
// bounded memory and time.
const (
	// MaxImportBytes bounds the size of an uploaded file.
	MaxImportBytes = 32 << 20
	// MaxImportUnzip bounds the uncompressed size of a workbook's parts.
	MaxImportUnzip = 128 << 20
	// maxCells bounds the cells read from a row; the units columns are
	// found among the first of them.
	maxCells = 100
	// headerSearch is how many non-empty rows may stand above the header
	// (a title, a date line).
	headerSearch = 10
)

// File formats an import reads.
const (
	FormatXLSX = sheet.FormatXLSX
	FormatCSV  = sheet.FormatCSV
)

// table is the first sheet of an uploaded file, as text.
type table struct {
	format   string
	sheet    string
	date1904 bool
	rows     []tableRow
	maxRows  int  // data rows allowed
	tooMany  bool // rows were left unread beyond the limit
}

// tableRow is a non-empty row and its number as Excel shows it.
type tableRow struct {
	num   int
	cells []string
}

// limits are the bounds one import works within.
type limits struct {
	rows  int
	bytes int64
	unzip int64
}

// readTable reads the first sheet of an XLSX workbook or a CSV file,
// telling them apart by their content. Its problem, if any, concerns the
// whole file.
func readTable(data []byte, name string, lim limits) (table, *Problem) {
	rd, p := sheet.Open(bytes.NewReader(data), int64(len(data)), name, sheet.Limits{Bytes: lim.bytes, Unzip: lim.unzip, Cols: maxCells})
	if p != nil {
		return table{}, p
	}
	defer rd.Close()
	t := table{format: rd.Format(), sheet: rd.Sheet(), date1904: rd.Date1904(), maxRows: lim.rows}
	for rd.Next() {
		row := rd.Row()
		if !t.add(row, lim) {
			break
		}
	}
	if p := rd.Problem(); p != nil {
		return table{}, p
	}
	return t, nil
}

// add keeps a row unless it is empty; it says false once the rows are
// more than the limit (the header and a few title rows aside).
func (t *table) add(row sheet.Row, lim limits) bool {
	if row.Blank() {
		return true
	}
	if len(t.rows) > lim.rows+headerSearch {
		t.tooMany = true
		return false
	}
	cells := row.Cells
	if len(cells) > maxCells {
		cells = cells[:maxCells]
	}
	t.rows = append(t.rows, tableRow{num: row.Num, cells: cells})
	return true
}

// layout says where each column is in the sheet.
type layout struct {
	header int             // index in table.rows of the header row
	index  [numColumns]int // cell index of each column, -1 when absent
}

func (l layout) has(c column) bool { return l.index[c] >= 0 }

// letter is the column's letter in the sheet, "" when absent.
func (l layout) letter(c column) string {
	if !l.has(c) {
		return ""
	}
	return sheet.ColumnName(l.index[c])
}

// findLayout finds the header: the first row, among the first few, that
// names the code column. Unknown headers are ignored; a column named
// twice is a problem.
func findLayout(t table, fileName string) (layout, []Problem) {
	none := layout{}
	for c := range none.index {
		none.index[c] = -1
	}
	rows := make([]sheet.Row, 0, headerSearch)
	for i := 0; i < len(t.rows) && i < headerSearch; i++ {
		rows = append(rows, sheet.Row{Num: t.rows[i].num, Cells: t.rows[i].cells})
	}
	found, probs, ok := sheet.FindLayout(t.sheet, rows, headerColumns, int(numColumns), int(colCode), func(c int) string { return column(c).header() })
	if ok {
		lay := layout{header: found.Header}
		copy(lay.index[:], found.Index)
		return lay, probs
	}
	if t.format == FormatCSV && sheet.IsXLSXName(fileName) {
		return none, []Problem{{Key: "sheet.file.not_xlsx"}}
	}
	if len(t.rows) == 0 {
		return none, []Problem{{Sheet: t.sheet, Key: "sheet.rows.none"}}
	}
	return none, []Problem{{Sheet: t.sheet, Row: t.rows[0].num, Key: "sheet.header.missing",
		Args: map[string]any{"header": colCode.header()}}}
}

// entry is one data row, its cells normalised.
type entry struct {
	row      int
	raw      [numColumns]string
	bad      [numColumns]bool // the cell has a problem already
	code     string
	parent   string
	typ      string
	nameZH   string
	nameEN   string
	openedOn string
	closedOn string
	groups   []string
}

// parseRows normalises every data row below the header, resolving types
// and groups through v; it reports the cells it cannot read.
func parseRows(t table, lay layout, v vocab) ([]entry, []Problem) {
	var entries []entry
	var probs []Problem
	for _, tr := range t.rows[lay.header+1:] {
		e := entry{row: tr.num}
		for c := range numColumns {
			if i := lay.index[c]; i >= 0 && i < len(tr.cells) {
				e.raw[c] = tr.cells[i]
			}
		}
		if lay.blank(e) {
			continue
		}
		bad := func(c column, key string, args ...any) {
			e.bad[c] = true
			probs = append(probs, t.problem(lay, tr.num, c, e.raw[c], key, args...))
		}
		e.code = normalizeCode(e.raw[colCode])
		e.parent = normalizeCode(e.raw[colParent])
		e.nameZH = normalizeText(e.raw[colNameZH])
		e.nameEN = normalizeText(e.raw[colNameEN])
		if s := normalizeText(e.raw[colType]); s != "" {
			if code, ok := v.typeCode(s); ok {
				e.typ = code
			} else {
				e.typ = s
				bad(colType, "unit.type.unknown", "value", s)
			}
		}
		var ok bool
		if e.openedOn, ok = normalizeDate(e.raw[colOpenedOn], t.date1904); !ok {
			bad(colOpenedOn, "error.date", "value", e.raw[colOpenedOn])
		}
		if e.closedOn, ok = normalizeDate(e.raw[colClosedOn], t.date1904); !ok {
			bad(colClosedOn, "error.date", "value", e.raw[colClosedOn])
		}
		e.groups = []string{}
		for _, g := range splitList(e.raw[colGroups]) {
			if code, ok := v.groupCode(g); ok {
				e.groups = append(e.groups, code)
			} else if !e.bad[colGroups] {
				bad(colGroups, "unit.group.unknown", "code", g)
			}
		}
		entries = append(entries, e)
	}
	if t.tooMany || len(entries) > t.maxRows {
		probs = append(probs, Problem{Sheet: t.sheet, Key: "sheet.rows.too_many", Args: map[string]any{"max": t.maxRows}})
	}
	return entries, probs
}

// blank says whether a row has nothing in the units columns (a note
// beside the table, say).
func (l layout) blank(e entry) bool {
	for c := range numColumns {
		if l.has(c) && strings.TrimSpace(e.raw[c]) != "" {
			return false
		}
	}
	return true
}

// problem is a problem with the cell of column c in row num.
func (t table) problem(lay layout, num int, c column, value, key string, args ...any) Problem {
	return Problem{Sheet: t.sheet, Row: num, Column: lay.letter(c), Header: c.header(), Field: columnSpecs[c].field,
		Value: value, Key: key, Args: sheet.Args(args...)}
}
