// Package storetest runs a test against every database kexie supports: a
// fresh SQLite file, and a fresh PostgreSQL schema when the server answers.
//
// PostgreSQL is found at $KEXIE_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). When it does
// not answer the PostgreSQL half is skipped with a message saying so,
// unless KEXIE_REQUIRE_PG=1 (set by CI), which turns the skip into a failure.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kexie/internal/store"
)

// DefaultPG is the PostgreSQL server CI starts.
const DefaultPG = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var (
	pgOnce sync.Once
	pgErr  error
)

// PGDSN returns the server DSN used for tests.
func PGDSN() string {
	if v := os.Getenv("KEXIE_TEST_PG"); v != "" {
		return v
	}
	return DefaultPG
}

func pgAvailable() error {
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", PGDSN())
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pgErr = db.PingContext(ctx)
	})
	return pgErr
}

// Each runs fn as a subtest on SQLite and on PostgreSQL, each time with a
// freshly migrated, empty database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a temporary file.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kexie.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Postgres returns a migrated database in a schema of its own, dropped
// when the test ends; it skips (or fails under KEXIE_REQUIRE_PG=1) when no
// server answers.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	if err := pgAvailable(); err != nil {
		if os.Getenv("KEXIE_REQUIRE_PG") == "1" {
			t.Fatalf("PostgreSQL required but not reachable at %s: %v", PGDSN(), err)
		}
		t.Skipf("PostgreSQL skipped: not reachable at %s (%v)", PGDSN(), err)
	}
	ctx := context.Background()
	schema := "kexie_test_" + randomHex(6)
	admin, err := sql.Open("pgx", PGDSN())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	dsn, err := WithSearchPath(PGDSN(), schema)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// WithSearchPath returns dsn with its search_path set to schema.
func WithSearchPath(dsn, schema string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse DSN: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
