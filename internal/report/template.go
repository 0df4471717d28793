// Package report writes reports whose figures come from the metrics: a
// template is Markdown-like text (headings "# ", list items "- ",
// paragraphs) with placeholders evaluated for a unit and a period, and the
// result is a document printed as Markdown, HTML, XLSX, DOCX or PDF.
//
// Placeholders (expressions in expr-lang/expr, the product's one
// expression language):
//
//	{{ fig("registered_volunteers") }}          8.35万人 (linked in HTML)
//	{{ num("registered_volunteers") }}          8.35万 (no unit of measure)
//	{{ fig("kczg_pilot_cities", "320300") }}    of another unit in scope
//	{{ change("society_staff") }}               +12.5% against the previous period
//	{{ rank("science_week_activities", 3, "city") }}  the first three child cities
//	{{ table(["kexiao_new", "science_week_activities"], "city") }}  child cities × metrics
//	{{#if val("kexiao_new") > 0}} … {{#else}} … {{/if}}
//	{{#each children() as c}} {{ c.name }} {{ fig("kexiao_new", c.code) }} {{/each}}
//	{{!-- a comment --}}
package report

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Limits of a template.
const (
	MaxTemplateLen = 200_000 // bytes of source
	MaxExprLen     = 1000    // bytes of one placeholder
	MaxNesting     = 20      // nested #if / #each
)

// Error is a template error at a line and column (both from 1).
type Error struct {
	Line, Col int
	Key       string // i18n key
	Args      []any  // key/value pairs for the message
	Detail    string // the expression compiler's words, if any
	cause     error
}

// Unwrap is what caused an evaluation error (a unit out of scope: not found).
func (e *Error) Unwrap() error { return e.cause }

func (e *Error) Error() string {
	s := fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Key)
	for i := 0; i+1 < len(e.Args); i += 2 {
		s += fmt.Sprintf(" %v=%v", e.Args[i], e.Args[i+1])
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// node kinds
const (
	nText = iota
	nExpr
	nIf
	nEach
)

type node struct {
	kind      int
	text      string // nText: the text; nExpr/nIf/nEach: the expression source
	line, col int    // where the expression starts
	prog      *vm.Program
	tree      *ast.Node
	as        string // nEach: the loop variable
	body      []node // nIf: then; nEach: body
	els       []node // nIf: else
}

// Template is a parsed, checked template.
type Template struct {
	Source string
	nodes  []node
	// Codes are the metrics named by literal codes, for reading them
	// together before evaluation.
	Codes []string
}

// tag is one {{ … }} of the source.
type tag struct {
	start, end int // byte offsets of "{{" and after "}}"
	inner      string
	innerAt    int // offset of inner
}

// Parse reads and checks a template: its structure, each expression's
// syntax and types, and (known may be nil to skip it) that each metric
// named by a literal code exists.
func Parse(src string, known func(code string) bool, names func() []string) (*Template, error) {
	if len(src) > MaxTemplateLen {
		return nil, &Error{Line: 1, Col: 1, Key: "report.error.too_long", Args: []any{"max", MaxTemplateLen}}
	}
	if !utf8.ValidString(src) {
		return nil, &Error{Line: 1, Col: 1, Key: "report.error.encoding"}
	}
	p := &parser{src: src, known: known, names: names, codes: map[string]bool{}}
	nodes, end, err := p.parse(0, nil, 0)
	if err != nil {
		return nil, err
	}
	if end != "" {
		l, c := p.pos(len(src))
		return nil, &Error{Line: l, Col: c, Key: "report.error.unexpected", Args: []any{"tag", end}}
	}
	t := &Template{Source: src, nodes: nodes}
	for _, c := range p.order {
		t.Codes = append(t.Codes, c)
	}
	return t, nil
}

type parser struct {
	src   string
	at    int
	known func(string) bool
	names func() []string
	codes map[string]bool
	order []string
}

// pos is the line and column (from 1, in characters) of byte offset off.
func (p *parser) pos(off int) (int, int) {
	before := p.src[:off]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

func (p *parser) next() (tag, bool, error) {
	i := strings.Index(p.src[p.at:], "{{")
	if i < 0 {
		return tag{}, false, nil
	}
	start := p.at + i
	if strings.HasPrefix(p.src[start:], "{{!--") {
		j := strings.Index(p.src[start:], "--}}")
		if j < 0 {
			l, c := p.pos(start)
			return tag{}, false, &Error{Line: l, Col: c, Key: "report.error.unclosed"}
		}
		return tag{start: start, end: start + j + 4, inner: "!"}, true, nil
	}
	j := strings.Index(p.src[start+2:], "}}")
	if j < 0 {
		l, c := p.pos(start)
		return tag{}, false, &Error{Line: l, Col: c, Key: "report.error.unclosed"}
	}
	inner := p.src[start+2 : start+2+j]
	return tag{start: start, end: start + 2 + j + 2, inner: inner, innerAt: start + 2}, true, nil
}

// parse reads nodes up to the end or a closing tag ({{#else}}, {{/if}},
// {{/each}}), which it returns.
func (p *parser) parse(depth int, vars []string, _ int) ([]node, string, error) {
	if depth > MaxNesting {
		l, c := p.pos(p.at)
		return nil, "", &Error{Line: l, Col: c, Key: "report.error.nesting", Args: []any{"max", MaxNesting}}
	}
	var out []node
	for {
		t, ok, err := p.next()
		if err != nil {
			return nil, "", err
		}
		if !ok {
			if p.at < len(p.src) {
				out = append(out, node{kind: nText, text: p.src[p.at:]})
			}
			p.at = len(p.src)
			return out, "", nil
		}
		if t.start > p.at {
			out = append(out, node{kind: nText, text: p.src[p.at:t.start]})
		}
		p.at = t.end
		if t.inner == "!" {
			continue
		}
		inner := strings.TrimSpace(t.inner)
		lead := t.innerAt + strings.Index(t.inner, inner)
		switch {
		case inner == "#else" || inner == "/if" || inner == "/each":
			return out, inner, nil
		case strings.HasPrefix(inner, "#if ") || strings.HasPrefix(inner, "#if\t"):
			n, err := p.compile(strings.TrimSpace(inner[3:]), lead+3+leading(inner[3:]), vars)
			if err != nil {
				return nil, "", err
			}
			n.kind = nIf
			body, end, err := p.parse(depth+1, vars, 0)
			if err != nil {
				return nil, "", err
			}
			n.body = body
			if end == "#else" {
				if n.els, end, err = p.parse(depth+1, vars, 0); err != nil {
					return nil, "", err
				}
			}
			if end != "/if" {
				return nil, "", p.unclosed(t.start, "#if")
			}
			out = append(out, n)
		case strings.HasPrefix(inner, "#each ") || strings.HasPrefix(inner, "#each\t"):
			rest := inner[5:]
			k := strings.LastIndex(rest, " as ")
			if k < 0 || !isIdent(strings.TrimSpace(rest[k+4:])) {
				l, c := p.pos(t.start)
				return nil, "", &Error{Line: l, Col: c, Key: "report.error.each_syntax"}
			}
			as := strings.TrimSpace(rest[k+4:])
			if reserved(as) {
				l, c := p.pos(t.start)
				return nil, "", &Error{Line: l, Col: c, Key: "report.error.reserved", Args: []any{"name", as}}
			}
			n, err := p.compile(strings.TrimSpace(rest[:k]), lead+5+leading(rest), vars)
			if err != nil {
				return nil, "", err
			}
			n.kind, n.as = nEach, as
			body, end, err := p.parse(depth+1, append(append([]string(nil), vars...), as), 0)
			if err != nil {
				return nil, "", err
			}
			if end != "/each" {
				return nil, "", p.unclosed(t.start, "#each")
			}
			n.body = body
			out = append(out, n)
		case strings.HasPrefix(inner, "#") || strings.HasPrefix(inner, "/"):
			l, c := p.pos(t.start)
			return nil, "", &Error{Line: l, Col: c, Key: "report.error.unknown_tag", Args: []any{"tag", inner}}
		default:
			n, err := p.compile(inner, lead, vars)
			if err != nil {
				return nil, "", err
			}
			n.kind = nExpr
			out = append(out, n)
		}
	}
}

func (p *parser) unclosed(at int, what string) error {
	l, c := p.pos(at)
	return &Error{Line: l, Col: c, Key: "report.error.unclosed_block", Args: []any{"tag", what}}
}

func leading(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// compile compiles one expression at byte offset at, with the loop
// variables vars in scope, and checks the metrics it names.
func (p *parser) compile(src string, at int, vars []string) (node, error) {
	l, c := p.pos(at)
	n := node{text: src, line: l, col: c}
	if src == "" {
		return n, &Error{Line: l, Col: c, Key: "report.error.empty"}
	}
	if len(src) > MaxExprLen {
		return n, &Error{Line: l, Col: c, Key: "report.error.expr_too_long", Args: []any{"max", MaxExprLen}}
	}
	env := typedEnv(vars)
	prog, err := expr.Compile(src, expr.Env(env), expr.MaxNodes(300))
	if err != nil {
		e := &Error{Line: l, Col: c, Key: "report.error.expr", Detail: firstLine(err.Error())}
		if fe, ok := err.(*file.Error); ok {
			e.Line, e.Col = l+fe.Line-1, fe.Column+1
			if fe.Line <= 1 {
				e.Col = c + fe.Column
			}
			e.Detail = fe.Message
		}
		return n, e
	}
	n.prog = prog
	tree := prog.Node()
	n.tree = &tree
	var bad *Error
	ast.Walk(&tree, visitor(func(nd *ast.Node) {
		call, ok := (*nd).(*ast.CallNode)
		if !ok || bad != nil {
			return
		}
		id, ok := call.Callee.(*ast.IdentifierNode)
		if !ok || !metricFuncs[id.Value] || len(call.Arguments) == 0 {
			return
		}
		args := call.Arguments[:1]
		if id.Value == "chart" {
			args = call.Arguments[1:min(2, len(call.Arguments))]
		}
		if arr, ok := call.Arguments[0].(*ast.ArrayNode); ok && id.Value == "table" {
			args = arr.Nodes
		}
		for _, a := range args {
			lit, ok := a.(*ast.StringNode)
			if !ok || bad != nil {
				continue
			}
			if p.known != nil && !p.known(lit.Value) {
				bad = &Error{Line: l, Col: c + lit.Location().From, Key: "report.error.unknown_metric",
					Args: []any{"code", lit.Value, "closest", strings.Join(closest(lit.Value, p.names()), ", ")}}
				continue
			}
			if !p.codes[lit.Value] && len(call.Arguments) == 1 && id.Value != "table" && id.Value != "chart" {
				p.codes[lit.Value] = true
				p.order = append(p.order, lit.Value)
			}
		}
	}))
	if bad != nil {
		return n, bad
	}
	return n, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

type visitor func(*ast.Node)

func (v visitor) Visit(n *ast.Node) { v(n) }

// metricFuncs take a metric code first.
var metricFuncs = map[string]bool{"fig": true, "num": true, "val": true, "change": true, "rank": true, "table": true, "chart": true}

// closest are up to three known names nearest to s by edit distance.
func closest(s string, names []string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range names {
		d := distance(s, n)
		if strings.Contains(n, s) || strings.Contains(s, n) {
			d = min(d, 2)
		}
		cs = append(cs, cand{n, d})
	}
	for i := 1; i < len(cs); i++ { // insertion sort: few hundred names
		for j := i; j > 0 && (cs[j].d < cs[j-1].d || cs[j].d == cs[j-1].d && cs[j].name < cs[j-1].name); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 100 || len(rb) > 100 {
		return 100
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
