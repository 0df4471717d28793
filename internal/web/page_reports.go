package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/report"
	"kexie/internal/unit"
)

type reportsPage struct {
	Base
	Templates []report.StoredTemplate
	Snapshots []report.Snapshot
	CanEdit   bool
}

// pageReports lists the templates and the reports generated for the record.
func (s *Server) pageReports(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.app.Reports.Templates(r.Context())
	if err != nil {
		return err
	}
	sn, err := s.app.Reports.Snapshots(r.Context(), principal(r).Scope(auth.PermRead), "")
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "reports", reportsPage{Base: s.base(r, "report.page.title", "reports"), Templates: ts, Snapshots: sn, CanEdit: isRootAdmin(principal(r))})
}

// download is a format's link.
type download struct {
	Format, Href string
}

type reportPage struct {
	Base
	Tpl      report.StoredTemplate
	Unit     string
	Period   string
	Body     template.HTML
	Empty    bool
	Problem  string
	Download []download
	CanEdit  bool
	Units    []reportUnit
	Periods  []string
}

// reportUnit is a unit offered by the picker.
type reportUnit struct{ Code, Name string }

// choices are the caller's unit and its children for the unit picker,
// and recent periods for the period picker.
func (s *Server) choices(r *http.Request) ([]reportUnit, []string) {
	var us []reportUnit
	if code := defaultUnit(r); code != "" {
		scope := principal(r).Scope(auth.PermRead)
		if u, err := s.app.Units.Get(r.Context(), scope, code); err == nil {
			us = append(us, reportUnit{u.Code, u.NameZH})
			if kids, err := s.app.Metrics.Children(r.Context(), scope, code); err == nil {
				for _, k := range kids {
					us = append(us, reportUnit{k.Code, k.NameZH})
				}
			}
		}
	}
	var ps []string
	for y := time.Now().Year(); y >= time.Now().Year()-6; y-- {
		ps = append(ps, fmt.Sprintf("%dS2", y), fmt.Sprintf("%dS1", y), strconv.Itoa(y))
	}
	return us, ps
}

// defaultUnit is the unit of the caller's first grant.
func defaultUnit(r *http.Request) string {
	if p := principal(r); p != nil && len(p.Grants) > 0 {
		return p.Grants[0].Unit
	}
	return ""
}

// pageReport shows a report of a stored template for the unit and period
// picked, with a download link for each format.
func (s *Server) pageReport(w http.ResponseWriter, r *http.Request) error {
	t, err := s.app.Reports.Template(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data := reportPage{Base: s.base(r, "report.page.title", "reports"), Tpl: t, Unit: q.Get("unit"), Period: q.Get("period"), CanEdit: isRootAdmin(principal(r))}
	data.Title = t.Name
	data.Units, data.Periods = s.choices(r)
	if data.Unit == "" {
		data.Unit = defaultUnit(r)
	}
	if data.Unit != "" {
		if _, err := s.app.Units.Get(r.Context(), principal(r).Scope(auth.PermRead), data.Unit); isNotFound(err) {
			if ok, err := s.outOfScope(w, r, t.Code, data.Unit, data.Period, false); ok || err != nil {
				return err
			}
		}
	}
	if data.Unit != "" && data.Period != "" {
		d, err := s.app.Reports.Generate(r.Context(), principal(r).Scope(auth.PermRead), t.Source, data.Unit, data.Period, data.Lang)
		if err != nil {
			p := s.problemOf(r, err)
			if p.Status >= 500 {
				return err
			}
			data.Problem = problemText(p)
		} else {
			data.Body, data.Empty = report.HTMLBody(d), d.Empty
			for _, f := range report.Formats {
				v := url.Values{"unit": {data.Unit}, "period": {data.Period}, "format": {f}, "lang": {data.Lang}}
				data.Download = append(data.Download, download{f, "/api/v1/reports/" + url.PathEscape(t.Code) + "?" + v.Encode()})
			}
		}
	}
	return s.render(w, r, http.StatusOK, "report", data)
}

func problemText(p Problem) string {
	if len(p.Errors) > 0 {
		return p.Errors[0].Message
	}
	return p.Title
}

type reportEditPage struct {
	Base
	Tpl     report.StoredTemplate
	Source  string
	Name    string
	Note    string
	Unit    string
	Period  string
	Problem string
	Preview reportPreview
}

type reportPreview struct {
	Base
	Body    template.HTML
	Problem string
	Empty   bool
}

// pageReportEdit is the editor: the template's text beside a live
// preview for a unit and period. A new template's code is any unused one.
func (s *Server) pageReportEdit(w http.ResponseWriter, r *http.Request) error {
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	code := r.PathValue("code")
	t, err := s.app.Reports.Template(r.Context(), code)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	t.Code = code
	q := r.URL.Query()
	data := reportEditPage{Base: s.base(r, "report.page.edit", "reports"), Tpl: t, Source: t.Source, Name: t.Name,
		Unit: q.Get("unit"), Period: q.Get("period")}
	if data.Unit == "" {
		data.Unit = defaultUnit(r)
	}
	if data.Period == "" {
		data.Period = "2021S1"
	}
	data.Preview = s.preview(r, data.Source, data.Unit, data.Period)
	return s.render(w, r, http.StatusOK, "report_edit", data)
}

// preview generates source for a unit and period, or says what is wrong.
func (s *Server) preview(r *http.Request, src, unitCode, periodID string) reportPreview {
	pv := reportPreview{Base: s.base(r, "report.page.edit", "reports")}
	if src == "" {
		return pv
	}
	d, err := s.app.Reports.Generate(r.Context(), principal(r).Scope(auth.PermRead), src, unitCode, periodID, pv.Lang)
	if err != nil {
		pv.Problem = problemText(s.problemOf(r, err))
		return pv
	}
	pv.Body, pv.Empty = report.HTMLBody(d), d.Empty
	return pv
}

// pageReportPreview is the preview fragment htmx asks for as the text
// changes.
func (s *Server) pageReportPreview(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	pv := s.preview(r, r.PostFormValue("source"), r.PostFormValue("unit"), r.PostFormValue("period"))
	return s.renderFragment(w, "report_edit", "report-preview", pv)
}

// pageReportSave stores the text as the template's next version.
func (s *Server) pageReportSave(w http.ResponseWriter, r *http.Request) error {
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PathValue("code")
	in := report.SaveRequest{Name: r.PostFormValue("name"), Source: r.PostFormValue("source"), Note: r.PostFormValue("note")}
	unitCode, periodID := r.PostFormValue("unit"), r.PostFormValue("period")
	if _, err := s.app.Reports.Save(r.Context(), code, in); err != nil {
		p := s.problemOf(r, err)
		if p.Status >= 500 {
			return err
		}
		t, _ := s.app.Reports.Template(r.Context(), code)
		t.Code = code
		data := reportEditPage{Base: s.base(r, "report.page.edit", "reports"), Tpl: t, Source: in.Source, Name: in.Name, Note: in.Note,
			Unit: unitCode, Period: periodID, Problem: problemText(p)}
		data.Preview = s.preview(r, in.Source, unitCode, periodID)
		return s.render(w, r, http.StatusUnprocessableEntity, "report_edit", data)
	}
	v := url.Values{"unit": {unitCode}, "period": {periodID}}
	return seeOther(w, r, "/reports/"+url.PathEscape(code)+"/edit?"+v.Encode(), "report_saved")
}

// pageReportRecord generates the report for the record and shows it.
func (s *Server) pageReportRecord(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	sn, err := s.app.Reports.Record(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), report.SnapshotRequest{
		Unit: r.PostFormValue("unit"), Period: r.PostFormValue("period"), Lang: reqOf(r).lang, Note: r.PostFormValue("note")})
	if err != nil {
		return err
	}
	return seeOther(w, r, "/report-snapshots/"+strconv.FormatInt(sn.ID, 10), "report_recorded")
}

type snapshotPage struct {
	Base
	S        report.Snapshot
	Moved    []report.Moved
	Body     template.HTML
	Download []download
}

// pageSnapshot shows a report kept for the record, the figures whose
// live value differs now (each linked to its records), and the report.
func (s *Server) pageSnapshot(w http.ResponseWriter, r *http.Request) error {
	sn, err := s.snapshotOf(r)
	if isNotFound(err) {
		// kept for a unit outside the caller's scope: say so, and offer
		// the caller's own unit's report
		if id, perr := planPathID(r, "report.snapshot"); perr == nil {
			if other, oerr := s.app.Reports.Snapshot(r.Context(), unit.Everything(), id); oerr == nil {
				_, err := s.outOfScope(w, r, other.Template, other.Unit, other.Period, true)
				return err
			}
		}
	}
	if err != nil {
		return err
	}
	moved, err := s.app.Reports.Moved(r.Context(), principal(r).Scope(auth.PermRead), sn)
	if err != nil {
		return err
	}
	data := snapshotPage{Base: s.base(r, "report.page.snapshot", "reports"), S: sn, Moved: moved, Body: report.HTMLBody(sn.Doc)}
	for _, f := range report.Formats {
		data.Download = append(data.Download, download{f, "/api/v1/report-snapshots/" + strconv.FormatInt(sn.ID, 10) + "/output?format=" + f})
	}
	return s.render(w, r, http.StatusOK, "report_snapshot", data)
}
