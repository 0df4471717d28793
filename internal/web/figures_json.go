package web

import (
	"net/http"
	"net/url"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/figure"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/unit"
)

// figureJSON is a figure as the API answers it: the number, and the
// same figure printed for people in the request's language.
type figureJSON struct {
	Metric  string   `json:"metric"`
	Unit    string   `json:"unit"`
	Period  string   `json:"period"`
	Value   *float64 `json:"value"`
	Display string   `json:"display"`
	Count   int64    `json:"count"`
}

// partJSON is one part of a breakdown.
type partJSON struct {
	Key     string   `json:"key"`
	Name    string   `json:"name"`
	Value   *float64 `json:"value"`
	Display string   `json:"display"`
	Count   int64    `json:"count"`
}

type breakdownJSON struct {
	Metric string     `json:"metric"`
	Unit   string     `json:"unit"`
	Period string     `json:"period,omitempty"`
	Items  []partJSON `json:"items"`
}

// show prints a metric's value in lang.
func show(m *metric.Metric, v *float64, lang string) string {
	return figure.Ptr(v, m.Unit, m.Decimals, m.Percent, lang)
}

func toFigureJSON(m *metric.Metric, f metric.Figure, lang string) figureJSON {
	return figureJSON{Metric: f.Metric, Unit: f.Unit, Period: f.Period, Value: f.Value, Display: show(m, f.Value, lang), Count: f.Count}
}

func toBreakdownJSON(m *metric.Metric, b metric.Breakdown, lang string) breakdownJSON {
	out := breakdownJSON{Metric: b.Metric, Unit: b.Unit, Period: b.Period, Items: make([]partJSON, len(b.Parts))}
	for i, p := range b.Parts {
		out.Items[i] = partJSON{Key: p.Key, Name: p.Name(lang), Value: p.Value, Display: show(m, p.Value, lang), Count: p.Count}
	}
	return out
}

// topUnit is the unit figures are read for when a request names none:
// the root of the caller's read scope (the first, when it holds several).
func topUnit(p *auth.Principal) string {
	roots := p.Scope(auth.PermRead).Roots()
	if p.Scope(auth.PermRead).IsEverything() || len(roots) == 0 {
		return ""
	}
	codes := unit.Ancestors(roots[0])
	return codes[len(codes)-1]
}

// figureQuery reads the unit and period of a figure request; the unit
// defaults to the caller's top unit, the period to this year.
func figureQuery(r *http.Request) (unitCode, periodID string) {
	q := r.URL.Query()
	unitCode, periodID = strings.TrimSpace(q.Get("unit")), strings.TrimSpace(q.Get("period"))
	if unitCode == "" {
		unitCode = topUnit(principal(r))
	}
	if periodID == "" {
		periodID = period.ThisYear
	}
	return unitCode, periodID
}

// drillHref links a figure to the page of the records behind it.
func drillHref(code, unitCode, periodID string) string {
	return "/metrics/" + url.PathEscape(code) + "/records?" + url.Values{"unit": {unitCode}, "period": {periodID}}.Encode()
}

// metricHref links to a metric's page for a unit and period.
func metricHref(code, unitCode, periodID string) string {
	return "/metrics/" + url.PathEscape(code) + "?" + url.Values{"unit": {unitCode}, "period": {periodID}}.Encode()
}
