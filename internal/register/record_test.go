package register_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

var (
	nanjingAcc = register.Access{Read: unit.Subtrees("/320000/320100/"), Enter: unit.Subtrees("/320000/320100/")}
	xuzhouAcc  = register.Access{Read: unit.Subtrees("/320000/320300/"), Enter: unit.Subtrees("/320000/320300/")}
)

// fieldKeys maps each field at fault in err to its reason.
func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	for _, f := range fault.FieldsOf(err) {
		out[f.Field] = f.Key
	}
	return out
}

// talks refers to test_events and to people, and takes attachments.
func talks() register.Schema {
	return register.Schema{Code: "test_talks", NameZH: "测试报告", DateField: "on", NaturalKey: []string{"on"},
		Fields: []register.Field{
			{Code: "on", Type: register.TypeDate, NameZH: "日期"},
			{Code: "event", Type: register.TypeRecord, NameZH: "活动", Register: "test_events"},
			{Code: "speaker", Type: register.TypePerson, NameZH: "主讲人"},
			{Code: "slides", Type: register.TypeAttachment, NameZH: "讲稿"},
		}}
}

// A reference to a record in the caller's scope is accepted; the query
// that checks it once lost the scope's arguments, so every caller short of
// the whole tree was refused.
func TestReferenceInScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		if _, err := rs.Define(ctx, talks(), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		ev, err := rs.Create(ctx, nanjingAcc, "test_events", register.Input{Unit: "320102", Values: map[string]any{"title": "讲座", "held_on": "2021-05-01"}})
		if err != nil {
			t.Fatal(err)
		}
		person, err := rs.Create(ctx, register.System(), "people", register.Input{Unit: "320102",
			Values: map[string]any{"name": "张三", "id_number": "11010519491231002X", "registered_on": "2020-01-01"}})
		if err != nil {
			t.Fatal(err)
		}
		refs := map[string]any{"on": "2021-05-02", "event": fmt.Sprint(ev.ID), "speaker": fmt.Sprint(person.ID)}
		if _, err := rs.Create(ctx, nanjingAcc, "test_talks", register.Input{Unit: "320100", Values: refs}); err != nil {
			t.Fatalf("references within the caller's scope: %v", err)
		}
		_, err = rs.Create(ctx, xuzhouAcc, "test_talks", register.Input{Unit: "320300", Values: refs})
		if got := fieldKeys(err); got["event"] != "register.value.reference" || got["speaker"] != "register.value.reference" {
			t.Fatalf("references out of the caller's scope: %v", err)
		}
	})
}

// A caller attaches only files it may download: attaching another unit's
// file by its id would otherwise be a way to read it.
func TestAttachmentNeedsAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		if _, err := rs.Define(ctx, talks(), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		owner := audit.WithActor(ctx, audit.Actor{UserID: 7})
		other := audit.WithActor(ctx, audit.Actor{UserID: 8})
		f, err := a.Files.Save(owner, "slides.pdf", bytes.NewReader([]byte("%PDF-1.4\n%%EOF\n")), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		_, err = rs.Create(other, xuzhouAcc, "test_talks", register.Input{Unit: "320300",
			Values: map[string]any{"on": "2021-05-02", "slides": []any{fmt.Sprint(f.ID)}}})
		if fieldKeys(err)["slides"] != "register.value.reference" {
			t.Fatalf("attached a file of another user: %v", err)
		}
		if _, err := rs.FileFor(other, xuzhouAcc.Read, 8, f.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("the other user reads the file: %v", err)
		}
		// its uploader attaches it, by its id written any way
		r, err := rs.Create(owner, nanjingAcc, "test_talks", register.Input{Unit: "320102",
			Values: map[string]any{"on": "2021-05-02", "slides": []any{fmt.Sprintf("0%d", f.ID), fmt.Sprintf(" %d", f.ID)}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(r.Values["slides"]); got != fmt.Sprintf("[%d]", f.ID) {
			t.Fatalf("stored ids %s", got)
		}
		// and the record makes it readable in Nanjing
		if _, err := rs.FileFor(other, nanjingAcc.Read, 8, f.ID); err != nil {
			t.Fatalf("a reader of the record: %v", err)
		}
		_, err = rs.Create(owner, nanjingAcc, "test_talks", register.Input{Unit: "320102", Values: map[string]any{"on": "2021-05-03", "slides": "7x"}})
		if fieldKeys(err)["slides"] != "register.value.reference" {
			t.Fatalf("a malformed file id: %v", err)
		}
	})
}

// contains reads text columns only: on a number PostgreSQL failed the
// query (a 500 where SQLite answered), and on a sensitive field it let a
// reader guess the value a digit at a time.
func TestContainsOnTextOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		if _, err := rs.Create(ctx, nanjingAcc, "test_events", register.Input{Unit: "320102",
			Values: map[string]any{"title": "科普讲座", "held_on": "2021-05-01", "participants": "120", "contact": "13800138000"}}); err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"participants", "budget", "contact"} {
			_, _, err := rs.ListRecords(ctx, nanjingAcc.Read, "test_events", register.Filter{Conds: []register.Cond{{Field: field, Op: "contains", Value: "1"}}})
			if fieldKeys(err)["f."+field] != "register.filter.op" {
				t.Errorf("contains on %s: %v", field, err)
			}
		}
		_, page, err := rs.ListRecords(ctx, nanjingAcc.Read, "test_events", register.Filter{Conds: []register.Cond{{Field: "title", Op: "contains", Value: "科普"}}})
		if err != nil || page.Total != 1 {
			t.Errorf("contains on text: %d %v", page.Total, err)
		}
	})
}

// One answer lists every fault of a schema, its expressions included.
func TestSchemaFaultsTogether(t *testing.T) {
	s := events()
	s.NameZH = ""
	s.Fields = append(s.Fields, register.Field{Code: "per_head", Type: register.TypeMoney, NameZH: "人均", Compute: "budget / "})
	got := fieldKeys(s.Check(nil))
	if got["name_zh"] != "error.required" || got["fields[6].compute"] != "register.expr.invalid" || len(got) != 2 {
		t.Errorf("faults: %v", got)
	}
	// with a field of unknown type the expressions cannot be typed, so
	// they are not judged
	s.Fields[4].Type = "currency"
	s.Fields[6].Compute = "budget / participants"
	got = fieldKeys(s.Check(nil))
	if got["fields[4].type"] != "register.field.type_unknown" || len(got) != 2 {
		t.Errorf("faults with an unknown type: %v", got)
	}
}

// Registers referring to each other in a cycle could not be defined again
// from scratch, each needing the other first.
func TestReferenceCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		self := talks()
		self.Code = "test_a"
		self.Fields = append(self.Fields, register.Field{Code: "parent", Type: register.TypeRecord, NameZH: "上级", Register: "test_a"})
		if _, err := rs.Define(ctx, self, register.Migration{}, false); err != nil {
			t.Fatalf("a register referring to itself: %v", err)
		}
		b := talks()
		b.Code = "test_b"
		b.Fields[1].Register = "test_a"
		if _, err := rs.Define(ctx, b, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		self.Fields = append(self.Fields, register.Field{Code: "b", Type: register.TypeRecord, NameZH: "乙", Register: "test_b"})
		_, err := rs.Define(ctx, self, register.Migration{}, false)
		if got := fieldKeys(err); got["fields[5].register"] != "register.field.register_cycle" {
			t.Fatalf("a cycle: %v", err)
		}
		if reg, _ := rs.Get(ctx, "test_a"); reg.Version != 1 {
			t.Fatalf("the refused change was applied: version %d", reg.Version)
		}
	})
}

// Bounds are read with the tolerance the schema check gives them: a
// percent's max written "100%" or a date's min written "2021/1/1" was
// accepted, then ignored or compared as text.
func TestBoundsAsWritten(t *testing.T) {
	cases := []struct {
		field register.Field
		in    string
		key   string
	}{
		{register.Field{Code: "p", Type: register.TypePercent, Max: "100%"}, "100.5", "register.value.max"},
		{register.Field{Code: "p", Type: register.TypePercent, Max: "100%"}, "99.5%", ""},
		{register.Field{Code: "m", Type: register.TypeMoney, Min: "¥1,000"}, "999.99", "register.value.min"},
		{register.Field{Code: "m", Type: register.TypeMoney, Min: "¥1,000"}, "1000", ""},
		{register.Field{Code: "n", Type: register.TypeInteger, Max: "1万"}, "10001", "register.value.max"},
		{register.Field{Code: "d", Type: register.TypeDate, Min: "2021/1/1"}, "2021-05-01", ""},
		{register.Field{Code: "d", Type: register.TypeDate, Min: "2021/1/1"}, "2020年12月31日", "register.value.min"},
		{register.Field{Code: "d", Type: register.TypeDate, Max: "2021年6月30日"}, "2021-07-01", "register.value.max"},
		{register.Field{Code: "t", Type: register.TypeDateTime, Max: "2021-12-31 18:00"}, "2021-12-31 18:01", "register.value.max"},
		{register.Field{Code: "t", Type: register.TypeDateTime, Min: "2021-01-01"}, "2020-12-31 23:59", "register.value.min"},
		{register.Field{Code: "t", Type: register.TypeDateTime, Min: "2021-01-01"}, "2021-01-01 00:00", ""},
	}
	for _, c := range cases {
		named := c.field
		named.NameZH = "字段"
		if err := (&register.Schema{Code: "x", NameZH: "x", DateField: "on", NaturalKey: []string{"on"},
			Fields: []register.Field{named, {Code: "on", Type: register.TypeDate, NameZH: "日期"}}}).Check(nil); err != nil {
			t.Errorf("%s min %q max %q: the schema is refused: %v", c.field.Type, c.field.Min, c.field.Max, err)
		}
		_, err := c.field.Parse(c.in, false)
		if got := fieldKeys(err)[c.field.Code]; got != c.key {
			t.Errorf("%s %s (min %q, max %q) = %q, want %q", c.field.Type, c.in, c.field.Min, c.field.Max, got, c.key)
		}
	}
}

// Every record has its date: it is what puts it in a period.
func TestDateFieldAlwaysRequired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		if _, err := rs.Define(ctx, talks(), register.Migration{}, false); err != nil { // "on" is not marked required
			t.Fatal(err)
		}
		_, err := rs.Create(ctx, nanjingAcc, "test_talks", register.Input{Unit: "320102", Values: map[string]any{}})
		if fieldKeys(err)["on"] != "error.required" {
			t.Fatalf("a record without its date: %v", err)
		}
		r, err := rs.Create(ctx, nanjingAcc, "test_talks", register.Input{Unit: "320102", Values: map[string]any{"on": "2021-05-01"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rs.Update(ctx, nanjingAcc, "test_talks", r.ID, register.Patch{Values: map[string]any{"on": nil}}); fieldKeys(err)["on"] != "error.required" {
			t.Fatalf("clearing the date: %v", err)
		}
	})
}

// Concurrent steps on one record: exactly one happens, and only what
// happened is audited (and told to the metrics). On PostgreSQL the losers
// once re-read the changed row, updated nothing and answered success.
func TestConcurrentSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		sys := register.System()
		mk := func(title string) int64 {
			r, err := rs.Create(ctx, sys, "test_events", register.Input{Unit: "320102", Values: map[string]any{"title": title, "held_on": "2021-05-01"}})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		approved, deleted := mk("审核"), mk("删除")
		if _, err := rs.SetStatus(ctx, sys, "test_events", approved, register.Submit, ""); err != nil {
			t.Fatal(err)
		}
		race := func(step func() error) (wins int) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := step()
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						wins++
					case !errors.Is(err, fault.ErrConflict) && !errors.Is(err, fault.ErrNotFound) && !strings.Contains(err.Error(), "database is locked"):
						t.Errorf("step: %v", err)
					}
				}()
			}
			wg.Wait()
			return wins
		}
		if n := race(func() error {
			_, err := rs.SetStatus(ctx, sys, "test_events", approved, register.Approve, "")
			return err
		}); n != 1 {
			t.Errorf("%d concurrent approvals succeeded", n)
		}
		if n := race(func() error { return rs.Delete(ctx, sys, "test_events", deleted) }); n != 1 {
			t.Errorf("%d concurrent deletes succeeded", n)
		}
		for action, want := range map[string]int{"approve": 1, "delete": 1} {
			var n int
			if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'record:test_events' AND action = $1`, action).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%d audit entries %s, want %d", n, action, want)
			}
		}
	})
}
