package register

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"kexie/internal/fault"
)

// Expressions (computed fields, cross-field rules) use expr-lang/expr, the
// one expression language of kexie. In an expression a field is named by
// its code; numbers are float64 (money in yuan, percent as 69.8), dates
// "2006-01-02" strings, options their codes, booleans bool.

// MaxExprLen bounds an expression's source.
const MaxExprLen = 2000

type compiled struct {
	computes map[string]*vm.Program
	rules    []*vm.Program
}

var programs sync.Map // schema fingerprint → *compiled

// exprEnv is the typed environment an expression is checked against.
func (s *Schema) exprEnv() map[string]any {
	env := make(map[string]any, len(s.Fields))
	for _, f := range s.Fields {
		switch {
		case f.Numeric():
			env[f.Code] = float64(0)
		case f.Type == TypeBoolean:
			env[f.Code] = false
		case f.Type == TypeOptions || f.Type == TypeAttachment:
			env[f.Code] = []string{}
		case f.Type == TypeRecord || f.Type == TypePerson:
			env[f.Code] = int64(0)
		default:
			env[f.Code] = ""
		}
	}
	return env
}

// compileExprs compiles every expression of the schema, reporting each
// that does not compile with its position.
func (s *Schema) compileExprs() error {
	_, err := s.programs()
	return err
}

func (s *Schema) programs() (*compiled, error) {
	key := s.fingerprint()
	if c, ok := programs.Load(key); ok {
		return c.(*compiled), nil
	}
	env := s.exprEnv()
	out := &compiled{computes: map[string]*vm.Program{}}
	c := &fault.Check{}
	for i, f := range s.Fields {
		if f.Compute == "" {
			continue
		}
		if len(f.Compute) > MaxExprLen {
			c.Add(fmt.Sprintf("fields[%d].compute", i), "error.too_long", "max", MaxExprLen)
			continue
		}
		p, err := expr.Compile(f.Compute, expr.Env(env), expr.MaxNodes(500))
		if err != nil {
			exprFault(c, fmt.Sprintf("fields[%d].compute", i), err)
			continue
		}
		out.computes[f.Code] = p
	}
	for i, r := range s.Rules {
		at := fmt.Sprintf("rules[%d].expr", i)
		if strings.TrimSpace(r.Expr) == "" {
			c.Add(at, "error.required")
			continue
		}
		if len(r.Expr) > MaxExprLen {
			c.Add(at, "error.too_long", "max", MaxExprLen)
			continue
		}
		p, err := expr.Compile(r.Expr, expr.Env(env), expr.AsBool(), expr.MaxNodes(500))
		if err != nil {
			exprFault(c, at, err)
			continue
		}
		out.rules = append(out.rules, p)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	programs.Store(key, out)
	return out, nil
}

// exprFault adds at path why an expression did not compile, in words an
// office can act on: a name that is no field's code (often a code or a
// date written without quotes), a rule that is no condition, else the
// compiler's first line (the lines after it draw a caret under the
// place, which a page's line cannot show).
func exprFault(c *fault.Check, path string, err error) {
	var fe *file.Error
	if errors.As(err, &fe) {
		if name, ok := strings.CutPrefix(fe.Message, "unknown name "); ok {
			c.Add(path, "register.expr.unknown_name", "name", name)
			return
		}
	}
	detail, _, _ := strings.Cut(err.Error(), "\n")
	if strings.HasPrefix(detail, "expected bool") {
		c.Add(path, "register.expr.not_condition")
		return
	}
	c.Add(path, "register.expr.invalid", "detail", detail)
}

// fingerprint identifies a schema's expressions and field types, so
// compiled programs are shared by every record of a version.
func (s *Schema) fingerprint() string {
	b := []byte(s.Code)
	for _, f := range s.Fields {
		b = append(b, '|')
		b = append(b, f.Code...)
		b = append(b, ':')
		b = append(b, f.Type...)
		b = append(b, ':')
		b = append(b, f.Compute...)
	}
	for _, r := range s.Rules {
		b = append(b, '#')
		b = append(b, r.Expr...)
	}
	return string(b)
}

// exprValue turns a stored value into its expression form.
func (f Field) exprValue(v any) any {
	switch x := v.(type) {
	case nil:
		return f.zero()
	case int64:
		if f.Type == TypeRecord || f.Type == TypePerson {
			return x
		}
		return float64(x) / math.Pow10(f.ScaleOf())
	case time.Time:
		return x.Format(time.RFC3339)
	}
	return v
}

func (f Field) zero() any {
	switch {
	case f.Numeric():
		return float64(0)
	case f.Type == TypeBoolean:
		return false
	case f.Type == TypeOptions || f.Type == TypeAttachment:
		return []string{}
	case f.Type == TypeRecord || f.Type == TypePerson:
		return int64(0)
	}
	return ""
}

// fromExpr turns a computed result back into a stored value.
func (f Field) fromExpr(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, nil // a division by zero leaves the field empty
		}
		if f.Numeric() {
			n := math.Round(x * math.Pow10(f.ScaleOf()))
			if math.Abs(n) > 9e17 {
				return nil, fault.InvalidField(f.Code, "register.value.number", "scale", f.ScaleOf())
			}
			return int64(n), nil
		}
		return f.Parse(fmt.Sprint(x), false)
	case int:
		return f.fromExpr(float64(x))
	case int64:
		return f.fromExpr(float64(x))
	case bool:
		if f.Type == TypeBoolean {
			return x, nil
		}
	case string:
		return f.Parse(x, false)
	}
	return nil, fault.InvalidField(f.Code, "register.expr.result")
}

// Evaluate fills the computed fields of values and checks the rules,
// returning every rule that fails as a field error.
func (s *Schema) Evaluate(values map[string]any) error {
	progs, err := s.programs()
	if err != nil {
		return err
	}
	env := make(map[string]any, len(s.Fields))
	for _, f := range s.Fields {
		env[f.Code] = f.exprValue(values[f.Code])
	}
	c := &fault.Check{}
	for _, f := range s.Fields {
		p, ok := progs.computes[f.Code]
		if !ok {
			continue
		}
		out, err := expr.Run(p, env)
		if err != nil {
			c.Add(f.Code, "register.expr.failed", "detail", err.Error())
			continue
		}
		v, err := f.fromExpr(out)
		if err != nil {
			c.Add(f.Code, "register.expr.result")
			continue
		}
		values[f.Code] = v
		env[f.Code] = f.exprValue(v)
	}
	for i, p := range progs.rules {
		out, err := expr.Run(p, env)
		ok, _ := out.(bool)
		if err != nil || !ok {
			r := s.Rules[i]
			field := r.Field
			if field == "" {
				field = "record"
			}
			c.Add(field, "register.rule.failed", "message_zh", r.MessageZH, "message_en", r.MessageEN)
		}
	}
	return c.Err()
}

// CompileFilter compiles a boolean expression over a record's fields,
// for metrics that count the records matching it. An empty source
// matches every record.
func (s *Schema) CompileFilter(src string) (*vm.Program, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	if len(src) > MaxExprLen {
		return nil, fault.InvalidField("filter", "error.too_long", "max", MaxExprLen)
	}
	p, err := expr.Compile(src, expr.Env(s.exprEnv()), expr.AsBool(), expr.MaxNodes(500))
	if err != nil {
		c := &fault.Check{}
		exprFault(c, "filter", err)
		return nil, c.Err()
	}
	return p, nil
}

// FilterOptions refuses a filter that compares an option field with a
// code the field does not offer (kind == "lectur", kind in [...], "x" in
// tags): it would match no record, silently. src is a filter that
// CompileFilter accepts.
func (s *Schema) FilterOptions(src string) error {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return fault.InvalidField("filter", "register.expr.invalid", "detail", err.Error())
	}
	v := &optionCodes{schema: s, check: &fault.Check{}}
	ast.Walk(&tree.Node, v)
	return v.check.Err()
}

// optionCodes visits a filter's comparisons of option fields with codes.
type optionCodes struct {
	schema *Schema
	check  *fault.Check
}

// Visit checks one comparison: a field against a code, or a code (or a
// list of codes) against a field.
func (v *optionCodes) Visit(node *ast.Node) {
	b, ok := (*node).(*ast.BinaryNode)
	if !ok {
		return
	}
	switch b.Operator {
	case "==", "!=":
		v.compare(b.Left, b.Right)
		v.compare(b.Right, b.Left)
	case "in", "not in":
		v.compare(b.Left, b.Right) // kind in ["a", "b"]
		v.compare(b.Right, b.Left) // "a" in tags
	}
}

func (v *optionCodes) compare(field, codes ast.Node) {
	id, ok := field.(*ast.IdentifierNode)
	if !ok {
		return
	}
	f, ok := v.schema.Field(id.Value)
	if !ok || (f.Type != TypeOption && f.Type != TypeOptions) {
		return
	}
	var lits []string
	switch c := codes.(type) {
	case *ast.StringNode:
		lits = []string{c.Value}
	case *ast.ArrayNode:
		for _, n := range c.Nodes {
			if str, ok := n.(*ast.StringNode); ok {
				lits = append(lits, str.Value)
			}
		}
	}
	for _, l := range lits {
		if !slices.ContainsFunc(f.Options, func(o Option) bool { return o.Code == l }) { // stored values are codes
			v.check.Add("filter", "register.filter.option", "field", f.Code, "value", l)
		}
	}
}

// Matches says whether a record's values satisfy a compiled filter (nil
// matches everything).
func (s *Schema) Matches(p *vm.Program, values map[string]any) (bool, error) {
	if p == nil {
		return true, nil
	}
	env := make(map[string]any, len(s.Fields))
	for _, f := range s.Fields {
		env[f.Code] = f.exprValue(values[f.Code])
	}
	out, err := expr.Run(p, env)
	if err != nil {
		return false, err
	}
	ok, _ := out.(bool)
	return ok, nil
}
