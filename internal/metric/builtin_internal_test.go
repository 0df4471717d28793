package metric

import (
	"strings"
	"testing"
)

// The shipped files are read strictly: an unknown key or a second value
// is an error, not something silently ignored.
func TestDecodeDefsStrict(t *testing.T) {
	for _, bad := range []string{
		`[{"code": "x", "filtre": "kind == 'a'"}]`,
		`[{"code": "x"}] [{"code": "y"}]`,
		`{"code": "x"}`,
	} {
		if _, err := decodeDefs([]byte(bad)); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	defs, err := decodeDefs([]byte(`[{"code": "x", "name_zh": "甲", "aggregation": "flow", "source": "register", "register": "r"}]`))
	if err != nil || len(defs) != 1 || defs[0].Register != "r" {
		t.Fatalf("%+v, %v", defs, err)
	}
}

// A formula comes after the metrics it reads, whatever the files' order;
// a cycle is refused.
func TestOrderByDeps(t *testing.T) {
	defs := []Def{
		{Code: "share", Source: FromFormula, Aggregation: Ratio, Numerator: "part", Denominator: "whole"},
		{Code: "tb", Source: FromFormula, Aggregation: Stock, Formula: "bytes / 1000000000000"},
		{Code: "part", Source: FromRegister},
		{Code: "bytes", Source: FromRegister},
		{Code: "whole", Source: FromRegister},
	}
	out, err := orderByDeps(defs)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range out {
		codes = append(codes, d.Code)
	}
	if got := strings.Join(codes, " "); got != "part whole share bytes tb" {
		t.Errorf("order %s", got)
	}
	cycle := []Def{
		{Code: "a", Source: FromFormula, Aggregation: Flow, Formula: "b + 1"},
		{Code: "b", Source: FromFormula, Aggregation: Flow, Formula: "a * 2"},
	}
	if _, err := orderByDeps(cycle); err == nil {
		t.Error("a cycle was ordered")
	}
}
