package sheet

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// cellState is the cell being read.
type cellState struct {
	col      int
	typ      string // the t attribute
	style    int
	formula  bool
	hasValue bool
	value    strings.Builder
	inline   strings.Builder
	inValue  bool
	inInline bool // inside <is>
	inText   bool // inside a <t> of <is>
	phonetic int
}

// next reads the next <row> of the worksheet.
func (x *xlsxRows) next() (Row, *Problem, bool) {
	if x.done {
		return Row{}, nil, false
	}
	broken := func() (Row, *Problem, bool) {
		x.done = true
		return Row{}, &Problem{Sheet: x.sheet, Row: x.prevRow + 1, Key: "sheet.file.broken"}, false
	}
	var (
		row    Row
		inRow  bool
		c      cellState
		inCell bool
		prevC  = -1
	)
	for {
		tok, err := x.dec.RawToken()
		if errors.Is(err, io.EOF) {
			x.done = true
			if inRow {
				return broken()
			}
			return Row{}, nil, false
		}
		if err != nil {
			x.done = true
			if x.prevRow == 0 && !inRow {
				return Row{}, &Problem{Key: "sheet.file.broken"}, false
			}
			return broken()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "dimension":
				if !inRow {
					x.lastRow = dimensionRows(attr(t, "ref"))
				}
			case "row":
				if inRow {
					return broken()
				}
				inRow = true
				num := x.prevRow + 1
				if s := attr(t, "r"); s != "" {
					n, err := strconv.Atoi(s)
					if err != nil || n <= x.prevRow || n > 1<<20 {
						return broken()
					}
					num = n
				}
				row = Row{Num: num}
				prevC = -1
			case "c":
				if !inRow || inCell {
					return broken()
				}
				inCell = true
				c.reset()
				c.col = prevC + 1
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						col, n := splitRef(a.Value)
						if col < 0 || (n != 0 && n != row.Num) {
							return broken()
						}
						c.col = col
					case "t":
						c.typ = a.Value
					case "s":
						c.style, _ = strconv.Atoi(a.Value)
					}
				}
				if c.col <= prevC {
					return broken()
				}
				prevC = c.col
			case "f":
				if inCell {
					c.formula = true
				}
			case "v":
				if inCell {
					c.inValue, c.hasValue = true, true
				}
			case "is":
				if inCell {
					c.inInline = true
				}
			case "rPh":
				c.phonetic++
			case "t":
				if c.inInline && c.phonetic == 0 {
					c.inText = true
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				c.inValue = false
			case "t":
				c.inText = false
			case "rPh":
				c.phonetic--
			case "is":
				c.inInline = false
			case "c":
				if !inCell {
					return broken()
				}
				inCell = false
				if c.col >= x.cols {
					continue
				}
				text, kind, ok := x.cellValue(&c)
				if !ok {
					return broken()
				}
				if text == "" && kind == KindText {
					continue
				}
				for len(row.Cells) <= c.col {
					row.Cells = append(row.Cells, "")
					row.Kinds = append(row.Kinds, KindText)
				}
				row.Cells[c.col], row.Kinds[c.col] = text, kind
			case "row":
				if !inRow || inCell {
					return broken()
				}
				x.prevRow = row.Num
				return row, nil, true
			case "sheetData":
				x.done = true
				if inRow {
					return broken()
				}
				return Row{}, nil, false
			}
		case xml.CharData:
			switch {
			case c.inValue:
				c.value.Write(t)
			case c.inText:
				c.inline.Write(t)
			}
		}
	}
}

func (c *cellState) reset() {
	c.typ, c.style, c.formula, c.hasValue = "", 0, false, false
	c.value.Reset()
	c.inline.Reset()
	c.inValue, c.inInline, c.inText, c.phonetic = false, false, false, 0
}

// cellValue is a cell's text as stored and its kind; false when the cell
// points at a shared string that does not exist.
func (x *xlsxRows) cellValue(c *cellState) (string, Kind, bool) {
	v := c.value.String()
	if c.formula && !c.hasValue && c.typ != "inlineStr" {
		return "", KindNoValue, true
	}
	switch c.typ {
	case "s":
		if !c.hasValue {
			return "", KindText, true
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(x.sst) {
			return "", KindText, false
		}
		return x.sst[i], KindText, true
	case "inlineStr":
		if c.inline.Len() == 0 && c.hasValue {
			return v, KindText, true
		}
		return unescapeOOXML(c.inline.String()), KindText, true
	case "str":
		return v, KindText, true
	case "b":
		return v, KindBool, true
	case "e":
		return v, KindError, true
	case "d":
		if serial, ok := isoSerial(v, x.date1904); ok {
			return serial, KindDate, true
		}
		return v, KindText, true
	}
	if v == "" {
		return "", KindText, true
	}
	kind := KindNumber
	if c.style >= 0 && c.style < len(x.styles) {
		kind = x.styles[c.style]
	}
	return v, kind, true
}

// attr returns the attribute name of an element, "" when absent.
func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// splitRef splits a cell reference "AB12" into the column index and the
// row number; -1 for the column when it is none.
func splitRef(ref string) (int, int) {
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		i++
	}
	col := ColumnIndex(ref[:i])
	if i == len(ref) {
		return col, 0
	}
	n, err := strconv.Atoi(ref[i:])
	if err != nil || n <= 0 {
		return -1, 0
	}
	return col, n
}

// dimensionRows is the last row of a dimension such as "A1:L100001".
func dimensionRows(ref string) int {
	_, last, _ := strings.Cut(ref, ":")
	if last == "" {
		last = ref
	}
	_, n := splitRef(last)
	return n
}

// isoSerial turns an ISO 8601 date cell (t="d") into Excel's serial number.
func isoSerial(v string, date1904 bool) (string, bool) {
	v = strings.TrimSuffix(strings.ReplaceAll(v, ",", "."), "Z")
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		if date1904 {
			base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		days := t.Sub(base).Hours() / 24
		if days < 1 || days > 2958466 {
			return "", false
		}
		return strconv.FormatFloat(math.Round(days*1e9)/1e9, 'f', -1, 64), true
	}
	return "", false
}
