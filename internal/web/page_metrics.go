package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/figure"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// metricRow is a metric in the catalogue.
type metricRow struct {
	Code, Name, UnitOfMeasure, Aggregation, Source, Value, Href string
}

type metricsPage struct {
	Base
	Unit        unit.Unit
	Period      string
	PeriodLabel string
	Rows        []metricRow
}

// aggregationWords explains in words how a metric adds up.
func (b Base) aggregationWords(m *metric.Metric) string {
	return b.TOr("metrics.agg."+string(m.Aggregation), string(m.Aggregation))
}

// sourceWords says where a metric's values come from.
func (s *Server) sourceWords(r *http.Request, b Base, m *metric.Metric) string {
	switch m.Source {
	case metric.FromRegister:
		name, field := m.Register, m.Field
		if reg, err := s.app.Registers.Get(r.Context(), m.Register); err == nil {
			name = reg.Schema.NameZH
			if b.Lang == "en" && reg.Schema.NameEN != "" {
				name = reg.Schema.NameEN
			}
			if f, ok := reg.Schema.Field(m.Field); ok {
				field = f.Name(b.Lang)
			}
		}
		out := b.T("metrics.src.register", "register", name)
		if m.Field != "" {
			out = b.T("metrics.src.register_field", "register", name, "field", field)
		}
		if m.Filter != "" {
			out += "；" + b.T("metrics.src.filter", "filter", m.Filter)
		}
		return out
	case metric.FromFormula:
		if m.Aggregation == metric.Ratio {
			return b.T("metrics.src.ratio", "numerator", m.Numerator, "denominator", m.Denominator)
		}
		return b.T("metrics.src.formula", "formula", m.Formula)
	}
	return b.TOr("metrics.src."+string(m.Source), string(m.Source))
}

// pageMetrics is the catalogue: every metric, what it means, and its
// value for the caller's top unit this year.
func (s *Server) pageMetrics(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	data := metricsPage{Base: s.base(r, "metrics.title", "metrics")}
	ms, err := s.app.Metrics.List(r.Context())
	if err != nil {
		return err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Code < ms[j].Code })
	unitCode := topUnit(p)
	u, uerr := s.app.Units.Get(r.Context(), p.Scope(auth.PermRead), unitCode)
	pp, _ := metric.ParsePeriod(period.ThisYear)
	data.Unit, data.Period, data.PeriodLabel = u, pp.ID, period.Label(pp, data.Lang)
	var figs []metric.Figure
	if uerr == nil && len(ms) > 0 {
		codes := make([]string, len(ms))
		for i, m := range ms {
			codes[i] = m.Code
		}
		if figs, err = s.app.Metrics.Many(r.Context(), p.Scope(auth.PermRead), codes, u.Code, pp.ID); err != nil {
			return err
		}
	}
	for i, m := range ms {
		row := metricRow{Code: m.Code, Name: metricName(m, data.Lang), UnitOfMeasure: m.Unit, Aggregation: data.aggregationWords(m),
			Source: s.sourceWords(r, data.Base, m), Value: figure.None, Href: metricHref(m.Code, u.Code, pp.ID)}
		if figs != nil {
			row.Value = show(m, figs[i].Value, data.Lang)
		}
		data.Rows = append(data.Rows, row)
	}
	return s.render(w, r, http.StatusOK, "metrics", data)
}

// periodLink is a quick choice of relative period.
type periodLink struct {
	ID, Label, Href string
	Current         bool
}

func (s *Server) periodLinks(b Base, r *http.Request, current string) []periodLink {
	var out []periodLink
	for _, id := range period.RelativeIDs {
		q := r.URL.Query()
		q.Set("period", id)
		q.Del("done")
		out = append(out, periodLink{ID: id, Label: b.T("period." + id), Href: r.URL.Path + "?" + q.Encode(), Current: strings.EqualFold(current, id)})
	}
	return out
}

// cellLink is a value shown with the link to the records behind it.
type cellLink struct {
	Name, Display, Href, Sub string
}

type metricPage struct {
	Base
	M              *metric.Metric
	Name           string
	Aggregation    string
	Source         string
	Breakdown      string
	UnitCode       string
	PeriodAsked    string
	Unit           unit.Unit
	Period         period.Period
	PeriodLabel    string
	Value          cellLink
	Previous       string
	Change         string
	ChildType      string
	ChildTypes     []choice
	Children       []cellLink
	Months         []cellLink
	Categories     []cellLink
	Periods        []periodLink
	Charts         template.JS
	Errs           map[string]string
	HasDrill       bool
	ComponentCodes []string
}

// pageMetric shows one metric for a unit and period: its definition, the
// figure and its change, and its breakdowns by child unit, by month and
// by category, each value linking to the records behind it.
func (s *Server) pageMetric(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	read := principal(r).Scope(auth.PermRead)
	m, err := s.app.Metrics.Get(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	data := metricPage{Base: s.base(r, "metrics.title", "metrics"), M: m, Errs: map[string]string{}}
	lang := data.Lang
	data.Name = metricName(m, lang)
	data.Title = data.Name
	data.Aggregation = data.aggregationWords(m)
	data.Source = s.sourceWords(r, data.Base, m)
	data.Breakdown = m.Breakdown
	data.HasDrill = m.Source == metric.FromRegister
	data.UnitCode, data.PeriodAsked = figureQuery(r)
	data.Periods = s.periodLinks(data.Base, r, data.PeriodAsked)
	status := http.StatusOK
	u, err := s.app.Units.Get(ctx, read, data.UnitCode)
	if err != nil {
		if !errors.Is(err, fault.ErrNotFound) {
			return err
		}
		data.Errs["unit"] = s.problemOf(r, fault.InvalidField("unit", "dashboards.unit.unknown", "code", data.UnitCode)).Errors[0].Message
		status = http.StatusUnprocessableEntity
	}
	p, err := metric.ParsePeriod(data.PeriodAsked)
	if err != nil {
		data.Errs["period"] = s.problemOf(r, err).Errors[0].Message
		status = http.StatusUnprocessableEntity
	}
	if status != http.StatusOK {
		return s.render(w, r, status, "metric", data)
	}
	data.Unit, data.Period, data.PeriodLabel = u, p, period.Label(p, lang)
	figs, err := s.app.Metrics.Many(ctx, read, []string{m.Code}, u.Code, p.ID)
	if err != nil {
		return err
	}
	prev := period.Previous(p)
	before, err := s.app.Metrics.Many(ctx, read, []string{m.Code}, u.Code, prev.ID)
	if err != nil {
		return err
	}
	data.Value = cellLink{Display: show(m, figs[0].Value, lang), Href: drillHref(m.Code, u.Code, p.ID)}
	data.Previous = data.T("metrics.previous", "period", period.Label(prev, lang), "value", show(m, before[0].Value, lang))
	data.Change = figure.Change(figs[0].Value, before[0].Value)
	// children, of the chosen type or the first type among them
	all, err := s.app.Units.ChildrenOf(ctx, read, u.Code)
	if err != nil {
		return err
	}
	data.ChildType = strings.TrimSpace(r.URL.Query().Get("type"))
	if data.ChildType == "" {
		if data.ChildType, err = s.app.Dashboards.MainChildType(ctx, all); err != nil {
			return err
		}
	}
	types, err := s.app.Units.Types(ctx)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	var kids []unit.Unit
	for _, k := range all {
		present[k.Type] = true
		if k.Type == data.ChildType {
			kids = append(kids, k)
		}
	}
	for _, t := range types {
		if present[t.Code] {
			label := t.NameZH
			if lang == "en" && t.NameEN != "" {
				label = t.NameEN
			}
			data.ChildTypes = append(data.ChildTypes, choice{Value: t.Code, Label: label, Selected: t.Code == data.ChildType})
		}
	}
	charts := map[string]any{"unit": m.Unit}
	if len(kids) > 0 {
		b, err := s.app.Metrics.ChildBreakdown(ctx, m.Code, u, kids, p)
		if err != nil {
			return err
		}
		var items []chartItem
		for _, part := range b.Parts {
			c := cellLink{Name: part.Name(lang), Display: show(m, part.Value, lang), Href: drillHref(m.Code, part.Key, p.ID),
				Sub: metricHref(m.Code, part.Key, data.PeriodAsked)}
			data.Children = append(data.Children, c)
			items = append(items, chartItem{Key: part.Key, Name: c.Name, Value: part.Value, Display: c.Display, Href: c.Href})
		}
		charts["children"] = items
	}
	months := period.Months(p)
	if len(months) > 1 {
		ids := make([]string, len(months))
		for i, mo := range months {
			ids[i] = mo.ID
		}
		b, err := s.app.Metrics.ByPeriod(ctx, read, m.Code, u.Code, ids)
		if err != nil {
			return err
		}
		var items []chartItem
		for i, part := range b.Parts {
			c := cellLink{Name: period.Label(months[i], lang), Display: show(m, part.Value, lang), Href: drillHref(m.Code, u.Code, part.Key)}
			data.Months = append(data.Months, c)
			items = append(items, chartItem{Key: part.Key, Name: period.ShortLabel(months[i], lang), Value: part.Value, Display: c.Display, Href: c.Href})
		}
		charts["months"] = items
	}
	if m.Breakdown != "" {
		b, err := s.app.Metrics.ByCategory(ctx, read, m.Code, u.Code, p.ID)
		if err == nil {
			for _, part := range b.Parts {
				data.Categories = append(data.Categories, cellLink{Name: part.Name(lang), Display: show(m, part.Value, lang)})
			}
		} else if len(fault.FieldsOf(err)) == 0 {
			return err
		}
	}
	js, err := json.Marshal(charts)
	if err != nil {
		return err
	}
	data.Charts = template.JS(js)
	return s.render(w, r, http.StatusOK, "metric", data)
}

type metricRecordsPage struct {
	Base
	M          *metric.Metric
	Name       string
	Unit       unit.Unit
	Period     string
	Intro      string
	Heads      []string
	Rows       []drillRow
	Pager      pager
	Components []cellLink
}

// drillRow is a record behind a figure.
type drillRow struct {
	Href, Date, Unit string
	Cells            []string
}

// pageMetricRecords is the drill-down of a figure: the records behind
// it, each linking to its page; a computed metric lists its components.
func (s *Server) pageMetricRecords(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	read := principal(r).Scope(auth.PermRead)
	m, err := s.app.Metrics.Get(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	data := metricRecordsPage{Base: s.base(r, "metrics.title", "metrics"), M: m}
	lang := data.Lang
	data.Name = metricName(m, lang)
	data.Title = data.T("metrics.records.title", "metric", data.Name)
	unitCode, periodID := figureQuery(r)
	u, err := s.app.Units.Get(ctx, read, unitCode)
	if err != nil {
		return err
	}
	p, err := metric.ParsePeriod(periodID)
	if err != nil {
		return err
	}
	data.Unit, data.Period = u, period.Label(p, lang)
	if m.Source == metric.FromFormula {
		deps := []string{m.Numerator, m.Denominator}
		if m.Aggregation != metric.Ratio {
			deps = nil
			for _, d := range strings.FieldsFunc(m.Formula, func(c rune) bool { return !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') }) {
				if dm, err := s.app.Metrics.Get(ctx, d); err == nil && dm.Code != m.Code {
					deps = append(deps, d)
				}
			}
		}
		for _, d := range deps {
			if dm, err := s.app.Metrics.Get(ctx, d); err == nil {
				data.Components = append(data.Components, cellLink{Name: metricName(dm, lang), Href: drillHref(dm.Code, u.Code, p.ID)})
			}
		}
		return s.render(w, r, http.StatusOK, "metric_records", data)
	}
	page, err := queryInt(r, "page", 1)
	if err != nil || page < 1 {
		return fault.InvalidField("page", "error.integer")
	}
	reg, pg, err := s.app.Metrics.Records(ctx, read, m.Code, u.Code, p.ID, page)
	if err != nil {
		return err
	}
	data.Intro = data.T("metrics.records.intro", "unit", u.Name(lang), "period", data.Period, "metric", data.Name, "count", pg.Total)
	cols := drillColumns(reg)
	for _, f := range cols {
		data.Heads = append(data.Heads, f.Name(lang))
	}
	for _, rec := range pg.Items {
		row := drillRow{Href: "/registers/" + url.PathEscape(reg.Code) + "/records/" + idString(rec.ID), Date: rec.Date, Unit: rec.Unit}
		for _, f := range cols {
			v := f.Format(rec.Values[f.Code], lang)
			if f.Sensitive && rec.Values[f.Code] != nil {
				v = register.Mask(v)
			}
			row.Cells = append(row.Cells, v)
		}
		data.Rows = append(data.Rows, row)
	}
	data.Pager = pagerOf(r, "page", page, metric.RecordsPerPage, pg.Total)
	return s.render(w, r, http.StatusOK, "metric_records", data)
}

// drillColumns are the fields a drill-down shows: the first few that fit
// a table.
func drillColumns(reg *register.Register) []register.Field {
	var out []register.Field
	for _, f := range reg.Schema.Fields {
		if f.Code == reg.Schema.DateField || f.Type == register.TypeLongText || f.Type == register.TypeAttachment {
			continue
		}
		if out = append(out, f); len(out) == 4 {
			break
		}
	}
	return out
}
