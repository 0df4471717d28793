package report

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var testMetrics = []string{"registered_volunteers", "science_week_activities", "kexiao_new"}

func parseTest(src string) (*Template, error) {
	known := func(c string) bool {
		for _, m := range testMetrics {
			if m == c {
				return true
			}
		}
		return false
	}
	return Parse(src, known, func() []string { return testMetrics })
}

// Errors name the line and column, and an unknown metric the closest
// known ones.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		src, key  string
		line, col int
		has       string
	}{
		{"# 标题\n志愿者{{ fig(\"registerd_volunteers\") }}", "report.error.unknown_metric", 2, 11, "registered_volunteers"},
		{"a\nb {{ fig( }}", "report.error.expr", 2, 0, ""},
		{"{{#if val(\"kexiao_new\") > 0}}x", "report.error.unclosed_block", 1, 1, ""},
		{"x\n  {{/if}}", "report.error.unexpected", 0, 0, ""},
		{"{{ nosuch(1) }}", "report.error.expr", 1, 0, ""},
		{"{{ fig(\"kexiao_new\") ", "report.error.unclosed", 1, 1, ""},
		{"{{#each children() }}{{/each}}", "report.error.each_syntax", 1, 1, ""},
		{"{{#each children() as fig}}{{/each}}", "report.error.reserved", 1, 1, ""},
		{"{{#loop}}", "report.error.unknown_tag", 1, 1, ""},
		{"{{ }}", "report.error.empty", 1, 0, ""},
		{"{{ c.name }}", "report.error.expr", 1, 0, ""}, // c is not in scope
	} {
		_, err := parseTest(c.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: %v, want %s", c.src, err, c.key)
			continue
		}
		if e.Key != c.key || (c.line > 0 && e.Line != c.line) || (c.col > 0 && e.Col != c.col) {
			t.Errorf("%q: %s at %d:%d, want %s at %d:%d", c.src, e.Key, e.Line, e.Col, c.key, c.line, c.col)
		}
		if c.has != "" && !strings.Contains(e.Error(), c.has) {
			t.Errorf("%q: %v does not suggest %s", c.src, e, c.has)
		}
	}
}

func TestParseGood(t *testing.T) {
	src := "# {{ unit.name }}\n{{#each children() as c}}{{#if val(\"kexiao_new\", c.code) > 0}}{{ c.name }}{{#else}}-{{/if}}{{/each}}\n{{!-- note {{ }} --}}{{ table([\"kexiao_new\", \"registered_volunteers\"], \"city\") }}{{ fig(\"kexiao_new\") }}"
	tp, err := parseTest(src)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tp.Codes, ",") != "kexiao_new" {
		t.Errorf("codes %v", tp.Codes)
	}
}

func TestBuiltinParses(t *testing.T) {
	for _, n := range BuiltinNames() {
		src, err := Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(src, nil, nil); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := Builtin("../x"); err == nil {
		t.Error("a path read as a template")
	}
}

func TestClosest(t *testing.T) {
	got := closest("volunters", []string{"registered_volunteers", "kexiao_new", "volunteers", "x"})
	if got[0] != "volunteers" {
		t.Errorf("%v", got)
	}
}

// The parser never panics, and an error is always placed in the source.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"# 标题\n{{ fig(\"kexiao_new\") }}",
		"{{#if val(\"kexiao_new\") > 0}}a{{#else}}b{{/if}}",
		"{{#each children() as c}}{{ c.name }}{{/each}}",
		"{{!-- x --}}{{ table([\"kexiao_new\"]) }}",
		"{{", "}}", "{{#if}}", "{{/each}}", "{{ 1 +\n 2 }}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, err := parseTest(src)
		var e *Error
		if err != nil && errors.As(err, &e) {
			lines := strings.Count(src, "\n") + 1
			if e.Line < 1 || e.Line > lines+1 || e.Col < 0 {
				t.Errorf("%q: error at %d:%d outside the source", src, e.Line, e.Col)
			}
		}
	})
}

func TestXLSXOfTables(t *testing.T) {
	v := 12.0
	d := &Doc{Blocks: []Block{{Kind: TableKind, Table: &Table{Head: []string{"单位", "活动"}, Rows: [][]Inline{
		{{Text: "南京"}, {Fig: &Fig{Metric: "a", Value: &v, Measure: "场次"}}},
		{{Text: "无锡"}, {Fig: &Fig{Metric: "a"}}},
	}}}}}
	var b strings.Builder
	if err := XLSX(&b, d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("表1")
	if err != nil || len(rows) != 3 || rows[0][1] != "活动（场次）" || rows[1][1] != "12" || rows[2][1] != "—" {
		t.Errorf("%v %v", rows, err)
	}
}
