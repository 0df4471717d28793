package metric_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"kexie/internal/app"
	"kexie/internal/dashboard"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// The dashboard target: 50 figures, each broken down by the 13 cities
// of a large province, in under 50 ms of server time.
const (
	benchCities   = 13
	benchCounties = 10 // per city
	benchMetrics  = 50
)

// benchRecords is the number of records: 200,000, or $KEXIE_BENCH_RECORDS.
var benchRecords = func() int {
	if n, err := strconv.Atoi(os.Getenv("KEXIE_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}()

// bigProvince builds the synthetic province: 13 cities of 10 counties,
// one activities register holding 200,000 records of 2021 spread over the
// counties (written in bulk inside one transaction), and 50 flow metrics
// over it (counts and sums, filtered by kind or not), whose facts are
// built from the records when they are defined.
func bigProvince(b *testing.B, db *store.DB) *app.App {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	a, err := app.New(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Units.Create(ctx, unit.System(), unit.Create{Code: "P", Type: "province", NameZH: "省"}); err != nil {
		b.Fatal(err)
	}
	var in []unit.Create
	var counties []string
	for c := 1; c <= benchCities; c++ {
		city := fmt.Sprintf("C%02d", c)
		in = append(in, unit.Create{Code: city, Parent: "P", Type: "city", NameZH: fmt.Sprintf("第%d市", c)})
		for k := 1; k <= benchCounties; k++ {
			code := fmt.Sprintf("%sK%02d", city, k)
			in = append(in, unit.Create{Code: code, Parent: city, Type: "county", NameZH: "县" + code})
			counties = append(counties, code)
		}
	}
	if _, err := a.Units.CreateMany(ctx, unit.System(), in); err != nil {
		b.Fatal(err)
	}
	kinds := make([]register.Option, 10)
	for i := range kinds {
		kinds[i] = register.Option{Code: fmt.Sprintf("k%d", i), NameZH: fmt.Sprintf("类%d", i)}
	}
	sc := register.Schema{Code: "acts", NameZH: "活动", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "kind", Type: register.TypeOption, NameZH: "类别", Options: kinds},
			{Code: "people", Type: register.TypeInteger, NameZH: "人次"},
		}}
	if _, err := a.Registers.Define(ctx, sc, register.Migration{}, false); err != nil {
		b.Fatal(err)
	}
	ids := map[string]int64{}
	for _, c := range counties {
		u, err := a.Units.Get(ctx, unit.Everything(), c)
		if err != nil {
			b.Fatal(err)
		}
		ids[c] = u.ID
	}
	for i := range benchMetrics {
		d := metric.Def{Code: fmt.Sprintf("m%02d", i), NameZH: fmt.Sprintf("指标%d", i), Aggregation: metric.Flow,
			Source: metric.FromRegister, Register: "acts"}
		if i%2 == 1 {
			d.Field = "people"
		}
		if i >= 10 {
			d.Filter = fmt.Sprintf(`kind == "k%d"`, i%10)
		}
		if _, err := a.Metrics.Define(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	const perStatement = 500
	err = db.WithTx(ctx, func(ctx context.Context) error {
		for done := 0; done < benchRecords; done += perStatement {
			var vals []any
			arg := func(v any) string { vals = append(vals, v); return db.Dialect.Param(len(vals)) }
			rows := make([]string, 0, perStatement)
			for i := done; i < done+perStatement && i < benchRecords; i++ {
				day := time.Date(2021, 1, 1+rng.IntN(365), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
				title := fmt.Sprintf("活动%d", i)
				rows = append(rows, "("+strings.Join([]string{arg(ids[counties[rng.IntN(len(counties))]]), arg(day),
					arg(title + "\x1f" + day), arg("draft"), arg(title), arg(now), arg(now),
					arg(title), arg(day), arg(fmt.Sprintf("k%d", rng.IntN(10))), arg(int64(rng.IntN(1000)))}, ", ")+")")
			}
			q := `INSERT INTO ` + register.Table("acts") + ` (unit_id, date, nkey, status, search, created_at, updated_at, ` +
				strings.Join([]string{register.Column("title"), register.Column("day"), register.Column("kind"), register.Column("people")}, ", ") +
				`) VALUES ` + strings.Join(rows, ", ")
			if _, err := db.Q(ctx).ExecContext(ctx, q, vals...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(start)
	// The facts the records make, summed in SQL at each level of the tree
	// (county, city, province): what the metrics' rebuild writes, without
	// reading 200,000 records fifty times. Verify holds them to the records.
	err = db.WithTx(ctx, func(ctx context.Context) error {
		for i := range benchMetrics {
			m, err := a.Metrics.Get(ctx, fmt.Sprintf("m%02d", i))
			if err != nil {
				return err
			}
			val, where := "COUNT(*)", "1=1"
			if m.Field != "" {
				val = "COALESCE(SUM(r." + register.Column(m.Field) + "), 0)"
			}
			if i >= 10 {
				where = "r." + register.Column("kind") + fmt.Sprintf(" = 'k%d'", i%10)
			}
			for _, level := range []string{"r.unit_id", "(SELECT parent_id FROM units WHERE id = r.unit_id)", "(SELECT id FROM units WHERE code = 'P')"} {
				q := `INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt) SELECT $1, $2, ` + level +
					`, r.date, '', ` + val + `, COUNT(*) FROM ` + register.Table("acts") + ` r WHERE ` + where + ` GROUP BY ` + level + `, r.date`
				if _, err := db.Q(ctx).ExecContext(ctx, q, m.ID, m.FactVersion); err != nil {
					return err
				}
			}
			// and each day's month, half-year and year, as writes keep them
			for _, key := range []string{"'M' || substr(day, 1, 7)", "'S' || substr(day, 1, 4) || CASE WHEN substr(day, 6, 2) <= '06' THEN '-1' ELSE '-2' END",
				"'Y' || substr(day, 1, 4)"} {
				if _, err := db.Q(ctx).ExecContext(ctx, `INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt)
					SELECT metric_id, fact_version, unit_id, `+key+`, cat, SUM(val), SUM(cnt) FROM metric_facts
					WHERE metric_id = $1 AND fact_version = $2 AND day < 'M' GROUP BY metric_id, fact_version, unit_id, `+key+`, cat`,
					m.ID, m.FactVersion); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// the planner's statistics, as the database's own maintenance keeps them
	if err := db.WithTx(ctx, func(ctx context.Context) error {
		_, err := db.Q(ctx).ExecContext(ctx, "ANALYZE")
		return err
	}); err != nil {
		b.Fatal(err)
	}
	for _, code := range []string{"m01", "m12"} {
		diffs, err := a.Metrics.Verify(ctx, code)
		if err != nil || len(diffs) > 0 {
			b.Fatalf("%s: %d facts differ from the records, first %+v: %v", code, len(diffs), diffs, err)
		}
	}
	b.Logf("%s: %d units, %d records in %s, %d metrics' facts summed and verified in %s", db.Dialect.Name, len(in)+1, benchRecords,
		loaded.Round(time.Millisecond), benchMetrics, (time.Since(start) - loaded).Round(time.Millisecond))
	return a
}

// BenchmarkDashboard50x13 reads a dashboard of 50 figures, each broken
// down by the 13 cities, and reports the time of one dashboard.
func BenchmarkDashboard50x13(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(db.name, func(b *testing.B) {
			a := bigProvince(b, db.open(b))
			ctx := context.Background()
			all := unit.Everything()
			// the parts add up to the province's figure
			bd, err := a.Metrics.ByChildren(ctx, all, "m01", "P", "2021S1", "city")
			if err != nil {
				b.Fatal(err)
			}
			var sum float64
			for _, p := range bd.Parts {
				sum += *p.Value
			}
			total, err := a.Metrics.Value(ctx, all, "m01", "P", "2021S1")
			if err != nil || len(bd.Parts) != benchCities || *total.Value != sum {
				b.Fatalf("13 cities adding up to %v, province %v: %v", sum, total.Value, err)
			}
			codes := make([]string, benchMetrics)
			widgets := make([]dashboard.Widget, benchMetrics)
			for i := range codes {
				codes[i] = fmt.Sprintf("m%02d", i)
				widgets[i] = dashboard.Widget{Type: dashboard.Bar, Metric: codes[i], Period: "2021S1", UnitType: "city"}
			}
			// as the API reads them: 50 breakdowns, each resolving its unit and children
			b.Run("ByChildren", func(b *testing.B) {
				for b.Loop() {
					for _, code := range codes {
						if _, err := a.Metrics.ByChildren(ctx, all, code, "P", "2021S1", "city"); err != nil {
							b.Fatal(err)
						}
					}
				}
				ms := float64(b.Elapsed()) / float64(time.Millisecond) / float64(b.N)
				b.ReportMetric(ms, "ms/dashboard")
				b.Logf("%s: 50 ByChildren calls (13 cities each) in %.2f ms (target: under 50 ms)", db.name, ms)
			})
			// as a dashboard page reads them: the children once, the 50 metrics' facts together
			b.Run("Render", func(b *testing.B) {
				d := dashboard.Dashboard{Unit: "P", Widgets: widgets}
				c := dashboard.Caller{Read: all}
				for b.Loop() {
					for _, w := range a.Dashboards.Render(ctx, c, d) {
						if w.Err != nil || len(w.Parts) != benchCities {
							b.Fatalf("widget %d: %d parts, %v", w.Index, len(w.Parts), w.Err)
						}
					}
				}
				ms := float64(b.Elapsed()) / float64(time.Millisecond) / float64(b.N)
				b.ReportMetric(ms, "ms/dashboard")
				b.Logf("%s: a dashboard of 50 bars by 13 cities rendered in %.2f ms (target: under 50 ms)", db.name, ms)
			})
		})
	}
}
