package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ErrNothingToAnnotate means the problems cannot be shown in the file
// itself: it is not a workbook, or every problem concerns the whole file.
var ErrNothingToAnnotate = errors.New("nothing to annotate")

// Annotate writes to w a copy of the workbook data in which every cell a
// problem points at is filled red and carries a comment giving the
// reason, as message words it; a problem about a whole row marks the
// row's first cell. Everything else in the workbook is left as it was,
// so the user corrects the marked cells and imports the copy. unzip
// bounds the workbook's uncompressed size (DefaultUnzip when 0).
func Annotate(data []byte, probs []Problem, message func(Problem) string, w io.Writer, unzip int64) error {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return ErrNothingToAnnotate
	}
	if unzip <= 0 {
		unzip = DefaultUnzip
	}
	byCell := map[string][]string{}
	var cells []string
	sheet := ""
	for _, p := range probs {
		if p.Row == 0 {
			continue
		}
		col := p.Column
		if col == "" {
			col = "A"
		}
		cell := fmt.Sprintf("%s%d", col, p.Row)
		if _, seen := byCell[cell]; !seen {
			cells = append(cells, cell)
		}
		label := p.Header
		if label != "" {
			label += ": "
		}
		byCell[cell] = append(byCell[cell], label+message(p))
		sheet = p.Sheet
	}
	if len(cells) == 0 {
		return ErrNothingToAnnotate
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzip, UnzipXMLSizeLimit: min(unzip, 16<<20)})
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	defer x.Close()
	if idx, err := x.GetSheetIndex(sheet); err != nil || idx < 0 {
		return ErrNothingToAnnotate
	}
	red := map[int]int{} // the cell's own style → the same style filled red
	for _, cell := range cells {
		orig, err := x.GetCellStyle(sheet, cell)
		if err != nil {
			return fmt.Errorf("annotate %s: %w", cell, err)
		}
		id, ok := red[orig]
		if !ok {
			st, err := x.GetStyle(orig)
			if err != nil || st == nil {
				st = &excelize.Style{}
			}
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}
			if id, err = x.NewStyle(st); err != nil {
				return fmt.Errorf("annotate style: %w", err)
			}
			red[orig] = id
		}
		if err := x.SetCellStyle(sheet, cell, cell, id); err != nil {
			return fmt.Errorf("annotate %s: %w", cell, err)
		}
		if err := x.DeleteComment(sheet, cell); err != nil {
			return fmt.Errorf("annotate %s: %w", cell, err)
		}
		text := strings.Join(byCell[cell], "\n")
		if err := x.AddComment(sheet, excelize.Comment{Cell: cell, Author: "kexie", Width: 320, Height: 120,
			Paragraph: []excelize.RichTextRun{{Text: "kexie:\n", Font: &excelize.Font{Bold: true}}, {Text: text}}}); err != nil {
			return fmt.Errorf("annotate %s: %w", cell, err)
		}
	}
	if idx, err := x.GetSheetIndex(sheet); err == nil {
		x.SetActiveSheet(idx)
	}
	if err := x.Write(w); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	return nil
}
