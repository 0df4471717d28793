package register

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// regStyles are the cell styles of a register's workbook.
type regStyles struct {
	header, headerRequired, headerReadOnly, bold  int
	text, date, dateTime, integer, money, percent int
	decimal                                       map[int]int // by scale
	x                                             *excelize.File
}

func newRegStyles(x *excelize.File) (*regStyles, error) {
	st := &regStyles{decimal: map[int]int{}, x: x}
	headerStyle := func(fill string) (int, error) {
		return x.NewStyle(&excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
			Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		})
	}
	custom := func(code string) (int, error) { return x.NewStyle(&excelize.Style{CustomNumFmt: &code}) }
	var err error
	for _, s := range []struct {
		id *int
		fn func() (int, error)
	}{
		{&st.header, func() (int, error) { return headerStyle("DDEBF7") }},
		{&st.headerRequired, func() (int, error) { return headerStyle("FCE4D6") }},
		{&st.headerReadOnly, func() (int, error) { return headerStyle("E7E6E6") }},
		{&st.bold, func() (int, error) { return x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}}) }},
		{&st.text, func() (int, error) { return x.NewStyle(&excelize.Style{NumFmt: 49}) }}, // "@": typed codes stay text
		{&st.date, func() (int, error) { return custom("yyyy-mm-dd") }},
		{&st.dateTime, func() (int, error) { return custom("yyyy-mm-dd hh:mm:ss") }},
		{&st.integer, func() (int, error) { return x.NewStyle(&excelize.Style{NumFmt: 1}) }},
		{&st.money, func() (int, error) { return custom("#,##0.00") }},
		{&st.percent, func() (int, error) { return custom("0.00%") }},
	} {
		if *s.id, err = s.fn(); err != nil {
			return nil, fmt.Errorf("register workbook style: %w", err)
		}
	}
	return st, nil
}

// forColumn is the style of a column's cells.
func (st *regStyles) forColumn(c sheetCol) int {
	if c.kind != colField {
		return st.text
	}
	switch c.field.Type {
	case TypeDate:
		return st.date
	case TypeDateTime:
		return st.dateTime
	case TypeInteger, TypeRecord, TypePerson:
		return st.integer
	case TypeMoney:
		return st.money
	case TypePercent:
		return st.percent
	case TypeDecimal:
		scale := c.field.ScaleOf()
		if id, ok := st.decimal[scale]; ok {
			return id
		}
		code := "0." + strings.Repeat("0", scale)
		id, err := st.x.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return st.integer
		}
		st.decimal[scale] = id
		return id
	}
	return st.text
}

// validations gives every column a prompt saying what to type, and the
// option and yes/no columns a drop-down list. The lists only warn: an
// import also takes codes and labels in the other language.
func (b *regBook) validations() error {
	optCol := 0
	for i, ci := range b.order {
		c := b.cols[ci]
		letter, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", letter, letter, excelize.TotalRows)
		var list []string
		if c.kind == colField {
			switch c.field.Type {
			case TypeOption:
				for _, o := range c.field.Options {
					list = append(list, optionLabel(o, b.lang))
				}
			case TypeBoolean:
				list = []string{"是", "否"}
				if b.lang == "en" {
					list = []string{"Yes", "No"}
				}
			}
		}
		if len(list) > 0 {
			optCol++
			optLetter, _ := excelize.ColumnNumberToName(optCol)
			if err := b.x.SetCellValue(regOptions, optLetter+"1", c.header()); err != nil {
				return err
			}
			for j, label := range list {
				if err := b.x.SetCellValue(regOptions, fmt.Sprintf("%s%d", optLetter, j+2), label); err != nil {
					return err
				}
			}
			dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", regOptions, optLetter, optLetter, len(list)+1))
			dv.SetError(excelize.DataValidationErrorStyleWarning, clip(c.header(), 32), clip(b.t("请从列表中选择。", "Pick a value from the list."), 255))
		}
		if prompt := b.prompt(c); prompt != "" {
			dv.SetInput(clip(c.header(), 32), clip(prompt, 255))
		} else if len(list) == 0 {
			continue
		}
		if err := b.x.AddDataValidation(b.data, dv); err != nil {
			return err
		}
	}
	return nil
}

// t picks the Chinese or English text.
func (b *regBook) t(zh, en string) string {
	if b.lang == "en" {
		return en
	}
	return zh
}

func optionLabel(o Option, lang string) string {
	if lang == "en" && o.NameEN != "" {
		return o.NameEN
	}
	return o.NameZH
}

// clip cuts s to n characters, as Excel's prompts must be.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// prompt says what a column takes: its type, rules and help.
func (b *regBook) prompt(c sheetCol) string {
	switch c.kind {
	case colUnit:
		return b.t("必填。填写组织代码（如 320102）。", "Required. The unit's code (such as 320102).")
	case colUnitName, colStatus:
		return b.t("仅供查看，导入时忽略。", "For reading only: an import ignores it.")
	}
	parts := []string{fieldTypeName(c.field.Type, b.lang)}
	if c.required() {
		parts = append(parts, b.t("必填", "required"))
	}
	parts = append(parts, b.rules(c.field)...)
	help := c.field.HelpZH
	if b.lang == "en" && c.field.HelpEN != "" {
		help = c.field.HelpEN
	}
	sep := "；"
	if b.lang == "en" {
		sep = "; "
	}
	out := strings.Join(parts, sep)
	if help != "" {
		out += "。" + help
		if b.lang == "en" {
			out = strings.Join(parts, sep) + ". " + help
		}
	}
	return out
}

// rules lists a field's rules for people.
func (b *regBook) rules(f Field) []string {
	var out []string
	if f.Compute != "" {
		return []string{b.t("自动计算，导入时忽略", "computed: an import ignores it")}
	}
	if f.Min != "" {
		out = append(out, b.t("最小 ", "at least ")+f.Min)
	}
	if f.Max != "" {
		out = append(out, b.t("最大 ", "at most ")+f.Max)
	}
	if f.MinLength > 0 {
		out = append(out, fmt.Sprintf(b.t("至少 %d 字", "at least %d characters"), f.MinLength))
	}
	if f.MaxLength > 0 {
		out = append(out, fmt.Sprintf(b.t("最多 %d 字", "at most %d characters"), f.MaxLength))
	}
	if f.Type == TypeDecimal {
		out = append(out, fmt.Sprintf(b.t("最多 %d 位小数", "at most %d decimals"), f.ScaleOf()))
	}
	if f.Type == TypeDate || f.Type == TypeDateTime {
		out = append(out, b.t("可写 2021-07-01、2021/7/1 或 2021年7月1日", "such as 2021-07-01, 2021/7/1 or 2021年7月1日"))
	}
	if f.Type == TypeOptions {
		out = append(out, b.t("多个用分号隔开", "several separated by semicolons"))
	}
	if f.Unique {
		out = append(out, b.t("不能与其他记录重复", "unique among records"))
	}
	if f.Sensitive {
		out = append(out, b.t("敏感信息", "sensitive"))
	}
	if f.Default != "" {
		out = append(out, b.t("默认 ", "default ")+f.Default)
	}
	return out
}

// instructions fills the instructions sheet: how the sheet is read, each
// column's type and rules, and every option's code and labels.
func (b *regBook) instructions() error {
	sh := regInstructions
	st, err := b.x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	title, err := b.x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
	if err != nil {
		return err
	}
	wrap, err := b.x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	row := 1
	line := func(style int, vals ...string) {
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if err == nil {
				err = b.x.SetCellValue(sh, cell, v)
			}
			if err == nil && style != 0 {
				err = b.x.SetCellStyle(sh, cell, cell, style)
			}
		}
		row++
	}
	name := b.reg.Schema.NameZH
	if b.reg.Schema.NameEN != "" {
		name += " / " + b.reg.Schema.NameEN
	}
	line(title, name+" — "+b.t("导入表", "import sheet")+" ("+b.reg.Code+", v"+fmt.Sprint(b.reg.Version)+")")
	for _, s := range [][2]string{
		{"第一个工作表的每一行是一条记录。表头可以是中文、英文或两者都有，列的顺序不限，其他列会被忽略；表头上方可以有几行标题。",
			"Each row of the first sheet is a record. Headers may be Chinese, English or both, in any order; other columns are ignored; a few title rows may stand above the header."},
		{"表头带 * 的列新建记录时必填；灰色表头的列仅供查看，导入时忽略。",
			"Columns whose header ends in * are required for new records; columns with a grey header are for reading only and an import ignores them."},
		{"每条记录以“单位代码”加上唯一标识列（" + b.keyHeaders() + "）认定：已有的记录被修改，没有的新建。同一文件导入两次不会产生任何改动。",
			"A record is identified by its unit code and its key columns (" + b.keyHeaders() + "): a stored record is changed, a new one created. Importing the same file twice changes nothing."},
		{"导入是全部成功或全部不做：有任何问题时什么也不写入，并列出每个问题所在的行、列和原因。已提交或已审核的记录不能通过导入修改。",
			"An import is all or nothing: if anything is wrong nothing is written and every problem is listed by row, column and reason. Submitted or approved records cannot be changed by an import."},
		{"已有记录的某一列留空表示清空该项；文件中没有的列保持不变。",
			"An empty cell clears that value of a stored record; columns the file lacks are left as they are."},
	} {
		line(wrap, b.t(s[0], s[1]))
	}
	row++
	line(st, b.t("列", "Column"), b.t("表头", "Header"), b.t("类型", "Type"), b.t("必填", "Required"), b.t("规则", "Rules"), b.t("说明", "Help"))
	sep := b.t("；", "; ")
	for i, ci := range b.order {
		c := b.cols[ci]
		letter, _ := excelize.ColumnNumberToName(i + 1)
		typ, rules, help := b.t("组织代码", "Unit code"), "", ""
		switch c.kind {
		case colUnitName, colStatus:
			typ, rules = b.t("仅供查看", "For reading only"), b.t("导入时忽略", "ignored by an import")
		case colField:
			typ, rules = fieldTypeName(c.field.Type, b.lang), strings.Join(b.rules(c.field), sep)
			help = c.field.HelpZH
			if b.lang == "en" && c.field.HelpEN != "" {
				help = c.field.HelpEN
			}
		default:
			help = b.t("填写组织代码；只能填写您有权填报的组织。", "The unit's code; only units you may enter data for.")
		}
		req := ""
		if c.required() {
			req = b.t("是", "yes")
		}
		line(wrap, letter, c.written(), typ, req, rules, help)
	}
	for _, f := range b.reg.Schema.Fields {
		if f.Type != TypeOption && f.Type != TypeOptions {
			continue
		}
		row++
		line(st, b.t("选项：", "Options: ")+f.NameZH, b.t("代码 / Code", "Code"), b.t("中文 / Chinese", "Chinese"), b.t("英文 / English", "English"))
		for _, o := range f.Options {
			line(0, "", o.Code, o.NameZH, o.NameEN)
		}
	}
	if err != nil {
		return err
	}
	for i, w := range []float64{14, 30, 16, 8, 40, 50} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.x.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	return nil
}

// keyHeaders names the key columns.
func (b *regBook) keyHeaders() string {
	var names []string
	for _, k := range b.reg.Schema.NaturalKey {
		if f, ok := b.reg.Schema.Field(k); ok {
			names = append(names, f.Name(b.lang))
		}
	}
	return strings.Join(names, b.t("、", ", "))
}
