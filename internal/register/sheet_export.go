package register

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// Export formats.
const (
	ExportXLSX = "xlsx"
	ExportCSV  = "csv"
)

// Template writes the workbook to fill in for register code: the data
// sheet's headers, formats and drop-down lists, and the instructions, no
// records.
func (s *Service) Template(ctx context.Context, code string, w io.Writer, lang string) error {
	reg, err := s.Get(ctx, code)
	if err != nil {
		return err
	}
	b, err := newRegBook(reg, lang)
	if err != nil {
		return err
	}
	defer b.x.Close()
	return b.finish(w)
}

// ExportOptions say how records are written.
type ExportOptions struct {
	Format string // ExportXLSX (the default) or ExportCSV
	Lang   string // of labels, options and sheet names
	// Fields, when given, are the only fields written, with the natural
	// key's always, so that the file still imports.
	Fields []string
}

// Export writes the records of register code within acc.Read that match
// f (every page of them, in f's order) as an XLSX workbook or a UTF-8
// CSV file that Import reads back unchanged. Sensitive values are in
// clear for records the caller may enter or approve (whoever may reveal
// them), masked for the others; an export showing them is audited. It
// returns how many records it wrote.
func (s *Service) Export(ctx context.Context, acc Access, code string, f Filter, opts ExportOptions, w io.Writer) (int, error) {
	format, lang := opts.Format, opts.Lang
	if format == "" {
		format = ExportXLSX
	}
	if format != ExportXLSX && format != ExportCSV {
		return 0, fault.InvalidField("format", "error.option", "value", format)
	}
	reg, page, err := s.ListRecords(ctx, acc.Read, code, Filter{Under: f.Under, Period: f.Period, Status: f.Status, Q: f.Q, Conds: f.Conds, Sort: f.Sort, PerPage: 1})
	if err != nil {
		return 0, err
	}
	reg, err = narrowed(reg, opts.Fields)
	if err != nil {
		return 0, err
	}
	reveal := acc.Enter.Union(acc.Approve)
	var clear []string
	for _, fd := range reg.Schema.Fields {
		if fd.Sensitive && !reveal.Empty() {
			clear = append(clear, fd.Code)
		}
	}
	// an export that shows sensitive values in clear is audited, as a
	// reveal is, before the first of them is written
	if len(clear) > 0 && page.Total > 0 {
		if err := s.db.WithTx(ctx, func(ctx context.Context) error {
			return s.audit.Record(ctx, audit.Change{Action: "export", Entity: "register_sheet", EntityID: reg.Code,
				UnitPath: s.scopePath(ctx, acc.Read, f.Under), After: map[string]any{"register": reg.Code, "format": format, "records": page.Total,
					"unit": f.Under, "period": f.Period, "status": f.Status, "q": f.Q, "conditions": len(f.Conds), "sensitive_in_clear": clear}})
		}); err != nil {
			return 0, err
		}
	}
	names := map[int64]string{}
	unitName := func(r *Record) string {
		if n, ok := names[r.UnitID]; ok {
			return n
		}
		n := ""
		if u, err := s.units.Get(ctx, unit.Everything(), r.Unit); err == nil {
			n = u.Name(lang)
		}
		if len(names) < 100_000 {
			names[r.UnitID] = n
		}
		return n
	}
	cols := regColumns(reg)
	order := exportOrder(cols)
	// text is what a column shows that is not a field's value: the unit,
	// the status, a masked value
	text := func(r *Record, c sheetCol) (string, bool) {
		switch c.kind {
		case colUnit:
			return r.Unit, true
		case colUnitName:
			return unitName(r), true
		case colStatus:
			return statusLabel(r.Status, lang), true
		}
		v := r.Values[c.field.Code]
		if c.field.Sensitive && v != nil && !reveal.Contains(r.UnitPath) {
			return Mask(c.field.Format(v, "")), true
		}
		return "", false
	}
	n := 0
	if format == ExportCSV {
		bw := bufio.NewWriterSize(w, 64<<10)
		if _, err := bw.WriteString("\xEF\xBB\xBF"); err != nil { // so Excel reads it as UTF-8
			return 0, err
		}
		cw := csv.NewWriter(bw)
		cw.UseCRLF = true
		head := make([]string, len(order))
		for i, c := range order {
			head[i] = cols[c].written()
		}
		if err := cw.Write(head); err != nil {
			return 0, err
		}
		line := make([]string, len(order))
		err := s.EachRecord(ctx, acc.Read, code, f, func(_ *Register, r *Record) error {
			for i, ci := range order {
				c := cols[ci]
				t, ok := text(r, c)
				if !ok {
					t = cellText(c.field, r.Values[c.field.Code], lang)
				}
				line[i] = csvSafe(t)
			}
			n++
			return cw.Write(line)
		})
		if err != nil {
			return n, err
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
		return n, bw.Flush()
	}
	b, err := newRegBook(reg, lang)
	if err != nil {
		return 0, err
	}
	defer b.x.Close()
	// records are read and turned into cells in one goroutine while
	// another writes them, so that the two share the machine's cores
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan [][]any, 4)
	var readErr error
	go func() {
		defer close(chunks)
		const size = 256
		chunk := make([][]any, 0, size)
		readErr = s.EachRecord(ctx, acc.Read, code, f, func(_ *Register, r *Record) error {
			row := make([]any, len(order))
			for i, ci := range order {
				c := cols[ci]
				if t, ok := text(r, c); ok {
					row[i] = b.cell(i, t)
				} else {
					row[i] = b.cell(i, cellValue(c.field, r.Values[c.field.Code], lang))
				}
			}
			if chunk = append(chunk, row); len(chunk) == size {
				select {
				case chunks <- chunk:
				case <-ctx.Done():
					return ctx.Err()
				}
				chunk = make([][]any, 0, size)
			}
			return nil
		})
		if readErr == nil && len(chunk) > 0 {
			chunks <- chunk
		}
	}()
	var writeErr error
	for chunk := range chunks {
		for _, row := range chunk {
			if writeErr == nil {
				writeErr = b.row(row)
				n++
			}
		}
		if writeErr != nil {
			cancel()
		}
	}
	if writeErr != nil {
		return n, writeErr
	}
	if readErr != nil {
		return n, readErr
	}
	return n, b.finish(w)
}

// narrowed is reg with only the given fields and its key's, in the order
// of the schema; reg itself when none are given.
func narrowed(reg *Register, fields []string) (*Register, error) {
	if len(fields) == 0 {
		return reg, nil
	}
	for _, code := range fields {
		if _, ok := reg.Schema.Field(code); !ok {
			return nil, fault.InvalidField("columns", "register.filter.field", "value", code)
		}
	}
	out := *reg
	out.Schema.Fields = nil
	for _, f := range reg.Schema.Fields {
		if slices.Contains(fields, f.Code) || slices.Contains(reg.Schema.NaturalKey, f.Code) {
			out.Schema.Fields = append(out.Schema.Fields, f)
		}
	}
	return &out, nil
}

// scopePath places an export's audit entry: at the unit filtered on, or
// at the caller's one subtree.
func (s *Service) scopePath(ctx context.Context, read unit.Scope, under string) string {
	if under != "" {
		if u, err := s.units.Get(ctx, read, under); err == nil {
			return u.Path
		}
	}
	if roots := read.Roots(); len(roots) == 1 {
		return roots[0]
	}
	return ""
}

// regBook is a register's workbook being written: the data sheet streamed
// row by row, then the instructions and the lists of options.
type regBook struct {
	x      *excelize.File
	sw     *excelize.StreamWriter
	reg    *Register
	cols   []sheetCol
	order  []int
	lang   string
	data   string
	styles []int // the cell style of each written column
	next   int   // the next row to write
}

// Sheet names of a register's workbook besides its data sheet.
const (
	regInstructions = "说明 Instructions"
	regOptions      = "选项 Options"
)

// sheetName makes a register's name a valid sheet name.
func sheetName(reg *Register, lang string) string {
	name := reg.Schema.NameZH
	if lang == "en" && reg.Schema.NameEN != "" {
		name = reg.Schema.NameEN
	}
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" || name == regInstructions || name == regOptions {
		name = reg.Code
	}
	return name
}

func newRegBook(reg *Register, lang string) (*regBook, error) {
	cols := regColumns(reg)
	b := &regBook{x: excelize.NewFile(), reg: reg, cols: cols, order: exportOrder(cols), lang: lang, data: sheetName(reg, lang), next: 2}
	fail := func(err error) (*regBook, error) {
		b.x.Close()
		return nil, fmt.Errorf("register workbook: %w", err)
	}
	if err := b.x.SetSheetName(b.x.GetSheetName(0), b.data); err != nil {
		return fail(err)
	}
	for _, name := range []string{regInstructions, regOptions} {
		if _, err := b.x.NewSheet(name); err != nil {
			return fail(err)
		}
	}
	st, err := newRegStyles(b.x)
	if err != nil {
		return fail(err)
	}
	if b.sw, err = b.x.NewStreamWriter(b.data); err != nil {
		return fail(err)
	}
	head := make([]any, len(b.order))
	b.styles = make([]int, len(b.order))
	for i, ci := range b.order {
		c := cols[ci]
		n := i + 1
		b.styles[i] = st.forColumn(c)
		if err := b.sw.SetColWidth(n, n, columnWidth(c)); err != nil {
			return fail(err)
		}
		if err := b.sw.SetColStyle(n, n, b.styles[i]); err != nil {
			return fail(err)
		}
		hs := st.header
		switch {
		case c.readOnly():
			hs = st.headerReadOnly
		case c.required():
			hs = st.headerRequired
		}
		head[i] = excelize.Cell{StyleID: hs, Value: c.written()}
	}
	if err := b.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	if err := b.sw.SetRow("A1", head, excelize.RowOpts{Height: 30}); err != nil {
		return fail(err)
	}
	return b, nil
}

// cell is a value in the style of written column i.
func (b *regBook) cell(i int, v any) any {
	if v == nil {
		return nil
	}
	return excelize.Cell{StyleID: b.styles[i], Value: v}
}

// row writes the next data row.
func (b *regBook) row(cells []any) error {
	cell, _ := excelize.CoordinatesToCellName(1, b.next)
	b.next++
	if err := b.sw.SetRow(cell, cells); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	return nil
}

// finish adds the drop-down lists, prompts and instructions, and writes
// the workbook to w.
func (b *regBook) finish(w io.Writer) error {
	if err := b.validations(); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	if err := b.sw.Flush(); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	if err := b.instructions(); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	if err := b.x.SetSheetVisible(regOptions, false); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	b.x.SetActiveSheet(0)
	if err := b.x.Write(w); err != nil {
		return fmt.Errorf("register workbook: %w", err)
	}
	return nil
}

func columnWidth(c sheetCol) float64 {
	switch {
	case c.kind == colUnit:
		return 14
	case c.kind == colUnitName:
		return 24
	case c.kind == colStatus:
		return 10
	}
	switch c.field.Type {
	case TypeLongText:
		return 48
	case TypeText, TypeOptions, TypeURL, TypeEmail:
		return 28
	case TypeIDCard, TypeUSCC:
		return 22
	case TypeDateTime:
		return 18
	}
	return 14
}
