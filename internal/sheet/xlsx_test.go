package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// readAll reads every row of data.
func readAll(t testing.TB, data []byte, name string) (*Reader, []Row) {
	t.Helper()
	rd, p := Open(bytes.NewReader(data), int64(len(data)), name, Limits{})
	if p != nil {
		t.Fatalf("open: %+v", p)
	}
	var rows []Row
	for rd.Next() {
		rows = append(rows, rd.Row())
	}
	if p := rd.Problem(); p != nil {
		t.Fatalf("read: %+v", p)
	}
	return rd, rows
}

func workbookBytes(t testing.TB, x *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXAgainstExcelize reads random workbooks written by excelize, with
// shared strings, numbers and gaps, and compares every cell with what
// excelize's own Rows iterator reads.
func TestXLSXAgainstExcelize(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"南京", "Nanjing", " spaced ", "a&b<c>", "_x000D_", "320100", "0012", "2021/7/1", "是", "line\nbreak"}
	for round := range 20 {
		x := excelize.NewFile()
		sh := "数据 " + fmt.Sprint(round)
		if err := x.SetSheetName("Sheet1", sh); err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= 30; r++ {
			if rng.IntN(5) == 0 {
				continue // a gap
			}
			for c := 1; c <= 12; c++ {
				cell, _ := excelize.CoordinatesToCellName(c, r)
				switch rng.IntN(5) {
				case 0:
				case 1:
					_ = x.SetCellValue(sh, cell, words[rng.IntN(len(words))])
				case 2:
					_ = x.SetCellValue(sh, cell, rng.IntN(1_000_000))
				case 3:
					_ = x.SetCellValue(sh, cell, float64(rng.IntN(100000))/100)
				case 4:
					_ = x.SetCellValue(sh, cell, rng.IntN(2) == 0)
				}
			}
		}
		data := workbookBytes(t, x)
		rd, rows := readAll(t, data, "x.xlsx")
		if rd.Sheet() != sh || rd.Format() != FormatXLSX {
			t.Fatalf("sheet %q format %q", rd.Sheet(), rd.Format())
		}
		ex, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		it, err := ex.Rows(sh)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int][]string{}
		for _, r := range rows {
			got[r.Num] = r.Cells
		}
		for num := 1; it.Next(); num++ {
			want, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for len(want) > 0 && want[len(want)-1] == "" {
				want = want[:len(want)-1]
			}
			if !slices.Equal(got[num], want) {
				t.Fatalf("round %d row %d: read %q, excelize %q", round, num, got[num], want)
			}
			delete(got, num)
		}
		for num, cells := range got {
			if len(cells) > 0 {
				t.Fatalf("round %d: row %d read %q, excelize has no such row", round, num, cells)
			}
		}
		ex.Close()
	}
}

func TestXLSXKinds(t *testing.T) {
	x := excelize.NewFile()
	sh := "Sheet1"
	dateStyle, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	custom := "yyyy\"年\"m\"月\"d\"日\""
	cnDate, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	pct, _ := x.NewStyle(&excelize.Style{NumFmt: 10})
	money := "#,##0.00;[Red]-#,##0.00"
	moneyStyle, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &money})
	sci := "0.00E+00"
	sciStyle, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &sci})
	_ = x.SetCellValue(sh, "A1", time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC))
	_ = x.SetCellStyle(sh, "A1", "A1", dateStyle)
	_ = x.SetCellValue(sh, "B1", 44378)
	_ = x.SetCellStyle(sh, "B1", "B1", cnDate)
	_ = x.SetCellValue(sh, "C1", 0.698)
	_ = x.SetCellStyle(sh, "C1", "C1", pct)
	_ = x.SetCellValue(sh, "D1", 1234.5)
	_ = x.SetCellStyle(sh, "D1", "D1", moneyStyle)
	_ = x.SetCellValue(sh, "E1", 1234.5)
	_ = x.SetCellStyle(sh, "E1", "E1", sciStyle)
	_ = x.SetCellValue(sh, "F1", true)
	_ = x.SetCellFormula(sh, "G1", "SUM(D1:E1)")
	_ = x.SetCellValue(sh, "H1", "text")
	_, rows := readAll(t, workbookBytes(t, x), "k.xlsx")
	if len(rows) != 1 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	want := []struct {
		text string
		kind Kind
	}{{"44378", KindDate}, {"44378", KindDate}, {"0.698", KindPercent}, {"1234.5", KindNumber}, {"1234.5", KindNumber},
		{"1", KindBool}, {"", KindNoValue}, {"text", KindText}}
	for i, w := range want {
		if r.Cell(i) != w.text || r.Kind(i) != w.kind {
			t.Errorf("%s: %q kind %d, want %q kind %d", ColumnName(i), r.Cell(i), r.Kind(i), w.text, w.kind)
		}
	}
}

// handWorkbook is a workbook written by hand, for what excelize does not
// write: cached formula results, rich and phonetic text, ISO dates,
// errors, a prefixed namespace and cells without references.
func handWorkbook(t testing.TB, sheetXML string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	add("_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="活动" sheetId="1" r:id="rId7"/><x:sheet name="Other" sheetId="2" r:id="rId8"/></x:sheets></x:workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/b.xml"/><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/a.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>`)
	add("xl/strings.xml", `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>南京</t></si><si><r><t>玄</t></r><r><rPr><b/></rPr><t xml:space="preserve">武 </t></r><rPh sb="0" eb="1"><t>xuan</t></rPh></si></sst>`)
	add("xl/worksheets/a.xml", sheetXML)
	add("xl/worksheets/b.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXByHand(t *testing.T) {
	data := handWorkbook(t, `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:F9"/><x:sheetData>`+
		`<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>0</x:v></x:c><x:c><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c t="str"><x:f>A2&amp;B2</x:f><x:v>玄武 南京</x:v></x:c><x:c t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c><x:c r="F2"><x:f t="shared" si="0"/></x:c></x:row>`+
		`<x:row><x:c r="B3" t="d"><x:v>2021-07-01T12:00:00</x:v></x:c><x:c r="C3" t="inlineStr"><x:is><x:t>a_x000D_b</x:t></x:is></x:c><x:c r="D3" t="str"><x:f>""</x:f><x:v></x:v></x:c></x:row>`+
		`</x:sheetData></x:worksheet>`)
	rd, rows := readAll(t, data, "hand.xlsx")
	if rd.Sheet() != "活动" || !rd.Date1904() {
		t.Errorf("sheet %q date1904 %v", rd.Sheet(), rd.Date1904())
	}
	if len(rows) != 2 || rows[0].Num != 2 || rows[1].Num != 3 {
		t.Fatalf("rows %+v", rows)
	}
	if got := strings.Join(rows[0].Cells, "|"); got != "玄武 |南京|2|玄武 南京|#DIV/0!|" {
		t.Errorf("row 2: %q", got)
	}
	if k := rows[0].Kinds; k[2] != KindNumber || k[3] != KindText || k[4] != KindError || k[5] != KindNoValue {
		t.Errorf("row 2 kinds %v", k)
	}
	if rows[1].Cell(1) != "42916.5" || rows[1].Kind(1) != KindDate || rows[1].Cell(2) != "a\rb" || rows[1].Cell(3) != "" || rows[1].Kind(3) != KindText {
		t.Errorf("row 3: %q %v", rows[1].Cells, rows[1].Kinds)
	}
	if _, total := rd.Progress(); total != 9 {
		t.Errorf("total rows %d, want 9 from the dimension", total)
	}
	bad := map[string]string{
		"rows backwards":    `<worksheet><sheetData><row r="3"/><row r="2"/></sheetData></worksheet>`,
		"unknown string":    `<worksheet><sheetData><row r="1"><c t="s"><v>7</v></c></row></sheetData></worksheet>`,
		"cut short":         `<worksheet><sheetData><row r="1"><c t="s"><v>0</v>`,
		"cells backwards":   `<worksheet><sheetData><row r="1"><c r="C1"/><c r="B1"/></row></sheetData></worksheet>`,
		"cell in other row": `<worksheet><sheetData><row r="1"><c r="A2"/></row></sheetData></worksheet>`,
	}
	for name, xml := range bad {
		rd, p := Open(bytes.NewReader(handWorkbook(t, xml)), int64(len(handWorkbook(t, xml))), "bad.xlsx", Limits{})
		if p != nil {
			t.Fatalf("%s: open %+v", name, p)
		}
		for rd.Next() {
		}
		if p := rd.Problem(); p == nil || p.Key != "sheet.file.broken" {
			t.Errorf("%s: %+v", name, p)
		}
	}
}

func TestNumFmtKind(t *testing.T) {
	cases := map[string]Kind{
		"General": KindNumber, "0.00": KindNumber, "#,##0.00;[Red]-#,##0.00": KindNumber, "0.00E+00": KindNumber,
		"yyyy-mm-dd": KindDate, `yyyy"年"m"月"d"日"`: KindDate, "[$-804]aaaa": KindNumber, "[h]:mm": KindDate,
		"0.0%": KindPercent, `"d"0`: KindNumber, `\d0`: KindNumber, "hh:mm AM/PM": KindDate, "@": KindNumber,
	}
	for code, want := range cases {
		if got := numFmtKind(200, code); got != want {
			t.Errorf("numFmtKind(%q) = %d, want %d", code, got, want)
		}
	}
	if numFmtKind(14, "") != KindDate || numFmtKind(9, "") != KindPercent || numFmtKind(4, "") != KindNumber {
		t.Error("built-in formats")
	}
}

func TestAnnotate(t *testing.T) {
	x := excelize.NewFile()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"代码", "名称"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{"x", "y"})
	data := workbookBytes(t, x)
	var out bytes.Buffer
	probs := []Problem{{Sheet: "Sheet1", Row: 2, Column: "B", Header: "名称", Key: "k"}, {Sheet: "Sheet1", Row: 3, Key: "row"}, {Key: "file"}}
	if err := Annotate(data, probs, func(p Problem) string { return "msg " + p.Key }, &out, 0); err != nil {
		t.Fatal(err)
	}
	y, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	comments, _ := y.GetComments("Sheet1")
	texts := map[string]string{}
	for _, c := range comments {
		for _, p := range c.Paragraph {
			texts[c.Cell] += p.Text
		}
	}
	if !strings.Contains(texts["B2"], "名称: msg k") || !strings.Contains(texts["A3"], "msg row") || len(texts) != 2 {
		t.Errorf("comments %v", texts)
	}
	st, _ := y.GetCellStyle("Sheet1", "B2")
	style, _ := y.GetStyle(st)
	if style == nil || len(style.Fill.Color) == 0 || style.Fill.Color[0] != "FFC7CE" {
		t.Errorf("B2 not red: %+v", style)
	}
	if err := Annotate([]byte("a,b"), probs, nil, &out, 0); err != ErrNothingToAnnotate {
		t.Errorf("CSV annotated: %v", err)
	}
}
