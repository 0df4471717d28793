package register

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Between the check and the write, the rows to write wait in a spool file
// of compact entries, so that memory does not grow with the file.

// Spooled actions.
const (
	actionCreate byte = 'c'
	actionUpdate byte = 'u'
)

// spoolEntry is one row to write: what to do, to which unit or record,
// and the text of each field the row gives (nil for an empty cell).
type spoolEntry struct {
	num      int
	action   byte
	unitID   int64
	recordID int64
	version  int
	in       map[string]any
}

type spool struct {
	f   *os.File
	w   *bufio.Writer
	n   int
	buf []byte
}

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, "kexie-import-*.spool")
	if err != nil {
		return nil, fmt.Errorf("import spool: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// remove deletes the spool file.
func (s *spool) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

func (s *spool) write(reg *Register, e spoolEntry) error {
	b := s.buf[:0]
	b = binary.AppendUvarint(b, uint64(e.num))
	b = append(b, e.action)
	b = binary.AppendVarint(b, e.unitID)
	b = binary.AppendVarint(b, e.recordID)
	b = binary.AppendVarint(b, int64(e.version))
	b = binary.AppendUvarint(b, uint64(len(e.in)))
	for i, f := range reg.Schema.Fields {
		v, ok := e.in[f.Code]
		if !ok {
			continue
		}
		b = binary.AppendUvarint(b, uint64(i))
		if v == nil {
			b = append(b, 0)
			continue
		}
		text := v.(string)
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(len(text)))
		b = append(b, text...)
	}
	s.buf = b
	s.n++
	_, err := s.w.Write(b)
	return err
}

// finish flushes what is written.
func (s *spool) finish() error { return s.w.Flush() }

// spoolReader reads a finished spool back.
type spoolReader struct {
	r   *bufio.Reader
	reg *Register
}

func (s *spool) reader(reg *Register) (*spoolReader, error) {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return &spoolReader{r: bufio.NewReaderSize(s.f, 256<<10), reg: reg}, nil
}

var errSpool = errors.New("import spool: damaged")

// next reads the next entry; false at the end.
func (r *spoolReader) next() (spoolEntry, bool, error) {
	num, err := binary.ReadUvarint(r.r)
	if errors.Is(err, io.EOF) {
		return spoolEntry{}, false, nil
	}
	if err != nil {
		return spoolEntry{}, false, err
	}
	e := spoolEntry{num: int(num)}
	if e.action, err = r.r.ReadByte(); err != nil {
		return e, false, errSpool
	}
	var v int64
	if e.unitID, err = binary.ReadVarint(r.r); err != nil {
		return e, false, errSpool
	}
	if e.recordID, err = binary.ReadVarint(r.r); err != nil {
		return e, false, errSpool
	}
	if v, err = binary.ReadVarint(r.r); err != nil {
		return e, false, errSpool
	}
	e.version = int(v)
	n, err := binary.ReadUvarint(r.r)
	if err != nil || n > uint64(len(r.reg.Schema.Fields)) {
		return e, false, errSpool
	}
	e.in = make(map[string]any, n)
	for range n {
		i, err := binary.ReadUvarint(r.r)
		if err != nil || i >= uint64(len(r.reg.Schema.Fields)) {
			return e, false, errSpool
		}
		code := r.reg.Schema.Fields[i].Code
		set, err := r.r.ReadByte()
		if err != nil {
			return e, false, errSpool
		}
		if set == 0 {
			e.in[code] = nil
			continue
		}
		l, err := binary.ReadUvarint(r.r)
		if err != nil || l > 1<<24 {
			return e, false, errSpool
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(r.r, b); err != nil {
			return e, false, errSpool
		}
		e.in[code] = string(b)
	}
	return e, true, nil
}
