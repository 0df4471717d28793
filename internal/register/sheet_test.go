package register_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kexie/internal/app"
	"kexie/internal/register"
	"kexie/internal/sheet"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// activities is the register the spreadsheet tests fill.
func activities() register.Schema {
	return register.Schema{Code: "sheet_acts", NameZH: "科普活动", NameEN: "Activities", UnitTypes: []string{"city", "county"},
		DateField: "held_on", NaturalKey: []string{"title", "held_on"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "活动名称", NameEN: "Title", Required: true, MaxLength: 100},
			{Code: "held_on", Type: register.TypeDate, NameZH: "举办日期", NameEN: "Held on", Required: true},
			{Code: "mode", Type: register.TypeOption, NameZH: "形式", NameEN: "Mode", Options: []register.Option{
				{Code: "online", NameZH: "线上", NameEN: "Online"}, {Code: "offline", NameZH: "线下", NameEN: "Offline"},
				{Code: "hybrid", NameZH: "混合（线上、线下）", NameEN: "Hybrid (online, offline)"}}},
			{Code: "participants", Type: register.TypeInteger, NameZH: "参与人次", NameEN: "Participants", Min: "0"},
			{Code: "budget", Type: register.TypeMoney, NameZH: "经费", NameEN: "Budget"},
			{Code: "rate", Type: register.TypePercent, NameZH: "满意度", NameEN: "Satisfaction"},
			{Code: "public", Type: register.TypeBoolean, NameZH: "公开", NameEN: "Public"},
			{Code: "contact", Type: register.TypeMobile, NameZH: "联系电话", NameEN: "Contact", Sensitive: true},
			{Code: "tags", Type: register.TypeOptions, NameZH: "主题", NameEN: "Topics", Options: []register.Option{
				{Code: "health", NameZH: "健康", NameEN: "Health"}, {Code: "space", NameZH: "航天", NameEN: "Space"},
				{Code: "kids", NameZH: "青少年（中、小学）", NameEN: "Pupils"}}},
			{Code: "started", Type: register.TypeDateTime, NameZH: "开始时间", NameEN: "Started at"},
			{Code: "per_head", Type: register.TypeDecimal, NameZH: "人均经费", NameEN: "Per head", Scale: 2,
				Compute: "participants > 0 ? budget / participants : 0"},
		}}
}

// sheetApp is an app with a small province and the activities register.
func sheetApp(t testing.TB, db *store.DB) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []unit.Create{
		{Code: "320000", Type: "province", NameZH: "江苏省科协"},
		{Code: "320100", Parent: "320000", Type: "city", NameZH: "南京市科协"},
		{Code: "320102", Parent: "320100", Type: "county", NameZH: "玄武区科协"},
		{Code: "320104", Parent: "320100", Type: "county", NameZH: "秦淮区科协"},
		{Code: "320300", Parent: "320000", Type: "city", NameZH: "徐州市科协"},
	} {
		if _, err := a.Units.Create(ctx, unit.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Registers.Define(ctx, activities(), register.Migration{}, false); err != nil {
		t.Fatal(err)
	}
	return a
}

func importFile(a *app.App, acc register.Access, data []byte, name string, opts register.ImportOptions) (register.ImportResult, error) {
	opts.FileName = name
	return a.Registers.Import(context.Background(), acc, "sheet_acts", bytes.NewReader(data), int64(len(data)), opts)
}

func refused(t *testing.T, err error) []sheet.Problem {
	t.Helper()
	var r *sheet.Refused
	if !errors.As(err, &r) {
		t.Fatalf("want a refused import, got %v", err)
	}
	return r.Problems
}

func countRecords(t *testing.T, a *app.App) int {
	t.Helper()
	_, page, err := a.Registers.ListRecords(context.Background(), unit.Everything(), "sheet_acts", register.Filter{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

// fill writes rows below the header of a workbook's first sheet.
func fill(t *testing.T, data []byte, rows [][]any) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sh := x.GetSheetList()[0]
	start := 2
	if got, _ := x.GetRows(sh); len(got) > 0 {
		start = len(got) + 1
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, start+i)
		if err := x.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func header(t *testing.T, data []byte) []string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetList()[0])
	if err != nil || len(rows) == 0 {
		t.Fatalf("no header: %v", err)
	}
	return rows[0]
}

func TestSheetTemplateRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := sheetApp(t, db)
		var tpl bytes.Buffer
		if err := a.Registers.Template(ctx, "sheet_acts", &tpl, "zh-CN"); err != nil {
			t.Fatal(err)
		}
		head := header(t, tpl.Bytes())
		want := []string{"单位代码 / Unit code *", "单位名称 / Unit name", "活动名称 / Title *", "举办日期 / Held on *", "形式 / Mode"}
		if !slices.Equal(head[:5], want) || head[len(head)-1] != "状态 / Status" {
			t.Fatalf("template header %q", head)
		}
		x, _ := excelize.OpenReader(bytes.NewReader(tpl.Bytes()))
		if sheets := x.GetSheetList(); len(sheets) != 3 || sheets[0] != "科普活动" || sheets[1] != "说明 Instructions" {
			t.Errorf("sheets %q", sheets)
		}
		dvs, _ := x.GetDataValidations("科普活动")
		lists := 0
		for _, dv := range dvs {
			if dv.Type == "list" {
				lists++
			}
		}
		if lists != 2 { // mode, public
			t.Errorf("%d drop-down lists, want 2", lists)
		}
		instr, _ := x.GetRows("说明 Instructions")
		if !strings.Contains(fmt.Sprint(instr), "线上") || !strings.Contains(fmt.Sprint(instr), "手机号") {
			t.Errorf("instructions lack options or types: %q", instr)
		}
		x.Close()

		// fill it the way people do: labels in either language, Chinese dates, a percentage
		held := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
		data := fill(t, tpl.Bytes(), [][]any{
			{"320102", "", "科技工作者日座谈", held, "线下", 120, 1500.5, "95%", "是", "13800138000", "健康；Space", "2021-07-01 09:30"},
			{" ３２０１０４ ", "ignored", "Space day", "2021年7月2日", "Online", "1,200", "2,000", 0.8, "否", "", "", ""},
		})
		res, err := importFile(a, register.System(), data, "活动.xlsx", register.ImportOptions{})
		if err != nil || res.Created != 2 || res.Updated != 0 || res.Format != sheet.FormatXLSX {
			t.Fatalf("import: %+v %v", res, err)
		}
		_, page, _ := a.Registers.ListRecords(ctx, unit.Everything(), "sheet_acts", register.Filter{Sort: "date"})
		if page.Total != 2 {
			t.Fatalf("%d records", page.Total)
		}
		r := page.Items[0]
		v := r.Values
		if r.Unit != "320102" || r.Date != "2021-07-01" || v["mode"] != "offline" || v["participants"] != int64(120) || v["budget"] != int64(150050) ||
			v["rate"] != int64(9500) || v["public"] != true || v["contact"] != "13800138000" || !slices.Equal(v["tags"].([]string), []string{"health", "space"}) ||
			v["per_head"] != int64(1250) {
			t.Errorf("first record %+v", r)
		}
		if st, ok := v["started"].(time.Time); !ok || !st.Equal(time.Date(2021, 7, 1, 1, 30, 0, 0, time.UTC)) {
			t.Errorf("started %v", v["started"])
		}
		v = page.Items[1].Values
		if page.Items[1].Unit != "320104" || v["mode"] != "online" || v["participants"] != int64(1200) || v["budget"] != int64(200000) ||
			v["rate"] != int64(8000) || v["public"] != false {
			t.Errorf("second record %+v", page.Items[1])
		}
		// the same file again changes nothing
		res, err = importFile(a, register.System(), data, "活动.xlsx", register.ImportOptions{})
		if err != nil || res.Created != 0 || res.Updated != 0 || res.Unchanged != 2 {
			t.Fatalf("second import: %+v %v", res, err)
		}
	})
}

// seed creates n activities at 320102 through the service.
func seed(t *testing.T, a *app.App, n int) {
	t.Helper()
	for i := range n {
		_, err := a.Registers.Create(context.Background(), register.System(), "sheet_acts", register.Input{Unit: "320102",
			Values: map[string]any{"title": fmt.Sprintf("活动%02d", i), "held_on": "2021-03-01", "mode": "online", "participants": "10",
				"budget": "99.9", "rate": "12.5%", "public": "是", "contact": "13800138000", "tags": "health", "started": "2021-03-01 08:00:05"}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSheetExportReimport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := sheetApp(t, db)
		seed(t, a, 5)
		for _, format := range []string{register.ExportXLSX, register.ExportCSV} {
			var buf bytes.Buffer
			n, err := a.Registers.Export(ctx, register.System(), "sheet_acts", register.Filter{}, register.ExportOptions{Format: format, Lang: "zh-CN"}, &buf)
			if err != nil || n != 5 {
				t.Fatalf("%s export: %d %v", format, n, err)
			}
			res, err := importFile(a, register.System(), buf.Bytes(), "export."+format, register.ImportOptions{})
			if err != nil || res.Unchanged != 5 || res.Created+res.Updated != 0 {
				t.Fatalf("%s re-import: %+v %v", format, res, err)
			}
		}
		// an edited row is an update, nothing else moves
		var buf bytes.Buffer
		if _, err := a.Registers.Export(ctx, register.System(), "sheet_acts", register.Filter{Sort: "title"}, register.ExportOptions{Lang: "en"}, &buf); err != nil {
			t.Fatal(err)
		}
		x, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		sh := x.GetSheetList()[0]
		_ = x.SetCellValue(sh, "F2", 77) // participants of 活动00
		var edited bytes.Buffer
		_ = x.Write(&edited)
		x.Close()
		res, err := importFile(a, register.System(), edited.Bytes(), "edited.xlsx", register.ImportOptions{})
		if err != nil || res.Updated != 1 || res.Unchanged != 4 {
			t.Fatalf("edited: %+v %v", res, err)
		}
		_, page, _ := a.Registers.ListRecords(ctx, unit.Everything(), "sheet_acts", register.Filter{Conds: []register.Cond{{Field: "title", Op: "eq", Value: "活动00"}}})
		if page.Items[0].Values["participants"] != int64(77) || page.Items[0].Version != 2 || page.Items[0].Values["per_head"] != int64(130) {
			t.Errorf("edited record %+v", page.Items[0])
		}
		// a narrower export: filters as the list's
		buf.Reset()
		n, err := a.Registers.Export(ctx, register.System(), "sheet_acts", register.Filter{Under: "320300"}, register.ExportOptions{Format: register.ExportCSV}, &buf)
		if err != nil || n != 0 || !strings.HasPrefix(buf.String(), "\xEF\xBB\xBF单位代码 / Unit code *") {
			t.Errorf("Xuzhou export: %d %v %q", n, err, buf.String())
		}
	})
}

// where is a problem's place and reason.
type where struct {
	row    int
	column string
	key    string
}

func TestSheetImportProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := sheetApp(t, db)
		seed(t, a, 2)
		if _, err := a.Registers.SetStatus(ctx, register.System(), "sheet_acts", 1, register.Submit, ""); err != nil {
			t.Fatal(err)
		}
		csv := "单位代码,活动名称,举办日期,形式,参与人次,经费,公开,联系电话,人均经费\n" +
			"320102,好活动,2021-07-01,线下,10,1,是,13800138000,123\n" + // fine; the computed column is ignored
			"999999,未知单位,2021-07-01,,,,,,\n" + // row 3: unknown unit
			"320300,外市,2021-07-01,,,,,,\n" + // row 4: outside the county's scope
			"320102,,2021-13-01,广播,-3,abc,也许,123,\n" + // row 5: five bad cells
			"320102,好活动,2021/7/1,,,,,,\n" + // row 6: the same key as row 2
			"320102,活动00,2021-03-01,线下,,,,,\n" + // row 7: a submitted record would change
			"320000,省里,2021-07-01,,,,,,\n" + // row 8: a province takes no activities
			"320102,活动01,2021-03-01,online,10,99.9,是,13800138000\n" // row 9: unchanged, fine
		xuanwu := register.Access{Read: unit.Subtrees("/320000/320100/320102/"), Enter: unit.Subtrees("/320000/320100/320102/")}
		before := countRecords(t, a)
		_, err := importFile(a, xuanwu, []byte(csv), "bad.csv", register.ImportOptions{})
		var got []where
		for _, p := range refused(t, err) {
			got = append(got, where{p.Row, p.Column, p.Key})
			if p.Sheet != "bad" {
				t.Errorf("sheet %q", p.Sheet)
			}
		}
		want := []where{
			{3, "A", "regsheet.unit.unknown"},
			{4, "A", "regsheet.unit.unknown"},
			{5, "B", "error.required"}, {5, "C", "register.value.date"}, {5, "D", "register.value.option"},
			{5, "E", "register.value.min"}, {5, "F", "register.value.number"}, {5, "G", "register.value.boolean"}, {5, "H", "register.value.mobile"},
			{6, "B", "regsheet.key.duplicate"},
			{7, "D", "regsheet.record.submitted"},
			{8, "A", "regsheet.unit.unknown"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("problems\n got %v\nwant %v", got, want)
		}
		if countRecords(t, a) != before {
			t.Error("a refused import wrote records")
		}
		// the system may import for the province, which this register does not take
		_, err = importFile(a, register.System(), []byte("单位代码,活动名称,举办日期\n320000,省里,2021-07-01\n"), "p.csv", register.ImportOptions{})
		if p := refused(t, err); len(p) != 1 || p[0].Key != "register.unit_type" {
			t.Errorf("province: %+v", p)
		}
		// a narrowed scope: the unit parameter
		_, err = importFile(a, register.System(), []byte("单位代码,活动名称,举办日期\n320104,秦淮,2021-07-01\n"), "q.csv", register.ImportOptions{Unit: "320102"})
		if p := refused(t, err); len(p) != 1 || p[0].Key != "regsheet.unit.unknown" || p[0].Column != "A" {
			t.Errorf("narrowed: %+v", p)
		}
	})
}

func TestSheetImportFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := sheetApp(t, db)
		// GB18030, as Chinese Excel saves CSV
		gb, _ := simplifiedchinese.GB18030.NewEncoder().String("活动名称,举办日期,单位代码,形式\r\n国标活动,2021年7月1日,320102,线上\r\n")
		res, err := importFile(a, register.System(), []byte(gb), "gb.csv", register.ImportOptions{})
		if err != nil || res.Created != 1 || res.Format != sheet.FormatCSV {
			t.Fatalf("GB18030: %+v %v", res, err)
		}
		_, page, _ := a.Registers.ListRecords(ctx, unit.Everything(), "sheet_acts", register.Filter{Q: "国标"})
		if page.Total != 1 || page.Items[0].Values["mode"] != "online" {
			t.Errorf("GB18030 record: %+v", page.Items)
		}
		// option labels as people type them: brackets of either width, labels holding 、, codes
		csv := "单位代码,活动名称,举办日期,形式,主题\n" +
			"320102,标签一,2021-07-03,混合(线上、线下),青少年（中、小学）；健康\n" +
			"320102,标签二,2021-07-04,\"HYBRID (Online, Offline)\",kids、space\n"
		if res, err := importFile(a, register.System(), []byte(csv), "labels.csv", register.ImportOptions{}); err != nil || res.Created != 2 {
			t.Fatalf("labels: %+v %v", res, err)
		}
		_, page, _ = a.Registers.ListRecords(ctx, unit.Everything(), "sheet_acts", register.Filter{Q: "标签", Sort: "date"})
		if page.Total != 2 || page.Items[0].Values["mode"] != "hybrid" || !slices.Equal(page.Items[0].Values["tags"].([]string), []string{"kids", "health"}) ||
			page.Items[1].Values["mode"] != "hybrid" || !slices.Equal(page.Items[1].Values["tags"].([]string), []string{"kids", "space"}) {
			t.Errorf("labels: %+v", page.Items)
		}
		// Excel serial dates, in both of Excel's date systems
		for _, date1904 := range []bool{false, true} {
			x := excelize.NewFile()
			if date1904 {
				_ = x.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904})
			}
			_ = x.SetSheetRow("Sheet1", "A1", &[]any{"单位代码", "活动名称", "举办日期"})
			serial := 44378 // 2021-07-01
			if date1904 {
				serial -= 1462
			}
			_ = x.SetSheetRow("Sheet1", "A2", &[]any{320102, fmt.Sprint("序列日期", date1904), serial})
			var buf bytes.Buffer
			_ = x.Write(&buf)
			if res, err := importFile(a, register.System(), buf.Bytes(), "serial.xlsx", register.ImportOptions{}); err != nil || res.Created != 1 {
				t.Fatalf("serial (1904: %v): %+v %v", date1904, res, err)
			}
			_, page, _ := a.Registers.ListRecords(ctx, unit.Everything(), "sheet_acts", register.Filter{Q: fmt.Sprint("序列日期", date1904)})
			if page.Total != 1 || page.Items[0].Date != "2021-07-01" {
				t.Errorf("serial date (1904: %v): %+v", date1904, page.Items)
			}
		}
		before := countRecords(t, a)
		// a formula never calculated
		x := excelize.NewFile()
		_ = x.SetSheetRow("Sheet1", "A1", &[]any{"单位代码", "活动名称", "举办日期", "参与人次"})
		_ = x.SetSheetRow("Sheet1", "A2", &[]any{"320102", "公式", "2021-07-01"})
		_ = x.SetCellFormula("Sheet1", "D2", "SUM(1,2)")
		var buf bytes.Buffer
		_ = x.Write(&buf)
		_, err = importFile(a, register.System(), buf.Bytes(), "formula.xlsx", register.ImportOptions{})
		if p := refused(t, err); len(p) != 1 || p[0].Key != "regsheet.cell.formula" || p[0].Row != 2 || p[0].Column != "D" {
			t.Errorf("formula: %+v", p)
		}
		// not a workbook, whatever its name
		for name, key := range map[string]string{"notes.xlsx": "sheet.file.not_xlsx", "notes.csv": "sheet.header.missing",
			"bin.xlsx": "sheet.file.not_xlsx", "broken.xlsx": "sheet.file.broken"} {
			data := []byte("these are my notes\nnot a sheet\n")
			if name == "bin.xlsx" {
				data = []byte{0, 1, 2, 0xFF, 0xFE}
			}
			if name == "broken.xlsx" {
				data = []byte("PK\x03\x04 and nothing else")
			}
			_, err := importFile(a, register.System(), data, name, register.ImportOptions{})
			if p := refused(t, err); len(p) != 1 || p[0].Key != key {
				t.Errorf("%s: %+v, want %s", name, p, key)
			}
		}
		if got := countRecords(t, a); got != before {
			t.Errorf("bad files wrote %d records", got-before)
		}
	})
}

func TestSheetImportDryRunAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := sheetApp(t, db)
		csv := "单位代码,活动名称,举办日期\n320102,甲,2021-07-01\n320102,乙,2021-07-02\n"
		res, err := importFile(a, register.System(), []byte(csv), "dry.csv", register.ImportOptions{DryRun: true})
		if err != nil || res.Created != 2 || !res.DryRun || countRecords(t, a) != 0 {
			t.Fatalf("dry run: %+v %v (%d records)", res, err, countRecords(t, a))
		}
		_, err = importFile(a, register.System(), []byte(csv), "big.csv", register.ImportOptions{MaxRows: 1})
		if p := refused(t, err); len(p) != 1 || p[0].Key != "sheet.rows.too_many" {
			t.Errorf("too many rows: %+v", p)
		}
		_, err = importFile(a, register.System(), []byte("单位代码,举办日期\n320102,2021-07-01\n"), "nokey.csv", register.ImportOptions{})
		if p := refused(t, err); len(p) != 1 || p[0].Key != "regsheet.column.key" || p[0].Row != 1 {
			t.Errorf("key column missing: %+v", p)
		}
		var progress []register.ImportProgress
		res, err = importFile(a, register.System(), []byte(csv), "p.csv", register.ImportOptions{Progress: func(p register.ImportProgress) { progress = append(progress, p) }})
		if err != nil || res.Created != 2 || len(progress) < 2 || progress[len(progress)-1].Phase != register.PhaseWriting || progress[len(progress)-1].Done != 2 {
			t.Errorf("progress %+v (%+v %v)", progress, res, err)
		}
	})
}

func TestSheetHeaders(t *testing.T) {
	sc := activities()
	sc.Fields = append(sc.Fields, register.Field{Code: "state", Type: register.TypeText, NameZH: "状态", NameEN: "State"},
		register.Field{Code: "org", Type: register.TypeText, NameZH: "组织名称", NameEN: "Organisation"})
	h := register.SheetHeaders(&register.Register{Schema: sc})
	for in, want := range map[string]string{
		"单位代码 / Unit code *": "unit", "单位代码": "unit", "Unit Code": "unit", "单位": "unit",
		"状态": "state", "状态 / Status": "status", "状态 / State": "state", "Status": "status",
		"组织名称": "org", "单位名称": "unit_name", "title": "title", "活动名称（必填）": "title", "举办日期 / Held on *": "held_on",
	} {
		if got := h(in); got != want {
			t.Errorf("header %q is %q, want %q", in, got, want)
		}
	}
}
