package register

import (
	"math"
	"strconv"
	"strings"
	"time"

	"kexie/internal/sheet"
)

// A register's sheet has a column for the unit's code, one naming the
// unit (for people; an import ignores it), one per field in the order of
// the schema, and the record's status (also for reading only). Headers
// are "中文名 / English", with " *" after a required column's.

// sheetColKind is what a column of a register's sheet holds.
type sheetColKind int

const (
	colUnit sheetColKind = iota
	colUnitName
	colField
	colStatus
)

// sheetCol is one column of a register's sheet.
type sheetCol struct {
	kind  sheetColKind
	field Field // for colField
	zh    string
	en    string
}

// The columns every register's sheet has besides its fields, by their
// index in regColumns.
const (
	idxUnit     = 0
	idxUnitName = 1
	idxStatus   = 2
	idxFields   = 3 // the first field
)

// regColumns lists the columns of reg's sheet, by index: unit, unit name,
// status, then the fields in the order of the schema. The order in which
// a sheet is written is exportOrder.
func regColumns(reg *Register) []sheetCol {
	cols := []sheetCol{
		{kind: colUnit, zh: "单位代码", en: "Unit code"},
		{kind: colUnitName, zh: "单位名称", en: "Unit name"},
		{kind: colStatus, zh: "状态", en: "Status"},
	}
	for _, f := range reg.Schema.Fields {
		en := f.NameEN
		if en == "" {
			en = f.Code
		}
		cols = append(cols, sheetCol{kind: colField, field: f, zh: f.NameZH, en: en})
	}
	return cols
}

// exportOrder is the order of the columns in a written sheet.
func exportOrder(cols []sheetCol) []int {
	order := []int{idxUnit, idxUnitName}
	for i := idxFields; i < len(cols); i++ {
		order = append(order, i)
	}
	return append(order, idxStatus)
}

// header is the column's header as problems name it, "名称 / Title".
func (c sheetCol) header() string { return c.zh + " / " + c.en }

// written is the header as a sheet carries it: a required column's ends
// in " *".
func (c sheetCol) written() string {
	if c.required() {
		return c.header() + " *"
	}
	return c.header()
}

// required says whether a new record needs the column.
func (c sheetCol) required() bool {
	return c.kind == colUnit || (c.kind == colField && c.field.Compute == "" && c.field.Required)
}

// readOnly says whether an import ignores the column.
func (c sheetCol) readOnly() bool {
	return c.kind == colUnitName || c.kind == colStatus || (c.kind == colField && c.field.Compute != "")
}

// regHeaders maps what users write as headers to the columns. A field's
// own names win over the other names of the unit name and status columns
// (a field may be called 状态), the unit code's names over a field's (the
// header is found by them), and field codes, which are exact, over all.
func regHeaders(cols []sheetCol) sheet.Headers {
	h := sheet.Headers{}
	h.Add(idxUnit, "单位", "组织代码", "组织", "单位编码", "unit", "org_code")
	h.Add(idxUnitName, "单位名称", "Unit name", "组织名称", "unit_name")
	h.Add(idxStatus, "状态", "Status", "记录状态")
	for i, c := range cols {
		if c.kind == colField {
			h.Add(i, c.zh, c.en, c.header())
		}
	}
	h.Add(idxUnit, "单位代码", "Unit code", "unit_code", cols[idxUnit].header())
	for i, c := range cols {
		if c.kind == colField {
			h.Add(i, c.field.Code)
		}
	}
	h.Add(idxUnitName, cols[idxUnitName].header())
	h.Add(idxStatus, cols[idxStatus].header())
	return h
}

// statusLabel is a record status for people.
func statusLabel(status, lang string) string {
	zh := map[string]string{StatusDraft: "草稿", StatusSubmitted: "已提交", StatusApproved: "已审核", StatusReturned: "已退回"}
	en := map[string]string{StatusDraft: "Draft", StatusSubmitted: "Submitted", StatusApproved: "Approved", StatusReturned: "Returned"}
	if lang == "en" {
		return en[status]
	}
	return zh[status]
}

// cst is China Standard Time, in which dates and times are shown.
var cst = time.FixedZone("CST", 8*3600)

// cellText writes a value as the text of a CSV cell that an import reads
// back as the same value: numbers exactly, without separators; options
// by label; booleans 是/否; date-times to the second in China's time.
func cellText(f Field, v any, lang string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		if f.Type == TypeRecord || f.Type == TypePerson {
			return strconv.FormatInt(x, 10)
		}
		s := FormatScaled(x, f.ScaleOf())
		if f.Type == TypePercent {
			s += "%"
		}
		return s
	case time.Time:
		return x.In(cst).Format(time.DateTime)
	case []string:
		if f.Type == TypeAttachment {
			return strings.Join(x, ";")
		}
	}
	return f.Format(v, lang)
}

// cellValue is a value as an Excel cell: numbers as numbers (a percentage
// as its fraction, shown by the column's % format), dates as dates,
// everything else as cellText.
func cellValue(f Field, v any, lang string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		switch f.Type {
		case TypeInteger, TypeRecord, TypePerson:
			return x
		case TypePercent:
			return float64(x) / 1e4
		}
		return float64(x) / math.Pow10(f.ScaleOf())
	case time.Time:
		t := x.In(cst)
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	case string:
		if f.Type == TypeDate {
			if t, err := time.Parse(time.DateOnly, x); err == nil {
				return t
			}
		}
	}
	return cellText(f, v, lang)
}

// csvSafe keeps a spreadsheet from reading text as a formula: text that
// starts like one gets a leading apostrophe, which an import removes.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// fieldTypeName is a field type for people, for the instructions sheet.
func fieldTypeName(t FieldType, lang string) string {
	names := map[FieldType][2]string{
		TypeText: {"文本", "Text"}, TypeLongText: {"长文本", "Long text"}, TypeInteger: {"整数", "Integer"},
		TypeDecimal: {"数字", "Number"}, TypeMoney: {"金额（元）", "Amount (yuan)"}, TypePercent: {"百分比", "Percentage"},
		TypeDate: {"日期", "Date"}, TypeDateTime: {"日期时间", "Date and time"}, TypeBoolean: {"是/否", "Yes/No"},
		TypeOption: {"单选", "One of a list"}, TypeOptions: {"多选", "Several of a list"}, TypeUnit: {"组织代码", "Unit code"},
		TypeRecord: {"记录号", "Record number"}, TypePerson: {"人员记录号", "Person record number"},
		TypeAttachment: {"附件编号", "Attachment numbers"}, TypeURL: {"网址", "Web address"}, TypeEmail: {"电子邮箱", "Email"},
		TypeMobile: {"手机号", "Mobile number"}, TypeIDCard: {"身份证号", "ID card number"}, TypeUSCC: {"统一社会信用代码", "Unified social credit code"},
	}
	n, ok := names[t]
	if !ok {
		return string(t)
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}
