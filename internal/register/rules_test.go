package register_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// A cross-field rule's faults name the rule's input, in words an office
// can act on.
func TestRuleFaults(t *testing.T) {
	rule := func(expr, field, zh string) register.Rule {
		return register.Rule{Expr: expr, Field: field, MessageZH: zh, MessageEN: "en"}
	}
	cases := []struct {
		name  string
		rules []register.Rule
		want  map[string]string
	}{
		{"a rule that holds", []register.Rule{rule(`mode != "online" || participants <= 500`, "participants", "线上活动不超过 500 人次")}, map[string]string{}},
		{"no expression", []register.Rule{rule(" ", "", "消息")}, map[string]string{"rules[0].expr": "error.required"}},
		{"not finished", []register.Rule{rule("participants >=", "", "消息")}, map[string]string{"rules[0].expr": "register.expr.invalid"}},
		{"a code without quotes", []register.Rule{rule("mode == online", "mode", "消息")}, map[string]string{"rules[0].expr": "register.expr.unknown_name"}},
		{"a number, not a condition", []register.Rule{rule("participants + 1", "", "消息")}, map[string]string{"rules[0].expr": "register.expr.not_condition"}},
		{"no message", []register.Rule{rule("participants >= 0", "", "")}, map[string]string{"rules[0].message_zh": "error.required"}},
		{"unknown field, second rule", []register.Rule{rule("participants >= 0", "", "消息"), rule("budget >= 0", "cost", "消息")},
			map[string]string{"rules[1].field": "register.natural_key.unknown"}},
		{"too many", func() []register.Rule {
			var out []register.Rule
			for i := range register.MaxRules + 1 {
				out = append(out, rule(fmt.Sprintf("participants >= %d", i), "", "消息"))
			}
			return out
		}(), map[string]string{"rules": "error.too_many"}},
	}
	for _, c := range cases {
		s := events()
		s.Rules = c.rules
		if got := fieldKeys(s.Check(nil)); !maps.Equal(got, c.want) {
			t.Errorf("%s: faults %v, want %v", c.name, got, c.want)
		}
	}
	// the field a rule names is checked each time, though its
	// expression's compiled program was kept from a schema before
	s := events()
	s.Rules = []register.Rule{rule("participants >= 0", "participants", "消息")}
	if err := s.Check(nil); err != nil {
		t.Fatal(err)
	}
	s.Rules[0].Field = "cost"
	if got := fieldKeys(s.Check(nil)); got["rules[0].field"] != "register.natural_key.unknown" {
		t.Errorf("an unknown field after the same expression compiled: %v", got)
	}
	// the compiler's caret lines stay out of the message
	s.Rules[0] = rule("participants >=", "", "消息")
	for _, f := range fault.FieldsOf(s.Check(nil)) {
		if d, _ := f.Args["detail"].(string); strings.Contains(d, "\n") || d == "" {
			t.Errorf("detail %q", d)
		}
	}
}

// What a rule sees of a record: dates as "2006-01-02" text ("" when
// empty), numbers as numbers (0 when empty), options as their codes.
func TestRuleValues(t *testing.T) {
	s := events()
	s.Fields = append(s.Fields, register.Field{Code: "end_on", Type: register.TypeDate, NameZH: "结束日期"})
	s.Rules = []register.Rule{
		{Expr: `end_on == "" || end_on >= held_on`, Field: "end_on", MessageZH: "结束日期不能早于举办日期", MessageEN: "An event cannot end before it starts"},
		{Expr: `mode != "online" || participants <= 500`, MessageZH: "线上活动不超过 500 人次"},
	}
	if err := s.Check(nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		values map[string]any
		want   map[string]string
	}{
		{map[string]any{"held_on": "2024-05-02"}, map[string]string{}},
		{map[string]any{"held_on": "2024-05-02", "end_on": "2024-05-02", "mode": "online", "participants": int64(500)}, map[string]string{}},
		{map[string]any{"held_on": "2024-05-02", "end_on": "2024-05-01"}, map[string]string{"end_on": "register.rule.failed"}},
		{map[string]any{"held_on": "2024-05-02", "mode": "online", "participants": int64(501)}, map[string]string{"record": "register.rule.failed"}},
	}
	for _, c := range cases {
		if got := fieldKeys(s.Evaluate(c.values)); !maps.Equal(got, c.want) {
			t.Errorf("%v: faults %v, want %v", c.values, got, c.want)
		}
	}
}
