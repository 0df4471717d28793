package sheet

import (
	"bytes"
	"testing"
)

// FuzzOpen feeds any bytes to the reader, as a CSV or workbook name: it
// must never panic, read rows in order within the limits, and give every
// problem a key.
func FuzzOpen(f *testing.F) {
	f.Add([]byte("代码,名称\n320100,\"南京\n市\"\n\n,x\n"), "a.csv")
	f.Add([]byte("\xEF\xBB\xBFcode\tname\n１,２\n"), "b.csv")
	f.Add([]byte("\xb4\xfa\xc2\xeb,\xc3\xfb\xb3\xc6\n1,2\n"), "gb.csv")
	f.Add(handWorkbook(f, `<worksheet><dimension ref="A1:B2"/><sheetData><row r="1"><c t="s"><v>0</v></c><c r="C1"><f>1</f></c></row><row r="2"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`), "c.xlsx")
	lim := Limits{Bytes: 1 << 20, Unzip: 4 << 20, Cols: 20}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		rd, p := Open(bytes.NewReader(data), int64(len(data)), name, lim)
		if p != nil {
			if p.Key == "" {
				t.Fatalf("problem without a key: %+v", p)
			}
			return
		}
		defer rd.Close()
		last := 0
		for n := 0; rd.Next(); n++ {
			row := rd.Row()
			if row.Num <= last {
				t.Fatalf("row %d after %d", row.Num, last)
			}
			last = row.Num
			if len(row.Cells) > lim.Cols || (row.Kinds != nil && len(row.Kinds) != len(row.Cells)) {
				t.Fatalf("row %d: %d cells, %d kinds", row.Num, len(row.Cells), len(row.Kinds))
			}
			if done, total := rd.Progress(); done != n+1 || (total != 0 && total < done) {
				t.Fatalf("progress %d/%d after %d rows", done, total, n+1)
			}
		}
		if p := rd.Problem(); p != nil && p.Key == "" {
			t.Fatalf("problem without a key: %+v", p)
		}
	})
}
