package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"kexie/internal/store/storetest"
)

func TestSyntheticProvince(t *testing.T) {
	for _, n := range []int{1, 2, 14, 50, 200, 20000} {
		root, rest := syntheticProvince(n)
		if 1+len(rest) != n {
			t.Fatalf("n=%d: got %d units", n, 1+len(rest))
		}
		seen := map[string]bool{root.Code: true}
		for _, u := range rest {
			if !seen[u.Parent] {
				t.Fatalf("n=%d: %s comes before its parent %s", n, u.Code, u.Parent)
			}
			if seen[u.Code] {
				t.Fatalf("n=%d: code %s twice", n, u.Code)
			}
			seen[u.Code] = true
		}
	}
	_, rest := syntheticProvince(20000)
	counts := map[string]int{}
	for _, u := range rest {
		counts[u.Type]++
	}
	if counts["city"] != 13 || counts["county"] != 100 {
		t.Fatalf("shape: %v", counts)
	}
}

func TestBenchUnits(t *testing.T) {
	if testing.Short() {
		t.Skip("bench in short mode")
	}
	dbs := map[string][]string{"sqlite": {"--data", t.TempDir()}, "postgres": {"--db", storetest.PGDSN()}}
	for name, flags := range dbs {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" {
				storetest.Postgres(t) // skips (or fails under KEXIE_REQUIRE_PG=1) when no server answers
			}
			args := append(flags, "bench", "units", "--units", "300", "--requests", "300", "--concurrency", "4", "--runs", "5")
			out, err := kexie(t, "", args...)
			if err != nil {
				t.Fatalf("bench units: %v\n%s", err, out)
			}
			for _, want := range []string{"subtree list under 320100 (service", "(HTTP, server time)", "req/s", "summary: db=" + name + " units=300"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if name == "sqlite" {
				// the temporary database is gone
				left, _ := filepath.Glob(filepath.Join(flags[1], "bench-*"))
				if len(left) != 0 {
					t.Errorf("left behind: %v", left)
				}
			}
		})
	}
}

// A small rollup bench: its reads through the facts must equal GROUP BY
// over the raw records, and the facts must verify after its writes, on
// both databases.
func TestBenchRollup(t *testing.T) {
	if testing.Short() {
		t.Skip("bench in short mode")
	}
	dbs := map[string][]string{"sqlite": {"--data", t.TempDir()}, "postgres": {"--db", storetest.PGDSN()}}
	for name, flags := range dbs {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" {
				storetest.Postgres(t)
			}
			args := append(flags, "bench", "rollup", "--records", "3000", "--units", "300", "--writes", "200", "--runs", "2")
			out, err := kexie(t, "", args...)
			if err != nil {
				t.Fatalf("bench rollup: %v\n%s", err, out)
			}
			for _, want := range []string{"read through facts", "writes with rollups", "batch import with rollups", "faster than GROUP BY over raw records (3000 records, 300 units)"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestBenchTreeRefusesFilledDatabase(t *testing.T) {
	data := "--data=" + t.TempDir()
	out, err := kexie(t, "", data, "bench", "tree", "--units", "40")
	if err != nil || !strings.HasPrefix(lastLine(out), "kx_") {
		t.Fatalf("bench tree: %q %v", out, err)
	}
	if _, err := kexie(t, "", data, "bench", "tree", "--units", "40"); err == nil {
		t.Fatal("bench tree filled a database that holds units")
	}
	if _, err := kexie(t, "", data, "bench", "nothing"); err == nil {
		t.Fatal("unknown bench accepted")
	}
}

func TestBenchList(t *testing.T) {
	if testing.Short() {
		t.Skip("bench in short mode")
	}
	dbs := map[string][]string{"sqlite": {"--data", t.TempDir()}, "postgres": {"--db", storetest.PGDSN()}}
	for name, flags := range dbs {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" {
				storetest.Postgres(t)
			}
			out, err := kexie(t, "", append(flags, "bench", "list", "--records", "12000", "--units", "300", "--runs", "2")...)
			if err != nil {
				t.Fatalf("bench list: %v\n%s", err, out)
			}
			for _, want := range []string{"load records: 12000", "kind = lecture", "total 10000+", "q=量子", "API median", "summary: db=" + name + " records=12000"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestBenchImport(t *testing.T) {
	if testing.Short() {
		t.Skip("bench in short mode")
	}
	t.Setenv("KEXIE_TEST_RUN_AS_KEXIE", "1") // the child import is this binary
	dbs := map[string][]string{"sqlite": {"--data", t.TempDir()}, "postgres": {"--db", storetest.PGDSN()}}
	for name, flags := range dbs {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" {
				storetest.Postgres(t)
			}
			out, err := kexie(t, "", append(flags, "bench", "import", "--rows", "300", "--csv-rows", "500")...)
			if err != nil {
				t.Fatalf("bench import: %v\n%s", err, out)
			}
			for _, want := range []string{"import XLSX: 300 created", "import again: 300 unchanged", "export XLSX: 300 records", "500 created"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			var mb int
			if _, err := fmt.Sscanf(out[strings.Index(out, "peak RSS"):], "peak RSS %d MB", &mb); err != nil || mb < 5 || mb > 2000 {
				t.Errorf("peak RSS of the child read as %d MB (%v):\n%s", mb, err, out)
			}
		})
	}
}

func TestStatusKiB(t *testing.T) {
	status := "Name:\tkexie\nVmPeak:\t  812344 kB\nVmHWM:\t  231004 kB\nVmRSS:\t  120000 kB\n"
	if got := statusKiB(status, "VmHWM:"); got != 231004 {
		t.Fatalf("VmHWM read as %d", got)
	}
	if got := statusKiB(status, "VmSwap:"); got != 0 {
		t.Fatalf("a missing line read as %d", got)
	}
}
