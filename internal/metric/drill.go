package metric

import (
	"context"
	"sort"
	"strconv"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// Drill-down: the records behind a figure, exactly those it counts. A
// metric's filter that translates into register conditions (field ==
// literal, joined by and) is read a page at a time in SQL; any other
// filter is applied to the records of the subtree and period as the
// facts apply it, and the page is cut from the matches.

// RecordsPerPage is the page size of a drill-down.
const RecordsPerPage = 50

// Records returns a page (from 1) of the records behind a register
// metric's figure for unitCode's subtree over a period, newest first. A
// metric computed from other metrics has no records of its own: that is
// a validation error on "metric".
func (s *Service) Records(ctx context.Context, read unit.Scope, code, unitCode, periodID string, page int) (*register.Register, register.RecordPage, error) {
	m, u, p, err := s.resolve(ctx, read, code, unitCode, periodID)
	if err != nil {
		return nil, register.RecordPage{}, err
	}
	switch m.Source {
	case FromRegister:
	case FromFormula:
		return nil, register.RecordPage{}, fault.InvalidField("metric", "metrics.records.none", "code", m.Code)
	case FromUnits:
		return nil, register.RecordPage{}, fault.InvalidField("metric", "metrics.records.units", "code", m.Code)
	default: // values entered per period: no register behind them
		return nil, register.RecordPage{}, fault.InvalidField("metric", "metrics.records.entered", "code", m.Code)
	}
	if page < 1 {
		page = 1
	}
	reg, err := s.regs.Get(ctx, m.Register)
	if err != nil {
		return nil, register.RecordPage{}, err
	}
	if m.bySeries() {
		return s.stockRecords(ctx, read, m, reg, u, p, page)
	}
	f := register.Filter{Under: u.Code, Period: m.since(p) + ".." + p.ToDate(), Sort: "-date", Page: page, PerPage: RecordsPerPage}
	if m.Field != "" && m.Field != UnitField && m.Aggregation != Flow {
		// averages, distinct counts, minima and maxima pass over empty values
		f.Conds = append(f.Conds, register.Cond{Field: m.Field, Op: "notempty"})
	}
	conds, exact := filterConds(reg, m.Filter)
	f.Conds = append(f.Conds, conds...)
	if exact {
		_, pg, err := s.regs.ListRecords(ctx, read, reg.Code, f)
		return reg, pg, err
	}
	pg := register.RecordPage{Items: []*register.Record{}, Page: page, PerPage: RecordsPerPage}
	skip := (page - 1) * RecordsPerPage
	err = s.regs.EachRecord(ctx, read, reg.Code, register.Filter{Under: f.Under, Period: f.Period, Conds: f.Conds, Sort: f.Sort},
		func(rg *register.Register, r *register.Record) error {
			ok, err := rg.Schema.Matches(m.filter, r.Values)
			if err != nil || !ok {
				return err
			}
			if pg.Total >= skip && len(pg.Items) < RecordsPerPage {
				pg.Items = append(pg.Items, r)
			}
			pg.Total++
			return nil
		})
	return reg, pg, err
}

// stockRecords are the records a stock's figure is made of: of each
// series in the subtree, the latest matching record on or before the
// period's end that holds a value.
func (s *Service) stockRecords(ctx context.Context, read unit.Scope, m *Metric, reg *register.Register, u unit.Unit, p period.Period, page int) (*register.Register, register.RecordPage, error) {
	latest := map[string]*register.Record{}
	// a century back is the beginning of any register
	since := p.To.AddDate(-100, 0, 1).Format("2006-01-02")
	err := s.regs.EachRecord(ctx, read, reg.Code, register.Filter{Under: u.Code, Period: since + ".." + p.ToDate(), Sort: "id"},
		func(rg *register.Register, r *register.Record) error {
			ok, err := rg.Schema.Matches(m.filter, r.Values)
			if err != nil || !ok {
				return err
			}
			k := seriesKey(rg, r)
			if old := latest[k]; old == nil || r.Date > old.Date || (r.Date == old.Date && r.ID > old.ID) {
				latest[k] = r
			}
			return nil
		})
	if err != nil {
		return nil, register.RecordPage{}, err
	}
	var all []*register.Record
	for _, r := range latest {
		if v, ok := r.Values[m.Field].(int64); ok && v != 0 {
			all = append(all, r)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Date != all[j].Date {
			return all[i].Date > all[j].Date
		}
		return all[i].ID > all[j].ID
	})
	pg := register.RecordPage{Items: []*register.Record{}, Total: len(all), Page: page, PerPage: RecordsPerPage}
	if from := (page - 1) * RecordsPerPage; from < len(all) {
		pg.Items = all[from:min(from+RecordsPerPage, len(all))]
	}
	return reg, pg, nil
}

// filterConds translates a metric's filter into register conditions;
// exact says they select exactly the records the filter matches. Only
// what means the same in SQL and in the expression is translated: an
// option, text or integer field equal to a literal that is not its empty
// value (an empty field is NULL in SQL but "" or 0 in an expression), a
// boolean field that is true, and those joined by "and". Anything else
// gives no condition and exact false.
func filterConds(reg *register.Register, src string) ([]register.Cond, bool) {
	if src == "" {
		return nil, true
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, false
	}
	var conds []register.Cond
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BinaryNode:
			switch x.Operator {
			case "&&", "and":
				return walk(x.Left) && walk(x.Right)
			case "==":
				c, ok := eqCond(reg, x.Left, x.Right)
				if !ok {
					c, ok = eqCond(reg, x.Right, x.Left)
				}
				if ok {
					conds = append(conds, c)
				}
				return ok
			}
		case *ast.IdentifierNode:
			if f, ok := reg.Schema.Field(x.Value); ok && f.Type == register.TypeBoolean && !f.Sensitive {
				conds = append(conds, register.Cond{Field: f.Code, Op: "eq", Value: "true"})
				return true
			}
		}
		return false
	}
	if !walk(tree.Node) {
		return nil, false
	}
	return conds, true
}

// eqCond translates "field == literal".
func eqCond(reg *register.Register, id, lit ast.Node) (register.Cond, bool) {
	ident, ok := id.(*ast.IdentifierNode)
	if !ok {
		return register.Cond{}, false
	}
	f, ok := reg.Schema.Field(ident.Value)
	if !ok || f.Sensitive {
		return register.Cond{}, false
	}
	var text string
	switch v := lit.(type) {
	case *ast.StringNode:
		if f.Type != register.TypeOption && f.Type != register.TypeText {
			return register.Cond{}, false
		}
		text = v.Value
	case *ast.IntegerNode:
		if f.Type != register.TypeInteger || v.Value == 0 {
			return register.Cond{}, false
		}
		text = strconv.Itoa(v.Value)
	case *ast.BoolNode:
		if f.Type != register.TypeBoolean || !v.Value {
			return register.Cond{}, false
		}
		text = "true"
	default:
		return register.Cond{}, false
	}
	// the literal must be stored as written: an option's code, a text
	// the normalisers leave as it is
	parsed, err := f.Parse(text, false)
	if err != nil || parsed == nil || (f.Type != register.TypeInteger && f.Type != register.TypeBoolean && parsed != any(text)) {
		return register.Cond{}, false
	}
	if f.Type == register.TypeOption && !optionCode(f, text) {
		return register.Cond{}, false
	}
	return register.Cond{Field: f.Code, Op: "eq", Value: text}, true
}

func optionCode(f register.Field, code string) bool {
	for _, o := range f.Options {
		if o.Code == code {
			return true
		}
	}
	return false
}
