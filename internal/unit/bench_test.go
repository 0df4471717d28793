package unit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// benchUnits is the size of the tree the speed targets speak of.
const benchUnits = 20000

// province builds a tree of n units shaped like a province: root P, 13
// cities C01…C13, 100 counties below them, the rest spread evenly below
// the counties (every tenth in group pilot). It returns the service and
// every code.
func province(b *testing.B, db *store.DB, n int) (*unit.Service, []string) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	svc := newUnits(b, db) // root "R"
	codes := []string{"R"}
	var in []unit.Create
	var counties []string
	for c := 1; c <= 13; c++ {
		in = append(in, unit.Create{Code: fmt.Sprintf("C%02d", c), Parent: "R", Type: "city", NameZH: fmt.Sprintf("第%d市", c)})
	}
	for k := range 100 {
		code := fmt.Sprintf("C%02dK%02d", k%13+1, k/13)
		in = append(in, unit.Create{Code: code, Parent: fmt.Sprintf("C%02d", k%13+1), Type: "county", NameZH: "县" + code})
		counties = append(counties, code)
	}
	for j := range n - 1 - len(in) {
		parent := counties[j%len(counties)]
		u := unit.Create{Code: fmt.Sprintf("%sU%05d", parent, j/len(counties)), Parent: parent, Type: "enterprise", NameZH: fmt.Sprintf("企业科协%d", j)}
		if j%10 == 0 {
			u.Groups = []string{"pilot"}
		}
		in = append(in, u)
	}
	if _, err := svc.CreateMany(ctx, unit.System(), in); err != nil {
		b.Fatal(err)
	}
	for _, u := range in {
		codes = append(codes, u.Code)
	}
	b.Logf("%s: %d units built in %s", db.Dialect.Name, len(codes), time.Since(start).Round(time.Millisecond))
	return svc, codes
}

// eachDB runs fn on SQLite and, when it answers, PostgreSQL.
func eachDB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

// reportMS reports the mean time of an operation in milliseconds.
func reportMS(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(n), "ms/op")
}

// BenchmarkSubtreeList lists the first page of one city's subtree in a
// tree of 20,000 units, in the scope of a province-wide role (the target:
// under 20 ms).
func BenchmarkSubtreeList(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		svc, _ := province(b, db, benchUnits)
		ctx := context.Background()
		scope := unit.Subtrees("/R/")
		n := 0
		for b.Loop() {
			page, err := svc.List(ctx, scope, unit.Filter{Under: "C01"})
			if err != nil || len(page.Items) != 50 || page.Total < 1000 {
				b.Fatalf("list: %d of %d, %v", len(page.Items), page.Total, err)
			}
			n++
		}
		reportMS(b, n)
	})
}

// BenchmarkGet reads random units of a 20,000-unit tree, groups included.
func BenchmarkGet(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		svc, codes := province(b, db, benchUnits)
		ctx := context.Background()
		scope := unit.Subtrees("/R/")
		r := rand.New(rand.NewPCG(1, 2))
		n := 0
		for b.Loop() {
			if _, err := svc.Get(ctx, scope, codes[r.IntN(len(codes))]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportMS(b, n)
	})
}
