package unit

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// Limits on what an import reads, so that a hostile or broken file costs
// bounded memory and time.
const (
	// MaxImportBytes bounds the size of an uploaded file.
	MaxImportBytes = 32 << 20
	// MaxImportUnzip bounds the uncompressed size of a workbook's parts.
	MaxImportUnzip = 128 << 20
	// maxZipEntries bounds the parts of a workbook.
	maxZipEntries = 10_000
	// maxCells bounds the cells read from a row; the units columns are
	// found among the first of them.
	maxCells = 100
	// headerSearch is how many non-empty rows may stand above the header
	// (a title, a date line).
	headerSearch = 10
)

// File formats an import reads.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
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

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// readTable reads the first sheet of an XLSX workbook or a CSV file,
// telling them apart by their content. Its problem, if any, concerns the
// whole file.
func readTable(data []byte, name string, lim limits) (table, *Problem) {
	fileProblem := func(key string, args ...any) (table, *Problem) {
		return table{}, &Problem{Key: key, Args: pairs(args)}
	}
	switch {
	case len(data) == 0:
		return fileProblem("sheet.file.empty")
	case int64(len(data)) > lim.bytes:
		return fileProblem("sheet.file.too_large", "max", lim.bytes>>20)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data, lim)
	case bytes.HasPrefix(data, oleMagic):
		return fileProblem("sheet.file.xls")
	}
	text, ok := decodeText(data)
	if !ok {
		if isXLSXName(name) {
			return fileProblem("sheet.file.not_xlsx")
		}
		return fileProblem("sheet.file.unreadable")
	}
	sheet := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if sheet == "" || sheet == "." {
		sheet = "Sheet1"
	}
	return readCSV(text, sheet, lim)
}

func isXLSXName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".xlsx" || ext == ".xlsm" || ext == ".xls"
}

// decodeText returns the file as UTF-8 text: UTF-8 with or without a BOM,
// UTF-16 with a BOM (Excel's "Unicode text"), or GB18030 (which covers
// GBK and GB2312, what Chinese Excel writes as "CSV"). A file that is
// none of these, or holds control characters, is not text.
func decodeText(data []byte) (string, bool) {
	var s string
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(b) || bytes.ContainsRune(b, utf8.RuneError) {
			return "", false
		}
		s = string(b)
	case utf8.Valid(data):
		s = string(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
	default:
		b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(b, utf8.RuneError) {
			return "", false
		}
		s = string(b)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }) {
		return "", false
	}
	return s, true
}

// readCSV reads comma-, semicolon- or tab-separated text.
func readCSV(text, sheet string, lim limits) (table, *Problem) {
	t := table{format: FormatCSV, sheet: sheet, maxRows: lim.rows}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = guessComma(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	// Excel numbers a CSV file's rows as records, a quoted line break
	// staying inside its cell, and counts the empty lines that the csv
	// package skips; num follows Excel.
	num, lines, offset := 0, 0, int64(0)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			return table{}, &Problem{Sheet: sheet, Row: num + 1, Key: "sheet.file.csv", Args: map[string]any{"line": line}}
		}
		start, _ := r.FieldPos(0)
		num += 1 + max(start-1-lines, 0)
		next := r.InputOffset()
		lines += strings.Count(text[offset:next], "\n")
		offset = next
		if !t.add(num, rec, lim) {
			break
		}
	}
	return t, nil
}

// add keeps a row unless it is empty; it says false once the rows are
// more than the limit (the header and a few title rows aside).
func (t *table) add(num int, cells []string, lim limits) bool {
	if len(cells) > maxCells {
		cells = cells[:maxCells]
	}
	if !strings.ContainsFunc(strings.Join(cells, ""), func(r rune) bool { return !isBlank(r) }) {
		return true
	}
	if len(t.rows) > lim.rows+headerSearch {
		t.tooMany = true
		return false
	}
	t.rows = append(t.rows, tableRow{num: num, cells: cells})
	return true
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\u3000' || r == '\u00a0' }

// guessComma picks the separator that the first lines use most.
func guessComma(text string) rune {
	head := text
	for i, n := 0, 0; i < len(text); i++ {
		if text[i] == '\n' {
			if n++; n == 5 {
				head = text[:i]
				break
			}
		}
	}
	comma := ','
	best := strings.Count(head, ",")
	for _, c := range []rune{'\t', ';'} {
		if n := strings.Count(head, string(c)); n > best {
			comma, best = c, n
		}
	}
	return comma
}

// readXLSX reads the first sheet of a workbook with raw cell values, so
// that dates arrive as Excel serial numbers whatever their display format.
func readXLSX(data []byte, lim limits) (table, *Problem) {
	fileProblem := func(key string, args ...any) (table, *Problem) {
		return table{}, &Problem{Key: key, Args: pairs(args)}
	}
	// Check the declared sizes before excelize inflates anything; Go's zip
	// reader refuses an entry that inflates to more than it declares.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fileProblem("sheet.file.broken")
	}
	if len(zr.File) > maxZipEntries {
		return fileProblem("sheet.file.unzip_limit", "max", lim.unzip>>20)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(lim.unzip) || total > uint64(lim.unzip) {
			return fileProblem("sheet.file.unzip_limit", "max", lim.unzip>>20)
		}
	}
	// Inflate each part once, within its declared size, before excelize
	// does: a part that lies about its size or fails its checksum is a
	// damaged file, which excelize would read as silently truncated.
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return fileProblem("sheet.file.broken")
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return fileProblem("sheet.file.broken")
		}
	}
	xmlLimit := min(lim.unzip, 16<<20)
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.unzip, UnzipXMLSizeLimit: xmlLimit})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return fileProblem("sheet.file.unzip_limit", "max", lim.unzip>>20)
		}
		return fileProblem("sheet.file.broken")
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return fileProblem("sheet.file.no_sheet")
	}
	t := table{format: FormatXLSX, sheet: sheets[0], maxRows: lim.rows}
	if props, err := x.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date1904 = *props.Date1904
	}
	rows, err := x.Rows(t.sheet)
	if err != nil {
		return fileProblem("sheet.file.broken")
	}
	defer rows.Close()
	for num := 1; rows.Next(); num++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return table{}, &Problem{Sheet: t.sheet, Row: num, Key: "sheet.file.broken"}
		}
		if !t.add(num, cells, lim) {
			break
		}
	}
	if err := rows.Error(); err != nil {
		return fileProblem("sheet.file.broken")
	}
	return t, nil
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
	s, _ := excelize.ColumnNumberToName(l.index[c] + 1)
	return s
}

// findLayout finds the header: the first row, among the first few, that
// names the code column. Unknown headers are ignored; a column named
// twice is a problem.
func findLayout(t table, fileName string) (layout, []Problem) {
	none := layout{}
	for c := range none.index {
		none.index[c] = -1
	}
	for i := 0; i < len(t.rows) && i < headerSearch; i++ {
		lay := none
		lay.header = i
		var probs []Problem
		for j, cell := range t.rows[i].cells {
			c, ok := matchHeader(cell)
			if !ok {
				continue
			}
			if lay.index[c] >= 0 {
				first, _ := excelize.ColumnNumberToName(lay.index[c] + 1)
				letter, _ := excelize.ColumnNumberToName(j + 1)
				probs = append(probs, Problem{Sheet: t.sheet, Row: t.rows[i].num, Column: letter, Header: c.header(),
					Value: cell, Key: "sheet.header.duplicate", Args: map[string]any{"other": first}})
				continue
			}
			lay.index[c] = j
		}
		if lay.has(colCode) {
			return lay, probs
		}
	}
	if t.format == FormatCSV && isXLSXName(fileName) {
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
		Value: value, Key: key, Args: pairs(args)}
}

// pairs turns "k", v, … into a map, as fault.Check does.
func pairs(args []any) map[string]any {
	if len(args) == 0 {
		return nil
	}
	m := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		k, _ := args[i].(string)
		m[k] = args[i+1]
	}
	return m
}
