package report_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"math"
	"strings"
	"testing"

	"kexie/internal/app"
	"kexie/internal/demo"
	"kexie/internal/fault"
	"kexie/internal/figure"
	"kexie/internal/report"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// demoApp is the demo province on db.
func demoApp(t testing.TB, db *store.DB) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, a.Units, a.Auth, a.Registers); err != nil {
		t.Fatal(err)
	}
	return a
}

// The half-year review of the province for 2021S1 prints every figure of
// the review from the demo records, each linked (in HTML) to the records
// behind it; then the bad inputs.
func TestHalfYearReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := demoApp(t, db)
		svc := a.Reports
		src, err := report.Builtin("half-year-review")
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.Generate(ctx, unit.Everything(), src, "320000", "2021S1", "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		var md, page bytes.Buffer
		if err := report.Write(&md, d, "md"); err != nil {
			t.Fatal(err)
		}
		if err := report.Write(&page, d, "html"); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range demo.Figures() {
			if f.Metric == "" {
				continue
			}
			m, err := a.Metrics.Get(ctx, f.Metric)
			if err != nil {
				t.Fatal(err)
			}
			fig, err := a.Metrics.Value(ctx, unit.Everything(), f.Metric, f.Unit(), "2021S1")
			if err != nil || fig.Value == nil {
				t.Fatalf("%s: %v %v", f.Metric, fig.Value, err)
			}
			want := f.Want
			if f.MetricWant != "" {
				want = f.MetricWant
			}
			if ok, _ := demo.Holds(int64(math.Round(*fig.Value*math.Pow10(m.Decimals))), m.Decimals, want, f.Words); !ok {
				t.Errorf("%s: %v is not %s", f.Says, *fig.Value, want)
			}
			text := figure.Format(*fig.Value, m.Unit, m.Decimals, m.Percent, "zh-CN")
			if !strings.Contains(md.String(), text) {
				t.Errorf("%s: %s not in the Markdown", f.Says, text)
			}
			link := `href="` + html.EscapeString(report.DrillHref(report.Fig{Metric: f.Metric, Unit: f.Unit(), Period: "2021S1"})) + `">` + text + `</a>`
			if !strings.Contains(page.String(), link) {
				t.Errorf("%s: %s not in the HTML", f.Says, link)
			}
			n++
		}
		t.Logf("%s: %d figures of the review printed and linked; %d figures in all", db.Dialect.Name, n, len(d.Figs))
		for _, w := range []string{"# 江苏省科学技术协会2021年上半年工作总结", "8.35万人", "2028万元", "634万人次", "69.8%", "| 单位 |", "徐州"} {
			if !strings.Contains(md.String(), w) {
				t.Errorf("Markdown lacks %q", w)
			}
		}
		if d.Empty {
			t.Error("a report with figures is empty")
		}
		if testing.Verbose() {
			t.Log(md.String())
		}

		// A period with no data: the text says so, no error.
		empty, err := svc.Generate(ctx, unit.Everything(), src, "320000", "1960S1", "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		if !empty.Empty {
			t.Error("1960S1 has data")
		}
		// A unit outside the caller's scope is not found.
		xz, err := a.Units.Get(ctx, unit.Everything(), "320300")
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Generate(ctx, unit.Subtrees(xz.Path), src, "320000", "2021S1", "zh-CN")
		if !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("out of scope: %v", err)
		}
		// Within the scope, a figure the template names of a unit outside
		// it prints "—", links nowhere and reveals nothing; the rest stands.
		d2, err := svc.Generate(ctx, unit.Subtrees(xz.Path), `常州{{ fig("kexiao_new", "320400") }}，徐州{{ fig("kexiao_new") }}，变化{{ change("kexiao_new", "320400") }}`, "320300", "2021S1", "zh-CN")
		if err != nil || len(d2.Figs) != 2 || !d2.Figs[0].Hidden || d2.Figs[0].Value != nil || d2.Figs[1].Hidden {
			t.Fatalf("a figure out of scope: %+v %v", d2, err)
		}
		if h := string(report.HTMLBody(d2)); !strings.Contains(h, `常州<span class="fig hidden">—</span>`) || strings.Contains(h, "unit=320400") {
			t.Errorf("a figure out of scope in HTML: %s", h)
		}
		// The province-wide review read by a city: its own figures, the
		// other cities' hidden.
		nj, err := svc.Generate(ctx, unit.Subtrees(xz.Path), src, "320300", "2021S1", "zh-CN")
		if err != nil {
			t.Fatalf("the review of a city by the city: %v", err)
		}
		hidden := 0
		for _, f := range nj.Figs {
			if f.Hidden {
				hidden++
				if f.Value != nil || f.Unit == "320300" {
					t.Errorf("hidden figure %+v", f)
				}
			}
		}
		if hidden == 0 {
			t.Errorf("no figure of another city hidden in the city's review")
		}
		// A unit that does not exist is still not found.
		if _, err := svc.Generate(ctx, unit.Subtrees(xz.Path), `{{ fig("kexiao_new", "999999") }}`, "320300", "2021S1", "zh-CN"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a figure of no unit: %v", err)
		}
		// Bad input: each a validation error naming the place.
		for _, bad := range []string{
			`{{ fig("registerd_volunteers") }}`,
			`{{ val("kexiao_new") / 0 > 1 ? "a" : 1 / (val("kexiao_new") - val("kexiao_new")) }}`,
			`{{#each 1..100000 as i}}{{#each 1..100000 as j}}x{{/each}}{{/each}}`,
			`{{ rank("kexiao_new", 3, "city")[5].name }}`,
		} {
			_, err := svc.Generate(ctx, unit.Everything(), bad, "320000", "2021S1", "zh-CN")
			var inv *fault.Invalid
			if bad == `{{ val("kexiao_new") / 0 > 1 ? "a" : 1 / (val("kexiao_new") - val("kexiao_new")) }}` {
				// division by zero prints as no figure, not an error
				if err != nil {
					t.Errorf("%s: %v", bad, err)
				}
				continue
			}
			if !errors.As(err, &inv) {
				t.Errorf("%s: %v, want a validation error", bad, err)
			}
		}
		if _, err := svc.Generate(ctx, unit.Everything(), "x", "320000", "2021X9", "zh-CN"); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("bad period: %v", err)
		}
	})
}
