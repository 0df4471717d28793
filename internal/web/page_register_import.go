package web

import (
	"errors"
	"net/http"
	"strconv"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// importFormPage is the form that imports a file into a register.
type importFormPage struct {
	Base
	Code, Name string
	Unit       string
	DryRun     bool
	Error      string
}

// pageImportForm shows the import form of a register: its template to
// download, the file, a dry run.
func (s *Server) pageImportForm(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	d := importFormPage{Base: s.base(r, "regsheet.import.title", "registers"), Code: reg.Code, Name: registerName(reg, reqOf(r).lang)}
	return s.render(w, r, http.StatusOK, "record_import", d)
}

// pageImportStart receives the form's file and starts the import, then
// shows the job; a file refused before it starts is shown on the form.
func (s *Server) pageImportStart(w http.ResponseWriter, r *http.Request) error {
	job, err := s.startImport(w, r, importWait)
	if err != nil {
		var be *bodyError
		fields := fault.FieldsOf(err)
		if !errors.As(err, &be) && fields == nil {
			return err
		}
		reg, gerr := s.app.Registers.Get(r.Context(), r.PathValue("code"))
		if gerr != nil {
			return gerr
		}
		d := importFormPage{Base: s.base(r, "regsheet.import.title", "registers"), Code: reg.Code, Name: registerName(reg, reqOf(r).lang),
			Unit: r.FormValue("unit"), DryRun: r.FormValue("dry_run") != ""}
		p := s.problemOf(r, err)
		d.Error = p.Detail
		if len(p.Errors) > 0 {
			d.Error = p.Errors[0].Message
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "record_import", d)
	}
	http.Redirect(w, r, "/imports/"+strconv.FormatInt(job.ID, 10), http.StatusSeeOther)
	return nil
}

// importJobPage shows an import: its progress while it runs (the status
// part reloads itself every second), then its counts or problems.
type importJobPage struct {
	Base
	Job        *register.ImportJob
	Code, Name string
	Running    bool
	Percent    int
	View       importJobJSON
}

// pageImportJob shows an import job to its owner or an administrator
// above it.
func (s *Server) pageImportJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.importJobFor(r)
	if err != nil {
		return err
	}
	d := importJobPage{Base: s.base(r, "regsheet.job.title", "registers"), Job: j, Code: j.Register, Name: j.Register,
		Running: !j.Finished(), View: s.importJobJSON(r, j)}
	if reg, err := s.app.Registers.Get(r.Context(), j.Register); err == nil {
		d.Name = registerName(reg, reqOf(r).lang)
	}
	if j.RowsTotal > 0 {
		d.Percent = min(100, 100*j.RowsDone/j.RowsTotal)
	}
	return s.render(w, r, http.StatusOK, "import_job", d)
}
