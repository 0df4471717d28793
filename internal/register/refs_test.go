package register_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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

// A delete and a write that refers to the same record at once: whichever
// reaches the record first wins and the other sees it — a delete after
// the reference is refused as referenced, a reference after the delete
// finds no record. On PostgreSQL the second is held until it is seen
// waiting on the first (SQLite runs one write transaction at a time).
func TestDeleteRacesReference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		if _, err := rs.Define(ctx, talks(), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		event := func(title string) int64 {
			ev, err := rs.Create(ctx, nanjingAcc, "test_events", register.Input{Unit: "320102", Values: map[string]any{"title": title, "held_on": "2021-05-01"}})
			if err != nil {
				t.Fatal(err)
			}
			return ev.ID
		}
		refer := func(ctx context.Context, id int64, on string) error {
			_, err := rs.Create(ctx, nanjingAcc, "test_talks", register.Input{Unit: "320100",
				Values: map[string]any{"on": on, "event": fmt.Sprint(id)}})
			return err
		}
		remove := func(ctx context.Context, id int64) error { return rs.Delete(ctx, nanjingAcc, "test_events", id) }
		// race runs first inside a transaction held open until second,
		// started meanwhile, is seen waiting (PostgreSQL), then commits it
		race := func(first, second func(ctx context.Context) error, waits string) (error, error) {
			held, release := make(chan struct{}), make(chan struct{})
			var err1, err2 error
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				err1 = db.WithTx(ctx, func(ctx context.Context) error {
					err := first(ctx)
					close(held)
					<-release
					return err
				})
			}()
			<-held
			wg.Add(1)
			go func() {
				defer wg.Done()
				err2 = second(ctx)
			}()
			waited := db.Dialect.Name != "postgres" || waitForLock(db, waits)
			close(release)
			wg.Wait()
			if !waited {
				t.Fatalf("no statement like %q waited on a lock", waits)
			}
			return err1, err2
		}

		// the reference first: the delete waits, then counts it
		ev := event("讲座甲")
		err1, err2 := race(func(ctx context.Context) error { return refer(ctx, ev, "2021-05-02") },
			func(ctx context.Context) error { return remove(ctx, ev) }, "SELECT id FROM rec_test_events%")
		if err1 != nil {
			t.Fatalf("reference: %v", err1)
		}
		if !errors.Is(err2, fault.ErrConflict) || fieldKeys(err2)["record"] != "register.record.referenced" {
			t.Fatalf("delete after a reference: %v, want record: register.record.referenced", err2)
		}

		// the delete first: the reference waits, then finds nothing
		ev = event("讲座乙")
		err1, err2 = race(func(ctx context.Context) error { return remove(ctx, ev) },
			func(ctx context.Context) error { return refer(ctx, ev, "2021-05-03") }, "SELECT id FROM rec_test_events%")
		if err1 != nil {
			t.Fatalf("delete: %v", err1)
		}
		if !errors.Is(err2, fault.ErrInvalid) || fieldKeys(err2)["event"] != "register.value.reference" {
			t.Fatalf("reference after a delete: %v, want event: register.value.reference", err2)
		}
		var dangling int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM rec_test_talks t WHERE NOT EXISTS (SELECT 1 FROM rec_test_events e WHERE e.id = t.f_event)`).Scan(&dangling); err != nil || dangling != 0 {
			t.Fatalf("%d references dangle (%v)", dangling, err)
		}
	})
}

// waitForLock says whether a statement that starts like query waits on
// a lock on PostgreSQL within 10 seconds.
func waitForLock(db *store.DB, query string) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := db.Writer().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE $1`, query).Scan(&n)
		if err == nil && n > 0 {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
