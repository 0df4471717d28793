package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"kexie/internal/app"
	"kexie/internal/register"
	"kexie/internal/store"
)

// BenchmarkRollupImport is the batch-import figure of `kexie bench
// rollup` on its own: CSV imports of 5,000 records, with the bench's four
// metrics kept, into a register of 2,000,000 records over 10,000 units
// (SQLite). Building that database takes a quarter of an hour, so it is
// kept at $KEXIE_BENCH_ROLLUP_DB, made on first use, and the imports can be
// repeated on a quiet machine in seconds:
//
//	KEXIE_BENCH_ROLLUP_DB=/tmp/rollup.db go test -run='^$' -bench=RollupImport -benchtime=5x ./cmd/kexie/
//
// Each import adds 5,000 records to the kept database.
func BenchmarkRollupImport(b *testing.B) {
	path := os.Getenv("KEXIE_BENCH_ROLLUP_DB")
	if path == "" {
		b.Skip("KEXIE_BENCH_ROLLUP_DB names the database to keep")
	}
	ctx := context.Background()
	_, statErr := os.Stat(path)
	db, err := store.Open(ctx, path, "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	a, err := app.NewWithData(ctx, db, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if statErr != nil {
		b.Logf("building %s: 10,000 units, 2,000,000 records, 4 metrics", path)
		if _, err := buildTree(ctx, a, 10_000); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Registers.Define(ctx, benchSchema("bench_events"), register.Migration{}, false); err != nil {
			b.Fatal(err)
		}
		if err := bulkRecords(ctx, a, 2_000_000); err != nil {
			b.Fatal(err)
		}
		for _, d := range benchMetrics() {
			if _, err := a.Metrics.Define(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	}
	const n = 5_000
	tag := time.Now().Format("150405.000")
	var took time.Duration
	var each []time.Duration
	b.ResetTimer()
	for i := range b.N {
		d, err := timeImport(ctx, a, "bench_events", fmt.Sprintf("i%s-%d-", tag, i), n)
		if err != nil {
			b.Fatal(err)
		}
		took += d
		each = append(each, d)
	}
	b.ReportMetric(float64(n*b.N)/took.Seconds(), "records/s")
	slices.Sort(each)
	fmt.Printf("batch import with rollups: median %.0f records/s, mean %.0f (%d imports of %d records: %v; load average %s)\n",
		float64(n)/each[len(each)/2].Seconds(), float64(n*b.N)/took.Seconds(), b.N, n, each, loadAverage())
}
