package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/report"
)

// Report templates are tree-wide configuration: a root administrator
// saves and deletes them; anyone reads them and generates reports of the
// units it reads.

func (s *Server) apiListReportTemplates(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.app.Reports.Templates(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ts})
}

func (s *Server) apiGetReportTemplate(w http.ResponseWriter, r *http.Request) error {
	n := 0
	if v := r.URL.Query().Get("version"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			return fault.InvalidField("version", "error.query")
		}
	}
	t, err := s.app.Reports.TemplateVersion(r.Context(), r.PathValue("code"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiSaveReportTemplate(w http.ResponseWriter, r *http.Request) error {
	var in report.SaveRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	t, err := s.app.Reports.Save(r.Context(), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiDeleteReportTemplate(w http.ResponseWriter, r *http.Request) error {
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	if err := s.app.Reports.DeleteTemplate(r.Context(), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reportFormat is the query's format, md when absent.
func reportFormat(r *http.Request) (string, error) {
	f := r.URL.Query().Get("format")
	if f == "" {
		f = "md"
	}
	if !slices.Contains(report.Formats, f) {
		return "", fault.InvalidField("format", "report.error.format", "value", f)
	}
	return f, nil
}

func reportLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh-CN" {
		return l
	}
	return reqOf(r).lang
}

// writeReport writes the document in a format as a download (made whole
// in memory first, so an error sends a problem, never half a file).
func writeReport(w http.ResponseWriter, d *report.Doc, name, format string) error {
	var buf bytes.Buffer
	if err := report.Write(&buf, d, format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", report.ContentType(format))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+format+`"`)
	if d.Empty {
		w.Header().Set("X-Report-Empty", "true")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// apiRenderReport generates a stored template for ?unit= and ?period= in
// ?format= (md, html, docx, pdf, xlsx).
func (s *Server) apiRenderReport(w http.ResponseWriter, r *http.Request) error {
	format, err := reportFormat(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	t, err := s.app.Reports.Template(r.Context(), code)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("unit") == "" || q.Get("period") == "" {
		return fault.InvalidField("unit", "error.required")
	}
	d, err := s.app.Reports.Generate(r.Context(), principal(r).Scope(auth.PermRead), t.Source, q.Get("unit"), q.Get("period"), reportLang(r))
	if err != nil {
		return err
	}
	return writeReport(w, d, code+"-"+q.Get("unit")+"-"+d.Period, format)
}

func (s *Server) apiRecordReport(w http.ResponseWriter, r *http.Request) error {
	var in report.SnapshotRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	sn, err := s.app.Reports.Record(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/report-snapshots/"+strconv.FormatInt(sn.ID, 10))
	return writeJSON(w, http.StatusCreated, sn)
}

func (s *Server) apiListSnapshots(w http.ResponseWriter, r *http.Request) error {
	l, err := s.app.Reports.Snapshots(r.Context(), principal(r).Scope(auth.PermRead), r.URL.Query().Get("template"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": l})
}

func (s *Server) snapshotOf(r *http.Request) (report.Snapshot, error) {
	id, err := planPathID(r, "report.snapshot")
	if err != nil {
		return report.Snapshot{}, err
	}
	return s.app.Reports.Snapshot(r.Context(), principal(r).Scope(auth.PermRead), id)
}

// apiGetSnapshot is a snapshot with its figures whose live value moved.
func (s *Server) apiGetSnapshot(w http.ResponseWriter, r *http.Request) error {
	sn, err := s.snapshotOf(r)
	if err != nil {
		return err
	}
	moved, err := s.app.Reports.Moved(r.Context(), principal(r).Scope(auth.PermRead), sn)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"snapshot": sn, "moved": moved})
}

// apiSnapshotOutput writes a snapshot's document again, exactly as it
// was generated, in ?format=.
func (s *Server) apiSnapshotOutput(w http.ResponseWriter, r *http.Request) error {
	format, err := reportFormat(r)
	if err != nil {
		return err
	}
	sn, err := s.snapshotOf(r)
	if err != nil {
		return err
	}
	return writeReport(w, sn.Doc, sn.Template+"-"+sn.Unit+"-"+sn.Period+"-"+strconv.FormatInt(sn.ID, 10), format)
}
