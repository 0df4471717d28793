package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// recordsPerPage are the page sizes the list offers; the first is the default.
var recordsPerPage = []int{20, 50, 100}

// defaultColumns is how many fields the list shows before any are chosen.
const defaultColumns = 6

type recordsPage struct {
	Base
	Code, Name, Description string
	Q, Unit, Period, Status string
	Sort                    string
	PerPage                 int
	PerPages                []int
	Statuses                []choice
	Periods                 []periodChoice
	Filters                 []filterField
	FieldFiltered           bool
	Columns                 []choice
	UnitList                []unitChoice
	CanEnter                bool
	CanDefine               bool // may change the register's schema
	Errs                    map[string]string
	Results                 recordsResults
}

// recordsResults is the part of the list htmx replaces when a filter changes.
type recordsResults struct {
	Base
	Heads    []columnHead
	Rows     []recordRow
	Total    int
	Capped   bool // Total stopped counting: there are more
	Pager    pager
	Export   string
	Clear    string
	Filtered bool
	Problems []string
}

// columnHead is a column of the table; Sort links to the table sorted by it.
type columnHead struct {
	Label, Sort, Sorted string
}

// recordRow is a record in the table.
type recordRow struct {
	ID          int64
	Href        string
	Cells       []cell
	Unit        cell
	Status      string
	StatusLabel string
}

// periodChoice is a quick choice of period.
type periodChoice struct {
	Label, ID, Href string
	Current         bool
}

// filterField is the filter of one field: a choice, a range or a text.
type filterField struct {
	Code, Label, Kind, Type, Step string
	Name, Value, NameTo, ValueTo  string
	Choices                       []choice
	Error                         string
}

// listQuery is the query of the list without empty parameters, with the
// chosen columns in one comma-separated parameter and no notice.
func listQuery(r *http.Request) url.Values {
	out := url.Values{}
	for k, vals := range r.URL.Query() {
		if k == "done" || k == "lang" {
			continue
		}
		for _, v := range vals {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			if k == "columns" {
				for _, c := range strings.Split(v, ",") {
					if c = strings.TrimSpace(c); c != "" && !slices.Contains(out["columns"], c) {
						out.Add("columns", c)
					}
				}
				continue
			}
			out.Add(k, v)
		}
	}
	if cols := out["columns"]; len(cols) > 0 {
		out.Set("columns", strings.Join(cols, ","))
	}
	return out
}

// chosenColumns are the fields the table shows: those named in the
// query, or the first few that fit a table.
func chosenColumns(reg *register.Register, q url.Values) []register.Field {
	var out []register.Field
	for _, c := range strings.Split(q.Get("columns"), ",") {
		if f, ok := reg.Schema.Field(c); ok && !slices.ContainsFunc(out, func(x register.Field) bool { return x.Code == c }) {
			out = append(out, f)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, f := range reg.Schema.Fields {
		if f.Type != register.TypeLongText && f.Type != register.TypeAttachment && len(out) < defaultColumns {
			out = append(out, f)
		}
	}
	return out
}

// listFilter reads the filter of the list from its query.
func listFilter(q url.Values) (register.Filter, error) {
	f := register.Filter{Under: q.Get("unit"), Period: q.Get("period"), Status: q.Get("status"), Q: q.Get("q"), Sort: q.Get("sort"),
		Page: 1, PerPage: recordsPerPage[0], CapTotal: true}
	c := &fault.Check{}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &f.Page}, {"per_page", &f.PerPage}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1_000_000 {
				c.Add(p.name, "error.integer")
				continue
			}
			*p.dst = n
		}
	}
	if f.PerPage > 100 {
		f.PerPage = 100
	}
	for key, vals := range q {
		name, ok := strings.CutPrefix(key, "f.")
		if !ok {
			continue
		}
		code, op, _ := strings.Cut(name, ".")
		if op == "" {
			op = "eq"
		}
		for _, v := range vals {
			f.Conds = append(f.Conds, register.Cond{Field: code, Op: op, Value: v})
		}
	}
	slices.SortFunc(f.Conds, func(a, b register.Cond) int { return strings.Compare(a.Field+a.Op, b.Field+b.Op) })
	return f, c.Err()
}

// sensitiveConds refuses conditions on sensitive fields: a search by
// part of a masked value would tell it, piece by piece.
func sensitiveConds(reg *register.Register, conds []register.Cond) error {
	c := &fault.Check{}
	for _, cd := range conds {
		if f, ok := reg.Schema.Field(cd.Field); ok && f.Sensitive {
			c.Add("f."+cd.Field, "register.filter.op", "value", cd.Op)
		}
	}
	return c.Err()
}

// pageRecords lists a register's records in the caller's scope, filtered
// by the query; htmx asks for the table alone when a filter changes.
func (s *Server) pageRecords(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	read := recordAccess(p).Read
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	q := listQuery(r)
	d := &recordsPage{Base: s.base(r, "records.title", "registers"), Code: reg.Code, PerPages: recordsPerPage,
		Q: q.Get("q"), Unit: q.Get("unit"), Period: q.Get("period"), Status: q.Get("status"), Sort: q.Get("sort"), Errs: map[string]string{}}
	sc := reg.Schema
	d.Name, d.Description = localName(d.Lang, sc.NameZH, sc.NameEN), localName(d.Lang, sc.DescriptionZH, sc.DescriptionEN)
	d.Title = d.Name
	d.CanDefine = canDefineRegisters(r)
	if d.CanEnter, err = s.canEnterIn(r, p, reg); err != nil {
		return err
	}
	res := &d.Results
	res.Base = d.Base
	cols := chosenColumns(reg, q)
	f, err := listFilter(q)
	d.PerPage = f.PerPage
	if err == nil {
		err = sensitiveConds(reg, f.Conds)
	}
	if err == nil && f.Under != "" {
		if _, uerr := s.app.Units.Get(r.Context(), read, f.Under); uerr != nil {
			err = fault.InvalidField("unit", "register.value.unit", "value", f.Under)
		}
	}
	status := http.StatusOK
	var page register.RecordPage
	if err == nil {
		_, page, err = s.app.Registers.ListRecords(r.Context(), read, reg.Code, f)
	}
	if err != nil {
		rf, ok := s.refusalOf(d.Base, reg, err)
		if !ok {
			return err
		}
		status, d.Errs, res.Problems = rf.status, rf.errs, rf.problems
	}
	s.describeList(d, reg, q, cols)
	if err == nil {
		if err := s.fillRows(r, d, reg, cols, page); err != nil {
			return err
		}
		res.Pager = pagerOf(&http.Request{URL: &url.URL{Path: r.URL.Path, RawQuery: q.Encode()}}, "page", page.Page, page.PerPage, page.Total)
	}
	if isHTMX(r) {
		// htmx swaps only successful answers; a refused filter shows its
		// message in the table's place
		w.Header().Set("HX-Push-Url", listURL(reg.Code, q))
		return s.renderFragment(w, "records", "records-results", res)
	}
	if d.UnitList, err = s.unitChoices(r.Context(), d.Lang, read, nil, 300); err != nil {
		return err
	}
	return s.render(w, r, status, "records", d)
}

func listURL(code string, q url.Values) string {
	if len(q) == 0 {
		return registerURL(code)
	}
	return registerURL(code) + "?" + q.Encode()
}

// describeList fills the filter form, the column choice, the headings
// and the links that keep the query: sorting, export, clearing.
func (s *Server) describeList(d *recordsPage, reg *register.Register, q url.Values, cols []register.Field) {
	res := &d.Results
	for _, st := range []string{register.StatusDraft, register.StatusSubmitted, register.StatusApproved, register.StatusReturned} {
		d.Statuses = append(d.Statuses, choice{Value: st, Label: d.T("record.status." + st), Selected: st == d.Status})
	}
	d.Periods = periodChoices(d.Base, reg.Code, q, time.Now())
	for _, f := range reg.Schema.Fields {
		if ff, ok := filterOf(d.Base, f, q); ok {
			ff.Error = d.Errs["f."+f.Code]
			d.FieldFiltered = d.FieldFiltered || ff.Value != "" || ff.ValueTo != "" || ff.Error != ""
			d.Filters = append(d.Filters, ff)
		}
	}
	for _, f := range reg.Schema.Fields {
		shown := slices.ContainsFunc(cols, func(c register.Field) bool { return c.Code == f.Code })
		d.Columns = append(d.Columns, choice{Value: f.Code, Label: f.Name(d.Lang), Selected: shown})
	}
	for _, f := range cols {
		h := columnHead{Label: f.Name(d.Lang)}
		if !f.Sensitive && f.Type != register.TypeOptions && f.Type != register.TypeAttachment {
			next := f.Code
			switch d.Sort {
			case f.Code:
				h.Sorted, next = "asc", "-"+f.Code
			case "-" + f.Code:
				h.Sorted = "desc"
			}
			sq := cloneValues(q)
			sq.Set("sort", next)
			sq.Del("page")
			h.Sort = listURL(reg.Code, sq)
		}
		res.Heads = append(res.Heads, h)
	}
	eq := cloneValues(q)
	eq.Del("page")
	eq.Del("per_page")
	names := make([]string, len(cols))
	for i, f := range cols {
		names[i] = f.Code
	}
	eq.Set("columns", strings.Join(names, ","))
	res.Export = "/api/v1/registers/" + url.PathEscape(reg.Code) + "/export?" + eq.Encode()
	for k := range q {
		if k != "columns" && k != "sort" && k != "per_page" && k != "page" {
			res.Filtered = true
		}
	}
	keep := url.Values{}
	for _, k := range []string{"columns", "sort", "per_page"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	res.Clear = listURL(reg.Code, keep)
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// periodChoices are the quick choices of period: this half-year, the
// last one, this year and last year.
func periodChoices(b Base, code string, q url.Values, now time.Time) []periodChoice {
	now = now.In(chinaTime)
	y, half := now.Year(), 1
	if now.Month() > 6 {
		half = 2
	}
	lastY, lastHalf := y, half-1
	if lastHalf == 0 {
		lastY, lastHalf = y-1, 2
	}
	out := []periodChoice{
		{Label: b.T("records.period.this_half"), ID: fmt.Sprintf("%dS%d", y, half)},
		{Label: b.T("records.period.last_half"), ID: fmt.Sprintf("%dS%d", lastY, lastHalf)},
		{Label: b.T("records.period.this_year"), ID: strconv.Itoa(y)},
		{Label: b.T("records.period.last_year"), ID: strconv.Itoa(y - 1)},
	}
	for i := range out {
		pq := cloneValues(q)
		pq.Set("period", out[i].ID)
		pq.Del("page")
		out[i].Href = listURL(code, pq)
		out[i].Current = q.Get("period") == out[i].ID
	}
	return out
}

// filterOf is the filter input of a field: options as a choice, numbers
// and dates as a range, text as "contains". Sensitive values, references
// and attachments are not filtered on.
func filterOf(b Base, f register.Field, q url.Values) (filterField, bool) {
	ff := filterField{Code: f.Code, Label: f.Name(b.Lang)}
	if f.Sensitive {
		return ff, false
	}
	rangeOf := func(typ string) {
		ff.Kind, ff.Type = "range", typ
		ff.Name, ff.NameTo = "f."+f.Code+".gte", "f."+f.Code+".lte"
		ff.Value, ff.ValueTo = q.Get(ff.Name), q.Get(ff.NameTo)
	}
	switch f.Type {
	case register.TypeOption, register.TypeOptions:
		ff.Kind, ff.Name = "select", "f."+f.Code
		if f.Type == register.TypeOptions {
			ff.Name += ".contains"
		}
		ff.Value = q.Get(ff.Name)
		ff.Choices = optionChoices(b.Lang, f, []string{ff.Value})
	case register.TypeBoolean:
		ff.Kind, ff.Name = "select", "f."+f.Code
		ff.Value = q.Get(ff.Name)
		ff.Choices = []choice{{Value: "true", Label: f.Format(true, b.Lang), Selected: ff.Value == "true"},
			{Value: "false", Label: f.Format(false, b.Lang), Selected: ff.Value == "false"}}
	case register.TypeInteger, register.TypeDecimal, register.TypeMoney, register.TypePercent:
		rangeOf("number")
		ff.Step = "any"
	case register.TypeDate:
		rangeOf("date")
	case register.TypeDateTime:
		rangeOf("datetime-local")
	case register.TypeText, register.TypeLongText, register.TypeURL, register.TypeEmail, register.TypeUnit, register.TypeUSCC:
		ff.Kind, ff.Name = "contains", "f."+f.Code+".contains"
		ff.Value = q.Get(ff.Name)
	default:
		return ff, false
	}
	return ff, true
}

// fillRows shows a page of records in the chosen columns.
func (s *Server) fillRows(r *http.Request, d *recordsPage, reg *register.Register, cols []register.Field, page register.RecordPage) error {
	res := &d.Results
	res.Total, res.Capped = page.Total, page.Capped
	names := &unitNamer{s: s, p: principal(r), lang: d.Lang}
	for _, rec := range page.Items {
		row := recordRow{ID: rec.ID, Href: recordURL(reg.Code, rec.ID), Status: rec.Status, StatusLabel: d.T("record.status." + rec.Status)}
		for _, f := range cols {
			c, err := s.cellOf(r.Context(), d.Base, names, f, rec.Values[f.Code], false)
			if err != nil {
				return err
			}
			row.Cells = append(row.Cells, c)
		}
		name, err := names.name(r.Context(), rec.Unit)
		if err != nil {
			return err
		}
		row.Unit = cell{Text: name, Title: rec.Unit, Href: unitURL(rec.Unit)}
		if name == "" {
			row.Unit.Text = rec.Unit
		}
		res.Rows = append(res.Rows, row)
	}
	return nil
}
