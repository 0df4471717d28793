package register

import (
	"errors"
	"testing"

	"kexie/internal/fault"
)

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in    string
		scale int
		want  int64
		ok    bool
	}{
		{"1,234.5", 2, 123450, true},
		{"１２３", 0, 123, true},
		{"2028万", 0, 20280000, true},
		{"8.35万", 0, 83500, true},
		{"0.5亿", 2, 5000000000, true},
		{"-3.10", 2, -310, true},
		{"3.105", 2, 0, false},
		{"3.100", 2, 310, true},
		{"abc", 0, 0, false},
		{"", 0, 0, false},
		{".5", 1, 5, true},
		{"1e5", 0, 0, false},
		{"99999999999999999999", 0, 0, false},
	}
	for _, c := range cases {
		got, ok := ParseNumber(c.in, c.scale)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseNumber(%q, %d) = %d, %v; want %d, %v", c.in, c.scale, got, ok, c.want, c.ok)
		}
	}
	if s := FormatScaled(-5, 2); s != "-0.05" {
		t.Errorf("FormatScaled: %s", s)
	}
}

func TestParseDate(t *testing.T) {
	cases := map[string]string{
		"2021-07-01":   "2021-07-01",
		"2021/7/1":     "2021-07-01",
		"2021年7月1日":    "2021-07-01",
		"２０２１年７月１日":    "2021-07-01",
		"20210701":     "2021-07-01",
		"2021-02-30":   "",
		"44378":        "2021-07-01", // Excel serial
		"tomorrow":     "",
		" 2021.07.01 ": "2021-07-01",
	}
	for in, want := range cases {
		got, ok := ParseDate(in, true)
		if (want == "") == ok || got != want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := ParseDate("44378", false); ok {
		t.Error("serial accepted from a text cell")
	}
}

func TestFieldParse(t *testing.T) {
	kind := Field{Code: "kind", Type: TypeOption, Options: []Option{{Code: "online", NameZH: "线上", NameEN: "Online"}}}
	cases := []struct {
		f    Field
		in   string
		want any
		key  string
	}{
		{kind, "线上", "online", ""},
		{kind, "online", "online", ""},
		{kind, "ONLINE", "online", ""},
		{kind, "线下", nil, "register.value.option"},
		{Field{Code: "b", Type: TypeBoolean}, "是", true, ""},
		{Field{Code: "b", Type: TypeBoolean}, "maybe", nil, "register.value.boolean"},
		{Field{Code: "m", Type: TypeMoney}, "¥2,028.50元", int64(202850), ""},
		{Field{Code: "p", Type: TypePercent}, "69.8%", int64(6980), ""},
		{Field{Code: "n", Type: TypeInteger, Min: "0"}, "-1", nil, "register.value.min"},
		{Field{Code: "n", Type: TypeInteger}, "1.5", nil, "register.value.integer"},
		{Field{Code: "d", Type: TypeDecimal, Scale: 3}, "7.4", int64(7400), ""},
		{Field{Code: "id", Type: TypeIDCard}, "11010519491231002x", "11010519491231002X", ""},
		{Field{Code: "id", Type: TypeIDCard}, "110105194912310021", nil, "register.value.idcard"},
		{Field{Code: "c", Type: TypeUSCC}, "91350100M000100Y43", "91350100M000100Y43", ""},
		{Field{Code: "tel", Type: TypeMobile}, "+86 138 0013 8000", "13800138000", ""},
		{Field{Code: "tel", Type: TypeMobile}, "12345", nil, "register.value.mobile"},
		{Field{Code: "u", Type: TypeURL}, "javascript:alert(1)", nil, "register.value.url"},
		{Field{Code: "e", Type: TypeEmail}, "a@b.cn", "a@b.cn", ""},
		{Field{Code: "t", Type: TypeText, MaxLength: 3}, "四个汉字", nil, "error.too_long"},
		{Field{Code: "t", Type: TypeText}, "  留空格  ", "留空格", ""},
		{Field{Code: "t", Type: TypeText}, "", nil, ""},
	}
	for _, c := range cases {
		got, err := c.f.Parse(c.in, false)
		if c.key != "" {
			f := fault.FieldsOf(err)
			if len(f) != 1 || f[0].Key != c.key || f[0].Field != c.f.Code {
				t.Errorf("%s %q: error %v, want %s", c.f.Type, c.in, err, c.key)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %q = %#v, %v; want %#v", c.f.Type, c.in, got, err, c.want)
		}
	}
	many := Field{Code: "aud", Type: TypeOptions, Options: []Option{{Code: "campus", NameZH: "校园"}, {Code: "village", NameZH: "农村"}}}
	got, err := many.Parse("校园、农村；校园", false)
	if err != nil || len(got.([]string)) != 2 {
		t.Errorf("options: %v %v", got, err)
	}
}

func TestSchemaCheck(t *testing.T) {
	good := Schema{Code: "events", NameZH: "活动", UnitTypes: []string{"city"}, DateField: "held_on", NaturalKey: []string{"title", "held_on"},
		Fields: []Field{
			{Code: "title", Type: TypeText, NameZH: "名称", Required: true},
			{Code: "held_on", Type: TypeDate, NameZH: "日期", Required: true},
			{Code: "online", Type: TypeInteger, NameZH: "线上"},
			{Code: "offline", Type: TypeInteger, NameZH: "线下"},
			{Code: "total", Type: TypeInteger, NameZH: "合计", Compute: "online + offline"},
		},
		Rules: []Rule{{Expr: "online >= 0", Field: "online", MessageZH: "不能为负", MessageEN: "must not be negative"}},
	}
	if err := good.Check(nil); err != nil {
		t.Fatal(err)
	}
	vals := map[string]any{"title": "科技周", "held_on": "2021-05-20", "online": int64(3), "offline": int64(4)}
	if err := good.Evaluate(vals); err != nil || vals["total"] != int64(7) {
		t.Fatalf("computed: %v %v", vals["total"], err)
	}
	vals["online"] = int64(-1)
	if err := good.Evaluate(vals); len(fault.FieldsOf(err)) != 1 {
		t.Fatalf("rule: %v", err)
	}
	bad := good
	bad.Fields = append([]Field{}, good.Fields...)
	bad.Fields = append(bad.Fields, Field{Code: "x", Type: "colour", NameZH: "x"}, Field{Code: "title", Type: TypeText, NameZH: "重复"},
		Field{Code: "y", Type: TypeInteger, NameZH: "y", Compute: "online +* 2"})
	bad.DateField = "title"
	err := bad.Check(nil)
	if !errors.Is(err, fault.ErrInvalid) || len(fault.FieldsOf(err)) != 3 {
		t.Fatalf("bad schema: %v", err)
	}
}
