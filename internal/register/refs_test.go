package register_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/i18n"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// A record that records of other registers refer to (a record field, a
// person field to people) is not deleted: the refusal names the
// referring records the caller may see with their registers, counts the
// others, and writes nothing. Once the references are gone it deletes.
func TestDeleteReferencedRecord(t *testing.T) {
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
		mine, err := rs.Create(ctx, nanjingAcc, "test_talks", register.Input{Unit: "320100",
			Values: map[string]any{"on": "2021-05-02", "event": fmt.Sprint(ev.ID), "speaker": fmt.Sprint(person.ID)}})
		if err != nil {
			t.Fatal(err)
		}
		// a record of another city, which Nanjing may not see, refers to the event too
		theirs, err := rs.Create(ctx, register.System(), "test_talks", register.Input{Unit: "320300",
			Values: map[string]any{"on": "2021-05-03", "event": fmt.Sprint(ev.ID)}})
		if err != nil {
			t.Fatal(err)
		}
		msgs := i18n.MustLoad()
		refused := func(code string, id int64, want []string, wantEN []string) {
			t.Helper()
			err := rs.Delete(ctx, nanjingAcc, code, id)
			if !errors.Is(err, fault.ErrConflict) || fieldKeys(err)["record"] != "register.record.referenced" {
				t.Fatalf("delete %s #%d: %v", code, id, err)
			}
			fe := fault.FieldsOf(err)[0]
			zh, en := msgs.T(i18n.ZH, fe.Key, fe.Args), msgs.T(i18n.EN, fe.Key, fe.Args)
			for _, w := range want {
				if !strings.Contains(zh, w) {
					t.Errorf("zh message lacks %q: %s", w, zh)
				}
			}
			for _, w := range wantEN {
				if !strings.Contains(en, w) {
					t.Errorf("en message lacks %q: %s", w, en)
				}
			}
			if strings.Contains(zh, fmt.Sprintf("#%d", theirs.ID)) {
				t.Errorf("the message names a record outside the caller's scope: %s", zh)
			}
			if _, _, err := rs.GetRecord(ctx, register.System().Read, code, id); err != nil {
				t.Fatalf("%s #%d is gone after a refused delete: %v", code, id, err)
			}
		}
		refused("test_events", ev.ID, []string{"被 2 条其他记录引用", fmt.Sprintf("测试报告（活动）#%d", mine.ID), "另有 1 条未列出"},
			[]string{"while records refer to it (2)", fmt.Sprintf("(活动) #%d", mine.ID), "1 more not listed"})
		refused("people", person.ID, []string{"被 1 条其他记录引用", fmt.Sprintf("测试报告（主讲人）#%d", mine.ID)}, nil)

		// without the references both delete
		for _, id := range []int64{mine.ID, theirs.ID} {
			if err := rs.Delete(ctx, register.System(), "test_talks", id); err != nil {
				t.Fatal(err)
			}
		}
		if err := rs.Delete(ctx, nanjingAcc, "test_events", ev.ID); err != nil {
			t.Fatalf("delete of a record no longer referred to: %v", err)
		}
		if err := rs.Delete(ctx, register.System(), "people", person.ID); err != nil {
			t.Fatalf("delete of a person no longer referred to: %v", err)
		}
	})
}
