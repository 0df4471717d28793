package register

import (
	"regexp"
	"strings"
	"testing"

	"kexie/internal/sheet"
)

// fuzzFields is a field of each kind a cell may be read as.
var fuzzFields = []Field{
	{Code: "t", Type: TypeText, NameZH: "文本"},
	{Code: "d", Type: TypeDate, NameZH: "日期"},
	{Code: "dt", Type: TypeDateTime, NameZH: "时间"},
	{Code: "n", Type: TypeInteger, NameZH: "整数"},
	{Code: "m", Type: TypeMoney, NameZH: "金额"},
	{Code: "p", Type: TypePercent, NameZH: "百分比"},
	{Code: "x", Type: TypeDecimal, NameZH: "小数", Scale: 3},
	{Code: "b", Type: TypeBoolean, NameZH: "是否"},
	{Code: "o", Type: TypeOption, NameZH: "单选", Options: []Option{{Code: "a", NameZH: "全国学会（协会）", NameEN: "National (society)"}, {Code: "b", NameZH: "县（市、区）", NameEN: "County"}}},
	{Code: "os", Type: TypeOptions, NameZH: "多选", Options: []Option{{Code: "kids", NameZH: "青少年（中、小学）"}, {Code: "space", NameZH: "航天", NameEN: "Space"}}},
	{Code: "mob", Type: TypeMobile, NameZH: "手机"},
}

var plainDecimal = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// FuzzImportCell reads any cell as any kind of field: no panic, and what
// the reading forgives comes out in a form it would forgive again.
func FuzzImportCell(f *testing.F) {
	for _, s := range []string{"2021/7/1", "44378", "44378.5", "2021", "0.698", "1,234.5", "0.30000000000000004", "1.5E+3",
		"全国学会(协会)", "青少年（中、小学）；Space", "kids、space", "'=1+1", "３２０１００", "320100.0", "#N/A", "是", "13800138000"} {
		f.Add(s, uint8(0), uint8(0), false)
	}
	f.Add("44378", uint8(sheet.KindDate), uint8(1), true)
	f.Add("0.698", uint8(sheet.KindPercent), uint8(5), false)
	f.Fuzz(func(t *testing.T, text string, kind, typ uint8, date1904 bool) {
		fd := fuzzFields[int(typ)%len(fuzzFields)]
		k := sheet.Kind(int(kind) % 7)
		format := sheet.FormatXLSX
		if k == sheet.KindText && kind%2 == 1 {
			format = sheet.FormatCSV
		}
		im := &importer{format: format, date1904: date1904}
		v, key, _ := im.wire(fd, text, k)
		switch {
		case key != "" && v != nil:
			t.Fatalf("wire(%q) gave both %v and %s", text, v, key)
		case key == "" && v != nil:
			s, ok := v.(string)
			if !ok {
				t.Fatalf("wire(%q) gave %T", text, v)
			}
			_, _ = fd.Parse(s, false)
		}
		if n := numText(text); numText(n) != n {
			t.Fatalf("numText(%q) = %q, then %q", text, n, numText(n))
		}
		if c := unitCode(text, k); unitCode(c, sheet.KindText) != c || strings.ContainsFunc(c, sheet.IsWide) {
			t.Fatalf("unitCode(%q) = %q, not settled", text, c)
		}
		if a, ok := ParseNumber(text, 6); ok && plainDecimal.MatchString(text) {
			if b, ok := ParseNumber(shiftDecimal(text, 2), 4); !ok || a != b {
				t.Fatalf("shiftDecimal(%q, 2) = %q: %d, want %d", text, shiftDecimal(text, 2), b, a)
			}
		}
		if fd.Type == TypeOption || fd.Type == TypeOptions {
			for _, code := range strings.Split(optionText(fd, text), ";") {
				if _, ok := fd.option(code); ok && code != strings.TrimSpace(code) {
					t.Fatalf("optionText(%q) holds %q", text, code)
				}
			}
		}
	})
}
