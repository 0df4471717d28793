package unit

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalizeDate(t *testing.T) {
	cases := []struct {
		in       string
		date1904 bool
		want     string
		ok       bool
	}{
		{"", false, "", true},
		{"   ", false, "", true},
		{"2021-07-01", false, "2021-07-01", true},
		{" 2021-7-1 ", false, "2021-07-01", true},
		{"2021/7/1", false, "2021-07-01", true},
		{"2021.07.01", false, "2021-07-01", true},
		{"2021年7月1日", false, "2021-07-01", true},
		{"2021 年 07 月 01 日", false, "2021-07-01", true},
		{"２０２１年７月１日", false, "2021-07-01", true},
		{"２０２１－０７－０１", false, "2021-07-01", true},
		{"20210701", false, "2021-07-01", true},
		{"2021-07-01 00:00:00", false, "2021-07-01", true},
		{"2021-07-01T08:30:00+08:00", false, "2021-07-01", true},
		{"44378", false, "2021-07-01", true},
		{"44378.75", false, "2021-07-01", true},
		{"42916", true, "2021-07-01", true},
		{"1", false, "1900-01-01", true},
		{"59", false, "1900-02-28", true},
		{"61", false, "1900-03-01", true},
		{"2958465", false, "9999-12-31", true},
		{"60", false, "", false},      // Excel's 29 February 1900
		{"2958466", false, "", false}, // past 9999
		{"2021", false, "", false},    // a year, not a day
		{"0", false, "", false},       // no day 0
		{"-5", false, "", false},      // negative
		{"2021-02-30", false, "", false},
		{"2021-13-01", false, "", false},
		{"07/01/21", false, "", false}, // two readings: refused
		{"7/1/2021", false, "", false},
		{"2021年7月", false, "", false},
		{"yesterday", false, "", false},
		{"2021-07-01x", false, "", false},
	}
	for _, c := range cases {
		got, ok := normalizeDate(c.in, c.date1904)
		if got != c.want || ok != c.ok {
			t.Errorf("normalizeDate(%q, %v) = %q, %v; want %q, %v", c.in, c.date1904, got, ok, c.want, c.ok)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	cases := map[string]string{
		" 320100 ":     "320100",
		"３２０１００":       "320100",
		"ＥＮＴ９０１":       "ENT901",
		"320100.0":     "320100",
		"320100\u3000": "320100",
		"A-1.b_2":      "A-1.b_2",
		"":             "",
	}
	for in, want := range cases {
		if got := normalizeCode(in); got != want {
			t.Errorf("normalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchHeader(t *testing.T) {
	cases := []struct {
		in   string
		want column
		ok   bool
	}{
		{"代码 / Code", colCode, true},
		{"代码", colCode, true},
		{"Code", colCode, true},
		{"code", colCode, true},
		{" CODE ", colCode, true},
		{"上级代码 / Parent code", colParent, true},
		{"Parent Code", colParent, true},
		{"parent_code", colParent, true},
		{"parent", colParent, true},
		{"类型（必填）", colType, true},
		{"*类型", colType, true},
		{"name_zh", colNameZH, true},
		{"Chinese name", colNameZH, true},
		{"English Name", colNameEN, true},
		{"成立日期 / Opened on", colOpenedOn, true},
		{"opened_on", colOpenedOn, true},
		{"Closed on", colClosedOn, true},
		{"分组 / Groups", colGroups, true},
		{"Code|代码", colCode, true},
		{"备注", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, ok := matchHeader(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("matchHeader(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSplitList(t *testing.T) {
	got := splitList(" southern ;kczg_pilot；southern, central、\n ")
	want := []string{"southern", "kczg_pilot", "central"}
	if !slices.Equal(got, want) {
		t.Errorf("splitList = %q, want %q", got, want)
	}
	if got := splitList(""); len(got) != 0 {
		t.Errorf("splitList(\"\") = %q", got)
	}
}

func TestVocab(t *testing.T) {
	v := newVocab([]Type{{Code: "city", NameZH: "市级科协", NameEN: "City association"}},
		[]Group{{Code: "southern", NameZH: "苏南", NameEN: "Southern Jiangsu"}})
	for _, in := range []string{"city", "CITY", "市级科协", "city  association", "City Association"} {
		if c, ok := v.typeCode(in); !ok || c != "city" {
			t.Errorf("typeCode(%q) = %q, %v", in, c, ok)
		}
	}
	if _, ok := v.typeCode("town"); ok {
		t.Error("unknown type resolved")
	}
	if c, ok := v.groupCode("苏南"); !ok || c != "southern" {
		t.Errorf("groupCode(苏南) = %q, %v", c, ok)
	}
}

func TestReadTableCSV(t *testing.T) {
	lim := limits{rows: 3, bytes: 1 << 20, unzip: 1 << 20}
	text := "江苏省科协组织机构\n\n代码;类型;中文名称\n A1 ;city;甲\n\n A2;city;\"乙;丙\"\n"
	tb, p := readTable([]byte(text), "units.csv", lim)
	if p != nil {
		t.Fatalf("problem: %+v", p)
	}
	if tb.format != FormatCSV || tb.sheet != "units" {
		t.Errorf("format %q sheet %q", tb.format, tb.sheet)
	}
	lay, probs := findLayout(tb, "units.csv")
	if len(probs) != 0 || !lay.has(colCode) || lay.letter(colNameZH) != "C" || lay.has(colParent) {
		t.Fatalf("layout %+v, problems %+v", lay, probs)
	}
	if tb.rows[lay.header].num != 3 {
		t.Errorf("header on row %d, want 3", tb.rows[lay.header].num)
	}
	es, probs := parseRows(tb, lay, newVocab([]Type{{Code: "city"}}, nil))
	if len(probs) != 0 || len(es) != 2 {
		t.Fatalf("entries %+v problems %+v", es, probs)
	}
	if es[0].code != "A1" || es[1].row != 6 || es[1].nameZH != "乙;丙" {
		t.Errorf("entries %+v", es)
	}
	// more rows than the limit
	big := "code,type,name_zh\n" + strings.Repeat("x,city,y\n", 20)
	tb, p = readTable([]byte(big), "big.csv", lim)
	if p != nil || !tb.tooMany {
		t.Errorf("20 rows under a limit of 3: problem %+v, tooMany %v", p, tb.tooMany)
	}
}
