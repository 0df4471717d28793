package web

import (
	"net/http"
	"strconv"

	"kexie/internal/auth"
	"kexie/internal/dashboard"
	"kexie/internal/fault"
	"kexie/internal/figure"
	"kexie/internal/i18n"
	"kexie/internal/metric"
	"kexie/internal/period"
)

// dashboardCaller is the caller as the dashboard service knows it.
func dashboardCaller(r *http.Request) dashboard.Caller {
	p := principal(r)
	return dashboard.Caller{UserID: p.UserID, Read: p.Scope(auth.PermRead)}
}

func dashboardID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.NotFound("dashboard", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) apiListDashboards(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.app.Dashboards.List(r.Context(), dashboardCaller(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ds})
}

func (s *Server) apiCreateDashboard(w http.ResponseWriter, r *http.Request) error {
	var in dashboard.Create
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.app.Dashboards.Create(r.Context(), dashboardCaller(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/dashboards/"+strconv.FormatInt(d.ID, 10))
	return writeJSON(w, http.StatusCreated, d)
}

func (s *Server) apiGetDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := dashboardID(r)
	if err != nil {
		return err
	}
	d, err := s.app.Dashboards.Get(r.Context(), dashboardCaller(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiUpdateDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := dashboardID(r)
	if err != nil {
		return err
	}
	var in dashboard.Update
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.app.Dashboards.Update(r.Context(), dashboardCaller(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiDeleteDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := dashboardID(r)
	if err != nil {
		return err
	}
	if err := s.app.Dashboards.Delete(r.Context(), dashboardCaller(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiDashboardData reads every widget of a dashboard.
func (s *Server) apiDashboardData(w http.ResponseWriter, r *http.Request) error {
	id, err := dashboardID(r)
	if err != nil {
		return err
	}
	c := dashboardCaller(r)
	d, err := s.app.Dashboards.Get(r.Context(), c, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"dashboard": d, "widgets": s.widgetsJSON(r, d, s.app.Dashboards.Render(r.Context(), c, d))})
}

// widgetJSON is what a widget shows, ready for a chart: every value with
// its display and the link to the records behind it.
type widgetJSON struct {
	Index       int         `json:"index"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Metric      string      `json:"metric"`
	Unit        string      `json:"unit,omitempty"`
	UnitName    string      `json:"unit_name,omitempty"`
	Period      string      `json:"period,omitempty"`
	PeriodLabel string      `json:"period_label,omitempty"`
	Value       *float64    `json:"value,omitempty"`
	Display     string      `json:"display,omitempty"`
	Previous    *float64    `json:"previous,omitempty"`
	PrevDisplay string      `json:"previous_display,omitempty"`
	Change      string      `json:"change,omitempty"`
	Href        string      `json:"href,omitempty"`
	Items       []chartItem `json:"items,omitempty"`
	Columns     []string    `json:"columns,omitempty"`
	Rows        []tableRow  `json:"rows,omitempty"`
	Error       string      `json:"error,omitempty"`
}

// chartItem is a bar or a point of a line.
type chartItem struct {
	Key     string   `json:"key"`
	Name    string   `json:"name"`
	Value   *float64 `json:"value"`
	Display string   `json:"display"`
	Href    string   `json:"href,omitempty"`
}

// tableRow is a line of a table widget.
type tableRow struct {
	Key   string      `json:"key"`
	Name  string      `json:"name"`
	Total bool        `json:"total,omitempty"`
	Cells []chartItem `json:"cells"`
}

func metricName(m *metric.Metric, lang string) string {
	if lang == i18n.EN && m.NameEN != "" {
		return m.NameEN
	}
	return m.NameZH
}

// widgetsJSON turns rendered widgets into what pages and the API show.
func (s *Server) widgetsJSON(r *http.Request, d dashboard.Dashboard, data []dashboard.Data) []widgetJSON {
	lang := reqOf(r).lang
	out := make([]widgetJSON, len(data))
	for i, wd := range data {
		w := widgetJSON{Index: i, Type: wd.Widget.Type, Title: wd.Widget.Title, Metric: wd.Widget.Metric}
		if wd.Err != nil {
			w.Error = s.problemOf(r, wd.Err).Title
			if w.Title == "" {
				w.Title = wd.Widget.Metric
			}
			out[i] = w
			continue
		}
		m := wd.Metrics[0]
		if w.Title == "" {
			w.Title = metricName(m, lang)
		}
		w.Unit, w.UnitName = wd.Unit.Code, wd.Unit.Name(lang)
		w.Period, w.PeriodLabel = wd.Period.ID, period.Label(wd.Period, lang)
		switch wd.Widget.Type {
		case dashboard.Figure:
			w.Value, w.Display = wd.Figure.Value, show(m, wd.Figure.Value, lang)
			w.Previous, w.PrevDisplay = wd.Previous.Value, show(m, wd.Previous.Value, lang)
			w.Change = figure.Change(wd.Figure.Value, wd.Previous.Value)
			w.Href = drillHref(m.Code, wd.Unit.Code, wd.Period.ID)
		case dashboard.Bar:
			for _, p := range wd.Parts {
				w.Items = append(w.Items, chartItem{Key: p.Key, Name: p.Name(lang), Value: p.Value, Display: show(m, p.Value, lang),
					Href: drillHref(m.Code, p.Key, wd.Period.ID)})
			}
		case dashboard.Line:
			for _, p := range wd.Parts {
				pp, _ := period.Parse(p.Key)
				w.Items = append(w.Items, chartItem{Key: p.Key, Name: period.ShortLabel(pp, lang), Value: p.Value, Display: show(m, p.Value, lang),
					Href: drillHref(m.Code, wd.Unit.Code, p.Key)})
			}
		case dashboard.Table:
			for _, x := range wd.Metrics {
				w.Columns = append(w.Columns, metricName(x, lang))
			}
			for _, row := range wd.Rows {
				tr := tableRow{Key: row.Key, Name: row.Name(lang), Total: row.Total}
				for j, v := range row.Values {
					tr.Cells = append(tr.Cells, chartItem{Key: wd.Metrics[j].Code, Value: v, Display: show(wd.Metrics[j], v, lang),
						Href: drillHref(wd.Metrics[j].Code, row.Key, wd.Period.ID)})
				}
				w.Rows = append(w.Rows, tr)
			}
		}
		out[i] = w
	}
	return out
}
