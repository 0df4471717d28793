package unit_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kexie/internal/app"
	"kexie/internal/audit"
	"kexie/internal/demo"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// sheetProvince returns the app over db with the demo province loaded.
func sheetProvince(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, a.Units, a.Auth, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

// sheetCount counts every unit, closed ones included.
func sheetCount(t *testing.T, a *app.App) int {
	t.Helper()
	p, err := a.Units.List(context.Background(), unit.Everything(), unit.Filter{Closed: true, PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func sheetExport(t *testing.T, a *app.App, s unit.Scope, f unit.Filter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := a.Units.Export(context.Background(), s, f, &buf, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sheetEdit opens a workbook, lets fn change its first sheet and returns it.
func sheetEdit(t *testing.T, data []byte, fn func(x *excelize.File, sheet string)) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	fn(x, x.GetSheetList()[0])
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sheetFindRow returns the row number of code in the first column.
func sheetFindRow(t *testing.T, x *excelize.File, sheet, code string) int {
	t.Helper()
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == code {
			return i + 1
		}
	}
	t.Fatalf("%s not in the sheet", code)
	return 0
}

func sheetProblems(t *testing.T, err error) []unit.Problem {
	t.Helper()
	var ip *unit.ImportProblems
	if !errors.As(err, &ip) {
		t.Fatalf("want import problems, got %v", err)
	}
	if !errors.Is(err, fault.ErrInvalid) {
		t.Error("import problems do not unwrap to ErrInvalid")
	}
	return ip.Problems
}

func sheetImport(a *app.App, acc unit.Access, data []byte, name string, dry bool) (unit.ImportResult, error) {
	return a.Units.Import(context.Background(), acc, bytes.NewReader(data), unit.ImportOptions{FileName: name, DryRun: dry})
}

func TestSheetExportWorkbook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		data := sheetExport(t, a, unit.Everything(), unit.Filter{})
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if !slices.Equal(sheets, []string{"组织机构", "说明 Instructions"}) {
			t.Fatalf("sheets %v", sheets)
		}
		rows, err := x.GetRows(sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		wantHead := []string{"代码 / Code", "上级代码 / Parent code", "类型 / Type", "中文名称 / Chinese name",
			"英文名称 / English name", "成立日期 / Opened on", "撤销日期 / Closed on", "分组 / Groups"}
		if !slices.Equal(rows[0], wantHead) {
			t.Errorf("header %q", rows[0])
		}
		if n := sheetCount(t, a); len(rows)-1 != n {
			t.Errorf("%d data rows for %d open units", len(rows)-1, n)
		}
		if rows[1][0] != "320000" || rows[2][0] != "320100" || rows[2][1] != "320000" || rows[2][7] != "southern" {
			t.Errorf("rows in tree order with parent and groups: %q %q", rows[1], rows[2])
		}
		panes, err := x.GetPanes(sheets[0])
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("header not frozen: %+v %v", panes, err)
		}
		dvs, err := x.GetDataValidations(sheets[0])
		if err != nil || len(dvs) != 1 || !strings.HasPrefix(dvs[0].Sqref, "C2:") || !strings.Contains(dvs[0].Formula1, "说明 Instructions") {
			t.Errorf("type drop-down: %+v %v", dvs, err)
		}
		if w, _ := x.GetColWidth(sheets[0], "D"); w < 20 {
			t.Errorf("name column width %v", w)
		}
		help, _ := x.GetRows(sheets[1])
		var text strings.Builder
		for _, r := range help {
			text.WriteString(strings.Join(r, "|") + "\n")
		}
		for _, want := range []string{"county|县级科协|County association", "southern|苏南", "分组 / Groups", "Parent code"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("instructions lack %q", want)
			}
		}
		// a filter and a scope narrow the export, across pages
		part := sheetExport(t, a, unit.Subtrees("/320000/320100/"), unit.Filter{Type: "county"})
		px, _ := excelize.OpenReader(bytes.NewReader(part))
		prow, _ := px.GetRows(px.GetSheetList()[0])
		if len(prow) < 2 {
			t.Fatal("no counties of Nanjing")
		}
		for _, r := range prow[1:] {
			if r[2] != "county" || r[1] != "320100" {
				t.Errorf("Nanjing counties export holds %q", r)
			}
		}
	})
}

func TestSheetImportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		ctx := context.Background()
		total := sheetCount(t, a)
		data := sheetExport(t, a, unit.Everything(), unit.Filter{})

		for i := range 2 {
			res, err := sheetImport(a, unit.System(), data, "units.xlsx", false)
			if err != nil {
				t.Fatalf("import %d: %v", i, err)
			}
			if res.Created != 0 || res.Updated != 0 || res.Unchanged != total {
				t.Errorf("import %d of the export: %+v, want all %d unchanged", i, res, total)
			}
		}

		// one name edited: one update, audited
		edited := sheetEdit(t, data, func(x *excelize.File, sh string) {
			r := sheetFindRow(t, x, sh, "320102")
			_ = x.SetCellValue(sh, fmt.Sprintf("D%d", r), "玄武区科协（新）  ")
		})
		res, err := sheetImport(a, unit.System(), edited, "edited.xlsx", false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 0 || res.Updated != 1 || res.Unchanged != total-1 {
			t.Errorf("after one edit: %+v", res)
		}
		u, err := a.Units.Get(ctx, unit.Everything(), "320102")
		if err != nil || u.NameZH != "玄武区科协（新）" {
			t.Errorf("edited unit: %+v %v", u, err)
		}
		entries, err := a.Audit.List(ctx, unit.Everything().Cond, audit.Filter{Limit: 500, Entity: "unit_sheet"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 || !strings.Contains(string(entries[0].After), `"updated":1`) || !strings.Contains(string(entries[0].After), res.SHA256) {
			t.Errorf("import audit entries: %d, last %s", len(entries), entries[0].After)
		}
		// the same edited file again: nothing
		if res, err := sheetImport(a, unit.System(), edited, "edited.xlsx", false); err != nil || res.Updated != 0 || res.Unchanged != total {
			t.Errorf("edited file again: %+v %v", res, err)
		}
	})
}

func TestSheetImportCreates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		ctx := context.Background()
		before := sheetCount(t, a)
		data := sheetEdit(t, sheetExport(t, a, unit.Everything(), unit.Filter{Under: "320100"}), func(x *excelize.File, sh string) {
			rows, _ := x.GetRows(sh)
			n := len(rows) + 1
			// the child comes before its parent; codes typed full-width,
			// a type by its Chinese name, dates as text and as a serial
			_ = x.SetSheetRow(sh, fmt.Sprintf("A%d", n), &[]any{"ＮＥＷ２", "NEW1", "企业科协", "新企业科协 ", "", "2021/7/1", "", "southern；central"})
			_ = x.SetSheetRow(sh, fmt.Sprintf("A%d", n+1), &[]any{" NEW1", "320102", "Rural technical association", "新农技协", "New rural association", 44378, "", ""})
			_ = x.SetSheetRow(sh, fmt.Sprintf("A%d", n+3), &[]any{"NEW3", "NEW2", "museum", "新科技馆", "", "2021年7月1日", "", ""})
		})
		res, err := sheetImport(a, unit.Access{Read: unit.Subtrees("/320000/320100/"), Write: unit.Subtrees("/320000/320100/")}, data, "new.xlsx", false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 3 || res.Updated != 0 {
			t.Errorf("created %+v", res)
		}
		if got := sheetCount(t, a); got != before+3 {
			t.Errorf("%d units after, %d before", got, before)
		}
		u, err := a.Units.Get(ctx, unit.Everything(), "NEW3")
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/320000/320100/320102/NEW1/NEW2/NEW3/" || u.OpenedOn != "2021-07-01" || u.Type != "museum" {
			t.Errorf("NEW3: %+v", u)
		}
		u, _ = a.Units.Get(ctx, unit.Everything(), "NEW2")
		if u.Type != "enterprise" || u.NameZH != "新企业科协" || !slices.Equal(u.Groups, []string{"central", "southern"}) || u.OpenedOn != "2021-07-01" {
			t.Errorf("NEW2: %+v", u)
		}
		u, _ = a.Units.Get(ctx, unit.Everything(), "NEW1")
		if u.Type != "rural" || u.OpenedOn != "2021-07-01" {
			t.Errorf("NEW1: %+v", u)
		}
		entries, _ := a.Audit.List(ctx, unit.Everything().Cond, audit.Filter{Limit: 500, Entity: "unit"})
		created := 0
		for _, e := range entries {
			if e.Action == "create" && strings.HasPrefix(e.EntityID, "NEW") {
				created++
			}
		}
		if created != 3 {
			t.Errorf("%d create entries for 3 units", created)
		}
	})
}

func TestSheetImportProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		before := sheetCount(t, a)
		// header in another order and language, an ignored column, and rows
		// each wrong in its own way; the good rows must not be written either
		csv := strings.Join([]string{
			"Type,Code,Parent code,Chinese name,Opened on,Groups,备注",
			"city,OK1,320100,好的,,,",                                  // 2 fine alone
			"town,BAD1,320100,坏类型,,,",                                // 3 unknown type
			"county,BAD2,320100,坏日期,2021-02-30,,",                    // 4 bad date
			"county,BAD3,320100,坏分组,,nosuch,",                        // 5 unknown group
			"county,OK1,320100,重复,,,",                                // 6 duplicate code
			"county,320102,320300,移动,,,",                             // 7 a move
			"county,CYC1,CYC2,循环一,,,",                                // 8 cycle
			"county,CYC2,CYC1,循环二,,,",                                // 9 cycle
			"county,BAD4,320100,,,,",                                 // 10 missing name
			"county,BAD5,NOSUCH,无上级,,,",                              // 11 unknown parent
			",,,,,,只有备注",                                             // 12 skipped
			"county,坏 代码,320100,坏代码,,,",                              // 13 invalid code
			"county,BAD6,320100,已撤销,,," + "",                         // 14 fine
			"county,BAD7,320100," + strings.Repeat("长", 101) + ",,,", // 15 too long
		}, "\n")
		_, err := sheetImport(a, unit.System(), []byte(csv), "bad.csv", false)
		probs := sheetProblems(t, err)
		type where struct {
			row    int
			column string
			key    string
		}
		want := []where{
			{3, "A", "unit.type.unknown"},
			{4, "E", "error.date"},
			{5, "F", "unit.group.unknown"},
			{6, "B", "sheet.code.duplicate"},
			{7, "C", "sheet.parent.move"},
			{8, "C", "sheet.parent.cycle"},
			{9, "C", "sheet.parent.cycle"},
			{10, "D", "error.required"},
			{11, "C", "unit.parent.unknown"},
			{13, "B", "unit.code.invalid"},
			{15, "D", "error.too_long"},
		}
		var got []where
		for _, p := range probs {
			got = append(got, where{p.Row, p.Column, p.Key})
			if p.Sheet != "bad" || p.Header == "" {
				t.Errorf("problem without its place: %+v", p)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("problems\n got %v\nwant %v", got, want)
		}
		for _, p := range probs {
			switch p.Key {
			case "unit.type.unknown":
				if p.Value != "town" || p.Header != "类型 / Type" || p.Cell() != "bad!A3" {
					t.Errorf("type problem %+v at %s", p, p.Cell())
				}
			case "sheet.code.duplicate":
				if p.Args["row"] != 2 {
					t.Errorf("duplicate points at row %v", p.Args["row"])
				}
			case "sheet.parent.cycle":
				if !strings.Contains(fmt.Sprint(p.Args["chain"]), "CYC1 → CYC2 → CYC1") && !strings.Contains(fmt.Sprint(p.Args["chain"]), "CYC2 → CYC1 → CYC2") {
					t.Errorf("cycle chain %v", p.Args["chain"])
				}
			}
		}
		if got := sheetCount(t, a); got != before {
			t.Errorf("a refused import wrote: %d units, %d before", got, before)
		}
		if _, err := a.Units.Get(context.Background(), unit.Everything(), "OK1"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("the good row of a refused file was written: %v", err)
		}
	})
}

func TestSheetImportScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		nanjing := unit.Access{Read: unit.Subtrees("/320000/320100/"), Write: unit.Subtrees("/320000/320100/")}
		before := sheetCount(t, a)
		csv := "代码,上级代码,类型,中文名称\n" +
			"ENT1,320102,enterprise,本市企业\n" + // fine
			"ENT2,320300,enterprise,外市企业\n" + // Xuzhou: not Nanjing's to write under
			"320302,320300,county,徐州某区\n" + // another scope's code: taken, nothing more
			"320102,320100,county,玄武区科学技术协会\n" // Nanjing's own: unchanged
		_, err := sheetImport(a, nanjing, []byte(csv), "scope.csv", false)
		probs := sheetProblems(t, err)
		if len(probs) != 2 {
			t.Fatalf("problems %+v", probs)
		}
		if p := probs[0]; p.Row != 3 || p.Column != "B" || p.Key != "unit.parent.unknown" {
			t.Errorf("out-of-scope parent: %+v", p)
		}
		if p := probs[1]; p.Row != 4 || p.Column != "A" || p.Key != "unit.code.taken" {
			t.Errorf("other scope's code: %+v", p)
		}
		if got := sheetCount(t, a); got != before {
			t.Errorf("wrote %d units", got-before)
		}
		// readable but not writable: a change is refused, the same row unchanged is fine
		viewer := unit.Access{Read: unit.Everything(), Write: unit.Subtrees("/320000/320100/")}
		csv = "代码,上级代码,类型,中文名称\n320300,320000,city,徐州市科学技术协会\n"
		if res, err := sheetImport(a, viewer, []byte(csv), "same.csv", false); err != nil || res.Unchanged != 1 {
			t.Errorf("unchanged row of a readable unit: %+v %v", res, err)
		}
		csv = "代码,上级代码,类型,中文名称\n320300,320000,city,徐州市科协\n"
		_, err = sheetImport(a, viewer, []byte(csv), "change.csv", false)
		if probs := sheetProblems(t, err); len(probs) != 1 || probs[0].Key != "sheet.unit.forbidden" {
			t.Errorf("change outside write scope: %+v", probs)
		}
	})
}

func TestSheetImportDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		ctx := context.Background()
		before := sheetCount(t, a)
		csv := "code,parent,type,name_zh\nDRY1,320100,enterprise,试运行\n320102,320100,county,玄武区改名\n"
		res, err := sheetImport(a, unit.System(), []byte(csv), "dry.csv", true)
		if err != nil {
			t.Fatal(err)
		}
		if !res.DryRun || res.Created != 1 || res.Updated != 1 {
			t.Errorf("dry run result %+v", res)
		}
		if got := sheetCount(t, a); got != before {
			t.Errorf("dry run created %d units", got-before)
		}
		if u, _ := a.Units.Get(ctx, unit.Everything(), "320102"); u.NameZH != "玄武区科学技术协会" {
			t.Errorf("dry run renamed: %q", u.NameZH)
		}
		if es, _ := a.Audit.List(ctx, unit.Everything().Cond, audit.Filter{Limit: 500, Entity: "unit_sheet"}); len(es) != 0 {
			t.Errorf("dry run audited %d imports", len(es))
		}
	})
}

func TestSheetImportCSVEncodings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		ctx := context.Background()
		text := "代码,上级代码,类型,中文名称,成立日期,分组\r\nGB1,320100,企业科协,国标企业科协,2021年7月1日,苏南\r\n"
		gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
		if err != nil {
			t.Fatal(err)
		}
		res, err := sheetImport(a, unit.System(), []byte(gb), "gb.csv", false)
		if err != nil || res.Created != 1 || res.Format != unit.FormatCSV {
			t.Fatalf("GB18030: %+v %v", res, err)
		}
		u, err := a.Units.Get(ctx, unit.Everything(), "GB1")
		if err != nil || u.NameZH != "国标企业科协" || u.OpenedOn != "2021-07-01" || !slices.Equal(u.Groups, []string{"southern"}) {
			t.Errorf("GB1: %+v %v", u, err)
		}
		bom := "\xEF\xBB\xBF" + strings.ReplaceAll(strings.ReplaceAll(text, "GB1", "U81"), "国标", "统一码")
		if res, err := sheetImport(a, unit.System(), []byte(bom), "bom.csv", false); err != nil || res.Created != 1 {
			t.Errorf("UTF-8 with BOM: %+v %v", res, err)
		}
		if u, err := a.Units.Get(ctx, unit.Everything(), "U81"); err != nil || u.NameZH != "统一码企业科协" {
			t.Errorf("U81: %+v %v", u, err)
		}
	})
}

func TestSheetImportBadFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		before := sheetCount(t, a)
		one := func(name string, data []byte, key string) {
			t.Helper()
			_, err := sheetImport(a, unit.System(), data, name, false)
			probs := sheetProblems(t, err)
			if len(probs) != 1 || probs[0].Key != key {
				t.Errorf("%s: problems %+v, want one %s", name, probs, key)
			}
		}
		one("notes.xlsx", []byte("these are my notes, not a spreadsheet\nsecond line\n"), "sheet.file.not_xlsx")
		one("notes.txt", []byte("these are my notes, not a spreadsheet\n"), "sheet.header.missing")
		one("empty.xlsx", nil, "sheet.file.empty")
		one("binary.xlsx", []byte{0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00}, "sheet.file.not_xlsx")
		one("old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "sheet.file.xls")
		one("broken.xlsx", []byte("PK\x03\x04 and then nothing a zip needs"), "sheet.file.broken")
		one("header.csv", []byte("代码,类型\n"), "sheet.rows.none")
		if got := sheetCount(t, a); got != before {
			t.Errorf("bad files wrote %d units", got-before)
		}
	})
}

// sheetZipBomb is a workbook whose sheet inflates to size bytes of padding; if
// lie, its header declares a small size.
func sheetZipBomb(t *testing.T, size int64, lie bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	small := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	small("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	small("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	small("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	small("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	// deflate the padding ourselves so that the header can say anything
	var body bytes.Buffer
	fw := zip.NewWriter(&body)
	w, _ := fw.Create("x")
	head := `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>`
	_, _ = w.Write([]byte(head))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for n := int64(0); n < size; n += int64(len(chunk)) {
		_, _ = w.Write(chunk)
	}
	_, _ = w.Write([]byte(`</sheetData></worksheet>`))
	_ = fw.Close()
	zr, err := zip.NewReader(bytes.NewReader(body.Bytes()), int64(body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	fh := zr.File[0].FileHeader
	fh.Name = "xl/worksheets/sheet1.xml"
	if lie {
		fh.UncompressedSize64 = 4096
	}
	rw, err := zw.CreateRaw(&fh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(rw, raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSheetImportZipBomb(t *testing.T) {
	bombs := map[bool][]byte{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetProvince(t, db)
		before := sheetCount(t, a)
		for _, lie := range []bool{false, true} {
			bomb := bombs[lie]
			if bomb == nil {
				bomb = sheetZipBomb(t, 256<<20, lie) // 256 MiB of padding in about 256 KB
				bombs[lie] = bomb
			}
			if len(bomb) > 8<<20 {
				t.Fatalf("bomb of %d bytes", len(bomb))
			}
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			_, err := sheetImport(a, unit.System(), bomb, "bomb.xlsx", false)
			runtime.ReadMemStats(&m1)
			probs := sheetProblems(t, err)
			want := "sheet.file.unzip_limit"
			if lie {
				want = "sheet.file.broken" // the zip reader stops at the declared size
			}
			if len(probs) != 1 || probs[0].Key != want {
				t.Errorf("bomb (lying %v): %+v, want %s", lie, probs, want)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 256<<20 {
				t.Errorf("bomb (lying %v) cost %d MB of allocations", lie, alloc>>20)
			}
		}
		if got := sheetCount(t, a); got != before {
			t.Errorf("bomb wrote %d units", got-before)
		}
	})
}
