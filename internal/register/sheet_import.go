package register

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"kexie/internal/fault"
	"kexie/internal/sheet"
	"kexie/internal/unit"
)

// Limits of a register import.
const (
	// MaxImportRows bounds the data rows of one file.
	MaxImportRows = 1_000_000
	// MaxImportBytes bounds a file read from disk; uploads are bounded
	// by the server before they get here.
	MaxImportBytes = 1 << 30
	// MaxImportUnzip bounds a workbook's uncompressed size; a smaller
	// file is allowed 25 times its size, and at least minImportUnzip.
	MaxImportUnzip = 1 << 30
	minImportUnzip = 128 << 20
	// checkBatch is how many rows are looked up and checked together:
	// the more, the more keys of a unit one query finds.
	checkBatch = 2000
	// writeChunk is how many rows are written together.
	writeChunk = 1000
	// headerSearch is how many non-empty rows may stand above the header.
	headerSearch = 10
)

// ImportOptions tune an import; the zero value is a real import of the
// caller's whole entry scope within the default limits.
type ImportOptions struct {
	// DryRun checks and counts everything, then writes nothing.
	DryRun bool
	// FileName is the uploaded file's name: the audit entry's, and the
	// sheet's name of a CSV file.
	FileName string
	// Unit narrows the import to this unit's subtree within the caller's
	// entry scope: rows for other units are problems.
	Unit string
	// MaxRows, MaxBytes and MaxUnzip bound the file (defaults
	// MaxImportRows, MaxImportBytes, MaxImportUnzip).
	MaxRows  int
	MaxBytes int64
	MaxUnzip int64
	// SpoolDir holds the checked rows between the two passes (default:
	// the system's temporary directory).
	SpoolDir string
	// Progress, when set, is told now and then how far the import is.
	Progress func(ImportProgress)
}

// Phases of an import.
const (
	PhaseChecking = "checking"
	PhaseWriting  = "writing"
)

// ImportProgress says how far an import is: rows done of the total (an
// estimate while a CSV file is being checked).
type ImportProgress struct {
	Phase string
	Done  int
	Total int
}

// ImportResult says what an import did, or would do in a dry run.
type ImportResult struct {
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Rows      int    `json:"rows"`
	DryRun    bool   `json:"dry_run"`
	Format    string `json:"format"`
	Sheet     string `json:"sheet"`
	SHA256    string `json:"sha256"`
}

// Import reads records of register code from an XLSX workbook or a CSV
// file of size bytes (the columns of Export, headers in either language,
// in any order) and creates or updates them, all or nothing.
//
// A first pass streams the file and checks every row as the API checks a
// record — the unit within the caller's entry scope, every value, the
// rules, duplicates of a key within the file — and compares it with the
// stored record of the same unit and natural key: the same values are
// unchanged, a submitted or approved record may not change. Any problem
// refuses the whole file with a *sheet.Refused listing each one at its
// cell, and nothing is written. Otherwise the rows to write wait in a
// spool file, and a second pass writes them in one transaction through
// the service's own create and update, so that every record is
// validated, audited and observed as an API write is; one "import" entry
// records the file. Memory stays bounded whatever the number of rows.
func (s *Service) Import(ctx context.Context, acc Access, code string, src io.ReaderAt, size int64, opts ImportOptions) (ImportResult, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = MaxImportRows
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = MaxImportBytes
	}
	if opts.MaxUnzip <= 0 {
		// a workbook's XML is some ten times its zipped size; a zip bomb's
		// a thousand times
		opts.MaxUnzip = min(max(25*size, minImportUnzip), MaxImportUnzip)
	}
	res := ImportResult{DryRun: opts.DryRun}
	reg, err := s.Get(ctx, code)
	if err != nil {
		return res, err
	}
	scope, scopeUnit, err := s.importScope(ctx, acc, opts.Unit)
	if err != nil {
		return res, err
	}
	if size <= opts.MaxBytes {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(src, 0, size)); err != nil {
			return res, fmt.Errorf("read import file: %w", err)
		}
		res.SHA256 = hex.EncodeToString(h.Sum(nil))
	}
	rd, p := sheet.Open(src, size, opts.FileName, sheet.Limits{Bytes: opts.MaxBytes, Unzip: opts.MaxUnzip, Cols: MaxFields + 16})
	if p != nil {
		return res, &sheet.Refused{Problems: []sheet.Problem{*p}}
	}
	defer rd.Close()
	im := &importer{s: s, reg: reg, acc: acc, scope: scope, opts: opts, rd: rd, cols: regColumns(reg),
		format: rd.Format(), sheetName: rd.Sheet(), date1904: rd.Date1904(),
		units: map[string]unitRef{}, unitsByID: map[int64]unit.Unit{}, keys: map[[16]byte]int32{},
		uniques: map[string]map[[16]byte]int32{}, reported: map[string]bool{}}
	res.Format, res.Sheet = im.format, im.sheetName
	im.fieldCol = map[string]int{}
	for i, c := range im.cols {
		if c.kind == colField {
			im.fieldCol[c.field.Code] = i
		}
	}
	spool, err := newSpool(opts.SpoolDir)
	if err != nil {
		return res, err
	}
	defer spool.remove()
	im.spool = spool
	if im.empty, err = s.registerEmpty(ctx, reg); err != nil {
		return res, err
	}
	if err := im.check(ctx); err != nil {
		return res, err
	}
	res.Rows, res.Created, res.Updated, res.Unchanged = im.rows, im.created, im.updated, im.unchanged
	if probs := im.probs.list(); len(probs) > 0 {
		return res, &sheet.Refused{Problems: probs, Format: im.format}
	}
	if opts.DryRun {
		return res, nil
	}
	// what the check kept of every row is not needed to write
	im.keys, im.uniques, im.units, im.batch = nil, nil, nil, nil
	if err := im.write(ctx, scopeUnit, res); err != nil {
		return ImportResult{DryRun: opts.DryRun, Format: res.Format, Sheet: res.Sheet, SHA256: res.SHA256}, err
	}
	return res, nil
}

// importScope is where an import may enter records: the caller's entry
// scope, narrowed to the subtree of code when given, and that unit.
func (s *Service) importScope(ctx context.Context, acc Access, code string) (unit.Scope, *unit.Unit, error) {
	if strings.TrimSpace(code) == "" {
		return acc.Enter, nil, nil
	}
	u, err := s.units.Get(ctx, acc.Enter, strings.TrimSpace(code))
	if errors.Is(err, fault.ErrNotFound) {
		return unit.Scope{}, nil, fault.InvalidField("unit", "regsheet.unit.unknown", "code", code)
	}
	if err != nil {
		return unit.Scope{}, nil, err
	}
	return unit.Subtrees(u.Path), &u, nil
}

// importer is the state of one import.
type importer struct {
	s         *Service
	reg       *Register
	acc       Access
	scope     unit.Scope
	opts      ImportOptions
	rd        *sheet.Reader
	cols      []sheetCol
	fieldCol  map[string]int // field code → column index
	lay       sheet.Layout
	headerRow int
	format    string
	sheetName string
	date1904  bool

	probs     problemList
	units     map[string]unitRef // unit code → what it resolves to
	unitsByID map[int64]unit.Unit
	keys      map[[16]byte]int32            // hash of unit and natural key → first row
	uniques   map[string]map[[16]byte]int32 // unique field → hash of value → first row
	reported  map[string]bool               // file-level problems said once
	batch     []*pending
	spool     *spool
	stmts     statements // the write's prepared statements

	rows, created, updated, unchanged int
	// read and total are how many rows the reader had read, and its
	// estimate of all, as of the last chunk
	read, total int
	// empty says the register held no record when the check began, so
	// that a first import looks nothing up; a record written meanwhile
	// makes the write refuse its row as a duplicate
	empty bool
}

// unitRef is a unit code of the file as resolved: the unit, or why it
// cannot take records.
type unitRef struct {
	u    unit.Unit
	key  string
	args []any
}

// pending is a data row checked cell by cell, waiting for its batch.
type pending struct {
	num  int
	raw  []string       // each column's cell as the file holds it, by column index
	bad  []bool         // the column has a problem already
	unit unit.Unit      // resolved, when ok.unit
	in   map[string]any // field code → text to parse (nil: the cell is empty)
	nkey string         // the natural key, when ok.key
	ok   rowOK
}

// rowOK says what of a row reads: its unit, its natural key, and
// whether that key is fresh (no earlier row of the file has it).
type rowOK struct{ unit, key, fresh bool }

// check is the first pass: it reads and checks every row, spooling those
// to write.
func (im *importer) check(ctx context.Context) error {
	var head []sheet.Row
	for len(head) < headerSearch && im.rd.Next() {
		if row := im.rd.Row(); !row.Blank() {
			head = append(head, row)
		}
	}
	if p := im.rd.Problem(); p != nil {
		return &sheet.Refused{Problems: []sheet.Problem{*p}}
	}
	headers := regHeaders(im.cols)
	lay, probs, ok := sheet.FindLayout(im.sheetName, head, headers, len(im.cols), idxUnit, func(c int) string { return im.cols[c].header() })
	if !ok {
		switch {
		case im.format == sheet.FormatCSV && sheet.IsXLSXName(im.opts.FileName):
			probs = []sheet.Problem{{Key: "sheet.file.not_xlsx"}}
		case len(head) == 0:
			probs = []sheet.Problem{{Sheet: im.sheetName, Key: "sheet.rows.none"}}
		default:
			probs = []sheet.Problem{{Sheet: im.sheetName, Row: head[0].Num, Key: "sheet.header.missing",
				Args: map[string]any{"header": im.cols[idxUnit].header()}}}
		}
		return &sheet.Refused{Problems: probs, Format: im.format}
	}
	im.lay, im.headerRow = lay, head[lay.Header].Num
	for _, p := range probs {
		im.probs.add(p)
	}
	for _, k := range im.reg.Schema.NaturalKey {
		if c := im.fieldCol[k]; !lay.Has(c) {
			im.probs.add(sheet.Problem{Sheet: im.sheetName, Row: im.headerRow, Field: k,
				Key: "regsheet.column.key", Args: map[string]any{"header": im.cols[c].header()}})
		}
	}
	if !im.probs.empty() {
		return nil // without its key columns no row can be matched
	}
	for _, row := range head[lay.Header+1:] {
		if err := im.row(ctx, row); err != nil {
			return err
		}
	}
	// the file is read ahead in another goroutine, so that reading and
	// checking share the machine's cores
	chunks := make(chan rowChunk, 4)
	stop := make(chan struct{})
	go im.readAhead(chunks, stop)
	var err error
	for chunk := range chunks {
		for _, row := range chunk.rows {
			if err != nil || im.probs.full() || im.rows > im.opts.MaxRows {
				break
			}
			err = im.row(ctx, row)
		}
		im.read, im.total = chunk.done, chunk.total
		if err != nil || im.probs.full() || im.rows > im.opts.MaxRows {
			close(stop)
			for range chunks {
			}
			break
		}
	}
	if err != nil {
		return err
	}
	if p := im.rd.Problem(); p != nil {
		return &sheet.Refused{Problems: []sheet.Problem{*p}, Format: im.format}
	}
	if im.rows > im.opts.MaxRows {
		im.probs.add(sheet.Problem{Sheet: im.sheetName, Key: "sheet.rows.too_many", Args: map[string]any{"max": im.opts.MaxRows}})
		return nil
	}
	if err := im.flush(ctx); err != nil {
		return err
	}
	if im.rows == 0 && im.probs.empty() {
		im.probs.add(sheet.Problem{Sheet: im.sheetName, Key: "sheet.rows.none"})
	}
	im.progress(PhaseChecking, true)
	return im.spool.finish()
}

// progress tells the caller how far the check is, every few thousand
// rows or when final.
func (im *importer) progress(phase string, final bool) {
	if im.opts.Progress == nil || (!final && im.rows%2000 != 0) {
		return
	}
	// the rows read so far, header and empty rows included, estimate the
	// data rows to come
	total := im.rows
	if !final && im.read > 0 && im.total > im.read {
		total = int(float64(im.rows) * float64(im.total) / float64(im.read))
	}
	im.opts.Progress(ImportProgress{Phase: phase, Done: im.rows, Total: total})
}

// rowChunk is rows read ahead, and how far the reader was.
type rowChunk struct {
	rows        []sheet.Row
	done, total int
}

// readAhead reads the rest of the file into chunks until the end, a
// problem, or stop.
func (im *importer) readAhead(out chan<- rowChunk, stop <-chan struct{}) {
	defer close(out)
	const size = 256
	chunk := rowChunk{rows: make([]sheet.Row, 0, size)}
	send := func() bool {
		chunk.done, chunk.total = im.rd.Progress()
		select {
		case out <- chunk:
			chunk = rowChunk{rows: make([]sheet.Row, 0, size)}
			return true
		case <-stop:
			return false
		}
	}
	for im.rd.Next() {
		chunk.rows = append(chunk.rows, im.rd.Row())
		if len(chunk.rows) == size && !send() {
			return
		}
	}
	if len(chunk.rows) > 0 {
		send()
	}
}

// registerEmpty says whether a register holds no record at all.
func (s *Service) registerEmpty(ctx context.Context, reg *Register) (bool, error) {
	var n int
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+Table(reg.Code)+` LIMIT 1) t`).Scan(&n)
	return n == 0, err
}
