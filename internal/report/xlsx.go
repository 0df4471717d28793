package report

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// XLSX writes every table of the document, one sheet each: the figures
// as numbers (in the metric's unit of measure, named in the header), so
// they can be summed and charted. A document without tables gives one
// sheet saying so.
func XLSX(w io.Writer, d *Doc) error {
	f := excelize.NewFile()
	defer f.Close()
	tables := d.Tables()
	if len(tables) == 0 {
		msg := "报告中没有表格"
		if d.Lang == "en" {
			msg = "The report has no table"
		}
		if err := f.SetCellStr("Sheet1", "A1", msg); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, t := range tables {
		name := sheetName(t, i)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for j, h := range t.Head {
			if j > 0 && len(t.Rows) > 0 && t.Rows[0][j].Fig != nil && t.Rows[0][j].Fig.Measure != "" {
				h += "（" + t.Rows[0][j].Fig.Measure + "）"
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := f.SetCellStr(name, cell, h); err != nil {
				return err
			}
		}
		if err := f.SetRowStyle(name, 1, 1, bold); err != nil {
			return err
		}
		for r, row := range t.Rows {
			for j, c := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, r+2)
				switch {
				case c.Fig == nil:
					err = f.SetCellStr(name, cell, c.Text)
				case c.Fig.Value == nil:
					err = f.SetCellStr(name, cell, "—")
				default:
					err = f.SetCellFloat(name, cell, *c.Fig.Value, -1, 64)
				}
				if err != nil {
					return err
				}
			}
		}
		if err := f.SetColWidth(name, "A", "A", 28); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// sheetName is "表1", "表2", … (a sheet name is at most 31 characters
// and the headers may be long).
func sheetName(t *Table, i int) string {
	name := fmt.Sprintf("表%d", i+1)
	if t.Title != "" && utf8.RuneCountInString(t.Title) <= 28 {
		name = t.Title
	}
	return name
}
