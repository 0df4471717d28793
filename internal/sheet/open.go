package sheet

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
)

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Reader streams the rows of the first sheet of a workbook, or of a CSV
// file, holding one row at a time.
type Reader struct {
	format   string
	sheet    string
	date1904 bool
	size     int64
	csv      *csvRows
	xlsx     *xlsxRows
	row      Row
	prob     *Problem
	rows     int
}

// Open reads the start of a file of size bytes and returns a Reader of
// its rows, telling a workbook from a CSV file by its content, not its
// name. The problem, if any, concerns the whole file.
func Open(r io.ReaderAt, size int64, name string, lim Limits) (*Reader, *Problem) {
	lim = lim.withDefaults()
	fileProblem := func(key string, args ...any) (*Reader, *Problem) {
		return nil, &Problem{Key: key, Args: Args(args...)}
	}
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case size <= 0:
		return fileProblem("sheet.file.empty")
	case size > lim.Bytes:
		return fileProblem("sheet.file.too_large", "max", lim.Bytes>>20)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		x, p := openXLSX(r, size, lim)
		if p != nil {
			return nil, p
		}
		return &Reader{format: FormatXLSX, sheet: x.sheet, date1904: x.date1904, size: size, xlsx: x}, nil
	case bytes.Equal(head, oleMagic):
		return fileProblem("sheet.file.xls")
	}
	sheet := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if sheet == "" || sheet == "." || sheet == "/" {
		sheet = "Sheet1"
	}
	c := openCSV(io.NewSectionReader(r, 0, size), name, sheet, lim)
	return &Reader{format: FormatCSV, sheet: sheet, size: size, csv: c}, nil
}

// Format is FormatXLSX or FormatCSV.
func (r *Reader) Format() string { return r.format }

// Sheet is the name of the sheet read: a workbook's first sheet, or a CSV
// file's name without its extension, as Excel names it.
func (r *Reader) Sheet() string { return r.sheet }

// Date1904 says whether the workbook counts serial dates from 1904.
func (r *Reader) Date1904() bool { return r.date1904 }

// Next reads the next row present in the file; false at the end or at a
// problem (see Problem).
func (r *Reader) Next() bool {
	if r.prob != nil {
		return false
	}
	var (
		row  Row
		prob *Problem
		ok   bool
	)
	if r.csv != nil {
		row, prob, ok = r.csv.next()
	} else {
		row, prob, ok = r.xlsx.next()
	}
	if prob != nil {
		r.prob = prob
		return false
	}
	if ok {
		r.row = row
		r.rows++
	}
	return ok
}

// Row is the row Next read.
func (r *Reader) Row() Row { return r.row }

// Problem is what stopped Next before the end of the file, nil when it
// reached the end.
func (r *Reader) Problem() *Problem { return r.prob }

// Progress says how many rows were read and, as far as it can be known
// before the end, how many the sheet holds: a workbook says, and a CSV
// file's total is estimated from the bytes read so far.
func (r *Reader) Progress() (done, total int) {
	if r.xlsx != nil {
		return r.rows, max(r.xlsx.lastRow, r.rows)
	}
	read := r.csv.counter.n
	if read <= 0 || r.rows == 0 {
		return r.rows, 0
	}
	if read >= r.size {
		return r.rows, r.rows
	}
	return r.rows, max(int(float64(r.rows)*float64(r.size)/float64(read)), r.rows)
}

// Close releases the file's parts.
func (r *Reader) Close() error {
	if r.xlsx != nil {
		return r.xlsx.close()
	}
	return nil
}
