package main

import (
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
