package unit

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzImportCSV feeds any bytes to the reading half of an import (format
// detection, decoding, CSV, header, cell normalisation): it must never
// panic, and what it accepts must be normalised.
func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("代码,上级代码,类型,中文名称,英文名称,成立日期,撤销日期,分组\n320100,320000,city,南京市科协,Nanjing,2021/7/1,,southern;central\n"))
	f.Add([]byte("\xEF\xBB\xBFcode\tparent\ttype\tname_zh\nＡ１\t320000\t市级科协\t\"甲\n乙\"\n"))
	f.Add([]byte("title\n\nType;Code;Opened on\ncounty;X;44378\n"))
	types, err := BuiltinTypes()
	if err != nil {
		f.Fatal(err)
	}
	v := newVocab(types, []Group{{Code: "southern", NameZH: "苏南"}, {Code: "central", NameZH: "苏中"}})
	lim := limits{rows: 200, bytes: 1 << 20, unzip: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, p := readTable(data, "fuzz.csv", lim)
		if p != nil {
			if p.Key == "" {
				t.Fatalf("problem without a key: %+v", p)
			}
			return
		}
		if len(tb.rows) > lim.rows+headerSearch+1 {
			t.Fatalf("%d rows kept over a limit of %d", len(tb.rows), lim.rows)
		}
		lay, probs := findLayout(tb, "fuzz.csv")
		if !lay.has(colCode) {
			if len(probs) == 0 {
				t.Fatal("no code column and no problem")
			}
			return
		}
		entries, probs := parseRows(tb, lay, v)
		for _, pr := range probs {
			if pr.Key == "" || (pr.Row > 0 && pr.Sheet == "") {
				t.Fatalf("problem without its place: %+v", pr)
			}
		}
		last := 0
		for _, e := range entries {
			if e.row <= last {
				t.Fatalf("rows out of order: %d after %d", e.row, last)
			}
			last = e.row
			if strings.ContainsFunc(e.code, isWide) || e.code != strings.TrimSpace(e.code) {
				t.Fatalf("code not normalised: %q", e.code)
			}
			for _, d := range []string{e.openedOn, e.closedOn} {
				if d != "" {
					if _, err := time.Parse(time.DateOnly, d); err != nil {
						t.Fatalf("date %q: %v", d, err)
					}
				}
			}
			if !e.bad[colType] && e.typ != "" {
				if _, ok := v.typeCode(e.typ); !ok {
					t.Fatalf("type %q accepted but unknown", e.typ)
				}
			}
			if !utf8.ValidString(e.nameZH) {
				t.Fatalf("name not UTF-8: %q", e.nameZH)
			}
		}
	})
}

// FuzzNormalizeCell checks the cell normalisers: no panic, dates come out
// as valid 2006-01-02 and read back as themselves, codes are folded once
// and for all.
func FuzzNormalizeCell(f *testing.F) {
	for _, s := range []string{"2021-07-01", "2021年7月1日", "44378", "44378.5", "２０２１／７／１", "20210230", "60", "ＥＮＴ９０１", " 320100.0 ", "代码 / Code"} {
		f.Add(s, false)
	}
	f.Add("42916", true)
	f.Fuzz(func(t *testing.T, s string, date1904 bool) {
		d, ok := normalizeDate(s, date1904)
		if ok && d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				t.Fatalf("normalizeDate(%q) = %q: %v", s, d, err)
			}
			if again, ok := normalizeDate(d, date1904); !ok || again != d {
				t.Fatalf("normalizeDate(%q) = %q, which reads back as %q, %v", s, d, again, ok)
			}
		}
		if !ok && d != "" {
			t.Fatalf("normalizeDate(%q) refused but returned %q", s, d)
		}
		c := normalizeCode(s)
		if strings.ContainsFunc(c, isWide) || normalizeCode(c) != c {
			t.Fatalf("normalizeCode(%q) = %q, not normalised", s, c)
		}
		for _, item := range splitList(s) {
			if item == "" || strings.ContainsAny(item, ";；,，、\n") {
				t.Fatalf("splitList(%q) holds %q", s, item)
			}
		}
		_, _ = matchHeader(s)
	})
}
