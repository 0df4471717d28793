package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"kexie/internal/store/storetest"
)

// kexie runs a subcommand in process and returns its standard output.
func kexie(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}
	err := run(context.Background(), e, args)
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestCommandsOnSQLite(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + dir
	out, err := kexie(t, "", "migrate", data)
	if err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if out, err = kexie(t, "", "demo", data); err != nil || !strings.Contains(out, "units") {
		t.Fatalf("demo: %q %v", out, err)
	}
	if out, err = kexie(t, "", data, "demo"); err != nil || !strings.Contains(out, "nothing changed") {
		t.Fatalf("demo again (global flag before the command): %q %v", out, err)
	}
	// user add prints a generated password once, as the last line
	out, err = kexie(t, "", "user", "add", "wang", "--role", "data_entry", "--unit", "320102", data)
	if err != nil || len(lastLine(out)) != 16 {
		t.Fatalf("user add: %q %v", out, err)
	}
	// adding a role to an existing user
	if out, err = kexie(t, "", "user", "add", "wang", "--role=viewer", "--unit=320100", data); err != nil || !strings.Contains(out, "role added") {
		t.Fatalf("user add role: %q %v", out, err)
	}
	// --password-stdin prints no password
	out, err = kexie(t, "s3cret-password\n", "user", "add", "li", "--role", "viewer", "--unit", "320000", "--password-stdin", data)
	if err != nil || strings.Contains(out, "s3cret") || strings.Contains(out, "shown once") {
		t.Fatalf("user add --password-stdin: %q %v", out, err)
	}
	// bad input: unknown role, unknown unit, short password
	for _, args := range [][]string{
		{"user", "add", "x", "--role", "boss", "--unit", "320000", data},
		{"user", "add", "x", "--role", "viewer", "--unit", "999999", data},
	} {
		if _, err := kexie(t, "", args...); err == nil || exitCode(err) != 3 {
			t.Errorf("%v: want a validation error, got %v", args, err)
		}
	}
	if _, err := kexie(t, "short\n", "user", "add", "y", "--role", "viewer", "--unit", "320000", "--password-stdin", data); err == nil {
		t.Error("short password accepted")
	}
	// token create: the token alone on the last line
	out, err = kexie(t, "", "token", "create", "wang", data)
	if err != nil || !strings.HasPrefix(lastLine(out), "kx_") || strings.Contains(lastLine(out), " ") {
		t.Fatalf("token create: %q %v", out, err)
	}
	if _, err := kexie(t, "", "token", "create", "nobody", data); err == nil {
		t.Error("token for unknown user")
	}
	// backup: a consistent copy that opens and holds the units
	backup := filepath.Join(t.TempDir(), "copy.db")
	if out, err = kexie(t, "", "backup", "--out", backup, data); err != nil {
		t.Fatalf("backup: %q %v", out, err)
	}
	db, err := sql.Open("sqlite", backup)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM units`).Scan(&n); err != nil || n < 170 {
		t.Fatalf("backup holds %d units: %v", n, err)
	}
	if _, err := kexie(t, "", "backup", "--out", backup, data); err == nil {
		t.Error("backup overwrote an existing file")
	}
	if _, err := kexie(t, "", "nonsense", data); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestCommandsOnPostgres(t *testing.T) {
	db := storetest.Postgres(t) // a fresh schema, skipped when no server answers
	_ = db
	schema := ""
	if err := db.Q(context.Background()).QueryRowContext(context.Background(), `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	dsn, err := storetest.WithSearchPath(storetest.PGDSN(), schema)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := kexie(t, "", "demo", "--db", dsn); err != nil || !strings.Contains(out, "units") {
		t.Fatalf("demo on PostgreSQL: %q %v", out, err)
	}
	out, err := kexie(t, "", "token", "create", "admin", "--db", dsn)
	if err != nil || !strings.HasPrefix(lastLine(out), "kx_") {
		t.Fatalf("token on PostgreSQL: %q %v", out, err)
	}
	if _, err := kexie(t, "", "backup", "--out", filepath.Join(t.TempDir(), "x"), "--db", dsn); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup on PostgreSQL should point to pg_dump: %v", err)
	}
}

func TestServeStartsAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, errOut bytes.Buffer
	go func() {
		done <- run(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut},
			[]string{"serve", "--data", t.TempDir(), "--addr", addr, "--demo", "--quiet"})
	}()
	// the demo province loads first: about 15 s on an idle machine, more
	// beside other test suites — this waits for readiness, it times nothing
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v\n%s", err, errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/api/v1/units")
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("anonymous API call: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel() // as SIGINT/SIGTERM would
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// TestMain lets the test binary stand in for kexie when a command under
// test starts kexie as a child process (os.Executable is then this binary).
func TestMain(m *testing.M) {
	if os.Getenv("KEXIE_TEST_RUN_AS_KEXIE") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
