package sheet

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// csvRows streams the records of comma-, semicolon- or tab-separated text.
type csvRows struct {
	text     *textReader
	counter  *countingReader
	r        *csv.Reader
	sheet    string
	name     string
	cols     int
	num      int // the last record's row number, as Excel shows it
	lastLine int // the physical line the last record ended on
}

func openCSV(src io.Reader, name, sheet string, lim Limits) *csvRows {
	counter := &countingReader{r: src}
	text := newTextReader(counter)
	buf := bufio.NewReaderSize(text, 64<<10)
	head, _ := buf.Peek(64 << 10)
	r := csv.NewReader(buf)
	r.Comma = guessComma(string(head))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	return &csvRows{text: text, counter: counter, r: r, sheet: sheet, name: name, cols: lim.Cols}
}

// next reads the next record. Excel numbers a CSV file's rows as records,
// a quoted line break staying inside its cell, and counts the empty lines
// that the csv package skips; Num follows Excel.
func (c *csvRows) next() (Row, *Problem, bool) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return Row{}, nil, false
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return Row{}, c.notText(), false
		}
		return Row{}, &Problem{Sheet: c.sheet, Row: c.num + 1, Key: "sheet.file.csv", Args: map[string]any{"line": pe.StartLine}}, false
	}
	start, _ := c.r.FieldPos(0)
	c.num += 1 + max(start-1-c.lastLine, 0)
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.lastLine = last + strings.Count(rec[len(rec)-1], "\n")
	for _, cell := range rec {
		if !textOK(cell, c.text.encoding) {
			return Row{}, c.notText(), false
		}
	}
	if len(rec) > c.cols {
		rec = rec[:c.cols]
	}
	return Row{Num: c.num, Cells: rec}, nil, true
}

// notText is the problem of a file that is not text in any encoding we
// read: named .xlsx, it was meant to be a workbook.
func (c *csvRows) notText() *Problem {
	if IsXLSXName(c.name) {
		return &Problem{Key: "sheet.file.not_xlsx"}
	}
	return &Problem{Key: "sheet.file.unreadable"}
}

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

// countingReader counts the bytes read, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
