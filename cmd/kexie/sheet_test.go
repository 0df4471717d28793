package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kexie/internal/store/storetest"
)

// sheetCommands runs export and import against the database named by
// dbFlag (--data=DIR or --db=DSN) holding the demo province.
func sheetCommands(t *testing.T, dbFlag string) {
	t.Helper()
	if out, err := kexie(t, "", "demo", dbFlag); err != nil {
		t.Fatalf("demo: %q %v", out, err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "nanjing.xlsx")
	out, err := kexie(t, "", "export", "--units", "--under", "320100", "--out", file, dbFlag)
	if err != nil || !strings.Contains(out, file) {
		t.Fatalf("export: %q %v", out, err)
	}
	if st, err := os.Stat(file); err != nil || st.Size() < 1000 {
		t.Fatalf("export wrote %v %v", st, err)
	}
	// to standard output, filtered by type: a workbook and nothing else
	out, err = kexie(t, "", "export", "--units", "--type", "city", "--out", "-", dbFlag)
	if err != nil || !strings.HasPrefix(out, "PK\x03\x04") {
		t.Fatalf("export to stdout: %d bytes %v", len(out), err)
	}
	if _, err := kexie(t, "", "export", "--units", "--under", "NOSUCH", "--out", file, dbFlag); err == nil || exitCode(err) != 3 {
		t.Errorf("export under an unknown unit: %v", err)
	}
	if _, err := kexie(t, "", "export", "--out", file, dbFlag); err == nil {
		t.Error("export without --units accepted")
	}

	// the export imports back unchanged, as Nanjing's administrator too
	out, err = kexie(t, "", "import", "--units", file, "--unit-scope", "320100", dbFlag)
	if err != nil || !strings.Contains(out, "0 created, 0 updated") {
		t.Fatalf("import of the export: %q %v", out, err)
	}

	// problems: one line each, where Excel shows them, and a non-zero exit
	bad := filepath.Join(dir, "bad.csv")
	csv := "代码,上级代码,类型,中文名称\nCLI1,320100,xx,命令行\nCLI2,320300,enterprise,外市\n"
	if err := os.WriteFile(bad, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = kexie(t, "", "import", "--units", bad, "--unit-scope", "320100", dbFlag)
	if err == nil || exitCode(err) != 3 {
		t.Fatalf("bad import: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != `bad!C2 类型 / Type: 没有这种组织类型：xx (value "xx")` || !strings.HasPrefix(lines[1], "bad!B3 上级代码 / Parent code: ") {
		t.Errorf("problem lines:\n%s", out)
	}
	// dry run, then the real thing; the system may write anywhere
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("代码,上级代码,类型,中文名称\nCLI3,320300,enterprise,外市企业\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err = kexie(t, "", "import", "--units", good, "--dry-run", dbFlag); err != nil || !strings.Contains(out, "dry run") || !strings.Contains(out, "1 created") {
		t.Fatalf("dry run: %q %v", out, err)
	}
	if out, err = kexie(t, "", "import", "--units", good, dbFlag); err != nil || !strings.Contains(out, "1 created") {
		t.Fatalf("import: %q %v", out, err)
	}
	if out, err = kexie(t, "", "import", "--units", good, dbFlag); err != nil || !strings.Contains(out, "0 created, 0 updated, 1 unchanged") {
		t.Fatalf("import again: %q %v", out, err)
	}
	if _, err := kexie(t, "", "import", dbFlag); err == nil {
		t.Error("import without --units accepted")
	}
}

func TestSheetCommandsOnSQLite(t *testing.T) {
	sheetCommands(t, "--data="+t.TempDir())
}

func TestSheetCommandsOnPostgres(t *testing.T) {
	db := storetest.Postgres(t)
	var schema string
	if err := db.Q(context.Background()).QueryRowContext(context.Background(), `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	dsn, err := storetest.WithSearchPath(storetest.PGDSN(), schema)
	if err != nil {
		t.Fatal(err)
	}
	sheetCommands(t, "--db="+dsn)
}
