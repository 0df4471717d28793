package web

import (
	"net/http"
	"sort"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/period"
)

func (s *Server) apiListMetrics(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.app.Metrics.List(r.Context())
	if err != nil {
		return err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Code < ms[j].Code })
	return writeJSON(w, http.StatusOK, map[string]any{"items": ms})
}

func (s *Server) apiGetMetric(w http.ResponseWriter, r *http.Request) error {
	m, err := s.app.Metrics.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// apiDefineMetric creates or changes a metric; definitions are tree-wide
// configuration, so only an administrator at the root may.
func (s *Server) apiDefineMetric(w http.ResponseWriter, r *http.Request) error {
	var d metric.Def
	if err := s.decode(w, r, &d); err != nil {
		return err
	}
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	if d.Code == "" {
		d.Code = r.PathValue("code")
	}
	if d.Code != r.PathValue("code") {
		return fault.InvalidField("code", "register.code.path")
	}
	m, err := s.app.Metrics.Define(r.Context(), d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

func (s *Server) apiMetricValue(w http.ResponseWriter, r *http.Request) error {
	unitCode, periodID := figureQuery(r)
	figs, err := s.app.Metrics.Many(r.Context(), principal(r).Scope(auth.PermRead), []string{r.PathValue("code")}, unitCode, periodID)
	if err != nil {
		return err
	}
	m, err := s.app.Metrics.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toFigureJSON(m, figs[0], reqOf(r).lang))
}

func (s *Server) apiMetricChildren(w http.ResponseWriter, r *http.Request) error {
	unitCode, periodID := figureQuery(r)
	var types []string
	if t := strings.TrimSpace(r.URL.Query().Get("type")); t != "" {
		types = strings.Split(t, ",")
	}
	b, err := s.app.Metrics.ByChildren(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), unitCode, periodID, types...)
	if err != nil {
		return err
	}
	return s.writeBreakdown(w, r, b)
}

func (s *Server) writeBreakdown(w http.ResponseWriter, r *http.Request, b metric.Breakdown) error {
	m, err := s.app.Metrics.Get(r.Context(), b.Metric)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toBreakdownJSON(m, b, reqOf(r).lang))
}

// apiMetricPeriods breaks a metric down by the listed periods, or by the
// months of one period (months_of).
func (s *Server) apiMetricPeriods(w http.ResponseWriter, r *http.Request) error {
	unitCode, _ := figureQuery(r)
	q := r.URL.Query()
	var ids []string
	for _, p := range strings.Split(q.Get("periods"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			ids = append(ids, p)
		}
	}
	if of := strings.TrimSpace(q.Get("months_of")); of != "" {
		p, err := metric.ParsePeriod(of)
		if err != nil {
			return fault.InvalidField("months_of", "register.filter.period", "value", of)
		}
		for _, m := range period.Months(p) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		ids = []string{period.ThisYear}
	}
	b, err := s.app.Metrics.ByPeriod(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), unitCode, ids)
	if err != nil {
		return err
	}
	return s.writeBreakdown(w, r, b)
}

func (s *Server) apiMetricCategories(w http.ResponseWriter, r *http.Request) error {
	unitCode, periodID := figureQuery(r)
	b, err := s.app.Metrics.ByCategory(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), unitCode, periodID)
	if err != nil {
		return err
	}
	return s.writeBreakdown(w, r, b)
}

// apiMetricRecords is the drill-down of a figure: the records behind it.
func (s *Server) apiMetricRecords(w http.ResponseWriter, r *http.Request) error {
	unitCode, periodID := figureQuery(r)
	page, err := queryInt(r, "page", 1)
	if err != nil || page < 1 {
		return fault.InvalidField("page", "error.integer")
	}
	reg, pg, err := s.app.Metrics.Records(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), unitCode, periodID, page)
	if err != nil {
		return err
	}
	out := recordPageJSON{Total: pg.Total, Page: pg.Page, PerPage: pg.PerPage, Items: make([]recordJSON, 0, len(pg.Items))}
	for _, rec := range pg.Items {
		out.Items = append(out.Items, toRecordJSON(reg, rec))
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiFigures reads many metrics at once for one unit and period.
func (s *Server) apiFigures(w http.ResponseWriter, r *http.Request) error {
	unitCode, periodID := figureQuery(r)
	var codes []string
	for _, c := range strings.Split(r.URL.Query().Get("metrics"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	figs, err := s.app.Metrics.Many(r.Context(), principal(r).Scope(auth.PermRead), codes, unitCode, periodID)
	if err != nil {
		return err
	}
	out := make([]figureJSON, len(figs))
	for i, f := range figs {
		m, err := s.app.Metrics.Get(r.Context(), f.Metric)
		if err != nil {
			return err
		}
		out[i] = toFigureJSON(m, f, reqOf(r).lang)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// apiVerifyMetric compares a metric's facts with a recomputation from
// the records; facts are tree-wide, so only an administrator at the root
// may ask.
func (s *Server) apiVerifyMetric(w http.ResponseWriter, r *http.Request) error {
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	m, err := s.app.Metrics.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	diffs, err := s.app.Metrics.Verify(r.Context(), m.Code)
	if err != nil {
		return err
	}
	if diffs == nil {
		diffs = []metric.Difference{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"metric": m.Code, "ok": len(diffs) == 0, "differences": diffs})
}
