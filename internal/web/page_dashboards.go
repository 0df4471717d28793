package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"kexie/internal/dashboard"
	"kexie/internal/period"
)

type dashboardsPage struct {
	Base
	Items []dashboard.Dashboard
	Form  formState
}

// pageDashboards lists the caller's dashboards and the shared ones, with
// the form of a new one.
func (s *Server) pageDashboards(w http.ResponseWriter, r *http.Request) error {
	return s.showDashboards(w, r, http.StatusOK, newForm("unit", topUnit(principal(r))))
}

func (s *Server) showDashboards(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	ds, err := s.app.Dashboards.List(r.Context(), dashboardCaller(r))
	if err != nil {
		return err
	}
	return s.render(w, r, status, "dashboards", dashboardsPage{Base: s.base(r, "dashboards.title", "dashboards"), Items: ds, Form: f})
}

func (s *Server) pageDashboardCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d, err := s.app.Dashboards.Create(r.Context(), dashboardCaller(r), dashboard.Create{Name: r.PostFormValue("name"),
		Unit: r.PostFormValue("unit"), Shared: r.PostFormValue("shared") != ""})
	if err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "name", "unit"); ok {
			return s.showDashboards(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/dashboards/"+strconv.FormatInt(d.ID, 10), "dashboard_created")
}

type dashboardPage struct {
	Base
	D        dashboard.Dashboard
	Widgets  []widgetJSON
	Data     template.JS
	Form     formState
	Edit     formState
	Types    []choice
	Metrics  []choice
	Periods  []choice
	UnitName string
}

func (s *Server) pageDashboard(w http.ResponseWriter, r *http.Request) error {
	return s.showDashboard(w, r, http.StatusOK, formState{}, formState{})
}

// showDashboard renders a dashboard: figures and tables in HTML, bars
// and lines drawn by ECharts from the JSON embedded in the page; the
// owner also gets the editor.
func (s *Server) showDashboard(w http.ResponseWriter, r *http.Request, status int, add, edit formState) error {
	id, err := dashboardID(r)
	if err != nil {
		return err
	}
	c := dashboardCaller(r)
	d, err := s.app.Dashboards.Get(r.Context(), c, id)
	if err != nil {
		return err
	}
	data := dashboardPage{Base: s.base(r, "dashboards.title", "dashboards"), D: d, Form: add, Edit: edit}
	data.Title = d.Name
	data.Widgets = s.widgetsJSON(r, d, s.app.Dashboards.Render(r.Context(), c, d))
	js, err := json.Marshal(data.Widgets)
	if err != nil {
		return err
	}
	data.Data = template.JS(js)
	if data.Form.values == nil {
		data.Form = newForm("period", period.ThisYear, "type", dashboard.Bar)
	}
	if data.Edit.values == nil {
		data.Edit = newForm("name", d.Name, "unit", d.Unit)
		if d.Shared {
			data.Edit.values.Set("shared", "1")
		}
	}
	for _, t := range dashboard.Types {
		data.Types = append(data.Types, choice{Value: t, Label: data.T("dashboards.type." + t), Selected: data.Form.V("type") == t})
	}
	ms, err := s.app.Metrics.List(r.Context())
	if err != nil {
		return err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Code < ms[j].Code })
	for _, m := range ms {
		data.Metrics = append(data.Metrics, choice{Value: m.Code, Label: metricName(m, data.Lang), Selected: data.Form.V("metric") == m.Code})
	}
	for _, p := range period.RelativeIDs {
		data.Periods = append(data.Periods, choice{Value: p, Label: data.T("period." + p), Selected: data.Form.V("period") == p})
	}
	return s.render(w, r, status, "dashboard", data)
}

// changeDashboard applies a change of the owner's from a form and goes
// back to the dashboard, or shows it again with the refusal.
func (s *Server) changeDashboard(w http.ResponseWriter, r *http.Request, notice string, change func(d dashboard.Dashboard) dashboard.Update, editor bool, shown ...string) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := dashboardID(r)
	if err != nil {
		return err
	}
	c := dashboardCaller(r)
	d, err := s.app.Dashboards.Get(r.Context(), c, id)
	if err != nil {
		return err
	}
	up := change(d)
	v := d.Version
	up.Version = &v
	if _, err := s.app.Dashboards.Update(r.Context(), c, id, up); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, shown...); ok {
			if editor {
				return s.showDashboard(w, r, status, formState{}, f)
			}
			return s.showDashboard(w, r, status, f, formState{})
		}
		return err
	}
	return seeOther(w, r, "/dashboards/"+strconv.FormatInt(id, 10), notice)
}

func (s *Server) pageDashboardEdit(w http.ResponseWriter, r *http.Request) error {
	return s.changeDashboard(w, r, "dashboard_saved", func(d dashboard.Dashboard) dashboard.Update {
		name, unitCode, shared := r.PostFormValue("name"), r.PostFormValue("unit"), r.PostFormValue("shared") != ""
		return dashboard.Update{Name: &name, Unit: &unitCode, Shared: &shared}
	}, true, "name", "unit")
}

func (s *Server) pageDashboardAddWidget(w http.ResponseWriter, r *http.Request) error {
	return s.changeDashboard(w, r, "widget_added", func(d dashboard.Dashboard) dashboard.Update {
		wd := dashboard.Widget{Type: r.PostFormValue("type"), Metric: r.PostFormValue("metric"), Period: r.PostFormValue("period"),
			Unit: strings.TrimSpace(r.PostFormValue("unit")), UnitType: strings.TrimSpace(r.PostFormValue("unit_type")), Title: r.PostFormValue("title")}
		if wd.Type == dashboard.Table {
			for _, m := range r.PostForm["metrics"] {
				if m != "" && m != wd.Metric {
					wd.Metrics = append(wd.Metrics, m)
				}
			}
		}
		ws := append(append([]dashboard.Widget{}, d.Widgets...), wd)
		return dashboard.Update{Widgets: &ws}
	}, false)
}

func (s *Server) pageDashboardRemoveWidget(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		return errNoRoute
	}
	return s.changeDashboard(w, r, "widget_removed", func(d dashboard.Dashboard) dashboard.Update {
		ws := append([]dashboard.Widget{}, d.Widgets...)
		if n < len(ws) {
			ws = append(ws[:n], ws[n+1:]...)
		}
		return dashboard.Update{Widgets: &ws}
	}, false)
}

func (s *Server) pageDashboardDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := dashboardID(r)
	if err != nil {
		return err
	}
	if err := s.app.Dashboards.Delete(r.Context(), dashboardCaller(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/dashboards", "dashboard_deleted")
}
