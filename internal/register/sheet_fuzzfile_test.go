package register_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"kexie/internal/register"
	"kexie/internal/sheet"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// FuzzImportFile imports any bytes, as a CSV or a workbook, into a
// register on SQLite: no panic; a refused file writes nothing and says
// why; an accepted one accounts for every row.
func FuzzImportFile(f *testing.F) {
	f.Add([]byte("单位代码,活动名称,举办日期,形式,参与人次,经费,满意度,公开,主题\n320102,甲,2021/7/1,线上,10,\"1,500\",95%,是,健康；航天\n320104,乙,44378,offline,,,,否,\n"), "a.csv")
	f.Add([]byte("\xEF\xBB\xBF活动名称\t举办日期\t单位代码\n丙\t2021年7月2日\t３２０１０２\n丙\t2021-07-02\t320102\n"), "dup.csv")
	f.Add([]byte("title,held_on,unit\n\"a\nb\",20210703,320300\n"), "scope.csv")
	a := sheetApp(f, storetest.SQLite(f))
	ctx := context.Background()
	count := func() int {
		_, page, err := a.Registers.ListRecords(ctx, unit.Everything(), "sheet_acts", register.Filter{PerPage: 1})
		if err != nil {
			f.Fatal(err)
		}
		return page.Total
	}
	xuanwu := register.Access{Read: unit.Subtrees("/320000/320100/"), Enter: unit.Subtrees("/320000/320100/")}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		before := count()
		res, err := a.Registers.Import(ctx, xuanwu, "sheet_acts", bytes.NewReader(data), int64(len(data)),
			register.ImportOptions{FileName: name, MaxRows: 200, SpoolDir: t.TempDir()})
		var refused *sheet.Refused
		switch {
		case errors.As(err, &refused):
			if len(refused.Problems) == 0 {
				t.Fatal("refused without a problem")
			}
			for _, p := range refused.Problems {
				if p.Key == "" || (p.Row > 0 && p.Sheet == "") {
					t.Fatalf("problem without its place: %+v", p)
				}
			}
			if after := count(); after != before {
				t.Fatalf("a refused import wrote %d records", after-before)
			}
		case err != nil:
			t.Fatalf("import failed: %v", err)
		default:
			if res.Created+res.Updated+res.Unchanged != res.Rows || count() != before+res.Created {
				t.Fatalf("result %+v with %d records before and %d after", res, before, count())
			}
		}
	})
}
