package web

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"kexie/internal/register"
)

// The schema editor's cross-field rules: each an expression every record
// must satisfy, the field its message shows at, and the message in both
// languages. They travel in the form like the fields; "add a rule" and
// "remove" post it back.

// schemaRule is one rule of the draft as the form draws it.
type schemaRule struct {
	register.Rule
	I      int
	Fields []choice // the fields its message may show at
	page   *schemaPage
}

// N is the name of the rule's input for attr ("rules[0].expr").
func (r schemaRule) N(attr string) string { return fmt.Sprintf("rules[%d].%s", r.I, attr) }

// E is the message of the rule's input for attr.
func (r schemaRule) E(attr string) string { return r.page.errs[r.N(attr)] }

// T translates in the page's language.
func (r schemaRule) T(key string, args ...any) string { return r.page.T(key, args...) }

// Page is the editor the rule is drawn in.
func (r schemaRule) Page() *schemaPage { return r.page }

// ruleAttrs are the inputs of a rule, for the messages the form can place.
var ruleAttrs = []string{"expr", "field", "message_zh", "message_en"}

// rulesOf reads the rules the form holds. A rule shown as stored is
// kept as stored: a text box gives back its text trimmed and with the
// browser's line ends, which alone make no new version.
func rulesOf(form url.Values, stored []register.Rule) []register.Rule {
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	var out []register.Rule
	for i := 0; ; i++ {
		p := fmt.Sprintf("rules[%d].", i)
		if _, ok := form[p+"expr"]; !ok {
			return out
		}
		r := register.Rule{Expr: exprText(form.Get(p + "expr")), Field: get(p + "field"), MessageZH: get(p + "message_zh"), MessageEN: get(p + "message_en")}
		for _, old := range stored {
			if exprText(old.Expr) == r.Expr && old.Field == r.Field && strings.TrimSpace(old.MessageZH) == r.MessageZH &&
				strings.TrimSpace(old.MessageEN) == r.MessageEN {
				r = old
				break
			}
		}
		out = append(out, r)
	}
}

// exprText is an expression as typed, without the line ends a browser
// adds or the blanks around it.
func exprText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// drawRules gives the page the draft's rules, each with the fields its
// message may show at (one the draft no longer has stays, to be refused
// at its input).
func drawRules(p *schemaPage, draft *register.Schema) {
	for i, r := range draft.Rules {
		sr := schemaRule{Rule: r, I: i, page: p}
		sr.Fields = []choice{{Value: "", Label: p.T("schema.rule.no_field"), Selected: r.Field == ""}}
		for _, f := range draft.Fields {
			if f.Code != "" {
				sr.Fields = append(sr.Fields, choice{Value: f.Code, Label: fieldChoiceLabel(p.Lang, f), Selected: f.Code == r.Field})
			}
		}
		if r.Field != "" && !slices.ContainsFunc(sr.Fields, func(c choice) bool { return c.Value == r.Field }) {
			sr.Fields = append(sr.Fields, choice{Value: r.Field, Label: r.Field, Selected: true})
		}
		p.Rules = append(p.Rules, sr)
	}
}
