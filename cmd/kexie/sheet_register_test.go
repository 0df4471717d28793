package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kexie/internal/store/storetest"
)

// registerCommands imports and exports records of the people register
// with the command line against the database named by dbFlag.
func registerCommands(t *testing.T, dbFlag string) {
	t.Helper()
	if out, err := kexie(t, "", "demo", dbFlag); err != nil {
		t.Fatalf("demo: %q %v", out, err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "people.csv")
	csv := "单位代码,姓名,身份证号,登记日期,身份\n320102,命令行张三,11010519491231002X,2021年7月1日,专家；科技志愿者\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := kexie(t, "", "import", "--register", "people", file, "--dry-run", dbFlag)
	if err != nil || !strings.Contains(out, "dry run") || !strings.Contains(out, "1 created") {
		t.Fatalf("dry run: %q %v", out, err)
	}
	if out, err = kexie(t, "", "import", "--register", "people", file, dbFlag); err != nil || !strings.Contains(out, "1 created, 0 updated, 0 unchanged") {
		t.Fatalf("import: %q %v", out, err)
	}
	// the export of a unit's people imports back unchanged, from a file or standard input
	xlsx := filepath.Join(dir, "xuanwu.xlsx")
	out, err = kexie(t, "", "export", "--register", "people", "--unit", "320102", "--out", xlsx, dbFlag)
	m := regexp.MustCompile(`(\d+) 条记录`).FindStringSubmatch(out)
	if err != nil || m == nil || m[1] == "0" {
		t.Fatalf("export: %q %v", out, err)
	}
	if out, err = kexie(t, "", "import", "--register", "people", xlsx, dbFlag); err != nil || !strings.Contains(out, "0 created, 0 updated, "+m[1]+" unchanged") {
		t.Fatalf("import of the export: %q %v", out, err)
	}
	data, err := os.ReadFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	if out, err = kexie(t, string(data), "import", "--register", "people", "-", "--dry-run", dbFlag); err != nil || !strings.Contains(out, m[1]+" unchanged") {
		t.Fatalf("import from standard input: %q %v", out, err)
	}
	// a filtered CSV export to standard output
	out, err = kexie(t, "", "export", "--register", "people", "--where", "name=命令行张三", "--format", "csv", "--out", "-", dbFlag)
	if err != nil || !strings.HasPrefix(out, "\xEF\xBB\xBF单位代码 / Unit code *") || strings.Count(out, "\n") != 2 || !strings.Contains(out, "专家；科技志愿者") {
		t.Fatalf("CSV export: %q %v", out, err)
	}
	// problems: one line each where Excel shows them, nothing written, exit 3
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("单位代码,姓名,身份证号,登记日期\n320102,坏,123,2021-02-30\nNOSUCH,无,11010519491231002X,2021-07-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = kexie(t, "", "import", "--register", "people", bad, dbFlag)
	if err == nil || exitCode(err) != 3 {
		t.Fatalf("bad import: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "bad!C2 身份证号 / ID number: ") || !strings.HasPrefix(lines[1], "bad!D2 登记日期 / Registered on: ") ||
		!strings.HasPrefix(lines[2], "bad!A3 单位代码 / Unit code: ") {
		t.Errorf("problem lines:\n%s", out)
	}
	for _, args := range [][]string{
		{"import", "--register", "people"},
		{"import", "--register", "people", file, "--unit-scope", "320100"},
		{"export", "--register", "people"},
		{"export", "--register", "people", "--units", "--out", file},
	} {
		if _, err := kexie(t, "", append(args, dbFlag)...); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	if _, err := kexie(t, "", "export", "--register", "no_such", "--out", file, dbFlag); err == nil || exitCode(err) != 3 {
		t.Errorf("export of no register: %v", err)
	}
}

func TestRegisterCommandsOnSQLite(t *testing.T) {
	registerCommands(t, "--data="+t.TempDir())
}

func TestRegisterCommandsOnPostgres(t *testing.T) {
	db := storetest.Postgres(t)
	var schema string
	if err := db.Q(context.Background()).QueryRowContext(context.Background(), `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	dsn, err := storetest.WithSearchPath(storetest.PGDSN(), schema)
	if err != nil {
		t.Fatal(err)
	}
	registerCommands(t, "--db="+dsn)
}
