package report_test

import (
	"bytes"
	"context"
	"testing"

	"kexie/internal/report"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// BenchmarkHalfYearReview generates the half-year review of the demo
// province for 2021S1 (every figure read from the records) and writes it
// in each format; "cities" is the review of each of the 13 cities.
//
//	go test ./internal/report/ -run '^$' -bench HalfYearReview -benchtime 10x
func BenchmarkHalfYearReview(b *testing.B) {
	ctx := context.Background()
	a := demoApp(b, storetest.SQLite(b))
	src, _ := report.Builtin("half-year-review")
	if _, err := report.LoadFonts(); err != nil {
		b.Fatal(err) // read once per process, as a server does
	}
	for _, format := range report.Formats {
		b.Run(format, func(b *testing.B) {
			figs, size := 0, 0
			for b.Loop() {
				d, err := a.Reports.Generate(ctx, unit.Everything(), src, "320000", "2021S1", "zh-CN")
				if err != nil {
					b.Fatal(err)
				}
				var buf bytes.Buffer
				if err := report.Write(&buf, d, format); err != nil {
					b.Fatal(err)
				}
				figs, size = len(d.Figs), buf.Len()
			}
			b.ReportMetric(float64(figs), "figures")
			b.ReportMetric(float64(size), "bytes")
		})
	}
	b.Run("cities-md", func(b *testing.B) {
		kids, err := a.Metrics.Children(ctx, unit.Everything(), "320000", "city")
		if err != nil || len(kids) != 13 {
			b.Fatalf("%d cities: %v", len(kids), err)
		}
		for b.Loop() {
			for _, k := range kids {
				d, err := a.Reports.Generate(ctx, unit.Everything(), src, k.Code, "2021S1", "zh-CN")
				if err != nil {
					b.Fatal(err)
				}
				var buf bytes.Buffer
				if err := report.Write(&buf, d, "md"); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(13, "reports")
	})
}
