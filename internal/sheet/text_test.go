package sheet

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// readText reads data through a textReader and checks every line as a
// cell would be checked.
func readText(data []byte) (string, bool) {
	t := newTextReader(bytes.NewReader(data))
	b, err := io.ReadAll(t)
	if err != nil {
		return "", false
	}
	s := string(b)
	for _, line := range strings.Split(s, "\n") {
		if !textOK(line, t.encoding) {
			return "", false
		}
	}
	return s, true
}

func TestTextReader(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().String("代码,类型\n320100,市级科协\n")
	if err != nil {
		t.Fatal(err)
	}
	// ASCII for longer than the decision window, then GB18030
	lateGB, _ := simplifiedchinese.GB18030.NewEncoder().String(strings.Repeat("a,b\n", 40_000) + "南京,c\n")
	lateUTF8 := strings.Repeat("a,b\n", 40_000) + "南京,c\n"
	cases := []struct {
		name string
		in   []byte
		want string
		ok   bool
	}{
		{"utf-8", []byte("代码,类型\n"), "代码,类型\n", true},
		{"utf-8 bom", []byte("\xEF\xBB\xBF代码\n"), "代码\n", true},
		{"gb18030", []byte(gb), "代码,类型\n320100,市级科协\n", true},
		{"utf-16le bom", []byte{0xFF, 0xFE, 'a', 0, '\t', 0, 'b', 0}, "a\tb", true},
		{"late gb18030", []byte(lateGB), lateUTF8, true},
		{"late utf-8", []byte(lateUTF8), lateUTF8, true},
		{"binary", []byte{0, 1, 2, 3, 0xFF}, "", false},
		{"nul", []byte("a\x00b"), "", false},
		{"cut utf-8", []byte("南京\xE4"), "", false},
	}
	for _, c := range cases {
		got, ok := readText(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%s: read %q, %v; want %q, %v", c.name, truncate(got), ok, truncate(c.want), c.ok)
		}
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-20:]
	}
	return s
}

func TestCSVRowNumbers(t *testing.T) {
	text := "title\n\n代码;类型;中文名称\n A1 ;city;甲\n\n\n A2;city;\"乙\n丙\"\nA3;x;y\r\n\r\nA4;z;w"
	rd, p := Open(strings.NewReader(text), int64(len(text)), "units.csv", Limits{})
	if p != nil {
		t.Fatal(p)
	}
	if rd.Format() != FormatCSV || rd.Sheet() != "units" {
		t.Errorf("format %q sheet %q", rd.Format(), rd.Sheet())
	}
	var nums []int
	var last Row
	for rd.Next() {
		nums = append(nums, rd.Row().Num)
		last = rd.Row()
	}
	if rd.Problem() != nil {
		t.Fatal(rd.Problem())
	}
	// Excel: the quoted line break stays in its cell, so A3 is on row 8
	want := []int{1, 3, 4, 7, 8, 10}
	if len(nums) != len(want) {
		t.Fatalf("rows %v, want %v", nums, want)
	}
	for i := range want {
		if nums[i] != want[i] {
			t.Fatalf("rows %v, want %v", nums, want)
		}
	}
	if last.Cell(0) != "A4" || last.Cell(2) != "w" || last.Cell(5) != "" {
		t.Errorf("last row %+v", last)
	}
	if done, total := rd.Progress(); done != 6 || total != 6 {
		t.Errorf("progress %d/%d", done, total)
	}
}

func TestOpenRefuses(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		key  string
	}{
		{"empty.csv", nil, "sheet.file.empty"},
		{"old.xls", append(append([]byte{}, oleMagic...), make([]byte, 100)...), "sheet.file.xls"},
		{"broken.xlsx", []byte("PK\x03\x04 and then nothing a zip needs"), "sheet.file.broken"},
	}
	for _, c := range cases {
		_, p := Open(bytes.NewReader(c.data), int64(len(c.data)), c.name, Limits{})
		if p == nil || p.Key != c.key {
			t.Errorf("%s: %+v, want %s", c.name, p, c.key)
		}
	}
	big := bytes.Repeat([]byte("a,b\n"), 1000)
	if _, p := Open(bytes.NewReader(big), int64(len(big)), "big.csv", Limits{Bytes: 100}); p == nil || p.Key != "sheet.file.too_large" {
		t.Errorf("too large: %+v", p)
	}
	for name, key := range map[string]string{"notes.xlsx": "sheet.file.not_xlsx", "notes.csv": "sheet.file.unreadable"} {
		data := []byte("a,b\nc,\x01\n")
		rd, p := Open(bytes.NewReader(data), int64(len(data)), name, Limits{})
		if p != nil {
			t.Fatal(p)
		}
		for rd.Next() {
		}
		if p := rd.Problem(); p == nil || p.Key != key {
			t.Errorf("%s: %+v, want %s", name, p, key)
		}
	}
}

func TestColumnNames(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", i, got, want)
		}
		if got := ColumnIndex(want); got != i {
			t.Errorf("ColumnIndex(%s) = %d, want %d", want, got, i)
		}
	}
	for _, bad := range []string{"", "1", "A1", "ABCD"} {
		if ColumnIndex(bad) != -1 {
			t.Errorf("ColumnIndex(%q) accepted", bad)
		}
	}
}

func TestHeaders(t *testing.T) {
	h := Headers{}
	h.Add(0, "代码", "Code", "code", "单位代码")
	h.Add(1, "名称", "Title", "title")
	for in, want := range map[string]int{"代码 / Code": 0, " CODE ": 0, "Code|代码": 0, "名称 / Title *": 1, "名称（必填）": 1, "*名称": 1, "title\n名称": 1} {
		if got, ok := h.Match(in); !ok || got != want {
			t.Errorf("Match(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	if _, ok := h.Match("备注"); ok {
		t.Error("备注 matched")
	}
	rows := []Row{{Num: 1, Cells: []string{"台账"}}, {Num: 3, Cells: []string{"名称", "代码", "", "Title"}}}
	lay, probs, ok := FindLayout("S", rows, h, 2, 0, func(c int) string { return []string{"代码 / Code", "名称 / Title"}[c] })
	if !ok || lay.Header != 1 || lay.Letter(0) != "B" || lay.Letter(1) != "A" {
		t.Fatalf("layout %+v %v", lay, ok)
	}
	if len(probs) != 1 || probs[0].Column != "D" || probs[0].Args["other"] != "A" || probs[0].Row != 3 {
		t.Errorf("problems %+v", probs)
	}
}
