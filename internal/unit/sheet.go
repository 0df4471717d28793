package unit

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// column is one column of the units sheet.
type column int

// The columns of the units sheet, in the order Export writes them.
const (
	colCode column = iota
	colParent
	colType
	colNameZH
	colNameEN
	colOpenedOn
	colClosedOn
	colGroups
	numColumns
)

// columnSpec describes a column: the request field it fills (so that the
// service's validation errors land on the right cell), its bilingual
// header, what it means, and the other headers a user may have typed.
type columnSpec struct {
	field   string
	zh, en  string
	helpZH  string
	helpEN  string
	width   float64
	aliases []string
}

var columnSpecs = [numColumns]columnSpec{
	colCode: {field: "code", zh: "代码", en: "Code", width: 14,
		helpZH:  "必填。组织的唯一代码：字母、数字和 _ - .，最长 32 位。已有代码的行修改该组织，新代码的行新建组织。",
		helpEN:  "Required. The unit's unique code: letters, digits, _ - and ., at most 32 long. A row with an existing code changes that unit; a new code creates one.",
		aliases: []string{"组织代码", "单位代码", "编码", "unitcode"}},
	colParent: {field: "parent", zh: "上级代码", en: "Parent code", width: 14,
		helpZH:  "新建时必填。上级组织的代码；上级可以已经存在，也可以在本表的其他行新建。导入不会移动已有组织，请使用“移动”功能。",
		helpEN:  "Required for new units. The parent's code; the parent may exist already or be created by another row of this sheet. An import never moves an existing unit: use Move instead.",
		aliases: []string{"上级组织代码", "上级单位代码", "上级", "上级组织", "上级单位", "parent", "parentcode"}},
	colType: {field: "type", zh: "类型", en: "Type", width: 16,
		helpZH:  "必填。组织类型的代码或名称，见下表。",
		helpEN:  "Required. The unit type's code or name: see the table below.",
		aliases: []string{"组织类型", "单位类型", "unittype"}},
	colNameZH: {field: "name_zh", zh: "中文名称", en: "Chinese name", width: 36,
		helpZH:  "必填，最长 100 个字。",
		helpEN:  "Required, at most 100 characters.",
		aliases: []string{"名称", "组织名称", "单位名称", "namezh", "name"}},
	colNameEN: {field: "name_en", zh: "英文名称", en: "English name", width: 48,
		helpZH:  "选填，最长 200 个字。",
		helpEN:  "Optional, at most 200 characters.",
		aliases: []string{"nameen"}},
	colOpenedOn: {field: "opened_on", zh: "成立日期", en: "Opened on", width: 12,
		helpZH:  "选填。Excel 日期，或 2021-07-01、2021/7/1、2021年7月1日 这样的文字。",
		helpEN:  "Optional. An Excel date, or text such as 2021-07-01, 2021/7/1 or 2021年7月1日.",
		aliases: []string{"成立时间", "openedon", "opened", "opendate"}},
	colClosedOn: {field: "closed_on", zh: "撤销日期", en: "Closed on", width: 12,
		helpZH:  "仅供查看。导入不会撤销或恢复组织，请使用“撤销”功能；此列留空或保持原样。",
		helpEN:  "For reading only. An import never closes or reopens a unit: use Close instead; leave this column empty or as it is.",
		aliases: []string{"撤销时间", "closedon", "closed", "closedate"}},
	colGroups: {field: "groups", zh: "分组", en: "Groups", width: 24,
		helpZH:  "选填。分组代码，多个用分号 ; 隔开，见下表。留空表示不属于任何分组。",
		helpEN:  "Optional. Group codes separated by semicolons; see the table below. Empty means in no group.",
		aliases: []string{"组织分组", "group"}},
}

// header is the column's header as Export writes it, "代码 / Code".
func (c column) header() string { return columnSpecs[c].zh + " / " + columnSpecs[c].en }

// Sheet names and limits of the units workbook.
const (
	instructionsSheet = "说明 Instructions"
	// MaxImportRows bounds the data rows an import accepts.
	MaxImportRows = 50_000
	// groupSep joins group codes in a cell.
	groupSep = ";"
)

// dataSheetName is the name of the data sheet in lang.
func dataSheetName(lang string) string {
	if lang == "en" {
		return "Units"
	}
	return "组织机构"
}

// Export writes the units of s matching f (every page of them, in tree
// order) as an XLSX workbook to w: a data sheet that Import reads back
// unchanged, and a sheet explaining the columns, types and groups.
func (svc *Service) Export(ctx context.Context, s Scope, f Filter, w io.Writer, lang string) error {
	types, err := svc.Types(ctx)
	if err != nil {
		return err
	}
	groups, err := svc.Groups(ctx)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	data := dataSheetName(lang)
	if err := x.SetSheetName(x.GetSheetName(0), data); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := x.NewSheet(instructionsSheet); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	st, err := newSheetStyles(x)
	if err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(data)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for c := range numColumns {
		n := int(c) + 1
		if err := sw.SetColWidth(n, n, columnSpecs[c].width); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		style := st.text
		if c == colOpenedOn || c == colClosedOn {
			style = st.date
		}
		if err := sw.SetColStyle(n, n, style); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	head := make([]any, numColumns)
	for c := range numColumns {
		head[c] = excelize.Cell{StyleID: st.header, Value: c.header()}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 20}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	row := 2
	f.PerPage = MaxPerPage
	for f.Page = 1; ; f.Page++ {
		page, err := svc.List(ctx, s, f)
		if err != nil {
			return err
		}
		for _, u := range page.Items {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, exportRow(u, st)); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			row++
		}
		if len(page.Items) < f.PerPage || f.Page*f.PerPage >= page.Total {
			break
		}
	}
	typesRef, err := writeInstructions(x, types, groups, st)
	if err != nil {
		return err
	}
	// The drop-down lists the type codes kept on the instructions sheet. It
	// only warns: a type's name is accepted by Import as well.
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("C2:C%d", MaxImportRows+1)
	dv.SetSqrefDropList(typesRef)
	dv.SetError(excelize.DataValidationErrorStyleWarning, "类型 / Type", "请从列表中选择组织类型代码。 / Pick a unit type code from the list.")
	if err := x.AddDataValidation(data, dv); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	x.SetActiveSheet(0)
	if err := x.Write(w); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// exportRow is a unit as a row of cells, in column order.
func exportRow(u Unit, st sheetStyles) []any {
	out := make([]any, numColumns)
	out[colCode] = excelize.Cell{StyleID: st.text, Value: u.Code}
	out[colParent] = excelize.Cell{StyleID: st.text, Value: u.Parent}
	out[colType] = u.Type
	out[colNameZH] = u.NameZH
	out[colNameEN] = u.NameEN
	out[colOpenedOn] = dateCell(u.OpenedOn, st)
	out[colClosedOn] = dateCell(u.ClosedOn, st)
	out[colGroups] = strings.Join(u.Groups, groupSep)
	return out
}

// dateCell is a real Excel date (so that it sorts and filters as one),
// or an empty cell.
func dateCell(s string, st sheetStyles) any {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return excelize.Cell{StyleID: st.date, Value: t}
}

type sheetStyles struct {
	header, text, date, bold int
}

func newSheetStyles(x *excelize.File) (sheetStyles, error) {
	var st sheetStyles
	var err error
	border := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	if st.header, err = x.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    border,
		Alignment: &excelize.Alignment{Vertical: "center"},
	}); err != nil {
		return st, fmt.Errorf("export style: %w", err)
	}
	if st.text, err = x.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": typed codes stay text
		return st, fmt.Errorf("export style: %w", err)
	}
	dateFmt := "yyyy-mm-dd"
	if st.date, err = x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return st, fmt.Errorf("export style: %w", err)
	}
	if st.bold, err = x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}}); err != nil {
		return st, fmt.Errorf("export style: %w", err)
	}
	return st, nil
}

// writeInstructions fills the instructions sheet and returns the range
// that holds the type codes, for the Type column's drop-down.
func writeInstructions(x *excelize.File, types []Type, groups []Group, st sheetStyles) (string, error) {
	sh := instructionsSheet
	var err error
	set := func(cell string, v any, style int) {
		if err != nil {
			return
		}
		if err = x.SetCellValue(sh, cell, v); err == nil && style != 0 {
			err = x.SetCellStyle(sh, cell, cell, style)
		}
	}
	row := 1
	line := func(style int, vals ...string) {
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			set(cell, v, style)
		}
		row++
	}
	line(st.bold, "组织机构导入表 / Units import sheet")
	line(0, "第一个工作表的每一行是一个组织；表头可以是中文、英文或两者都有，列的顺序不限，其他列会被忽略。",
		"Each row of the first sheet is a unit; headers may be Chinese, English or both, in any order; other columns are ignored.")
	line(0, "导入是全部成功或全部不做：有任何问题时什么也不写入，并列出每个问题所在的行和列。重复导入同一文件不会产生任何改动。",
		"An import is all or nothing: if any row has a problem nothing is written and every problem is listed by row and column. Importing the same file again changes nothing.")
	row++
	line(st.header, "列 / Column", "表头 / Header", "说明", "Description")
	for c := range numColumns {
		letter, _ := excelize.ColumnNumberToName(int(c) + 1)
		line(0, letter, c.header(), columnSpecs[c].helpZH, columnSpecs[c].helpEN)
	}
	row++
	line(st.header, "类型代码 / Type code", "中文名称 / Chinese name", "英文名称 / English name")
	first := row
	for _, t := range types {
		line(0, t.Code, t.NameZH, t.NameEN)
	}
	last := row - 1
	row++
	line(st.header, "分组代码 / Group code", "中文名称 / Chinese name", "英文名称 / English name")
	for _, g := range groups {
		line(0, g.Code, g.NameZH, g.NameEN)
	}
	if err != nil {
		return "", fmt.Errorf("export instructions: %w", err)
	}
	for i, w := range []float64{22, 28, 60, 60} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.SetColWidth(sh, col, col, w); err != nil {
			return "", fmt.Errorf("export instructions: %w", err)
		}
	}
	if last < first { // no types yet: point at one empty cell rather than an inverted range
		last = first
	}
	return fmt.Sprintf("'%s'!$A$%d:$A$%d", sh, first, last), nil
}
