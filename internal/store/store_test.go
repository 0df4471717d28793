package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

func TestMigrateAndTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		v, err := db.Migrate(ctx) // second run: nothing to do
		if err != nil || v < 1 {
			t.Fatalf("migrate again: v=%d err=%v", v, err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		insert := func(ctx context.Context, code string) error {
			_, err := db.Q(ctx).ExecContext(ctx, `INSERT INTO unit_types(code, name_zh, name_en) VALUES ($1, $2, $3)`, code, "测试", "test")
			return err
		}
		// an error rolls back everything, including a nested WithTx
		boom := errors.New("boom")
		err = db.WithTx(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "a"); err != nil {
				return err
			}
			if err := db.WithTx(ctx, func(ctx context.Context) error { return insert(ctx, "b") }); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
		var n int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM unit_types`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled back rows remain: n=%d err=%v", n, err)
		}
		if err := db.WithTx(ctx, func(ctx context.Context) error { return insert(ctx, "a") }); err != nil {
			t.Fatal(err)
		}
		err = db.WithTx(ctx, func(ctx context.Context) error { return insert(ctx, "a") })
		if !db.Dialect.IsUniqueViolation(err) {
			t.Fatalf("duplicate key not recognised: %v", err)
		}
		// timestamps round-trip in UTC on both databases
		err = db.WithTx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).ExecContext(ctx, `INSERT INTO login_failures(ip, name, at) VALUES ($1, $2, $3)`, "::1", "x", now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT at FROM login_failures WHERE at >= $1`, now.Add(-time.Second)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(now) {
			t.Fatalf("time round trip: got %v want %v", got, now)
		}
	})
}

// A bulk write reads SQLite's file through the writer's page cache, not
// the memory map, until its transaction ends, whether it commits or
// rolls back; the writer's cache is the large one either way.
func TestBulkWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.BulkWrite(ctx); err == nil && db.Dialect.Name == "sqlite" {
			t.Fatal("a bulk write outside a transaction was accepted")
		}
		if db.Dialect.Name != "sqlite" {
			if err := db.WithTx(ctx, db.BulkWrite); err != nil {
				t.Fatal(err)
			}
			return
		}
		pragma := func(ctx context.Context, name string) int64 {
			t.Helper()
			var v int64
			if err := db.Q(ctx).QueryRowContext(ctx, `PRAGMA `+name).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		var mapped int64
		boom := errors.New("boom")
		for _, want := range []error{nil, boom} {
			err := db.WithTx(ctx, func(ctx context.Context) error {
				if mapped = pragma(ctx, "mmap_size"); mapped <= 0 {
					t.Fatalf("the writer maps %d bytes before a bulk write", mapped)
				}
				if c := pragma(ctx, "cache_size"); c != -64<<10 {
					t.Fatalf("writer's cache_size %d", c)
				}
				if err := db.BulkWrite(ctx); err != nil {
					return err
				}
				if err := db.BulkWrite(ctx); err != nil { // twice is once
					return err
				}
				if m := pragma(ctx, "mmap_size"); m != 0 {
					t.Fatalf("a bulk write maps %d bytes", m)
				}
				return want
			})
			if !errors.Is(err, want) {
				t.Fatalf("got %v, want %v", err, want)
			}
			err = db.WithTx(ctx, func(ctx context.Context) error {
				if m := pragma(ctx, "mmap_size"); m != mapped {
					t.Fatalf("after a bulk write the writer maps %d bytes, want %d", m, mapped)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// SQLite's commits leave the write-ahead log to a checkpointer that copies
// it into the database file a moment later, outside the commit.
func TestCheckpointAfterCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexie.db")
	db, err := store.Open(ctx, path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		var auto int
		if err := db.Q(ctx).QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
			t.Fatalf("the writer checkpoints every %d pages (%v), want never itself", auto, err)
		}
		_, err := db.Q(ctx).ExecContext(ctx, `CREATE TABLE ballast (b TEXT)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	before := size()
	err = db.WithTx(ctx, func(ctx context.Context) error {
		for range 1000 {
			if _, err := db.Q(ctx).ExecContext(ctx, `INSERT INTO ballast VALUES ($1)`, strings.Repeat("科", 1000)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+2<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes 10 s after a 3 MB commit (was %d): the log was not copied", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
