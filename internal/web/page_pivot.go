package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/unit"
)

// The pivot table shows metrics × units × periods: two of the three are
// the rows and the columns, the third (when it has several values)
// splits the rows.

// Pivot limits.
const (
	maxPivotMetrics = 20
	maxPivotPeriods = 24
)

var pivotDims = []string{"metric", "unit", "period"}

// pivotAxis is one value of a dimension.
type pivotAxis struct{ Key, Name string }

// pivotCell is a value with its display and drill-down.
type pivotCell struct {
	Value   *float64
	Display string
	Href    string
}

type pivotRow struct {
	Name  string
	Cells []pivotCell
}

// pivot is a computed pivot table.
type pivot struct {
	Heads []string
	Rows  []pivotRow
}

type pivotPage struct {
	Base
	Metrics    []choice
	UnitCode   string
	Periods    string
	RowDim     string
	ColDim     string
	ChildType  string
	Dims       []choice
	Table      *pivot
	Export     string
	Errs       map[string]string
	NoMetrics  bool
	ChildTypes []choice
}

// pivotQuery is a pivot request.
type pivotQuery struct {
	codes     []string
	unitCode  string
	periods   []string
	rows      string
	cols      string
	childType string
}

func readPivotQuery(r *http.Request) (pivotQuery, error) {
	q := r.URL.Query()
	pq := pivotQuery{unitCode: strings.TrimSpace(q.Get("unit")), rows: q.Get("rows"), cols: q.Get("cols"), childType: strings.TrimSpace(q.Get("type"))}
	for _, v := range q["metrics"] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !contains(pq.codes, c) {
				pq.codes = append(pq.codes, c)
			}
		}
	}
	for _, p := range strings.Split(q.Get("periods"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			pq.periods = append(pq.periods, p)
		}
	}
	if pq.unitCode == "" {
		pq.unitCode = topUnit(principal(r))
	}
	if len(pq.periods) == 0 {
		pq.periods = []string{period.ThisYear}
	}
	if pq.rows == "" {
		pq.rows = "unit"
	}
	if pq.cols == "" {
		pq.cols = "metric"
		if pq.rows == "metric" {
			pq.cols = "unit"
		}
	}
	c := &fault.Check{}
	if !contains(pivotDims, pq.rows) {
		c.Add("rows", "error.option", "value", pq.rows)
	}
	if !contains(pivotDims, pq.cols) {
		c.Add("cols", "error.option", "value", pq.cols)
	} else if pq.cols == pq.rows {
		c.Add("cols", "pivot.same_dims")
	}
	if len(pq.codes) > maxPivotMetrics {
		c.Add("metrics", "error.too_many", "max", maxPivotMetrics)
	}
	if len(pq.periods) > maxPivotPeriods {
		c.Add("periods", "error.too_many", "max", maxPivotPeriods)
	}
	return pq, c.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// buildPivot reads the figures of a pivot request and lays them out.
func (s *Server) buildPivot(r *http.Request, pq pivotQuery) (*pivot, error) {
	ctx := r.Context()
	lang := reqOf(r).lang
	read := principal(r).Scope(auth.PermRead)
	u, err := s.app.Units.Get(ctx, read, pq.unitCode)
	if err != nil {
		return nil, err
	}
	var ps []period.Period
	for _, id := range pq.periods {
		p, err := metric.ParsePeriod(id)
		if err != nil {
			return nil, fault.InvalidField("periods", "register.filter.period", "value", id)
		}
		ps = append(ps, p)
	}
	ms := make([]*metric.Metric, len(pq.codes))
	for i, c := range pq.codes {
		if ms[i], err = s.app.Metrics.Get(ctx, c); err != nil {
			return nil, fault.InvalidField("metrics", "metric.unknown", "code", c)
		}
	}
	all, err := s.app.Units.ChildrenOf(ctx, read, u.Code)
	if err != nil {
		return nil, err
	}
	typ := pq.childType
	if typ == "" {
		if typ, err = s.app.Dashboards.MainChildType(ctx, all); err != nil {
			return nil, err
		}
	}
	var kids []unit.Unit
	for _, k := range all {
		if k.Type == typ {
			kids = append(kids, k)
		}
	}
	axes := map[string][]pivotAxis{}
	for _, m := range ms {
		axes["metric"] = append(axes["metric"], pivotAxis{m.Code, metricName(m, lang)})
	}
	for _, k := range kids {
		axes["unit"] = append(axes["unit"], pivotAxis{k.Code, k.Name(lang)})
	}
	axes["unit"] = append(axes["unit"], pivotAxis{u.Code, u.Name(lang)})
	for _, p := range ps {
		axes["period"] = append(axes["period"], pivotAxis{p.ID, period.Label(p, lang)})
	}
	// values[metric][unit][period]
	values := map[[3]string]*float64{}
	for _, p := range ps {
		bs, err := s.app.Metrics.ChildBreakdowns(ctx, pq.codes, u, kids, p)
		if err != nil {
			return nil, err
		}
		totals, err := s.app.Metrics.Many(ctx, read, pq.codes, u.Code, p.ID)
		if err != nil {
			return nil, err
		}
		for i, b := range bs {
			for _, part := range b.Parts {
				values[[3]string{b.Metric, part.Key, p.ID}] = part.Value
			}
			values[[3]string{b.Metric, u.Code, p.ID}] = totals[i].Value
		}
	}
	byCode := map[string]*metric.Metric{}
	for _, m := range ms {
		byCode[m.Code] = m
	}
	var third string
	for _, d := range pivotDims {
		if d != pq.rows && d != pq.cols {
			third = d
		}
	}
	out := &pivot{}
	head := s.msgs.T(lang, "pivot.dim."+pq.rows, nil)
	if len(axes[third]) > 1 {
		head = s.msgs.T(lang, "pivot.dim."+third, nil) + " / " + head
	}
	out.Heads = append(out.Heads, head)
	for _, c := range axes[pq.cols] {
		out.Heads = append(out.Heads, c.Name)
	}
	for _, t := range axes[third] {
		for _, rv := range axes[pq.rows] {
			name := rv.Name
			if len(axes[third]) > 1 {
				name = t.Name + " / " + rv.Name
			}
			row := pivotRow{Name: name}
			for _, c := range axes[pq.cols] {
				at := map[string]string{third: t.Key, pq.rows: rv.Key, pq.cols: c.Key}
				v := values[[3]string{at["metric"], at["unit"], at["period"]}]
				m := byCode[at["metric"]]
				row.Cells = append(row.Cells, pivotCell{Value: v, Display: show(m, v, lang), Href: drillHref(m.Code, at["unit"], at["period"])})
			}
			out.Rows = append(out.Rows, row)
		}
	}
	return out, nil
}

// pagePivot shows the pivot table and its form.
func (s *Server) pagePivot(w http.ResponseWriter, r *http.Request) error {
	data := pivotPage{Base: s.base(r, "pivot.title", "metrics"), Errs: map[string]string{}}
	pq, qerr := readPivotQuery(r)
	data.UnitCode, data.Periods, data.RowDim, data.ColDim, data.ChildType = pq.unitCode, strings.Join(pq.periods, ","), pq.rows, pq.cols, pq.childType
	ms, err := s.app.Metrics.List(r.Context())
	if err != nil {
		return err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Code < ms[j].Code })
	for _, m := range ms {
		data.Metrics = append(data.Metrics, choice{Value: m.Code, Label: metricName(m, data.Lang), Selected: contains(pq.codes, m.Code)})
	}
	for _, d := range pivotDims {
		data.Dims = append(data.Dims, choice{Value: d, Label: data.T("pivot.dim." + d)})
	}
	status := http.StatusOK
	err = qerr
	if err == nil && len(pq.codes) > 0 {
		data.Table, err = s.buildPivot(r, pq)
	}
	if err != nil {
		p := s.problemOf(r, err)
		if len(p.Errors) == 0 {
			return err
		}
		for _, e := range p.Errors {
			data.Errs[e.Field] = e.Message
		}
		status = p.Status
	}
	data.NoMetrics = len(pq.codes) == 0
	if data.Table != nil {
		q := r.URL.Query()
		q.Del("lang")
		data.Export = "/pivot/export?" + q.Encode()
	}
	return s.render(w, r, status, "pivot", data)
}

// pagePivotExport downloads the pivot table as an Excel workbook.
func (s *Server) pagePivotExport(w http.ResponseWriter, r *http.Request) error {
	pq, err := readPivotQuery(r)
	if err != nil {
		return err
	}
	if len(pq.codes) == 0 {
		return fault.InvalidField("metrics", "error.required")
	}
	t, err := s.buildPivot(r, pq)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := x.GetSheetName(0)
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	for j, h := range t.Heads {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		if err := x.SetCellValue(sheet, cell, h); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(t.Heads), 1)
	_ = x.SetCellStyle(sheet, "A1", last, bold)
	for i, row := range t.Rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := x.SetCellValue(sheet, cell, row.Name); err != nil {
			return err
		}
		for j, c := range row.Cells {
			if c.Value == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+2, i+2)
			if err := x.SetCellValue(sheet, cell, *c.Value); err != nil {
				return err
			}
		}
	}
	_ = x.SetColWidth(sheet, "A", "A", 28)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	name := fmt.Sprintf("pivot-%s.xlsx", strings.Join(pq.periods, "_"))
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	return x.Write(w)
}
