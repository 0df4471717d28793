package sheet

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
)

// A workbook is read part by part with Go's zip reader, which refuses a
// part that inflates to more than it declares or fails its checksum, so
// the declared sizes, checked first, bound what reading costs. The
// worksheet is streamed; the shared strings and styles, which rows refer
// to, are held in memory.

// xlsxRows streams the rows of a workbook's first worksheet.
type xlsxRows struct {
	sheet    string
	date1904 bool
	sst      []string
	styles   []Kind // cell style index → what a number in that style is
	cols     int
	part     io.ReadCloser
	dec      *xml.Decoder
	lastRow  int // from the sheet's dimension, 0 if it has none
	prevRow  int
	done     bool
}

func openXLSX(r io.ReaderAt, size int64, lim Limits) (*xlsxRows, *Problem) {
	fileProblem := func(key string, args ...any) (*xlsxRows, *Problem) {
		return nil, &Problem{Key: key, Args: Args(args...)}
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fileProblem("sheet.file.broken")
	}
	if len(zr.File) > maxZipEntries {
		return fileProblem("sheet.file.unzip_limit", "max", lim.Unzip>>20)
	}
	var total uint64
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(lim.Unzip) || total > uint64(lim.Unzip) {
			return fileProblem("sheet.file.unzip_limit", "max", lim.Unzip>>20)
		}
		parts[strings.TrimPrefix(f.Name, "/")] = f
	}
	wbPath := "xl/workbook.xml"
	if rels, err := readRels(parts, "_rels/.rels", ""); err == nil {
		for _, rel := range rels {
			if strings.HasSuffix(rel.typ, "/officeDocument") {
				wbPath = rel.target
				break
			}
		}
	} else if !errors.Is(err, errNoPart) {
		return fileProblem("sheet.file.broken")
	}
	wb, err := readWorkbook(parts, wbPath)
	if errors.Is(err, errNoPart) {
		return fileProblem("sheet.file.broken")
	}
	if err != nil {
		return fileProblem("sheet.file.broken")
	}
	if len(wb.sheets) == 0 {
		return fileProblem("sheet.file.no_sheet")
	}
	dir := path.Dir(wbPath)
	rels, err := readRels(parts, path.Join(dir, "_rels", path.Base(wbPath)+".rels"), dir)
	if err != nil && !errors.Is(err, errNoPart) {
		return fileProblem("sheet.file.broken")
	}
	first := wb.sheets[0]
	sheetPath, stylesPath, sstPath := "", path.Join(dir, "styles.xml"), path.Join(dir, "sharedStrings.xml")
	for _, rel := range rels {
		switch {
		case rel.id == first.rid:
			sheetPath = rel.target
		case strings.HasSuffix(rel.typ, "/styles"):
			stylesPath = rel.target
		case strings.HasSuffix(rel.typ, "/sharedStrings"):
			sstPath = rel.target
		}
	}
	if sheetPath == "" {
		sheetPath = path.Join(dir, "worksheets", "sheet1.xml")
	}
	x := &xlsxRows{sheet: first.name, date1904: wb.date1904, cols: lim.Cols}
	if x.styles, err = readStyles(parts, stylesPath); err != nil && !errors.Is(err, errNoPart) {
		return fileProblem("sheet.file.broken")
	}
	if x.sst, err = readSharedStrings(parts, sstPath); err != nil && !errors.Is(err, errNoPart) {
		return fileProblem("sheet.file.broken")
	}
	f, ok := parts[sheetPath]
	if !ok {
		return fileProblem("sheet.file.broken")
	}
	if x.part, err = f.Open(); err != nil {
		return fileProblem("sheet.file.broken")
	}
	x.dec = xml.NewDecoder(x.part)
	return x, nil
}

func (x *xlsxRows) close() error {
	if x.part != nil {
		return x.part.Close()
	}
	return nil
}

var errNoPart = errors.New("no such part")

// openPart returns a decoder of a part of the package.
func openPart(parts map[string]*zip.File, name string) (*xml.Decoder, io.Closer, error) {
	f, ok := parts[name]
	if !ok {
		return nil, nil, errNoPart
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, err
	}
	return xml.NewDecoder(rc), rc, nil
}

type rel struct{ id, typ, target string }

// readRels reads a relationships part; targets are resolved against dir.
func readRels(parts map[string]*zip.File, name, dir string) ([]rel, error) {
	dec, c, err := openPart(parts, name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var out []rel
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r rel
		mode := ""
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			case "TargetMode":
				mode = a.Value
			}
		}
		if mode == "External" {
			continue
		}
		if strings.HasPrefix(r.target, "/") {
			r.target = strings.TrimPrefix(r.target, "/")
		} else {
			r.target = path.Join(dir, r.target)
		}
		out = append(out, r)
	}
}

type workbookSheet struct{ name, rid string }

type workbook struct {
	sheets   []workbookSheet
	date1904 bool
}

func readWorkbook(parts map[string]*zip.File, name string) (workbook, error) {
	var wb workbook
	dec, c, err := openPart(parts, name)
	if err != nil {
		return wb, err
	}
	defer c.Close()
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return wb, nil
		}
		if err != nil {
			return wb, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					wb.date1904 = a.Value == "1" || a.Value == "true"
				}
			}
		case "sheet":
			var s workbookSheet
			for _, a := range se.Attr {
				switch {
				case a.Name.Local == "name":
					s.name = a.Value
				case a.Name.Local == "id" && a.Name.Space != "":
					s.rid = a.Value
				}
			}
			wb.sheets = append(wb.sheets, s)
		}
	}
}

// readStyles reads which cell styles show numbers as dates or percentages.
func readStyles(parts map[string]*zip.File, name string) ([]Kind, error) {
	dec, c, err := openPart(parts, name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	custom := map[int]string{}
	var xfs []int
	inXfs := false
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				id, code := -1, ""
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "numFmtId":
						id, _ = strconv.Atoi(a.Value)
					case "formatCode":
						code = a.Value
					}
				}
				custom[id] = code
			case "cellXfs":
				inXfs = true
			case "xf":
				if inXfs {
					id := 0
					for _, a := range t.Attr {
						if a.Name.Local == "numFmtId" {
							id, _ = strconv.Atoi(a.Value)
						}
					}
					xfs = append(xfs, id)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
	}
	out := make([]Kind, len(xfs))
	for i, id := range xfs {
		out[i] = numFmtKind(id, custom[id])
	}
	return out, nil
}

// numFmtKind classifies a number format: Excel's built-in date and time
// formats and percentages by id, custom ones by their code.
func numFmtKind(id int, code string) Kind {
	switch {
	case id == 9 || id == 10:
		return KindPercent
	case id >= 14 && id <= 22, id >= 27 && id <= 36, id >= 45 && id <= 47, id >= 50 && id <= 58, id >= 71 && id <= 81:
		return KindDate
	case code == "":
		return KindNumber
	}
	// Look at the code outside quoted text, escapes and [colour] or
	// [$-locale] brackets, and only at its first section (for positive
	// numbers).
	quoted, bracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case quoted:
			quoted = c != '"'
		case bracket:
			bracket = c != ']'
		case c == '"':
			quoted = true
		case c == '[':
			// [h], [mm], [ss] are elapsed times
			if j := strings.IndexByte(code[i:], ']'); j > 1 && strings.Trim(strings.ToLower(code[i+1:i+j]), "hms") == "" {
				return KindDate
			}
			bracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == ';':
			return KindNumber
		case c == '%':
			return KindPercent
		case isGeneral(code, i):
			i += 6
		case (c == 'e' || c == 'E') && i+1 < len(code) && (code[i+1] == '+' || code[i+1] == '-'):
			i++ // scientific: 0.00E+00
		case strings.IndexByte("yYmMdDhHsSeE", c) >= 0:
			return KindDate
		}
	}
	return KindNumber
}

// isGeneral says whether code at i starts the word General, which holds
// the letters of dates without being one.
func isGeneral(code string, i int) bool {
	return len(code) >= i+7 && strings.EqualFold(code[i:i+7], "general")
}

// readSharedStrings reads the workbook's table of strings.
func readSharedStrings(parts map[string]*zip.File, name string) ([]string, error) {
	dec, c, err := openPart(parts, name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var out []string
	var b strings.Builder
	inSI, phonetic, inT := false, 0, false
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "rPh":
				phonetic++
			case "t":
				inT = inSI && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				out = append(out, unescapeOOXML(b.String()))
			case "rPh":
				phonetic--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	}
}

// unescapeOOXML decodes the _xHHHH_ escapes Excel writes for characters
// XML cannot hold; _x005F_ escapes an underscore.
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && i+6 < len(s) && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 6
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
