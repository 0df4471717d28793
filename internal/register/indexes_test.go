package register_test

import (
	"context"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// indexesOf lists the indexes of a table.
func indexesOf(t *testing.T, db *store.DB, table string) map[string]bool {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1`
	if db.Dialect.Name == "postgres" {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`
	}
	rows, err := db.Writer().QueryContext(context.Background(), q, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[n] = true
	}
	return out
}

// A table made before the list's indexes (filter, date, id, unit) and
// the unique indexes gets them at start, its old indexes of filter and
// date dropped; a start with nothing missing passes.
func TestIndexesMadeAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		if _, err := a.Registers.Define(ctx, certificates(true), register.Migration{}, false); err != nil {
			t.Fatal(err)
		}
		want := []string{"rec_test_events_date_list", "rec_test_events_status_list", "rec_test_events_f_held_on_list", "rec_test_events_f_mode_list",
			"rec_test_certs_f_number_uq"}
		// the indexes as tables made by earlier versions had them
		for _, stmt := range []string{
			"DROP INDEX rec_test_events_date_list", "DROP INDEX rec_test_events_status_list",
			"DROP INDEX rec_test_events_f_held_on_list", "DROP INDEX rec_test_events_f_mode_list", "DROP INDEX rec_test_certs_f_number_uq",
			"CREATE INDEX rec_test_events_date ON rec_test_events(date, id)", "CREATE INDEX rec_test_events_f_mode ON rec_test_events(f_mode, date)",
		} {
			if _, err := db.Writer().ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		if err := a.Registers.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		have := indexesOf(t, db, "rec_test_events")
		for k := range indexesOf(t, db, "rec_test_certs") {
			have[k] = true
		}
		for _, n := range want {
			if !have[n] {
				t.Errorf("index %s not made at start (have %v)", n, have)
			}
		}
		for _, n := range []string{"rec_test_events_date", "rec_test_events_f_mode"} {
			if have[n] {
				t.Errorf("old index %s kept", n)
			}
		}
		if err := a.Registers.EnsureBuiltin(ctx); err != nil {
			t.Fatalf("a second start: %v", err)
		}
	})
}

// A built-in register whose schema an administrator changed keeps their
// version at the next start; one changed only by the system (an older
// release) gets the shipped schema.
func TestBuiltinKeepsLocalEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		rs := a.Registers
		shipped, err := rs.Get(ctx, "activities")
		if err != nil {
			t.Fatal(err)
		}
		older := shipped.Schema
		older.NameZH = "旧名称"
		if _, err := rs.Define(ctx, older, register.Migration{}, true); err != nil {
			t.Fatal(err)
		}
		if err := rs.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := rs.Get(ctx, "activities"); got.Schema.NameZH != shipped.Schema.NameZH {
			t.Fatalf("a system version is not replaced by the shipped one: %q", got.Schema.NameZH)
		}
		edited := shipped.Schema
		edited.NameZH = "本省科普活动"
		edited.Fields = append(append([]register.Field{}, shipped.Schema.Fields...), register.Field{Code: "local_note", Type: register.TypeText, NameZH: "本地备注"})
		byAdmin := audit.WithActor(ctx, audit.Actor{UserID: 1, Name: "admin"})
		mine, err := rs.Define(byAdmin, edited, register.Migration{}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := rs.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := rs.Get(ctx, "activities")
		if got.Version != mine.Version || got.Schema.NameZH != "本省科普活动" || !got.Builtin {
			t.Fatalf("a local edit is undone at start: version %d→%d, %q", mine.Version, got.Version, got.Schema.NameZH)
		}
	})
}
