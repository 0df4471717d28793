package register_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// certificates has a field unique across the register.
func certificates(unique bool) register.Schema {
	return register.Schema{Code: "test_certs", NameZH: "测试证书", UnitTypes: []string{"city", "county"}, DateField: "issued_on",
		NaturalKey: []string{"holder", "issued_on"}, Fields: []register.Field{
			{Code: "holder", Type: register.TypeText, NameZH: "持证人", Required: true},
			{Code: "issued_on", Type: register.TypeDate, NameZH: "发证日期", Required: true},
			{Code: "number", Type: register.TypeText, NameZH: "证书编号", Unique: unique},
		}}
}

// rawCert stores a record without the service's checks, as a second
// server whose check ran before this one's insert would.
func rawCert(ctx context.Context, db *store.DB, unitID int64, holder, number string) error {
	now := time.Now().UTC()
	_, err := db.Writer().ExecContext(ctx, `INSERT INTO rec_test_certs (unit_id, date, nkey, status, search, created_at, updated_at, f_holder, f_issued_on, f_number)
		VALUES ($1, '2021-03-01', $2, 'draft', '', $3, $3, $4, '2021-03-01', $5)`, unitID, holder+"\x1f2021-03-01", now, holder, number)
	return err
}

// The database enforces a unique field: a schema version that makes a
// field unique is refused while records share a value (naming them) and
// writes nothing; once they differ the index is made and refuses a
// duplicate even from a write that skipped the check; a version that
// drops the flag drops the index.
func TestUniqueIndexFollowsSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		if _, err := rs.Define(ctx, certificates(false), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range []string{"张三", "李四", "王五"} {
			r, err := rs.Create(ctx, nanjingAcc, "test_certs", register.Input{Unit: "320102",
				Values: map[string]any{"holder": h, "issued_on": "2021-03-01", "number": "KX-001"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		_, err := rs.Define(ctx, certificates(true), register.Migration{}, false)
		got := fault.FieldsOf(err)
		if len(got) != 1 || got[0].Field != "fields[2].unique" || got[0].Key != "register.schema.unique_conflict" {
			t.Fatalf("making a field with shared values unique: %v", err)
		}
		if recs := got[0].Args["records"]; !strings.Contains(recs.(string), "1") || strings.Count(recs.(string), ",") != 2 {
			t.Errorf("the refusal names %v, want the three records %v", recs, ids)
		}
		if reg, _ := rs.Get(ctx, "test_certs"); reg.Version != 1 {
			t.Fatalf("a refused version was stored: version %d", reg.Version)
		}
		for i, n := range []string{"KX-002", "KX-003"} {
			if _, err := rs.Update(ctx, nanjingAcc, "test_certs", ids[i+1], register.Patch{Values: map[string]any{"number": n}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := rs.Define(ctx, certificates(true), register.Migration{}, false); err != nil {
			t.Fatalf("making a field with distinct values unique: %v", err)
		}
		u, err := a.Units.Get(ctx, nanjingAcc.Read, "320102")
		if err != nil {
			t.Fatal(err)
		}
		if err := rawCert(ctx, db, u.ID, "赵六", "KX-002"); !db.Dialect.IsUniqueViolation(err) {
			t.Fatalf("a duplicate written past the service's check: %v, want a unique violation", err)
		}
		if err := rawCert(ctx, db, u.ID, "钱七", ""); err != nil {
			t.Fatalf("a new value: %v", err)
		}
		// the flag goes, and the index with it
		if _, err := rs.Define(ctx, certificates(false), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		if err := rawCert(ctx, db, u.ID, "孙八", "KX-002"); err != nil {
			t.Fatalf("a repeated value once the field is no longer unique: %v", err)
		}
	})
}

// Two creates of the same value of a unique field at once: one is
// stored, the other gets the same field error as a sequential duplicate,
// whichever of the service's check and the database's index catches it.
// On PostgreSQL the second create is held until the first's transaction
// is seen to block it, so its check has passed and the index refuses it.
func TestUniqueConcurrentCreates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		if _, err := rs.Define(ctx, certificates(true), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		create := func(ctx context.Context, holder string) error {
			_, err := rs.Create(ctx, nanjingAcc, "test_certs", register.Input{Unit: "320102",
				Values: map[string]any{"holder": holder, "issued_on": "2021-03-01", "number": "KX-100"}})
			return err
		}
		inserted, release := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		var first, second error
		wg.Add(1)
		go func() {
			defer wg.Done()
			first = db.WithTx(ctx, func(ctx context.Context) error {
				if err := create(ctx, "张三"); err != nil {
					return err
				}
				close(inserted)
				<-release
				return nil
			})
		}()
		<-inserted
		wg.Add(1)
		go func() {
			defer wg.Done()
			second = create(ctx, "李四")
		}()
		if db.Dialect.Name == "postgres" {
			// wait until the second insert waits on the first's index entry
			deadline := time.Now().Add(10 * time.Second)
			for {
				var n int
				if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
					WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO rec_test_certs%'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the second insert never waited on the first")
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		close(release)
		wg.Wait()
		if first != nil {
			t.Fatalf("first create: %v", first)
		}
		if !errors.Is(second, fault.ErrInvalid) || fieldKeys(second)["number"] != "register.value.taken" {
			t.Fatalf("second create of the same value: %v, want number: register.value.taken", second)
		}
		_, page, err := rs.ListRecords(ctx, nanjingAcc.Read, "test_certs", register.Filter{})
		if err != nil || page.Total != 1 {
			t.Fatalf("records after the race: %d %v", page.Total, err)
		}
	})
}
